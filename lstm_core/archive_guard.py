"""Inspect a torch run-file archive for the memory it would need, before ``torch.load`` reads it.

``torch.save`` writes a zip archive::

    archive/data.pkl      the pickled object; each tensor is a call
                          _rebuild_tensor_v2(storage, offset, size, stride, ...) whose storage is a
                          persistent id ("storage", torch.FloatStorage, key, "cpu", numel)
    archive/data/<key>    the raw bytes of each storage (stored; a crafted file may deflate them)

Two kinds of small file expand to gigabytes when loaded:

- a storage record that *declares* a huge size (a deflated entry, or a persistent id whose numel
  is far above its record's bytes): ``check_run_archive`` sums the declared sizes from the zip
  directory and the pickle without decompressing or allocating anything;
- a stride-0 ("expanded") tensor: 1 float of storage seen as 250 million elements costs 1 GB
  the moment anyone makes it contiguous (a digest, ``load_state_dict``). Strides live in the
  pickle, so it is read here by an unpickler whose every global is an inert stand-in (nothing
  from the file is ever called), and each tensor's element count is compared with its storage.

Legacy (non-zip) torch files allocate every storage at its declared size while loading, so
they are refused outright; ``torch.save`` has written zip archives since torch 1.6.
"""

from __future__ import annotations

import collections
import io
import math
import pickle
import zipfile
from dataclasses import dataclass
from typing import IO, Any

DEFAULT_LIMIT_BYTES = 256 * 2**20  # far above any run the app trains (a 50M-parameter model is 200 MB)
MAX_ENTRIES = 10_000
_ITEMSIZE = {
    "Double": 8, "Float": 4, "Half": 2, "BFloat16": 2, "Long": 8, "Int": 4, "Short": 2, "Char": 1,
    "Byte": 1, "Bool": 1, "ComplexFloat": 8, "ComplexDouble": 16, "QInt8": 1, "QUInt8": 1, "QInt32": 4,
    "Untyped": 1, "float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4,
    "int16": 2, "int8": 1, "uint8": 1, "bool": 1, "complex64": 8, "complex128": 16,
}  # fmt: skip
DAMAGED = "it is truncated, damaged or not a torch file"


