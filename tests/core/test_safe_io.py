"""Atomic writes, output-path checks and the run-file archive guard, on real files in tmp_path."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from lstm_core.archive_guard import DAMAGED, ArchiveGuardError, check_run_archive
from lstm_core.safe_io import (
    atomic_save,
    atomic_write,
    atomic_write_text,
    check_output_paths,
)


class Boom(RuntimeError):
    pass


def test_atomic_writes_replace_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.txt"
    atomic_write_text(target, "first")
    atomic_write(target, lambda fh: fh.write(b"second"))
    assert target.read_bytes() == b"second" and os.listdir(target.parent) == ["f.txt"]
    atomic_save({"w": torch.arange(3)}, tmp_path / "run.pt")
    assert torch.equal(torch.load(tmp_path / "run.pt", weights_only=True)["w"], torch.arange(3))


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "run.pt"
    atomic_write(target, lambda fh: fh.write(b"good"))

    def half_then_fail(fh):
        fh.write(b"half a file")
        raise Boom("disk full")

    with pytest.raises(Boom):
        atomic_write(target, half_then_fail)
    with pytest.raises(TypeError):  # torch cannot pickle a generator: fails midway through the save
        atomic_save({"w": torch.zeros(2), "bad": (i for i in range(2))}, target)
    assert target.read_bytes() == b"good" and os.listdir(tmp_path) == ["run.pt"]


def test_a_write_into_a_file_path_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "file" / "out.json", "{}")


@pytest.mark.parametrize(
    ("outputs", "inputs", "message"),
    [
        ({"--out": "{d}"}, {}, "--out {d} is a folder"),
        ({"--out": "{d}/in.csv"}, {"--csv": "{d}/in.csv"}, "is the --csv input file: writing it would"),
        ({"--out": "{d}/a.pt", "--summary": "{d}/a.pt"}, {}, "--out and --summary are the same file"),
        ({"--out": "{d}/in.csv/run.pt"}, {}, "cannot be written: {d}/in.csv is a file, not a folder"),
    ],
)
def test_output_paths_are_checked_before_any_work(tmp_path: Path, outputs, inputs, message) -> None:
    (tmp_path / "in.csv").write_text("Date,Close\n")
    fill = {k: v.format(d=tmp_path) for k, v in outputs.items()}
    with pytest.raises(ValueError, match=message.format(d=tmp_path).replace(".", r"\.")):
        check_output_paths(fill, {k: v.format(d=tmp_path) for k, v in inputs.items()})
    assert (tmp_path / "in.csv").read_text() == "Date,Close\n"


def test_same_file_through_another_spelling_is_caught(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("x")
    os.symlink(tmp_path / "in.csv", tmp_path / "link.csv")
    with pytest.raises(ValueError, match="is the --csv input file"):
        check_output_paths({"--out": tmp_path / "link.csv"}, {"--csv": f"{tmp_path}/./in.csv"})
    check_output_paths({"--out": tmp_path / "new" / "deeper" / "run.pt", "--summary": None})


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_places_are_refused(tmp_path: Path) -> None:  # pragma: no cover - CI runs as root
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(ValueError, match="is not writable"):
        check_output_paths({"--out": ro / "run.pt"})


# ------------------------------------------------------------------------------ archive guard
def stride0_file(elements: int = 250_000_000) -> bytes:
    """About 1.5 KB on disk; 1 GB of float32 once the expanded tensor is made contiguous."""
    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(1).expand(elements)}, buffer)
    return buffer.getvalue()


def deflated_file(nbytes: int) -> bytes:
    """A real deflated storage record of ``nbytes`` zeros: about nbytes / 1000 on disk."""
    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(1)}, buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("/data/0"):
                entry = zipfile.ZipInfo(info.filename)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(entry, "w", force_zip64=True) as fh:
                    for _ in range(nbytes // 2**20):
                        fh.write(bytes(2**20))
            else:
                archive.writestr(info, data)
    return out.getvalue()


def test_an_ordinary_archive_passes_with_its_sizes() -> None:
    buffer = io.BytesIO()
    torch.save({"a": torch.zeros(3, 4), "b": torch.arange(5), "c": torch.zeros(3, 4)[1]}, buffer)
    report = check_run_archive(buffer.getvalue())
    assert (report.storage_bytes, report.tensor_bytes, report.tensors) == (48 + 40 + 48, 48 + 40 + 16, 3)


def test_a_stride0_tensor_is_refused_with_the_memory_it_would_need() -> None:
    data = stride0_file()
    assert len(data) < 2048
    with pytest.raises(ArchiveGuardError, match=r"250,000,000 elements laid over a storage of only 1 .*"
                       r"would need 954 MB of memory"):
        check_run_archive(data)


def test_a_declared_storage_size_above_the_limit_is_refused() -> None:
    data = deflated_file(64 * 2**20)
    assert len(data) < 200_000
    with pytest.raises(ArchiveGuardError, match="would need 64 MB of memory, above the 16 MB a run"):
        check_run_archive(data, limit_bytes=16 * 2**20)
    assert check_run_archive(io.BytesIO(data), limit_bytes=2**30).storage_bytes == 64 * 2**20


@pytest.mark.parametrize(
    "data", [b"", b"not a zip", b"PK\x03\x04" + bytes(100)], ids=["empty", "text", "zip-head"]
)
def test_non_archives_are_damaged(data: bytes) -> None:
    with pytest.raises(ArchiveGuardError) as info:
        check_run_archive(data)
    assert info.value.reason == DAMAGED


def test_legacy_torch_files_are_refused() -> None:
    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, buffer, _use_new_zipfile_serialization=False)
    with pytest.raises(ArchiveGuardError, match="truncated, damaged or not a torch file"):
        check_run_archive(buffer.getvalue())


def test_the_guard_refuses_a_1gb_file_with_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pt"
    path.write_bytes(stride0_file())
    code = (
        "import resource, sys; from lstm_core.archive_guard import check_run_archive\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"try: check_run_archive(open({str(path)!r}, 'rb').read())\n"
        "except ValueError: print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) < 20_000  # KiB of peak RSS added by the check: nothing near the 1 GB
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


