"""Command line: train and judge the app's models headless, write a run file and a summary.

    python -m lstm_core forecast --csv prices.csv --target Close --epochs 20 --out runs/mine.pt
    python -m lstm_core forecast --bundled NVDA --period 5y --out runs/nvda.pt
    python -m lstm_core mnist --preset seed002 --out runs/mnist.pt
    python -m lstm_core compare --task temporal-order --length 100 --models RNN,LSTM,GRU
    python -m lstm_core surnames --model LSTM --out runs/surnames.pt
    python -m lstm_core surnames predict --run runs/surnames.pt Nakamura O'Brien
    python -m lstm_core list | inspect RUNFILE

Flags map onto the config dataclasses; a flag left out keeps the dataclass default (or the
preset's value), so the app, the CLI and the tests share one set of defaults. Bad input
prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import torch

from lstm_core import cli_compare, cli_surnames
from lstm_core.cli_progress import ProgressBar
from lstm_core.config import (
    CELL_TYPES,
    HEADS,
    MNIST_SOURCES,
    OPTIMIZERS,
    SCALERS,
    TARGET_MODES,
    ForecastDataConfig,
    MnistDataConfig,
    ModelConfig,
    TrainConfig,
)
from lstm_core.models import parameter_table
from lstm_core.persistence import RunFileError, RunRecord, load_run, save_run
from lstm_core.plain_data import to_jsonable
from lstm_core.progress import Callback
from lstm_core.safe_io import atomic_write_text, check_output_paths

EXIT_USAGE = 2
_MODEL_FLAGS = ("cell", "hidden_size", "num_layers", "dropout", "bidirectional", "head", "forget_bias")
_TRAIN_FLAGS = ("epochs", "batch_size", "lr", "optimizer", "weight_decay", "grad_clip", "patience",
                "max_steps", "seed", "device")
_DATA_FLAGS = ("target", "seq_len", "target_mode", "val_fraction", "test_fraction", "scaler")


def _add_model_train_flags(p: argparse.ArgumentParser) -> None:
    m, t = ModelConfig(), TrainConfig()
    g = p.add_argument_group("model (defaults: ModelConfig)")
    g.add_argument("--cell", choices=CELL_TYPES, help=f"recurrent layer (default {m.cell})")
    g.add_argument("--hidden-size", type=int, help=f"units per layer (default {m.hidden_size})")
    g.add_argument("--num-layers", type=int, help=f"stacked layers (default {m.num_layers})")
    g.add_argument("--dropout", type=float, help=f"between layers (default {m.dropout})")
    g.add_argument("--bidirectional", action=argparse.BooleanOptionalAction, help="read both ways")
    g.add_argument("--head", choices=HEADS, help=f"last step or all steps flattened (default {m.head})")
    g.add_argument("--forget-bias", type=float,
                   help=f"LSTM: initial forget-gate bias (default {m.forget_bias}, or the preset's)")
    g = p.add_argument_group("training (defaults: TrainConfig)")
    g.add_argument("--epochs", type=int, help=f"passes over the data (default {t.epochs})")
    g.add_argument("--batch-size", type=int, help=f"default {t.batch_size}")
    g.add_argument("--lr", type=float, help=f"learning rate (default {t.lr:g})")
    g.add_argument("--optimizer", choices=OPTIMIZERS, help=f"default {t.optimizer}")
    g.add_argument("--weight-decay", type=float, help=f"default {t.weight_decay}")
    g.add_argument("--grad-clip", type=float, help=f"max gradient norm (default {t.grad_clip})")
    g.add_argument("--patience", type=int, help="early stopping after N epochs without improvement")
    g.add_argument("--max-steps", type=int, help="stop after N optimiser steps")
    g.add_argument("--seed", type=int, help=f"default {t.seed}")
    g.add_argument("--device", help=f"auto, cpu, cuda, cuda:N, mps (default {t.device})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m lstm_core`` argument parser."""
    parser = argparse.ArgumentParser(prog="python -m lstm_core", description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for training (default 1: these small recurrent nets train "
                             "fastest on one, as the app's jobs do; more only fight over the cores)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    d = ForecastDataConfig()
    fc = sub.add_parser("forecast", help="train a price forecaster on a CSV file or a bundled series")
    src = fc.add_mutually_exclusive_group()
    src.add_argument("--csv", type=Path, help="a CSV with a date column and numeric columns")
    src.add_argument("--bundled", metavar="TICKER", help="a bundled series (see `list`; default NVDA)")
    fc.add_argument("--period", default="max", help="bundled: keep the last 1y, 5y, 10y... (default max)")
    fc.add_argument("--date-column", help="CSV: the column holding dates (detected if omitted)")
    fc.add_argument("--date-format", help="CSV: the dates' strptime format, e.g. %%d/%%m/%%Y "
                    "(detected if omitted)")
    fc.add_argument("--dayfirst", action=argparse.BooleanOptionalAction, default=None,
                    help="CSV: read 03/04/2024 as 4 March; needed when every day is 12 or below")
    fc.add_argument("--preset", help="start from the page's settings: recommended or seed003 "
                    "(default: the config dataclasses' defaults)")
    fc.add_argument("--last-rows", type=int, help="train on the latest N rows only")
    g = fc.add_argument_group("data (defaults: ForecastDataConfig)")
    g.add_argument("--target", help=f"column to predict (default {d.target})")
    g.add_argument("--features", nargs="*", default=None, help="extra input columns")
    g.add_argument("--seq-len", type=int, help=f"past steps per window (default {d.seq_len})")
    g.add_argument("--target-mode", choices=TARGET_MODES, help=f"default {d.target_mode}")
    g.add_argument("--val-fraction", type=float, help=f"default {d.val_fraction}")
    g.add_argument("--test-fraction", type=float, help=f"default {d.test_fraction}")
    g.add_argument("--scaler", choices=SCALERS, help=f"default {d.scaler}")
    _add_model_train_flags(fc)
    fc.add_argument("--out", type=Path, default=Path("runs/forecast.pt"), help="run file to write")
    fc.add_argument("--summary", type=Path, help="JSON summary to write (default: --out with .json)")

    mn = sub.add_parser("mnist", help="train a digit classifier on MNIST read row by row")
    mn.add_argument("--source", choices=MNIST_SOURCES, default="subset",
                    help="subset: 5,000 bundled digits (offline); full: download 70,000")
    mn.add_argument("--preset", default="default",
                    help="recommended (= default), seed000 (LSTM 100, SGD 0.1, 3,000 steps) or "
                    "seed002 (BiLSTM 12 x 2, all-steps head); flags override its settings")
    mn.add_argument("--train-limit", type=int, help="use at most N training digits")
    mn.add_argument("--test-fraction", type=float, help="held-out share of the subset")
    mn.add_argument("--val-fraction", type=float, default=None,
                    help="share of the training digits held back to pick the kept epoch (default 0.1)")
    _add_model_train_flags(mn)
    mn.add_argument("--out", type=Path, default=Path("runs/mnist.pt"), help="run file to write")
    mn.add_argument("--summary", type=Path, help="JSON summary to write (default: --out with .json)")

    cli_compare.add_parser(sub)
    cli_surnames.add_parser(sub)
    sub.add_parser("list", help="list the bundled price series")
    ins = sub.add_parser("inspect", help="show a run file's settings, metrics and parameters")
    ins.add_argument("run_file", type=Path)
    return parser


def _given(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def _model_train(
    args: argparse.Namespace, model: ModelConfig, train: TrainConfig
) -> tuple[ModelConfig, TrainConfig]:
    return replace(model, **_given(args, _MODEL_FLAGS)), replace(train, **_given(args, _TRAIN_FLAGS))


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _preset(name: str, presets: Mapping[str, Any]) -> Any:
    """Look a preset up by name, ignoring case, spaces and punctuation ("Seed 003" = "seed003")."""
    by_slug = {_slug(key): value for key, value in presets.items()}
    if _slug(name) not in by_slug:
        raise ValueError(f"unknown preset {name!r}; presets: {', '.join(by_slug)}")
    return by_slug[_slug(name)]


def _warn_cost(model_cfg: ModelConfig, train_cfg: TrainConfig, **sizes: int) -> None:
    """Say on stderr, before training, when the settings would take very long on this machine."""
    from lstm_core.cost import check_settings

    _, slow = check_settings(model_cfg, train_cfg, **sizes)  # a model too big: build_model refuses it
    if slow:
        print(f"warning: {slow}", file=sys.stderr)


def _callbacks(args: argparse.Namespace) -> list[Callback]:
    return [] if args.no_progress else [ProgressBar()]


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse --out / --summary paths that cannot be written, before any data is loaded or trained on."""
    check_output_paths({"--out": args.out, "--summary": args.summary or args.out.with_suffix(".json")},
                       {"--csv": getattr(args, "csv", None)})


def _write_outputs(record: RunRecord, args: argparse.Namespace, summary: dict[str, Any]) -> None:
    path = args.summary or args.out.with_suffix(".json")
    text = json.dumps(to_jsonable(summary), indent=2, allow_nan=False) + "\n"  # fails before any write
    save_run(record, args.out)
    atomic_write_text(path, text)
    print(f"Run file: {args.out}\nSummary:  {path}")


def _summary(record: RunRecord, args: argparse.Namespace) -> dict[str, Any]:
    return {"run_file": str(args.out), "kind": record.kind, "created_at": record.created_at,
            "provenance": record.provenance, "metrics": record.metrics,
            "parameters": int(parameter_table(record.build_model())["count"].iloc[-1]),
            **{k: _cfg(getattr(record, k)) for k in ("model_cfg", "train_cfg", "data_cfg")}}


def _cfg(cfg: object) -> dict[str, Any] | None:
    return None if cfg is None else {f.name: getattr(cfg, f.name) for f in fields(cfg)}  # type: ignore[arg-type]


def cmd_forecast(args: argparse.Namespace) -> None:
    from lstm_core.data import DEFAULT_BUNDLED, load_bundled, read_price_csv
    from lstm_core.data.bundled_prices import STRUCTURED_SERIES
    from lstm_core.forecasting import forecast_sizes, train_forecaster
    from lstm_core.run_records import forecast_record

    model_base, train_base, data_base, rows = ModelConfig(), TrainConfig(), ForecastDataConfig(), None
    method = "direct"
    if args.preset is not None:
        from lstm_core.forecast_presets import FORECAST_PRESETS

        preset = _preset(args.preset, FORECAST_PRESETS)
        model_base, train_base, data_base, rows = preset.model, preset.train, preset.data, preset.last_rows
        method = preset.method
    data_kw = _given(args, _DATA_FLAGS)
    structured = STRUCTURED_SERIES.get((args.bundled or "").upper())
    if structured is not None and args.csv is None:
        data_kw.setdefault("target", structured.column)  # one value column, not prices
    if args.features is not None:
        data_kw["features"] = tuple(args.features)
    data_cfg = replace(data_base, **data_kw)  # settings first: a typo fails before any loading
    model_cfg, train_cfg = _model_train(args, model_base, train_base)
    rows = args.last_rows if args.last_rows is not None else rows
    _check_outputs(args)
    if args.csv is not None:
        imported = read_price_csv(args.csv, date_column=args.date_column, date_format=args.date_format,
                                  dayfirst=args.dayfirst)
        frame = imported.frame
        for line in imported.report:
            print(f"csv: {line}", file=sys.stderr)
    else:
        frame = load_bundled(args.bundled or DEFAULT_BUNDLED, period=args.period)
    if rows is not None:
        from lstm_core.forecast_presets import last_rows

        frame = last_rows(frame, rows)
    _warn_cost(model_cfg, train_cfg, **forecast_sizes(data_cfg, len(frame), method))
    result = train_forecaster(frame, data_cfg, model_cfg, train_cfg, _callbacks(args), method=method)
    record = forecast_record(result)
    summary = _summary(record, args)
    _print_forecast(record, summary)
    _write_outputs(record, args, summary)


def _describe(mc: ModelConfig, parameters: int) -> str:
    both = " bidirectional" if mc.bidirectional else ""
    return f"{mc.cell} {mc.hidden_size} x {mc.num_layers}{both}, head {mc.head}, {parameters:,} parameters"


def _print_forecast(record: RunRecord, summary: dict[str, Any]) -> None:
    import pandas as pd

    prov, m, t = record.provenance, record.metrics, record.metrics["training"]
    print(f"Data:     {prov.get('name', '?')}: {prov.get('source', '?')}, {prov.get('rows', '?')} rows, "
          f"{prov.get('start', '?')} to {prov.get('end', '?')}")
    print(f"Model:    {_describe(record.model_cfg, summary['parameters'])}")
    print(f"Training: {t['stop_reason']} after {t['epochs_run']} epochs in {t['elapsed_s']:.1f} s "
          f"(best epoch {t['best_epoch']})")
    table = pd.DataFrame(m["test"]).T.astype(float)
    print(f"Test part ({m['windows']['test']} windows), model beside the naive forecast (last value carried "
          "forward):")
    print(table.to_string(float_format=lambda v: f"{v:,.4f}", na_rep="-"))
    skill = m["skill"]
    print(f"Skill:    {'-' if skill is None else f'{skill:+.1%}'}  {m['verdict']}")


def cmd_mnist(args: argparse.Namespace) -> None:
    from lstm_core.classification import (
        VAL_FRACTION,
        check_val_fraction,
        mnist_sizes,
        split_validation,
        train_classifier,
    )
    from lstm_core.data import load_mnist
    from lstm_core.mnist_presets import DEFAULT_PRESET, PRESETS, jitter_for
    from lstm_core.run_records import classifier_record

    preset = _preset(DEFAULT_PRESET if _slug(args.preset) == "default" else args.preset, PRESETS)
    data_cfg = MnistDataConfig(source=args.source, **_given(args, ("train_limit", "test_fraction")))
    model_cfg, train_cfg = _model_train(args, preset.model, preset.train)  # settings checked first
    val_fraction = VAL_FRACTION if args.val_fraction is None else args.val_fraction
    check_val_fraction(val_fraction)
    _check_outputs(args)
    data = load_mnist(data_cfg)
    data_cfg = replace(data_cfg, source=data.source)  # full MNIST that fell back to the subset says so
    for _, text in data.messages:
        print(text, file=sys.stderr)
    print(f"{data.description}; preset {preset.name}", file=sys.stderr)
    if args.epochs is None:  # a step budget (seed 000: 3,000 steps) sets the epochs it needs
        n_fit = len(split_validation(data.train_y, val_fraction, train_cfg.seed)[0])
        train_cfg = replace(train_cfg, epochs=preset.train_for(n_fit).epochs)
    _warn_cost(model_cfg, train_cfg, **mnist_sizes(len(data.train_y), len(data.test_y), val_fraction))
    result = train_classifier(data, model_cfg, train_cfg, _callbacks(args), val_fraction=val_fraction,
                              label_smoothing=preset.label_smoothing,
                              augment=jitter_for(preset.augment, train_cfg.seed))
    record = classifier_record(result, data_cfg)
    summary = _summary(record, args)
    t = record.metrics["training"]
    print(f"Model:    {_describe(record.model_cfg, summary['parameters'])}")
    print(f"Training: {t['stop_reason']} after {t['epochs_run']} epochs in {t['elapsed_s']:.1f} s")
    print(f"Test accuracy: {result.accuracy:.2%} on {len(data.test_y):,} held-out digits")
    _write_outputs(record, args, summary)


def cmd_list(args: argparse.Namespace) -> None:
    from lstm_core.data import BUNDLED_SERIES, bundled_tickers
    from lstm_core.data.bundled_prices import STRUCTURED_SERIES

    rows = [(t, f"{BUNDLED_SERIES[t].name} (daily prices)", BUNDLED_SERIES[t].url) for t in bundled_tickers()]
    rows += [(key, f"{s.name} ({s.column})", s.url) for key, s in STRUCTURED_SERIES.items()]
    width = max(len(what) for _, what, _ in rows) + 2
    print(f"{'name':<17}{'what':<{width}}source")
    for key, what, url in rows:
        print(f"{key:<17}{what:<{width}}{url}")


def cmd_inspect(args: argparse.Namespace) -> None:
    record = load_run(args.run_file)
    print(f"{record.kind} run, format {record.version}, created {record.created_at}")
    for name in ("model_cfg", "train_cfg", "data_cfg"):
        cfg = _cfg(getattr(record, name))
        print(f"{name}: " + ("none" if cfg is None else ", ".join(f"{k}={v!r}" for k, v in cfg.items())))
    if record.scaler is not None:
        print(f"scaler: {record.scaler.kind} {json.dumps(record.scaler.to_dict())}")
    print("provenance: " + json.dumps(record.provenance, indent=2))
    print("metrics: " + json.dumps(record.metrics, indent=2))
    print(parameter_table(record.build_model()).to_string(index=False))


COMMANDS = {"forecast": cmd_forecast, "mnist": cmd_mnist, "compare": cli_compare.run,
            "surnames": cli_surnames.run, "list": cmd_list, "inspect": cmd_inspect}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    try:
        if args.threads < 1:
            raise ValueError(f"--threads must be at least 1; got {args.threads}")
        torch.set_num_threads(args.threads)
        COMMANDS[args.command](args)
    except BrokenPipeError:  # e.g. `inspect run.pt | head`: the reader has gone
        return 0
    except (RunFileError, ValueError, KeyError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was written", file=sys.stderr)
        return 130
    return 0
