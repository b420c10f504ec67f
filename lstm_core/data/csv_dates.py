"""Read a column of dates exactly, or say why not: never a silent guess.

A column is read with ONE format for every row. When two formats read every cell but give
different dates (03/04/2024: 4 March or 3 April?), the column is ambiguous and the caller must
choose (``date_format`` or ``dayfirst``). When rows need different formats, the column is
mixed and the first such rows are quoted. Columns of plain numbers are read as YYYYMMDD, Unix
seconds or milliseconds, or Excel serial days when their range says so, and otherwise called
what they are.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

# Every format a cell may be read with; a column is read with the one that reads most cells.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d", "%Y%m%d",
    "%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
    "%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d-%m-%Y", "%m-%d-%Y", "%d %b %Y", "%b %d, %Y", "%d-%b-%Y",
    "%m/%d/%y", "%d/%m/%y", "ISO8601",
)  # fmt: skip
# Plain numbers that are dates: (what they look like, lowest, highest, to_datetime keywords).
NUMERIC_DATES: tuple[tuple[str, float, float, dict], ...] = (
    ("Unix seconds", 1e8, 4.2e9, {"unit": "s"}),
    ("Unix milliseconds", 1e11, 4.2e12, {"unit": "ms"}),
    ("Excel serial days", 1e4, 8e4, {"unit": "D", "origin": "1899-12-30"}),
)
QUOTED_ROWS = 3
FIRST_LINE = 2  # file line of the first data row (line 1 is the header)


@dataclass(frozen=True)
class DateReading:
    """How a column reads as dates."""

    values: pd.Series  # datetime64; NaT where a cell is empty or unreadable
    how: str  # e.g. "format %Y-%m-%d", "Unix seconds"
    share: float  # of the non-empty cells, the share some single reading accepts
    problem: str | None = None  # why the column cannot be used as it stands (ends without a period)


def _dayfirst(fmt: str) -> bool:
    return 0 <= fmt.find("%d") < fmt.find("%m")


def _quote(text: pd.Series, rows: pd.Index) -> str:
    positions = [text.index.get_loc(r) for r in rows[:QUOTED_ROWS]]
    return ", ".join(f"line {p + FIRST_LINE} ({text.iloc[p]!r})" for p in positions)


def _numeric(text: pd.Series, filled: pd.Series, numbers: pd.Series) -> DateReading:
    empty = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    as_ymd = _parse(text, "%Y%m%d")
    if as_ymd[filled].notna().all():
        return DateReading(as_ymd, "format %Y%m%d", 1.0)
    low, high = float(numbers[filled].min()), float(numbers[filled].max())
    for what, lo, hi, kwargs in NUMERIC_DATES:
        if lo <= low and high <= hi:
            values = pd.to_datetime(numbers.where(filled), errors="coerce", **kwargs)
            return DateReading(_in_range(values), what, 1.0)
    return DateReading(
        empty, "numbers", 0.0,
        f"holds plain numbers ({low:,.10g} to {high:,.10g}), not dates: they look like neither YYYYMMDD, "
        "Unix seconds (about 1.7e9), Unix milliseconds (about 1.7e12) nor Excel serial days "
        "(about 45,000); convert the column to dates such as 2024-01-31",
    )


def read_dates(
    column: pd.Series, date_format: str | None = None, dayfirst: bool | None = None
) -> DateReading:
    """Read ``column`` as dates with one format for every row.

    Args:
        column: the raw cells (strings or NaN).
        date_format: a strptime format (e.g. "%d/%m/%Y") to use instead of detecting one.
        dayfirst: resolves day/month ambiguity when ``date_format`` is None.

    Returns:
        DateReading; its ``problem`` is set when the column is empty, ambiguous, mixes formats,
        does not match ``date_format``, or holds numbers that are not dates.
    """
    text = column.astype("string").str.strip()
    filled = (text.notna() & (text != "")).fillna(False).astype(bool)
    empty = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if not filled.any():
        return DateReading(empty, "empty", 0.0, "is empty (present, but no value in any row): fill it "
                           "with dates such as 2024-01-31")
    numbers = pd.to_numeric(text.where(filled), errors="coerce")
    if numbers[filled].notna().all() and date_format is None:
        return _numeric(text, filled, numbers)
    readings = _readings(text, str(text[filled].iloc[0]), date_format, dayfirst)
    counts = {fmt: int(v.notna().sum()) for fmt, v in readings.items()}
    best = max(counts, key=counts.__getitem__)  # the first of the formats reading most cells
    tied = [f for f in readings if counts[f] == counts[best] and not readings[f].equals(readings[best])]
    if tied and dayfirst is not None:
        best = next((f for f in [best, *tied] if _dayfirst(f) == dayfirst), best)
    elif tied:
        sample = text[filled & readings[best].ne(readings[tied[0]]).fillna(False)].iloc[0]
        return DateReading(
            readings[best], f"format {best}", 1.0,
            f"is ambiguous: every date reads both as {best} and as {tied[0]} (e.g. {sample!r}), so day "
            f"and month cannot be told apart; say which the file uses (date format {best} or {tied[0]}: "
            "--date-format or --dayfirst on the command line)",
        )
    values = readings[best]
    union = pd.concat([v.notna() for v in readings.values()], axis=1).any(axis=1)
    share = float(union[filled].mean())
    if date_format:
        unread = filled & values.isna()
        if unread.any():
            where = _quote(text, text.index[unread])
            return DateReading(values, f"format {best}", share, (
                f"does not match the date format {best} on {int(unread.sum())} row(s): {where}"
            ))
        return DateReading(values, f"format {best} (as given)", share)
    others = union & values.isna()
    if others.any() and counts[best]:
        return DateReading(values, f"format {best}", share, (
            f"mixes date formats: most rows read as {best}, but {int(others.sum())} do not, first "
            f"{_quote(text, text.index[others])}; write every date the same way"
        ))
    return DateReading(values, f"format {best}", share)


def _readings(
    text: pd.Series, first: str, date_format: str | None, dayfirst: bool | None
) -> dict[str, pd.Series]:
    """The column read with ``date_format``, else with every known format and the one pandas
    guesses from the ``first`` filled cell."""
    readings = {fmt: _parse(text, fmt) for fmt in ((date_format,) if date_format else DATE_FORMATS)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        guessed = guess_datetime_format(first, dayfirst=bool(dayfirst))
    if date_format is None and guessed and guessed not in readings:
        readings[guessed] = _parse(text, guessed)
    return readings


def _parse(text: pd.Series, fmt: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=fmt == "ISO8601")
        except (ValueError, TypeError, OverflowError):
            return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return _in_range(parsed)


def _in_range(parsed: pd.Series) -> pd.Series:
    """As datetime64[ns]; dates nanoseconds cannot hold (before 1678, after 2261) become NaT."""
    if not np.issubdtype(parsed.dtype, np.datetime64):
        return pd.Series(pd.NaT, index=parsed.index, dtype="datetime64[ns]")
    inside = (parsed >= pd.Timestamp("1678-01-01")) & (parsed <= pd.Timestamp("2261-12-31"))
    return parsed.where(inside).astype("datetime64[ns]")
