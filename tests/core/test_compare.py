"""Tests for comparing models on memory tasks: choices, equal-parameter sizing, compare, sweep."""

from __future__ import annotations

import threading

import pytest
import torch

from lstm_core.compare import (
    DEFAULTS,
    MODEL_CHOICES,
    CompareDefaults,
    compare_models,
    equal_parameter_sizes,
    model_choices,
    model_config,
    results_table,
)
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.introspection import gradient_over_time, inspect_lstm
from lstm_core.memory_tasks import MemoryTaskConfig, generate_task
from lstm_core.models import count_parameters
from lstm_core.progress import Callback
from lstm_core.sweep import sweep

TINY = MemoryTaskConfig(length=8, n_train=96, n_val=32, n_test=64, seed=0)
TRAIN = TrainConfig(epochs=2, batch_size=32, lr=1e-2, device="cpu")


def test_model_choices_map_to_configs():
    assert set(MODEL_CHOICES) == {"RNN", "LSTM", "LSTM-default", "GRU", "BiLSTM", "HandRNN"}
    runs = dict(model_choices(" RNN, LSTM,LSTM-default ,GRU,BiLSTM,HandRNN"))
    assert runs["LSTM"].forget_bias == DEFAULTS.forget_bias and runs["LSTM"].cell == "LSTM"
    assert runs["LSTM-default"].forget_bias is None
    assert runs["BiLSTM"].bidirectional and runs["BiLSTM"].cell == "LSTM"
    assert runs["HandRNN"].cell == "HandRNN" and runs["HandRNN"].num_layers == 1
    assert runs["GRU"].forget_bias is None  # an LSTM-only setting is not carried to other cells
    assert all(c.hidden_size == DEFAULTS.hidden_size for c in runs.values())
    assert model_config("GRU", CompareDefaults(hidden_size=7)).hidden_size == 7


@pytest.mark.parametrize(
    ("names", "message"),
    [("", "choose at least one model; valid: RNN, LSTM"), (" , ", "choose at least one model"),
     ([], "choose at least one model"), ("RNN,Transformer", "unknown model 'Transformer'; valid: RNN, LSTM"),
     ("LSTM,GRU,LSTM", "model LSTM is listed twice")],
)
def test_model_choices_errors(names, message):
    with pytest.raises(ValueError, match=message):
        model_choices(names)


def test_equal_parameter_sizes_within_five_percent():
    cfgs = [cfg for _, cfg in model_choices("RNN,LSTM,GRU,BiLSTM,HandRNN")]
    sizes = {"input_size": 6, "output_size": 4, "seq_len": 100}
    for budget in (5_000, 20_000, 100_000):
        sized = equal_parameter_sizes(cfgs, budget, **sizes)
        counts = [count_parameters(c, **sizes) for c in sized]
        assert all(abs(n - budget) <= 0.05 * budget for n in counts), (budget, counts)
        assert [c.cell for c in sized] == [c.cell for c in cfgs]
    sized = {c.cell + ("-bi" if c.bidirectional else ""): c.hidden_size
             for c in equal_parameter_sizes(cfgs, 20_000, **sizes)}
    # an LSTM has four gates' weights per unit, a GRU three, a plain RNN one: fewer units for the budget
    assert sized["RNN"] > sized["GRU"] > sized["LSTM"] > sized["LSTM-bi"]


def test_equal_parameter_sizes_rejects_a_bad_budget():
    with pytest.raises(ValueError, match="parameter budget must be a whole number >= 1"):
        equal_parameter_sizes([ModelConfig()], 0, input_size=1, output_size=1)


class _Record(Callback):
    def __init__(self, log, tag):
        self.log, self.tag = log, tag

    def on_epoch_end(self, progress):
        self.log.append((self.tag, progress.epoch))


def test_compare_models_trains_each_on_the_same_data_and_tags_callbacks():
    torch.set_num_threads(1)
    log: list = []
    runs = model_choices("RNN,LSTM,GRU")
    result = compare_models("temporal-order", TINY, runs, TRAIN,
                            callbacks_for=lambda label: [_Record(log, label)])
    assert [r.label for r in result.runs] == ["RNN", "LSTM", "GRU"]
    assert log == [(label, e) for label in ("RNN", "LSTM", "GRU") for e in (1, 2)]
    table = result.table()
    assert list(table.columns) == ["model", "test accuracy", "chance", "parameters", "seconds per epoch",
                                   "epochs run", "seconds", "ended"]
    assert table["test accuracy"].is_monotonic_decreasing and set(table["model"]) == {"RNN", "LSTM", "GRU"}
    assert (table["chance"] == 0.25).all() and (table["epochs run"] == 2).all()
    for r in result.runs:
        assert 0.0 <= r.metric <= 1.0 and r.seconds > 0
        assert r.parameters == sum(p.numel() for p in r.model.parameters())
    # the same seed gives the same result: a comparison is reproducible
    again = compare_models("temporal-order", TINY, runs[:1], TRAIN, data=result.data)
    assert again.runs[0].metric == result.runs[0].metric
    assert torch.equal(again.runs[0].model.head.weight, result.runs[0].model.head.weight)


