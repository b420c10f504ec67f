"""Import a user's CSV as a tidy price table, saying exactly what was detected and changed.

Cleaning rule (``CLEANING_RULE``, shown to users): rows whose date cannot be read are dropped;
rows are sorted by date; for a date that appears more than once the last row wins; rows before
the first date on which every chosen column has a value are dropped; later missing values are
forward-filled (the last known value carries on); calendar gaps longer than ``GAP_DAYS`` days
are reported but not filled, because markets close on weekends and holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from .csv_dates import DateReading, read_dates
from .csv_text import MAX_BYTES, read_table
from .errors import CsvImportError
from .provenance import Provenance, attach_provenance

MAX_ABS_VALUE = 1e15  # larger magnitudes are no prices and overflow float32 training once squared
MIN_ROWS = 30
GAP_DAYS = 7
CLEANING_RULE = (
    "Unreadable dates are dropped, rows are sorted by date, a repeated date keeps its last row, "
    "rows before the first complete row are dropped, later missing values are forward-filled, "
    f"and gaps longer than {GAP_DAYS} days are reported but not filled."
)
_DATE_NAMES = re.compile(r"^(date|datetime|time|timestamp|day|period|month|dt)$|date", re.I)
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d{1,3}(\.\d{3})*,\d+$|^[-+]?\d+,\d+$")
_SHARE_NEEDED = 0.9  # a column is numeric / dates when this share of its non-empty cells parse


@dataclass(frozen=True)
class CsvImport:
    """A parsed CSV: the tidy frame, what was detected, and a report of every change."""

    frame: pd.DataFrame  # DatetimeIndex "Date", float columns, provenance in attrs
    date_column: str
    value_columns: tuple[str, ...]
    candidate_date_columns: tuple[str, ...]
    candidate_value_columns: tuple[str, ...]
    report: list[str] = field(default_factory=list)


def _to_numbers(column: pd.Series, delimiter: str) -> pd.Series:
    text = column.astype("string").str.strip().str.replace(r"[$€£%\s]", "", regex=True)
    present = text.dropna()
    present = present[present != ""]
    if delimiter != "," and len(present) and present.str.match(_DECIMAL_COMMA).mean() > 0.5:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    elif len(present) and present.str.match(_THOUSANDS).any():
        text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _parse_share(parsed: pd.Series, raw: pd.Series) -> float:
    filled = raw.notna() & (raw.astype("string").str.strip() != "")
    return float(parsed[filled].notna().mean()) if filled.any() else 0.0


def read_price_csv(
    source: bytes | str | Path | IO[bytes] | IO[str],
    date_column: str | None = None,
    value_columns: list[str] | tuple[str, ...] | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    min_rows: int = MIN_ROWS,
    date_format: str | None = None,
    dayfirst: bool | None = None,
) -> CsvImport:
    """Read a CSV with a date column and numeric columns into a tidy, cleaned frame.

    Args:
        source: raw bytes, a path, CSV text (a str containing a newline) or a file-like object
            (e.g. Streamlit's UploadedFile).
        date_column: the column holding dates; detected when None.
        value_columns: numeric columns to keep; every numeric column when None.
        max_bytes: larger files are refused.
        min_rows: fewer usable rows than this after cleaning are refused.
        date_format: strptime format of the date column (e.g. "%d/%m/%Y"); detected when None.
        dayfirst: how to read day/month dates that read both ways (every day 12 or below);
            None refuses such a column with a message asking for one of these two settings.

    Returns:
        CsvImport with the frame (float columns, DatetimeIndex "Date"), the detected and chosen
        columns, and ``report`` sentences describing each change (see ``CLEANING_RULE``).

    Raises:
        CsvImportError: with a sentence saying why the file cannot be used and what to do.
    """
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise CsvImportError(f"date_format must be a strptime format such as %d/%m/%Y; got {date_format!r}")
    raw, delimiter, name = read_table(source, max_bytes)
    numbers = {c: _to_numbers(raw[c], delimiter) for c in raw.columns}
    numeric = [c for c in raw.columns if _parse_share(numbers[c], raw[c]) >= _SHARE_NEEDED]
    readings = _date_readings(raw, numeric, date_column, date_format, dayfirst)
    dates = [c for c, r in readings.items() if r.share >= _SHARE_NEEDED]
    date_candidates = sorted(dates, key=lambda c: (not _DATE_NAMES.search(c), list(raw.columns).index(c)))
    date_column = _choose_date_column(raw, name, date_column, date_candidates, readings)
    reading = readings[date_column]
    if reading.problem:
        raise CsvImportError(f"Column {date_column!r} in {name} {reading.problem}.")
    value_candidates = [c for c in numeric if c != date_column]
    value_columns = _choose_values(raw, name, value_columns, value_candidates)
    frame = pd.DataFrame({c: numbers[c] for c in value_columns})
    _check_magnitudes(frame, name)
    frame.index = pd.DatetimeIndex(reading.values, name="Date")
    report = [f"Dates from column {date_column!r} ({reading.how}); values: {', '.join(value_columns)}."]
    frame = _clean(frame, report, min_rows=min_rows, name=name)
    note = f"Uploaded file {name}: {', '.join(value_columns)} by date."
    return CsvImport(
        attach_provenance(frame, Provenance(source="csv", name=name, note=note)),
        date_column,
        tuple(value_columns),
        tuple(date_candidates),
        tuple(value_candidates),
        report,
    )


def _date_readings(
    raw: pd.DataFrame, numeric: list[str], date_column: str | None, date_format: str | None,
    dayfirst: bool | None,
) -> dict[str, DateReading]:
    """Read every column that may hold dates; ``date_format`` applies to the chosen one (or all)."""
    readings: dict[str, DateReading] = {}
    for col in raw.columns:
        if col in numeric and not _DATE_NAMES.search(col) and col != date_column:
            continue  # plain numbers ("2086.59") would parse as odd dates
        fmt = date_format if col == date_column or not date_column else None
        readings[col] = read_dates(raw[col], fmt, dayfirst)
    return readings


def _empty_columns(raw: pd.DataFrame) -> list[str]:
    filled = {c: raw[c].notna() & (raw[c].astype("string").str.strip() != "") for c in raw.columns}
    return [c for c in raw.columns if not filled[c].any()]


def _choose_date_column(
    raw: pd.DataFrame, name: str, date_column: str | None, candidates: list[str],
    readings: dict[str, DateReading],
) -> str:
    columns_found = ", ".join(raw.columns)
    if date_column is None:
        if candidates:
            return candidates[0]
        named = [c for c in raw.columns if _DATE_NAMES.search(c) and c in readings and readings[c].problem]
        if named:
            raise CsvImportError(f"Column {named[0]!r} in {name} {readings[named[0]].problem}.")
        raise CsvImportError(
            f"No column in {name} holds dates (columns: {columns_found}): add a "
            "date column such as 2024-01-31 and upload again."
        )
    if date_column not in raw.columns:
        raise CsvImportError(f"{name} has no column {date_column!r}; columns: {columns_found}.")
    problem = readings[date_column].problem
    if date_column not in candidates:
        raise CsvImportError(
            f"Column {date_column!r} in {name} does not hold readable dates: "
            f"choose one of {', '.join(candidates) or 'none found'}"
            + (f" (it {problem})." if problem else ".")
        )
    return date_column


def _choose_values(
    raw: pd.DataFrame, name: str, value_columns: list[str] | tuple[str, ...] | None, candidates: list[str]
) -> list[str]:
    empty = _empty_columns(raw)
    if value_columns is None:
        value_columns = candidates
    else:
        if blank := [c for c in value_columns if c in empty]:
            raise CsvImportError(
                f"Column(s) {', '.join(map(repr, blank))} in {name} are empty (present, but with no value "
                "in any row): choose columns that hold numbers."
            )
        bad = [c for c in value_columns if c not in candidates]
        if bad:
            missing = [c for c in bad if c not in raw.columns]
            what = "are not in the file" if len(missing) == len(bad) else "are not numeric"
            raise CsvImportError(
                f"Column(s) {', '.join(map(repr, bad))} in {name} {what}: "
                f"choose from {', '.join(candidates) or 'none found'}."
            )
    if not value_columns:
        blank = f"; empty: {', '.join(empty)}" if empty else ""
        raise CsvImportError(
            f"No numeric column in {name} besides the dates (columns: {', '.join(raw.columns)}{blank}): "
            "a price CSV needs at least one column of numbers, such as Close."
        )
    return list(value_columns)


def _check_magnitudes(frame: pd.DataFrame, name: str) -> None:
    """Refuse infinities and values too large to train on (they would overflow float32)."""
    values = frame.to_numpy(dtype="float64")
    bad = ~np.isnan(values) & ~(np.abs(values) <= MAX_ABS_VALUE)
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        raise CsvImportError(
            f"{name} has {int(bad.sum())} value(s) beyond ±{MAX_ABS_VALUE:g} (first: {values[row, col]:g} in "
            f"column {frame.columns[col]!r}, line {row + 2}): such values are no prices and would overflow "
            "training; fix or remove them."
        )


def _clean(frame: pd.DataFrame, report: list[str], *, min_rows: int, name: str) -> pd.DataFrame:
    """Apply ``CLEANING_RULE`` to ``frame``, appending one sentence per change to ``report``."""
    bad_dates = int(frame.index.isna().sum())
    if bad_dates:
        frame = frame[frame.index.notna()]
        report.append(f"Dropped {bad_dates} row(s) whose date could not be read.")
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index(kind="stable")
        report.append("Rows were not in date order: sorted by date.")
    duplicated = frame.index.duplicated(keep="last")
    if duplicated.any():
        frame = frame[~duplicated]
        report.append(f"{int(duplicated.sum())} repeated date(s): kept the last row for each.")
    complete = frame.notna().all(axis=1).to_numpy()
    first = int(complete.argmax()) if complete.any() else len(frame)
    if first:
        frame = frame.iloc[first:]
        report.append(f"Dropped {first} leading row(s) before the first row with every value present.")
    missing = int(frame.isna().sum().sum())
    if missing:
        frame = frame.ffill()
        report.append(f"Filled {missing} missing value(s) with the previous row's value.")
    if len(frame) < min_rows:
        raise CsvImportError(
            f"{name} has {len(frame)} usable row(s) after cleaning; at least {min_rows} "
            "are needed: upload a longer series."
        )
    gaps = frame.index.to_series().diff() > pd.Timedelta(days=GAP_DAYS)
    if gaps.any():
        where = frame.index[gaps.to_numpy()]
        report.append(
            f"{int(gaps.sum())} gap(s) longer than {GAP_DAYS} days (first ends {where[0]:%Y-%m-%d}); "
            "not filled."
        )
    return frame.astype("float64")
