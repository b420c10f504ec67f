"""MNIST page settings (drawn in the sidebar, every widget keyed "mnist.*") -> the digits and a MnistPlan.

The model and training widgets are the shared ``ui.model_form.ModelForm`` (keys "mnist.<config
field>", errors at the widget as soon as a value is entered); the digits, the preset and the
rest of how the digits train (label smoothing, augmentation) are this page's own, explained at
their widgets in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lstm_core.augment import DigitJitter
from lstm_core.classification import VAL_FRACTION, mnist_sizes, split_validation
from lstm_core.config import LR_SCHEDULES, ModelConfig, TrainConfig
from lstm_core.cost import check_settings
from lstm_core.data import MNIST_FILES, DataSourceError, download_mnist, mnist_is_cached
from lstm_core.data.mnist import MnistData
from lstm_core.data.mnist_download import MIRRORS_ENV, mnist_mirrors
from lstm_core.mnist_presets import DEFAULT_PRESET, PRESETS, jitter_for
from ui import cache
from ui.model_form import Field, ModelForm
from ui.state import MNIST_N_TRAIN, MNIST_SETTINGS, restore_widgets, widgets_drawn

__all__ = ["MIRRORS_ENV", "MnistPlan", "data_section", "init_widgets", "settings"]

SOURCES = {"subset": "Offline subset (5,000 digits)", "full": "Full MNIST (60,000 + 10,000)"}
TINY_TRAIN = 100  # fewer training digits than this: the accuracy figures mean little

def model_form(preset: str = DEFAULT_PRESET) -> ModelForm:
    """This page's model-and-training form (a new one each run: a form remembers its errors)."""
    return ModelForm("mnist", fixed_model={"forget_bias": PRESETS[preset].model.forget_bias}, **_FORM)


_FORM = dict(
    model_fields=("cell", "hidden_size", "num_layers", "dropout", "bidirectional", "head"),
    train_fields=("optimizer", "lr", "lr_schedule", "warmup_fraction", "batch_size", "epochs", "grad_clip",
                  "seed", "max_steps", "eval_every"),
    extra=(Field("lr_schedule", "LR schedule", "choice", "Cosine lowers the learning rate from its peak to "
                 "0 along half a cosine over the run: big steps early, fine ones at the end.",
                 options=LR_SCHEDULES, words={"constant": "constant", "cosine": "cosine to 0"}),
           Field("warmup_fraction", "Warm-up share", "float", "Share of the optimiser steps over which the "
                 "rate climbs from 0 to its peak.", step=0.05)),
    help={"max_steps": "Stop after this many optimiser steps, whatever the epochs (seed 000: 3,000).",
          "eval_every": "Also measure test accuracy every this many optimiser steps (seed 000: 500)."},
    fixed_train={"log_every": 5},
)
# This page's own settings: key -> (label, low, high, unit, help)
EXTRAS = {
    "mnist.label_smoothing": ("Label smoothing", 0.0, 0.5, "", "Train towards 1 − s on the true digit "
                              "instead of 1 (s spread over all ten): the model is not pushed to ever surer "
                              "answers. 0 = off."),
    "mnist.shift": ("Shift (pixels)", 0.0, 4.0, " pixels", "Augmentation: each epoch moves every training "
                    "digit by up to this many pixels each way; validation and test digits never move."),
    "mnist.rotate": ("Rotation (°)", 0.0, 30.0, "°", "Augmentation: each epoch turns every training digit by "
                     "up to this many degrees. Shift and rotation 0 = no augmentation."),
}  # fmt: skip
_DATA = {"mnist.source": "subset", "mnist.test_fraction": 0.2, "mnist.val_fraction": VAL_FRACTION,
         "mnist.train_limit": 0}


@dataclass(frozen=True)
class MnistPlan:
    """A validated request to train: the digits, the two configs and the rest of how to train."""

    data: MnistData
    model: ModelConfig
    train: TrainConfig
    preset: str
    val_fraction: float  # share of the training digits held back to pick the kept epoch
    label_smoothing: float = 0.0
    augment: DigitJitter | None = None


