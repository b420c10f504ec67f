"""Run files: a round trip keeps predictions and settings; damaged or unsafe files are refused."""

from __future__ import annotations

import io
import json
import os
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from lstm_core.classification import train_classifier
from lstm_core.config import ForecastDataConfig, MnistDataConfig, ModelConfig, TrainConfig
from lstm_core.data.mnist import MnistData
from lstm_core.data.provenance import Provenance, attach_provenance
from lstm_core.forecasting import (
    ForecastResult,
    forecast_report,
    predict_values,
    prepare_forecast_data,
    train_forecaster,
)
from lstm_core.persistence import FORMAT_VERSION, RunFileError, RunRecord, load_run, make_record, save_run
from lstm_core.plain_data import config_from_dict, config_to_dict, to_jsonable
from lstm_core.run_format import digest as _digest
from lstm_core.run_records import (
    classifier_record,
    forecast_record,
    history_of,
    load_forecaster,
    rebuilt_differences,
)
from lstm_core.training import fit

NOT_LOADED = "The file was not loaded."


def _sine_frame(rows: int = 160) -> pd.DataFrame:
    t = np.arange(rows, dtype=np.float64)
    frame = pd.DataFrame(
        {"Close": 100 + 10 * np.sin(t / 6) + 0.05 * t, "Volume": 1000 + 50 * np.cos(t / 5)},
        index=pd.bdate_range("2024-01-01", periods=rows, name="Date"),
    )
    return attach_provenance(frame, Provenance(source="csv", name="sine.csv", note="synthetic sine"))


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return _sine_frame()


@pytest.fixture(scope="module")
def forecast(frame: pd.DataFrame) -> ForecastResult:
    return train_forecaster(
        frame,
        ForecastDataConfig(features=("Volume",), seq_len=8, target_mode="next", scaler="minmax"),
        ModelConfig(cell="GRU", hidden_size=4, num_layers=1),
        TrainConfig(epochs=2, batch_size=16, device="cpu"),
    )


@pytest.fixture(scope="module")
def forecast_bytes(forecast: ForecastResult) -> bytes:
    buffer = io.BytesIO()
    save_run(forecast_record(forecast), buffer)
    return buffer.getvalue()


def test_forecast_round_trip_repeats_predictions_and_settings(
    forecast: ForecastResult, frame: pd.DataFrame, tmp_path: Path
) -> None:
    record = forecast_record(forecast)
    path = tmp_path / "runs" / "sine.pt"
    save_run(record, path)
    loaded = load_run(path)

    assert loaded == record  # configs, metrics, provenance, history, kind, created_at
    assert loaded.data_cfg == forecast.data.cfg and loaded.data_cfg.features == ("Volume",)
    assert loaded.model_cfg == forecast.model_cfg and loaded.train_cfg == forecast.train_cfg
    assert loaded.scaler.to_dict() == forecast.data.scaler.to_dict()
    assert loaded.provenance["name"] == "sine.csv" and loaded.provenance["rows"] == 160
    assert loaded.history["train_loss"] == pytest.approx(forecast.history.train_loss)
    assert loaded.metrics["skill"] == pytest.approx(forecast.skill)
    assert loaded.metrics["test"]["RMSE"]["model"] == pytest.approx(forecast.report.loc["RMSE", "model"])
    assert loaded.metrics["training"]["epochs_run"] == 2
    assert loaded.version == FORMAT_VERSION
    for name, tensor in forecast.model.state_dict().items():
        assert torch.equal(loaded.state_dict[name], tensor.cpu())

    model, data_cfg, scaler = load_forecaster(loaded)
    assert not model.training
    np.testing.assert_array_equal(predict_values(model, prepare_forecast_data(frame, data_cfg)),
                                  forecast.predicted)


def _rebuilt(record, frame: pd.DataFrame) -> list[str]:  # type: ignore[no-untyped-def]
    model, data_cfg, scaler = load_forecaster(record)
    data = prepare_forecast_data(frame, data_cfg, scaler)
    report, _ = forecast_report(data, predict_values(model, data))
    return rebuilt_differences(record, data, report)


def test_a_reload_on_the_same_data_matches_the_record(forecast: ForecastResult, frame: pd.DataFrame) -> None:
    assert _rebuilt(forecast_record(forecast), frame) == []


