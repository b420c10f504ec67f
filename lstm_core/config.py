"""Frozen, validated settings for models, training and data.

Each dataclass validates itself in ``__post_init__`` and raises ``ValueError`` with a
message that says what is wrong and what is allowed. The defaults are the app's
defaults: pages feed them to their widgets, so each default has one source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from lstm_core.bounds import (  # noqa: F401 - BOUNDS and Bound re-exported: the forms read them from here
    BOUNDS,
    LIMITS,
    Bound,
    ConfigError,
    check_choice,
    check_finite,
    check_int_at_least,
    check_int_in_range,
)
from lstm_core.preprocessing import split_sizes

CellType = Literal["RNN", "LSTM", "GRU", "HandRNN"]  # HandRNN: seed 004's i2h/i2o cell
Head = Literal["last", "all", "mean", "max"]  # mean / max: pooled over the real steps
LrSchedule = Literal["constant", "cosine"]
Optimizer = Literal["adam", "sgd"]
TargetMode = Literal["next", "change"]
ScalerKind = Literal["minmax", "standard"]
MnistSource = Literal["subset", "full"]

CELL_TYPES: tuple[str, ...] = get_args(CellType)
HEADS: tuple[str, ...] = get_args(Head)
LR_SCHEDULES: tuple[str, ...] = get_args(LrSchedule)
OPTIMIZERS: tuple[str, ...] = get_args(Optimizer)
TARGET_MODES: tuple[str, ...] = get_args(TargetMode)
SCALERS: tuple[str, ...] = get_args(ScalerKind)
MNIST_SOURCES: tuple[str, ...] = get_args(MnistSource)


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Hyperparameters of a recurrent network: the recurrent core plus a linear head.

    The data's sizes (features per step, outputs, sequence length) are not settings: they are
    passed to ``lstm_core.models.build_model`` by whoever knows the data.
    """

    cell: CellType = "LSTM"  # recurrent core: RNN, LSTM, GRU or HandRNN (seed 004's i2h/i2o cell)
    hidden_size: int = 32  # units per layer and direction
    num_layers: int = 2  # stacked recurrent layers
    dropout: float = 0.0  # between stacked layers; needs num_layers >= 2
    bidirectional: bool = False  # read the sequence both ways (D = 2)
    # "last": read the last step; "all": all steps flattened; "mean" / "max": the outputs pooled
    # over each sequence's real steps (a one-way reader then answers from every row it read)
    head: Head = "last"
    # LSTM only: the forget gate's initial bias. Around 1 to 3 the gate starts open, so the cell
    # state (and its gradient) carries over many steps from the first update; torch's default
    # (None: uniform around 0) starts half-forgetting, which hides long-range signals.
    forget_bias: float | None = 1.0

    def __post_init__(self) -> None:
        check_choice("cell", self.cell, CELL_TYPES)
        check_choice("head", self.head, HEADS)
        check_int_in_range("hidden_size", self.hidden_size, 1, LIMITS["hidden_size"])
        check_int_in_range("num_layers", self.num_layers, 1, LIMITS["num_layers"])
        dropout = check_finite("dropout", self.dropout)
        if not 0.0 <= dropout < 1.0:
            raise ConfigError("dropout", f"dropout must be in [0, 1); got {self.dropout!r}")
        if dropout > 0 and self.num_layers == 1:
            raise ConfigError(
                "dropout", "dropout only acts between stacked layers: with num_layers=1 set dropout to 0 "
                "or use num_layers >= 2"
            )
        if not isinstance(self.bidirectional, bool):
            raise ConfigError("bidirectional",
                              f"bidirectional must be True or False; got {self.bidirectional!r}")
        if self.forget_bias is not None and abs(check_finite("forget_bias", self.forget_bias)) > 20:
            raise ConfigError("forget_bias",
                              f"forget_bias must be between -20 and 20 (or None); got {self.forget_bias!r}")
        if self.cell == "HandRNN" and (self.num_layers != 1 or self.bidirectional or self.head != "last"):
            raise ConfigError("cell", "the hand-written RNN (HandRNN) is one layer, one direction, read "
                              "at the last step: use num_layers=1, bidirectional=False, head='last'")

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """How to train: optimiser, schedule, stopping rules and reproducibility."""

    epochs: int = 30  # passes over the training data
    batch_size: int = 64  # samples per optimiser step
    lr: float = 1e-3  # learning rate (the peak one under a schedule)
    # "constant", or "cosine": from lr down to 0 over the run's optimiser steps (cosine curve);
    # either after a linear warm-up over the first ``warmup_fraction`` of the steps
    lr_schedule: LrSchedule = "constant"
    warmup_fraction: float = 0.0
    optimizer: Optimizer = "adam"
    weight_decay: float = 0.0  # L2 penalty passed to the optimiser
    grad_clip: float | None = 1.0  # max gradient norm; recurrent nets can explode without it
    patience: int | None = None  # early stopping: epochs without validation improvement
    min_delta: float = 0.0  # improvement smaller than this does not reset patience
    restore_best: bool = True  # end with the weights of the best epoch, not the last
    max_steps: int | None = None  # stop after this many optimiser steps (seed 000: 3,000)
    eval_every: int | None = None  # also evaluate every N steps (seed 000: 500), else per epoch
    log_every: int = 10  # batch callbacks fire at step 1 and every N steps (each UI update costs)
    shuffle: bool = True  # shuffle training samples each epoch
    seed: int = 0  # seeds torch and the shuffling; the same seed repeats a run exactly
    device: str = "auto"  # "auto" (CUDA when present), "cpu", "cuda", "cuda:1", ...

    def __post_init__(self) -> None:
        check_int_at_least("epochs", self.epochs, 1)
        check_int_in_range("batch_size", self.batch_size, 1, LIMITS["batch_size"])
        lr = check_finite("lr", self.lr)
        if lr <= 0:
            raise ConfigError("lr", f"lr (learning rate) must be > 0; got {self.lr!r}")
        if lr > 10:
            raise ConfigError("lr", f"lr (learning rate) must be <= 10; got {self.lr!r}")
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        if not 0.0 <= check_finite("warmup_fraction", self.warmup_fraction) < 1.0:
            raise ConfigError("warmup_fraction", "warmup_fraction must be in [0, 1) (a share of the "
                              f"optimiser steps); got {self.warmup_fraction!r}")
        if check_finite("weight_decay", self.weight_decay) < 0:
            raise ConfigError("weight_decay", f"weight_decay must be >= 0; got {self.weight_decay!r}")
        if self.grad_clip is not None and check_finite("grad_clip", self.grad_clip) <= 0:
            raise ConfigError("grad_clip", f"grad_clip must be > 0 or None (off); got {self.grad_clip!r}")
        if self.patience is not None:
            check_int_at_least("patience", self.patience, 1)
        if check_finite("min_delta", self.min_delta) < 0:
            raise ConfigError("min_delta", f"min_delta must be >= 0; got {self.min_delta!r}")
        if self.max_steps is not None:
            check_int_at_least("max_steps", self.max_steps, 1)
        if self.eval_every is not None:
            check_int_at_least("eval_every", self.eval_every, 1)
        check_int_at_least("log_every", self.log_every, 1)
        check_int_in_range("seed", self.seed, 0, 2**32 - 1)  # NumPy's seed range, and plenty of seeds
        if not isinstance(self.device, str) or not (
            self.device in ("auto", "cpu", "cuda", "mps") or self.device.startswith("cuda:")
        ):
            raise ConfigError("device",
                              f'device must be "auto", "cpu", "cuda", "cuda:N" or "mps"; got {self.device!r}')


