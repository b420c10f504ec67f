"""The MNIST page headless: a preset, a short run, the results, Stop, and the offline download message."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from types import MappingProxyType

import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.progress import EpochProgress, History
from ui.mnist_form import MIRRORS_ENV
from ui.mnist_view import kept_epoch
from ui.state import MNIST_JOB, MNIST_RESULT

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TRAIN = "FormSubmitter:mnist.model_form-Train"



def _small(at: AppTest, preset: str, train_limit: int = 200) -> None:
    """Choose ``preset``, then shrink the run so it takes seconds (form values commit on Train)."""
    at.selectbox(key="mnist.preset").select(preset).run()
    at.number_input(key="mnist.train_limit").set_value(train_limit).run()
    at.number_input(key="mnist.epochs").set_value(1)
    at.number_input(key="mnist.max_steps").set_value(0)
    at.number_input(key="mnist.eval_every").set_value(0)


def test_page_says_which_digits_it_uses(open_page):
    at = open_page("pages/mnist_classifier.py")
    assert any("Offline MNIST subset: 4,000 train / 1,000 held-out digits" in i.value
               and "400 of the training digits are held back as **validation**" in i.value for i in at.info)


def test_a_validation_share_out_of_range_is_explained(open_page):
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key="mnist.val_fraction").set_value(0.7).run()
    assert not at.exception
    (error,) = at.error
    assert error.value == "These settings cannot train: Validation share must be between 0 and 0.5; got 0.7."
    assert at.button(key=TRAIN) and at.selectbox(key="mnist.preset")  # the form stays, with its message


def test_seed_002_preset_fills_the_form_and_a_short_run_shows_results(open_page):
    at = open_page("pages/mnist_classifier.py")
    _small(at, "Seed 002")
    assert at.checkbox(key="mnist.bidirectional").value is True
    assert at.number_input(key="mnist.hidden").value == 12
    assert at.radio(key="mnist.head").value == "all"
    at.button(key=TRAIN).click().run()
    job = at.session_state[MNIST_JOB]
    assert job.join(120), "training did not finish"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    result = at.session_state[MNIST_RESULT]
    assert result.model_cfg.bidirectional and result.model_cfg.hidden_size == 12
    assert len(result.data.train_y) == 200 and len(result.history.epochs) == 1
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Test accuracy"].endswith("%") and metrics["Test digits"] == "1,000"
    keys = [c.proto.id for c in at.get("plotly_chart")]  # element ids carry the widget keys
    assert any("mnist.confusion" in k for k in keys) and any("mnist.mistakes" in k for k in keys)
    assert any("mnist.belief" in k for k in keys)
    (loss,) = [c for c in at.get("plotly_chart") if "mnist.live_loss" in c.proto.id]
    names = [t.get("name") for t in json.loads(loss.proto.spec)["data"]]
    assert names[:4] == ["batch loss", "train loss", "validation loss", "test loss"]
    assert result.n_train == 180 and result.n_val == 20  # a tenth of the 200 held back to pick the epoch
    assert any("lowest validation loss" in s.value and "never used to choose" in s.value for s in at.caption)
    assert any("masked prefixes" in m.value for m in at.markdown)  # BiLSTM: no stepwise belief
    assert at.dataframe, "the parameter table is missing"
    assert any(s.value.startswith("Completed 1 epoch. Kept: the model of epoch 1") for s in at.success)
    assert "Train accuracy (epoch 1)" in metrics


def test_a_run_that_got_worse_warns_and_reports_the_kept_epoch(open_page):
    """SGD at lr 10 without clipping: no NaN, but the loss ends far above its start (History.warning)."""
    at = open_page("pages/mnist_classifier.py")
    _small(at, "Recommended", train_limit=300)
    at.number_input(key="mnist.epochs").set_value(3)
    at.radio(key="mnist.optimizer").set_value("sgd")
    at.number_input(key="mnist.lr").set_value(10.0)
    at.checkbox(key="mnist.clip").set_value(False)
    at.button(key=TRAIN).click().run()
    job = at.session_state[MNIST_JOB]
    assert job.join(120), "training did not finish"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    history = at.session_state[MNIST_RESULT].history
    assert history.warning.startswith("Training went wrong")
    assert history.warning in [w.value for w in at.warning]
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
    assert at.number_input(key="mnist.hidden").value == 100
    assert at.radio(key="mnist.optimizer").value == "sgd"
    assert at.number_input(key="mnist.lr").value == pytest.approx(0.1)
    assert at.number_input(key="mnist.batch").value == 100
    assert at.number_input(key="mnist.max_steps").value == 3000
    assert at.number_input(key="mnist.eval_every").value == 500
    assert at.number_input(key="mnist.epochs").value == 84  # 3,000 steps over the 3,600 digits it fits on


def test_stop_ends_the_run_and_keeps_a_model(open_page):
    at = open_page("pages/mnist_classifier.py")
    _small(at, "Recommended", train_limit=2000)
    at.number_input(key="mnist.epochs").set_value(50)
    at.button(key=TRAIN).click().run()
    job = at.session_state[MNIST_JOB]
    at.button(key=f"{MNIST_JOB}.stop").click().run()
    assert job.join(60), "Stop did not end the run"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert job.snapshot().history.stop_reason == "stopped"
    assert at.session_state[MNIST_RESULT] is not None
    (done,) = at.success
    assert done.value.startswith("Stopped by request") and "Kept: the model" in done.value


def test_invalid_settings_show_a_message_not_a_traceback(open_page):
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key="mnist.dropout").set_value(0.3)  # with one layer
    at.button(key=TRAIN).click().run()
    assert not at.exception
    assert any("dropout only acts between stacked layers" in e.value for e in at.error)
    assert MNIST_JOB not in at.session_state or at.session_state[MNIST_JOB] is None


@pytest.mark.parametrize(("key", "value", "message"), [
    ("mnist.hidden", 5000, "Hidden size must be at most 512 on this page; got 5,000."),
    ("mnist.hidden", 0, "hidden_size must be a whole number >= 1; got 0"),
    ("mnist.lr", 20.0, "lr (learning rate) must be <= 10; got 20.0"),
    ("mnist.max_steps", -1, "Max iterations: enter 0 (off) or a positive number; got -1."),
    ("mnist.batch", 10_000, "Batch size must be at most 4,096 on this page; got 10,000."),
])
def test_out_of_range_settings_say_why_when_train_is_pressed(open_page, key, value, message):
    """No widget min / max (Streamlit would just turn the field red and ignore Train): a message instead."""
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key=key).set_value(value)
    at.button(key=TRAIN).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert MNIST_JOB not in at.session_state or at.session_state[MNIST_JOB] is None


def test_out_of_range_data_settings_say_why(open_page):
    at = open_page("pages/mnist_classifier.py")
    at.number_input(key="mnist.test_fraction").set_value(0.9).run()
    assert any("Test share must be between 0.05 and 0.5; got 0.9." in e.value for e in at.error)
    at.number_input(key="mnist.test_fraction").set_value(0.2)
    at.number_input(key="mnist.train_limit").set_value(-5).run()
    assert any("Max training digits: enter 0 (all) or a positive number" in e.value for e in at.error)
    assert not at.exception


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
    assert any("Offline MNIST subset" in i.value for i in at.info)  # the subset is in use


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
