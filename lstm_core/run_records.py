"""Run records of the two pipelines: a trained result -> ``RunRecord``, and a record back to a model.

``lstm_core.persistence`` writes and reads the file; this module knows what a forecaster's
and a classifier's records hold (test metrics, windows per part, data provenance) and
checks a reloaded forecaster against what it was scored on when saved.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, get_args

import pandas as pd
from torch import nn

from lstm_core.config import ForecastDataConfig, MnistDataConfig
from lstm_core.forecasting import ForecastData, ForecastResult
from lstm_core.persistence import RunRecord, make_record
from lstm_core.plain_data import training_summary
from lstm_core.preprocessing import Scaler
from lstm_core.progress import EpochProgress, History, StopReason

if TYPE_CHECKING:  # classification imports the MNIST loaders; only its result type is needed
    from lstm_core.classification import ClassifierResult


def forecast_record(result: ForecastResult, provenance: Mapping[str, Any] | None = None) -> RunRecord:
    """A ``RunRecord`` of a trained forecaster, its test metrics beside the naive baseline.

    Args:
        result: what ``train_forecaster`` returned.
        provenance: the data's provenance; taken from the target series' attrs when None.
    """
    data = result.data
    if provenance is None:
        provenance = data.series.attrs.get("provenance") or {}
    metrics = {
        "test": result.report.to_dict(orient="index"),
        "skill": result.skill,
        "verdict": result.verdict,
        "windows": data.windows,
        "training": training_summary(result.history),
    }
    return make_record("forecast", result.model, result.model_cfg, result.train_cfg, result.history,
                       data.cfg, data.scaler, metrics, provenance)


def load_forecaster(record: RunRecord) -> tuple[nn.Module, ForecastDataConfig, Scaler]:
    """The trained forecaster, its data config and its fitted scaler, ready to predict again.

    ``prepare_forecast_data(frame, data_cfg, scaler)`` then feeds the model on the scale it was
    trained on, and on the same table ``predict_values(model, data)`` repeats the saved run's
    predictions (``rebuilt_differences`` says where a table fetched again differs).

    Raises:
        ValueError: if ``record`` is not a forecast run.
    """
    if not isinstance(record.data_cfg, ForecastDataConfig) or record.scaler is None:
        raise ValueError(f"this run is a {record.kind} run, not a forecaster with its data config and scaler")
    return record.build_model(), record.data_cfg, record.scaler


def rebuilt_differences(record: RunRecord, data: ForecastData, report: pd.DataFrame) -> list[str]:
    """How data rebuilt for a saved forecast run differ from the data it was scored on when saved.

    ``data`` and ``report`` come from the run's data source today (a Yahoo series fetched again
    may have more or revised rows). Returns one sentence per difference found in the windows
    per part or the test RMSE; empty when they match.
    """
    notes = []
    saved_windows = record.metrics.get("windows")
    windows = data.windows
    if isinstance(saved_windows, dict) and saved_windows != windows:
        def counts(w: Mapping[str, Any]) -> str:
            return " / ".join(f"{w.get(p, '?')}" for p in ("train", "val", "test"))

        notes.append(f"The data now give {counts(windows)} train / validation / test windows; the run was "
                     f"scored on {counts(saved_windows)}.")
    test = record.metrics.get("test")
    rmse = test.get("RMSE") if isinstance(test, dict) else None
    saved_rmse = rmse.get("model") if isinstance(rmse, dict) else None
    rmse_now = float(report.loc["RMSE", "model"])
    if isinstance(saved_rmse, int | float) and not math.isclose(saved_rmse, rmse_now, rel_tol=1e-4):
        notes.append(f"Its test RMSE is {rmse_now:,.4g} on the data as they are now; it was "
                     f"{saved_rmse:,.4g} when the run was saved.")
    return notes


def classifier_record(result: ClassifierResult, data_cfg: MnistDataConfig | None = None) -> RunRecord:
    """A ``RunRecord`` of a trained digit classifier with its held-out accuracy.

    Args:
        result: what ``lstm_core.classification.train_classifier`` returned.
        data_cfg: the MNIST settings the data was loaded with.
    """
    data = result.data
    metrics = {
        "test_accuracy": result.accuracy,
        "per_class_accuracy": [float(v) for v in result.per_class],
        "confusion": result.confusion.tolist(),
        "n_train": result.n_train,
        "n_val": result.n_val,  # training digits held back to pick the kept epoch
        "n_test": len(data.test_y),
        "training": training_summary(result.history),
    }
    provenance = {"source": f"mnist-{data.source}", "name": data.description,
                  "messages": [text for _, text in data.messages]}
    return make_record("classifier", result.model, result.model_cfg, result.train_cfg, result.history,
                       data_cfg, None, metrics, provenance)


def history_of(record: RunRecord) -> History:
    """The saved run's ``History`` again, from its curves and training summary, for display.

    Epoch records keep the epoch, losses and metrics (steps and times are not saved); an entry
    that does not fit is left out rather than trusted.
    """
    curves, summary = record.history or {}, record.metrics.get("training") or {}
    epochs = curves.get("epoch") or []
    extra = [k for k in curves if k not in ("epoch", "train_loss", "val_loss")]

    def at(key: str, i: int) -> Any:
        values = curves.get(key) or []
        return values[i] if i < len(values) else None

    best_epoch = summary.get("best_epoch") if isinstance(summary.get("best_epoch"), int) else 0
    history = History(best_epoch=best_epoch, restored_best=bool(summary.get("restored_best")),
                      message=str(summary.get("stop_message") or ""))
    if summary.get("stop_reason") in get_args(StopReason):
        history.stop_reason = summary["stop_reason"]
    for i, epoch in enumerate(epochs):
        train, val = at("train_loss", i), at("val_loss", i)
        if not isinstance(epoch, int) or not isinstance(train, int | float):
            continue
        metrics = MappingProxyType({k: at(k, i) for k in extra if isinstance(at(k, i), int | float)})
        history.epochs.append(EpochProgress(epoch, len(epochs), 0, 0, float(train),
                                            float(val) if isinstance(val, int | float) else None,
                                            metrics, 0.0, 0.0, best_epoch, math.nan))
    return history


def rebuild_frame(
    provenance: Mapping[str, Any],
    *,
    bundled: Callable[[str], pd.DataFrame],
    yahoo: Callable[[str, str, str], pd.DataFrame],
    uploaded: Callable[[str], pd.DataFrame | None],
) -> pd.DataFrame:
    """The rows a saved forecast run was trained on, from where its provenance says they came.

    Bundled data is loaded again, Yahoo data fetched (or read from the cache), and an uploaded CSV
    must be the one the user has uploaded now, since run files hold no data. The loaders are
    passed in (a page passes its cached ones): ``bundled(name)``, ``yahoo(ticker, period,
    interval)`` and ``uploaded(file_name)``, which gives that file's frame or None.

    Raises:
        ValueError: the provenance names no source, or the CSV it names is not uploaded.
    """
    ticker, name, source = provenance.get("ticker"), provenance.get("name"), provenance.get("source")
    if source == "bundled" and ticker:
        frame = bundled(str(ticker))
    elif source in ("yahoo", "yahoo-cache") and ticker:
        frame = yahoo(str(ticker), str(provenance.get("period") or "max"),
                      str(provenance.get("interval") or "1d"))
    elif source == "csv" and name:
        frame = uploaded(str(name))
        if frame is None:
            raise ValueError(f"this run was trained on an uploaded CSV, {name}, and a run file holds no "
                             f"data: upload {name} on this page (1 · Data, Upload a CSV), then load the "
                             "run file again")
    else:
        raise ValueError("the run file does not say where its data came from")
    start, end = provenance.get("start"), provenance.get("end")
    return frame.loc[start:end] if start and end else frame
