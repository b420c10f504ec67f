"""Yahoo Finance prices through yfinance, and their on-disk cache.

yfinance 1.x rarely raises: for an unknown symbol *and* for a dead network it logs an error on
the "yfinance" logger and returns an empty frame with (Price, Ticker) MultiIndex columns. So
``fetch_yahoo`` listens to that logger during the call and classifies what it hears.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import yfinance as yf

from lstm_core.safe_io import atomic_write_text

from ._frames import INTERVAL_NAMES, OHLCV, check_period_interval
from .errors import NetworkError, RateLimitError, UnknownTickerError
from .provenance import Provenance, attach_provenance

# yfinance trips pandas deprecation warnings, also from a download thread abandoned at its deadline
# (warnings.catch_warnings is process-wide and not thread-safe, so a narrow filter is set once).
warnings.filterwarnings("ignore", module=r"yfinance(\.|$)")
_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,19}$")
_RATE_LIMIT = re.compile(r"too many requests|rate.?limit|YFRateLimitError|\b429\b", re.I)
_NETWORK = re.compile(
    r"failed to perform|could not resolve|DNSError|connect|timed? ?out|curl|SSL|network|unreachable|"
    r"currently down|max retries|HTTPError|\b50[234]\b",
    re.I,
)
_NO_SUCH_TICKER = re.compile(
    r"delisted|no timezone found|no price data found|quote not found|not found", re.I
)


def normalize_ticker(ticker: str) -> str:
    """Upper-case, stripped Yahoo symbol; raises UnknownTickerError when it cannot be one."""
    symbol = str(ticker).strip().upper()
    if not _SYMBOL.match(symbol):
        raise UnknownTickerError(
            f"{ticker!r} is not a valid Yahoo Finance symbol: use letters, digits and . - = ^ "
            "only (e.g. AAPL, BRK-B, ^GSPC, BTC-USD, EURUSD=X)."
        )
    return symbol


@contextmanager
def _yfinance_log() -> Iterator[list[str]]:
    """Collect what yfinance logs at WARNING and above while the block runs."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = _Collect(level=logging.WARNING)
    logger = logging.getLogger("yfinance")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def _short(text: str) -> str:
    text = " ".join(text.split())
    match = re.search(r"Could not resolve host: \S+|Too Many Requests|timed? ?out[^.;]*", text, re.I)
    return (match.group(0) if match else text[:160]).rstrip(".")


def _network_error(detail: str) -> NetworkError:
    if _RATE_LIMIT.search(detail):
        return RateLimitError(
            "Yahoo Finance is rate-limiting requests (Too Many Requests): wait a few minutes, then refresh."
        )
    return NetworkError(
        f"Yahoo Finance could not be reached ({_short(detail)}): check the internet connection "
        "or try again later."
    )


def tidy_yahoo_frame(raw: pd.DataFrame | None, symbol: str) -> pd.DataFrame:
    """Turn what ``yf.download`` returns into a tidy float OHLCV frame (possibly empty).

    Handles (Price, Ticker) and (Ticker, Price) MultiIndex columns and flat ones, tz-aware
    indexes, duplicate and unsorted dates, and missing days (all-NaN rows are dropped; a row
    without a Close is dropped; a missing Open/High/Low takes the Close; a missing Volume is 0).
    """
    if raw is None or raw.empty:
        return pd.DataFrame(columns=list(OHLCV), index=pd.DatetimeIndex([], name="Date"), dtype="float64")
    frame = raw
    if isinstance(frame.columns, pd.MultiIndex):
        price_level = next(
            (
                lvl
                for lvl in range(frame.columns.nlevels)
                if "Close" in set(frame.columns.get_level_values(lvl))
            ),
            0,
        )
        for lvl in reversed([lvl for lvl in range(frame.columns.nlevels) if lvl != price_level]):
            keys = list(dict.fromkeys(frame.columns.get_level_values(lvl)))
            key = next((k for k in keys if str(k).upper() == symbol), keys[0])
            frame = frame.xs(key, axis=1, level=lvl)
    if "Close" not in frame.columns:
        raise NetworkError(
            f"Yahoo Finance returned {symbol} without a Close column ({list(frame.columns)}): "
            "try again later."
        )
    frame = frame.reindex(columns=list(OHLCV)).apply(pd.to_numeric, errors="coerce").astype("float64")
    index = pd.DatetimeIndex(frame.index)
    frame.index = (index.tz_localize(None) if index.tz is not None else index).rename("Date")
    frame = frame.sort_index()
    frame = frame[~frame.index.duplicated(keep="last")].dropna(subset=["Close"])
    for col in ("Open", "High", "Low"):
        frame[col] = frame[col].fillna(frame["Close"])
    frame["Volume"] = frame["Volume"].fillna(0.0)
    frame.columns.name = None
    return frame


class _Deadline(Exception):
    pass


def _download_within(deadline_s: float, symbol: str, **kwargs: object) -> pd.DataFrame | None:
    """``yf.download`` in a daemon thread, abandoned when it has not returned after ``deadline_s``.

    yfinance retries on its own, so a silent network turns a 10 s request timeout into minutes;
    an abandoned thread ends by itself when its requests time out.
    """
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["raw"] = yf.download(symbol, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"yahoo-{symbol}", daemon=True)
    worker.start()
    worker.join(deadline_s)
    if worker.is_alive():
        raise _Deadline(symbol)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("raw")  # type: ignore[return-value]