def test_a_reload_on_changed_data_says_what_differs(forecast: ForecastResult, frame: pd.DataFrame) -> None:
    record = forecast_record(forecast)
    revised = frame.copy()
    revised.iloc[-10:, 0] *= 1.05  # e.g. Yahoo revised the last closes
    (rmse,) = _rebuilt(record, revised)
    saved = record.metrics["test"]["RMSE"]["model"]
    assert rmse.startswith("Its test RMSE is") and f"it was {saved:,.4g} when the run was saved" in rmse
    longer = _sine_frame(200)  # fetched again later: more rows, so other windows per part
    windows, _ = _rebuilt(record, longer)
    w = record.metrics["windows"]
    assert windows.endswith(f"the run was scored on {w['train']} / {w['val']} / {w['test']}.")


def test_a_reload_keeps_the_saved_scaler(forecast: ForecastResult, frame: pd.DataFrame) -> None:
    _, data_cfg, scaler = load_forecaster(forecast_record(forecast))
    shifted = frame.copy()
    shifted["Close"] += 50.0  # a refit scaler would absorb this shift; the model's own does not
    data = prepare_forecast_data(shifted, data_cfg, scaler)
    assert data.scaler is scaler
    refit = prepare_forecast_data(shifted, data_cfg)
    assert not torch.allclose(data.x, refit.x)


def test_load_accepts_bytes_and_file_objects(forecast_bytes: bytes) -> None:
    from_bytes = load_run(forecast_bytes)
    from_file = load_run(io.BytesIO(forecast_bytes))
    assert from_bytes == from_file and from_bytes.kind == "forecast"


def _digits(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 28, 28, generator=g), torch.arange(n) % 10


def test_classifier_round_trip_repeats_predictions() -> None:
    (train_x, train_y), (test_x, test_y) = _digits(60, 0), _digits(30, 1)
    data = MnistData(train_x, train_y, test_x, test_y, "subset", "fake digits")
    data_cfg = MnistDataConfig(train_limit=60)
    model_cfg = ModelConfig(hidden_size=4, num_layers=2, bidirectional=True, head="all")
    result = train_classifier(data, model_cfg, TrainConfig(epochs=1, batch_size=32, device="cpu"))
    record = classifier_record(result, data_cfg)
    buffer = io.BytesIO()
    save_run(record, buffer)
    loaded = load_run(buffer.getvalue())

    assert loaded == record and loaded.kind == "classifier" and loaded.scaler is None
    assert loaded.data_cfg == data_cfg and loaded.model_cfg.head == "all"
    assert loaded.metrics["test_accuracy"] == pytest.approx(result.accuracy)
    assert loaded.metrics["confusion"] == result.confusion.tolist()
    assert {"val_accuracy", "test_accuracy"} <= set(loaded.history)
    assert len(loaded.history["val_accuracy"]) == 1
    counts = loaded.metrics["n_train"], loaded.metrics["n_val"], loaded.metrics["n_test"]
    assert counts == (50, 10, 30)  # 1 of each class's 6 training digits held back
    model = loaded.build_model()
    with torch.no_grad():
        torch.testing.assert_close(model(test_x), result.model.cpu()(test_x), rtol=0, atol=0)
    with pytest.raises(ValueError, match="not a forecaster"):
        load_forecaster(loaded)


def test_configs_round_trip_through_dicts() -> None:
    cfg = ForecastDataConfig(target="Close", features=("Open", "Volume"), seq_len=5)
    data = json.loads(json.dumps(config_to_dict(cfg)))
    assert data["features"] == ["Open", "Volume"]
    assert config_from_dict(ForecastDataConfig, data) == cfg
    with pytest.raises(ValueError, match="has no field"):
        config_from_dict(ModelConfig, {"hidden": 3})


def test_to_jsonable_turns_nan_into_null() -> None:
    assert to_jsonable({"a": float("nan"), "b": (1, np.float64(2.5)), "c": [float("inf")]}) == {
        "a": None, "b": [1, 2.5], "c": [None]
    }


# ---- refusals -------------------------------------------------------------------------------------


def _payload(data: bytes) -> dict:
    return torch.load(io.BytesIO(data), weights_only=True)


