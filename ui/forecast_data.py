"""Forecast page data choice: bundled history, Yahoo Finance or a CSV -> one frame (keys "stock.*")."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lstm_core.data import (
    BUNDLED_SERIES,
    CLEANING_RULE,
    INTERVALS,
    PERIODS,
    DataSourceError,
    bundled_tickers,
    format_age,
)
from lstm_core.data.bundled_prices import STRUCTURED_SERIES, structured_names
from lstm_core.forecast_presets import last_rows
from ui import cache
from ui.state import STOCK_CSV, STOCK_SETTINGS, STOCK_YAHOO, widgets_drawn

SOURCES = ("Bundled history", "Yahoo Finance", "Upload a CSV")
# How the CSV's day/month dates are read: None detects and refuses an ambiguous column.
DATE_ORDERS = {"Detect": None, "Day first (31/12/2024)": True, "Month first (12/31/2024)": False}


def _series_name(key: str) -> str:
    if key in STRUCTURED_SERIES:
        return f"{STRUCTURED_SERIES[key].name} ({STRUCTURED_SERIES[key].column})"
    return f"{BUNDLED_SERIES[key].name} ({key}, daily prices)"


def _bundled() -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    widgets_drawn(STOCK_SETTINGS, "bundled")
    ticker = st.selectbox("Series", (*bundled_tickers(), *structured_names()), key="stock.bundled",
                          format_func=_series_name,
                          help="Daily prices are close to a random walk: expect a tie with the naive "
                               "forecast. The other series (hourly temperature, CO2, sea temperature, "
                               "orders, sunspots, unemployment) have trend, seasons or cycles for a model "
                               "to find.")
    return cache.bundled_prices(ticker), []


def _yahoo() -> tuple[pd.DataFrame | None, list[tuple[str, str]]]:
    widgets_drawn(STOCK_SETTINGS, "yahoo")
    with st.form("stock.yahoo_form", border=False):
        st.text_input("Ticker", key="stock.ticker", help="e.g. AAPL, ^GSPC, BTC-USD")
        c2, c3 = st.columns(2)
        c2.selectbox("Period", PERIODS, key="stock.period")
        c3.selectbox("Interval", INTERVALS, key="stock.interval")
        refresh = st.checkbox("Download again even if cached", key="stock.refresh")
        fetch = st.form_submit_button("Fetch", icon=":material/download:")
    if fetch:  # the network is touched only here, never on an ordinary rerun
        s = st.session_state
        try:
            token = int(pd.Timestamp.now().timestamp()) if refresh else 0
            load = cache.yahoo_prices(s["stock.ticker"], s["stock.period"], s["stock.interval"], token)
            s[STOCK_YAHOO] = ("ok", load)
        except DataSourceError as exc:
            s[STOCK_YAHOO] = ("error", str(exc))
    state = st.session_state.get(STOCK_YAHOO)
    if state is None:
        st.info("Enter a ticker and press Fetch. Offline, a bundled ticker uses its bundled history "
                "and the page says so; other tickers need the internet or an earlier download.")
        return None, []
    if state[0] == "error":
        return None, [("error", state[1])]
    load = state[1]
    messages = list(load.messages)
    if load.cache_age is not None:
        messages.append(("info", f"Cache age: {format_age(load.cache_age)}."))
    return load.frame, messages


def _forget_csv() -> None:
    if st.session_state.get("stock.csv") is None:  # the user removed the file from the uploader
        st.session_state[STOCK_CSV] = None


def keep_valid(key: str, options: list[str], default: object) -> None:
    """Drop what the current options lack from a restored choice; ``default`` if nothing is left."""
    s = st.session_state
    value = s.get(key, default)
    if isinstance(value, list):
        kept = [v for v in value if v in options]
        s[key] = kept if kept or not value else default
    else:
        s[key] = value if value in options else default


def _csv() -> tuple[pd.DataFrame | None, list[tuple[str, str]]]:
    upload = st.file_uploader("Price CSV (a date column and numeric columns)", type=["csv", "txt"],
                              key="stock.csv", on_change=_forget_csv)
    st.caption(CLEANING_RULE)
    if upload is not None:
        st.session_state[STOCK_CSV] = (upload.getvalue(), upload.name)
    kept = st.session_state.get(STOCK_CSV)
    if kept is None:
        return None, []
    data, name = kept
    if upload is None:
        st.caption(f"Using **{name}**, uploaded earlier; upload another file to replace it.")
    widgets_drawn(STOCK_SETTINGS, "csv_dates")
    order = st.selectbox("Dates", tuple(DATE_ORDERS), key="stock.csv_dayfirst",
                         help="Dates such as 03/04/2024 can mean 3 April or 4 March. Detect reads them only "
                              "when every row settles it, and otherwise asks you to choose here.")
    dayfirst = DATE_ORDERS[order]
    try:
        first = cache.csv_prices(data, name, None, None, dayfirst)
        keep_valid("stock.csv_date", first.candidate_date_columns, first.candidate_date_columns[0])
        keep_valid("stock.csv_values", first.candidate_value_columns, list(first.value_columns))
        widgets_drawn(STOCK_SETTINGS, "csv")
        c1, c2 = st.columns(2)
        date_col = c1.selectbox("Date column", first.candidate_date_columns, key="stock.csv_date")
        values = c2.multiselect("Value columns", first.candidate_value_columns, key="stock.csv_values")
        result = cache.csv_prices(data, name, date_col, tuple(values) or None, dayfirst)
    except DataSourceError as exc:
        return None, [("error", str(exc))]
    return result.frame, [("info", line) for line in result.report]


def _show_messages(messages: list[tuple[str, str]]) -> list[str]:
    """One box per level (a fallback says several things at once); returns the texts shown."""
    for level in ("error", "warning", "info"):
        texts = [text for lvl, text in messages if lvl == level]
        if texts:
            getattr(st, level)("  \n".join(texts))
    return [text for _, text in messages]


def data_section() -> tuple[pd.DataFrame | None, list[str]]:
    """Source choice, messages and the last-N-rows option; (frame or None, message texts shown)."""
    widgets_drawn(STOCK_SETTINGS, "source")
    source = st.radio("Data source", SOURCES, key="stock.source", horizontal=True)
    frame, messages = {SOURCES[0]: _bundled, SOURCES[1]: _yahoo, SOURCES[2]: _csv}[source]()
    shown = _show_messages(messages)
    if frame is None:
        return None, shown
    # No min_value: Streamlit would only turn an out-of-range entry red; this says why instead.
    widgets_drawn(STOCK_SETTINGS, "rows")
    n = int(st.number_input("Use the last N rows (0 = all)", step=100, key="stock.last_rows",
                            help="Long histories train slower and span very different price regimes; "
                            "the recommended default uses the last 2,500 rows (about 10 years of days)."))
    if n < 0:
        st.error(f"Use the last N rows: enter 0 (all rows) or a positive number; got {n:,}.")
        return None, shown
    return last_rows(frame, n or None), shown
