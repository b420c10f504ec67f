"""Forecast page widgets -> data frame and configs (every widget keyed "stock.*")."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lstm_core.config import CELL_TYPES, HEADS, TARGET_MODES, ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.data import (
    BUNDLED_SERIES,
    CLEANING_RULE,
    INTERVALS,
    PERIODS,
    DataSourceError,
    bundled_tickers,
    format_age,
)
from lstm_core.presets import FORECAST_PRESETS, RECOMMENDED, ForecastPreset, last_rows
from ui import cache
from ui.state import STOCK_CSV, STOCK_SETTINGS, STOCK_YAHOO, restore_widgets, widgets_drawn

SOURCES = ("Bundled history", "Yahoo Finance", "Upload a CSV")
_MODES = {"change": "change from the last value", "next": "next value (as in seed 003)"}
_HEADS = {"last": "last step", "all": "all steps (seed 003)"}


@dataclass(frozen=True)
class Plan:
    """A validated request to train: the rows and the three configs."""

    frame: pd.DataFrame
    data: ForecastDataConfig
    model: ModelConfig
    train: TrainConfig

    @property
    def preview_every(self) -> int:
        return max(1, round(self.train.epochs / 50))


def _preset_values(p: ForecastPreset) -> dict[str, object]:
    m, t, d = p.model, p.train, p.data
    return {
        "stock.cell": m.cell, "stock.hidden": m.hidden_size, "stock.layers": m.num_layers,
        "stock.dropout": m.dropout, "stock.bidirectional": m.bidirectional, "stock.head": m.head,
        "stock.lr": t.lr, "stock.batch": t.batch_size, "stock.epochs": t.epochs,
        "stock.patience": t.patience or 0, "stock.seed": t.seed, "stock.weight_decay": t.weight_decay,
        "stock.mode": d.target_mode, "stock.seq_len": d.seq_len, "stock.val": d.val_fraction,
        "stock.test": d.test_fraction, "stock.scaler": d.scaler, "stock.last_rows": p.last_rows or 0,
    }  # fmt: skip


def _apply_preset() -> None:
    st.session_state.update(_preset_values(FORECAST_PRESETS[st.session_state["stock.preset"]]))


def _widget_groups() -> dict[str, tuple[str, ...]]:
    """The page's widget keys, grouped by what is drawn together (see ui.state.restore_widgets)."""
    form = tuple(k for k in _preset_values(RECOMMENDED) if k != "stock.last_rows")
    return {"source": ("stock.source",), "bundled": ("stock.bundled",),
            "yahoo": ("stock.ticker", "stock.period", "stock.interval"),
            "csv": ("stock.csv_date", "stock.csv_values"), "rows": ("stock.last_rows",),
            "form": ("stock.preset", "stock.target", "stock.features", *form)}


def init_widgets() -> None:
    """Every widget's value: the user's, the one remembered from an earlier run, or the default.

    Target, features and the CSV columns have no default here: they depend on the data and
    are settled where they are drawn.
    """
    defaults = {"stock.preset": "Recommended", "stock.source": SOURCES[0],
                "stock.bundled": bundled_tickers()[0], "stock.ticker": "AAPL", "stock.period": "10y",
                "stock.interval": INTERVALS[0], **_preset_values(RECOMMENDED)}
    restore_widgets(STOCK_SETTINGS, _widget_groups(), defaults)


def _bundled() -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    widgets_drawn(STOCK_SETTINGS, "bundled")
    ticker = st.selectbox("Series", bundled_tickers(), key="stock.bundled",
                          format_func=lambda t: f"{BUNDLED_SERIES[t].name} ({t})")
    return cache.bundled_prices(ticker), []


def _yahoo() -> tuple[pd.DataFrame | None, list[tuple[str, str]]]:
    widgets_drawn(STOCK_SETTINGS, "yahoo")
    with st.form("stock.yahoo_form", border=False):
        c1, c2, c3 = st.columns([2, 1, 1])
        c1.text_input("Ticker", key="stock.ticker", help="e.g. AAPL, ^GSPC, BTC-USD")
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
        st.info("Enter a ticker and press Fetch. Offline, the bundled history of the same (or a "
                "similar) series is used and the page says so.")
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


def _keep_valid(key: str, options: list[str], default: object) -> None:
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
    try:
        first = cache.csv_prices(data, name, None, None)
        _keep_valid("stock.csv_date", first.candidate_date_columns, first.candidate_date_columns[0])
        _keep_valid("stock.csv_values", first.candidate_value_columns, list(first.value_columns))
        widgets_drawn(STOCK_SETTINGS, "csv")
        c1, c2 = st.columns(2)
        date_col = c1.selectbox("Date column", first.candidate_date_columns, key="stock.csv_date")
        values = c2.multiselect("Value columns", first.candidate_value_columns, key="stock.csv_values")
        result = cache.csv_prices(data, name, date_col, tuple(values) or None)
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


