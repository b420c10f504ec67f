"""fit(): learning, seeding, callbacks, stopping, clipping, divergence, devices, batching."""

from __future__ import annotations

import dataclasses
import math
import threading
import time

import pytest
import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.models import build_model
from lstm_core.progress import (
    BatchProgress,
    Callback,
    EpochProgress,
    EvalPoint,
    History,
    StopTraining,
    TrainStart,
)
from lstm_core.tasks import CLASSIFICATION, REGRESSION
from lstm_core.training import evaluate, fit, predict, resolve_device, seed_everything, seeded

CELLS = ["RNN", "LSTM", "GRU"]
SEQ, HIDDEN = 8, 6




def sine_windows(n: int = 96, seq_len: int = SEQ, offset: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Windows of a sine wave and the value that follows each window."""
    t = torch.arange(n + seq_len, dtype=torch.float32) * 0.3 + offset
    s = torch.sin(t)
    x = torch.stack([s[k : k + seq_len] for k in range(n)])[:, :, None]
    y = s[seq_len : seq_len + n][:, None]
    return x, y


def model(cell: str = "LSTM", output_size: int = 1, input_size: int = 1, **kw: object) -> nn.Module:
    seed_everything(0)
    cfg = ModelConfig(cell=cell, hidden_size=HIDDEN, num_layers=1, **kw)
    return build_model(cfg, input_size=input_size, output_size=output_size, seq_len=SEQ)


def cfg(**kw: object) -> TrainConfig:
    base = {"epochs": 3, "batch_size": 16, "lr": 1e-2, "log_every": 1, "device": "cpu"}
    return TrainConfig(**{**base, **kw})


class Recorder(Callback):
    """Keeps every hook call in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def on_train_start(self, info: TrainStart) -> None:
        self.calls.append(("start", info))

    def on_batch_end(self, progress: BatchProgress) -> None:
        self.calls.append(("batch", progress))

    def on_eval(self, point: EvalPoint) -> None:
        self.calls.append(("eval", point))

    def on_epoch_end(self, progress: EpochProgress) -> None:
        self.calls.append(("epoch", progress))

    def on_train_end(self, history: History) -> None:
        self.calls.append(("end", history))

    def of(self, kind: str) -> list:
        return [arg for name, arg in self.calls if name == kind]


def weights(m: nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in m.parameters()]


def test_seeded_builds_in_concurrent_threads_get_their_own_seed_s_weights() -> None:
    """A server's sessions are threads sharing torch's generator: each must still get its seed's weights."""
    model_cfg = ModelConfig(cell="LSTM", hidden_size=32, num_layers=2)

    def build(seed: int) -> list[torch.Tensor]:
        with seeded(seed):
            return weights(build_model(model_cfg, input_size=1, output_size=1))

    expected = {seed: build(seed) for seed in range(4)}
    got: dict[int, list[list[torch.Tensor]]] = {seed: [] for seed in expected}
    threads = [threading.Thread(target=lambda s=seed: got[s].extend(build(s) for _ in range(15)))
               for seed in expected]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed, builds in got.items():
        assert len(builds) == 15
        for w in builds:
            assert all(torch.equal(a, b) for a, b in zip(w, expected[seed], strict=True)), f"seed {seed}"


def all_finite(m: nn.Module) -> bool:
    return all(torch.isfinite(p).all() for p in m.parameters())


# --- learning and reproducibility ---------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS)
def test_loss_decreases_on_a_sine(cell: str) -> None:
    m = model(cell)
    history = fit(m, sine_windows(), sine_windows(32, offset=50.0), cfg(epochs=8, lr=2e-2))
    assert history.stop_reason == "completed"
    assert len(history.epochs) == 8
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.val_loss[-1] < history.val_loss[0]


@pytest.mark.parametrize("cell", CELLS)
def test_seeded_runs_repeat_exactly(cell: str) -> None:
    runs = []
    for _ in range(2):
        m = model(cell)
        h = fit(m, sine_windows(), sine_windows(32), cfg(epochs=2, seed=7))
        runs.append((h.train_loss, h.val_loss, weights(m)))
    assert runs[0][0] == runs[1][0] and runs[0][1] == runs[1][1]
    for a, b in zip(runs[0][2], runs[1][2], strict=True):
        assert torch.equal(a, b)


def test_seeded_runs_with_dropout_repeat_and_other_seed_differs() -> None:
    def run(seed: int) -> list[float]:
        seed_everything(0)
        m = build_model(ModelConfig(cell="GRU", hidden_size=HIDDEN, num_layers=2, dropout=0.5),
                        input_size=1, output_size=1)
        return fit(m, sine_windows(), None, cfg(epochs=2, seed=seed)).train_loss

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_fit_puts_model_in_eval_mode_and_predict_restores_mode() -> None:
    m = model()
    fit(m, sine_windows(32), None, cfg(epochs=1))
    assert not m.training
    m.train()
    out = predict(m, sine_windows(5)[0], batch_size=2)
    assert out.shape == (5, 1) and m.training


# --- callbacks ----------------------------------------------------------------------------------


def test_callbacks_get_frozen_records_in_order_and_counts() -> None:
    rec = Recorder()
    x, y = sine_windows(40)  # 40 / 16 -> 3 batches per epoch
    history = fit(model(), (x, y), sine_windows(16), cfg(epochs=2, log_every=1), callbacks=[rec])

    kinds = [name for name, _ in rec.calls]
    assert kinds == ["start", "batch", "batch", "batch", "epoch", "batch", "batch", "batch", "epoch", "end"]
    start = rec.of("start")[0]
    assert (start.n_train, start.n_val, start.steps_per_epoch, start.total_steps) == (40, 16, 3, 6)
    assert start.device == "cpu" and start.task == "regression"

    batches = rec.of("batch")
    assert [b.step for b in batches] == [1, 2, 3, 4, 5, 6]
    assert [b.epoch for b in batches] == [1, 1, 1, 2, 2, 2]
    assert all(b.total_steps == 6 and math.isfinite(b.loss) and b.elapsed >= 0 for b in batches)
    assert batches[-1].eta == pytest.approx(0.0)
    assert all(b.eta >= 0 for b in batches)

    epochs = rec.of("epoch")
    assert [(e.epoch, e.epochs, e.step) for e in epochs] == [(1, 2, 3), (2, 2, 6)]
    assert all(e.val_loss is not None and e.train_loss > 0 for e in epochs)
    assert epochs[1].elapsed >= epochs[0].elapsed
    assert rec.of("end")[0] is history
    assert list(history.epochs) == epochs

    for record, name in ((start, "n_train"), (batches[0], "loss"), (epochs[0], "val_loss")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, name, 0.0)
    with pytest.raises(TypeError):
        epochs[0].metrics["x"] = 1.0  # type: ignore[index]


def test_log_every_thins_batch_callbacks() -> None:
    rec = Recorder()
    fit(model(), sine_windows(64), None, cfg(epochs=2, log_every=3), callbacks=[rec])  # 4 steps/epoch
    # step 1 too, so a page shows life at once, and each epoch's last step, before its epoch record
    assert [b.step for b in rec.of("batch")] == [1, 3, 4, 6, 8]


def test_the_step_training_ends_on_is_reported_once_and_before_the_epoch_record() -> None:
    rec = Recorder()
    fit(model(), sine_windows(64), None, cfg(epochs=3, log_every=3, max_steps=5), callbacks=[rec])
    assert [(b.epoch, b.step) for b in rec.of("batch")] == [(1, 1), (1, 3), (1, 4), (2, 5)]
    assert [kind for kind, _ in rec.calls][-2:] == ["epoch", "end"]  # a progress line ends on the epoch
    rec = Recorder()
    fit(model(), sine_windows(64), None, cfg(epochs=2, log_every=4), callbacks=[rec])
    assert [b.step for b in rec.of("batch")] == [1, 4, 8]  # already reported: not twice


def test_a_run_stopped_mid_epoch_reports_its_last_step_with_nothing_left() -> None:
    stop = threading.Event()

    class StopAtThree(Callback):
        def on_eval(self, point: EvalPoint) -> None:
            stop.set()  # at step 3, which log_every=2 does not report: the run ends there

    rec = Recorder()
    fit(model(), sine_windows(64), None, cfg(epochs=3, log_every=2, eval_every=3),
        callbacks=[StopAtThree(), rec], stop=stop)
    last = rec.of("batch")[-1]
    assert last.step == 3 and last.eta == 0.0 and not rec.of("epoch")


def test_monitor_names_cannot_shadow_train_or_validation_metrics() -> None:
    x, y = sine_windows(12)
    with pytest.raises(ValueError, match="monitor name 'val' would overwrite the val_\\* metrics"):
        fit(model(), (x, y), None, cfg(epochs=1), monitor={"val": (x, y)})


def test_callback_with_only_some_hooks_is_fine() -> None:
    class OnlyEpochs:
        def __init__(self) -> None:
            self.n = 0

        def on_epoch_end(self, progress: EpochProgress) -> None:
            self.n += 1

    cb = OnlyEpochs()
    fit(model(), sine_windows(32), None, cfg(epochs=2), callbacks=[cb])
    assert cb.n == 2


def test_callback_returning_true_stops_after_that_epoch() -> None:
    class StopAt2(Callback):
        def on_epoch_end(self, progress: EpochProgress) -> bool:
            return progress.epoch == 2

    history = fit(model(), sine_windows(32), None, cfg(epochs=5), callbacks=[StopAt2()])
    assert history.stop_reason == "stopped" and len(history.epochs) == 2
    assert "epoch 2" in history.message


def test_stop_training_exception_from_a_callback() -> None:
    class Raise(Callback):
        def on_batch_end(self, progress: BatchProgress) -> None:
            if progress.step == 2:
                raise StopTraining("enough")

    history = fit(model(), sine_windows(64), None, cfg(epochs=3), callbacks=[Raise()])
    assert history.stop_reason == "stopped" and history.message == "enough"
    assert history.epochs == []


# --- stop requests ------------------------------------------------------------------------------


def test_stop_event_set_from_a_callback_ends_within_one_batch() -> None:
    stop = threading.Event()

    class StopAfter(Recorder):
        def on_batch_end(self, progress: BatchProgress) -> None:
            super().on_batch_end(progress)
            if progress.step == 3:
                stop.set()

    rec = StopAfter()
    x, y = sine_windows(160)  # 10 batches per epoch
    history = fit(model(), (x, y), None, cfg(epochs=5), callbacks=[rec], stop=stop)
    assert history.stop_reason == "stopped"
    assert [b.step for b in rec.of("batch")] == [1, 2, 3]
    assert "step 3" in history.message
    assert rec.calls[-1][0] == "end"


def test_stop_event_from_another_thread() -> None:
    stop = threading.Event()
    reached = threading.Event()
    resume = threading.Event()

    class Gate(Recorder):
        def on_batch_end(self, progress: BatchProgress) -> None:
            super().on_batch_end(progress)
            if progress.step == 2:
                reached.set()
                assert resume.wait(10)

    def other() -> None:
        assert reached.wait(10)
        stop.set()
        resume.set()

    helper = threading.Thread(target=other)
    helper.start()
    rec = Gate()
    history = fit(model(), sine_windows(160), None, cfg(epochs=5), callbacks=[rec], stop=stop)
    helper.join(10)
    assert not helper.is_alive()
    assert history.stop_reason == "stopped"
    assert [b.step for b in rec.of("batch")] == [1, 2]


def test_stop_already_set_runs_at_most_one_batch() -> None:
    stop = threading.Event()
    stop.set()
    rec = Recorder()
    history = fit(model(), sine_windows(64), None, cfg(epochs=3), callbacks=[rec], stop=stop)
    assert history.stop_reason == "stopped" and len(rec.of("batch")) == 1


# --- early stopping and best weights ------------------------------------------------------------


class NoisyVal(Callback):
    """Replaces nothing: only records the weights at each epoch end."""

    def __init__(self, m: nn.Module) -> None:
        self.m, self.snapshots = m, []

    def on_epoch_end(self, progress: EpochProgress) -> None:
        self.snapshots.append(weights(self.m))


@pytest.mark.parametrize("cell", CELLS)
def test_early_stopping_restores_best_weights(cell: str) -> None:
    # Validation on a different wave than training: the model gets worse on it as it fits the train set.
    x, y = sine_windows(64)
    val = (sine_windows(32, offset=1.0)[0], -sine_windows(32, offset=1.0)[1])
    m = model(cell)
    snaps = NoisyVal(m)
    history = fit(m, (x, y), val, cfg(epochs=30, patience=2, lr=3e-2), callbacks=[snaps])
    assert history.stop_reason == "early_stopping"
    best = history.best_epoch
    assert len(history.epochs) == best + 2
    assert history.best_loss == min(history.val_loss)
    assert history.val_loss[best - 1] == history.best_loss
    assert "no improvement for 2 epochs" in history.message
    assert history.restored_best
    for a, b in zip(weights(m), snaps.snapshots[best - 1], strict=True):
        assert torch.equal(a, b)
    assert evaluate(m, *val, REGRESSION)[0] == pytest.approx(history.best_loss, rel=1e-5)


def test_restore_best_false_keeps_last_weights() -> None:
    x, y = sine_windows(64)
    val = (sine_windows(32, offset=1.0)[0], -sine_windows(32, offset=1.0)[1])
    m = model()
    snaps = NoisyVal(m)
    history = fit(m, (x, y), val, cfg(epochs=30, patience=2, lr=3e-2, restore_best=False), callbacks=[snaps])
    assert history.stop_reason == "early_stopping" and not history.restored_best
    for a, b in zip(weights(m), snaps.snapshots[-1], strict=True):
        assert torch.equal(a, b)


def test_min_delta_counts_small_improvements_as_none() -> None:
    history = fit(model(), sine_windows(64), sine_windows(32), cfg(epochs=10, patience=1, min_delta=1e6))
    assert history.stop_reason == "early_stopping"
    assert history.best_epoch == 1 and len(history.epochs) == 2


def test_without_validation_the_best_epoch_follows_training_loss() -> None:
    history = fit(model(), sine_windows(64), None, cfg(epochs=4))
    assert history.val_loss == [None] * 4
    assert history.best_loss == min(history.train_loss)


# --- gradient clipping and divergence -----------------------------------------------------------


def _big_regression() -> tuple[torch.Tensor, torch.Tensor]:
    x, y = sine_windows(64)
    return x * 100, y * 1e4


def test_grad_clip_is_applied() -> None:
    norms: list[float] = []

    m = model()
    # Measure the gradient norm that reaches the optimiser via a hook on its step.
    def pre_step(opt: torch.optim.Optimizer, args: object, kwargs: object) -> None:
        grads = [p.grad for g in opt.param_groups for p in g["params"] if p.grad is not None]
        norms.append(float(torch.linalg.vector_norm(torch.stack([g.norm() for g in grads]))))

    handle = register_optimizer_step_pre_hook(pre_step)
    try:
        fit(m, _big_regression(), None, cfg(epochs=1, grad_clip=0.5, optimizer="sgd", lr=1e-6))
        clipped = list(norms)
        norms.clear()
        fit(model(), _big_regression(), None, cfg(epochs=1, grad_clip=None, optimizer="sgd", lr=1e-6))
        unclipped = list(norms)
    finally:
        handle.remove()
    assert len(clipped) == 4 and max(clipped) <= 0.5 + 1e-4
    assert max(unclipped) > 10


@pytest.mark.parametrize("cell", CELLS)
def test_divergence_ends_with_a_message_and_finite_weights(cell: str) -> None:
    m = model(cell)
    history = fit(m, _big_regression(), None, cfg(epochs=5, optimizer="sgd", lr=10.0, grad_clip=None))
    assert history.stop_reason == "diverged"
    assert "Lower the learning rate" in history.message and "10" in history.message
    assert all_finite(m)


def test_huge_lr_with_clipping_stays_finite() -> None:
    m = model("GRU")
    history = fit(m, _big_regression(), None, cfg(epochs=2, optimizer="sgd", lr=1e-3, grad_clip=1.0))
    assert history.stop_reason == "completed"
    assert all(math.isfinite(v) for v in history.train_loss)


def test_a_run_that_gets_worse_without_nan_is_flagged() -> None:
    # Adam at lr 10 with clipping: the loss never turns NaN, it just climbs far above its start.
    history = fit(model("LSTM"), sine_windows(), None, cfg(epochs=4, lr=10.0, grad_clip=1.0))
    assert history.stop_reason == "completed"
    assert history.train_loss[-1] > 3 * history.first_loss
    assert history.warning.startswith("Training went wrong: the training loss ended at")
    assert "Lower the learning rate (now 10)." in history.warning


@pytest.mark.parametrize("cell", CELLS)
def test_a_healthy_run_has_no_warning(cell: str) -> None:
    history = fit(model(cell), sine_windows(), None, cfg(epochs=4, lr=2e-2))
    assert history.first_loss > 0 and history.warning == ""


def test_divergence_after_a_good_epoch_restores_finite_weights() -> None:
    """A run that was fine for an epoch and then blew up ends on the good epoch's weights."""
    x, y = sine_windows(64)

    class Poison(Callback):
        def __init__(self, m: nn.Module) -> None:
            self.m = m

        def on_epoch_end(self, progress: EpochProgress) -> None:
            if progress.epoch == 1:
                with torch.no_grad():
                    next(self.m.parameters()).fill_(float("nan"))

    for restore in (True, False):
        m = model()
        history = fit(m, (x, y), None, cfg(epochs=3, restore_best=restore), callbacks=[Poison(m)])
        assert history.stop_reason == "diverged", restore
        assert "Lower the learning rate" in history.message
        assert all_finite(m), f"restore_best={restore} left NaN weights"


def test_nan_in_validation_loss_is_divergence() -> None:
    x, y = sine_windows(32)
    vx, vy = sine_windows(16)
    vy[0, 0] = float("inf")
    history = fit(model(), (x, y), (vx, vy), cfg(epochs=2))
    assert history.stop_reason == "diverged" and "validation" in history.message


# --- devices, data checks -----------------------------------------------------------------------


def test_auto_device_is_cpu_here() -> None:
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert resolve_device("auto") == torch.device("cpu")
    history = fit(model(), sine_windows(16), None, cfg(epochs=1, device="auto"))
    assert history.device == "cpu"


def test_cuda_without_cuda_raises_clearly() -> None:
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="CUDA is not available"):
        fit(model(), sine_windows(16), None, cfg(epochs=1, device="cuda:0"))


