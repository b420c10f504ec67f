"""Tests for the ``compare`` command, called through argparse as the main command does."""

from __future__ import annotations

import argparse
import json

import pytest

from lstm_core import cli_compare


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lstm_core")
    sub = parser.add_subparsers(dest="command")
    cli_compare.add_parser(sub)
    return parser.parse_args(["compare", *argv])


TINY = ("--epochs", "1", "--hidden-size", "4", "--n-train", "64", "--no-progress")


def test_compare_prints_a_line_per_model_and_writes_the_summary(tmp_path, capsys):
    out = tmp_path / "deep" / "out.json"
    cli_compare.run(_args("--task", "temporal-order", "--length", "8", "--models", "RNN,LSTM,GRU",
                          "--seed", "0", "--summary", str(out), *TINY))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert all(line.startswith("T=8") and "test accuracy" in line and "(chance 25.0%)" in line
               and "parameters" in line for line in lines)
    assert {line.split()[1] for line in lines} == {"RNN", "LSTM", "GRU"}
    summary = json.loads(out.read_text())
    assert summary["task"] == "temporal-order" and summary["settings"]["models"] == ["RNN", "LSTM", "GRU"]
    results = summary["results"]
    assert [r["model"] for r in results] == ["RNN", "LSTM", "GRU"]
    for r in results:
        assert r["length"] == 8 and r["chance"] == 0.25 and 0 <= r["test_metric"] <= 1
        assert r["parameters"] > 0 and r["training_seconds"] > 0 and r["epochs_run"] == 1
    assert summary["model_configs"]["LSTM"]["forget_bias"] == 3.0


def test_sweep_prints_a_line_per_model_and_length(tmp_path, capsys):
    out = tmp_path / "sweep.json"
    cli_compare.run(_args("--task", "adding", "--lengths", "6,3", "--models", "LSTM", "--summary", str(out),
                          *TINY))
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["T=3", "T=6"]
    assert all("test mse" in line and "(baseline " in line for line in lines)
    results = json.loads(out.read_text())["results"]
    assert [(r["model"], r["length"]) for r in results] == [("LSTM", 3), ("LSTM", 6)]
    assert all(0 < r["baseline_mse"] < 0.2 for r in results)


def test_equal_params_sizes_the_models(capsys):
    cli_compare.run(_args("--length", "5", "--models", "RNN,LSTM", "--equal-params", "2000", *TINY))
    counts = [int(line.split("parameters")[0].split()[-1].replace(",", ""))
              for line in capsys.readouterr().out.strip().splitlines()]
    assert all(abs(n - 2000) <= 100 for n in counts), counts


def test_progress_lines_go_to_stderr(capsys):
    cli_compare.run(_args("--length", "4", "--models", "GRU", "--epochs", "2", "--n-train", "32"))
    err = capsys.readouterr().err
    assert "GRU T=4 epoch 1/2" in err and "GRU T=4 epoch 2/2" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--task", "copy"), "unknown task 'copy'; valid: temporal-order, adding, first-symbol"),
        (("--models", "RNN,Transformer"), "unknown model 'Transformer'"),
        (("--models", ""), "choose at least one model"),
        (("--models", " , "), "choose at least one model"),
        (("--length", "1"), "length must be a whole number in \\[2, 2,000\\]"),
        (("--length", "1000000"), "length must be a whole number in \\[2, 2,000\\]"),
        (("--lengths", "10,x"), "--lengths must be whole numbers separated by commas"),
        (("--lengths", ","), "--lengths needs at least one length"),
        (("--lengths", "10,1"), "length must be"),
        (("--epochs", "0"), "epochs must be a whole number >= 1"),
        (("--equal-params", "0"), "parameter budget must be"),
    ],
)
def test_bad_input_raises_value_error(argv, message):
    with pytest.raises(ValueError, match=message):
        cli_compare.run(_args(*argv, "--no-progress"))
