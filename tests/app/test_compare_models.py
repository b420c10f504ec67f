"""The Compare page headless: defaults, a tiny comparison, the sweep, the inside view, bad input."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.compare_jobs import CompareOutcome, SweepOutcome
from ui.compare_settings import CompareSettings, from_mapping, to_query
from ui.state import COMPARE_JOB, COMPARE_RESULT, COMPARE_SWEEP

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/compare_models.py"


def _charts(at: AppTest) -> dict[str, list[dict]]:
    """Plotly charts by key, each with its traces."""
    out = {}
    for chart in at.get("plotly_chart"):
        key = next((k for k in chart.proto.id.split("-") if k.startswith("compare.")), chart.proto.id)
        out[key] = json.loads(chart.proto.spec)["data"]
    return out


def _table(at: AppTest, column: str):
    """The first table on the page with ``column`` (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _has_data(traces: list[dict]) -> bool:
    return any(len(t.get("y") or t.get("z") or []) for t in traces)


def _tiny(at: AppTest, task: str = "temporal-order", models=("RNN", "LSTM", "GRU")) -> None:
    at.selectbox(key="compare.task").select(task).run()
    if task in ("temporal-order", "adding", "first-symbol"):
        at.number_input(key="compare.length").set_value(8)
        at.number_input(key="compare.n_train").set_value(128)
    for name in ("RNN", "LSTM", "LSTM-default", "GRU", "BiLSTM", "HandRNN"):
        at.checkbox(key=f"compare.model.{name}").set_value(name in models)
    at.number_input(key="compare.epochs").set_value(2)
    at.number_input(key="compare.hidden_size").set_value(8)
    at.text_input(key="compare.lengths").set_value("4, 8")
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def _open_with_address(query: dict[str, str]) -> AppTest:
    """The Compare page reached from the app with ``query`` in its address, drawn without an exception."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _wait(at: AppTest, seconds: float = 120) -> None:
    job = at.session_state[COMPARE_JOB]
    assert job.join(seconds), "the job did not finish"
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_default_page_renders_with_the_task_definition_and_parameter_counts(open_page):
    at = open_page(PAGE)
    assert at.selectbox(key="compare.task").value == "temporal-order"
    assert any("Temporal order" in m.value and "chance: 25 %" in m.value.lower() for m in at.markdown)
    assert [at.checkbox(key=f"compare.model.{n}").value for n in ("RNN", "LSTM", "GRU")] == [True] * 3
    params = _table(at, "hidden units")
    assert list(params["model"]) == ["RNN", "LSTM", "GRU"]
    assert all(int(p.replace(",", "")) > 0 for p in params["parameters"])
    assert any("Train the comparison" in b.label for b in at.button)


def test_equal_parameters_sizes_every_model_within_five_percent(open_page):
    at = open_page(PAGE)
    for name in ("BiLSTM", "HandRNN", "LSTM-default"):
        at.checkbox(key=f"compare.model.{name}").set_value(True)
    at.toggle(key="compare.equal").set_value(True).run()
    params = _table(at, "hidden units")
    counts = [int(p.replace(",", "")) for p in params["parameters"]]
    lstm = counts[list(params["model"]).index("LSTM")]
    assert all(abs(c - lstm) / lstm < 0.05 for c in counts), dict(zip(params["model"], counts, strict=True))
    assert len(set(params["hidden units"])) > 1  # the RNN gets more units than the LSTM


def test_a_tiny_comparison_trains_to_results_with_every_chart_filled(open_page):
    at = open_page(PAGE)
    _tiny(at, models=("RNN", "LSTM", "LSTM-default", "GRU"))
    at.button(key="compare.train").click().run()
    _wait(at)
    result = at.session_state[COMPARE_RESULT]
    assert isinstance(result, CompareOutcome) and [r.label for r in result.runs] == ["RNN", "LSTM",
                                                                                     "LSTM-default", "GRU"]
    assert all(len(r.history.epochs) == 2 and 0 <= r.metric <= 1 for r in result.runs)
    (outcome,) = [s.value for s in at.success if "models trained in" in s.value]
    took = outcome.split(" trained in ")[1].rstrip(".")
    assert at.get("progress")[0].proto.text == f"4 runs · trained {took} · done"  # one figure for both lines
    table = _table(at, "epochs run")
    assert set(table["model"]) == {"RNN", "LSTM", "LSTM-default", "GRU"}
    assert {"test accuracy", "chance", "parameters", "s / epoch", "epochs run"} <= set(table.columns)
    accuracies = [float(v.rstrip(" %")) for v in table["test accuracy"]]
    assert accuracies == sorted(accuracies, reverse=True)  # best first
    charts = _charts(at)
    for key in ("compare.live_loss", "compare.live_score", "compare.gradients", "compare.gates",
                "compare.unit_trace"):
        assert key in charts and _has_data(charts[key]), key
    names = {t.get("name") for t in charts["compare.live_score"]}
    assert {"RNN", "LSTM", "LSTM-default", "GRU", "chance"} <= names
    assert len([t for t in charts["compare.gradients"] if _has_data([t])]) == 4
    assert any(m.label.startswith("Largest difference") and float(m.value) < 1e-5 for m in at.metric)
    assert any(m.label.startswith("Forget gate open") for m in at.metric)
    assert any("import torch" in c.value for c in at.code)


def _until(condition, timeout: float = 90) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_pause_and_step_hold_a_comparison_across_its_models_and_stop_ends_it(open_page):
    """One job trains the models in turn: Pause holds it, each Step lets exactly one epoch through,
    also across the change from one model to the next, and Stop reads as on every page."""
    at = open_page(PAGE)
    _tiny(at, models=("RNN", "LSTM"))
    at.number_input(key="compare.length").set_value(100)
    at.number_input(key="compare.n_train").set_value(2000)
    at.number_input(key="compare.epochs").set_value(3)
    at.run()
    at.button(key="compare.train").click().run()
    job = at.session_state[COMPARE_JOB]
    at.button(key="compare.job.pause").click().run()  # at once: before the first model or early in it
    assert not at.exception, [e.value for e in at.exception]
    _until(lambda: job.snapshot().status == "running")  # a worker has it
    time.sleep(0.5)
    at.run()

    def rnn_epochs() -> int:
        run = job.snapshot().runs.get("RNN")
        return len(run.epochs) if run is not None else 0

    held = rnn_epochs()
    assert job.snapshot().paused and held < 3
    time.sleep(0.5)
    assert rnn_epochs() == held  # held
    assert at.button(key="compare.job.resume") and not at.button(key="compare.job.step").disabled
    assert re.match(r"Paused (before training began|after epoch \d of 3)", at.get("progress")[0].proto.text)

    def step() -> None:
        at.button(key="compare.job.step").click().run()
        _until(lambda: not job.snapshot().stepping)
        time.sleep(0.5)  # nothing more runs once the epoch has ended
        at.run()

    while held < 3:  # the RNN's epochs, one per Step
        step()
        held += 1
        assert rnn_epochs() == held
    snap = job.snapshot()
    assert [len(snap.runs["RNN"].epochs), snap.runs.get("LSTM")] == [3, None]
    assert "Trained 3 epochs in" in at.get("progress")[0].proto.text  # the RNN's, held before the LSTM
    assert "paused · Step or Resume goes on" in at.get("progress")[0].proto.text
    assert any(c.value == "RNN done; next: LSTM (model 2 of 2)" for c in at.caption)
    assert at.button(key="compare.train").disabled and at.button(key="compare.sweep").disabled  # one run
    step()  # the next model starts and trains exactly one epoch
    snap = job.snapshot()
    assert snap.runs["RNN"].history is not None and len(snap.runs["LSTM"].epochs) == 1 and snap.paused
    at.run()
    assert any(c.value.startswith("LSTM: model 2 of 2 · RNN done") for c in at.caption), \
        [c.value for c in at.caption]
    at.button(key="compare.job.stop").click().run()
    assert job.join(60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("progress")[0].proto.text.startswith("2 runs · trained ")  # the job's, not the LSTM's
    assert at.get("progress")[0].proto.text.endswith(" · stopped")
    (warning,) = [w.value for w in at.warning if "Stopped early" in w.value]
    assert warning.startswith("Stopped early. 2 models trained in")
    assert any(c.value.startswith("LSTM: Stopped by request") for c in at.caption), \
        [c.value for c in at.caption]
    assert [r.label for r in at.session_state[COMPARE_RESULT].runs] == ["RNN", "LSTM"]
    assert at.button(key="compare.job.pause").disabled and at.button(key="compare.job.stop").disabled


def test_the_inspection_follows_the_chosen_lstm_input_and_unit(open_page):
    at = open_page(PAGE)
    _tiny(at, models=("LSTM", "LSTM-default"))
    at.button(key="compare.train").click().run()
    _wait(at)
    assert at.selectbox(key="compare.inspect_model").options == ["LSTM", "LSTM-default"]
    at.selectbox(key="compare.inspect_model").select("LSTM-default").run()
    at.selectbox(key="compare.inspect_input").select_index(3).run()
    unit = at.selectbox(key="compare.inspect_unit")
    unit.select_index(2).run()
    assert not at.exception, [e.value for e in at.exception]
    trace = _charts(at)["compare.unit_trace"]
    assert any(t.get("name") == "task marker" for t in trace)
    assert "Unit" in json.dumps(at.get("plotly_chart")[-1].proto.spec)


def test_the_sweep_draws_a_point_per_model_and_length_with_the_chance_line(open_page):
    at = open_page(PAGE)
    _tiny(at, models=("RNN", "LSTM"))
    at.button(key="compare.sweep").click().run()
    _wait(at)
    sweep = at.session_state[COMPARE_SWEEP]
    assert isinstance(sweep, SweepOutcome) and sorted((p.label, p.length) for p in sweep.result.points) == [
        ("LSTM", 4), ("LSTM", 8), ("RNN", 4), ("RNN", 8)]
    traces = _charts(at)["compare.sweep_chart"]
    assert {t["name"] for t in traces} == {"RNN", "LSTM", "chance"}
    assert all(len(t["x"]) == 2 for t in traces)
    assert len(_table(at, "T")) == 4


def _order(at: AppTest) -> list[tuple[str, str]]:
    """(element type, key or text) of every element of the main area, in the order drawn."""
    out: list[tuple[str, str]] = []

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        children = getattr(node, "children", None)
        if children:
            for child in children.values():
                walk(child)
            return
        key = getattr(node, "key", None) or str(getattr(node, "value", ""))[:80]
        out.append((node.type, key))

    walk(at.main)
    return out


ROW_2 = ("number_input", "compare.batch_size")  # the budget's second row (4 to a row)


@pytest.mark.parametrize(("key", "value", "message", "next_widget"), [
    ("compare.hidden_size", 0, "Hidden size: enter a whole number from 1 to 4,096; got 0.", ROW_2),
    ("compare.lr", 0.0, "Learning rate: enter a number above 0, at most 10; got 0.", ROW_2),
    ("compare.epochs", 0, "Epochs: enter a whole number of at least 1; got 0.", ROW_2),
    ("compare.length", 1, "Sequence length T (memory distance): enter a whole number from 2 to 2,000; got 1.",
     ("checkbox", "compare.model.RNN")),
])
def test_a_wrong_number_is_explained_under_its_widget_and_train_waits(open_page, key, value, message,
                                                                     next_widget):
    at = open_page(PAGE)
    at.number_input(key=key).set_value(value).run()  # the entry's own rerun: no Train press needed
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [message]
    order = _order(at)  # under its row: after the widget, before the next row's first widget
    error = order.index(("error", message[:80]))
    assert order.index(("number_input", key)) < error < order.index(next_widget)
    assert at.button(key="compare.train").disabled and at.button(key="compare.sweep").disabled
    assert any("Fix the settings marked" in c.value for c in at.caption)
    at.number_input(key=key).set_value(CompareSettings().length if key == "compare.length" else 8).run()
    assert not at.error and not at.button(key="compare.train").disabled


@pytest.mark.parametrize(("setup", "message"), [
    ({"compare.lengths": "10, ten"}, "Sweep lengths T: enter whole numbers separated by commas"),
    ({"compare.length": 2000, "compare.n_train": 200_000}, "These settings cannot train: 200,000 sequences"),
    ({"compare.hidden_size": 2000}, "These settings cannot train: LSTM: This model would have"),
])
def test_bad_settings_get_a_message_not_a_traceback(open_page, setup, message):
    at = open_page(PAGE)
    for key, value in setup.items():
        (at.text_input if key == "compare.lengths" else at.number_input)(key=key).set_value(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert error.value.startswith(message), error.value
    assert at.button(key="compare.train").disabled


def test_sweep_lengths_out_of_range_are_explained_and_the_comparison_still_trains(open_page):
    at = open_page(PAGE)
    at.text_input(key="compare.lengths").set_value("10, 5000").run()
    assert not at.exception
    assert any("The sweep cannot run" in w.value and "length must be" in w.value for w in at.warning)
    assert at.button(key="compare.sweep").disabled and not at.button(key="compare.train").disabled


def test_no_model_ticked_is_explained(open_page):
    at = open_page(PAGE)
    for name in ("RNN", "LSTM", "GRU"):
        at.checkbox(key=f"compare.model.{name}").set_value(False)
    at.run()
    assert not at.exception
    assert "Tick at least one model" in at.error[0].value


def test_the_sweep_is_refused_on_real_data_with_a_reason(open_page):
    at = open_page(PAGE)
    at.selectbox(key="compare.task").select("mnist").run()
    assert not at.exception
    assert at.button(key="compare.sweep").disabled
    assert any("28 steps" in m.value for m in at.markdown)


def test_mnist_refuses_more_training_digits_than_are_bundled_under_the_box(open_page):
    from lstm_core.config import MnistDataConfig
    from lstm_core.data.mnist import load_mnist
    from ui.compare_form import MNIST_DIGITS

    at = open_page(PAGE)
    at.selectbox(key="compare.task").select("mnist").run()
    assert at.number_input(key="compare.n_train").value == 4000  # the memory tasks' 8,000 brought down
    assert not at.exception and not at.error and not at.button(key="compare.train").disabled
    at.number_input(key="compare.n_train").set_value(8000).run()
    assert [e.value for e in at.error] == [
        "Training digits (at most 4,000): at most 4,000 digits are bundled; enter a whole number from 10 to "
        "4,000; got 8,000."]
    assert at.button(key="compare.train").disabled
    data = load_mnist(MnistDataConfig(source="subset", train_limit=None), fallback=False)
    assert len(data.train_y) == MNIST_DIGITS  # what the page trains on (the Compare job loads it so)


def test_settings_round_trip_through_the_address_and_bad_addresses_are_explained():
    s = CompareSettings(task="adding", length=50, models=("LSTM", "LSTM-default"), equal_params=True)
    assert from_mapping(to_query(s), short=True) == s
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(to_query(s))
    at.run()
    at.switch_page(PAGE)
    at.query_params.update(to_query(s))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="compare.task").value == "adding"
    assert at.number_input(key="compare.length").value == 50
    assert at.checkbox(key="compare.model.LSTM-default").value
    assert not at.checkbox(key="compare.model.RNN").value
    bad = _open_with_address({"T": "many"})
    assert any("address could not be used" in e.value and "length cannot be 'many'" in e.value
               for e in bad.error)


def test_surnames_train_side_by_side_with_a_confusion_matrix_and_typed_names(open_page):
    at = open_page(PAGE)
    _tiny(at, task="surnames", models=("RNN", "LSTM"))
    at.number_input(key="compare.epochs").set_value(1).run()
    at.button(key="compare.train").click().run()
    _wait(at, 180)
    result = at.session_state[COMPARE_RESULT]
    assert [r.label for r in result.runs] == ["RNN", "LSTM"] and len(result.classes) == 15
    table = _table(at, "macro-F1")
    assert {"test accuracy", "majority class", "macro-F1"} <= set(table.columns)
    assert any("Imbalanced: Polish" in c.value for c in at.caption)
    charts = _charts(at)
    for key in ("compare.surname_confusion", "compare.surname_belief", "compare.gates", "compare.gradients"):
        assert key in charts and _has_data(charts[key]), key
    assert len(_table(at, "1.")) == 2  # each model's top three for the typed name
    at.text_input(key="compare.surname").set_value("Ø 123").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error, "an unreadable name gets a message"


@pytest.mark.parametrize("query, message", [
    ({"models": "RNN,FOO"}, "unknown model 'FOO'"),
    ({"task": "prices", "ticker": "ZZZ"}, "unknown price series 'ZZZ'"),
    ({"epochs": "1.5"}, "epochs cannot be '1.5'"),
])
def test_an_address_naming_what_no_widget_offers_is_refused_not_silently_replaced(query, message):
    at = _open_with_address(query)
    assert any("address could not be used" in e.value and message in e.value for e in at.error), \
        [e.value for e in at.error]
    assert not any("Settings loaded" in s.value for s in at.success)
    assert at.number_input(key="compare.hidden_size").value == CompareSettings().hidden_size
    assert at.number_input(key="compare.epochs").value == CompareSettings().epochs


@pytest.mark.parametrize("query, key, message", [
    ({"hidden": "100000"}, "compare.hidden_size", "Hidden size: enter a whole number from 1 to 4,096; got 1"),
    ({"T": "1"}, "compare.length", "Sequence length T (memory distance): enter a whole number from 2 to"),
    ({"lr": "50"}, "compare.lr", "Learning rate: enter a number above 0, at most 10; got 50."),
])
def test_an_address_number_out_of_range_is_shown_in_its_box_with_the_reason_under_it(query, key, message):
    at = _open_with_address(query)
    assert at.number_input(key=key).value == float(next(iter(query.values())))
    assert [e.value[:len(message)] for e in at.error] == [message]
    assert at.button(key="compare.train").disabled


def test_the_forms_defaults_are_the_configs_the_comparison_trains():
    from lstm_core.compare import model_config
    from ui.compare_form import default_values, model_form
    from ui.compare_links import widget_values

    base = CompareSettings()
    shared = model_form().widget_values(model_config("LSTM"), base.train_config())
    names = ("hidden_size", "forget_bias", "epochs", "lr", "batch_size", "seed")
    assert set(shared) == {f"compare.{n}" for n in names}
    assert default_values() == widget_values(base) and shared.items() <= default_values().items()


def test_the_results_headline_names_ties_and_says_when_no_model_beats_the_baseline():
    import pandas as pd

    from ui.compare_settings import task_info
    from ui.compare_view import headline

    prices = task_info("prices")
    level = pd.DataFrame({"model": ["GRU", "LSTM", "RNN"], "RMSE ÷ naive": ["1.000"] * 3,
                          "naive forecast": ["1.000"] * 3})
    assert headline(level, prices) == ("**All 3 models tie** with RMSE ÷ naive 1.000 "
                                       "(naive forecast: 1.000). No model beats the naive forecast here.")
    order = task_info("temporal-order")
    two = pd.DataFrame({"model": ["GRU", "LSTM", "RNN"], "test accuracy": ["100.0 %", "100.0 %", "25.6 %"],
                        "chance": ["25.0 %"] * 3})
    assert headline(two, order) == "**GRU and LSTM tie** with test accuracy 100.0 % (chance: 25.0 %)."
    low = pd.DataFrame({"model": ["RNN", "GRU"], "test accuracy": ["24.0 %", "23.0 %"],
                        "chance": ["25.0 %"] * 2})
    assert headline(low, order).startswith("**Best: RNN** with test accuracy 24.0 %")
    assert headline(low, order).endswith("No model beats chance here.")


def test_the_heatmap_caption_names_marker_lines_only_where_they_are_drawn():
    from ui.compare_inspect import heatmap_caption

    assert "Red dotted lines" in heatmap_caption(True)
    assert "Red dotted" not in heatmap_caption(False) and "Rows are units" in heatmap_caption(False)


def test_a_stopped_comparison_says_which_model_was_cut_short_and_which_never_started():
    from lstm_core.config import TrainConfig
    from lstm_core.jobs import RunSnapshot
    from lstm_core.progress import History, TrainStart
    from ui.compare_training import run_state

    start = TrainStart(TrainConfig(epochs=3), "classification", "cpu", 100, 10, 2, 6)
    done = RunSnapshot("RNN", start=start, history=History(stop_reason="completed"))
    cut = RunSnapshot("GRU", start=start, history=History(stop_reason="stopped"))
    assert run_state(done, running=False, stop_requested=True) == "done"
    assert run_state(cut, running=False, stop_requested=True) == "stopped"
    assert run_state(None, running=False, stop_requested=True) == "not trained (stopped before its turn)"
    assert run_state(None, running=True, stop_requested=False) == "waiting for its turn"
    assert run_state(RunSnapshot("LSTM", start=start), running=True, stop_requested=True) == "stopping…"
    assert run_state(RunSnapshot("LSTM", start=start), running=True, stop_requested=False) == "training"
    assert cut.fraction < 1.0  # its bar no longer reads full


def test_between_two_models_the_detail_says_how_the_last_one_ended_not_done():
    from dataclasses import replace

    from lstm_core.config import ModelConfig, TrainConfig
    from lstm_core.jobs import RunSnapshot
    from lstm_core.progress import History, TrainStart
    from ui.compare_training import status_detail
    from ui.training_panel import _IDLE

    start = TrainStart(TrainConfig(epochs=3), "classification", "cpu", 100, 10, 2, 6)
    meta = ("compare", CompareSettings(), [(m, ModelConfig()) for m in ("RNN", "LSTM", "GRU")])

    def between(*reasons: str) -> str:
        runs = {m: RunSnapshot(m, start=start, history=History(stop_reason=r))
                for m, r in zip(("RNN", "LSTM"), reasons, strict=False)}
        return status_detail(meta, replace(_IDLE, status="running", run_ids=tuple(runs), runs=runs))

    assert between("diverged") == "RNN diverged; next: LSTM (model 2 of 3)"
    assert between("early_stopping") == "RNN done (early stopping); next: LSTM (model 2 of 3)"
    assert between("completed") == "RNN done; next: LSTM (model 2 of 3)"
    assert between("diverged", "completed") == "LSTM done; next: GRU (model 3 of 3)"


def test_the_results_table_and_the_status_line_say_how_a_run_ended_in_the_same_words():
    from lstm_core.compare import RunResult
    from lstm_core.config import ModelConfig
    from lstm_core.progress import History
    from ui.compare_view import results_frame
    from ui.training_panel import END_WORDS

    runs = [RunResult(m, ModelConfig(), None, History(stop_reason=r, elapsed=1.0), 0.5, 0.25, 100, 1.0)
            for m, r in (("RNN", "early_stopping"), ("LSTM", "max_steps"), ("GRU", "diverged"))]
    table = results_frame(CompareOutcome(CompareSettings(), runs, None, False, "data"))
    assert list(table["ended"]) == [END_WORDS[r] for r in ("early_stopping", "max_steps", "diverged")]
    assert END_WORDS["early_stopping"] == "done (early stopping)"


def test_a_log_loss_axis_over_decades_is_labelled_with_a_few_plain_numbers():
    from lstm_core.plots.compare import curves_figure, log_ticks

    assert log_ticks([0.7, 0.3, 0.03]) == pytest.approx([0.05, 0.1, 0.2, 0.5])
    assert log_ticks([1e-6, 1.0]) == pytest.approx([1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0])  # powers only
    assert log_ticks([0.034, 0.046]) is None  # under three ticks: plotly's own labels
    assert log_ticks([0.0, float("nan")]) is None
    fig = curves_figure({"RNN": ([0, 1, 2], [0.7, 0.1, 0.03])}, "Training loss", "loss", log_y=True)
    assert list(fig.layout.yaxis.ticktext) == ["0.05", "0.1", "0.2", "0.5"]
    flat = curves_figure({"RNN": ([0, 1], [0.034, 0.046])}, "Validation", "MSE", log_y=True)
    assert flat.layout.yaxis.tickvals is None and flat.layout.yaxis.type == "log"


def test_the_gradient_caption_promises_vanishing_only_where_the_input_is_long_enough():
    from ui.compare_view import gradient_caption

    assert "drops by orders of magnitude" in gradient_caption(100)
    short = gradient_caption(6)
    assert "over only 6 steps" in short and "long-memory task" in short
    assert "drops by orders of magnitude towards the start, so" not in short


def test_the_settings_upload_box_says_what_it_loads(open_page):
    at = open_page(PAGE)
    boxes = {u.proto.label: u.proto for u in at.get("file_uploader")}
    assert "Load settings (JSON)" in boxes
    assert boxes["Load settings (JSON)"].label_visibility.value == 0  # visible


def test_a_diverged_model_reads_as_on_every_page_and_all_diverged_is_an_error():
    from lstm_core.compare import RunResult
    from lstm_core.config import ModelConfig
    from lstm_core.progress import History
    from ui.compare_training import judge
    from ui.training_panel import DIVERGED

    def run(label: str, reason: str) -> RunResult:
        h = History(stop_reason=reason, message="Training diverged: the loss became NaN." if reason ==
                    "diverged" else "", elapsed=1.0)
        return RunResult(label, ModelConfig(), None, h, 0.25, 0.25, 100, 1.0)

    some = judge(CompareOutcome(CompareSettings(), [run("RNN", "diverged"), run("LSTM", "completed")], None,
                                False, "data"))
    assert some.level == "warning" and some.text == f"{DIVERGED}: RNN. 2 models trained in 2.0 s."
    assert some.details == (f"RNN: {DIVERGED}: the loss became NaN.",)  # "diverged" once
    every = judge(CompareOutcome(CompareSettings(), [run("RNN", "diverged"), run("GRU", "diverged")], None,
                                 False, "data"))
    assert every.level == "error" and every.text.startswith(f"{DIVERGED}: every model.")
    one = judge(CompareOutcome(CompareSettings(), [run("RNN", "diverged")], None, False, "data"))
    assert one.level == "error" and one.text == f"{DIVERGED}: RNN. 1 model trained in 1.0 s."
    fine = judge(CompareOutcome(CompareSettings(), [run("LSTM", "completed")], None, False, "data"))
    assert fine.level == "success" and fine.details == ()


def test_settings_that_would_train_for_hours_are_warned_about_but_may_train(open_page):
    at = open_page(PAGE)
    at.number_input(key="compare.length").set_value(500)
    at.number_input(key="compare.n_train").set_value(20_000)
    at.number_input(key="compare.hidden_size").set_value(512)
    at.number_input(key="compare.epochs").set_value(500)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(w.value.startswith("These settings would take very long") and
               w.value.endswith("That is the RNN alone; the 3 models train one after another.")
               for w in at.warning), [w.value for w in at.warning]
    assert not at.error and not at.button(key="compare.train").disabled
