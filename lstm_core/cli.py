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
from collections.abc import Sequence
from pathlib import Path

import torch

from lstm_core import cli_compare, cli_flags, cli_surnames, cli_train
from lstm_core.models import parameter_table
from lstm_core.persistence import RunFileError, load_run
from lstm_core.plain_data import config_fields

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m lstm_core`` argument parser."""
    parser = argparse.ArgumentParser(prog="python -m lstm_core", description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for training (default 1: these small recurrent nets train "
                             "fastest on one, as the app's jobs do; more only fight over the cores)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cli_flags.add_forecast_parser(sub)
    cli_flags.add_mnist_parser(sub)
    cli_compare.add_parser(sub)
    cli_surnames.add_parser(sub)
    sub.add_parser("list", help="list the bundled price series")
    ins = sub.add_parser("inspect", help="show a run file's settings, metrics and parameters")
    ins.add_argument("run_file", type=Path)
    return parser


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
        cfg = getattr(record, name)
        shown = "none" if cfg is None else ", ".join(f"{k}={v!r}" for k, v in config_fields(cfg).items())
        print(f"{name}: {shown}")
    if record.scaler is not None:
        print(f"scaler: {record.scaler.kind} {json.dumps(record.scaler.to_dict())}")
    print("provenance: " + json.dumps(record.provenance, indent=2))
    print("metrics: " + json.dumps(record.metrics, indent=2))
    print(parameter_table(record.build_model()).to_string(index=False))


COMMANDS = {"forecast": cli_train.run_forecast, "mnist": cli_train.run_mnist, "compare": cli_compare.run,
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
