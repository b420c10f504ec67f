"""Forecast benchmark: every bundled series against every baseline and a statistical peer; fit() speed.

Run: ``python bench/bench_forecast.py [--series NAME ...] [--check] [--heldout] [--no-peer] [--quick]``
(prints figures; no asserts). Uses one torch thread, as the app's training job does.

The table: for each bundled series (the price histories on their last 2,500 rows and on their
last 120 rows, and the structured series) the Recommended preset's test RMSE over naive's, the
best cheap baseline (naive, seasonal naive, drift, linear AR) and the model over it, the
statistical peers (statsmodels, AIC-picked ARIMA and ETS, fitted on train + validation and run
one step ahead over the test part with fixed parameters) over naive, the intervals' test
coverage, and the seconds training took. ``--check`` uses another split: the first 60 % of each
series (a different stretch of time), to check settings tuned on the full series.

The peers need statsmodels (``pip install statsmodels==0.15.0``: scipy and patsy come with it,
about 60 MB); it is a bench-only dependency, not in requirements.txt. statsforecast was not used:
it pulls numba and llvmlite (about 150 MB) for two models.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.data import bundled_tickers, load_bundled  # noqa: E402
from lstm_core.data.bundled_prices import STRUCTURED_SERIES, structured_names  # noqa: E402
from lstm_core.forecast_presets import FORECAST_PRESETS, RECOMMENDED, last_rows  # noqa: E402
from lstm_core.forecasting import build_forecaster, prepare_forecast_data, train_forecaster  # noqa: E402
from lstm_core.intervals import chance_range  # noqa: E402
from lstm_core.jobs import TrainingJob  # noqa: E402
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
            result = train_forecaster(frame, preset.data, preset.model, preset.train, method=preset.method)
            seconds = time.perf_counter() - start
            ratio = result.report.loc["RMSE", "model / naive"]
            print(f"{name:12s} {ticker:8s} {len(frame):5d} {len(result.history.epochs):6d} "
                  f"{result.history.best_epoch:5d} {seconds:8.2f}  {ratio:.4f}", flush=True)


def arima_one_step(values: np.ndarray, n_fit: int, season: int | None) -> tuple[np.ndarray, str]:
    """AIC-picked ARIMA(p<=2, d<=1, q<=1), seasonal (0,1,1) tried for seasons <= 12, fitted on the first
    ``n_fit`` rows; one-step predictions of every row with those parameters."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    seasonal = [(0, 0, 0, 0)] + ([(0, 1, 1, season)] if season and season <= 12 else [])
    best = None
    for (p, d, q), sea in itertools.product(itertools.product(range(3), range(2), range(2)), seasonal):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = SARIMAX(values[:n_fit], order=(p, d, q), seasonal_order=sea,
                              trend="c" if d == 0 else "n").fit(disp=False)
        except Exception:  # noqa: BLE001, S112 - an order that does not fit is skipped, as auto_arima does
            continue
        if np.isfinite(res.aic) and (best is None or res.aic < best[0]):
            best = (res.aic, (p, d, q), sea, res)
    _, order, sea, res = best
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = res.apply(values)  # the same parameters, filtered over every row
    return np.asarray(full.predict(start=0, end=len(values) - 1)), f"ARIMA{order}" + (
        f"({sea[0]},{sea[1]},{sea[2]})" if sea[3] else "")


