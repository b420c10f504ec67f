"""A catalogue of hostile inputs: each ends in its exact error class, and nothing else on disk changes.

Files (CSV imports), settings (the command line), run files and network faults (against servers
on 127.0.0.1 in threads). Every case runs in a folder snapshotted before and after: a refusal
writes nothing and touches no input.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import pickle
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from lstm_core import cli
from lstm_core.archive_guard import ArchiveGuardError, check_run_archive
from lstm_core.data import ChecksumError, CsvImportError, NetworkError, download_mnist, read_price_csv
from lstm_core.data.errors import SeriesUnavailableError
from lstm_core.data.prices import load_prices
from lstm_core.data.yahoo import fetch_yahoo
from lstm_core.persistence import RunFileError, load_run
from lstm_core.safe_io import check_output_paths

DAYS = pd.bdate_range("2024-01-01", periods=40)


def csv(dates=None, values=None, header="Date,Close") -> bytes:
    dates = list(DAYS.strftime("%Y-%m-%d")) if dates is None else list(dates)
    values = [str(i + 1) for i in range(len(dates))] if values is None else list(values)
    return (header + "\n" + "\n".join(f"{d},{v}" for d, v in zip(dates, values, strict=True))).encode()


def with_value(value: str) -> bytes:
    values = [str(i + 1) for i in range(40)]
    values[7] = value
    return csv(values=values)


def monthly_day_first() -> bytes:
    return csv(pd.date_range("2020-01-01", periods=40, freq="MS").strftime("%d/%m/%Y"))


def mixed_dates() -> bytes:
    dates = list(DAYS.strftime("%Y-%m-%d"))
    dates[20] = DAYS[20].strftime("%d/%m/%Y")
    return csv(dates)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


# ------------------------------------------------------------------------------ CSV files
CSV_CASES: dict[str, tuple[bytes, dict]] = {
    "empty": (b"", {}),
    "whitespace": (b" \n\n\t\n", {}),
    "zip": (zip_bytes({"a.csv": csv()}), {}),
    "gzip": (gzip.compress(csv()), {}),
    "pdf": (b"%PDF-1.7\n" + bytes(200), {}),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(100), {}),
    "nul-bytes": (b"Date,Close\n\x00\x01\x02\x03" * 50, {}),
    "utf16-no-bom": (csv().decode().encode("utf-16-le"), {}),
    "utf32": (csv().decode().encode("utf-32"), {}),
    "one-long-line": (b"Date,Close\n" + b"9" * 4_700_000, {}),
    "many-columns": ((",".join(f"c{i}" for i in range(5000)) + "\n").encode(), {}),
    "header-only": (b"Date,Close\n", {}),
    "one-column": (b"Date\n" + b"\n".join(d.encode() for d in DAYS.strftime("%Y-%m-%d")), {}),
    "no-dates": (csv([f"x{i}" for i in range(40)]), {}),
    "no-numbers": (csv(values=["abc"] * 40), {}),
    "ambiguous-day-month": (monthly_day_first(), {}),
    "mixed-formats": (mixed_dates(), {}),
    "numbers-not-dates": (csv(range(40)), {}),
    "empty-date-column": (csv([""] * 40), {}),
    "empty-value-column": (csv(values=[""] * 40), {"value_columns": ["Close"]}),
    "value-1e308": (with_value("1e308"), {}),
    "value-inf": (with_value("inf"), {}),
    "value-minus-1e20": (with_value("-1e20"), {}),
    "ragged-rows": (b"Date,Close\n2024-01-01,1\n2024-01-02,1,2,3,4\n", {}),
    "too-few-rows": (csv(DAYS[:5].strftime("%Y-%m-%d"), range(5)), {}),
    "too-large": (csv(), {"max_bytes": 100}),
    "bad-date-format": (csv(), {"date_format": "yyyy-mm-dd"}),
    "date-format-mismatch": (csv(), {"date_format": "%d/%m/%Y"}),
    "unknown-date-column": (csv(), {"date_column": "When"}),
    "text-value-column": (csv(), {"value_columns": ["Date"]}),
}


def files_snapshot(paths: Iterable[Path]) -> dict[str, tuple[int, int, bytes]]:
    """(size, mtime_ns, first 64 KiB) of every file under ``paths``: to prove nothing else changed."""
    out: dict[str, tuple[int, int, bytes]] = {}
    for root in paths:
        for p in sorted([root] if root.is_file() else root.rglob("*")):
            if p.is_file():
                st = p.stat()
                with p.open("rb") as fh:
                    out[str(p)] = (st.st_size, st.st_mtime_ns, fh.read(1 << 16))
    return out


def test_snapshot_sees_changes(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("1")
    before = files_snapshot([tmp_path])
    (tmp_path / "a").write_text("2")
    assert files_snapshot([tmp_path]) != before


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A folder whose files must come out of every case unchanged."""
    (tmp_path / "keep.txt").write_text("untouched")
    before = files_snapshot([tmp_path])
    yield tmp_path
    assert files_snapshot([tmp_path]) == before, "a refused input changed files on disk"


