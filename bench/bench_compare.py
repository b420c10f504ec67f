"""Compare-page benchmarks (issue 14): do the page's defaults show the headline, and how fast?

    python bench/bench_compare.py [--part order|adding|sweep|all] [--seed S] [--out result.json]

1. Temporal order, T = 100, the page's defaults (lstm_core.compare.DEFAULTS): RNN, LSTM, GRU.
   Targets: LSTM and GRU >= 95 % test accuracy; RNN within 10 points of chance (25 %);
   each model <= 60 s on one core.
2. Adding problem, T = 100: LSTM test MSE < 0.1 x the predict-the-mean baseline; RNN not.
3. The default sweep (5 lengths x 3 models): under 5 minutes in all.

One torch thread. Wall seconds depend on what else runs on the machine (it is shared); CPU
seconds of this process are shown beside them as the single-core cost without the noise.
Each part runs once: these are long.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lstm_core.compare import DEFAULTS, model_choices, train_one  # noqa: E402
from lstm_core.memory_tasks import generate_task  # noqa: E402
from lstm_core.sweep import SweepPoint, sweep  # noqa: E402


def _check(ok: bool) -> str:
    return "ok  " if ok else "MISS"


def single(task: str, seed: int) -> list[dict]:
    data = generate_task(task, DEFAULTS.data_config(DEFAULTS.length, seed=seed))
    spec = data.spec
    rows = []
    for label, cfg in model_choices(DEFAULTS.models):
        wall, cpu = time.perf_counter(), time.process_time()
        r = train_one(label, cfg, data, DEFAULTS.train_config(seed=seed))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows.append({"task": task, "model": label, "length": DEFAULTS.length, "metric": spec.metric,
                     "test_metric": r.metric, "baseline": r.baseline, "parameters": r.parameters,
                     "wall_seconds": wall, "cpu_seconds": cpu, "epochs_run": r.epochs_run,
                     "best_epoch": r.history.best_epoch})
        ratio = f"{r.metric:.5f} ({r.metric / r.baseline:.4f}x)"
        shown = f"{r.metric:.1%}" if spec.metric == "accuracy" else ratio
        print(f"    {label:<5s} test {spec.metric} {shown:>18s}  baseline {r.baseline:.4g}  "
              f"{r.parameters:,} params  wall {wall:5.1f} s  cpu {cpu:5.1f} s  best epoch "
              f"{r.history.best_epoch}/{r.epochs_run}", flush=True)
    return rows


def judge_order(rows: list[dict]) -> None:
    by = {r["model"]: r for r in rows}
    print(f"    {_check(by['LSTM']['test_metric'] >= 0.95)} LSTM >= 95 %")
    print(f"    {_check(by['GRU']['test_metric'] >= 0.95)} GRU >= 95 %")
    print(f"    {_check(abs(by['RNN']['test_metric'] - 0.25) <= 0.10)} RNN within 10 points of chance")
    for r in rows:
        print(f"    {_check(r['wall_seconds'] <= 60)} {r['model']} <= 60 s wall "
              f"({r['wall_seconds']:.1f} s; cpu {r['cpu_seconds']:.1f} s)")


def judge_adding(rows: list[dict]) -> None:
    by = {r["model"]: r for r in rows}
    ratio = {m: r["test_metric"] / r["baseline"] for m, r in by.items()}
    print(f"    {_check(ratio['LSTM'] < 0.1)} LSTM MSE < 0.1 x baseline ({ratio['LSTM']:.4f}x)")
    print(f"    {_check(ratio['RNN'] >= 0.1)} RNN not ({ratio['RNN']:.4f}x)")
    print(f"    GRU: {ratio['GRU']:.4f}x the baseline")


def default_sweep(seed: int) -> list[dict]:
    start_wall, start_cpu = time.perf_counter(), time.process_time()

    def on_point(p: SweepPoint) -> None:
        print(f"    T={p.length:<4d} {p.label:<5s} {p.metric:7.1%}  {p.seconds:5.1f} s  "
              f"(total {time.perf_counter() - start_wall:5.0f} s)", flush=True)

    result = sweep("temporal-order", DEFAULTS.lengths, model_choices(DEFAULTS.sweep_models),
                   DEFAULTS.train_config(seed=seed), data_seed=seed, on_point=on_point)
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    print(f"    {_check(wall < 300)} sweep under 5 minutes: wall {wall:.0f} s, cpu {cpu:.0f} s")
    return [asdict(p) | {"sweep_wall_seconds": wall, "sweep_cpu_seconds": cpu} for p in result.points]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("order", "adding", "sweep", "all"), default="all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write every row as JSON")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"defaults: {DEFAULTS}")
    rows: list[dict] = []
    if args.part in ("order", "all"):
        print(f"[1] temporal order, T = {DEFAULTS.length}, seed {args.seed}")
        part = single("temporal-order", args.seed)
        judge_order(part)
        rows += part
    if args.part in ("adding", "all"):
        print(f"[2] adding problem, T = {DEFAULTS.length}, seed {args.seed}")
        part = single("adding", args.seed)
        judge_adding(part)
        rows += part
    if args.part in ("sweep", "all"):
        models = ", ".join(DEFAULTS.sweep_models)
        print(f"[3] default sweep: temporal order, T in {DEFAULTS.lengths}, {models}")
        rows += default_sweep(args.seed)
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