def _preset_values(name: str, n_train: int) -> dict[str, object]:
    p = PRESETS[name]
    return model_form(name).widget_values(p.model, p.train_for(n_train)) | {
        "mnist.label_smoothing": p.label_smoothing, "mnist.shift": p.augment.max_shift if p.augment else 0.0,
        "mnist.rotate": p.augment.max_degrees if p.augment else 0.0}


def _apply_preset() -> None:
    s = st.session_state
    s.update(_preset_values(s["mnist.preset"], s.get(MNIST_N_TRAIN, 3600)))


def init_widgets() -> None:
    """Every widget's value: the user's, the one remembered from an earlier run, or the default."""
    form = _preset_values(DEFAULT_PRESET, 3600)
    restore_widgets(MNIST_SETTINGS, {"data": tuple(_DATA), "form": ("mnist.preset", *form)},
                    {"mnist.preset": DEFAULT_PRESET, **_DATA, **form})


def _download() -> None:
    """The "Download full MNIST" button: fetch with progress, or say plainly why it cannot."""
    if mnist_is_cached():
        st.caption("Full MNIST is downloaded and cached on this machine.")
        return
    st.caption("Full MNIST (about 11 MB) is not on this machine yet; downloading needs the internet.")
    if st.button("Download full MNIST", key="mnist.download", icon=":material/download:"):
        bar, names = st.progress(0.0, text="Connecting…"), list(MNIST_FILES)

        def progress(name: str, done: int, total: int | None) -> None:
            share = (names.index(name) + (done / total if total else 0.0)) / len(names)
            bar.progress(min(share, 1.0), text=f"{name}: {done / 1e6:.1f} MB"
                         + (f" of {total / 1e6:.1f} MB" if total else ""))

        try:
            download_mnist(mirrors=mnist_mirrors(), progress=progress, timeout=20)
        except DataSourceError as exc:  # shown for this press only; the mirrors behind "Details"
            reason, _, tried = str(exc).partition(" Tried: ")
            st.error(f"Full MNIST could not be downloaded, so the offline subset stays in use. {reason}")
            if tried:
                with st.expander("Details: the mirrors tried"):
                    st.markdown("\n".join(f"- `{line}`" for line in tried.rstrip(".").split("; ")))
        else:
            st.success("Full MNIST downloaded and verified (MD5).")
        bar.empty()


def _problem(problems: list[str], message: str) -> bool:
    """Show ``message`` here (under the widget it is about) and add it to ``problems``; False."""
    st.error(message, icon=":material/error:")
    problems.append(message)
    return False


def _number(key: str, label: str, low: float, high: float | None, unit: str = "", **kw: object) -> str:
    """A number input; what is wrong with its value ("" when it is allowed), to show with ``_report``."""
    st.number_input(label, key=key, **kw)  # no min / max: Streamlit would only turn it red; we say why
    value = st.session_state[key]
    if low <= value and (high is None or value <= high):
        return ""
    allowed = f"from {low:g} to {high:g}{unit}" if high is not None else f"{low:g} or more"
    return f"{label}: enter a number {allowed}; got {value:g}."


def _report(problems: list[str], messages: list[str]) -> bool:
    """Show each message at the sidebar's full width, under the row of widgets it is about (inside a
    half-width column an error wrapped a letter or two a line); True when there are none."""
    for message in filter(None, messages):
        _problem(problems, message)
    return not any(messages)