def ets_one_step(values: np.ndarray, n_fit: int, season: int | None) -> tuple[np.ndarray, str]:
    """AIC-picked additive ETS (trend none / additive / damped, season none / additive)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    seasons = [None] + (["add"] if season and 2 <= season <= 52 and n_fit >= 2 * season + 10 else [])
    best = None
    for trend, damped, sea in [(None, False, x) for x in seasons] + [
            ("add", dmp, x) for dmp in (False, True) for x in seasons]:
        kwargs = dict(error="add", trend=trend, damped_trend=damped, seasonal=sea,
                      seasonal_periods=season if sea else None)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = ETSModel(values[:n_fit], **kwargs).fit(disp=False)
        except Exception:  # noqa: BLE001, S112
            continue
        if np.isfinite(res.aic) and (best is None or res.aic < best[0]):
            best = (res.aic, kwargs, res)
    _, kwargs, res = best
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = ETSModel(values, **kwargs).smooth(res.params)
    label = f"ETS(A,{'Ad' if kwargs['damped_trend'] else ('A' if kwargs['trend'] else 'N')}," \
            f"{'A' if kwargs['seasonal'] else 'N'})"
    return np.asarray(full.fittedvalues), label


def bench_cases(names: list[str] | None, check: bool, heldout: bool = False
                ) -> list[tuple[str, str, pd.DataFrame, str]]:
    """(kind, label, frame, target column) for every bundled series (``heldout``: the series of
    bench/heldout_series.py instead); ``check``: their first 60 %."""
    cases = []
    if heldout:
        from heldout_series import heldout_frames

        cases = [("held-out", name, frame, "value") for name, frame in heldout_frames()]
    else:
        for ticker in bundled_tickers():
            full = load_bundled(ticker)
            cases += [("price", ticker, last_rows(full, RECOMMENDED.last_rows), "Close"),
                      ("price", f"{ticker} last 120", last_rows(full, 120), "Close")]
        for name in structured_names():
            cases.append(("structured", name, load_bundled(name), STRUCTURED_SERIES[name].column))
    if check:
        cases = [(k, f"{label} first 60%", frame.iloc[: int(len(frame) * 0.6)], col)
                 for k, label, frame, col in cases if "last 120" not in label]
    return [c for c in cases if names is None or c[1].split()[0] in names]


def _peers(r, naive: float) -> list[float]:
    """Test RMSE over naive's of the AIC-picked ARIMA and ETS, fitted on train + validation."""
    seq_len = r.data.cfg.seq_len
    values, n_fit = r.data.series.to_numpy(dtype=float), r.data.parts["val"].stop + seq_len
    s = r.data.parts["test"]
    out = []
    for fn in (arima_one_step, ets_one_step):
        pred, name = fn(values, n_fit, r.frequency.season if r.frequency else None)
        out.append(float(np.sqrt(np.mean((r.data.actual[s] - pred[seq_len:][s]) ** 2)) / naive))
        print(f"    peer {name}: {out[-1]:.3f} x naive", flush=True)
    return out


def _coverage(j, level: float) -> tuple[str, bool, bool]:
    """The coverage as printed ("*" when outside the range chance allows), within 5 points, within chance."""
    value, n = j.coverage[level], j.covered_values
    low, high = chance_range(level, n)
    chance = low <= value <= high
    return f"{value:.2f}{'' if chance else '*'}", abs(value - level) <= 0.05 + 1e-9, chance


def series_table(names: list[str] | None = None, check: bool = False, peer: bool = True,
                 heldout: bool = False) -> None:
    """The Recommended preset on every series beside every baseline and the peers, then a summary."""
    p = RECOMMENDED
    print(f"{'series':28s} {'rows':>5s} {'freq':>14s} {'rec/naive':>9s} {'best baseline':>22s} "
          f"{'rec/best':>8s} {'ARIMA/naive':>11s} {'ETS/naive':>9s} {'test':>5s} {'cov80':>6s} {'cov95':>6s} "
          f"{'sec':>5s}  kept")
    rows = []
    for kind, label, frame, column in bench_cases(names, check, heldout):
        start = time.perf_counter()
        r = train_forecaster(frame, replace(p.data, target=column), p.model, p.train, method=p.method)
        seconds = time.perf_counter() - start
        table, j = r.judgement.comparison, r.judgement
        naive = table.loc["naive", "test RMSE"]
        cheap = table.drop(index="model")["test RMSE"]
        best = str(cheap.idxmin())
        peers = _peers(r, naive) if peer and kind != "price" else []
        kept = "net" if any("kept." in n for n in r.notes) else (
            "AR" if any(n.startswith("Starts from the linear") for n in r.notes) else "naive")
        model = table.loc["model", "test RMSE"]
        cov = [_coverage(j, level) for level in (0.8, 0.95)]
        shown = [f"{x:.3f}" for x in peers] or ["", ""]
        print(f"{label:28s} {len(frame):5d} {r.frequency.kind if r.frequency else '?':>14s} "
              f"{model / naive:9.4f} {best:>14s} {cheap[best] / naive:7.3f} {model / cheap[best]:8.4f} "
              f"{shown[0]:>11s} {shown[1]:>9s} {j.covered_values:5d} {cov[0][0]:>6s} {cov[1][0]:>6s} "
              f"{seconds:5.1f}  {kept}", flush=True)
        rows.append((kind, model / naive, model / cheap[best], [model / naive <= x for x in peers], cov))
    _summary(rows)


