"""Prices: bundled series, Yahoo Finance through a patched yf.download, the cache and the fallback chain."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import yfinance as yf
from yfinance.exceptions import YFRateLimitError, YFTzMissingError

from lstm_core.data import (
    BUNDLED_SERIES,
    NetworkError,
    RateLimitError,
    UnknownTickerError,
    bundled_tickers,
    default_cache_dir,
    fetch_yahoo,
    format_age,
    load_bundled,
    load_prices,
    read_cache,
    write_cache,
)
from lstm_core.data.errors import SeriesUnavailableError
from lstm_core.data.yahoo import cache_path, tidy_yahoo_frame

PROVENANCE_KEYS = {"source", "name", "ticker", "fetched_at", "rows", "start", "end", "note"}
DNS_ERROR = (
    "['{t}']: DNSError('Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com. "
    "See https://curl.se/libcurl/c/libcurl-errors.html first for more details.')"
)


# ------------------------------------------------------------------ fakes shaped like yfinance 1.x
def yf_frame(symbol: str, days: int = 60, start: str = "2024-01-01", tz: str | None = None) -> pd.DataFrame:
    """What yf.download(symbol, auto_adjust=True) returns: (Price, Ticker) columns, sorted by Price."""
    index = pd.bdate_range(start, periods=days, name="Date", tz=tz)
    close = 100 + np.cumsum(np.random.default_rng(0).normal(0, 1, days))
    data = {
        ("Close", symbol): close,
        ("High", symbol): close + 1,
        ("Low", symbol): close - 1,
        ("Open", symbol): close + 0.5,
        ("Volume", symbol): np.full(days, 1_000_000, dtype=np.int64),
    }
    frame = pd.DataFrame(data, index=index)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["Price", "Ticker"])
    return frame


def yf_empty(symbol: str) -> pd.DataFrame:
    """yfinance 1.7's empty answer (seen offline): six MultiIndex columns, no rows."""
    cols = pd.MultiIndex.from_tuples(
        [(p, symbol) for p in ("Adj Close", "Close", "High", "Low", "Open", "Volume")],
        names=["Price", "Ticker"],
    )
    return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], dtype="datetime64[s]"), dtype=float)


class FakeDownload:
    """Stands in for yf.download: returns or raises what it is told and logs like yfinance."""

    def __init__(self, result=None, raises: Exception | None = None, log: str | None = None):
        self.result, self.raises, self.log, self.calls = result, raises, log, []

    def __call__(self, tickers, **kwargs):
        self.calls.append((tickers, kwargs))
        if self.log:
            logging.getLogger("yfinance").error(self.log.format(t=tickers))
        if self.raises is not None:
            raise self.raises
        return self.result(tickers) if callable(self.result) else self.result


@pytest.fixture
def patch_download(monkeypatch):
    def install(**kwargs) -> FakeDownload:
        fake = FakeDownload(**kwargs)
        monkeypatch.setattr(yf, "download", fake)
        return fake

    return install


# ------------------------------------------------------------------ bundled
@pytest.mark.parametrize("ticker", list(BUNDLED_SERIES))
def test_every_bundled_series_is_tidy_real_data_with_provenance(ticker):
    frame = load_bundled(ticker)
    assert list(frame.columns) == ["Open", "High", "Low", "Close", "Volume"]
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "Date"
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert (frame.dtypes == "float64").all() and not frame.isna().any().any()
    assert len(frame) > 600 and (frame["Close"] > 0).all()
    assert (frame["High"] >= frame["Low"]).all()
    prov = frame.attrs["provenance"]
    assert PROVENANCE_KEYS <= prov.keys() and prov["source"] == "bundled" and prov["ticker"] == ticker
    assert "CC0" in prov["licence"] and "kaggle.com" in prov["url"] and "ATTRIBUTION" in prov["attribution"]
    assert prov["rows"] == len(frame) and prov["end"] == frame.index[-1].date().isoformat()
    json.dumps(prov)


def test_bundled_sp500_has_trading_days_only():
    frame = load_bundled("^GSPC")
    assert frame.index.day_of_week.max() <= 4 and not (frame.diff() == 0).all(axis=1).any()