def test_bad_data_shapes_raise() -> None:
    x, y = sine_windows(16)
    with pytest.raises(ValueError, match=r"\(samples, seq_len, features\)"):
        fit(model(), (x[:, :, 0], y), None, cfg())
    with pytest.raises(ValueError, match="16 inputs but 15 targets"):
        fit(model(), (x, y[:15]), None, cfg())
    with pytest.raises(ValueError, match="no samples"):
        fit(model(), (x[:0], y[:0]), None, cfg())
    with pytest.raises(ValueError, match="unknown task"):
        fit(model(), (x, y), None, cfg(), task="ranking")  # type: ignore[arg-type]


def test_empty_validation_is_treated_as_none() -> None:
    x, y = sine_windows(16)
    history = fit(model(), (x, y), (x[:0], y[:0]), cfg(epochs=1))
    assert history.val_loss == [None]


# --- batching, max_steps, eval_every ------------------------------------------------------------


@pytest.mark.parametrize(("n", "batch_size"), [(1, 4), (10, 3), (64, 16), (65, 16), (10_000, 4096)])
def test_batch_count_is_ceil_n_over_batch_size(n: int, batch_size: int) -> None:
    rec = Recorder()
    x = torch.zeros(n, 2, 1)
    y = torch.zeros(n, 1)
    seed_everything(0)
    tiny = build_model(ModelConfig(cell="RNN", hidden_size=2, num_layers=1), input_size=1, output_size=1)
    fit(tiny, (x, y), None, cfg(epochs=1, batch_size=batch_size), callbacks=[rec])
    assert len(rec.of("batch")) == math.ceil(n / batch_size)
    assert rec.of("start")[0].steps_per_epoch == math.ceil(n / batch_size)


