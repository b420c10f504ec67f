"""Full MNIST on demand: the four files from torchvision's mirrors, verified by MD5 and cached.

A file is streamed to a temporary name and renamed into the cache only once complete and
verified, so the cache never holds a partial or damaged file. ``lstm_core.data.mnist`` reads the
files; this module only fetches them.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from lstm_core.safe_io import atomic_write

from ._frames import default_cache_dir
from .errors import ChecksumError, MnistFileError, NetworkError

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
ProgressFn = Callable[[str, int, int | None], None]  # (file name, bytes done, bytes total or None)
_CHUNK = 1 << 16
MIRRORS_ENV = "LSTM_STUDIO_MNIST_MIRRORS"  # space-separated base URLs that replace MNIST_MIRRORS
DOWNLOAD_DEADLINE_S = 300.0  # the whole download (11 MB), however slowly a server trickles


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