def test_compare_on_the_adding_problem_reports_mse_and_baseline():
    result = compare_models("adding", TINY, model_choices("LSTM"), TRAIN)
    run = result.runs[0]
    assert run.baseline == pytest.approx(result.data.baseline) and 0 < run.baseline < 0.2
    table = results_table(result.runs, "mse")
    assert list(table.columns[:3]) == ["model", "test mse", "baseline MSE"]


def test_trained_models_open_up_for_introspection():
    result = compare_models("temporal-order", TINY, model_choices("LSTM,GRU"), TRAIN)
    lstm, gru = (r.model for r in result.runs)
    x, y = result.data.test[0][:8], result.data.test[1][:8]
    inspection = inspect_lstm(lstm, x)
    assert inspection.max_abs_diff < 1e-5
    assert inspection.trace.hidden.shape == (1, 1, 8, 8, DEFAULTS.hidden_size)
    norms = gradient_over_time(gru, x, y, torch.nn.CrossEntropyLoss())
    assert norms.shape == (8,) and (norms > 0).all()


def test_stop_skips_the_remaining_models():
    stop = threading.Event()

    class StopAfterFirstEpoch(Callback):
        def on_epoch_end(self, progress):
            stop.set()

    result = compare_models("temporal-order", TINY, model_choices("LSTM,GRU"), TRAIN,
                            callbacks_for=lambda label: [StopAfterFirstEpoch()], stop=stop)
    assert result.stopped and [r.label for r in result.runs] == ["LSTM"]


def test_compare_errors():
    with pytest.raises(ValueError, match="unknown task 'copy'"):
        compare_models("copy", TINY, model_choices("LSTM"), TRAIN)
    with pytest.raises(ValueError, match="choose at least one model"):
        compare_models("adding", TINY, [], TRAIN)
    with pytest.raises(ValueError, match="its own label"):
        compare_models("adding", TINY, [("a", ModelConfig()), ("a", ModelConfig(cell="GRU"))], TRAIN)
    data = generate_task("adding", TINY)
    with pytest.raises(ValueError, match="generated for 'adding', not 'temporal-order'"):
        compare_models("temporal-order", TINY, model_choices("LSTM"), TRAIN, data=data)


def test_sweep_reports_each_point_as_it_finishes():
    defaults = CompareDefaults(n_train=64, n_val=16, n_test=32, hidden_size=4)
    log: list = []
    result = sweep("first-symbol", [6, 3], model_choices("RNN,LSTM", defaults), TRAIN, defaults=defaults,
                   on_point=lambda p: log.append(("point", p.label, p.length)),
                   callbacks_for=lambda label, t: log.append(("start", label, t)) or [])
    assert result.lengths == (3, 6) and not result.stopped
    # each point is reported as soon as its model has trained, before the next one starts
    order = [(kind, label, t) for t in (3, 6) for label in ("RNN", "LSTM") for kind in ("start", "point")]
    assert log == order
    assert [(p.label, p.length) for p in result.points] == [("RNN", 3), ("LSTM", 3), ("RNN", 6), ("LSTM", 6)]
    series = result.series()
    assert [t for t, _ in series["LSTM"]] == [3, 6]
    assert all(p.baseline == 0.25 and p.epochs_run == 2 for p in result.points)


def test_sweep_stops_between_and_within_runs():
    defaults = CompareDefaults(n_train=64, n_val=16, n_test=32, hidden_size=4)
    stop = threading.Event()
    result = sweep("first-symbol", [3, 6], model_choices("RNN,LSTM", defaults), TRAIN, defaults=defaults,
                   on_point=lambda p: stop.set(), stop=stop)
    assert result.stopped and [(p.label, p.length) for p in result.points] == [("RNN", 3)]


@pytest.mark.parametrize(("lengths", "message"), [
    ([], "at least one sequence length"), ([10, 10], "each length once"),
    ([10, 1], "length must be a whole number in \\[2, 2,000\\]"), ([10, 10**6], "length must be"),
])
def test_sweep_errors(lengths, message):
    with pytest.raises(ValueError, match=message):
        sweep("temporal-order", lengths, model_choices("LSTM"), TRAIN)


def test_sweep_needs_models_with_their_own_labels():
    with pytest.raises(ValueError, match="choose at least one model, each with its own label"):
        sweep("temporal-order", [10], [], TRAIN)
    with pytest.raises(ValueError, match="its own label"):
        sweep("temporal-order", [10], [("a", ModelConfig()), ("a", ModelConfig())], TRAIN)


def test_defaults_are_valid_and_documented():
    cfg = DEFAULTS.train_config(seed=3)
    assert cfg.seed == 3 and cfg.epochs == DEFAULTS.epochs and cfg.lr == DEFAULTS.lr
    assert DEFAULTS.data_config(50).length == 50 and DEFAULTS.data_config().length == DEFAULTS.length
    assert len(DEFAULTS.lengths) == 5 and len(DEFAULTS.sweep_models) == 3
    assert "seed 1" in CompareDefaults.__doc__
