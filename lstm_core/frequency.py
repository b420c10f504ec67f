"""How often a series is sampled, and what that means for forecasts.

``detect_frequency(index)`` reads a DatetimeIndex and names its calendar::

    hourly | daily | business-daily | weekly | monthly | quarterly | yearly | regular | irregular

With the name come the seasonal period in steps (24 for hourly data: the same hour yesterday),
the words for the naive forecast ("next hour = this hour", "tomorrow = today"), horizon labels,
the calendar features the timestamps allow (hour of day, day of week, month) and the dates of
a forecast beyond the data. Gaps are counted, never silently filled: a daily series with a few
missing days is still daily (the gaps are reported); one whose steps vary widely is irregular.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

FrequencyKind = Literal[
    "hourly", "daily", "business-daily", "weekly", "monthly", "quarterly", "yearly", "regular", "irregular"
]
REGULAR_SHARE = 0.8  # below this share of steps at the usual spacing, a series is called irregular

# kind: (unit, seasonal period, pandas offset, naive wording, seasonal-naive wording)
_KINDS: dict[str, tuple[str, int | None, str | None, str, str | None]] = {
    "hourly": ("hour", 24, "h", "next hour = this hour", "same hour yesterday"),
    "daily": ("day", 7, "D", "tomorrow = today", "same weekday last week"),
    "business-daily": ("business day", 5, "B", "tomorrow = today", "same weekday last week"),
    "weekly": ("week", 52, None, "next week = this week", "same week last year"),
    "monthly": ("month", 12, None, "next month = this month", "same month last year"),
    "quarterly": ("quarter", 4, None, "next quarter = this quarter", "same quarter last year"),
    "yearly": ("year", None, None, "next year = this year", None),
    "regular": ("step", None, None, "next value = last value", None),
    "irregular": ("step", None, None, "next value = last value", None),
}
_HOUR, _DAY = pd.Timedelta(hours=1), pd.Timedelta(days=1)


@dataclass(frozen=True)
class Frequency:
    """A series' sampling calendar and the forecast vocabulary that follows from it."""

    kind: FrequencyKind
    step: pd.Timedelta  # the usual spacing between rows (median)
    regular_share: float  # share of steps at the usual spacing (business days: 1 day or a weekend)
    gaps: int  # steps longer than the usual spacing (missing rows, holidays)
    pandas_freq: str | None  # offset for pd.date_range ("h", "D", "B", "W-SUN", "MS", ...), None if irregular

    @property
    def unit(self) -> str:
        """One step in words: "hour", "day", "business day", "month", ... ("step" otherwise)."""
        return _KINDS[self.kind][0]

    @property
    def season(self) -> int | None:
        """Seasonal period in steps (24 hourly, 7 daily, 5 business-daily, 52 weekly, 12 monthly,
        4 quarterly), None when the calendar suggests none (yearly, irregular)."""
        season = _KINDS[self.kind][1]
        if self.kind == "regular" and self.step < _DAY and (_DAY % self.step) == pd.Timedelta(0):
            return int(_DAY / self.step)  # e.g. 48 half-hours: the same time yesterday
        return season

    @property
    def naive_wording(self) -> str:
        """The naive forecast in words: "next hour = this hour", "tomorrow = today", ..."""
        return _KINDS[self.kind][3]

    @property
    def seasonal_wording(self) -> str | None:
        """The seasonal naive forecast in words ("same hour yesterday"), None without a season."""
        if self.kind == "regular" and self.season:
            return "same time yesterday"
        return _KINDS[self.kind][4]

    @property
    def description(self) -> str:
        """One sentence for the page: the calendar, and the gaps or irregularity found."""
        text = f"{self.kind.capitalize()} data"
        if self.kind == "regular":
            text = f"Data every {_duration(self.step)}"
        if self.kind == "irregular":
            return (f"{text}: only {self.regular_share:.0%} of the steps are {_duration(self.step)} apart, "
                    "so steps ahead are rows ahead, not a fixed time, and no seasonal period is assumed.")
        if self.gaps:
            text += f" with {self.gaps:,} gap{'s' * (self.gaps != 1)} (missing rows, e.g. holidays)"
        return text + "."

    def future_dates(self, last: pd.Timestamp, steps: int) -> pd.DatetimeIndex:
        """The ``steps`` timestamps after ``last`` on this calendar (the usual step if irregular)."""
        if steps < 1:
            raise ValueError(f"steps must be >= 1; got {steps}")
        if self.pandas_freq is not None:
            return pd.date_range(last, periods=steps + 1, freq=self.pandas_freq)[1:]
        return pd.DatetimeIndex([last + self.step * (k + 1) for k in range(steps)])

    def calendar_names(self) -> tuple[str, ...]:
        """Which calendar cycles vary within this calendar: some of "hour", "weekday", "month"."""
        if self.kind == "hourly" or (self.kind == "regular" and self.step < _DAY):
            return ("hour", "weekday")
        if self.kind in ("daily", "business-daily"):
            return ("weekday", "month")
        if self.kind in ("weekly", "monthly", "quarterly"):
            return ("month",)
        return ()