def test_bundled_period_and_interval_follow_yfinance_conventions():
    daily = load_bundled("NVDA", "1y", "1d")
    assert daily.index[-1] == pd.Timestamp("2025-02-14") and daily.index[0] > pd.Timestamp("2024-02-14")
    weekly = load_bundled("nvda", "1y", "1wk")
    assert (weekly.index.day_of_week == 0).all()  # weekly bars are labelled by their Monday
    assert weekly["Volume"].iloc[-1] == daily.loc["2025-02-10":, "Volume"].sum()
    monthly = load_bundled("NVDA", "max", "1mo")
    assert (monthly.index.day == 1).all() and monthly.attrs["provenance"]["interval"] == "1mo"
    assert load_bundled("NVDA", "ytd").index[0] >= pd.Timestamp("2025-01-01")


def test_bundled_rejects_unknown_names():
    with pytest.raises(KeyError, match="bundled series: NVDA"):
        load_bundled("AAPL")
    with pytest.raises(ValueError, match="period must be one of"):
        load_bundled("NVDA", period="7y")
    assert bundled_tickers()[0] == "NVDA"


def test_bundled_hourly_seattle_temperature_is_a_strict_hourly_year_with_daily_season():
    from lstm_core.data.bundled_prices import STRUCTURED_SERIES, structured_names
    from lstm_core.frequency import detect_frequency

    assert "SEATTLE-TEMP" in structured_names()
    frame = load_bundled("seattle-temp")
    assert list(frame.columns) == ["Temperature"] and frame.index.name == "Date" and len(frame) == 8760
    assert (frame.index[0], frame.index[-1]) == (pd.Timestamp("2010-01-01"), pd.Timestamp("2010-12-31 23:00"))
    assert (frame.index[1:] - frame.index[:-1] == pd.Timedelta(hours=1)).all()  # strictly hourly, no gap
    temps = frame["Temperature"]
    assert not temps.isna().any() and 30 < temps.min() < 45 and 65 < temps.max() < 90  # deg F in Seattle
    assert temps["2010-07"].mean() > temps["2010-01"].mean() + 10  # summer is warmer
    hourly = temps.groupby(temps.index.hour).mean()
    assert hourly.idxmax() in range(12, 18) and hourly.idxmin() in range(3, 9)  # afternoon peak
    # the one hour missing upstream (clocks sprang forward) is the mean of its neighbours
    before, filled, after = temps["2010-03-14 02:00":"2010-03-14 04:00"]
    assert filled == pytest.approx((before + after) / 2)
    freq = detect_frequency(frame.index)
    assert freq.kind == "hourly" and freq.season == 24 and freq.gaps == 0
    assert freq.naive_wording == "next hour = this hour"
    prov = frame.attrs["provenance"]
    assert prov["ticker"] == "SEATTLE-TEMP" and prov["rows"] == 8760
    assert "vega_datasets" in prov["attribution"] and "NOAA" in prov["attribution"]
    assert "statsmodels" not in prov["attribution"] + prov["licence"]
    assert "public domain" in prov["licence"].lower() and "NOAA" in prov["licence"]
    assert STRUCTURED_SERIES["SEATTLE-TEMP"].unit == "deg F" and "deg F" in prov["note"]
    assert "statsmodels data set 'co2'" in load_bundled("CO2").attrs["provenance"]["attribution"]
    with pytest.raises(ValueError, match="its own frequency"):
        load_bundled("SEATTLE-TEMP", interval="1wk")
    assert len(load_bundled("SEATTLE-TEMP", period="1mo")) == 31 * 24  # December 2010


# ------------------------------------------------------------------ Yahoo
def test_fetch_yahoo_tidies_the_multiindex_frame(patch_download):
    fake = patch_download(result=lambda t: yf_frame(t, tz="America/New_York"))
    frame = fetch_yahoo("aapl", "5y", "1wk")
    assert fake.calls[0][0] == "AAPL"
    assert fake.calls[0][1] | {"period": "5y", "interval": "1wk", "progress": False} == fake.calls[0][1]
    assert list(frame.columns) == ["Open", "High", "Low", "Close", "Volume"] and frame.index.tz is None
    prov = frame.attrs["provenance"]
    assert prov["source"] == "yahoo" and prov["ticker"] == "AAPL" and prov["fetched_at"]