class ArchiveGuardError(ValueError):
    """The archive would need too much memory to load, or cannot be inspected; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ArchiveReport:
    """What loading the archive would allocate, in bytes, as declared inside it."""

    storage_bytes: int  # every storage record, at the larger of its declared and stored size
    tensor_bytes: int  # every tensor made contiguous (numel x element size)
    tensors: int


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 2**20:,.2f} MB"


class _Inert:
    """Stands in for any global the pickle names: accepts every call, does nothing."""

    def __new__(cls, *args: Any, **kwargs: Any) -> _Inert:
        return object.__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> _Inert:
        return _Inert()

    def __setstate__(self, state: Any) -> None:
        pass

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def append(self, value: Any) -> None:
        pass

    def extend(self, values: Any) -> None:
        pass


@dataclass(frozen=True)
class _StorageType:
    name: str


@dataclass(frozen=True)
class _Storage:
    key: str
    itemsize: int
    numel: int  # elements, as declared by the persistent id


@dataclass(frozen=True)
class _Tensor:
    numel: int
    itemsize: int


class _Inspector(pickle.Unpickler):
    def __init__(self, data: bytes, records: dict[str, int]) -> None:
        super().__init__(io.BytesIO(data))
        self.records = records
        self.storages: dict[str, int] = {}  # key -> bytes it would need
        self.tensors: list[_Tensor] = []
        self.limit = 0

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch._utils" and name.startswith("_rebuild_tensor"):
            return self._rebuild_tensor
        if (module, name) == ("torch._utils", "_rebuild_parameter"):
            return lambda data, *args: data
        if module == "torch" and (name.endswith("Storage") or name in _ITEMSIZE):
            return _StorageType(name)
        return _Inert

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise ArchiveGuardError(DAMAGED)
        _, kind, key, _location, numel = pid
        if not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            raise ArchiveGuardError(DAMAGED)
        name = kind.name.removesuffix("Storage") if isinstance(kind, _StorageType) else ""
        itemsize = _ITEMSIZE.get(name, 8)
        needed = max(numel * itemsize, self.records.get(key, 0))
        self.storages[key] = max(self.storages.get(key, 0), needed)
        return _Storage(key, itemsize, numel)

    def _rebuild_tensor(self, storage: Any, offset: Any, size: Any, stride: Any, *rest: Any) -> _Tensor:
        if not isinstance(storage, _Storage) or not _ints(size) or not _ints(stride) or len(size) != len(
            stride
        ) or not isinstance(offset, int) or offset < 0 or min(size, default=0) < 0:
            raise ArchiveGuardError(DAMAGED)
        numel = math.prod(size)
        nbytes = numel * storage.itemsize
        if numel > max(storage.numel, 1) and nbytes > 2**20:
            raise ArchiveGuardError(
                f"it holds a tensor of {numel:,} elements laid over a storage of only {storage.numel:,} "
                f"(an expanded, stride-0 tensor): loading it would need {_mb(nbytes)} of memory"
            )
        tensor = _Tensor(numel, storage.itemsize)
        self.tensors.append(tensor)
        return tensor


def _ints(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


def check_run_archive(source: bytes | IO[bytes], limit_bytes: int = DEFAULT_LIMIT_BYTES) -> ArchiveReport:
    """Refuse an archive whose declared sizes exceed ``limit_bytes``, without allocating them.

    Args:
        source: the file's bytes, or a seekable binary file object (its position is restored).
        limit_bytes: the most memory loading may need, counted for storages and for tensors.

    Returns:
        ArchiveReport of the declared sizes.

    Raises:
        ArchiveGuardError: ``reason`` is a clause such as "loading it would need 1,024 MB of
            memory, above the 256 MB limit", or ``DAMAGED`` for a file that is not a zip archive
            holding one data.pkl.
    """
    data = source if isinstance(source, bytes | bytearray) else _read_keep_position(source)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ArchiveGuardError(DAMAGED) from exc
    if len(infos) > MAX_ENTRIES:
        raise ArchiveGuardError(f"it holds {len(infos):,} archive entries, far more than a run file")
    declared = sum(info.file_size for info in infos)
    if declared > limit_bytes:
        raise ArchiveGuardError(_over(declared, limit_bytes, "its archive entries"))
    pickles = [i for i in infos if i.filename == "data.pkl" or i.filename.endswith("/data.pkl")]
    if len(pickles) != 1:
        raise ArchiveGuardError(DAMAGED)
    prefix = pickles[0].filename.removesuffix("data.pkl")
    records = {
        i.filename.removeprefix(prefix + "data/"): i.file_size
        for i in infos
        if i.filename.startswith(prefix + "data/")
    }
    try:
        inspector = _Inspector(archive.read(pickles[0]), records)
        inspector.load()
    except ArchiveGuardError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to follow the pickle means a damaged file
        raise ArchiveGuardError(DAMAGED) from exc
    storage_bytes = sum(inspector.storages.values())
    tensor_bytes = sum(t.numel * t.itemsize for t in inspector.tensors)
    for what, size in (("its storages", storage_bytes), ("its tensors", tensor_bytes)):
        if size > limit_bytes:
            raise ArchiveGuardError(_over(size, limit_bytes, what))
    return ArchiveReport(storage_bytes, tensor_bytes, len(inspector.tensors))


def _over(size: int, limit: int, what: str) -> str:
    return (
        f"{what} declare {size:,} bytes: loading it would need {_mb(size)} of memory, above the "
        f"{_mb(limit)} a run file may take"
    )


def _read_keep_position(stream: IO[bytes]) -> bytes:
    start = stream.tell()
    try:
        return stream.read()
    finally:
        stream.seek(start)
