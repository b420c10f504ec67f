"""Small shared helpers for OHLCV tables: periods, intervals, cache folder."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

OHLCV: tuple[str, ...] = ("Open", "High", "Low", "Close", "Volume")
PERIODS: tuple[str, ...] = ("1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max")
INTERVALS: tuple[str, ...] = ("1d", "1wk", "1mo")
INTERVAL_NAMES: dict[str, str] = {"1d": "daily", "1wk": "weekly", "1mo": "monthly"}
_PERIOD_OFFSETS: dict[str, pd.DateOffset] = {
    "1mo": pd.DateOffset(months=1),
    "3mo": pd.DateOffset(months=3),
    "6mo": pd.DateOffset(months=6),
    "1y": pd.DateOffset(years=1),
    "2y": pd.DateOffset(years=2),
    "5y": pd.DateOffset(years=5),
    "10y": pd.DateOffset(years=10),
}
CACHE_ENV = "LSTM_STUDIO_CACHE"


def default_cache_dir() -> Path:
    """The on-disk cache folder: ``$LSTM_STUDIO_CACHE`` if set, else ``~/.cache/lstm_studio``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "lstm_studio"


def check_period_interval(period: str, interval: str) -> None:
    """Raise ``ValueError`` naming the valid choices when ``period`` or ``interval`` is unknown."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}; got {period!r}")
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}; got {interval!r}")


def apply_period(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Keep the last ``period`` of ``frame``, counted back from its own last date (not from today)."""
    if period == "max" or frame.empty:
        return frame
    last = frame.index[-1]
    start = (
        pd.Timestamp(year=last.year, month=1, day=1) if period == "ytd" else last - _PERIOD_OFFSETS[period]
    )
    return frame.loc[frame.index > start] if period != "ytd" else frame.loc[frame.index >= start]


def resample_ohlcv(frame: pd.DataFrame, interval: str) -> pd.DataFrame:
    """Aggregate daily OHLCV bars to ``interval`` bars labelled as yfinance labels them.

    Weekly bars start on Monday and monthly bars on the 1st; empty bins are dropped.
    """
    if interval == "1d" or frame.empty:
        return frame
    rule = {"1wk": "W-MON", "1mo": "MS"}[interval]
    agg = {"Open": "first", "High": "max", "Low": "min", "Close": "last", "Volume": "sum"}
    agg = {col: how for col, how in agg.items() if col in frame.columns}
    kwargs = {"label": "left", "closed": "left"} if interval == "1wk" else {}
    out = frame.resample(rule, **kwargs).agg(agg).dropna(subset=["Close"])
    out.index.name = frame.index.name
    return out