def test_tidy_handles_missing_days_duplicates_and_ticker_first_columns():
    raw = yf_frame("MSFT", days=10)
    raw.iloc[3] = np.nan  # a missing day: all NaN
    raw.iloc[5, raw.columns.get_loc(("Open", "MSFT"))] = np.nan  # a partial row
    raw = pd.concat([raw, raw.iloc[[-1]]]).iloc[::-1]  # duplicated last day, reversed order
    flipped = raw.swaplevel(0, 1, axis=1)  # group_by="ticker" layout
    for frame in (tidy_yahoo_frame(raw, "MSFT"), tidy_yahoo_frame(flipped, "MSFT")):
        assert len(frame) == 9 and frame.index.is_monotonic_increasing and frame.index.is_unique
        assert not frame.isna().any().any()
        assert frame["Open"].iloc[4] == frame["Close"].iloc[4]


def test_unknown_ticker_is_an_error_not_a_substitute(patch_download, tmp_path):
    patch_download(
        result=yf_empty, log="['{t}']: YFPricesMissingError('$ZZZZ: possibly delisted; no price data found')"
    )
    with pytest.raises(UnknownTickerError, match="Yahoo Finance has no daily prices for 'ZZZZ'"):
        load_prices("zzzz", cache_dir=tmp_path)
    patch_download(result=yf_empty)  # empty and silent: Yahoo answered, with nothing
    with pytest.raises(UnknownTickerError, match="check the symbol"):
        fetch_yahoo("QQQQQ")
    patch_download(raises=YFTzMissingError("ZZZZ"))
    with pytest.raises(UnknownTickerError):
        fetch_yahoo("ZZZZ")


@pytest.mark.parametrize("bad", ["", "AA PL", "a/b", "DROP;TABLE", "X" * 30])
def test_malformed_symbols_are_rejected_before_any_download(patch_download, bad):
    fake = patch_download(result=yf_frame)
    with pytest.raises(UnknownTickerError, match="not a valid Yahoo Finance symbol"):
        fetch_yahoo(bad)
    assert fake.calls == []


def test_network_and_rate_limit_errors_are_classified(patch_download):
    patch_download(result=yf_empty, log=DNS_ERROR)
    with pytest.raises(NetworkError, match=r"could not be reached \(Could not resolve host: query2"):
        fetch_yahoo("AAPL")
    patch_download(raises=ConnectionError("Connection refused"))
    with pytest.raises(NetworkError, match="check the internet connection"):
        fetch_yahoo("AAPL")
    patch_download(raises=YFRateLimitError())
    with pytest.raises(RateLimitError, match="wait a few minutes"):
        fetch_yahoo("AAPL")
    # yfinance's offline quirk: a timezone lookup failing over a dead network reads "delisted"
    patch_download(result=yf_empty, log=DNS_ERROR + " possibly delisted; no timezone found")
    with pytest.raises(NetworkError):
        fetch_yahoo("AAPL")


# ------------------------------------------------------------------ cache and fallback chain
def test_live_then_cached_then_refresh(patch_download, tmp_path):
    fake = patch_download(result=yf_frame)
    first = load_prices("AAPL", "1y", "1d", cache_dir=tmp_path)
    assert (
        first.source == "yahoo"
        and first.messages[0][0] == "info"
        and "Downloaded AAPL" in first.messages[0][1]
    )
    assert cache_path(tmp_path, "AAPL", "1y", "1d").is_file()
    second = load_prices("AAPL", "1y", "1d", cache_dir=tmp_path)
    assert len(fake.calls) == 1 and second.source == "yahoo-cache" and second.cache_age is not None
    assert re.search(r"fetched [0-9] s ago", second.messages[0][1]) and "refresh" in second.messages[0][1]
    pd.testing.assert_frame_equal(first.frame, second.frame, check_freq=False)
    third = load_prices("AAPL", "1y", "1d", cache_dir=tmp_path, refresh=True)
    assert len(fake.calls) == 2 and third.source == "yahoo"


