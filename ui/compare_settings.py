"""The Compare page's settings: one frozen record, its tasks, its runs, and its JSON / link form.

No streamlit here: the settings travel to the worker process that trains the comparison
(``ui.compare_jobs``), and they round-trip through a downloadable JSON file and the page's
address (``?task=adding&T=50&models=RNN,LSTM``), so a comparison can be reproduced from a link.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from lstm_core.compare import DEFAULTS, MODEL_CHOICES, CompareDefaults, equal_parameter_sizes, model_config
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.memory_tasks import MEMORY_TASKS, MemoryTaskConfig
from lstm_core.models import count_parameters


@dataclass(frozen=True, slots=True)
class TaskInfo:
    """What the page says about a task and how its results read."""

    key: str
    title: str
    definition: str
    level_text: str  # what the chance / baseline line means
    metric: str  # the results table's headline column
    lower_is_better: bool
    input_size: int
    output_size: int
    seq_len: int | None  # fixed length of real data; None: the knob T
    percent: bool = False  # the metric is an accuracy shown in %


def _memory_info(name: str) -> TaskInfo:
    spec = MEMORY_TASKS[name]
    classify = spec.kind == "classification"
    return TaskInfo(name, spec.title, spec.definition, spec.baseline_text,
                    "test accuracy" if classify else "test MSE", not classify, spec.input_size,
                    spec.output_size, None, percent=classify)


TASKS: dict[str, TaskInfo] = {name: _memory_info(name) for name in MEMORY_TASKS} | {
    "prices": TaskInfo(
        "prices", "Daily prices (bundled series)",
        "Each input is the last 30 daily closing prices (scaled); the target is the next day's change. "
        "The score is the test RMSE divided by that of the naive forecast 'tomorrow = today'.",
        "baseline: 1.0 = exactly as good as 'tomorrow = today' (below 1 beats it)",
        "RMSE ÷ naive", True, 1, 1, 30),
    "mnist": TaskInfo(
        "mnist", "MNIST row by row",
        "Each 28×28 digit is read as 28 steps of 28 pixels; the class is the digit. Only 28 steps: every "
        "cell remembers that far, so this task does not separate the cells much. For the difference, use "
        "the long-memory tasks.",
        "baseline: always answering the most common digit of the training part (about 11 %)",
        "test accuracy", False, 28, 10, 28, percent=True),
}
TICKERS = ("NVDA", "MSFT", "AMZN", "NFLX", "GSPC", "BTC-USD")


@functools.cache
def _surname_languages() -> int:
    from lstm_core.data.surnames import load_surnames

    return len(load_surnames().languages)


def surnames_available() -> bool:
    """The surname task's core is in this checkout (it is being finished by another change)."""
    try:
        import lstm_core.surnames  # noqa: F401
    except ImportError:
        return False
    return True


def task_info(key: str) -> TaskInfo:
    if key == "surnames" and surnames_available():
        from lstm_core.data.surnames import N_LETTERS

        return TaskInfo(
            "surnames", "Surnames: which language? (seed 004)",
            "Each surname is read one letter at a time (one-hot over 55 characters); the class is its "
            "language. Names are short (mostly 4-10 letters), so this is about spelling, not long memory.",
            "baseline: always answering the most common language of the training names",
            "test accuracy", False, N_LETTERS, _surname_languages(), None, percent=True)
    if key not in TASKS:
        raise ValueError(f"unknown task {key!r}; valid: {', '.join(task_keys())}")
    return TASKS[key]


def task_keys() -> tuple[str, ...]:
    return (*TASKS, *(("surnames",) if surnames_available() else ()))