def test_train_loss_is_the_sample_weighted_mean_when_not_shuffled() -> None:
    x, y = sine_windows(20)
    m = model()
    rec = Recorder()
    # lr tiny: the weights barely move, so each batch loss is the loss of the initial model.
    slow = cfg(epochs=1, batch_size=8, shuffle=False, optimizer="sgd", lr=1e-12)
    fit(m, (x, y), None, slow, callbacks=[rec])
    losses = [b.loss for b in rec.of("batch")]
    expected = (losses[0] * 8 + losses[1] * 8 + losses[2] * 4) / 20
    assert rec.of("epoch")[0].train_loss == pytest.approx(expected, rel=1e-6)


def test_max_steps_and_eval_every_seed_000_style() -> None:
    # Seed 000 trains 3,000 steps and evaluates every 500; here 30 steps, every 5, on 7 steps/epoch.
    rec = Recorder()
    x, y = sine_windows(28)
    history = fit(
        model(), (x, y), sine_windows(8), cfg(epochs=100, batch_size=4, max_steps=30, eval_every=5),
        callbacks=[rec],
    )
    assert history.stop_reason == "max_steps" and "30" in history.message
    assert rec.of("start")[0].total_steps == 30
    assert rec.of("batch")[-1].step == 30
    evals = history.evals
    assert [p.step for p in evals] == [5, 10, 15, 20, 25, 30]
    assert [p.epoch for p in evals] == [1, 2, 3, 3, 4, 5]
    assert rec.of("eval") == evals
    assert all(p.val_loss is not None and math.isfinite(p.train_loss) for p in evals)
    assert len(history.epochs) == 5 and history.epochs[-1].step == 30
    # on_eval fires after that step's batch callback and before the epoch callback.
    kinds = [(n, getattr(a, "step", None)) for n, a in rec.calls]
    assert kinds.index(("eval", 5)) == kinds.index(("batch", 5)) + 1


