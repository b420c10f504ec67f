"""Training jobs in worker processes: how fast they answer, how they end, what they cost the server.

    python bench/bench_jobs.py [--orphan-after S] [--hidden H]

1. First record: seconds from TrainingJob.start() to the first TrainStart and the first batch on
   the page's side, with a warm worker (the MNIST page's job on the offline subset).
2. Stop latency for a large model: an LSTM of hidden 2,048 x 2 layers on MNIST-shaped data (one
   batch takes many seconds on one thread, so only terminating its worker answers in time).
3. Orphaned job: seconds from the last poll until the job has ended (``orphan_after`` + stop).
4. Memory: this (server-like) process's RSS and the workers' with 4 sessions' jobs training at
   once (the pool runs one per core and queues the rest).

Timings on a shared machine are noisy: each figure is one run unless it says otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.config import MnistDataConfig, TrainConfig  # noqa: E402
from lstm_core.data import load_mnist  # noqa: E402
from lstm_core.jobs import JobContext, TrainingJob  # noqa: E402
from lstm_core.mnist_presets import RECOMMENDED  # noqa: E402
from lstm_core.training import fit  # noqa: E402
from lstm_core.worker_pool import WorkerPool  # noqa: E402
from ui.mnist_job import mnist_job  # noqa: E402


class Big(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.rnn, self.head = nn.LSTM(28, hidden, num_layers=2, batch_first=True), nn.Linear(hidden, 10)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1])


def big_job(ctx: JobContext, hidden: int) -> None:
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(640, 28, 28, generator=g), torch.rand(640, 10, generator=g)  # any task will do
    cfg = TrainConfig(epochs=100, batch_size=64, lr=1e-3, device="cpu")
    ctx.publish("built", time.monotonic())
    fit(Big(hidden), (x, y), None, cfg, callbacks=[ctx], stop=ctx.stop_event)


def _rss_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _wait(condition, timeout: float = 600.0) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise TimeoutError("waited too long")
        time.sleep(0.002)
    return time.monotonic() - start


def _warm(pool: WorkerPool) -> float:
    return _wait(lambda: any(w.ready and w.job is None for w in list(pool._workers)))


def first_record(pool: WorkerPool, data, repeats: int = 3) -> None:  # type: ignore[no-untyped-def]
    print("[1] first record after start(), warm worker, MNIST page job (600 digits):")
    train = RECOMMENDED.train
    for r in range(repeats):
        _warm(pool)
        t0 = time.monotonic()
        job = TrainingJob(mnist_job, (data, RECOMMENDED.model, train, 0.1), pool=pool).start()
        start = _wait(lambda job=job: job.snapshot().start is not None)
        batch = _wait(lambda job=job: job.snapshot().last_batch is not None) + start
        job.stop()
        job.join(30)
        print(f"    run {r + 1}: TrainStart {1000 * start:.0f} ms, first batch {1000 * batch:.0f} ms "
              f"(status {job.snapshot().status}, {time.monotonic() - t0:.1f} s in all)")


def stop_latency(pool: WorkerPool, hidden: int) -> None:
    print(f"[2] Stop with a large model: LSTM hidden {hidden:,} x 2 layers, batch 64 of 28 x 28 digits")
    _warm(pool)
    job = TrainingJob(big_job, (hidden,), pool=pool).start()
    _wait(lambda: job.snapshot().start is not None)
    time.sleep(1.0)  # in the middle of the first batch
    t0 = time.monotonic()
    job.stop()
    job.join(60)
    snap = job.snapshot()
    print(f"    stop answered in {time.monotonic() - t0:.2f} s: status {snap.status}; {snap.message}")
    job = TrainingJob(big_job, (hidden,), pool=pool).start()
    _wait(lambda: job.snapshot().start is not None)
    first = _wait(lambda: job.snapshot().last_batch is not None, timeout=900)
    job.stop()
    job.join(60)
    print(f"    for scale: its first batch took {first:.1f} s, the wait a polite stop (after the batch) "
          "would have cost")


def orphan(pool: WorkerPool, orphan_after: float) -> None:
    print(f"[3] orphaned job (orphan_after {orphan_after:g} s, session gone, nobody polls):")
    _warm(pool)
    job = TrainingJob(big_job, (256,), pool=pool, orphan_after=orphan_after, still_wanted=lambda: False)
    job.start().touch()
    gone = _wait(lambda: job.ended)
    print(f"    ended {gone:.2f} s after its last poll (status {job.snapshot().status}, "
          f"orphaned {job.orphaned})")


def memory(pool: WorkerPool, data) -> None:  # type: ignore[no-untyped-def]
    print("[4] memory with 4 sessions' jobs (MNIST page job, Recommended preset, 600 digits):")
    _warm(pool)
    before = _rss_mb()
    args = (data, RECOMMENDED.model, RECOMMENDED.train, 0.1)
    jobs = [TrainingJob(mnist_job, args, pool=pool, seed=k).start() for k in range(4)]
    _wait(lambda: all(j.snapshot().last_batch is not None or j.snapshot().queue_position for j in jobs))
    time.sleep(2)
    workers = {pid: _rss_mb(pid) for pid in pool.worker_pids()}
    positions = [j.snapshot().queue_position for j in jobs]
    each = ", ".join(f"{m:.0f}" for m in workers.values())
    print(f"    server RSS {before:.0f} MB before, {_rss_mb():.0f} MB with 4 jobs ({pool.busy()} training, "
          f"queue positions {positions}); workers {each} MB RSS each "
          "(shared pages from the fork server counted in each)")
    for j in jobs:
        j.stop()
        j.join(60)
    print(f"    server RSS after they ended: {_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orphan-after", type=float, default=10.0)
    parser.add_argument("--hidden", type=int, default=2048)
    args = parser.parse_args()
    torch.set_num_threads(1)
    t0 = time.monotonic()
    pool = WorkerPool(preload=("ui.job_targets",))
    print(f"pool of {pool.size} workers; first warm worker after {_warm(pool):.1f} s "
          f"(fork server start: imports torch once)")
    print(f"    (this process: {_rss_mb():.0f} MB RSS; {time.monotonic() - t0:.1f} s)")
    data = load_mnist(MnistDataConfig(train_limit=600))
    first_record(pool, data)
    stop_latency(pool, args.hidden)
    orphan(pool, args.orphan_after)
    memory(pool, data)
    pool.close()


if __name__ == "__main__":
    main()