def _summary(rows: list) -> None:
    for kind in ("price", "structured", "held-out"):
        mine = [r for r in rows if r[0] == kind]
        if not mine:
            continue
        naive_ok = sum(r[1] <= 1.0 + 5e-5 for r in mine)
        cheap_ok = sum(r[2] <= 1.0 + 5e-5 for r in mine)
        peered = [r[3] for r in mine if r[3]]
        peers = (f", <= the better peer on {sum(all(p) for p in peered)} and <= at least one on "
                 f"{sum(any(p) for p in peered)} of {len(peered)}") if peered else ""
        print(f"{kind}: {len(mine)} series; model <= naive on {naive_ok}, <= best cheap baseline on "
              f"{cheap_ok}{peers}")
    cov = [c for r in rows for c in r[4]]
    print(f"coverage (80 % and 95 %, {len(cov)} figures): within 5 points of nominal "
          f"{sum(c[1] for c in cov)}, inside the range a calibrated interval shows 19 times in 20 on "
          f"that many test values "
          f"{sum(c[2] for c in cov)} (* marks the others)")


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


def throughput(repeats: int = 4, epochs: int = 15) -> None:
    """fit() against a bare loop of the same optimiser steps: without validation (the same work, so
    the difference is fit's own overhead) and with its per-epoch validation pass (more work)."""
    frame = last_rows(load_bundled("NVDA"), RECOMMENDED.last_rows)
    data = prepare_forecast_data(frame, RECOMMENDED.data)
    cfg = replace(RECOMMENDED.train, epochs=epochs, patience=None)
    x, y = data.tensors("train")
    runs = {"fit() with validation": lambda m: fit(m, (x, y), data.tensors("val"), cfg),
            "fit() without validation": lambda m: fit(m, (x, y), None, cfg),
            "bare loop": lambda m: bare_loop(m, x, y, cfg)}
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):  # interleaved, best of N: the machine is shared and noisy
        for name, run in runs.items():
            seed_everything(0)
            model = build_forecaster(RECOMMENDED.model, RECOMMENDED.data)
            start = time.perf_counter()
            run(model)
            seconds[name].append(time.perf_counter() - start)
    n = len(x) * cfg.epochs
    print(f"throughput on NVDA ({len(x)} training windows x {cfg.epochs} epochs, batch {cfg.batch_size}):")
    for name, times in seconds.items():
        print(f"  {name:25s}: {n / min(times):,.0f} windows/s (best {min(times):.2f} s of "
              f"{', '.join(f'{t:.2f}' for t in times)}); / bare {min(times) / min(seconds['bare loop']):.3f}")


def first_event_and_memory(label: str) -> None:
    frame = last_rows(load_bundled("NVDA"), RECOMMENDED.last_rows)
    p = RECOMMENDED

    def target(ctx):
        torch.set_num_threads(1)  # per thread with OpenMP: set it where training runs, as the page does
        return train_forecaster(frame, p.data, p.model, p.train, callbacks=[ctx], stop=ctx.stop_event,
                                method=p.method, on_data=lambda data: ctx.publish("data", data),
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="*", help="only these series (e.g. NVDA CO2)")
    parser.add_argument("--check", action="store_true", help="the check split: first 60%% of each series")
    parser.add_argument("--no-peer", action="store_true", help="skip the statsmodels peers (slow)")
    parser.add_argument("--quick", action="store_true", help="the series table only")
    parser.add_argument("--heldout", action="store_true",
                        help="series never tuned on (bench/heldout_series.py, needs statsmodels)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, intra-op threads {torch.get_num_threads()}")
    series_table(args.series, args.check, not args.no_peer, args.heldout)
    if not args.quick:
        first_event_and_memory("cold process")  # pays torch's lazy imports (the page warms up on open)
        first_event_and_memory("warm process")  # what the page sees after ui.cache.warm_up_training
        throughput()
        presets_table()
