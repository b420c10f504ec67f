"""The run file's container: a checked ``torch.save`` of JSON metadata and CPU tensors.

``write_payload`` and ``read_payload`` know the outer layout, the format version, the SHA-256
digest and the safe unpickling; what the metadata means (a ``RunRecord``) is
``lstm_core.persistence``'s business. Nothing here ever executes code from a file: it is read
with ``torch.load(weights_only=True)`` after ``lstm_core.archive_guard`` has checked the zip.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import torch

from lstm_core.archive_guard import ArchiveGuardError, check_run_archive
from lstm_core.safe_io import atomic_save

FORMAT = "lstm-studio-run"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
_KEYS = {"format", "version", "metadata", "sha256", "state_dict"}


class RunFileError(ValueError):
    """A run file is damaged, edited, from another program or version, or unsafe: it was not loaded."""


def refuse(reason: str) -> RunFileError:
    """The error for a file that is not loaded, with ``reason`` in the sentence."""
    return RunFileError(f"Not a valid LSTM Studio run file: {reason}. The file was not loaded.")


def digest(metadata: str, state_dict: Mapping[str, torch.Tensor]) -> str:
    """SHA-256 over the metadata JSON and every tensor's name, dtype, shape and bytes (sorted by name)."""
    h = hashlib.sha256(metadata.encode("utf-8"))
    for name in sorted(state_dict):
        t = state_dict[name].detach().cpu()
        h.update(f"\0{name}\0{t.dtype}\0{list(t.shape)}\0".encode())
        flat = torch.empty(t.numel(), dtype=t.dtype).copy_(t.reshape(-1))  # stride 1, even from a 0-d buffer
        h.update(flat.view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def write_payload(
    metadata: str, version: int, state_dict: Mapping[str, torch.Tensor], target: str | Path | IO[bytes]
) -> None:
    """Write the container to a path (atomically) or a binary file object."""
    state = {k: v.detach().cpu().contiguous() for k, v in state_dict.items()}
    payload = {"format": FORMAT, "version": version, "metadata": metadata,
               "sha256": digest(metadata, state), "state_dict": state}
    if isinstance(target, str | Path):
        atomic_save(payload, target)  # a failed write leaves the previous file intact
    else:
        torch.save(payload, target)


def read_payload(source: str | Path | bytes | IO[bytes]) -> tuple[str, dict[str, torch.Tensor]]:
    """The metadata JSON and the tensors of a run file whose layout, version and digest check out.

    Raises:
        RunFileError: missing, truncated, not ours, another format version, disallowed objects,
            or a digest that does not match (edited or damaged).
    """
    payload = _unpickle(source)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise refuse("it is a torch file but not one written by LSTM Studio")
    if payload.get("version") not in READABLE_VERSIONS:
        raise refuse(f"it has format version {payload.get('version')!r}; this LSTM Studio "
                     f"reads versions {', '.join(map(str, READABLE_VERSIONS))}")
    metadata, sha, state = payload.get("metadata"), payload.get("sha256"), payload.get("state_dict")
    if set(payload) != _KEYS or not isinstance(metadata, str) or not isinstance(sha, str) or not (
        isinstance(state, dict) and all(isinstance(k, str) and _plain_tensor(v) for k, v in state.items())
    ):
        raise refuse("its layout is not that of a run file")
    if digest(metadata, state) != sha:
        raise refuse("its integrity check failed (the SHA-256 digest does not match its "
                     "contents), so it was edited or damaged after it was saved")
    return metadata, state


def _unpickle(source: str | Path | bytes | IO[bytes]) -> Any:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise RunFileError(f"There is no run file at {path}.")
        source = path.read_bytes()
    try:  # declared sizes and stride-0 tensors, read from the zip before torch allocates anything
        check_run_archive(source)
    except ArchiveGuardError as exc:
        raise refuse(exc.reason) from exc
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    try:
        return torch.load(source, weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as exc:
        found = re.search(r"GLOBAL (\S+)", str(exc))
        if found is None:  # an opcode the safe unpickler does not know: random or damaged bytes
            raise refuse("it is truncated, damaged or not a torch file") from exc
        raise refuse(f"it contains disallowed objects ({found.group(1)}) besides tensors and "
                     "plain data, such as pickled code") from exc
    except Exception as exc:  # torch raises RuntimeError, EOFError, KeyError... on damaged files
        raise refuse("it is truncated, damaged or not a torch file") from exc


def _plain_tensor(value: object) -> bool:
    """A dense, CPU, non-quantized tensor: the only kind a run file holds."""
    return (isinstance(value, torch.Tensor) and value.layout == torch.strided and not value.is_quantized
            and value.device.type == "cpu")