@pytest.mark.parametrize("case", list(CSV_CASES))
def test_hostile_csv_files(case: str, workdir: Path) -> None:
    data, kwargs = CSV_CASES[case]
    path = workdir / f"{case}.csv"
    path.write_bytes(data)
    os.utime(path, ns=(1, 1))  # written before the snapshot below, like any input
    before = files_snapshot([workdir])
    start = time.perf_counter()
    with pytest.raises(CsvImportError) as info:
        read_price_csv(path, **kwargs)
    assert type(info.value) is CsvImportError and time.perf_counter() - start < 2.0
    assert files_snapshot([workdir]) == before
    path.unlink()


def test_a_folder_and_a_missing_path_are_no_csv(workdir: Path) -> None:
    for source in (workdir, workdir / "missing.csv"):
        with pytest.raises(CsvImportError, match="There is no file at"):
            read_price_csv(source)


# ------------------------------------------------------------------------------ settings (command line)
SETTINGS: dict[str, list[str]] = {
    "out-is-the-csv": ["--out", "{d}/in.csv"],
    "summary-is-the-csv": ["--summary", "{d}/in.csv"],
    "out-is-a-folder": ["--out", "{d}"],
    "out-under-a-file": ["--out", "{d}/in.csv/run.pt"],
    "out-equals-summary": ["--out", "{d}/a.pt", "--summary", "{d}/a.pt"],
    "out-named-json": ["--out", "{d}/a.json"],
    "hidden-size-0": ["--hidden-size", "0"],
    "negative-epochs": ["--epochs", "-1"],
    "negative-lr": ["--lr", "-1"],
    "dropout-above-1": ["--dropout", "1.5"],
    "seq-len-0": ["--seq-len", "0"],
    "val-fraction-1": ["--val-fraction", "1"],
    "unknown-preset": ["--preset", "fastest"],
    "unknown-target": ["--target", "Price"],
    "bad-date-format": ["--date-format", "dd/mm"],
    "last-rows-negative": ["--last-rows", "-5"],  # (0 means all rows)
}


LONG = pd.bdate_range("2023-01-02", periods=120).strftime("%Y-%m-%d")


def _cli_args(workdir: Path, *extra: str) -> list[str]:
    return ["forecast", "--csv", str(workdir / "in.csv"), "--no-progress", "--epochs", "1", "--seq-len", "5",
            "--hidden-size", "4", "--out", str(workdir / "run.pt"), *extra]


def test_the_settings_control_case_trains_and_writes_its_two_outputs(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_bytes(csv(LONG))
    assert cli.main(_cli_args(tmp_path)) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "run.json", "run.pt"]


@pytest.mark.parametrize("case", list(SETTINGS))
def test_hostile_settings_exit_2_with_one_error_line_and_write_nothing(
    case: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "in.csv").write_bytes(csv(LONG))
    os.utime(workdir / "in.csv", ns=(1, 1))
    before = files_snapshot([workdir])
    assert cli.main(_cli_args(workdir, *(a.format(d=workdir) for a in SETTINGS[case]))) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and not any("Traceback" in line for line in err)
    assert files_snapshot([workdir]) == before
    (workdir / "in.csv").unlink()


