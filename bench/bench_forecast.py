"""Forecast benchmark: presets on every bundled series, fit() vs a bare loop, first event, memory.

Run: ``python bench/bench_forecast.py`` (prints figures; no asserts). Uses one torch thread,
as the app's training job does. Memory is this process's VmRSS / VmHWM while training in-process.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.data import bundled_tickers, load_bundled  # noqa: E402
from lstm_core.forecasting import build_forecaster, prepare_forecast_data, train_forecaster  # noqa: E402
from lstm_core.jobs import TrainingJob  # noqa: E402
from lstm_core.presets import FORECAST_PRESETS, RECOMMENDED, last_rows  # noqa: E402
from lstm_core.training import fit, seed_everything  # noqa: E402


def vm(field: str) -> int:
    """VmRSS or VmHWM of this process in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return -1


def presets_table() -> None:
    print("preset       series   rows  epochs  best  seconds  test RMSE model/naive")
    for name, preset in FORECAST_PRESETS.items():
        for ticker in bundled_tickers():
            frame = last_rows(load_bundled(ticker), preset.last_rows)
            start = time.perf_counter()
            result = train_forecaster(frame, preset.data, preset.model, preset.train)
            seconds = time.perf_counter() - start
            ratio = result.report.loc["RMSE", "model / naive"]
            print(f"{name:12s} {ticker:8s} {len(frame):5d} {len(result.history.epochs):6d} "
                  f"{result.history.best_epoch:5d} {seconds:8.2f}  {ratio:.4f}", flush=True)


def bare_loop(model, x, y, cfg) -> float:
    """The same optimiser steps as fit(), without callbacks, validation or best-weight copies."""
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = torch.nn.MSELoss()
    gen = torch.Generator().manual_seed(cfg.seed)
    start = time.perf_counter()
    for _ in range(cfg.epochs):
        perm = torch.randperm(len(x), generator=gen)
        xs, ys = x[perm], y[perm]
        for i in range(0, len(xs), cfg.batch_size):
            loss = loss_fn(model(xs[i : i + cfg.batch_size]), ys[i : i + cfg.batch_size])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
    return time.perf_counter() - start


def throughput(repeats: int = 3) -> None:
    frame = last_rows(load_bundled("NVDA"), RECOMMENDED.last_rows)
    data = prepare_forecast_data(frame, RECOMMENDED.data)
    cfg = replace(RECOMMENDED.train, epochs=5, patience=None)
    x, y = data.tensors("train")
    fit_s, bare_s = [], []
    for _ in range(repeats):  # interleaved, best of N: the machine is shared and noisy
        seed_everything(0)
        model = build_forecaster(RECOMMENDED.model, RECOMMENDED.data)
        start = time.perf_counter()
        fit(model, (x, y), data.tensors("val"), cfg)
        fit_s.append(time.perf_counter() - start)
        seed_everything(0)
        bare_s.append(bare_loop(build_forecaster(RECOMMENDED.model, RECOMMENDED.data), x, y, cfg))
    n = len(x) * cfg.epochs
    print(f"throughput on NVDA ({len(x)} training windows x {cfg.epochs} epochs, batch {cfg.batch_size}):")
    print(f"  fit(): {n / min(fit_s):,.0f} windows/s (best {min(fit_s):.2f} s of {fit_s})")
    print(f"  bare : {n / min(bare_s):,.0f} windows/s (best {min(bare_s):.2f} s of {bare_s})")
    print(f"  fit() / bare time: {min(fit_s) / min(bare_s):.3f}")


def first_event_and_memory(label: str) -> None:
    frame = last_rows(load_bundled("NVDA"), RECOMMENDED.last_rows)
    p = RECOMMENDED

    def target(ctx):
        torch.set_num_threads(1)  # per thread with OpenMP: set it where training runs, as the page does
        ctx.publish("data", prepare_forecast_data(frame, p.data))
        return train_forecaster(frame, p.data, p.model, p.train, callbacks=[ctx], stop=ctx.stop_event,
                                preview=lambda e, pred: ctx.publish("preview", (e, pred)))

    start = time.perf_counter()
    job = TrainingJob(target).start()
    first_batch = first_epoch = None
    peak = 0
    while job.snapshot().running:
        snap = job.snapshot()
        now = time.perf_counter() - start
        if first_batch is None and snap.last_batch is not None:
            first_batch = now
        if first_epoch is None and snap.epochs:
            first_epoch = now
        peak = max(peak, vm("VmRSS"))
        time.sleep(0.01)
    job.join()
    print(f"live job, {label} (recommended, NVDA): first batch event {first_batch:.3f} s, first epoch event "
          f"{first_epoch:.3f} s, total {time.perf_counter() - start:.2f} s")
    print(f"memory of this process while training: VmRSS peak sampled {peak} MiB, VmHWM {vm('VmHWM')} MiB")


if __name__ == "__main__":
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, intra-op threads {torch.get_num_threads()}")
    first_event_and_memory("cold process")  # pays torch's lazy imports (the page warms up on open)
    first_event_and_memory("warm process")  # what the page sees after ui.cache.warm_up_training
    throughput()
    presets_table()
