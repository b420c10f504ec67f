"""Config validation: each bad value gets a message that says what is allowed."""

from __future__ import annotations

import dataclasses
import math

import pytest

from lstm_core.config import (
    CELL_TYPES,
    ForecastDataConfig,
    MnistDataConfig,
    ModelConfig,
    TrainConfig,
)

# --- ModelConfig --------------------------------------------------------------------------------


def test_defaults_are_valid_and_frozen() -> None:
    for cls, name in ((ModelConfig, "cell"), (TrainConfig, "lr"), (ForecastDataConfig, "seq_len"),
                      (MnistDataConfig, "seed")):
        cfg = cls()
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(cfg, name, 3)
    assert TrainConfig().grad_clip == 1.0 and ModelConfig().cell == "LSTM"


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_each_cell_type_is_accepted(cell: str) -> None:
    assert ModelConfig(cell=cell, num_layers=1).cell == cell


def test_unknown_cell_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="cell must be one of RNN, LSTM, GRU, HandRNN; got 'Transformer'"):
        ModelConfig(cell="Transformer")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden_size": 0}, "hidden_size must be a whole number >= 1; got 0"),
        ({"num_layers": 0}, "num_layers must be a whole number >= 1; got 0"),
        ({"hidden_size": True}, "hidden_size must be a whole number >= 1; got True"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\); got 1.0"),
        ({"dropout": -0.1}, r"dropout must be in \[0, 1\)"),
        ({"dropout": math.nan}, "dropout must be a finite number; got nan"),
        ({"dropout": 0.2, "num_layers": 1}, "with num_layers=1 set dropout to 0 or use num_layers >= 2"),
        ({"bidirectional": 1}, "bidirectional must be True or False; got 1"),
        ({"head": "first"}, "head must be one of last, all, mean, max; got 'first'"),
        ({"forget_bias": math.inf}, "forget_bias must be a finite number; got inf"),
        ({"cell": "HandRNN", "num_layers": 2}, r"HandRNN\) is one layer"),
    ],
)
def test_model_config_messages(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ModelConfig(**kwargs)


def test_model_config_good_variants() -> None:
    cfg = ModelConfig(num_layers=2, dropout=0.3, bidirectional=True, head="all")
    assert cfg.num_directions == 2
    assert dataclasses.replace(cfg, bidirectional=False).num_directions == 1


# --- TrainConfig --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0}, r"lr \(learning rate\) must be > 0; got 0"),
        ({"lr": -1e-3}, r"lr \(learning rate\) must be > 0"),
        ({"lr": 11}, r"lr \(learning rate\) must be <= 10"),
        ({"lr": math.nan}, "lr must be a finite number; got nan"),
        ({"lr": math.inf}, "lr must be a finite number; got inf"),
        ({"lr": "0.1"}, "lr must be a finite number; got '0.1'"),
        ({"epochs": 0}, "epochs must be a whole number >= 1; got 0"),
        ({"epochs": True}, "epochs must be a whole number >= 1; got True"),
        ({"epochs": 2.0}, "epochs must be a whole number >= 1; got 2.0"),
        ({"batch_size": 0}, "batch_size must be a whole number >= 1"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of adam, sgd; got 'rmsprop'"),
        ({"weight_decay": -1.0}, "weight_decay must be >= 0"),
        ({"grad_clip": 0}, r"grad_clip must be > 0 or None \(off\)"),
        ({"grad_clip": math.nan}, "grad_clip must be a finite number"),
        ({"patience": 0}, "patience must be a whole number >= 1"),
        ({"min_delta": -0.1}, "min_delta must be >= 0"),
        ({"max_steps": 0}, "max_steps must be a whole number >= 1"),
        ({"eval_every": False}, "eval_every must be a whole number >= 1; got False"),
        ({"log_every": 0}, "log_every must be a whole number >= 1"),
        ({"seed": -1}, "seed must be a whole number >= 0; got -1"),
        ({"device": "tpu"}, 'device must be "auto", "cpu", "cuda", "cuda:N" or "mps"'),
    ],
)
def test_train_config_messages(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kwargs)


def test_train_config_accepts_off_switches_and_devices() -> None:
    cfg = TrainConfig(grad_clip=None, patience=None, max_steps=3000, eval_every=500, device="cuda:1")
    assert cfg.grad_clip is None and cfg.max_steps == 3000


# --- ForecastDataConfig -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": ""}, "target must be a column name"),
        ({"features": ["Open"]}, "features must be a tuple of column names"),
        ({"features": ("Close",)}, "'Close' is the target: do not list it again in features"),
        ({"seq_len": 0}, "seq_len must be a whole number >= 1; got 0"),
        ({"target_mode": "level"}, "target_mode must be one of next, change; got 'level'"),
        ({"scaler": "robust"}, "scaler must be one of minmax, standard; got 'robust'"),
        ({"val_fraction": -0.1}, r"val_fraction must be in \[0, 1\)"),
        ({"test_fraction": 0.0}, r"test_fraction must be in \(0, 1\): a forecast needs test rows"),
        ({"test_fraction": math.nan}, "test_fraction must be a finite number; got nan"),
        ({"val_fraction": 0.4, "test_fraction": 0.5}, "must leave at least 10% for training"),
    ],
)
def test_forecast_data_config_messages(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ForecastDataConfig(**kwargs)


def test_columns_put_the_target_first() -> None:
    cfg = ForecastDataConfig(target="Close", features=("Open", "Volume"))
    assert cfg.columns == ("Close", "Open", "Volume")


def test_check_rows_says_what_seq_len_would_work() -> None:
    cfg = ForecastDataConfig(seq_len=30, val_fraction=0.1, test_fraction=0.2)
    cfg.check_rows(100)  # 70 training rows: fine
    with pytest.raises(ValueError, match=r"seq_len 30 is not shorter than the training part \(28 of 40"):
        cfg.check_rows(40)
    with pytest.raises(ValueError, match="use seq_len <= 27 or a longer series"):
        cfg.check_rows(40)


def test_check_rows_without_test_rows() -> None:
    with pytest.raises(ValueError, match="leaves no test rows; raise test_fraction or use a longer series"):
        ForecastDataConfig(seq_len=1, test_fraction=0.1).check_rows(4)


def test_check_rows_never_suggests_a_seq_len_that_fails() -> None:
    cfg = ForecastDataConfig(seq_len=1, val_fraction=0.4, test_fraction=0.45)
    with pytest.raises(ValueError) as info:
        cfg.check_rows(3)  # 1 training row: no seq_len can work
    message = str(info.value)
    assert "longer series" in message
    if "use seq_len <=" in message:
        suggested = int(message.split("use seq_len <= ")[1].split()[0])
        ForecastDataConfig(seq_len=suggested, val_fraction=0.4, test_fraction=0.45).check_rows(3)


# --- MnistDataConfig ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source": "emnist"}, "source must be one of subset, full; got 'emnist'"),
        ({"test_fraction": 1.0}, r"test_fraction must be in \(0, 1\)"),
        ({"train_limit": 0}, "train_limit must be a whole number >= 1"),
        ({"train_limit": True}, "train_limit must be a whole number >= 1; got True"),
        ({"seed": 1.5}, "seed must be a whole number >= 0"),
    ],
)
def test_mnist_config_messages(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MnistDataConfig(**kwargs)