def test_the_output_check_refuses_each_kind(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    for outputs, inputs in (({"--out": tmp_path}, {}), ({"--out": tmp_path / "f"}, {"--csv": tmp_path / "f"}),
                            ({"--a": tmp_path / "x", "--b": tmp_path / "x"}, {}),
                            ({"--out": tmp_path / "f" / "g"}, {})):
        with pytest.raises(ValueError):
            check_output_paths(outputs, inputs)


# ------------------------------------------------------------------------------ run files
class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def _saved(obj: object, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kwargs)
    return buffer.getvalue()


def _declared_huge() -> bytes:
    """A storage whose persistent id declares 2**28 floats (1 GB) for a 4-byte record."""
    data = _saved({"w": torch.zeros(1)})
    source = zipfile.ZipFile(io.BytesIO(data))
    entries = {i.filename: source.read(i) for i in source.infolist()}
    name = next(n for n in entries if n.endswith("data.pkl"))
    entries[name] = entries[name].replace(b"K\x01t", b"J" + (2**28).to_bytes(4, "little") + b"t")
    return zip_bytes(entries)


RUN_FILES: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "text": lambda: b"hello, I am a run file",
    "random": lambda: np.random.default_rng(0).bytes(4096),
    "csv": csv,
    "gzip": lambda: gzip.compress(b"x" * 1000),
    "truncated": lambda: _saved({"format": "lstm-studio-run"})[:300],
    "legacy-format": lambda: _saved({"w": torch.zeros(2)}, _use_new_zipfile_serialization=False),
    "zip-without-pickle": lambda: zip_bytes({"archive/data/0": b"1234"}),
    "zip-two-pickles": lambda: zip_bytes({"a/data.pkl": pickle.dumps(1), "b/data.pkl": pickle.dumps(2)}),
    "zip-many-entries": lambda: zip_bytes({f"archive/x{i}": b"" for i in range(10_001)}),
    "pickled-code": lambda: _saved({"format": "lstm-studio-run", "metadata": _Exploit()}),
    "stride0-1gb": lambda: _saved({"w": torch.zeros(1).expand(250_000_000)}),
    "declared-1gb-storage": _declared_huge,
    "plain-tensor": lambda: _saved(torch.ones(3)),
    "other-dict": lambda: _saved({"weights": torch.zeros(3)}),
    "version-99": lambda: _saved({"format": "lstm-studio-run", "version": 99}),
    "sparse-tensor": lambda: _saved({"w": torch.eye(3).to_sparse()}),
}


@pytest.mark.parametrize("case", list(RUN_FILES))
def test_hostile_run_files(case: str, workdir: Path) -> None:
    path = workdir / f"{case}.pt"
    path.write_bytes(RUN_FILES[case]())
    os.utime(path, ns=(1, 1))
    before = files_snapshot([workdir])
    with pytest.raises(RunFileError) as info:
        load_run(path)
    assert type(info.value) is RunFileError and "The file was not loaded" in str(info.value)
    assert files_snapshot([workdir]) == before
    path.unlink()


def test_bombs_are_refused_by_the_guard_itself() -> None:
    for case in ("stride0-1gb", "declared-1gb-storage"):
        with pytest.raises(ArchiveGuardError, match=r"would need [\d,]+ MB of memory"):
            check_run_archive(RUN_FILES[case]())


def test_a_folder_and_a_missing_file_are_no_run_file(workdir: Path) -> None:
    for source in (workdir, workdir / "nope.pt"):
        with pytest.raises(RunFileError, match="There is no run file at"):
            load_run(source)


# ------------------------------------------------------------------------------ network faults
class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, Callable[[http.server.BaseHTTPRequestHandler], None]] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        try:
            self.routes[self.path.rsplit("/", 2)[-2]](self)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


