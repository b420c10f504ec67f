"""The ``forecast`` and ``mnist`` commands: train, print what the model scored, write the run file.

``lstm_core.cli`` adds their flags (``lstm_core.cli_flags``) and calls ``run_forecast(args)`` or
``run_mnist(args)``. Settings are checked first and output paths next, so a typo or an unwritable
``--out`` fails before any data is loaded or trained on. Bad input raises ValueError.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

from lstm_core.cli_flags import DATA_FLAGS, find_preset, given, model_train
from lstm_core.cli_progress import ProgressBar
from lstm_core.config import ForecastDataConfig, MnistDataConfig, ModelConfig, TrainConfig
from lstm_core.models import parameter_table
from lstm_core.persistence import RunRecord, save_run
from lstm_core.plain_data import config_fields, to_jsonable
from lstm_core.progress import Callback
from lstm_core.safe_io import atomic_write_text, check_output_paths


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
    configs = {k: getattr(record, k) for k in ("model_cfg", "train_cfg", "data_cfg")}
    return {"run_file": str(args.out), "kind": record.kind, "created_at": record.created_at,
            "provenance": record.provenance, "metrics": record.metrics,
            "parameters": int(parameter_table(record.build_model())["count"].iloc[-1]),
            **{k: None if cfg is None else config_fields(cfg) for k, cfg in configs.items()}}


def run_forecast(args: argparse.Namespace) -> None:
    """Train a forecaster on ``--csv`` or ``--bundled``, print its scores, write run file and summary."""
    from lstm_core.data import DEFAULT_BUNDLED, load_bundled, read_price_csv
    from lstm_core.data.bundled_prices import STRUCTURED_SERIES
    from lstm_core.forecasting import forecast_sizes, train_forecaster
    from lstm_core.run_records import forecast_record

    model_base, train_base, data_base, rows = ModelConfig(), TrainConfig(), ForecastDataConfig(), None
    method = "direct"
    if args.preset is not None:
        from lstm_core.forecast_presets import FORECAST_PRESETS

        preset = find_preset(args.preset, FORECAST_PRESETS)
        model_base, train_base, data_base, rows = preset.model, preset.train, preset.data, preset.last_rows
        method = preset.method
    data_kw = given(args, DATA_FLAGS)
    structured = STRUCTURED_SERIES.get((args.bundled or "").upper())
    if structured is not None and args.csv is None:
        data_kw.setdefault("target", structured.column)  # one value column, not prices
    if args.features is not None:
        data_kw["features"] = tuple(args.features)
    data_cfg = replace(data_base, **data_kw)  # settings first: a typo fails before any loading
    model_cfg, train_cfg = model_train(args, model_base, train_base)
    rows = (args.last_rows or None) if args.last_rows is not None else rows  # 0: all rows, as on the page
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


def run_mnist(args: argparse.Namespace) -> None:
    """Train a digit classifier from a preset and flags, print its accuracy, write run file and summary."""
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

    preset = find_preset(args.preset, PRESETS, default=DEFAULT_PRESET)
    data_cfg = MnistDataConfig(source=args.source, **given(args, ("train_limit", "test_fraction")))
    model_cfg, train_cfg = model_train(args, preset.model, preset.train)  # settings checked first
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
