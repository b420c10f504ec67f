"""Turn an uploaded CSV into a table of strings: size limits, encoding, shape and delimiter.

Everything here runs before any column is interpreted, so a hostile file (huge, binary, one
endless line, thousands of columns) is refused before pandas parses it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO

import pandas as pd

from .errors import CsvImportError

MAX_BYTES = 20_000_000
MAX_COLUMNS = 200  # checked on the header line before parsing: a price table has a handful
MAX_LINE_CHARS = 20_000  # the longest line allowed (header or data), also before parsing


def read_table(
    source: bytes | str | Path | IO[bytes] | IO[str], max_bytes: int = MAX_BYTES
) -> tuple[pd.DataFrame, str, str]:
    """Read ``source`` as a table of strings, refusing what is too large, binary or malformed.

    Args:
        source: raw bytes, a path, CSV text (a str containing a newline) or a file-like object.
        max_bytes: larger files are refused.

    Returns:
        (raw, delimiter, name): every cell as a string (NaN when empty), columns stripped and
        unique; the delimiter found; the name to quote in messages (file name or "pasted text").

    Raises:
        CsvImportError: with a sentence saying why the file cannot be read and what to do.
    """
    data, name = _read_bytes(source, max_bytes)
    text = _decode(data, name)
    _check_shape(text, name)
    delimiter = _sniff_delimiter(text)
    try:
        raw = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, skipinitialspace=True, keep_default_na=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise CsvImportError(
            f"{name} could not be read as CSV ({str(exc).strip()[:120]}): check that "
            "it has one header row and the same number of fields on every line."
        ) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    if raw.empty or len(raw.columns) < 2:
        raise CsvImportError(
            f"{name} has {len(raw)} rows and {len(raw.columns)} column(s): a price CSV "
            "needs a header, a date column and at least one numeric column."
        )
    if len(set(raw.columns)) < len(raw.columns):
        raise CsvImportError(f"{name} repeats a column name in its header: give every column its own name.")
    return raw, delimiter, name


def _read_bytes(source: bytes | str | Path | IO[bytes] | IO[str], max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        data, name = bytes(source), "uploaded file"
    elif isinstance(source, str) and "\n" in source:
        data, name = source.encode("utf-8"), "pasted text"
    elif isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise CsvImportError(f"There is no file at {path}: check the path and try again.")
        if path.stat().st_size > max_bytes:
            raise CsvImportError(_too_large(path.name, path.stat().st_size, max_bytes))
        data, name = path.read_bytes(), path.name
    else:
        raw = source.read(max_bytes + 1)
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        name = Path(str(getattr(source, "name", "uploaded file"))).name
    if len(data) > max_bytes:
        raise CsvImportError(_too_large(name, len(data), max_bytes))
    return data, name


def _too_large(name: str, size: int, limit: int) -> str:
    return (
        f"{name} is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit: keep only the date "
        "and value columns you need, or a shorter date range."
    )


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(data: bytes, name: str) -> str:
    head = data[:4096]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise CsvImportError(
            f"{name} is text in another encoding (UTF-32), not UTF-8: save it as CSV UTF-8 and upload that."
        )
    if head.startswith(_UTF16_BOMS):
        try:
            return _non_empty(data.decode("utf-16"), name)
        except UnicodeDecodeError as exc:
            raise CsvImportError(
                f"{name} starts like UTF-16 text but does not decode as UTF-16 ({exc.reason}): "
                "save it as CSV UTF-8 and upload that."
            ) from exc
    if head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"%PDF", b"\x89PNG")):
        raise CsvImportError(
            f"{name} is not a CSV file (it is binary, e.g. a spreadsheet, archive "
            "or image): export it as CSV (comma-separated text) and upload that."
        )
    if b"\x00" in head:
        half = max(len(head) // 2, 1)
        if max(head[0::2].count(0), head[1::2].count(0)) > 0.8 * half:  # ASCII text as UTF-16
            raise CsvImportError(
                f"{name} is text in another encoding (it looks like UTF-16 without a byte-order mark), "
                "not UTF-8: save it as CSV UTF-8 and upload that."
            )
        raise CsvImportError(
            f"{name} is not a CSV file (it is binary, e.g. a spreadsheet, archive "
            "or image): export it as CSV (comma-separated text) and upload that."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 fails only on 5 unassigned bytes
        text = data.decode("latin-1")
    return _non_empty(text, name)


def _non_empty(text: str, name: str) -> str:
    if not text.strip():
        raise CsvImportError(f"{name} is empty: upload a CSV with a header row and one row per date.")
    return text


def _check_shape(text: str, name: str) -> None:
    """Refuse very long lines and very many columns before any parser sees them."""
    header = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    columns = max(header.count(sep) for sep in ",;\t|") + 1
    if columns > MAX_COLUMNS:
        raise CsvImportError(
            f"{name} has {columns:,} columns in its header, over the {MAX_COLUMNS} allowed: keep only "
            "the date and value columns you need."
        )
    longest = max(map(len, text.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        raise CsvImportError(
            f"{name} has a line of {longest:,} characters, over the {MAX_LINE_CHARS:,} allowed: a price "
            "CSV has one short line per date; check that the file has line breaks."
        )


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
