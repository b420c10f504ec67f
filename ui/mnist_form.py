"""MNIST page widgets -> digits and configs (every widget keyed "mnist.*"), and the full-MNIST download."""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from lstm_core.classification import VAL_FRACTION, split_validation
from lstm_core.config import CELL_TYPES, HEADS, OPTIMIZERS, ModelConfig, TrainConfig
from lstm_core.data import MNIST_FILES, MNIST_MIRRORS, DataSourceError, download_mnist, mnist_is_cached
from lstm_core.data.mnist import MnistData
from lstm_core.mnist_presets import DEFAULT_PRESET, PRESETS, MnistPreset, epochs_for_steps
from ui import cache
from ui.state import MNIST_N_TRAIN, MNIST_SETTINGS, restore_widgets, widgets_drawn

MIRRORS_ENV = "LSTM_STUDIO_MNIST_MIRRORS"  # space-separated base URLs that replace the public mirrors
SOURCES = {"subset": "Offline subset (5,000 real digits, bundled)", "full": "Full MNIST (60,000 + 10,000)"}
_HEADS = {"last": "last step (seed 000)", "all": "all steps flattened (seed 002)"}
_OPTIMIZERS = {"adam": "Adam", "sgd": "SGD"}


@dataclass(frozen=True)
class Plan:
    """A validated request to train: the digits and the two configs."""

    data: MnistData
    model: ModelConfig
    train: TrainConfig
    preset: str
    val_fraction: float  # share of the training digits held back to pick the kept epoch


def _preset_values(p: MnistPreset, n_train: int) -> dict[str, object]:
    m, t = p.model, p.train
    epochs = epochs_for_steps(t.max_steps, n_train, t.batch_size) if t.max_steps else t.epochs
    return {
        "mnist.cell": m.cell, "mnist.bidirectional": m.bidirectional, "mnist.hidden": m.hidden_size,
        "mnist.layers": m.num_layers, "mnist.dropout": m.dropout, "mnist.head": m.head,
        "mnist.optimizer": t.optimizer, "mnist.lr": t.lr, "mnist.batch": t.batch_size, "mnist.epochs": epochs,
        "mnist.max_steps": t.max_steps or 0, "mnist.eval_every": t.eval_every or 0, "mnist.seed": t.seed,
        "mnist.clip": t.grad_clip is not None,
    }  # fmt: skip


def _apply_preset() -> None:
    s = st.session_state
    s.update(_preset_values(PRESETS[s["mnist.preset"]], s.get(MNIST_N_TRAIN, 4000)))


def init_widgets() -> None:
    """Every widget's value: the user's, the one remembered from an earlier run, or the default."""
    form = _preset_values(PRESETS[DEFAULT_PRESET], 3600)
    data = {"mnist.source": "subset", "mnist.test_fraction": 0.2, "mnist.val_fraction": VAL_FRACTION,
            "mnist.train_limit": 0}
    restore_widgets(MNIST_SETTINGS, {"data": tuple(data), "form": ("mnist.preset", *form)},
                    {"mnist.preset": DEFAULT_PRESET, **data, **form})


def mirrors() -> tuple[str, ...]:
    """The MNIST mirrors to try: ``$LSTM_STUDIO_MNIST_MIRRORS`` when set, else the public ones."""
    return tuple(os.environ.get(MIRRORS_ENV, "").split()) or MNIST_MIRRORS


def download_section() -> None:
    """The "Download full MNIST" button: fetch with progress, or say plainly why it cannot."""
    if mnist_is_cached():
        st.caption("Full MNIST is downloaded and cached on this machine.")
        return
    st.caption("Full MNIST (about 11 MB) is not on this machine yet. Downloading needs the internet; "
               "the offline subset works without it.")
    if st.button("Download full MNIST", key="mnist.download", icon=":material/download:"):
        bar = st.progress(0.0, text="Connecting…")
        names = list(MNIST_FILES)

        def progress(name: str, done: int, total: int | None) -> None:
            k = names.index(name)
            share = (k + (done / total if total else 0.0)) / len(names)
            bar.progress(min(share, 1.0), text=f"{name}: {done / 1e6:.1f} MB"
                         + (f" of {total / 1e6:.1f} MB" if total else ""))

        try:
            download_mnist(mirrors=mirrors(), progress=progress, timeout=20)
        except DataSourceError as exc:
            # Shown for this press only: the next interaction clears it. The mirror-by-mirror
            # failures go behind "Details"; the sentence before them says what to do.
            reason, _, tried = str(exc).partition(" Tried: ")
            st.error(f"Full MNIST could not be downloaded, so the offline subset stays in use. {reason}")
            if tried:
                with st.expander("Details: the mirrors tried"):
                    st.markdown("\n".join(f"- `{line}`" for line in tried.rstrip(".").split("; ")))
        else:
            st.success("Full MNIST downloaded and verified (MD5).")
        bar.empty()


