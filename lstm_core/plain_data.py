"""Configs, training histories and numbers as plain JSON data, and configs back from it.

Run files and the command line's summaries store these; ``to_jsonable`` makes any of them safe
for ``json.dumps(allow_nan=False)`` (tuples become lists, NaN and infinities null).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from lstm_core.progress import History


def config_to_dict(cfg: object) -> dict[str, Any]:
    """A config dataclass as a JSON-ready dict (tuples become lists)."""
    return to_jsonable(dataclasses.asdict(cfg))


def config_fields(cfg: object) -> dict[str, Any]:
    """A config dataclass's fields by name, values as they are (tuples stay tuples)."""
    return {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)}  # type: ignore[arg-type]


def config_from_dict(cls: type, data: Mapping[str, Any]) -> Any:
    """Rebuild a config dataclass; lists become tuples for tuple-typed fields (``features``).

    Raises:
        ValueError: unknown fields or values the config's validation refuses.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"{cls.__name__} must be stored as an object; got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def history_to_dict(history: History) -> dict[str, list]:
    """Per-epoch curves of a ``History``: epoch, train_loss, val_loss and every epoch metric."""
    out: dict[str, list] = {
        "epoch": [e.epoch for e in history.epochs],
        "train_loss": history.train_loss,
        "val_loss": history.val_loss,
    }
    for e in history.epochs:
        for key in e.metrics:
            out.setdefault(key, [])
    for key in list(out)[3:]:
        out[key] = [e.metrics.get(key) for e in history.epochs]
    return to_jsonable(out)


def training_summary(history: History) -> dict[str, Any]:
    """How training ended, for ``RunRecord.metrics``."""
    return to_jsonable({
        "stop_reason": history.stop_reason,
        "stop_message": history.message,
        "epochs_run": len(history.epochs),
        "best_epoch": history.best_epoch,
        "best_loss": history.best_loss,
        "restored_best": history.restored_best,
        "elapsed_s": round(history.elapsed, 3),
        "device": history.device,
    })


def to_jsonable(value: Any) -> Any:
    """Plain JSON data for ``json.dumps(allow_nan=False)``: tuples -> lists, NaN and infinities -> None."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy / torch scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
