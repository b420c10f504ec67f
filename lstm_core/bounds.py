"""What each numeric setting accepts, and the checks the config dataclasses raise ``ConfigError`` from.

``BOUNDS`` lets the forms explain a limit at the widget before a config refuses the value;
``lstm_core.config`` re-exports everything here that the forms use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Upper bounds shared by the configs, the forms and the command line (the model-size cap in
# lstm_core.models bounds what they allow together).
LIMITS = {"hidden_size": 4096, "num_layers": 16, "batch_size": 1_000_000}


@dataclass(frozen=True, slots=True)
class Bound:
    """The values a numeric setting accepts: ``low`` to ``high`` (None: unbounded), both ends
    included unless ``open_low`` / ``open_high``; ``whole``: whole numbers only."""

    low: float | None
    high: float | None
    whole: bool = False
    open_low: bool = False
    open_high: bool = False

    def admits(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return False
        if self.whole and not float(value).is_integer():
            return False
        if self.low is not None and (value <= self.low if self.open_low else value < self.low):
            return False
        return self.high is None or (value < self.high if self.open_high else value <= self.high)

    def describe(self) -> str:
        """e.g. "a whole number from 1 to 4,096", "a number above 0, at most 10"."""
        kind = "a whole number" if self.whole else "a number"
        fmt = (lambda v: f"{v:,.0f}") if self.whole else (lambda v: f"{v:g}")
        if self.low is None and self.high is None:
            return kind
        if self.high is None:
            return f"{kind} {'above' if self.open_low else 'of at least'} {fmt(self.low)}"
        if self.low is None:
            return f"{kind} {'below' if self.open_high else 'of at most'} {fmt(self.high)}"
        if self.open_low:
            upper = "below" if self.open_high else "at most"
            return f"{kind} above {fmt(self.low)}, {upper} {fmt(self.high)}"
        return f"{kind} from {fmt(self.low)} to {'below ' if self.open_high else ''}{fmt(self.high)}"


# What each numeric field of ModelConfig, TrainConfig and ForecastDataConfig accepts, by field
# name: the forms explain these at the widget before the configs refuse them (tests/app/test_model_form
# checks each bound against the dataclass that owns the field).
BOUNDS: dict[str, Bound] = {
    "hidden_size": Bound(1, LIMITS["hidden_size"], whole=True),
    "num_layers": Bound(1, LIMITS["num_layers"], whole=True),
    "dropout": Bound(0, 1, open_high=True),
    "forget_bias": Bound(-20, 20),
    "epochs": Bound(1, None, whole=True),
    "batch_size": Bound(1, LIMITS["batch_size"], whole=True),
    "lr": Bound(0, 10, open_low=True),
    "warmup_fraction": Bound(0, 1, open_high=True),
    "weight_decay": Bound(0, None),
    "grad_clip": Bound(0, None, open_low=True),
    "patience": Bound(1, None, whole=True),
    "max_steps": Bound(1, None, whole=True),
    "eval_every": Bound(1, None, whole=True),
    "seed": Bound(0, 2**32 - 1, whole=True),
    "seq_len": Bound(1, None, whole=True),
    "val_fraction": Bound(0, 1, open_high=True),
    "test_fraction": Bound(0, 1, open_low=True, open_high=True),
}


class ConfigError(ValueError):
    """An invalid setting; ``field`` names it, so a form can put the message at its widget."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Raise ConfigError unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ConfigError(name, f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def check_int_at_least(name: str, value: object, low: int) -> None:
    """Raise ConfigError unless ``value`` is a whole number (not a bool) of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(name, f"{name} must be a whole number >= {low}; got {value!r}")


def check_int_in_range(name: str, value: object, low: int, high: int) -> None:
    """Raise ConfigError unless ``value`` is a whole number from ``low`` to ``high``."""
    check_int_at_least(name, value, low)
    if value > high:  # type: ignore[operator]
        raise ConfigError(name, f"{name} must be at most {high:,} on this machine; got {value!r}")


def check_finite(name: str, value: object) -> float:
    """``value`` as a float; ConfigError unless it is a finite number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(name, f"{name} must be a finite number; got {value!r}")
    return float(value)
