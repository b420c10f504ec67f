"""One model-and-training form for every page: widgets by key prefix, errors at the widget.

Usage (a page whose widgets are keyed "mnist.")::

    from ui.model_form import ModelForm

    form = ModelForm("mnist", model_fields=("cell", "hidden_size", "num_layers", "bidirectional"),
                     train_fields=("lr", "batch_size", "epochs", "patience", "seed"),
                     fixed_train={"weight_decay": preset.train.weight_decay})
    defaults = form.widget_values(preset.model, preset.train)   # {"mnist.hidden_size": 64, ...}
    restore_widgets(SAVED, {"form": form.keys()}, defaults)      # (or set_default per key)
    form.draw_model(columns=2)       # each widget, then its error (if any) right under it
    form.draw_training(columns=2)
    configs = form.configs()         # (ModelConfig, TrainConfig), or None while any field is wrong
    form.general_errors()            # errors of settings that have no widget here (show near Train)

Keys are ``f"{prefix}.{field}"`` with the config dataclass's field name ("mnist.hidden_size").
Widgets are plain (not inside ``st.form``): a value is checked on the rerun its entry causes, so
the explanation appears as soon as it is entered, in the label's words, from the limits table
that the configs share (``lstm_core.config.BOUNDS``); rules between fields come from the
configs themselves and are placed by ``ConfigError.field``, never found by parsing text.
Settings with an "off" value ("Patience", 0 = off) map it to None in the config.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

import streamlit as st

from lstm_core.config import (
    BOUNDS,
    CELL_TYPES,
    HEADS,
    OPTIMIZERS,
    Bound,
    ConfigError,
    ModelConfig,
    TrainConfig,
)

Kind = Literal["int", "float", "choice", "bool"]


@dataclass(frozen=True)
class Field:
    """One setting's widget: label, kind and how its value maps to the config's."""

    name: str  # the config dataclass's field name
    label: str
    kind: Kind
    help: str = ""
    step: float = 1
    options: tuple[object, ...] = ()
    words: Mapping[object, str] | None = None  # option -> text shown
    off: object = None  # a widget value that means None ("off") in the config, e.g. 0
    off_words: str = ""  # what the off value means, for the help text ("0 = off")
    format: str | None = None
    optional: bool = False  # an empty entry is allowed and means None

    @property
    def bound(self) -> Bound | None:
        return BOUNDS.get(self.name) if self.kind in ("int", "float") else None

    def allowed(self) -> str:
        """The allowed values in words, e.g. "a whole number from 1 to 4,096 (0 = off)"."""
        text = self.bound.describe() if self.bound else ""
        return f"{text} ({self.off_words})" if self.off_words else text

    def to_config(self, value: object) -> object:
        if self.off is not None and value == self.off:
            return None
        if self.kind == "int" and isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def to_widget(self, value: object) -> object:
        if value is None and self.off is not None:
            return self.off
        return value


FORGET_BIAS_WHY = ("Forget-gate bias (LSTM): the forget gate's starting bias. At 1 to 3 the gate starts "
                   "open, so the cell keeps its memory (and its gradient) over many steps from the first "
                   "update; empty = torch's default (around 0: the gate starts half-closed and long-range "
                   "patterns are slow to learn).")

FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("cell", "Cell", "choice", "The recurrent cell: plain RNN, LSTM, GRU or seed 004's hand-written "
          "RNN.", options=CELL_TYPES),
    Field("hidden_size", "Hidden size", "int", "Units per layer and direction."),
    Field("num_layers", "Layers", "int", "Stacked recurrent layers."),
    Field("dropout", "Dropout", "float", "Between stacked layers (needs 2 or more layers).", step=0.05),
    Field("bidirectional", "Bidirectional", "bool", "Read each sequence both ways."),
    # the options as they are: a sidebar column shows about eight characters of a select box
    Field("head", "Head", "choice", "What the output layer reads: the last step's output (last), every "
          "step's (all), or their mean or maximum over the steps (mean, max).", options=HEADS),
    Field("forget_bias", "Forget-gate bias", "float", FORGET_BIAS_WHY, step=0.5, optional=True),
    Field("lr", "Learning rate", "float", "How far each optimiser step moves the weights.", step=1e-4,
          format="%g"),
    Field("batch_size", "Batch size", "int", "Samples per optimiser step."),
    Field("epochs", "Epochs", "int", "Passes over the training data (the most; early stopping may end "
          "sooner)."),
    Field("patience", "Patience", "int", "Early stopping: stop after this many epochs without a validation "
          "improvement and keep the best weights.", off=0, off_words="0 = off"),
    Field("seed", "Seed", "int", "The same seed repeats a run exactly."),
    Field("weight_decay", "Weight decay", "float", "L2 penalty on the weights.", step=1e-4, format="%g"),
    Field("optimizer", "Optimiser", "choice", "Adam adapts each weight's step; SGD is plain gradient "
          "descent.", options=OPTIMIZERS, words={"adam": "Adam", "sgd": "SGD"}),
    Field("grad_clip", "Gradient clip", "float", "Largest gradient norm per step; recurrent nets can explode "
          "without it.", step=0.5, off=0.0, off_words="0 = off"),
    Field("max_steps", "Max iterations", "int", "Stop after this many optimiser steps, whatever the epochs.",
          step=500, off=0, off_words="0 = no limit"),
    Field("eval_every", "Test interval", "int", "Also evaluate every this many optimiser steps.", step=100,
          off=0, off_words="0 = once per epoch"),
)}  # fmt: skip

MODEL_FIELDS = ("cell", "hidden_size", "num_layers", "dropout", "bidirectional", "head", "forget_bias")
TRAIN_FIELDS = ("lr", "batch_size", "epochs", "patience", "seed")
GENERAL = ""  # the errors() key of a setting that has no widget on this form


def in_words(message: str, labels: Mapping[str, str]) -> str:
    """A config's message with its field names replaced by the widgets' labels (longest first),
    e.g. "dropout only acts ... with num_layers=1" -> "Dropout only acts ... with Layers=1.", as a
    sentence: capital first, full stop last."""
    for name in sorted(labels, key=len, reverse=True):
        message = message.replace(name, labels[name])
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def field_errors(build: Callable[..., object], values: Mapping[str, object], labels: Mapping[str, str],
                 bounds: Mapping[str, Bound] = BOUNDS) -> tuple[object | None, dict[str, str]]:
    """Build a config from ``values``; (config or None, field -> message in the label's words).

    Each value outside its bound gets the allowed range; then ``build(**values)`` is tried and
    each ``ConfigError`` is put at its ``field``, which falls back to the default for the next
    try, so every wrong field is named at once. A field without a label goes under ``GENERAL``.
    """
    errors: dict[str, str] = {}
    kwargs = dict(values)
    for name, value in values.items():
        bound = bounds.get(name)
        if name in labels and value is not None and bound is not None and not bound.admits(value):
            errors[name] = f"{labels[name]}: enter {bound.describe()}; got {shown(value)}."
            kwargs.pop(name)
    for _ in range(len(values) + 1):
        try:
            config = build(**kwargs)
        except ConfigError as exc:
            where = exc.field if exc.field in labels and exc.field in kwargs else GENERAL
            errors.setdefault(where, in_words(str(exc), labels))
            if where == GENERAL:
                return None, errors
            kwargs.pop(where)
        except ValueError as exc:
            errors.setdefault(GENERAL, in_words(str(exc), labels))
            return None, errors
        else:
            return (None if errors else config), errors
    return None, errors


def shown(value: object) -> str:
    """A number as the error messages show it: 8,000 or 0.001."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else repr(value)


class ModelForm:
    """The model and training widgets of one page, keyed ``f"{prefix}.{field}"`` (see the module)."""

    def __init__(self, prefix: str, *, model_fields: Iterable[str] = MODEL_FIELDS,
                 train_fields: Iterable[str] = TRAIN_FIELDS, cells: Iterable[str] = CELL_TYPES,
                 fixed_model: Mapping[str, Any] | None = None, fixed_train: Mapping[str, Any] | None = None,
                 extra: Iterable[Field] = (), help: Mapping[str, str] | None = None) -> None:
        self.prefix = prefix
        self.fields = dict(FIELDS) | {f.name: f for f in extra}
        if "cell" in self.fields:
            self.fields["cell"] = _replace(self.fields["cell"], options=tuple(cells))
        for name, text in (help or {}).items():
            self.fields[name] = _replace(self.fields[name], help=text)
        self.model_fields, self.train_fields = tuple(model_fields), tuple(train_fields)
        unknown = [n for n in (*self.model_fields, *self.train_fields) if n not in self.fields]
        if unknown:
            raise ValueError(f"unknown form fields {unknown}; known: {', '.join(self.fields)}")
        self.fixed_model, self.fixed_train = dict(fixed_model or {}), dict(fixed_train or {})
        self._errors: dict[str, str] | None = None

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def keys(self) -> tuple[str, ...]:
        return tuple(self.key(n) for n in (*self.model_fields, *self.train_fields))

    def widget_values(self, model: ModelConfig | None = None,
                      train: TrainConfig | None = None) -> dict[str, object]:
        """Widget key -> value for ``model`` and ``train`` (the configs' defaults when None)."""
        model, train = model or ModelConfig(), train or TrainConfig()
        out = {self.key(n): self.fields[n].to_widget(getattr(model, n)) for n in self.model_fields}
        return out | {self.key(n): self.fields[n].to_widget(getattr(train, n)) for n in self.train_fields}

    def _value(self, name: str) -> object:
        return self.fields[name].to_config(st.session_state.get(self.key(name)))

    def labels(self) -> dict[str, str]:
        return {n: self.fields[n].label for n in (*self.model_fields, *self.train_fields)}

    def _check(self) -> tuple[ModelConfig | None, TrainConfig | None, dict[str, str]]:
        labels = self.labels()
        model_values = {n: self._value(n) for n in self.model_fields} | self.fixed_model
        train_values = {n: self._value(n) for n in self.train_fields} | self.fixed_train
        model, errors = field_errors(ModelConfig, model_values, labels)
        train, more = field_errors(TrainConfig, train_values, labels)
        if GENERAL in errors and GENERAL in more:
            more[GENERAL] = f"{errors[GENERAL]} {more[GENERAL]}"
        return model, train, errors | more  # type: ignore[return-value]

    def errors(self) -> dict[str, str]:
        """Field name -> message in the label's words ("" for settings without a widget here)."""
        if self._errors is None:
            self._errors = self._check()[2]
        return self._errors

    def general_errors(self) -> list[str]:
        message = self.errors().get(GENERAL)
        return [message] if message else []

    def configs(self) -> tuple[ModelConfig, TrainConfig] | None:
        """The two configs from the widgets, or None while any setting is wrong."""
        model, train, errors = self._check()
        self._errors = errors
        return None if model is None or train is None or errors else (model, train)

    def draw_model(self, columns: int = 2) -> None:
        self._grid(self.model_fields, columns)
        cell = st.session_state.get(self.key("cell"), self.fixed_model.get("cell"))
        if "forget_bias" in self.model_fields and cell == "LSTM":
            st.caption("Forget-gate bias: 1 to 3 starts the LSTM's forget gate open, so memory (and its "
                       "gradient) lasts over many steps from the start; empty = torch's default.")

    def draw_training(self, columns: int = 2) -> None:
        self._grid(self.train_fields, columns)

    def draw(self, columns: int = 4) -> None:
        """The model and the training widgets in one grid (a page with few of each, e.g. Compare)."""
        self._grid((*self.model_fields, *self.train_fields), columns)

    def _grid(self, names: tuple[str, ...], columns: int) -> None:
        """Number and choice widgets ``columns`` to a row, then each checkbox on a row of its own (a
        checkbox label in a narrow column is cut off); each widget's error right under its row."""
        errors = self.errors()
        boxes = [n for n in names if self.fields[n].kind == "bool"]
        others = [n for n in names if n not in boxes]
        rows = [others[i:i + columns] for i in range(0, len(others), columns)] + [[n] for n in boxes]
        for row in rows:
            cells = st.columns(columns) if len(row) > 1 else [st.container()]
            for col, name in zip(cells, row, strict=False):
                with col:
                    self._widget(self.fields[name])
            for name in row:  # under the row, full width: a narrow column would wrap it word by word
                if name in errors:
                    st.error(errors[name])

    def _widget(self, f: Field) -> None:
        key = self.key(f.name)
        allowed = f.allowed()
        help_text = f"{f.help} Allowed: {allowed}." if allowed else f.help
        if f.kind == "bool":
            st.checkbox(f.label, key=key, help=help_text)
        elif f.kind == "choice":
            words = f.words or {}
            st.selectbox(f.label, f.options, key=key, help=help_text,
                         format_func=lambda v: words.get(v, str(v)))
        else:
            disabled = f.name == "forget_bias" and st.session_state.get(self.key("cell"), "LSTM") != "LSTM"
            # No min / max: Streamlit would only turn an out-of-range entry red; the error says why.
            step = f.step if f.kind == "float" else int(f.step)
            st.number_input(f.label, step=step, key=key, help=help_text, format=f.format, disabled=disabled,
                            placeholder="torch default" if f.optional else None)


def _replace(f: Field, **changes: object) -> Field:
    return Field(**{x.name: getattr(f, x.name) for x in fields(f)} | changes)