def model_form(frame: pd.DataFrame) -> tuple[Plan | None, bool]:
    """The settings form; returns (plan or None, whether Train was pressed).

    The number inputs have no min / max: Streamlit would only turn an out-of-range entry red
    and ignore Train, while lstm_core's validation says what is wrong and what is allowed,
    shown (with the widget's label) right above the Train button.
    """
    widgets_drawn(STOCK_SETTINGS, "form")
    st.selectbox("Preset", list(FORECAST_PRESETS), key="stock.preset", on_change=_apply_preset,
                 help="Choosing a preset fills in the form below.")
    st.caption(FORECAST_PRESETS[st.session_state["stock.preset"]].description)
    columns = list(frame.columns)
    _keep_valid("stock.target", columns, "Close" if "Close" in columns else columns[0])
    _keep_valid("stock.features", [c for c in columns if c != st.session_state["stock.target"]], [])
    with st.form("stock.model_form", enter_to_submit=False):  # training starts on Train only
        c = st.columns(4)
        target = c[0].selectbox("Target column", columns, key="stock.target")
        features = c[1].multiselect("Extra features", [x for x in columns if x != target],
                                    key="stock.features", help="Other columns fed to the model "
                                    "besides the target (no forecast beyond the data with these).")
        c[2].radio("Predict", TARGET_MODES, key="stock.mode", format_func=_MODES.get)
        c[3].number_input("Sequence length", step=1, key="stock.seq_len",
                          help="Past steps in each input window; must be shorter than the training part.")
        c = st.columns(4)
        c[0].number_input("Validation fraction", step=0.05, key="stock.val",
                          help="Share of the rows, after the training part, used to pick the best epoch.")
        c[1].number_input("Test fraction", step=0.05, key="stock.test",
                          help="The last share of the rows, held out for the metrics.")
        c[2].selectbox("Cell", CELL_TYPES, key="stock.cell")
        c[3].radio("Head", HEADS, key="stock.head", format_func=lambda h: _HEADS.get(h, f"{h} over steps"))
        c = st.columns(4)
        c[0].number_input("Hidden size", step=1, key="stock.hidden")
        c[1].number_input("Layers", step=1, key="stock.layers")
        c[2].number_input("Dropout", step=0.05, key="stock.dropout",
                          help="Between stacked layers (needs 2 or more layers); 0 to below 1.")
        c[3].checkbox("Bidirectional", key="stock.bidirectional")
        c = st.columns(5)
        c[0].number_input("Learning rate", format="%g", step=1e-4, key="stock.lr",
                          help="Above 0, at most 10.")
        c[1].number_input("Batch size", step=1, key="stock.batch")
        c[2].number_input("Epochs", step=1, key="stock.epochs")
        c[3].number_input("Patience", step=1, key="stock.patience",
                          help="Early stopping: stop after this many epochs without a validation "
                          "improvement and keep the best weights. 0 = off.")
        c[4].number_input("Seed", step=1, key="stock.seed", help="The same seed repeats a run exactly.")
        plan = _build(frame, tuple(features))  # its message sits right above Train
        train = st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    return plan, train


# lstm_core's names for the settings -> the labels of the widgets that set them
_LABELS = {
    "seq_len": "Sequence length", "val_fraction": "Validation fraction", "test_fraction": "Test fraction",
    "hidden_size": "Hidden size", "num_layers": "Layers", "dropout": "Dropout", "lr": "Learning rate",
    "batch_size": "Batch size", "epochs": "Epochs", "patience": "Patience", "seed": "Seed",
    "weight_decay": "Weight decay (preset)", "target": "Target column", "features": "Extra features",
    "column(s)": "Target column / Extra features",
}  # fmt: skip
_NAMES = re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in _LABELS) + r")(?!\w)")


def labelled(message: str) -> str:
    """Prefix a validation message with the label of the first setting it names."""
    found = _NAMES.search(message)
    return f"{_LABELS[found.group(1)]}: {message}" if found else message


def _build(frame: pd.DataFrame, features: tuple[str, ...]) -> Plan | None:
    """Configs from the widgets; explains an impossible combination and returns None."""
    s = st.session_state
    try:
        data = ForecastDataConfig(
            target=s["stock.target"], features=features, seq_len=int(s["stock.seq_len"]),
            target_mode=s["stock.mode"], val_fraction=float(s["stock.val"]),
            test_fraction=float(s["stock.test"]), scaler=s["stock.scaler"])
        model = ModelConfig(
            cell=s["stock.cell"], hidden_size=int(s["stock.hidden"]), num_layers=int(s["stock.layers"]),
            dropout=float(s["stock.dropout"]), bidirectional=bool(s["stock.bidirectional"]),
            head=s["stock.head"], forget_bias=FORECAST_PRESETS[s["stock.preset"]].model.forget_bias)
        train = TrainConfig(
            epochs=int(s["stock.epochs"]), batch_size=int(s["stock.batch"]), lr=float(s["stock.lr"]),
            weight_decay=float(s["stock.weight_decay"]), patience=int(s["stock.patience"]) or None,
            seed=int(s["stock.seed"]))
        data.check_rows(len(frame))
        bad = [col for col in data.columns if frame[col].isna().any()]
        if bad:
            raise ValueError(f"column(s) {bad} have missing values; choose other columns")
    except ValueError as exc:
        st.error(labelled(str(exc)))
        return None
    return Plan(frame, data, model, train)
