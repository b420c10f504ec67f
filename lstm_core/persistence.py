"""Save a trained run to one file and load it back without ever executing code from it.

A run file is ``torch.save`` of a plain dict::

    {"format": "lstm-studio-run", "version": 2,
     "metadata": "<JSON: kind, configs, sizes, scaler, metrics, provenance, history, created_at>",
     "sha256": "<hex digest over the metadata JSON and every tensor's name, dtype, shape, bytes>",
     "state_dict": {"rnn.weight_ih_l0": tensor, ...}}

It is read with ``torch.load(weights_only=True)``, whose unpickler accepts tensors and plain
containers only: a file holding a pickled callable is refused before anything runs. The digest
catches damaged or hand-edited files (integrity, not authenticity: it is not keyed, so a crafted
file can carry a matching one); every section, tensor and shape is therefore checked as well,
on torch's meta device before any real allocation. The container (layout, digest, safe
unpickling) is ``lstm_core.run_format``; what a forecaster's or a classifier's record holds is
``lstm_core.run_records``'s business.

Version 2 keeps the data's sizes (``sizes``: input_size, output_size, seq_len) beside the model's
hyperparameters; a version-1 file, whose model config held them, is read and converted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

import torch
from torch import nn

from lstm_core.config import ForecastDataConfig, MnistDataConfig, ModelConfig, TrainConfig
from lstm_core.models import MAX_PARAMETERS, build_model
from lstm_core.plain_data import config_from_dict, config_to_dict, history_to_dict, to_jsonable
from lstm_core.preprocessing import Scaler
from lstm_core.progress import History
from lstm_core.run_format import (  # noqa: F401 - RunFileError re-exported: callers catch it from here
    FORMAT,
    FORMAT_VERSION,
    READABLE_VERSIONS,
    RunFileError,
    read_payload,
    refuse,
    write_payload,
)
from lstm_core.tasks import CLASSIFICATION, REGRESSION, Task

RunKind = Literal["forecast", "classifier", "sequence-classifier"]
_TASKS = {"forecast": REGRESSION, "classifier": CLASSIFICATION, "sequence-classifier": CLASSIFICATION}
_SIZE_KEYS = ("input_size", "output_size", "seq_len")
_DATA_CONFIGS: dict[str, type] = {c.__name__: c for c in (ForecastDataConfig, MnistDataConfig)}
# Sections of the metadata that must be JSON objects (or null).
_DICT_FIELDS = ("model_cfg", "train_cfg", "data_cfg", "scaler", "metrics", "provenance", "history", "recipe")


@dataclass(frozen=True)
class RunRecord:
    """Everything needed to rebuild, judge and re-use a trained model."""

    kind: RunKind  # "forecast" (regressor), "classifier" (MNIST) or "sequence-classifier"
    model_cfg: ModelConfig
    sizes: dict[str, int | None]  # the data's sizes: input_size, output_size, seq_len
    train_cfg: TrainConfig
    data_cfg: ForecastDataConfig | MnistDataConfig | None
    scaler: Scaler | None = field(compare=False)  # fitted on the training rows (forecasts)
    metrics: dict[str, Any]  # JSON-serialisable; non-finite floats are stored as null
    provenance: dict[str, Any]  # where the data came from (frame.attrs["provenance"])
    history: dict[str, list]  # per epoch: epoch, train_loss, val_loss, accuracies...
    state_dict: dict[str, torch.Tensor] = field(compare=False, repr=False)  # CPU weights
    created_at: str = ""  # ISO-8601 UTC
    version: int = FORMAT_VERSION
    # How to rebuild a model that is more than a registry model (the residual forecaster's linear
    # part and input statistics); None for a registry model.
    recipe: dict[str, Any] | None = None

    @property
    def task(self) -> Task:
        return _TASKS[self.kind]

    def build_model(self) -> nn.Module:
        """The model with the saved weights loaded, in eval mode, on the CPU.

        Raises:
            RunFileError: if the weights do not fit ``model_cfg``.
        """
        # Compare shapes on the meta device first: a config that does not fit its weights
        # (say, hidden_size 200,000 in a crafted file) must not allocate anything real.
        try:
            with torch.device("meta"):
                probe = self._assemble()
        except (ValueError, TypeError, KeyError) as exc:
            raise refuse(f"its model cannot be built ({exc})") from exc
        wanted = {k: tuple(v.shape) for k, v in probe.state_dict().items()}
        found = {k: tuple(v.shape) for k, v in self.state_dict.items()}
        if wanted != found:
            diff = sorted(set(wanted.items()) ^ set(found.items()))[:2]
            raise refuse(f"its weights do not fit its model config (mismatch: {diff})")
        model = self._assemble()
        try:
            model.load_state_dict(self.state_dict, strict=True)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()
            detail = first[1].strip() if len(first) > 1 else first[0]
            raise refuse(f"its weights do not fit its model config ({detail[:200]})") from exc
        return model.eval()

    def _assemble(self) -> nn.Module:
        """The model's structure (untrained weights): a registry model, or one built around it."""
        model = build_model(self.model_cfg, **self.sizes)
        if self.recipe is None:
            return model
        from lstm_core.forecast_model import ResidualForecaster  # the only recipe so far

        return ResidualForecaster.from_recipe(model, self.recipe)


