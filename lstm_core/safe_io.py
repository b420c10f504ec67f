"""Files are never half-written or clobbered.

Every write goes to a temporary file in the target's own folder (so the final rename stays on
one file system), is flushed and fsynced, then renamed over the target with ``os.replace``,
which is atomic: readers see the old file or the new one, never a mix. A write that fails or
is interrupted removes its temporary file and leaves the previous target untouched.

``check_output_paths`` refuses, before any work starts, output paths that could not be
written or that would overwrite an input (``--out`` equal to ``--csv``) or each other.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO


def atomic_write(target: str | Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Run ``write(fh)`` on a temporary file next to ``target``, then rename it into place.

    Args:
        target: the final path; its parent folder is created when missing.
        write: called once with a binary file object open for writing.

    Returns:
        The target path.

    Raises:
        OSError: the folder cannot be created or written; the previous target is left intact.
        Exception: whatever ``write`` raises, after the temporary file is removed.
    """
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def atomic_write_text(target: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically (see the module docstring)."""
    return atomic_write(target, lambda fh: fh.write(text.encode(encoding)))


def atomic_save(obj: object, target: str | Path) -> Path:
    """``torch.save(obj, target)`` atomically: a failed save leaves the previous file intact."""
    import torch

    return atomic_write(target, lambda fh: torch.save(obj, fh))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; some file systems cannot open folders, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output_paths(
    outputs: Mapping[str, str | Path | None], inputs: Mapping[str, str | Path | None] | None = None
) -> None:
    """Refuse output paths that cannot be written, before any work is done.

    Args:
        outputs: option name -> path to be written (None entries are skipped), e.g.
            ``{"--out": "run.pt", "--summary": "s.json"}``.
        inputs: option name -> path that is read (e.g. ``{"--csv": "prices.csv"}``).

    Raises:
        ValueError: an output is a folder, its folder cannot be created or written, it is
            an existing read-only file, it is one of the inputs, or two outputs are one file.
    """
    given = {name: Path(p) for name, p in outputs.items() if p is not None}
    sources = {name: Path(p) for name, p in (inputs or {}).items() if p is not None}
    names = list(given)
    for i, name in enumerate(names):
        path = given[name]
        for other in names[i + 1:]:
            if _same_file(path, given[other]):
                raise ValueError(f"{name} and {other} are the same file ({path}): give each its own path.")
        for source, src_path in sources.items():
            if _same_file(path, src_path):
                raise ValueError(
                    f"{name} {path} is the {source} input file: writing it would destroy the input; "
                    "choose another path."
                )
        _check_writable(name, path)


def _check_writable(name: str, path: Path) -> None:
    if path.is_dir():
        raise ValueError(f"{name} {path} is a folder: give a file path such as {path / 'run.pt'}.")
    if str(path).endswith(("/", os.sep)):
        raise ValueError(f"{name} {path} names a folder: give a file path.")
    folder = path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"{name} {path} cannot be written: {existing} is a file, not a folder.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {path} cannot be written: the folder {existing} is not writable.")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{name} {path} cannot be written: the file is read-only.")
