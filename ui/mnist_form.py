"""MNIST page widgets -> digits and configs (every widget keyed "mnist.*"), and the full-MNIST download."""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from lstm_core.config import CELL_TYPES, HEADS, OPTIMIZERS, ModelConfig, TrainConfig
from lstm_core.data import MNIST_FILES, MNIST_MIRRORS, DataSourceError, download_mnist, mnist_is_cached
from lstm_core.data.mnist import MnistData
from lstm_core.mnist_presets import DEFAULT_PRESET, PRESETS, MnistPreset, epochs_for_steps
from ui import cache
from ui.state import MNIST_DOWNLOAD, MNIST_N_TRAIN, MNIST_SETTINGS, set_default

MIRRORS_ENV = "LSTM_STUDIO_MNIST_MIRRORS"  # space-separated base URLs that replace the public mirrors
SOURCES = {"subset": "Offline subset (5,000 real digits, bundled)", "full": "Full MNIST (60,000 + 10,000)"}
_HEADS = {"last": "last step (seed 000)", "all": "all steps flattened (seed 002)"}
_OPTIMIZERS = {"adam": "Adam", "sgd": "SGD"}
_WIDGETS = {"preset", "source", "test_fraction", "train_limit", "cell", "bidirectional", "hidden",
            "layers", "dropout", "head", "optimizer", "lr", "batch", "epochs", "max_steps", "eval_every",
            "seed", "clip"}


@dataclass(frozen=True)
class Plan:
    """A validated request to train: the digits and the two configs."""

    data: MnistData
    model: ModelConfig
    train: TrainConfig
    preset: str


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
    """Defaults once per session; values come back from a saved copy after visiting another page."""
    saved: dict[str, object] = set_default(MNIST_SETTINGS, factory=dict)
    defaults = {"mnist.preset": DEFAULT_PRESET, "mnist.source": "subset", "mnist.test_fraction": 0.2,
                "mnist.train_limit": 0, **_preset_values(PRESETS[DEFAULT_PRESET], 4000)}
    for key, value in defaults.items():
        set_default(key, saved.get(key, value))


def save_widgets() -> None:
    """Remember the form values (Streamlit forgets a widget's value once its page is left)."""
    s = st.session_state
    s[MNIST_SETTINGS] = {k: s[k] for k in s if isinstance(k, str) and k.startswith("mnist.")
                         and k.split(".")[1] in _WIDGETS}



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
            st.session_state[MNIST_DOWNLOAD] = ("success", "Full MNIST downloaded and verified (MD5).")
        except DataSourceError as exc:
            st.session_state[MNIST_DOWNLOAD] = ("error", f"Full MNIST could not be downloaded, so the "
                                                f"offline subset stays in use. {exc}")
        bar.empty()
    outcome = st.session_state.get(MNIST_DOWNLOAD)
    if outcome:
        getattr(st, outcome[0])(outcome[1])


def data_section() -> MnistData | None:
    """Source choice, download button and the description of the digits in use; the digits or None."""
    cached = mnist_is_cached()
    if st.session_state["mnist.source"] == "full" and not cached:
        st.session_state["mnist.source"] = "subset"
    c = st.columns([2, 1, 1])
    source = c[0].radio("Digits", list(SOURCES), key="mnist.source", format_func=SOURCES.get,
                        horizontal=True, help="Full MNIST is selectable once downloaded.")
    c[1].number_input("Test share (subset)", 0.05, 0.5, step=0.05, key="mnist.test_fraction",
                      disabled=source == "full", help="Full MNIST has its own 10,000 test digits.")
    c[2].number_input("Use at most N training digits (0 = all)", 0, 60_000, step=500, key="mnist.train_limit")
    download_section()
    s = st.session_state
    try:
        limit = int(s["mnist.train_limit"]) or None
        data = cache.mnist_digits(source, float(s["mnist.test_fraction"]), 0, limit)
    except (DataSourceError, ValueError) as exc:
        st.error(f"The digits cannot be loaded: {exc}")
        return None
    s[MNIST_N_TRAIN] = len(data.train_y)
    st.info(f"**Using:** {data.description}. Each 28×28 digit is read as a sequence of 28 rows "
            f"(time steps) of 28 pixels (features). The held-out digits are the **test** set: they score the "
            "model and pick its best epoch.")
    return data


def model_form(data: MnistData) -> tuple[Plan | None, bool]:
    """The settings form; returns (plan or None, whether Train was pressed)."""
    st.selectbox("Preset", list(PRESETS), key="mnist.preset", on_change=_apply_preset,
                 help="Choosing a preset fills in the form below.")
    st.caption(PRESETS[st.session_state["mnist.preset"]].note)
    with st.form("mnist.model_form"):
        c = st.columns(4)
        c[0].selectbox("Cell", CELL_TYPES, key="mnist.cell")
        c[1].number_input("Hidden size", 1, 512, key="mnist.hidden")
        c[2].number_input("Layers", 1, 4, key="mnist.layers")
        c[3].number_input("Dropout (between layers)", 0.0, 0.9, step=0.05, key="mnist.dropout")
        c = st.columns(4)
        c[0].checkbox("Bidirectional", key="mnist.bidirectional")
        c[1].radio("Head", HEADS, key="mnist.head", format_func=_HEADS.get)
        c[2].radio("Optimiser", OPTIMIZERS, key="mnist.optimizer", format_func=_OPTIMIZERS.get,
                   horizontal=True)
        c[3].checkbox("Clip gradients (norm 1)", key="mnist.clip", help="The seeds do not clip.")
        c = st.columns(6)
        c[0].number_input("Learning rate", 1e-6, 10.0, format="%g", step=1e-3, key="mnist.lr")
        c[1].number_input("Batch size", 1, 4096, key="mnist.batch")
        c[2].number_input("Epochs", 1, 500, key="mnist.epochs")
        c[3].number_input("Stop after N iterations (0 = off)", 0, 1_000_000, step=500, key="mnist.max_steps")
        c[4].number_input("Test accuracy every N iterations (0 = per epoch)", 0, 100_000, step=100,
                          key="mnist.eval_every")
        c[5].number_input("Seed", 0, 2**31 - 1, key="mnist.seed")
        pressed = st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    save_widgets()
    return _build(data), pressed


def _build(data: MnistData) -> Plan | None:
    """Configs from the widgets; explains an impossible combination and returns None."""
    s = st.session_state
    try:
        model = ModelConfig(
            cell=s["mnist.cell"], input_size=28, output_size=10, seq_len=28,
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
    return Plan(data, model, train, s["mnist.preset"])
