"""The MNIST page headless: settings in the sidebar, errors at the widget, a short run with its verdict
and results, Pause / Step / Stop, and the offline download message."""

from __future__ import annotations

import json
import socket
from types import MappingProxyType

import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.augment import DigitJitter
from lstm_core.mnist_presets import RECOMMENDED
from lstm_core.progress import EpochProgress, History
from ui.mnist_form import MIRRORS_ENV
from ui.mnist_view import kept_epoch
from ui.state import MNIST_JOB, MNIST_RESULT

TRAIN = "mnist.train"


def _small(at: AppTest, preset: str, train_limit: int = 200) -> None:
    """Choose ``preset``, then shrink the run so that it takes seconds."""
    at.selectbox(key="mnist.preset").select(preset).run()
    at.number_input(key="mnist.train_limit").set_value(train_limit).run()
    at.number_input(key="mnist.epochs").set_value(1)
    at.number_input(key="mnist.max_steps").set_value(0)
    at.number_input(key="mnist.eval_every").set_value(0).run()


def _train(at: AppTest, timeout: float = 120) -> None:
    at.button(key=TRAIN).click().run()
    job = at.session_state[MNIST_JOB]
    assert job.join(timeout), "training did not finish"
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_settings_sit_in_the_sidebar_and_say_which_digits_are_used(open_page):
    at = open_page("pages/mnist_classifier.py")
    sidebar = {w.key for w in (*at.sidebar.number_input, *at.sidebar.selectbox)}
    assert {"mnist.preset", "mnist.hidden_size", "mnist.lr", "mnist.label_smoothing", "mnist.shift"} <= (
        sidebar)
    assert not at.button(key=TRAIN).disabled  # Train is on the main page, beside the run's controls
    captions = [c.value for c in at.sidebar.caption]
    assert any("Offline MNIST subset: 4,000 train / 1,000 held-out digits" in c for c in captions)
    assert any(c.startswith("3,600 digits to fit on, 400 for validation, 1,000 held out") for c in captions)


def test_recommended_preset_fills_the_form_with_its_schedule_smoothing_and_jitter(open_page):
    at = open_page("pages/mnist_classifier.py")
    assert at.selectbox(key="mnist.preset").value == "Recommended"
    m, t = RECOMMENDED.model, RECOMMENDED.train
    assert (at.selectbox(key="mnist.cell").value, at.number_input(key="mnist.hidden_size").value) == (
        m.cell, m.hidden_size)
    assert at.selectbox(key="mnist.lr_schedule").value == t.lr_schedule == "cosine"
    assert at.number_input(key="mnist.label_smoothing").value == RECOMMENDED.label_smoothing
    assert at.number_input(key="mnist.shift").value == RECOMMENDED.augment.max_shift


def test_a_validation_share_out_of_range_is_explained_at_its_widget(open_page):
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key="mnist.val_fraction").set_value(0.7).run()
    assert not at.exception
    assert _errors(at) == ["Validation share: enter a number from 0 to 0.5; got 0.7."]
    assert at.button(key=TRAIN).disabled and at.selectbox(key="mnist.preset")  # the form stays
    assert [w.value for w in at.warning] == [
        "Fix in the sidebar before training: Validation share: enter a number from 0 to 0.5; got 0.7."]


def test_seed_002_preset_fills_the_form_and_a_short_run_shows_its_verdict_and_results(open_page):
    at = open_page("pages/mnist_classifier.py")
    _small(at, "Seed 002")
    assert at.checkbox(key="mnist.bidirectional").value is True
    assert at.number_input(key="mnist.hidden_size").value == 12
    assert at.selectbox(key="mnist.head").value == "all"
    assert at.number_input(key="mnist.shift").value == 0  # the seed did not augment
    _train(at)
    result = at.session_state[MNIST_RESULT]
    assert result.model_cfg.bidirectional and result.model_cfg.hidden_size == 12 and result.augment is None
    assert len(result.data.train_y) == 200 and len(result.history.epochs) == 1
    assert result.n_train == 180 and result.n_val == 20  # a tenth of the 200 held back to pick the epoch
    (verdict,) = [e for e in (*at.success, *at.info, *at.warning) if e.value.startswith("Test accuracy")]
    assert f"{100 * result.accuracy:.1f} % on 1,000 held-out digits" in verdict.value
    assert f"against {100 * result.majority_accuracy:.1f} % for always answering the most common digit" in (
        verdict.value)
    assert any(c.value == "The kept epoch was chosen by the 20 validation digits, never by the test digits."
               for c in at.caption)
    assert any("Kept: the model of epoch 1 (lowest validation loss)" in c.value for c in at.caption)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Test accuracy"].endswith("%") and metrics["Test digits"] == "1,000"
    assert "Train accuracy (epoch 1)" in metrics
    keys = [c.proto.id for c in at.get("plotly_chart")]  # element ids carry the widget keys
    assert any("mnist.confusion" in k for k in keys) and any("mnist.mistakes" in k for k in keys)
    assert any("mnist.belief" in k for k in keys)
    (loss,) = [c for c in at.get("plotly_chart") if "mnist.live_loss" in c.proto.id]
    spec = json.loads(loss.proto.spec)
    assert [t.get("name") for t in spec["data"]][:4] == ["batch loss", "train loss", "validation loss",
                                                         "test loss"]
    assert spec["layout"]["legend"]["yanchor"] == "bottom"  # above the plot, off the x-axis title
    (bars,) = [c for c in at.get("plotly_chart") if "mnist.per_class" in c.proto.id]
    assert json.loads(bars.proto.spec)["layout"]["yaxis"]["range"][0] == 0
    assert any("never used to choose" in s.value for s in at.caption)
    assert any("masked prefixes" in m.value for m in at.markdown)  # BiLSTM: no stepwise belief
    assert at.dataframe, "the parameter table is missing"