def _send(handler, status: int, body: bytes, length: int | None = None, pause: float = 0.0) -> None:
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    for i in range(0, len(body), 1 if pause else len(body) or 1):
        handler.wfile.write(body[i:i + (1 if pause else len(body))])
        handler.wfile.flush()
        time.sleep(pause)


GOOD = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02")
_Handler.routes = {
    "ok": lambda h: _send(h, 200, GOOD),
    "404": lambda h: _send(h, 404, b"not found"),
    "500": lambda h: _send(h, 500, b"boom"),
    "altered": lambda h: _send(h, 200, b"altered content"),
    "short": lambda h: _send(h, 200, GOOD[:5], length=len(GOOD)),
    "trickle": lambda h: _send(h, 200, b"x" * 30, length=1 << 20, pause=0.3),
    "silent": lambda h: time.sleep(3),
    "redirect-loop": lambda h: (h.send_response(302), h.send_header("Location", h.path), h.end_headers()),
}


@pytest.fixture(scope="module")
def fault_server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


NAME = "t10k-labels-idx1-ubyte.gz"
FAULTS: dict[str, tuple[str, type[Exception]]] = {
    "404": ("404", NetworkError),
    "500": ("500", NetworkError),
    "wrong-md5": ("altered", ChecksumError),
    "cut-short": ("short", NetworkError),
    "trickle-past-deadline": ("trickle", NetworkError),
    "silent-past-timeout": ("silent", NetworkError),
    "redirect-loop": ("redirect-loop", NetworkError),
}


@pytest.mark.parametrize("case", list(FAULTS))
def test_mnist_download_faults(case: str, fault_server: str, workdir: Path) -> None:
    route, error = FAULTS[case]
    start = time.monotonic()
    with pytest.raises(error) as info:
        download_mnist(workdir / "cache", mirrors=[f"{fault_server}{route}/"], timeout=1, deadline_s=2,
                       files={NAME: hashlib.md5(GOOD).hexdigest()})
    assert type(info.value) is error and time.monotonic() - start < 4
    assert list((workdir / "cache" / "mnist").iterdir()) == []  # nothing partial in the cache
    (workdir / "cache" / "mnist").rmdir()
    (workdir / "cache").rmdir()


def test_mnist_closed_port_and_no_mirrors(closed_port: str, workdir: Path) -> None:
    for mirrors in ([closed_port], []):
        with pytest.raises(NetworkError):
            download_mnist(workdir / "c", mirrors=mirrors, files={NAME: "0" * 32}, timeout=1, deadline_s=2)
    for folder in (workdir / "c" / "mnist", workdir / "c"):
        folder.rmdir()


def test_a_good_mirror_after_faulty_ones_fills_the_cache(fault_server: str, tmp_path: Path) -> None:
    mirrors = [f"{fault_server}{r}/" for r in ("404", "altered", "short", "ok")]
    folder = download_mnist(tmp_path, mirrors=mirrors, timeout=1, files={NAME: hashlib.md5(GOOD).hexdigest()})
    assert [p.name for p in folder.iterdir()] == [NAME] and (folder / NAME).read_bytes() == GOOD


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch, closed_port: str) -> None:
    """Every HTTP(S) request of yfinance goes to a port where nothing listens: offline, at once."""
    for key in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(key, closed_port.rstrip("/"))


def test_offline_an_unbundled_ticker_is_unavailable_not_replaced(dead_proxy: None, workdir: Path) -> None:
    with pytest.raises(SeriesUnavailableError, match=r"ZZZZ is unavailable: .* bundled series, which works"):
        load_prices("ZZZZ", cache_dir=workdir / "cache", timeout=2)
    assert not (workdir / "cache").exists() or not any((workdir / "cache").rglob("*"))


def test_offline_yahoo_fetch_is_a_network_error(dead_proxy: None) -> None:
    start = time.monotonic()
    with pytest.raises(NetworkError):
        fetch_yahoo("AAPL", timeout=1, deadline_s=3)
    assert time.monotonic() - start < 5
