"""A strict reader (and writer) for the IDX format MNIST ships in; no torchvision.

Layout (big-endian)::

    bytes 0-1   0x00 0x00                 magic, always zero
    byte  2     dtype code                0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                                          0x0D float32, 0x0E float64
    byte  3     ndim                      1 for labels, 3 for images
    4 * ndim    uint32 sizes              e.g. 60000, 28, 28
    rest        the values, C order       exactly prod(sizes) * itemsize bytes
"""

from __future__ import annotations

import gzip
import struct
import zlib
from math import prod
from pathlib import Path

import numpy as np

from .errors import MnistFileError

IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {
    dtype.newbyteorder(">") if dtype.itemsize > 1 else dtype: code for code, dtype in IDX_DTYPES.items()
}
MAX_NDIM = 4


def read_idx(source: bytes | str | Path, name: str | None = None) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a numpy array in native byte order.

    Args:
        source: the file's bytes, or its path.
        name: the file name used in error messages (defaults to the path's name).

    Returns:
        An array of the dtype and shape the header declares (uint8 (N, 28, 28) for MNIST images).

    Raises:
        MnistFileError: unreadable, truncated, oversized or corrupt file (bad gzip, magic,
            dtype code or sizes).
    """
    if isinstance(source, str | Path):
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise MnistFileError(f"Cannot read {path} ({exc.strerror}): download the data again.") from exc
    else:
        data, name = bytes(source), name or "IDX data"
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise MnistFileError(
                f"{name} is a truncated or corrupt gzip file ({exc}): delete it and download it again."
            ) from exc
    if len(data) < 4:
        raise MnistFileError(f"{name} is too short to be an IDX file ({len(data)} bytes): download it again.")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or code not in IDX_DTYPES or not 1 <= ndim <= MAX_NDIM:
        raise MnistFileError(
            f"{name} is not an IDX file (magic number 0x{data[:4].hex()}): expected 0x0000 followed by "
            "a type code and 1-4 dimensions, as in MNIST's 0x00000803 (images) and 0x00000801 (labels)."
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MnistFileError(f"{name} is truncated inside its header: download it again.")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[code]
    expected = prod(shape) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        problem = "truncated" if found < expected else "corrupt (it has extra bytes)"
        raise MnistFileError(
            f"{name} is {problem}: its header declares shape {shape} = {expected:,} bytes of data "
            f"but it holds {found:,}; delete it and download it again."
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def encode_idx(array: np.ndarray) -> bytes:
    """The IDX bytes (uncompressed) for ``array``; uint8 / int8 / int16 / int32 / float32 / float64."""
    big = array.dtype.newbyteorder(">") if array.dtype.itemsize > 1 else array.dtype
    if big not in _CODES:
        raise ValueError(f"IDX cannot store dtype {array.dtype}; use one of uint8, int8, int16, int32, float")
    header = struct.pack(">HBB", 0, _CODES[big], array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=big).tobytes()
