"""``python -m lstm_core``: trains headless end to end; bad input exits 2 with one line, no traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_core.cli import build_parser, main
from lstm_core.cli_progress import ProgressBar
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.data import read_price_csv
from lstm_core.forecasting import forecast_report, predict_values, prepare_forecast_data
from lstm_core.persistence import load_run
from lstm_core.progress import EpochProgress, History, TrainStart
from lstm_core.run_records import load_forecaster

REPO_ROOT = Path(__file__).resolve().parents[2]
TINY = ["--epochs", "2", "--hidden-size", "4", "--num-layers", "1", "--seq-len", "8", "--device", "cpu"]


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lstm_core", *map(str, args)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=240,
    )


def _write_csv(path: Path, rows: int = 150) -> Path:
    t = np.arange(rows)
    pd.DataFrame({
        "Date": pd.bdate_range("2023-01-02", periods=rows).strftime("%Y-%m-%d"),
        "Close": np.round(50 + 5 * np.sin(t / 7) + 0.02 * t, 4),
        "Volume": 1000 + (t % 9) * 10,
    }).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("cli")
    csv = _write_csv(folder / "prices.csv")
    out = folder / "runs" / "tiny.pt"
    return csv, out, _cli("forecast", "--csv", csv, "--target", "Close", *TINY, "--out", out)


def test_forecast_on_csv_writes_a_run_file_that_loads_and_predicts(csv_run) -> None:
    csv, out, proc = csv_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "epoch 2/2" in proc.stderr  # plain progress lines: stderr is not a terminal here
    assert "RMSE" in proc.stdout and "Skill:" in proc.stdout and f"Run file: {out}" in proc.stdout

    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["kind"] == "forecast" and summary["provenance"]["name"] == "prices.csv"
    assert summary["train_cfg"]["epochs"] == 2 and summary["model_cfg"]["hidden_size"] == 4
    assert summary["metrics"]["training"]["stop_reason"] == "completed"
    assert set(summary["metrics"]["test"]["RMSE"]) == {"model", "naive", "model / naive"}
    assert "verdict" in summary["metrics"] and summary["parameters"] > 0

    record = load_run(out)
    model, data_cfg, scaler = load_forecaster(record)
    data = prepare_forecast_data(read_price_csv(csv).frame, data_cfg)
    assert scaler.to_dict() == data.scaler.to_dict()
    report, skill = forecast_report(data, predict_values(model, data))
    assert report.loc["RMSE", "model"] == pytest.approx(summary["metrics"]["test"]["RMSE"]["model"])
    assert skill == pytest.approx(summary["metrics"]["skill"])


def test_inspect_prints_configs_metrics_and_parameters(csv_run, capsys) -> None:
    _, out, _ = csv_run
    assert main(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert "forecast run" in text and "hidden_size=4" in text and "features=()" in text
    assert '"skill"' in text and "rnn.weight_ih_l0" in text and "total" in text


def test_bad_csv_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,colour\nfoo,red\nbar,blue\n")
    proc = _cli("forecast", "--csv", bad, "--out", tmp_path / "x.pt")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error: ") and "holds dates" in proc.stderr
    assert not (tmp_path / "x.pt").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hidden-size", "0"], "hidden_size must be a whole number >= 1; got 0"),
        (["--lr", "-1"], "lr (learning rate) must be > 0"),
        (["--dropout", "0.3", "--num-layers", "1"], "dropout only acts between stacked layers"),
        (["--seq-len", "500"], "seq_len 500 is not shorter than the training part"),
        (["--target", "Price"], "column(s) ['Price'] not in the data"),
    ],
)
def test_bad_settings_exit_2_with_the_config_message(tmp_path: Path, capsys, args, message) -> None:
    csv = _write_csv(tmp_path / "p.csv")
    assert main(["forecast", "--csv", str(csv), *args, "--out", str(tmp_path / "x.pt")]) == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and message in last and "Traceback" not in err


def test_unknown_bundled_series_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["forecast", "--bundled", "NOPE", "--out", str(tmp_path / "x.pt")]) == 2
    err = capsys.readouterr().err
    assert "'NOPE' is not bundled; bundled series: NVDA" in err


def test_tampered_run_file_exits_2(csv_run, tmp_path: Path, capsys) -> None:
    _, out, _ = csv_run
    tampered = tmp_path / "tampered.pt"
    tampered.write_bytes(out.read_bytes()[:-200])
    assert main(["inspect", str(tampered)]) == 2
    assert "Not a valid LSTM Studio run file" in capsys.readouterr().err


def test_list_shows_the_bundled_series(capsys) -> None:
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert "NVDA" in text and "BTC-USD" in text and "kaggle.com" in text


def test_mnist_subset_trains_and_saves(tmp_path: Path, capsys) -> None:
    out = tmp_path / "mnist.pt"
    args = ["mnist", "--epochs", "1", "--train-limit", "100", "--hidden-size", "4", "--num-layers", "1",
            "--device", "cpu", "--no-progress", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Test accuracy:" in text
    record = load_run(out)
    assert record.kind == "classifier" and record.data_cfg.train_limit == 100
    assert record.sizes == {"input_size": 28, "output_size": 10, "seq_len": 28}
    assert 0.0 <= record.metrics["test_accuracy"] <= 1.0
    metrics = json.loads(out.with_suffix(".json").read_text())["metrics"]
    assert (metrics["n_train"], metrics["n_val"]) == (91, 9)  # 10 % of each class held back, rounded


def test_mnist_val_fraction_is_checked_before_loading(tmp_path: Path, capsys) -> None:
    out = tmp_path / "m.pt"
    assert main(["mnist", "--val-fraction", "0.8", "--out", str(out)]) == 2
    assert "val_fraction must be in [0, 0.5]" in capsys.readouterr().err and not out.exists()


def test_flags_left_out_keep_the_dataclass_or_preset_defaults() -> None:
    from lstm_core.cli_flags import model_train as _model_train
    from lstm_core.mnist_presets import SEED_002

    args = build_parser().parse_args(["mnist", "--preset", "seed002", "--lr", "0.01"])
    model, train = _model_train(args, SEED_002.model, SEED_002.train)
    assert (model.hidden_size, model.bidirectional, model.head) == (12, True, "all")
    assert (train.lr, train.batch_size, train.epochs) == (0.01, 128, 11)
    args = build_parser().parse_args(["forecast", "--head", "all"])
    model, train = _model_train(args, ModelConfig(), TrainConfig())
    assert model.head == "all" and model.hidden_size == ModelConfig().hidden_size
    assert train == TrainConfig()


def test_unknown_mnist_preset_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["mnist", "--preset", "seed001", "--out", str(tmp_path / "m.pt")]) == 2
    assert "unknown preset 'seed001'; presets: recommended, seed000, seed002" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _epoch(epoch: int) -> EpochProgress:
    return EpochProgress(epoch, 3, epoch * 10, 30, 0.5 / epoch, 0.6 / epoch, {}, float(epoch),
                         12.0 / epoch, epoch, 0.6 / epoch)


def test_progress_bar_redraws_on_a_terminal_and_prints_lines_otherwise() -> None:
    start = TrainStart(TrainConfig(epochs=3), "regression", "cpu", 100, 10, 10, 30)
    tty, plain = _Terminal(), io.StringIO()
    for stream in (tty, plain):
        bar = ProgressBar(stream, width=10)
        bar.on_train_start(start)
        bar.on_epoch_end(_epoch(1))
        bar.on_epoch_end(_epoch(3))
        bar.on_train_end(History())
    assert "\r[###.......] epoch 1/3 loss 0.5000 val 0.6000 ETA 12s" in tty.getvalue()
    assert "\r[##########] epoch 3/3" in tty.getvalue()
    lines = plain.getvalue().splitlines()
    assert lines[0] == "[###.......] epoch 1/3 loss 0.5000 val 0.6000 ETA 12s"
    assert "\r" not in plain.getvalue() and lines[-1] == "Training completed."


def test_forecast_preset_sets_the_base_and_flags_override(tmp_path: Path, capsys) -> None:
    csv, out = _write_csv(tmp_path / "p.csv"), tmp_path / "seed003.pt"
    args = ["forecast", "--csv", str(csv), "--preset", "Seed 003", "--epochs", "1", "--hidden-size", "2",
            "--seq-len", "8", "--last-rows", "120", "--no-progress", "--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    record = load_run(out)
    assert (record.model_cfg.head, record.model_cfg.hidden_size, record.sizes["seq_len"]) == ("all", 2, 8)
    assert record.data_cfg.target_mode == "next" and record.provenance["rows"] == 120
    assert main(["forecast", "--csv", str(csv), "--preset", "best", "--out", str(out)]) == 2
    assert "unknown preset 'best'; presets: recommended, seed003" in capsys.readouterr().err
    args[args.index("--last-rows") + 1] = "0"  # 0 = all rows, as on the page
    assert main(args) == 0, capsys.readouterr().err
    assert load_run(out).provenance["rows"] == len(pd.read_csv(csv))


# --- compare and surnames through main() -------------------------------------------------------


def test_compare_and_surnames_are_commands_of_main(tmp_path: Path, capsys) -> None:
    summary = tmp_path / "compare.json"
    args = ["compare", "--task", "first-symbol", "--length", "6", "--models", "RNN,GRU", "--epochs", "1",
            "--n-train", "64", "--hidden-size", "4", "--no-progress", "--summary", str(summary)]
    assert main(args) == 0, capsys.readouterr().err
    assert {"RNN", "GRU"} <= set(capsys.readouterr().out.split())
    assert summary.exists()
    out = tmp_path / "names.pt"
    args = ["surnames", "--model", "GRU", "--hidden-size", "4", "--epochs", "1", "--no-progress",
            "--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    assert "majority" in capsys.readouterr().out.lower()
    assert main(["surnames", "predict", "--run", str(out), "Nakamura"]) == 0
    assert "Nakamura" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--task", "sorting"], "unknown task 'sorting'"),
        (["compare", "--models", "RNN,Transformer"], "Transformer"),
        (["compare", "--length", "1"], "length"),
        (["surnames", "predict", "--run", "missing.pt", "Smith"], "no run file"),
    ],
)
def test_compare_and_surnames_bad_input_is_one_error_line(args: list[str], message: str, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and message in err[0]


def test_settings_that_would_take_hours_are_warned_about_before_training(capsys) -> None:
    from lstm_core.cli_train import _warn_cost

    big, short = ModelConfig(hidden_size=1500, num_layers=1), TrainConfig(epochs=400, batch_size=40)
    _warn_cost(big, short, input_size=28, output_size=10, seq_len=28, n_train=4000, n_eval=1000)
    assert "warning: These settings would take very long" in capsys.readouterr().err
    _warn_cost(ModelConfig(hidden_size=8, num_layers=1), TrainConfig(epochs=2), input_size=28, output_size=10,
               seq_len=28, n_train=400, n_eval=100)
    assert capsys.readouterr().err == ""