def test_eval_point_train_loss_is_the_mean_since_the_previous_evaluation() -> None:
    """eval_every longer than an epoch: the mean must cover batches of the previous epoch too."""
    rec = Recorder()
    x, y = sine_windows(12)
    fit(model(), (x, y), None,
        cfg(epochs=4, batch_size=4, eval_every=5, shuffle=False, optimizer="sgd", lr=1e-12), callbacks=[rec])
    losses = {b.step: b.loss for b in rec.of("batch")}
    evals = rec.of("eval")
    assert [p.step for p in evals] == [5, 10]
    assert evals[0].train_loss == pytest.approx(sum(losses[s] for s in range(1, 6)) / 5, rel=1e-6)
    assert evals[1].train_loss == pytest.approx(sum(losses[s] for s in range(6, 11)) / 5, rel=1e-6)


# --- classification -----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELLS)
def test_classification_reports_accuracy(cell: str) -> None:
    # Class = sign of the sequence's mean: learnable in a few epochs.
    g = torch.Generator().manual_seed(0)
    x = torch.randn(96, 5, 2, generator=g)
    y = (x.mean(dim=(1, 2)) > 0).long()
    m = model(cell, output_size=2, input_size=2)
    history = fit(m, (x[:64], y[:64]), (x[64:], y[64:]), cfg(epochs=6, eval_every=4, lr=3e-2),
                  task=CLASSIFICATION)
    first, last = history.epochs[0].metrics, history.epochs[-1].metrics
    assert set(last) == {"train_accuracy", "val_accuracy"}
    assert all(0.0 <= v <= 1.0 for v in last.values())
    assert last["train_accuracy"] >= first["train_accuracy"]
    assert last["val_accuracy"] > 0.6
    assert set(history.evals[0].metrics) == {"val_accuracy"}
    loss, metrics = evaluate(m, x[64:], y[64:], CLASSIFICATION)
    right = predict(m, x[64:]).argmax(1) == y[64:]
    assert metrics["accuracy"] == pytest.approx(float(right.float().mean()))
    assert math.isfinite(loss)