def test_the_recommended_extras_reach_the_run(open_page):
    at = open_page("pages/mnist_classifier.py")
    _small(at, "Recommended", train_limit=200)
    at.number_input(key="mnist.seed").set_value(3).run()
    _train(at)
    result = at.session_state[MNIST_RESULT]
    jitter = RECOMMENDED.augment
    assert result.augment == DigitJitter(jitter.max_shift, jitter.max_degrees, seed=3)
    assert result.label_smoothing == RECOMMENDED.label_smoothing
    assert result.train_cfg.lr_schedule == "cosine" and result.train_cfg.seed == 3


def test_a_run_that_got_worse_warns_and_reports_the_kept_epoch(open_page):
    """SGD at lr 10 without clipping: no NaN, but the loss ends far above its start (History.warning)."""
    at = open_page("pages/mnist_classifier.py")
    _small(at, "Recommended", train_limit=300)
    at.number_input(key="mnist.epochs").set_value(3)
    at.selectbox(key="mnist.optimizer").set_value("sgd")
    at.selectbox(key="mnist.lr_schedule").set_value("constant")
    at.number_input(key="mnist.lr").set_value(10.0)
    at.number_input(key="mnist.grad_clip").set_value(0.0).run()
    _train(at)
    history = at.session_state[MNIST_RESULT].history
    if history.stop_reason == "diverged":  # NaN after all: the same error line as on every page
        assert any(e.startswith("Diverged: ") for e in _errors(at))
        return
    assert history.warning.startswith("Training went wrong")
    assert any(w.value.startswith("Test accuracy") for w in at.warning)
    assert any(history.warning in c.value for c in at.caption)
    assert not at.success, "a run that got worse is no success"
    kept = next(e for e in history.epochs if e.epoch == history.best_epoch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"Train accuracy (epoch {kept.epoch})"] == f"{100 * kept.metrics['train_accuracy']:.2f} %"


def test_kept_epoch_is_the_restored_best_not_the_last():
    epochs = [EpochProgress(k, 3, 10 * k, 30, 1.0, 1.0 + abs(k - 2), MappingProxyType(
        {"train_accuracy": k / 10, "val_accuracy": 0.5}), 1.0, 1.0, 2, 1.0) for k in (1, 2, 3)]
    assert kept_epoch(History(epochs=epochs, best_epoch=2, restored_best=True)).epoch == 2
    assert kept_epoch(History(epochs=epochs, best_epoch=2, restored_best=False)) is None


def test_seed_000_preset_matches_the_seed(open_page):
    at = open_page("pages/mnist_classifier.py")
    at.selectbox(key="mnist.preset").select("Seed 000").run()
    assert at.selectbox(key="mnist.cell").value == "LSTM"
    assert at.number_input(key="mnist.hidden_size").value == 100
    assert at.selectbox(key="mnist.optimizer").value == "sgd"
    assert at.number_input(key="mnist.lr").value == pytest.approx(0.1)
    assert at.number_input(key="mnist.batch_size").value == 100
    assert at.number_input(key="mnist.max_steps").value == 3000
    assert at.number_input(key="mnist.eval_every").value == 500
    assert at.number_input(key="mnist.grad_clip").value == 0  # the seed does not clip
    assert at.number_input(key="mnist.epochs").value == 84  # 3,000 steps over the 3,600 digits it fits on


def test_pause_step_and_stop_keep_a_model(open_page, wait_until):
    at = open_page("pages/mnist_classifier.py")
    _small(at, "Recommended", train_limit=600)
    at.number_input(key="mnist.epochs").set_value(50).run()
    at.button(key=TRAIN).click().run()
    job = at.session_state[MNIST_JOB]
    wait_until(job, lambda s: len(s.epochs) >= 1)
    at.button(key=f"{MNIST_JOB}.pause").click().run()
    assert job.snapshot().paused and at.button(key=f"{MNIST_JOB}.resume")
    held = len(job.snapshot().epochs)
    at.button(key=f"{MNIST_JOB}.step").click().run()
    wait_until(job, lambda s: not s.stepping and len(s.epochs) > held)
    at.button(key=f"{MNIST_JOB}.stop").click().run()
    assert job.join(60), "Stop did not end the run"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert job.snapshot().history.stop_reason == "stopped"
    assert at.session_state[MNIST_RESULT] is not None
    assert any(e.value.startswith("Test accuracy") for e in (*at.success, *at.info, *at.warning))
    assert any("Stopped by request" in c.value for c in at.caption)