@dataclass(frozen=True, slots=True)
class ForecastDataConfig:
    """How a price table becomes supervised windows for a forecaster."""

    target: str = "Close"  # column to predict
    features: tuple[str, ...] = ()  # extra input columns besides the target
    seq_len: int = 30  # past steps in each window
    target_mode: TargetMode = "change"  # "next": the next value; "change": next minus last
    val_fraction: float = 0.1  # chronological split: train | validation | test
    test_fraction: float = 0.2
    scaler: ScalerKind = "standard"  # fitted on the training part only

    def __post_init__(self) -> None:
        if not isinstance(self.target, str) or not self.target:
            raise ConfigError("target", "target must be a column name")
        if not isinstance(self.features, tuple) or not all(isinstance(f, str) for f in self.features):
            raise ConfigError("features", "features must be a tuple of column names")
        if self.target in self.features:
            raise ConfigError("features", f"{self.target!r} is the target: do not list it again in features")
        check_int_at_least("seq_len", self.seq_len, 1)
        check_choice("target_mode", self.target_mode, TARGET_MODES)
        check_choice("scaler", self.scaler, SCALERS)
        val = check_finite("val_fraction", self.val_fraction)
        test = check_finite("test_fraction", self.test_fraction)
        if not 0.0 <= val < 1.0:
            raise ConfigError("val_fraction", f"val_fraction must be in [0, 1); got {self.val_fraction!r}")
        if not 0.0 < test < 1.0:
            raise ConfigError(
                "test_fraction",
                f"test_fraction must be in (0, 1): a forecast needs test rows; got {self.test_fraction!r}"
            )
        if val + test >= 0.9:
            raise ConfigError(
                "test_fraction", f"val_fraction + test_fraction must leave at least 10% for training; "
                f"got {val:.2f} + {test:.2f}"
            )

    @property
    def columns(self) -> tuple[str, ...]:
        """Input columns in model order: the target first, then the extra features."""
        return (self.target, *self.features)

    def check_rows(self, n_rows: int) -> None:
        """Raise ``ValueError`` if a series of ``n_rows`` cannot be split and windowed."""
        n_train, _, n_test = split_sizes(n_rows, self.val_fraction, self.test_fraction)
        if n_test < 1:
            raise ConfigError(
                "test_fraction",
                f"test_fraction {self.test_fraction:.2f} of {n_rows} rows leaves no test rows; "
                "raise test_fraction or use a longer series"
            )
        if self.seq_len >= n_train:
            # With one training row no seq_len works: suggest only what would.
            fix = f"use seq_len <= {n_train - 1} or a longer series" if n_train > 1 else (
                "use a longer series or smaller val_fraction / test_fraction")
            raise ConfigError(
                "seq_len", f"seq_len {self.seq_len} is not shorter than the training part "
                f"({n_train} of {n_rows} rows): {fix}"
            )


@dataclass(frozen=True, slots=True)
class MnistDataConfig:
    """Which digits to use for the MNIST demo."""

    source: MnistSource = "subset"  # "subset": 5,000 bundled digits; "full": 60,000 + 10,000
    test_fraction: float = 0.2  # held-out share of the offline subset (full MNIST has its own)
    train_limit: int | None = None  # use at most this many training digits
    seed: int = 0  # fixes the subset's train / test split

    def __post_init__(self) -> None:
        check_choice("source", self.source, MNIST_SOURCES)
        frac = check_finite("test_fraction", self.test_fraction)
        if not 0.0 < frac < 1.0:
            raise ConfigError("test_fraction", f"test_fraction must be in (0, 1); got {self.test_fraction!r}")
        if self.train_limit is not None:
            check_int_at_least("train_limit", self.train_limit, 1)
        check_int_in_range("seed", self.seed, 0, 2**32 - 1)