def test_monitored_data_is_scored_but_never_chooses() -> None:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(96, 5, 2, generator=g)
    y = (x.mean(dim=(1, 2)) > 0).long()
    settings = cfg(epochs=5, eval_every=4, lr=3e-2, patience=2)

    def run(watch: torch.Tensor) -> tuple[History, nn.Module]:
        m = model("GRU", output_size=2, input_size=2)
        return fit(m, (x[:64], y[:64]), (x[64:80], y[64:80]), settings, task=CLASSIFICATION,
                   monitor={"test": (watch, y[80:])}), m

    history, m = run(x[80:])
    loss, metrics = evaluate(m, x[80:], y[80:], CLASSIFICATION)
    kept = history.epochs[history.best_epoch - 1].metrics
    assert (kept["test_loss"], kept["test_accuracy"]) == pytest.approx((loss, metrics["accuracy"]))
    assert set(history.evals[0].metrics) == {"val_accuracy", "test_loss", "test_accuracy"}
    # Garbage test data changes the test scores only: the same epochs run and the same one is kept.
    other, _ = run(torch.full_like(x[80:], 50.0))
    assert (other.val_loss, other.best_epoch, other.stop_reason) == (history.val_loss, history.best_epoch,
                                                                     history.stop_reason)
    assert other.epochs[-1].metrics["test_loss"] != history.epochs[-1].metrics["test_loss"]


