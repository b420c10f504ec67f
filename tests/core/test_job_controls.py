"""Pause, Step, Resume and Stop of a job in a real worker process."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import torch
from torch import nn

from lstm_core.config import TrainConfig
from lstm_core.jobs import JobContext, TrainingJob
from lstm_core.progress import BatchProgress, Callback, History
from lstm_core.training import fit
from lstm_core.worker_pool import WorkerPool

WAIT = 60


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(1, spares=1, hard_stop_after=1.0)
    yield pool
    pool.close()


class Slow(Callback):
    def on_batch_end(self, progress: BatchProgress) -> None:
        time.sleep(0.01)


def train(ctx: JobContext, epochs: int) -> History:
    torch.manual_seed(0)
    x = torch.sin(torch.arange(64 * 6, dtype=torch.float32) * 0.3).reshape(64, 6, 1)
    y = x[:, -1] * 0.5
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 1))
    cfg = TrainConfig(epochs=epochs, batch_size=8, lr=1e-2, log_every=1, device="cpu")
    return fit(model, (x, y), (x[:16], y[:16]), cfg, callbacks=[ctx, Slow()], stop=ctx.stop_event)


def _until(condition, timeout: float = WAIT) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def _epochs(job: TrainingJob) -> int:
    return len(job.snapshot().epochs)


def _held(job: TrainingJob, seconds: float = 0.6) -> int:
    """The epoch count once it has stayed the same for ``seconds`` (the worker is holding)."""
    count, since = _epochs(job), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.05)
        if _epochs(job) != count:
            count, since = _epochs(job), time.monotonic()
    return count


def test_pause_holds_step_runs_one_epoch_resume_finishes(pool: WorkerPool) -> None:
    job = TrainingJob(train, (40,), pool=pool).start()
    _until(lambda: _epochs(job) >= 1)
    job.pause()
    assert job.snapshot().paused
    held = _held(job)
    step_before = job.snapshot().last_batch.step
    time.sleep(0.3)
    assert _epochs(job) == held and job.snapshot().last_batch.step == step_before  # nothing trains
    for _ in range(2):
        job.step()
        assert job.snapshot().stepping
        _until(lambda: not job.snapshot().stepping)
        assert _held(job) == held + 1  # exactly one more epoch, then it holds again
        held += 1
    assert job.snapshot().running and job.snapshot().paused
    job.resume()
    assert not job.snapshot().paused
    assert job.join(WAIT)
    result = job.snapshot().result
    assert result.stop_reason == "completed" and len(result.epochs) == 40


def test_stop_while_paused_ends_at_once_and_keeps_the_best_weights(pool: WorkerPool) -> None:
    job = TrainingJob(train, (40,), pool=pool).start()
    _until(lambda: _epochs(job) >= 2)
    job.pause()
    _held(job, 0.3)
    asked = time.monotonic()
    job.stop()
    assert job.join(WAIT)
    assert time.monotonic() - asked < 1.0  # a soft stop: the worker was not terminated
    snap = job.snapshot()
    assert snap.status == "done" and not snap.paused
    assert snap.result.stop_reason == "stopped" and snap.result.restored_best


def test_a_job_paused_before_it_gets_a_worker_starts_paused(pool: WorkerPool) -> None:
    job = TrainingJob(train, (40,), pool=pool)
    job.pause()  # before start: nothing to tell a worker yet, the job keeps it
    assert job.controls == (True, False)
    job.start()
    _until(lambda: job.snapshot().last_batch is not None)
    assert _held(job, 0.4) == 0  # holds after its first optimiser step, before any epoch ends
    job.resume()
    assert job.join(WAIT) and job.snapshot().result.stop_reason == "completed"


def train_then_judge(ctx: JobContext) -> History:
    history = train(ctx, 40)
    time.sleep(2.5)  # judging the result after training (the forecast page: baselines, intervals)
    return history


def test_a_stopped_job_that_takes_seconds_to_judge_its_result_still_keeps_it(pool: WorkerPool) -> None:
    job = TrainingJob(train_then_judge, pool=pool).start()
    _until(lambda: _epochs(job) >= 1)
    job.stop()
    assert job.join(WAIT)
    snap = job.snapshot()
    assert snap.status == "done", snap.message  # not ended hard after 1 s: training had stopped
    assert snap.result.stop_reason == "stopped"