TINY_TRAIN = 100  # fewer training digits than this: the accuracy figures mean little
# Upper limits of this page (lstm_core checks the lower ones and says what is allowed): they keep one
# run within the server's memory. The widgets have no min / max on purpose: Streamlit only turns an
# out-of-range entry red and ignores Train, without a word; _limit_errors says what is wrong instead.
_MAX = {"mnist.hidden": ("Hidden size", 512), "mnist.layers": ("Layers", 4),
        "mnist.batch": ("Batch size", 4096), "mnist.seed": ("Seed", 2**31 - 1)}
_ZERO_OFF = {"mnist.max_steps": ("Max iterations", "off"), "mnist.eval_every": ("Test interval",
             "per epoch only"), "mnist.train_limit": ("Max training digits", "all")}


def _limit_errors(keys: list[str]) -> list[str]:
    """One sentence per setting of ``keys`` that is outside this page's limits."""
    s, errors = st.session_state, []
    for key in keys:
        value = s[key]
        if key in _MAX and value > _MAX[key][1]:
            errors.append(f"{_MAX[key][0]} must be at most {_MAX[key][1]:,} on this page; got {value:,}.")
        if key in _ZERO_OFF and value < 0:
            label, zero = _ZERO_OFF[key]
            errors.append(f"{label}: enter 0 ({zero}) or a positive number; got {value:,}.")
    if "mnist.test_fraction" in keys and not 0.05 <= s["mnist.test_fraction"] <= 0.5:
        errors.append(f"Test share must be between 0.05 and 0.5; got {s['mnist.test_fraction']:g}.")
    if "mnist.val_fraction" in keys and not 0.0 <= s["mnist.val_fraction"] <= 0.5:
        errors.append(f"Validation share must be between 0 and 0.5; got {s['mnist.val_fraction']:g}.")
    return errors


def data_section() -> MnistData | None:
    """Source choice, download button and the description of the digits in use; the digits or None."""
    cached = mnist_is_cached()
    s = st.session_state
    chose_missing_full = s["mnist.source"] == "full" and not cached
    if chose_missing_full:
        s["mnist.source"] = "subset"
    widgets_drawn(MNIST_SETTINGS, "data")
    c = st.columns([2, 1, 1, 1])
    source = c[0].radio("Digits", list(SOURCES), key="mnist.source", format_func=SOURCES.get,
                        horizontal=True, help="Full MNIST is selectable once downloaded.")
    c[1].number_input("Test share (subset)", step=0.05, key="mnist.test_fraction", disabled=source == "full",
                      help="Share of the subset's digits held out as the test set, 0.05 to 0.5. "
                           "Full MNIST has its own 10,000 test digits.")
    c[2].number_input("Validation share", step=0.05, key="mnist.val_fraction",
                      help="Share of the training digits held back, 0 to 0.5: they pick the epoch whose "
                           "model is kept (and early stopping), so the test digits never choose anything. "
                           "0 keeps the epoch with the lowest training loss.")
    c[3].number_input("Max training digits", step=500, key="mnist.train_limit",
                      help="Train on at most this many digits (0 = all): fewer train faster.")
    if chose_missing_full:
        st.info("Full MNIST is not downloaded yet: press **Download full MNIST** below; the offline "
                "subset is used meanwhile.")
    download_section()
    errors = _limit_errors(["mnist.test_fraction", "mnist.train_limit"])
    if errors:
        st.error("The digits cannot be loaded: " + " ".join(errors))
        return None
    try:
        limit = int(s["mnist.train_limit"]) or None
        data = cache.mnist_digits(source, float(s["mnist.test_fraction"]), 0, limit)
    except (DataSourceError, ValueError) as exc:
        st.error(f"The digits cannot be loaded: {exc}")
        return None
    try:  # an out-of-range share is explained above Train, with the other settings
        n_val = len(split_validation(data.train_y, float(s["mnist.val_fraction"]), 0)[1])
    except ValueError:
        n_val = 0
    n_train = len(data.train_y) - n_val
    s[MNIST_N_TRAIN] = n_train
    held_back = (f"{n_val:,} of the training digits are held back as **validation**: they pick the epoch "
                 "whose model is kept. " if n_val else "")
    st.info(f"**Using:** {data.description}. Each 28×28 digit is read as a sequence of 28 rows "
            f"(time steps) of 28 pixels (features). {held_back}The held-out digits are the **test** set: "
            "they are scored as the model trains and judge it at the end, but never choose anything.")
    if n_train < TINY_TRAIN:
        st.warning(f"Only {n_train} training digit{'' if n_train == 1 else 's'}: the model can learn them by "
                   "heart, so train accuracy will be near 100 % and test accuracy near chance — neither "
                   f"means much. Use at least {TINY_TRAIN} (a few thousand for a real result).")
    return data