def test_invalid_settings_are_explained_at_the_widget_and_train_waits(open_page):
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key="mnist.dropout").set_value(0.3).run()  # with one layer
    assert not at.exception
    assert any("Dropout only acts between stacked layers" in e for e in _errors(at)), _errors(at)
    assert at.button(key=TRAIN).disabled
    assert MNIST_JOB not in at.session_state or at.session_state[MNIST_JOB] is None


@pytest.mark.parametrize(("key", "value", "message"), [
    ("mnist.hidden_size", 5000, "Hidden size: enter a whole number from 1 to 4,096; got 5,000."),
    ("mnist.hidden_size", 0, "Hidden size: enter a whole number from 1 to 4,096; got 0."),
    ("mnist.hidden_size", 2000, "This model would have 12,"),
    ("mnist.lr", 20.0, "Learning rate: enter a number above 0, at most 10; got 20."),
    ("mnist.batch_size", 0, "Batch size: enter a whole number from 1 to"),
    ("mnist.label_smoothing", 0.7, "Label smoothing: enter a number from 0 to 0.5; got 0.7."),
    ("mnist.rotate", 90.0, "Rotation (°): enter a number from 0 to 30°; got 90."),
])
def test_out_of_range_settings_say_why_as_soon_as_they_are_entered(open_page, key, value, message):
    """No widget min / max (Streamlit would just turn the field red): a message at the widget instead."""
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.startswith(message) for e in _errors(at)), _errors(at)
    assert at.button(key=TRAIN).disabled


def test_out_of_range_data_settings_say_why(open_page):
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key="mnist.test_fraction").set_value(0.9).run()
    assert "Test share: enter a number from 0.05 to 0.5; got 0.9." in _errors(at)
    at.number_input(key="mnist.test_fraction").set_value(0.2)
    at.number_input(key="mnist.train_limit").set_value(-5).run()
    assert "Max training digits: enter a number 0 or more; got -5." in _errors(at)
    assert not at.exception and at.button(key=TRAIN).disabled


def test_a_tiny_training_set_is_warned_about(open_page):
    at = open_page("pages/mnist_classifier.py")
    assert not at.warning
    at.number_input(key="mnist.train_limit").set_value(1).run()
    assert any(w.value.startswith("Only 1 training digit:") for w in at.warning)
    at.number_input(key="mnist.train_limit").set_value(200).run()  # 180 left to fit on beside validation
    assert not at.warning


def test_choosing_full_mnist_before_downloading_says_so(open_page):
    at = open_page("pages/mnist_classifier.py")
    at.radio(key="mnist.source").set_value("full").run()
    assert not at.exception
    assert at.radio(key="mnist.source").value == "subset"
    assert any(i.value.startswith("Full MNIST is not downloaded yet") for i in at.info)
    assert any("Offline MNIST subset" in c.value for c in at.sidebar.caption)  # the subset is in use


def test_full_mnist_download_offline_shows_its_message(monkeypatch: pytest.MonkeyPatch, open_page):
    with socket.socket() as sock:  # a loopback port with nobody listening: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(MIRRORS_ENV, f"http://127.0.0.1:{port}/")
    at = open_page("pages/mnist_classifier.py")
    at.button(key="mnist.download").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert error.value.startswith("Full MNIST could not be downloaded, so the offline subset stays in use.")
    assert "Could not download train-images-idx3-ubyte.gz from any MNIST mirror" in error.value
    assert "Tried" not in error.value and f"127.0.0.1:{port}" not in error.value  # details tucked away
    (details,) = [e for e in at.expander if e.label == "Details: the mirrors tried"]
    assert f"http://127.0.0.1:{port}/train-images-idx3-ubyte.gz" in details.markdown[0].value
    assert at.radio(key="mnist.source").value == "subset"
    at.number_input(key="mnist.train_limit").set_value(500).run()  # any later interaction clears it
    assert not at.error and all(e.label != "Details: the mirrors tried" for e in at.expander)


@pytest.mark.parametrize(("key", "value", "label"), [
    ("mnist.test_fraction", 0.9, "Test share"), ("mnist.train_limit", -5, "Max training digits"),
    ("mnist.label_smoothing", 0.7, "Label smoothing"), ("mnist.rotate", 90.0, "Rotation"),
])
def test_a_half_width_setting_is_explained_at_the_sidebars_full_width(open_page, key, value, label):
    """Inside its half-width column the message wrapped a letter or two a line ("numbe / r from")."""
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    in_columns = [e.value for column in at.sidebar.columns for e in column.error]
    assert not any(label in m for m in in_columns), in_columns
    assert any(e.value.startswith(label) for e in at.sidebar.error), [e.value for e in at.sidebar.error]
    if key == "mnist.test_fraction":  # the model settings wait for valid data settings, and say so
        assert any("appear once the data settings above are valid" in i.value for i in at.sidebar.info)
