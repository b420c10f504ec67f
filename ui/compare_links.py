"""The Compare page's settings as a link and as a JSON file, both ways.

The settings are read once from the page's address (``?task=adding&T=50``) and written back to it as
they change, so the address always reproduces what is on screen; a downloaded JSON file does the
same, and loading one fills in the form. A number outside its limits is loaded into its box with the
reason under it, as if typed there; a choice no widget offers (an unknown task, model or series) is
refused with a message.
"""

from __future__ import annotations

import streamlit as st

from lstm_core.compare import MODEL_CHOICES
from ui import compare_settings as cs
from ui.state import COMPARE_NOTICE, COMPARE_QUERY_READ

MODEL_KEYS = {name: f"compare.model.{name}" for name in MODEL_CHOICES}
# Every model of a comparison gets these settings; CompareSettings names them as the configs do.
MODEL_FIELDS, TRAIN_FIELDS = ("hidden_size", "forget_bias"), ("epochs", "lr", "batch_size", "seed")
SHARED = (*MODEL_FIELDS, *TRAIN_FIELDS)


def widget_values(s: cs.CompareSettings) -> dict[str, object]:
    """Widget key -> value for the settings ``s``."""
    values: dict[str, object] = {
        "compare.task": s.task, "compare.length": s.length, "compare.n_train": s.n_train,
        "compare.ticker": s.ticker, "compare.equal": s.equal_params,
        "compare.lengths": ", ".join(map(str, s.lengths)),
    }  # fmt: skip
    values.update({f"compare.{name}": getattr(s, name) for name in SHARED})
    values.update({key: name in s.models for name, key in MODEL_KEYS.items()})
    return values


def _apply(s: cs.CompareSettings, source: str) -> None:
    """Put loaded settings into the widgets, or raise ValueError for a choice no widget offers. A number
    outside its limits is shown in its box with the reason under it, as if typed there."""
    if s.task not in cs.task_keys():
        raise ValueError(f"unknown task {s.task!r}; valid: {', '.join(cs.task_keys())}")
    unknown = [m for m in s.models if m not in MODEL_CHOICES]
    if unknown:
        raise ValueError(f"unknown model {unknown[0]!r}; valid: {', '.join(MODEL_CHOICES)}")
    if s.ticker not in cs.TICKERS:
        raise ValueError(f"unknown price series {s.ticker!r}; bundled: {', '.join(cs.TICKERS)}")
    st.session_state.update(widget_values(s))
    st.session_state[COMPARE_NOTICE] = ("success", f"Settings loaded from {source}.")


def read_address() -> None:
    """Once per session: settings named in the page's address replace the defaults."""
    if st.session_state.get(COMPARE_QUERY_READ):
        return
    st.session_state[COMPARE_QUERY_READ] = True
    given = {k: v for k, v in st.query_params.to_dict().items() if k in cs.QUERY_KEYS}
    if not given:
        return
    try:
        _apply(cs.from_mapping(given, short=True), "the page's address")
    except ValueError as exc:
        st.session_state[COMPARE_NOTICE] = ("error", f"The settings in the page's address could not be used: "
                                                     f"{exc}. The form shows the defaults instead.")


def _load_json() -> None:
    upload = st.session_state.get("compare.settings_file")
    if upload is None:
        return
    try:
        _apply(cs.from_json(upload.getvalue()), upload.name)
    except ValueError as exc:
        st.session_state[COMPARE_NOTICE] = ("error", f"Could not use {upload.name}: {exc}.")


def sync_address(settings: cs.CompareSettings) -> None:
    """Write the settings into the page's address (only what differs from the defaults)."""
    wanted = cs.to_query(settings)
    for key in cs.QUERY_KEYS:
        if key in st.query_params and key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def settings_files(settings: cs.CompareSettings | None) -> None:
    """'Settings (JSON)' to download what is on screen, and an upload box that fills in the form."""
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    if settings is not None:
        c1.download_button("Settings (JSON)", cs.to_json(settings), "compare_settings.json",
                           "application/json", key="compare.settings_download", icon=":material/download:")
    # named: unnamed, it read as one more upload box for run files
    c2.file_uploader("Load settings (JSON)", type=["json"], key="compare.settings_file", on_change=_load_json,
                     help="A file saved with 'Settings (JSON)' fills in this form.")