@dataclass(frozen=True, slots=True)
class CompareSettings:
    """Everything that decides a comparison; the defaults are the page's defaults."""

    task: str = "temporal-order"
    length: int = DEFAULTS.length  # T of the memory tasks
    n_train: int = DEFAULTS.n_train  # training sequences (memory tasks) or digits (MNIST)
    models: tuple[str, ...] = DEFAULTS.models
    hidden_size: int = DEFAULTS.hidden_size
    forget_bias: float = DEFAULTS.forget_bias
    equal_params: bool = False
    epochs: int = DEFAULTS.epochs
    lr: float = DEFAULTS.lr
    batch_size: int = DEFAULTS.batch_size
    seed: int = 0
    lengths: tuple[int, ...] = DEFAULTS.lengths  # the sweep's T
    ticker: str = "NVDA"  # the price task's bundled series

    @property
    def info(self) -> TaskInfo:
        return task_info(self.task)

    @property
    def memory(self) -> bool:
        return self.task in MEMORY_TASKS

    def defaults(self) -> CompareDefaults:
        return replace(DEFAULTS, hidden_size=self.hidden_size, forget_bias=self.forget_bias, lr=self.lr,
                       batch_size=self.batch_size, epochs=self.epochs, n_train=self.n_train,
                       n_val=min(DEFAULTS.n_val, max(50, self.n_train // 8)),
                       n_test=min(DEFAULTS.n_test, max(100, self.n_train // 4)), length=self.length,
                       lengths=self.lengths, models=self.models)

    def train_config(self) -> TrainConfig:
        return self.defaults().train_config(self.seed)

    def data_config(self, length: int | None = None) -> MemoryTaskConfig:
        return self.defaults().data_config(length, self.seed)


def check(settings: CompareSettings, sweep: bool = False) -> None:
    """Raise ValueError with a sentence for the page unless the settings can train."""
    task_info(settings.task)
    if not settings.models:
        raise ValueError("Tick at least one model to compare.")
    unknown = [m for m in settings.models if m not in MODEL_CHOICES]
    if unknown:
        raise ValueError(f"Unknown model {', '.join(unknown)}; valid: {', '.join(MODEL_CHOICES)}.")
    if settings.ticker not in TICKERS:
        raise ValueError(f"Unknown price series {settings.ticker!r}; bundled: {', '.join(TICKERS)}.")
    settings.train_config()
    if settings.memory:
        for t in (settings.lengths if sweep else (settings.length,)):
            settings.data_config(t)
    if sweep:
        if not settings.memory:
            raise ValueError("The sweep over T needs a long-memory task: real data have no distance knob.")
        if not settings.lengths:
            raise ValueError("Give at least one length T for the sweep, e.g. 10, 20, 50, 100, 200.")
        if len(set(settings.lengths)) != len(settings.lengths):
            raise ValueError(f"Give each length once; got {', '.join(map(str, settings.lengths))}.")
    plan_runs(settings)


def plan_runs(settings: CompareSettings) -> list[tuple[str, ModelConfig]]:
    """(label, ModelConfig) per ticked model; with ``equal_params`` every hidden size is chosen so that
    the parameter counts match the LSTM's (or the first model's) at the chosen hidden size."""
    defaults = settings.defaults()
    runs = [(name, model_config(name, defaults)) for name in settings.models]
    if not settings.equal_params or len(runs) < 2:
        return runs
    sizes = _sizes(settings)
    anchor = dict(runs).get("LSTM", runs[0][1])
    budget = count_parameters(anchor, **sizes)
    sized = equal_parameter_sizes([cfg for _, cfg in runs], budget, **sizes)
    return [(label, cfg) for (label, _), cfg in zip(runs, sized, strict=True)]


def _sizes(settings: CompareSettings) -> dict[str, int | None]:
    info = settings.info
    seq_len = settings.length if settings.memory else info.seq_len
    return {"input_size": info.input_size, "output_size": info.output_size, "seq_len": seq_len}


def parameter_counts(settings: CompareSettings) -> dict[str, tuple[int, int]]:
    """label -> (hidden units, parameters) of each planned run."""
    sizes = _sizes(settings)
    return {label: (cfg.hidden_size, count_parameters(cfg, **sizes)) for label, cfg in plan_runs(settings)}


def size_and_cost(settings: CompareSettings) -> tuple[str, str]:
    """(an error when a planned model is over the size cap, a warning when one would train very long
    here), from ``lstm_core.cost.check_settings``, the check every page and the command line ask.

    The cost is estimated where the page knows the data's size before loading it (the long-memory
    tasks and MNIST); for the price series and the surnames only the size cap is checked.
    """
    from lstm_core.cost import check_settings

    sizes = _sizes(settings)
    known = settings.memory or settings.task == "mnist"
    sizes["seq_len"] = sizes["seq_len"] or 1
    warning, runs = "", plan_runs(settings)
    for label, cfg in runs:
        too_big, slow = check_settings(cfg, settings.train_config(), n_train=settings.n_train if known else 1,
                                       **sizes)  # type: ignore[arg-type]
        if too_big:
            return f"{label}: {too_big}", ""
        if slow and not warning:
            warning = slow + (f" That is the {label} alone; the {len(runs)} models train one after another."
                              if len(runs) > 1 else "")
    return "", warning


# ------------------------------------------------------------------ JSON and the page's address

_QUERY = {"task": "task", "T": "length", "n": "n_train", "models": "models", "hidden": "hidden_size",
          "fb": "forget_bias", "equal": "equal_params", "epochs": "epochs", "lr": "lr", "batch": "batch_size",
          "seed": "seed", "lengths": "lengths", "ticker": "ticker"}
QUERY_KEYS = tuple(_QUERY)


def to_json(settings: CompareSettings) -> str:
    return json.dumps(asdict(settings), indent=2)


def to_query(settings: CompareSettings) -> dict[str, str]:
    """The settings that differ from the defaults, as query parameters."""
    base, out = CompareSettings(), {}
    for short, name in _QUERY.items():
        value = getattr(settings, name)
        if value != getattr(base, name):
            out[short] = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return out


def _parse(name: str, raw: Any) -> Any:
    kind = {f.name: f.type for f in fields(CompareSettings)}[name]
    try:
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            return {"true": True, "1": True, "false": False, "0": False}[str(raw).strip().lower()]
        if kind.startswith("tuple"):
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            items = [str(i).strip() for i in items if str(i).strip()]
            return tuple(int(i) for i in items) if "int" in kind else tuple(items)
        if kind == "int":
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError
            return int(raw) if not isinstance(raw, str) else int(raw.strip())
        if kind == "float":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError
            return value
        return str(raw)
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{name} cannot be {raw!r}") from None


def from_mapping(values: Mapping[str, Any], short: bool = False) -> CompareSettings:
    """Settings from a JSON object (field names) or query parameters (``short`` names); missing keys keep
    their defaults. Raises ValueError naming the first bad or unknown entry."""
    names = _QUERY if short else {f.name: f.name for f in fields(CompareSettings)}
    unknown = [k for k in values if k not in names]
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; known: {', '.join(names)}")
    return replace(CompareSettings(), **{names[k]: _parse(names[k], v) for k, v in values.items()})


def from_json(text: str | bytes) -> CompareSettings:
    try:
        values = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"this is not a settings file (not JSON: {exc})") from None
    if not isinstance(values, dict):
        raise ValueError("a settings file holds one JSON object of settings")
    return from_mapping(values)
