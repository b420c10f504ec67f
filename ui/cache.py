"""Cached wrappers around lstm_core's loaders (st.cache_data is process-wide: data only, no models).

Each page keeps its loaders in its own clearly marked section.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from lstm_core.data import CsvImport, PriceLoad, load_bundled, load_prices, read_price_csv

# ---------------------------------------------------------------- stock forecast page


@st.cache_data(show_spinner=False, max_entries=32)
def bundled_prices(ticker: str) -> pd.DataFrame:
    """A bundled daily history (read from the repo once per process)."""
    return load_bundled(ticker)


@st.cache_data(show_spinner="Fetching prices…", ttl=timedelta(minutes=30), max_entries=32)
def yahoo_prices(ticker: str, period: str, interval: str, refresh_token: int = 0) -> PriceLoad:
    """``load_prices`` (Yahoo -> cache -> bundled fallback); a new ``refresh_token`` downloads again."""
    return load_prices(ticker, period, interval, refresh=refresh_token > 0)


@st.cache_data(show_spinner=False, max_entries=8)
def csv_prices(data: bytes, name: str, date_column: str | None,
               value_columns: tuple[str, ...] | None) -> CsvImport:
    """Parse an uploaded CSV (keyed by its bytes, so a re-upload of the same file is free)."""
    result = read_price_csv(data, date_column, list(value_columns) if value_columns else None)
    result.frame.attrs["provenance"]["name"] = name
    result.frame.attrs["provenance"]["note"] = result.frame.attrs["provenance"]["note"].replace(
        "uploaded file", name)
    return result
