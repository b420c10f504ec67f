"""TrainingJob: a background thread that records fit() progress for a page to poll."""

from __future__ import annotations

import threading

import pytest
import torch

from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.jobs import JobContext, TrainingJob
from lstm_core.models import build_model
from lstm_core.progress import BatchProgress, Callback, History
from lstm_core.training import fit, seed_everything

WAIT = 30  # seconds: generous, only to fail rather than hang on a broken job




def _data(n: int = 48) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.arange(n + 6, dtype=torch.float32) * 0.3
    s = torch.sin(t)
    return torch.stack([s[k : k + 6] for k in range(n)])[:, :, None], s[6 : 6 + n, None]


def _train(ctx: JobContext, epochs: int = 3, extra: tuple = (), **kw: object) -> History:
    seed_everything(0)
    model = build_model(ModelConfig(cell="GRU", hidden_size=4, num_layers=1), input_size=1, output_size=1)
    base = {"epochs": epochs, "batch_size": 16, "lr": 1e-2, "log_every": 1, "device": "cpu"}
    cfg = TrainConfig(**{**base, **kw})
    return fit(model, _data(), _data(16), cfg, callbacks=[ctx, *extra], stop=ctx.stop_event)


def _run(target, name: str = "test") -> TrainingJob:  # type: ignore[no-untyped-def]
    job = TrainingJob(target, name=name).start()
    assert job.join(WAIT), "the job thread did not end"
    return job


def test_a_job_runs_its_target_and_records_progress() -> None:
    job = _run(_train)
    snap = job.snapshot()
    assert snap.status == "done" and not snap.running and snap.error is None
    assert isinstance(snap.result, History) and snap.result.stop_reason == "completed"
    assert snap.history is snap.result
    assert [e.epoch for e in snap.epochs] == [1, 2, 3]
    assert snap.start is not None and snap.start.total_steps == 9
    assert snap.last_batch is not None and snap.last_batch.step == 9
    assert snap.fraction == 1.0
    assert snap.started_at is not None and snap.finished_at is not None
    assert snap.finished_at >= snap.started_at and snap.elapsed >= 0
    assert not snap.stop_requested
    assert not any(t.name == "lstm-studio-test" for t in threading.enumerate())


def test_an_early_stopped_job_shows_how_far_it_got() -> None:
    class StopAfterTwo(Callback):
        def on_epoch_end(self, progress):  # type: ignore[no-untyped-def]
            return progress.epoch == 2

    snap = _run(lambda ctx: _train(ctx, epochs=6, extra=(StopAfterTwo(),))).snapshot()
    assert snap.status == "done" and snap.history is not None and snap.history.stop_reason == "stopped"
    assert snap.fraction == pytest.approx(2 / 6)  # not a full bar: 6 epochs were planned


def test_a_new_job_is_pending_with_nothing_done() -> None:
    snap = TrainingJob(lambda ctx: None).snapshot()
    assert snap.status == "pending" and snap.running
    assert snap.fraction == 0.0 and snap.elapsed == 0.0 and snap.epochs == ()


def test_snapshots_are_consistent_copies_while_the_job_runs() -> None:
    paused, resume = threading.Event(), threading.Event()

    class Pause(Callback):
        def on_batch_end(self, progress: BatchProgress) -> None:
            if progress.step == 4:  # epoch 1 (3 batches) has ended
                paused.set()
                assert resume.wait(WAIT)

    job = TrainingJob(lambda ctx: _train(ctx, extra=(Pause(),))).start()
    try:
        assert paused.wait(WAIT)
        snap = job.snapshot()
        assert snap.status == "running" and snap.running
        assert len(snap.epochs) == 1 and snap.last_batch is not None and snap.last_batch.step == 4
        assert snap.fraction == pytest.approx(4 / 9)
        assert snap.history is None and snap.result is None
        again = job.snapshot()
        assert again.version == snap.version  # nothing changed while paused
    finally:
        resume.set()
    assert job.join(WAIT)
    final = job.snapshot()
    assert final.version > snap.version
    assert len(snap.epochs) == 1 and len(final.epochs) == 3  # the earlier copy did not grow


def test_stop_ends_the_job_between_batches() -> None:
    reached, resume = threading.Event(), threading.Event()

    class Pause(Callback):
        def on_batch_end(self, progress: BatchProgress) -> None:
            if progress.step == 2:
                reached.set()
                assert resume.wait(WAIT)

    job = TrainingJob(lambda ctx: _train(ctx, epochs=50, extra=(Pause(),))).start()
    assert reached.wait(WAIT)
    job.stop()
    assert job.snapshot().stop_requested
    resume.set()
    assert job.join(WAIT)
    snap = job.snapshot()
    assert snap.status == "done"
    assert snap.result.stop_reason == "stopped"
    assert snap.last_batch.step == 2
    assert snap.stop_requested


def test_a_value_error_fails_the_job_with_its_message() -> None:
    def target(ctx: JobContext) -> None:
        raise ValueError("seq_len 30 is too long for 20 rows")

    snap = _run(target).snapshot()
    assert snap.status == "failed" and not snap.running
    assert snap.error == "seq_len 30 is too long for 20 rows"
    assert snap.result is None and snap.finished_at is not None


def test_another_exception_is_reported_as_an_internal_error() -> None:
    def target(ctx: JobContext) -> None:
        raise KeyError("weights")

    snap = _run(target).snapshot()
    assert snap.status == "failed"
    assert snap.error is not None
    assert snap.error.startswith("Training failed with an internal error: KeyError")
    assert "weights" in snap.error
    assert "Traceback" not in snap.error


def test_a_config_error_inside_the_target_reaches_the_user() -> None:
    snap = _run(lambda ctx: _train(ctx, lr=-1.0)).snapshot()
    assert snap.status == "failed" and "lr (learning rate) must be > 0" in snap.error


def test_publish_shares_live_values() -> None:
    def target(ctx: JobContext) -> str:
        ctx.publish("predictions", [1.0, 2.0])
        ctx.publish("epoch", 1)
        ctx.publish("epoch", 2)
        return "ok"

    job = _run(target)
    snap = job.snapshot()
    assert snap.published == {"predictions": [1.0, 2.0], "epoch": 2}
    assert snap.result == "ok"
    snap.published["epoch"] = 99  # a snapshot's dict is a copy: the job's own is untouched
    assert job.snapshot().published["epoch"] == 2


def test_version_increases_with_each_change() -> None:
    job = TrainingJob(lambda ctx: ctx.publish("x", 1))
    v0 = job.snapshot().version
    job.start()
    assert job.join(WAIT)
    assert job.snapshot().version >= v0 + 4  # started_at, running, publish, finished
