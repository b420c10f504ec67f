"""Forecast page settings in the sidebar -> a ForecastPlan (every widget keyed "stock.*").

The widgets are plain, not an ``st.form``: each entry reruns the page, so a wrong value is
explained at its widget at once, in the label's words (ui.model_form), and Train starts the run
that the sidebar shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lstm_core.config import TARGET_MODES, ConfigError, ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.cost import check_settings
from lstm_core.forecast_presets import FORECAST_PRESETS, RECOMMENDED, ForecastPreset
from lstm_core.forecasting import forecast_sizes
from ui.forecast_data import SOURCES, data_section, keep_valid
from ui.model_form import GENERAL, ModelForm, field_errors
from ui.state import STOCK_SETTINGS, restore_widgets, widgets_drawn

__all__ = ["SOURCES", "ForecastPlan", "data_section", "init_widgets", "settings"]

_MODES = {"change": "change from the last value", "next": "next value (as in seed 003)"}
_METHODS = {"residual": "start from the best linear forecast", "direct": "network alone (as in seed 003)"}
DATA_LABELS = {"target": "Target column", "features": "Extra features", "target_mode": "Predict",
               "seq_len": "Sequence length", "val_fraction": "Validation fraction",
               "test_fraction": "Test fraction", "scaler": "Scaler"}
MODEL_FIELDS = ("cell", "hidden_size", "num_layers", "dropout", "bidirectional", "head", "forget_bias")
TRAIN_FIELDS = ("epochs", "lr", "batch_size", "patience", "weight_decay", "seed")


def model_form() -> ModelForm:
    """The page's model and training widgets (a new form per run: it holds that run's errors)."""
    return ModelForm("stock", model_fields=MODEL_FIELDS, train_fields=TRAIN_FIELDS)


@dataclass(frozen=True)
class ForecastPlan:
    """A validated request to train a forecaster: the rows, the three configs and the method."""

    frame: pd.DataFrame
    data: ForecastDataConfig
    model: ModelConfig
    train: TrainConfig
    method: str = "direct"

    @property
    def preview_every(self) -> int:
        return max(1, round(self.train.epochs / 50))


def _preset_values(p: ForecastPreset) -> dict[str, object]:
    d = p.data
    return {**model_form().widget_values(p.model, p.train), "stock.target_mode": d.target_mode,
            "stock.seq_len": d.seq_len, "stock.val_fraction": d.val_fraction,
            "stock.test_fraction": d.test_fraction, "stock.scaler": d.scaler, "stock.method": p.method,
            "stock.last_rows": p.last_rows or 0}


def _apply_preset() -> None:
    st.session_state.update(_preset_values(FORECAST_PRESETS[st.session_state["stock.preset"]]))


def init_widgets() -> None:
    """Every widget's value: the user's, the one remembered from an earlier run, or the default.

    Target, features and the CSV columns have no default here: they depend on the data and
    are settled where they are drawn.
    """
    from lstm_core.data import INTERVALS, bundled_tickers

    form = tuple(k for k in _preset_values(RECOMMENDED) if k != "stock.last_rows")
    groups = {"source": ("stock.source",), "bundled": ("stock.bundled",),
              "yahoo": ("stock.ticker", "stock.period", "stock.interval"),
              "csv": ("stock.csv_date", "stock.csv_values"), "csv_dates": ("stock.csv_dayfirst",),
              "rows": ("stock.last_rows",),
              "form": ("stock.preset", "stock.target", "stock.features", *form)}
    defaults = {"stock.preset": "Recommended", "stock.source": SOURCES[0],
                "stock.bundled": bundled_tickers()[0], "stock.csv_dayfirst": "Detect", "stock.ticker": "AAPL",
                "stock.period": "10y",
                "stock.interval": INTERVALS[0], **_preset_values(RECOMMENDED)}
    restore_widgets(STOCK_SETTINGS, groups, defaults)


def _data_config(frame: pd.DataFrame) -> tuple[ForecastDataConfig | None, dict[str, str]]:
    s = st.session_state

    def build(**values: object) -> ForecastDataConfig:
        cfg = ForecastDataConfig(**values)  # type: ignore[arg-type]
        cfg.check_rows(len(frame))
        for name, columns in (("target", (cfg.target,)), ("features", cfg.features)):
            missing = [c for c in columns if frame[c].isna().any()]
            if missing:
                raise ConfigError(name, f"{', '.join(missing)} has missing values: choose another column")
        return cfg

    values = {"target": s["stock.target"], "features": tuple(s["stock.features"]),
              "target_mode": s["stock.target_mode"], "seq_len": s["stock.seq_len"],
              "val_fraction": s["stock.val_fraction"], "test_fraction": s["stock.test_fraction"],
              "scaler": s["stock.scaler"]}
    cfg, errors = field_errors(build, values, DATA_LABELS)
    return cfg, errors  # type: ignore[return-value]


def _error(errors: dict[str, str], name: str) -> None:
    if name in errors:
        st.error(errors[name])


def _data_widgets(frame: pd.DataFrame, errors: dict[str, str]) -> None:
    columns = list(frame.columns)
    target = st.selectbox("Target column", columns, key="stock.target", help="The column to forecast.")
    _error(errors, "target")
    st.multiselect("Extra features", [c for c in columns if c != target], key="stock.features",
                   help="Other columns fed to the model besides the target (direct method only; no "
                   "forecast beyond the data with these).")
    _error(errors, "features")
    st.radio("Predict", TARGET_MODES, key="stock.target_mode", format_func=_MODES.get, horizontal=True)
    st.radio("Method", tuple(_METHODS), key="stock.method", format_func=_METHODS.get,
             help="Start from the best linear forecast: the network learns only what the linear "
             "autoregression misses, and is switched off if that does not help on validation data.")
    cells = [st.container(), *st.columns(2)]
    for cell, (key, (step, why)) in zip(cells, _SPLIT.items(), strict=True):
        with cell:
            st.number_input(DATA_LABELS[key], step=step, key=f"stock.{key}", help=why)
    for key in _SPLIT:  # full width: a narrow column would wrap a message word by word
        _error(errors, key)


_SPLIT = {"seq_len": (1, "Past steps in each input window; shorter than the training part."),
          "val_fraction": (0.05, "Share of the rows after the training part; it picks the best epoch."),
          "test_fraction": (0.05, "The last share of the rows, held out for the verdict.")}


def settings(frame: pd.DataFrame) -> ForecastPlan | None:
    """Preset, data choices, model and training: widgets in the current container, each with its
    error; the plan, or None while any setting is wrong (Train is then disabled)."""
    widgets_drawn(STOCK_SETTINGS, "form")
    st.selectbox("Preset", list(FORECAST_PRESETS), key="stock.preset", on_change=_apply_preset,
                 help="Choosing a preset fills in every setting below.")
    st.caption(FORECAST_PRESETS[st.session_state["stock.preset"]].description)
    columns = list(frame.columns)
    keep_valid("stock.target", columns, "Close" if "Close" in columns else columns[0])
    keep_valid("stock.features", [c for c in columns if c != st.session_state["stock.target"]], [])
    data_cfg, errors = _data_config(frame)
    method = st.session_state["stock.method"]
    if method == "residual" and st.session_state["stock.features"]:
        errors.setdefault("features", "Extra features: the 'start from the best linear forecast' method "
                          "reads the target only; clear them or choose 'network alone'.")
        data_cfg = None
    _data_widgets(frame, errors)
    form = model_form()
    st.markdown("**Model**")
    form.draw_model(columns=2)
    st.markdown("**Training**")
    form.draw_training(columns=2)
    configs = form.configs()
    for message in [errors.get(GENERAL), *form.general_errors()]:
        if message:
            st.error(message, icon=":material/error:")
    if data_cfg is None or configs is None:
        return None
    too_big, slow = check_settings(*configs, **forecast_sizes(data_cfg, len(frame), method))
    if too_big:
        st.error(too_big, icon=":material/error:")
        return None
    if slow:
        st.warning(slow, icon=":material/hourglass_top:")
    return ForecastPlan(frame, data_cfg, *configs, method=method)