def data_section(problems: list[str]) -> MnistData | None:
    """Source, shares, download and what the digits in use are; the digits, or None if they cannot load
    (the reasons are shown at their widgets and added to ``problems``)."""
    s, cached = st.session_state, mnist_is_cached()
    chose_missing_full = s["mnist.source"] == "full" and not cached
    if chose_missing_full:
        s["mnist.source"] = "subset"
    widgets_drawn(MNIST_SETTINGS, "data")
    source = st.radio("Digits", list(SOURCES), key="mnist.source", format_func=SOURCES.get,
                      help="Full MNIST is selectable once downloaded.")
    if chose_missing_full:
        st.info("Full MNIST is not downloaded yet: press **Download full MNIST** below; the offline "
                "subset is used meanwhile.")
    _download()
    c = st.columns(2)
    with c[0]:
        bad = [_number("mnist.test_fraction", "Test share", 0.05, 0.5, step=0.05, disabled=source == "full",
                       help="Share of the subset held out as test digits. Full MNIST has its own 10,000.")]
    with c[1]:
        bad.append(_number("mnist.train_limit", "Max training digits", 0, None, step=500,
                           help="Train on at most this many of the training digits (0 = all): fewer train "
                                "faster."))
    if not _report(problems, bad):
        return None
    try:
        limit = int(s["mnist.train_limit"]) or None
        data = cache.mnist_digits(source, float(s["mnist.test_fraction"]), 0, limit)
    except (DataSourceError, ValueError) as exc:
        _problem(problems, f"The digits cannot be loaded: {exc}")
        return None
    st.caption(f"**Using:** {data.description}. Each 28×28 digit is a sequence of 28 rows (time steps) of "
               "28 pixels (features).")
    return data


def _validation(data: MnistData, problems: list[str]) -> bool:
    s = st.session_state
    if not _report(problems, [_number(
            "mnist.val_fraction", "Validation share", 0.0, 0.5, step=0.05,
            help="Share of the training digits held back: they pick the epoch whose model is kept, so the "
                 "test digits never choose anything. 0 keeps the lowest training loss.")]):
        return False
    n_val = len(split_validation(data.train_y, float(s["mnist.val_fraction"]), 0)[1])
    s[MNIST_N_TRAIN] = n_train = len(data.train_y) - n_val
    st.caption(f"{n_train:,} digits to fit on, {n_val:,} for validation, {len(data.test_y):,} held out for "
               "the test: scored as the model trains and judging it at the end, never choosing anything.")
    if n_train < TINY_TRAIN:
        st.warning(f"Only {n_train} training digit{'' if n_train == 1 else 's'}: the model can learn them by "
                   "heart, so train accuracy will be near 100 % and test accuracy near chance — neither "
                   f"means much. Use at least {TINY_TRAIN} (a few thousand for a real result).")
    return True


def settings(data: MnistData, problems: list[str]) -> MnistPlan | None:
    """Preset, validation share, model, training and augmentation widgets; the plan, or None while any
    setting is wrong (each wrong one is explained at its widget and added to ``problems``)."""
    s = st.session_state
    widgets_drawn(MNIST_SETTINGS, "form")
    ok = _validation(data, problems)
    st.selectbox("Preset", list(PRESETS), key="mnist.preset", on_change=_apply_preset,
                 help="Choosing a preset fills in the settings below.")
    st.caption(PRESETS[s["mnist.preset"]].note)
    form = model_form(s["mnist.preset"])
    st.markdown("**Model**")
    form.draw_model(columns=2)
    st.markdown("**Training**")
    form.draw_training(columns=2)
    st.markdown("**Smoothing and augmentation**")
    cells, bad = [cell for _ in range(0, len(EXTRAS), 2) for cell in st.columns(2)], []
    for cell, (key, (label, low, high, unit, why)) in zip(cells, EXTRAS.items(), strict=False):
        with cell:
            step = 0.05 if high == 0.5 else 1.0
            bad.append(_number(key, label, low, high, unit, step=step,
                               help=f"{why} Allowed: {low:g} to {high:g}{unit}."))
    ok &= _report(problems, bad)
    configs = form.configs()
    for message in form.general_errors():
        _problem(problems, message)
    problems += [m for name, m in form.errors().items() if name and m not in problems]  # shown at the widgets
    if configs is None or not ok:
        return None
    model, train = configs
    sizes = mnist_sizes(len(data.train_y), len(data.test_y), float(s["mnist.val_fraction"]))
    too_big, slow = check_settings(model, train, **sizes)
    if too_big:
        _problem(problems, too_big)
        return None
    if slow:
        st.warning(slow, icon=":material/hourglass_top:")
    moves = float(s["mnist.shift"]), float(s["mnist.rotate"])
    augment = jitter_for(DigitJitter(*moves), train.seed) if any(moves) else None
    return MnistPlan(data, model, train, s["mnist.preset"], float(s["mnist.val_fraction"]),
                     float(s["mnist.label_smoothing"]), augment)