def model_form(data: MnistData) -> tuple[Plan | None, bool]:
    """The settings form; returns (plan or None, whether Train was pressed).

    A setting that cannot train is explained right above the Train button.
    """
    widgets_drawn(MNIST_SETTINGS, "form")
    st.selectbox("Preset", list(PRESETS), key="mnist.preset", on_change=_apply_preset,
                 help="Choosing a preset fills in the form below.")
    st.caption(PRESETS[st.session_state["mnist.preset"]].note)
    with st.form("mnist.model_form", enter_to_submit=False):  # training starts on Train only
        c = st.columns(4)
        c[0].selectbox("Cell", CELL_TYPES, key="mnist.cell")
        c[1].number_input("Hidden size", step=1, key="mnist.hidden",
                          help="Units per layer and direction, 1 to 512.")
        c[2].number_input("Layers", step=1, key="mnist.layers", help="Stacked recurrent layers, 1 to 4.")
        c[3].number_input("Dropout", step=0.05, key="mnist.dropout",
                          help="Between stacked layers (needs 2 or more layers); 0 to below 1.")
        c = st.columns(4)
        c[0].checkbox("Bidirectional", key="mnist.bidirectional")
        c[1].radio("Head", HEADS, key="mnist.head", format_func=_HEADS.get)
        c[2].radio("Optimiser", OPTIMIZERS, key="mnist.optimizer", format_func=_OPTIMIZERS.get,
                   horizontal=True)
        c[3].checkbox("Clip gradients (norm 1)", key="mnist.clip", help="The seeds do not clip.")
        c = st.columns(6)
        c[0].number_input("Learning rate", format="%g", step=1e-3, key="mnist.lr",
                          help="Above 0, at most 10.")
        c[1].number_input("Batch size", step=1, key="mnist.batch",
                          help="Digits per optimiser step, 1 to 4,096.")
        c[2].number_input("Epochs", step=1, key="mnist.epochs",
                          help="Passes over the training digits, 1 or more.")
        c[3].number_input("Max iterations", step=500, key="mnist.max_steps",
                          help="Stop after this many optimiser steps, whatever the epochs (seed 000: "
                               "3,000). 0 = off.")
        c[4].number_input("Test interval", step=100, key="mnist.eval_every",
                          help="Also measure test accuracy every this many iterations (optimiser steps; "
                               "seed 000: 500). 0 = only at the end of each epoch.")
        c[5].number_input("Seed", step=1, key="mnist.seed", help="The same seed repeats a run exactly.")
        plan = _build(data)  # its message sits right above Train
        pressed = st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    return plan, pressed


def _build(data: MnistData) -> Plan | None:
    """Configs from the widgets; explains an impossible combination and returns None."""
    s = st.session_state
    errors = _limit_errors(["mnist.val_fraction", "mnist.hidden", "mnist.layers", "mnist.batch", "mnist.seed",
                            "mnist.max_steps", "mnist.eval_every"])
    if errors:
        st.error("These settings cannot train: " + " ".join(errors))
        return None
    try:
        model = ModelConfig(
            cell=s["mnist.cell"], forget_bias=PRESETS[s["mnist.preset"]].model.forget_bias,
            hidden_size=int(s["mnist.hidden"]), num_layers=int(s["mnist.layers"]),
            dropout=float(s["mnist.dropout"]), bidirectional=bool(s["mnist.bidirectional"]),
            head=s["mnist.head"])
        train = TrainConfig(
            epochs=int(s["mnist.epochs"]), batch_size=int(s["mnist.batch"]), lr=float(s["mnist.lr"]),
            optimizer=s["mnist.optimizer"], grad_clip=1.0 if s["mnist.clip"] else None,
            max_steps=int(s["mnist.max_steps"]) or None, eval_every=int(s["mnist.eval_every"]) or None,
            seed=int(s["mnist.seed"]), log_every=5)
    except ValueError as exc:
        st.error(f"These settings cannot train: {exc}")
        return None
    return Plan(data, model, train, s["mnist.preset"], float(s["mnist.val_fraction"]))