def _duration(step: pd.Timedelta) -> str:
    for unit, size in (("day", _DAY), ("hour", _HOUR), ("minute", pd.Timedelta(minutes=1))):
        if step >= size:
            n = step / size
            text = f"{n:g}" if abs(n - round(n)) < 1e-9 else f"{n:.1f}"
            return f"{text} {unit}{'s' * (text != '1')}"
    return f"{step.total_seconds():g} seconds"


def _calendar_kind(
    step: pd.Timedelta, deltas: pd.TimedeltaIndex, index: pd.DatetimeIndex
) -> tuple[str, float]:
    """The named calendar whose usual step matches ``step``, and the share of steps that fit it."""
    days = deltas / _DAY
    if step == _HOUR:
        return "hourly", float(np.mean(deltas == _HOUR))
    if step == _DAY:
        weekdays_only = index.day_of_week.max() < 5
        if weekdays_only:  # a weekend between Friday and Monday is a regular business-day step
            fits = (days == 1) | ((days == 3) & (index[1:].day_of_week == 0))
            return "business-daily", float(np.mean(fits))
        return "daily", float(np.mean(days == 1))
    if step == 7 * _DAY:
        return "weekly", float(np.mean(days == 7))
    for kind, low, high in (("monthly", 28, 31), ("quarterly", 89, 92), ("yearly", 365, 366)):
        if low <= step / _DAY <= high:
            return kind, float(np.mean((days >= low) & (days <= high)))
    return "regular", float(np.mean(deltas == step))


def _pandas_freq(kind: str, index: pd.DatetimeIndex, step: pd.Timedelta) -> str | None:
    if kind in ("hourly", "daily", "business-daily"):
        return _KINDS[kind][2]
    if kind == "weekly":
        return "W-" + index[-1].day_name()[:3].upper()
    if kind in ("monthly", "quarterly", "yearly"):
        letter = {"monthly": "M", "quarterly": "Q", "yearly": "Y"}[kind]
        starts = bool(np.all(index.day == 1))
        ends = bool(np.all(index.is_month_end))
        if starts:
            return letter + "S" + ("-" + index[-1].month_name()[:3].upper() if letter != "M" else "")
        if ends:
            return letter + "E" + ("-" + index[-1].month_name()[:3].upper() if letter != "M" else "")
        return None  # mid-month stamps: step by the median spacing instead
    if kind == "regular":
        return pd.tseries.frequencies.to_offset(step).freqstr
    return None


def detect_frequency(index: pd.Index) -> Frequency:
    """Name the sampling calendar of ``index``.

    Args:
        index: timestamps of the rows, sorted ascending, at least 3 of them.

    Returns:
        The ``Frequency``: kind, usual step, share of regular steps, gaps and a pandas offset.

    Raises:
        ValueError: for a non-datetime index, fewer than 3 rows, or timestamps not strictly increasing.
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError("the rows need dates (a DatetimeIndex) to tell the frequency; "
                         f"got {type(index).__name__}")
    if len(index) < 3:
        raise ValueError(f"at least 3 dated rows are needed to tell the frequency; got {len(index)}")
    deltas = index[1:] - index[:-1]
    if (deltas <= pd.Timedelta(0)).any():
        raise ValueError("the dates must be strictly increasing (sorted, no duplicates)")
    step = pd.Timedelta(deltas.median())
    kind, share = _calendar_kind(step, deltas, index)
    if share < REGULAR_SHARE:
        return Frequency("irregular", step, share, 0, None)
    longer = deltas > step * 1.5
    if kind == "business-daily":  # a weekend is not a gap
        longer &= ~((deltas == 3 * _DAY) & (index[1:].day_of_week == 0))
    return Frequency(kind, step, share, int(np.sum(longer)), _pandas_freq(kind, index, step))


def calendar_features(index: pd.DatetimeIndex, freq: Frequency) -> np.ndarray:
    """Sine and cosine of each calendar cycle the frequency allows, for each timestamp.

    Returns:
        (len(index), 2 * len(freq.calendar_names())) float32 values in [-1, 1]: for "hour" the
        hour of day / 24, for "weekday" the day of week / 7, for "month" the month / 12 as angles.
    """
    index = pd.DatetimeIndex(index)
    columns = []
    for name in freq.calendar_names():
        if name == "hour":
            phase = (index.hour + index.minute / 60) / 24
        elif name == "weekday":
            phase = index.day_of_week / 7
        else:
            phase = (index.month - 1) / 12
        angle = 2 * np.pi * np.asarray(phase, dtype=np.float64)
        columns += [np.sin(angle), np.cos(angle)]
    if not columns:
        return np.zeros((len(index), 0), dtype=np.float32)
    return np.stack(columns, axis=1).astype(np.float32)