def make_record(
    kind: RunKind,
    model: nn.Module,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    history: History | Mapping[str, list],
    data_cfg: ForecastDataConfig | MnistDataConfig | None = None,
    scaler: Scaler | None = None,
    metrics: Mapping[str, Any] | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> RunRecord:
    """Bundle a trained model and its settings; weights are copied to the CPU."""
    if kind not in _TASKS:
        raise ValueError(f"kind must be one of {', '.join(_TASKS)}; got {kind!r}")
    curves = history_to_dict(history) if isinstance(history, History) else to_jsonable(dict(history))
    state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
    sizes = {k: getattr(model, k) for k in _SIZE_KEYS}  # every registry model knows its data's sizes
    recipe = model.recipe() if hasattr(model, "recipe") else None
    return RunRecord(
        kind, model_cfg, sizes, train_cfg, data_cfg, scaler, to_jsonable(dict(metrics or {})),
        to_jsonable(dict(provenance or {})), curves, state, datetime.now(UTC).isoformat(timespec="seconds"),
        recipe=to_jsonable(recipe),
    )


def _metadata(record: RunRecord) -> str:
    data_cfg = record.data_cfg
    meta = {
        "format": FORMAT,
        "version": record.version,
        "kind": record.kind,
        "created_at": record.created_at,
        "model_cfg": config_to_dict(record.model_cfg),
        "sizes": dict(record.sizes),
        "train_cfg": config_to_dict(record.train_cfg),
        "data_cfg": None if data_cfg is None else {"type": type(data_cfg).__name__,
                                                   **config_to_dict(data_cfg)},
        "scaler": None if record.scaler is None else record.scaler.to_dict(),
        "metrics": to_jsonable(record.metrics),
        "provenance": to_jsonable(record.provenance),
        "history": to_jsonable(record.history),
        "recipe": record.recipe,
    }
    return json.dumps(meta, sort_keys=True, allow_nan=False)


def save_run(record: RunRecord, target: str | Path | IO[bytes]) -> None:
    """Write ``record`` to a path or a binary file object (see the module docstring for the format)."""
    write_payload(_metadata(record), record.version, record.state_dict, target)


def load_run(source: str | Path | bytes | IO[bytes]) -> RunRecord:
    """Read a run file safely (tensors and plain data only) and check it end to end.

    Args:
        source: a path, the file's bytes, or a binary file object (e.g. an upload).

    Raises:
        RunFileError: the file is missing, truncated, not ours, of another format version,
            edited (digest mismatch), holds disallowed objects, or its weights do not fit
            its config. Nothing from the file is executed in any case.
    """
    metadata, state = read_payload(source)
    try:
        meta = json.loads(metadata)
        if not isinstance(meta, dict) or not all(isinstance(meta.get(k), dict | None) for k in _DICT_FIELDS):
            raise ValueError("the metadata is not a mapping of the expected sections")
        record = _record(meta, state)
    except RecursionError as exc:
        raise refuse("its settings are nested too deeply to be ours") from exc
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise refuse(f"its settings are invalid ({exc})") from exc
    # MAX_PARAMETERS (lstm_core.models) bounds what trains and so what a file may hold; refusing larger
    # files keeps a crafted config from allocating gigabytes before its weights are checked.
    expected = sum(p.numel() for p in state.values())
    if expected > MAX_PARAMETERS:
        raise refuse(f"it holds {expected:,} weights, more than the {MAX_PARAMETERS:,} a run here can have")
    record.build_model()  # raises RunFileError when the weights do not fit the config
    return record


def _record(meta: dict[str, Any], state: dict[str, torch.Tensor]) -> RunRecord:
    if meta.get("version") not in READABLE_VERSIONS or meta.get("format") != FORMAT:
        raise ValueError("the metadata names another format or version")
    model_cfg, sizes = _model_and_sizes(meta)
    if meta["kind"] not in _TASKS:
        raise ValueError(f"unknown kind {meta['kind']!r}")
    data_cfg = meta["data_cfg"]
    if data_cfg is not None:
        data_cfg = dict(data_cfg)
        cls = _DATA_CONFIGS.get(data_cfg.pop("type", None))
        if cls is None:
            raise ValueError("unknown data config type")
        data_cfg = config_from_dict(cls, data_cfg)
    return RunRecord(
        kind=meta["kind"],
        model_cfg=model_cfg,
        sizes=sizes,
        train_cfg=config_from_dict(TrainConfig, meta["train_cfg"]),
        data_cfg=data_cfg,
        scaler=None if meta["scaler"] is None else Scaler.from_dict(meta["scaler"]),
        metrics=meta["metrics"],
        provenance=meta["provenance"],
        history=meta["history"],
        state_dict=state,
        created_at=meta["created_at"],
        recipe=meta.get("recipe"),
    )


def _model_and_sizes(meta: dict[str, Any]) -> tuple[ModelConfig, dict[str, int | None]]:
    """The model config and the data's sizes; version 1 kept the sizes inside the model config."""
    model_dict = dict(meta["model_cfg"])
    if meta["version"] == 1:
        sizes = {k: model_dict.pop(k, None) for k in _SIZE_KEYS}
        model_dict.setdefault("forget_bias", None)  # version 1 used torch's own initialisation
    else:
        sizes = meta.get("sizes")
        if not isinstance(sizes, dict) or set(sizes) != set(_SIZE_KEYS):
            raise ValueError(f"sizes must hold {', '.join(_SIZE_KEYS)}")
    if not all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in sizes.values()):
        raise ValueError("sizes must be whole numbers")
    return config_from_dict(ModelConfig, model_dict), sizes
