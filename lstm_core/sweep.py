"""Success against distance: the same comparison at every sequence length T, points as they finish.

    sweep("temporal-order", [10, 20, 50, 100, 150], model_choices("RNN,LSTM,GRU"), on_point=...)
      -> SweepResult: test metric against T per run (points arrive as they finish)

The headline picture of the Compare page: the plain RNN falls to chance as T grows while the
LSTM and the GRU hold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from lstm_core.compare import DEFAULTS, CompareDefaults, train_one
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.memory_tasks import generate_task, memory_task


@dataclass(frozen=True, slots=True)
class SweepPoint:
    label: str
    length: int
    metric: float
    baseline: float
    parameters: int
    seconds: float
    epochs_run: int


@dataclass(frozen=True, slots=True)
class SweepResult:
    task: str
    lengths: tuple[int, ...]
    points: list[SweepPoint] = field(default_factory=list)
    stopped: bool = False

    def series(self) -> dict[str, list[tuple[int, float]]]:
        """label -> [(T, metric), ...] for ``lstm_core.plots.compare.sweep_figure``."""
        out: dict[str, list[tuple[int, float]]] = {}
        for p in self.points:
            out.setdefault(p.label, []).append((p.length, p.metric))
        return out


def sweep(
    task: str,
    lengths: Sequence[int],
    runs: Sequence[tuple[str, ModelConfig]],
    train_cfg: TrainConfig | None = None,
    *,
    defaults: CompareDefaults = DEFAULTS,
    data_seed: int = 0,
    on_point: Callable[[SweepPoint], None] | None = None,
    callbacks_for: Callable[[str, int], Sequence[object]] | None = None,
    stop: threading.Event | None = None,
) -> SweepResult:
    """Compare ``runs`` at every length T, shortest first, reporting each finished point.

    Args:
        lengths: the T values (each validated by ``MemoryTaskConfig``).
        on_point: called with each finished ``SweepPoint`` (a page draws it at once).
        callbacks_for: (label, T) -> fit callbacks of that run.

    Raises:
        ValueError: for no lengths, a repeated length or a length out of range.
    """
    lengths = tuple(sorted(lengths))
    if not lengths:
        raise ValueError("give at least one sequence length for the sweep")
    if len(set(lengths)) != len(lengths):
        raise ValueError(f"each length once, please; got {list(lengths)}")
    configs = [defaults.data_config(t, data_seed) for t in lengths]  # validates every T up front
    memory_task(task)
    labels = [label for label, _ in runs]
    if not runs or len(set(labels)) != len(labels):
        raise ValueError(f"choose at least one model, each with its own label; got {labels}")
    result = SweepResult(task, lengths)
    train_cfg = train_cfg or defaults.train_config()
    for data_cfg in configs:
        data, length = generate_task(task, data_cfg), data_cfg.length
        for label, cfg in runs:
            if stop is not None and stop.is_set():
                return replace(result, stopped=True)
            callbacks = callbacks_for(label, length) if callbacks_for else ()
            r = train_one(label, cfg, data, train_cfg, callbacks, stop)
            point = SweepPoint(r.label, length, r.metric, r.baseline, r.parameters, r.seconds, r.epochs_run)
            result.points.append(point)
            if on_point:
                on_point(point)  # at once: a page draws each point as it finishes
    return replace(result, stopped=stop is not None and stop.is_set())
