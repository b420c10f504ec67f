"""Cached wrappers around lstm_core's loaders (st.cache_data is process-wide: data only, no models).

Each page keeps its loaders in its own clearly marked section.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import streamlit as st

from lstm_core.config import MnistDataConfig  # MNIST page
from lstm_core.data import CsvImport, PriceLoad, load_bundled, load_prices, read_price_csv
from lstm_core.data.mnist import MnistData, load_mnist  # MNIST page

# ---------------------------------------------------------------- stock forecast page


@st.cache_data(show_spinner=False, max_entries=32)
def bundled_prices(ticker: str) -> pd.DataFrame:
    """A bundled series: a daily price history or a structured series (read once per process)."""
    return load_bundled(ticker)


@st.cache_data(show_spinner="Fetching prices…", ttl=timedelta(minutes=30), max_entries=32)
def yahoo_prices(ticker: str, period: str, interval: str, refresh_token: int = 0) -> PriceLoad:
    """``load_prices`` (Yahoo -> cache -> bundled fallback); a new ``refresh_token`` downloads again."""
    return load_prices(ticker, period, interval, refresh=refresh_token > 0)


@st.cache_data(show_spinner=False, max_entries=8)
def csv_prices(data: bytes, name: str, date_column: str | None,
               value_columns: tuple[str, ...] | None, dayfirst: bool | None = None) -> CsvImport:
    """Parse an uploaded CSV (keyed by its bytes, so a re-upload of the same file is free)."""
    source = io.BytesIO(data)
    source.name = name  # read_price_csv names the file in its messages and provenance
    return read_price_csv(source, date_column, list(value_columns) if value_columns else None,
                          dayfirst=dayfirst)


# ---------------------------------------------------------------- MNIST classifier page


@st.cache_resource(show_spinner="Loading digits…", max_entries=4)
def mnist_digits(source: str, test_fraction: float, seed: int, train_limit: int | None) -> MnistData:
    """The digits as read-only tensors shared by every session (never mutate them).

    Full MNIST is only asked for once it is cached (the page's download button fetches it), so
    this never touches the network; ``fallback=False`` turns a damaged cache into an error.
    """
    cfg = MnistDataConfig(source=source, test_fraction=test_fraction, seed=seed,  # type: ignore[arg-type]
                          train_limit=train_limit)
    return load_mnist(cfg, fallback=False)
