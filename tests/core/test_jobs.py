"""TrainingJob in real worker processes: streaming, several runs, stop, death, queue, reaper."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
import torch
from torch import nn

from lstm_core.config import TrainConfig
from lstm_core.jobs import STOPPED_UNSTARTED, EndedJob, JobContext, TrainingJob
from lstm_core.progress import BatchProgress, Callback, History
from lstm_core.training import fit
from lstm_core.worker_pool import WorkerPool, pool_size

WAIT = 60  # seconds: generous, only to fail rather than hang on a broken job


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(2, spares=1, hard_stop_after=1.0)  # one pool for the module: spawning costs seconds
    yield pool
    pool.close()


class Tiny(nn.Module):
    def __init__(self, hidden: int = 4) -> None:
        super().__init__()
        self.rnn, self.head = nn.GRU(1, hidden, batch_first=True), nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1])


def _data(n: int = 48) -> tuple[torch.Tensor, torch.Tensor]:
    t = torch.arange(n + 6, dtype=torch.float32) * 0.3
    s = torch.sin(t)
    return torch.stack([s[k : k + 6] for k in range(n)])[:, :, None], s[6 : 6 + n, None]


class Slow(Callback):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def on_batch_end(self, progress: BatchProgress) -> None:
        time.sleep(self.seconds)


def train(ctx: JobContext, epochs: int = 3, slow: float = 0.0, lr: float = 1e-2) -> History:
    cfg = TrainConfig(epochs=epochs, batch_size=16, lr=lr, device="cpu")
    return fit(Tiny(), _data(), _data(16), cfg, callbacks=[ctx, Slow(slow)], stop=ctx.stop_event)


def train_two(ctx: JobContext) -> list[History]:
    cfg = TrainConfig(epochs=2, batch_size=16, lr=1e-2, device="cpu")
    return [fit(Tiny(h), _data(), None, cfg, callbacks=[ctx.run(name)], stop=ctx.stop_event)
            for name, h in (("small", 2), ("large", 8))]


def trained_model(ctx: JobContext) -> nn.Module:
    model = Tiny()
    fit(model, _data(), None, TrainConfig(epochs=1, batch_size=16, device="cpu"), callbacks=[ctx])
    ctx.publish("weights", model.head.weight.detach().clone())
    return model


def busy(ctx: JobContext) -> None:
    """Never looks at the stop event: only terminating its worker ends it."""
    a = torch.randn(300, 300)
    ctx.publish("busy", True)
    while True:
        a = torch.tanh(a @ a)


def wait_for_stop(ctx: JobContext) -> str:
    ctx.publish("waiting", True)
    while not ctx.stop_event.wait(0.02):
        pass
    return "stopped politely"


def die(ctx: JobContext) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def draws(ctx: JobContext) -> tuple[float, float]:
    return torch.rand(1).item(), float(torch.nn.Dropout(0.5)(torch.ones(8)).sum())


def publishes(ctx: JobContext) -> str:
    ctx.publish("predictions", [1.0, 2.0])
    ctx.publish("epoch", 1)
    ctx.publish("epoch", 2)
    return "ok"


def bad_settings(ctx: JobContext) -> None:
    raise ValueError("seq_len 30 is too long for 20 rows")


def broken(ctx: JobContext) -> None:
    raise KeyError("weights")


def _until(condition, timeout: float = WAIT) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def _run(pool: WorkerPool, target, *args, **kw) -> TrainingJob:  # type: ignore[no-untyped-def]
    job = TrainingJob(target, args, pool=pool, **kw).start()
    assert job.join(WAIT), "the job did not end"
    return job


def test_a_job_streams_its_records_and_returns_its_result(pool: WorkerPool) -> None:
    job = _run(pool, train)
    snap = job.snapshot()
    assert snap.status == "done" and not snap.running and snap.error is None
    assert isinstance(snap.result, History) and snap.result.stop_reason == "completed"
    assert [e.epoch for e in snap.epochs] == [1, 2, 3] == [e.epoch for e in snap.result.epochs]
    assert snap.start is not None and snap.start.total_steps == 9
    assert snap.last_batch is not None and snap.last_batch.step == 9
    assert snap.history is not None and snap.history.stop_reason == "completed"
    assert snap.fraction == 1.0 and snap.run_ids == ("run",) and snap.queue_position is None
    assert snap.finished_at >= snap.started_at and not snap.stop_requested
    assert snap.epochs[0].metrics == snap.result.epochs[0].metrics  # a read-only mapping survives pickling


def test_records_arrive_while_the_job_runs(pool: WorkerPool) -> None:
    job = TrainingJob(train, (20, 0.02), pool=pool).start()
    _until(lambda: len(job.snapshot().epochs) >= 2)
    mid = job.snapshot()
    assert mid.status == "running" and mid.running and mid.history is None and mid.result is None
    assert 0 < mid.fraction < 1 and mid.last_batch is not None
    job.stop()
    assert job.join(WAIT)
    final = job.snapshot()
    assert final.version > mid.version and len(mid.epochs) <= len(final.epochs)
    assert final.status == "done" and final.result.stop_reason == "stopped"  # a soft stop keeps the result


def test_several_runs_keep_their_records_apart(pool: WorkerPool) -> None:
    snap = _run(pool, train_two).snapshot()
    assert snap.run_ids == ("small", "large")
    small, large = snap.runs["small"], snap.runs["large"]
    assert [e.epoch for e in small.epochs] == [1, 2] == [e.epoch for e in large.epochs]
    assert small.history is not None and large.history is not None and small.fraction == 1.0
    assert snap.epochs == large.epochs and snap.start == large.start  # single-run fields: the latest run
    assert len(snap.result) == 2


def test_a_trained_module_and_published_tensors_come_back(pool: WorkerPool) -> None:
    snap = _run(pool, trained_model).snapshot()
    assert isinstance(snap.result, Tiny)
    assert torch.equal(snap.result.head.weight, snap.published["weights"])


def test_each_job_gets_its_own_seeded_generators(pool: WorkerPool) -> None:
    first = _run(pool, draws, seed=7).snapshot().result
    again = _run(pool, draws, seed=7).snapshot().result
    other = _run(pool, draws, seed=8).snapshot().result
    assert first == again and first != other  # dropout masks too: per job, whatever ran before


def test_publish_shares_the_latest_values(pool: WorkerPool) -> None:
    job = _run(pool, publishes)
    snap = job.snapshot()
    assert snap.published == {"predictions": [1.0, 2.0], "epoch": 2} and snap.result == "ok"
    snap.published["epoch"] = 99  # a snapshot's dict is a copy
    assert job.snapshot().published["epoch"] == 2


def test_errors_become_messages(pool: WorkerPool) -> None:
    snap = _run(pool, bad_settings).snapshot()
    assert snap.status == "failed" and snap.error == "seq_len 30 is too long for 20 rows"
    snap = _run(pool, broken).snapshot()
    assert snap.error.startswith("Training failed with an internal error: KeyError")
    assert "weights" in snap.error and "Traceback" not in snap.error
    snap = _run(pool, train, 3, 0.0, -1.0).snapshot()
    assert snap.status == "failed" and "lr (learning rate) must be > 0" in snap.error


def test_the_pool_remembers_an_ended_job_without_its_result(pool: WorkerPool) -> None:
    job = _run(pool, trained_model)
    _until(lambda: isinstance(pool.find(job.job_id), EndedJob))
    ended = pool.find(job.job_id)
    assert ended.status == "done" and ended.ended and not ended.orphaned and not hasattr(ended, "result")
    assert pool.find("no-such-job") is None


def test_a_closure_is_refused_before_anything_runs(pool: WorkerPool) -> None:
    with pytest.raises(TypeError, match="module-level function"):
        TrainingJob(lambda ctx: None, pool=pool)


def test_stop_ends_a_busy_worker_within_about_a_second(pool: WorkerPool) -> None:
    job = TrainingJob(busy, pool=pool).start()
    _until(lambda: job.snapshot().published.get("busy"))
    pid_before = set(pool.worker_pids())
    began = time.monotonic()
    job.stop()
    assert job.join(WAIT)
    latency = time.monotonic() - began
    snap = job.snapshot()
    assert snap.status == "stopped" and snap.result is None and "stopped hard" in snap.message
    assert latency < 1.6, f"stop took {latency:.2f} s"
    assert _run(pool, publishes).snapshot().result == "ok"  # the pool replaced the worker
    assert set(pool.worker_pids()) != pid_before


def test_a_killed_worker_fails_its_job_with_a_clear_message(pool: WorkerPool) -> None:
    snap = _run(pool, die).snapshot()
    assert snap.status == "failed"
    assert snap.error.startswith(
        "The training worker ended unexpectedly (exit code -9, killed — probably out of memory).")
    assert _run(pool, publishes).snapshot().result == "ok"  # and the next job still runs


def test_jobs_beyond_the_pool_wait_in_line(pool: WorkerPool) -> None:
    running = [TrainingJob(wait_for_stop, pool=pool).start() for _ in range(pool.size)]
    for job in running:
        _until(lambda job=job: job.snapshot().published.get("waiting"))
    queued = [TrainingJob(publishes, pool=pool).start() for _ in range(2)]
    _until(lambda: [q.snapshot().queue_position for q in queued] == [1, 2])
    assert all(q.snapshot().status == "pending" for q in queued)
    running[0].stop()
    assert queued[0].join(WAIT) and queued[0].snapshot().result == "ok"
    _until(lambda: queued[1].ended or queued[1].snapshot().queue_position is None)
    assert queued[1].join(WAIT)
    for job in running:
        job.stop()
        assert job.join(WAIT) and job.snapshot().result == "stopped politely"


def test_stopping_a_queued_job_ends_it_at_once(pool: WorkerPool) -> None:
    running = [TrainingJob(wait_for_stop, pool=pool).start() for _ in range(pool.size)]
    waiting = TrainingJob(publishes, pool=pool).start()
    _until(lambda: waiting.snapshot().queue_position == 1)
    waiting.stop()
    assert waiting.join(2)
    assert waiting.snapshot().status == "stopped" and waiting.snapshot().message == STOPPED_UNSTARTED
    for job in running:
        job.stop()
        assert job.join(WAIT)


def test_the_reaper_stops_a_job_nobody_polls(pool: WorkerPool) -> None:
    polled = TrainingJob(wait_for_stop, pool=pool, orphan_after=0.5).start()
    orphan = TrainingJob(wait_for_stop, pool=pool, orphan_after=0.5, still_wanted=lambda: False).start()
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        polled.touch()
        time.sleep(0.05)
    assert orphan.orphaned and not polled.orphaned and not polled.ended
    assert orphan.join(WAIT) and orphan.snapshot().result == "stopped politely"
    polled.stop()
    assert polled.join(WAIT)


def test_a_session_still_connected_keeps_its_job(pool: WorkerPool) -> None:
    hidden_tab = TrainingJob(wait_for_stop, pool=pool, orphan_after=0.2, still_wanted=lambda: True).start()
    time.sleep(1.0)
    assert not hidden_tab.ended
    hidden_tab.stop()
    assert hidden_tab.join(WAIT)


def test_pool_size_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "3")
    assert pool_size() == 3
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "0")
    with pytest.raises(ValueError, match="LSTM_STUDIO_WORKERS must be a whole number >= 1"):
        pool_size()
    monkeypatch.delenv("LSTM_STUDIO_WORKERS")
    assert pool_size() == os.cpu_count()