def fetch_yahoo(
    ticker: str, period: str = "1y", interval: str = "1d", *, timeout: float = 10.0,
    deadline_s: float | None = None,
) -> pd.DataFrame:
    """Download prices from Yahoo Finance (no cache).

    Args:
        ticker: any Yahoo symbol (AAPL, ^GSPC, BTC-USD, EURUSD=X).
        period: one of PERIODS ("1y", "5y", "max", ...).
        interval: "1d", "1wk" or "1mo".
        timeout: seconds per HTTP request.
        deadline_s: seconds the whole download may take, yfinance's retries included
            (``2 * timeout`` when None).

    Returns:
        Tidy OHLCV frame (prices split- and dividend-adjusted, in the quote currency) with provenance.

    Raises:
        UnknownTickerError: Yahoo has no prices for the symbol.
        RateLimitError: Yahoo answered Too Many Requests.
        NetworkError: Yahoo could not be reached, or did not answer within ``deadline_s``.
    """
    check_period_interval(period, interval)
    symbol = normalize_ticker(ticker)
    deadline_s = 2 * timeout if deadline_s is None else deadline_s
    with _yfinance_log() as logged:
        try:
            raw = _download_within(deadline_s, symbol, period=period, interval=interval, auto_adjust=True,
                                   progress=False, threads=False, timeout=timeout)
        except _Deadline as exc:
            raise NetworkError(
                f"Yahoo Finance did not answer within {deadline_s:g} s (the network is silent or very "
                "slow): check the internet connection or try again later."
            ) from exc
        except Exception as exc:  # noqa: BLE001 - yfinance raises many unrelated types
            detail = f"{type(exc).__name__}: {exc}"
            if _NO_SUCH_TICKER.search(detail) and not _NETWORK.search(detail):
                raise UnknownTickerError(_unknown_message(symbol, period, interval)) from exc
            raise _network_error(detail) from exc
    frame = tidy_yahoo_frame(raw, symbol)
    if frame.empty:
        detail = " | ".join(logged)
        if _RATE_LIMIT.search(detail) or _NETWORK.search(detail):
            raise _network_error(detail)
        raise UnknownTickerError(_unknown_message(symbol, period, interval))
    provenance = Provenance(
        source="yahoo",
        name=symbol,
        ticker=symbol,
        fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        note=f"Live {symbol} prices from Yahoo Finance ({period}, {INTERVAL_NAMES[interval]}).",
        period=period,
        interval=interval,
        url=f"https://finance.yahoo.com/quote/{quote(symbol)}",
    )
    return attach_provenance(frame, provenance)


def _unknown_message(symbol: str, period: str, interval: str) -> str:
    return (
        f"Yahoo Finance has no {INTERVAL_NAMES[interval]} prices for {symbol!r} over {period}: "
        "check the symbol on finance.yahoo.com (e.g. AAPL, ^GSPC, BTC-USD, EURUSD=X)."
    )


# ---------------------------------------------------------------- cache (CSV + JSON sidecar, no pickle)
@dataclass(frozen=True)
class CachedPrices:
    """A cached download: the frame, when it was fetched and how old it is."""

    frame: pd.DataFrame
    fetched_at: datetime
    age: timedelta


def cache_path(cache_dir: str | Path, ticker: str, period: str, interval: str) -> Path:
    """The CSV file that caches one (ticker, period, interval) download."""
    return Path(cache_dir) / "prices" / f"{quote(normalize_ticker(ticker), safe='')}_{period}_{interval}.csv"


def write_cache(frame: pd.DataFrame, cache_dir: str | Path, ticker: str, period: str, interval: str) -> Path:
    """Write ``frame`` and its provenance, each atomically (``safe_io``); returns the CSV path."""
    path = cache_path(cache_dir, ticker, period, interval)
    atomic_write_text(path.with_suffix(".json"), json.dumps(frame.attrs.get("provenance", {}), indent=1))
    atomic_write_text(path, frame.to_csv(index_label="Date", float_format="%.10g"))
    return path


def read_cache(
    cache_dir: str | Path, ticker: str, period: str, interval: str, now: datetime | None = None
) -> CachedPrices | None:
    """The cached download, or None if there is none or it cannot be read (a broken cache is a miss)."""
    path = cache_path(cache_dir, ticker, period, interval)
    try:
        record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        frame = pd.read_csv(path, parse_dates=["Date"], index_col="Date")
        frame = frame.reindex(columns=list(OHLCV)).astype("float64").dropna(subset=["Close"])
        fetched_at = datetime.fromisoformat(record["fetched_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if frame.empty or not isinstance(frame.index, pd.DatetimeIndex):
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    age = max((now or datetime.now(UTC)) - fetched_at, timedelta(0))
    frame.attrs["provenance"] = record
    return CachedPrices(frame=frame, fetched_at=fetched_at, age=age)


def format_age(age: timedelta) -> str:
    """A short human age: "40 s", "12 min", "3 h", "5 days"."""
    seconds = int(age.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
