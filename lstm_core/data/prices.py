"""The price fallback chain: live Yahoo Finance -> on-disk cache -> bundled sample.

Every step says what it did in ``PriceLoad.messages`` as ``(level, text)`` pairs, level being
"info", "warning" or "error" (the pages map them to st.info / st.warning / st.error).
An unknown ticker is never replaced by another series: it raises UnknownTickerError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal

import pandas as pd

from . import yahoo
from ._frames import INTERVAL_NAMES, check_period_interval, default_cache_dir
from .bundled_prices import BUNDLED_SERIES, bundled_tickers, is_bundled, load_bundled
from .errors import NetworkError, SeriesUnavailableError
from .provenance import Provenance, attach_provenance, provenance_of
from .yahoo import CachedPrices, format_age, normalize_ticker, read_cache, write_cache

Level = Literal["info", "warning", "error"]
DEFAULT_MAX_AGE = timedelta(hours=12)


@dataclass(frozen=True)
class PriceLoad:
    """The outcome of ``load_prices``: the table plus what happened on the way."""

    frame: pd.DataFrame  # tidy OHLCV, DatetimeIndex, provenance in attrs
    messages: list[tuple[Level, str]] = field(default_factory=list)
    cache_age: timedelta | None = None  # age of the cached download used, if any

    @property
    def source(self) -> str:
        """ "yahoo", "yahoo-cache" or "bundled"."""
        return self.frame.attrs["provenance"]["source"]


def load_prices(
    ticker: str,
    period: str = "1y",
    interval: str = "1d",
    cache_dir: str | Path | None = None,
    refresh: bool = False,
    max_age: timedelta = DEFAULT_MAX_AGE,
    timeout: float = 10.0,
) -> PriceLoad:
    """Load prices for ``ticker``: fresh cache, else live Yahoo, else any cache, else its bundled copy.

    Args:
        ticker: a Yahoo symbol (AAPL, ^GSPC, BTC-USD).
        period: one of PERIODS; interval: "1d", "1wk" or "1mo".
        cache_dir: cache folder; ``default_cache_dir()`` when None.
        refresh: download again even if the cache is younger than ``max_age``.
        max_age: a cached download younger than this is reused without touching the network.
        timeout: seconds per HTTP request.

    Returns:
        PriceLoad with the frame and one message per step taken.

    Raises:
        UnknownTickerError: the symbol is malformed or Yahoo has no prices for it.
        SeriesUnavailableError: offline, with nothing cached, for a ticker that is not bundled
            (the message lists the bundled ones); no other series is ever substituted.
        ValueError: unknown period or interval.
    """
    check_period_interval(period, interval)
    symbol = normalize_ticker(ticker)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    what = f"{symbol} ({period}, {INTERVAL_NAMES[interval]})"
    cached = read_cache(cache_dir, symbol, period, interval)
    if cached is not None and not refresh and cached.age <= max_age:
        frame = _from_cache(
            cached.frame,
            f"Cached Yahoo Finance download of {what}, fetched "
            f"{format_age(cached.age)} ago; refresh to download it again.",
        )
        return PriceLoad(frame, [("info", frame.attrs["provenance"]["note"])], cached.age)

    messages: list[tuple[Level, str]] = []
    try:
        frame = yahoo.fetch_yahoo(symbol, period, interval, timeout=timeout)
    except NetworkError as exc:  # UnknownTickerError propagates: never substitute another series
        messages.append(("warning", f"Live download failed. {exc}"))
        return _offline(symbol, period, interval, what, cached, messages, str(exc).rstrip("."))
    messages.append(("info", f"Downloaded {what} from Yahoo Finance: {len(frame):,} rows, "
                             f"{frame.index[0]:%Y-%m-%d} to {frame.index[-1]:%Y-%m-%d}."))
    try:
        write_cache(frame, cache_dir, symbol, period, interval)
    except OSError as exc:
        messages.append(("warning", f"Could not save {symbol} to the cache at {cache_dir} ({exc}); "
                                    "it will be downloaded again next time."))
    return PriceLoad(frame, messages)


def _offline(
    symbol: str, period: str, interval: str, what: str, cached: CachedPrices | None,
    messages: list[tuple[Level, str]], failure: str,
) -> PriceLoad:
    """After a failed download: any cached copy, else the bundled history, else a clear error."""
    if cached is not None:
        note = (
            f"Yahoo Finance unreachable: using cached {what} data from {format_age(cached.age)} ago "
            f"(last row {cached.frame.index[-1]:%Y-%m-%d})."
        )
        messages.append(("warning", note))
        return PriceLoad(_from_cache(cached.frame, note), messages, cached.age)
    if not is_bundled(symbol):  # never another series in its place: the user asked for this one
        raise SeriesUnavailableError(
            f"{symbol} is unavailable: the live download failed and {what} is neither cached on this "
            f"computer nor bundled, so there is nothing to train on (no other series is used in its "
            f"place). Choose a bundled series, which works offline ({', '.join(bundled_tickers())}), "
            f"or try again when online. Details: {failure}."
        )
    messages.append(("warning", f"No cached {what} data on this computer."))
    series = BUNDLED_SERIES[symbol]
    frame = load_bundled(symbol, period, interval)
    note = (
        f"Yahoo Finance unreachable: using the bundled {series.name} ({symbol}) history, "
        f"which ends {frame.index[-1]:%Y-%m-%d}."
    )
    messages.append(("warning", note))
    return PriceLoad(attach_provenance(frame, provenance_of(frame), note=note), messages)


def _from_cache(frame: pd.DataFrame, note: str) -> pd.DataFrame:
    record = Provenance.from_dict(frame.attrs.get("provenance", {}) | {"source": "yahoo-cache"})
    return attach_provenance(frame, record, note=note)