def _save(obj: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def _refused(source: object, *fragments: str) -> RunFileError:
    with pytest.raises(RunFileError) as info:
        load_run(source)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return info.value


class _Exploit:
    """Pickles as a call to os.system: loading the file without weights_only would run it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickled_code_is_refused_and_never_run(forecast_bytes: bytes, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = _payload(forecast_bytes)
    payload["metadata"] = _Exploit(marker)
    err = _refused(_save(payload), "Not a valid LSTM Studio run file", "disallowed objects", NOT_LOADED)
    assert isinstance(err, ValueError)
    assert not marker.exists()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: random.Random(0).randbytes(4096), id="random-bytes"),
        pytest.param(lambda b: b"", id="empty"),
    ],
)
def test_damaged_files_are_refused(forecast_bytes: bytes, damage) -> None:
    _refused(damage(forecast_bytes), "truncated, damaged or not a torch file", NOT_LOADED)


@pytest.mark.parametrize(
    "foreign", [{"weights": torch.zeros(3)}, torch.ones(2), {"format": "something-else"}], ids=str
)
def test_other_torch_files_are_refused(foreign: object) -> None:
    _refused(_save(foreign), "not one written by LSTM Studio", NOT_LOADED)


def test_other_format_version_is_refused(forecast_bytes: bytes) -> None:
    payload = _payload(forecast_bytes)
    payload["version"] = 99
    _refused(_save(payload), "format version 99", f"reads versions 1, {FORMAT_VERSION}", NOT_LOADED)


def test_version_1_files_are_converted_on_loading(forecast_bytes: bytes) -> None:
    """Version 1 kept the data's sizes inside the model config and knew no forget bias."""
    payload = _payload(forecast_bytes)
    meta = json.loads(payload["metadata"])
    sizes = meta.pop("sizes")
    meta["model_cfg"].pop("forget_bias")
    meta["model_cfg"].update(sizes)
    meta["version"] = payload["version"] = 1
    payload["metadata"] = json.dumps(meta, sort_keys=True)
    payload["sha256"] = _digest(payload["metadata"], payload["state_dict"])
    old, new = load_run(_save(payload)), load_run(forecast_bytes)
    assert old.sizes == new.sizes and old.model_cfg.forget_bias is None
    x = torch.randn(2, new.sizes["seq_len"], new.sizes["input_size"])
    torch.testing.assert_close(old.build_model()(x), new.build_model()(x))


def test_hand_edited_metadata_fails_the_integrity_check(forecast_bytes: bytes) -> None:
    payload = _payload(forecast_bytes)
    meta = json.loads(payload["metadata"])
    meta["metrics"]["skill"] = 0.99  # flattering the model by hand
    payload["metadata"] = json.dumps(meta, sort_keys=True)
    _refused(_save(payload), "integrity check failed", NOT_LOADED)


def test_edited_weights_fail_the_integrity_check(forecast_bytes: bytes) -> None:
    payload = _payload(forecast_bytes)
    name = next(iter(payload["state_dict"]))
    payload["state_dict"][name] = payload["state_dict"][name] + 1e-3
    _refused(_save(payload), "integrity check failed", NOT_LOADED)


def test_unexpected_layout_is_refused(forecast_bytes: bytes) -> None:
    payload = _payload(forecast_bytes)
    payload["extra"] = torch.zeros(1)
    _refused(_save(payload), "layout", NOT_LOADED)


def test_invalid_settings_with_a_valid_digest_are_refused(forecast_bytes: bytes) -> None:
    payload = _payload(forecast_bytes)
    meta = json.loads(payload["metadata"])
    meta["model_cfg"]["hidden_size"] = 0
    payload["metadata"] = json.dumps(meta, sort_keys=True)
    payload["sha256"] = _digest(payload["metadata"], payload["state_dict"])
    _refused(_save(payload), "settings are invalid", "hidden_size must be", NOT_LOADED)


def _resealed(forecast_bytes: bytes, metadata: str) -> bytes:
    """A crafted file: anyone can recompute an unkeyed digest, so it must not be the only guard."""
    payload = _payload(forecast_bytes)
    payload["metadata"] = metadata
    payload["sha256"] = _digest(payload["metadata"], payload["state_dict"])
    return _save(payload)


@pytest.mark.parametrize(
    "metadata", ["[1]", '"text"', "[" * 100_000 + "]" * 100_000, '{"metrics": [1]}'],
    ids=["list", "string", "deeply-nested", "metrics-not-a-mapping"],
)
def test_crafted_metadata_with_a_valid_digest_is_refused(forecast_bytes: bytes, metadata: str) -> None:
    _refused(_resealed(forecast_bytes, metadata), NOT_LOADED)


def test_a_sparse_tensor_is_refused(forecast_bytes: bytes) -> None:
    payload = _payload(forecast_bytes)
    payload["state_dict"] = {"rnn.weight": torch.eye(3).to_sparse()}  # the layout check comes first
    _refused(_save(payload), "layout", NOT_LOADED)


def test_a_huge_config_is_refused_before_anything_is_allocated(forecast_bytes: bytes) -> None:
    payload = _payload(forecast_bytes)
    meta = json.loads(payload["metadata"])
    meta["model_cfg"]["hidden_size"] = 4096  # 4 gates x 4096 x 4096 floats per layer if built for real
    meta["model_cfg"]["num_layers"] = 16
    _refused(_resealed(forecast_bytes, json.dumps(meta, sort_keys=True)), "cannot be built", "the limit here",
             NOT_LOADED)


def test_weights_that_do_not_fit_the_config_are_refused(forecast: ForecastResult) -> None:
    record = forecast_record(forecast)
    wrong = replace(record, model_cfg=replace(record.model_cfg, hidden_size=5))
    buffer = io.BytesIO()
    save_run(wrong, buffer)
    _refused(buffer.getvalue(), "weights do not fit its model config", NOT_LOADED)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    _refused(tmp_path / "nope.pt", "There is no run file at")


def test_make_record_rejects_unknown_kind(forecast: ForecastResult) -> None:
    with pytest.raises(ValueError, match="kind must be one of forecast, classifier"):
        make_record("tagger", forecast.model, forecast.model_cfg, forecast.train_cfg,  # type: ignore[arg-type]
                    forecast.history)


def test_record_fit_and_make_record_from_plain_fit() -> None:
    x, y = torch.randn(20, 6, 1), torch.randn(20, 1)
    cfg = ModelConfig(hidden_size=3, num_layers=1)
    from lstm_core.models import build_model

    model = build_model(cfg, input_size=1, output_size=1)
    history = fit(model, (x, y), None, TrainConfig(epochs=1, device="cpu"))
    record = make_record("forecast", model, cfg, TrainConfig(epochs=1), history)
    assert isinstance(record, RunRecord) and record.history["val_loss"] == [None]
    loaded = load_run(_round(record))
    assert loaded == record and loaded.data_cfg is None


def _round(record: RunRecord) -> bytes:
    buffer = io.BytesIO()
    save_run(record, buffer)
    return buffer.getvalue()


def test_history_of_a_saved_run_gives_back_its_curves_and_ending(forecast: ForecastResult) -> None:
    history = history_of(forecast_record(forecast))
    h = forecast.history
    assert [e.epoch for e in history.epochs] == [e.epoch for e in h.epochs]
    assert history.train_loss == pytest.approx(h.train_loss)
    assert (history.stop_reason, history.best_epoch, history.restored_best) == (h.stop_reason, h.best_epoch,
                                                                                h.restored_best)
    crafted = replace(forecast_record(forecast), history={"epoch": ["x"], "train_loss": [1.0]},
                                  metrics={"training": {"stop_reason": "exploded"}})
    assert history_of(crafted).epochs == [] and history_of(crafted).stop_reason == "completed"


def test_rebuild_frame_finds_a_saved_run_s_rows_where_they_came_from() -> None:
    from lstm_core.run_records import rebuild_frame

    days = pd.bdate_range("2020-01-01", periods=10)
    frame = pd.DataFrame({"Close": np.arange(10.0)}, index=days)
    seen = []

    def loader(*args):
        seen.append(args)
        return frame

    window = {"start": str(days[2].date()), "end": str(days[5].date())}
    got = rebuild_frame({"source": "bundled", "ticker": "NVDA", **window}, bundled=loader, yahoo=loader,
                        uploaded=lambda name: None)
    assert list(got["Close"]) == [2.0, 3.0, 4.0, 5.0] and seen == [("NVDA",)]
    rebuild_frame({"source": "yahoo-cache", "ticker": "AAPL"}, bundled=loader, yahoo=loader,
                  uploaded=lambda name: None)
    assert seen[-1] == ("AAPL", "max", "1d")
    with pytest.raises(ValueError, match="upload mine.csv on this page"):
        rebuild_frame({"source": "csv", "name": "mine.csv"}, bundled=loader, yahoo=loader,
                      uploaded=lambda name: None)
    with pytest.raises(ValueError, match="does not say where its data came from"):
        rebuild_frame({}, bundled=loader, yahoo=loader, uploaded=lambda name: None)