def test_offline_uses_stale_cache_and_says_how_old(patch_download, tmp_path):
    patch_download(result=yf_frame)
    live = fetch_yahoo("^GSPC", "5y", "1d")
    write_cache(live, tmp_path, "^GSPC", "5y", "1d")
    sidecar = cache_path(tmp_path, "^GSPC", "5y", "1d").with_suffix(".json")
    record = json.loads(sidecar.read_text())
    record["fetched_at"] = (datetime.now(UTC) - timedelta(hours=13, minutes=5)).isoformat()
    sidecar.write_text(json.dumps(record))
    patch_download(result=yf_empty, log=DNS_ERROR)
    load = load_prices("^GSPC", "5y", "1d", cache_dir=tmp_path)
    assert load.source == "yahoo-cache" and load.cache_age > timedelta(hours=13)
    assert [level for level, _ in load.messages] == ["warning", "warning"]
    assert "using cached ^GSPC (5y, daily) data from 13 h ago" in load.messages[1][1]
    assert load.frame.attrs["provenance"]["note"] == load.messages[1][1]
    assert cache_path(tmp_path, "^GSPC", "5y", "1d").name == "%5EGSPC_5y_1d.csv"


def test_offline_without_cache_uses_only_the_same_bundled_series(patch_download, tmp_path):
    patch_download(result=yf_empty, log=DNS_ERROR)
    same = load_prices("msft", "max", "1d", cache_dir=tmp_path)
    assert same.source == "bundled" and same.frame.attrs["provenance"]["ticker"] == "MSFT"
    assert "using the bundled Microsoft (MSFT) history, which ends 2021-03-31" in same.messages[-1][1]
    with pytest.raises(SeriesUnavailableError) as info:
        load_prices("AAPL", "1y", "1wk", cache_dir=tmp_path)
    assert str(info.value).startswith(
        "AAPL is unavailable: the live download failed and AAPL (1y, weekly) is neither cached on this "
        "computer nor bundled, so there is nothing to train on (no other series is used in its place). "
        "Choose a bundled series, which works offline (NVDA, AMZN, MSFT, NFLX, ^GSPC, BTC-USD), or try "
        "again when online. Details: Yahoo Finance could not be reached"
    )
    assert isinstance(info.value, NetworkError) and not list(tmp_path.rglob("*AAPL*"))


def test_rate_limit_falls_back_with_its_own_message(patch_download, tmp_path):
    patch_download(raises=YFRateLimitError())
    load = load_prices("NFLX", cache_dir=tmp_path)
    assert "rate-limiting" in load.messages[0][1] and load.source == "bundled"


def test_broken_cache_is_a_miss_and_cache_dir_defaults(tmp_path, monkeypatch):
    path = cache_path(tmp_path, "AAPL", "1y", "1d")
    path.parent.mkdir(parents=True)
    path.write_text("not,a\ncache")
    path.with_suffix(".json").write_text("{broken")
    assert read_cache(tmp_path, "AAPL", "1y", "1d") is None
    monkeypatch.setenv("LSTM_STUDIO_CACHE", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("LSTM_STUDIO_CACHE")
    assert default_cache_dir().parts[-2:] == (".cache", "lstm_studio")


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5 s"), (600, "10 min"), (3 * 3600, "3 h"), (50 * 3600, "2 days")]
)
def test_format_age(seconds, text):
    assert format_age(timedelta(seconds=seconds)) == text


@pytest.fixture
def silent_proxy(monkeypatch):
    """A proxy on 127.0.0.1 that accepts connections and never answers: a silent network, for real."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    for key in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(key, url)
    yield held
    server.close()
    for conn in held:
        conn.close()


def test_a_silent_network_ends_at_the_overall_deadline(silent_proxy, tmp_path):
    import time

    start = time.monotonic()
    with pytest.raises(NetworkError, match="did not answer within 3 s"):
        fetch_yahoo("AAPL", timeout=2, deadline_s=3)  # without the deadline: 130 s (yfinance retries)
    assert time.monotonic() - start < 5 and silent_proxy