def test_monitored_data_is_checked_like_the_rest() -> None:
    x, y = sine_windows(12)
    with pytest.raises(ValueError, match="test has 12 inputs but 3 targets"):
        fit(model(), (x, y), None, cfg(epochs=1), monitor={"test": (x, y[:3])})


def test_train_accuracy_counts_every_sample() -> None:
    x = torch.randn(10, 3, 1)
    y = torch.zeros(10, dtype=torch.long)
    m = model("GRU", output_size=2)
    with torch.no_grad():
        m.head.bias.copy_(torch.tensor([100.0, -100.0]))  # always predicts class 0
    slow = cfg(epochs=1, batch_size=4, optimizer="sgd", lr=1e-12)
    history = fit(m, (x, y), None, slow, task=CLASSIFICATION)
    assert history.epochs[0].metrics["train_accuracy"] == 1.0


def test_fit_flushes_subnormal_floats_to_zero_while_it_trains() -> None:
    """Weight decay can drive unused weights subnormal, and CPU arithmetic on them can be very slow."""
    seen = []

    class Probe(Callback):
        def on_epoch_end(self, progress: EpochProgress) -> None:
            seen.append(float(torch.tensor([1e-39]) * 1.0))  # subnormal in float32

    x, y = sine_windows(16)
    fit(model(), (x, y), None, cfg(epochs=1), callbacks=[Probe()])
    assert seen == [0.0]
    assert float(torch.tensor([1e-39]) * 1.0) > 0.0  # the caller's arithmetic is left as it was


def test_time_held_at_the_stop_check_is_not_training_time() -> None:
    """A worker's pause gate holds a run inside the stop check: that wait is not counted."""

    class Gate:  # held paused for 0.3 s once, like a Pause then Resume
        held = False

        def is_set(self) -> bool:
            if not self.held:
                self.held = True
                time.sleep(0.3)
            return False

    x, y = sine_windows(32)
    start = time.perf_counter()
    history = fit(model(), (x, y), None, cfg(epochs=1), stop=Gate())  # type: ignore[arg-type]
    wall = time.perf_counter() - start
    assert history.elapsed <= wall - 0.3
