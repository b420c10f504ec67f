"""Compare page widgets -> CompareSettings (every widget keyed "compare.*"), with the link and the JSON.

The settings are remembered across page visits (``restore_widgets``), read once from the page's
address (``?task=adding&T=50``) and written back to it as they change, so the address always
reproduces what is on screen; a downloaded JSON file does the same.
"""

from __future__ import annotations

import streamlit as st

from lstm_core.compare import MODEL_CHOICES
from ui import compare_settings as cs
from ui.state import COMPARE_NOTICE, COMPARE_QUERY_READ, COMPARE_SETTINGS, restore_widgets, widgets_drawn

MODEL_KEYS = {name: f"compare.model.{name}" for name in MODEL_CHOICES}
_MODEL_LABELS = {"RNN": "RNN (plain, tanh)", "LSTM": "LSTM (forget-gate bias below)",
                 "LSTM-default": "LSTM-default (torch's init)", "GRU": "GRU", "BiLSTM": "BiLSTM (both ways)",
                 "HandRNN": "HandRNN (seed 004, by hand)"}
_FORGET_HELP = ("The forget gate's initial bias of every LSTM here (not 'LSTM, default init'). At 3 the gate "
                "starts at sigmoid(3) = 0.95, open, so the cell keeps what it stored and its gradient "
                "reaches far "
                "back from the first update; torch's default (about 0) starts it half shut.")


# number widgets: key -> (label, lowest, highest); the widgets and the check of loaded settings share them
_NUMBERS: dict[str, tuple[str, float, float]] = {
    "compare.length": ("Sequence length T", 2, 2000), "compare.n_train": ("Training sequences", 10, 200_000),
    "compare.hidden": ("Hidden units", 1, 512), "compare.forget_bias": ("LSTM forget-gate bias", -5.0, 10.0),
    "compare.epochs": ("Epochs", 1, 500), "compare.lr": ("Learning rate", 1e-5, 1.0),
    "compare.batch": ("Batch size", 1, 4096), "compare.seed": ("Seed", 0, 2**31 - 1),
}  # fmt: skip


def _number(where, label: str, key: str, **kwargs) -> None:
    """A number_input bounded by ``_NUMBERS[key]``."""
    _, low, high = _NUMBERS[key]
    where.number_input(label, low, high, key=key, **kwargs)


def _out_of_range(values: dict[str, object]) -> str | None:
    """What a loaded setting outside its widget's range is (a widget would silently replace it), or None."""
    def show(v: object) -> str:
        return f"{v:,}" if isinstance(v, int) else f"{v:g}"

    for key, (label, low, high) in _NUMBERS.items():
        if not low <= values[key] <= high:
            return f"{label} must be between {show(low)} and {show(high)}; got {show(values[key])}"
    return None


def _widget_values(s: cs.CompareSettings) -> dict[str, object]:
    values: dict[str, object] = {
        "compare.task": s.task, "compare.length": s.length, "compare.n_train": s.n_train,
        "compare.ticker": s.ticker, "compare.hidden": s.hidden_size, "compare.forget_bias": s.forget_bias,
        "compare.equal": s.equal_params, "compare.epochs": s.epochs, "compare.lr": s.lr,
        "compare.batch": s.batch_size, "compare.seed": s.seed,
        "compare.lengths": ", ".join(map(str, s.lengths)),
    }  # fmt: skip
    values.update({key: name in s.models for name, key in MODEL_KEYS.items()})
    return values


def _apply(s: cs.CompareSettings, source: str) -> None:
    """Put loaded settings into the widgets, or raise ValueError: a value no widget can show is refused, not
    silently replaced (a link with hidden=100000 would otherwise train 1-unit models)."""
    if s.task not in cs.task_keys():
        raise ValueError(f"unknown task {s.task!r}; valid: {', '.join(cs.task_keys())}")
    unknown = [m for m in s.models if m not in MODEL_CHOICES]
    if unknown:
        raise ValueError(f"unknown model {unknown[0]!r}; valid: {', '.join(MODEL_CHOICES)}")
    if s.ticker not in cs.TICKERS:
        raise ValueError(f"unknown price series {s.ticker!r}; bundled: {', '.join(cs.TICKERS)}")
    values = _widget_values(s)
    problem = _out_of_range(values)
    if problem:
        raise ValueError(problem)
    st.session_state.update(values)
    st.session_state[COMPARE_NOTICE] = ("success", f"Settings loaded from {source}.")


def _read_address() -> None:
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


def init_widgets() -> None:
    """Each widget's value: from the address (first visit), the user's, the remembered one, or the default."""
    defaults = _widget_values(cs.CompareSettings())
    restore_widgets(COMPARE_SETTINGS, {"form": tuple(defaults)}, defaults)
    _read_address()
    notice = st.session_state.pop(COMPARE_NOTICE, None)
    if notice is not None:
        (st.success if notice[0] == "success" else st.error)(notice[1])


def _lengths(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"The sweep's lengths must be whole numbers separated by commas, e.g. 10, 20, 50; "
                         f"got {text!r}.") from None


def _task_section() -> tuple[str, cs.TaskInfo]:
    keys = cs.task_keys()
    if st.session_state.get("compare.task") not in keys:
        st.session_state["compare.task"] = keys[0]
    task = st.selectbox("Task", keys, key="compare.task", format_func=lambda k: cs.task_info(k).title)
    info = cs.task_info(task)
    level = info.level_text[0].upper() + info.level_text[1:]
    st.markdown(f"**{info.title}.** {info.definition}  \n*{level}.*")
    return task, info


def _data_widgets(task: str, info: cs.TaskInfo) -> None:
    c1, c2 = st.columns(2)
    if info.seq_len is None and task != "surnames":
        _number(c1, "Sequence length T (memory distance)", "compare.length", step=10,
                help="How many steps separate what must be remembered from the answer.")
    elif task == "prices":
        c1.selectbox("Bundled series", cs.TICKERS, key="compare.ticker")
    if task == "mnist" or (info.seq_len is None and task != "surnames"):
        _number(c2, "Training sequences" if task != "mnist" else "Training digits (at most 4,000)",
                "compare.n_train", step=500)


def _model_widgets() -> tuple[str, ...]:
    st.markdown("**Models** (same data, seed and budget)")
    cols = st.columns(3)
    for index, (name, key) in enumerate(MODEL_KEYS.items()):
        cols[index % 3].checkbox(_MODEL_LABELS[name], key=key, help=MODEL_CHOICES[name])
    return tuple(name for name, key in MODEL_KEYS.items() if st.session_state.get(key))


def _training_widgets() -> None:
    c = st.columns(4)
    _number(c[0], "Hidden units", "compare.hidden")
    _number(c[1], "LSTM forget-gate bias", "compare.forget_bias", step=0.5, help=_FORGET_HELP)
    _number(c[2], "Epochs (the budget)", "compare.epochs")
    _number(c[3], "Learning rate (Adam)", "compare.lr", step=1e-3, format="%.4f")
    c = st.columns(4)
    _number(c[0], "Batch size", "compare.batch")
    _number(c[1], "Seed", "compare.seed")
    c[2].toggle("Equal parameters", key="compare.equal",
                help="Size each model's hidden units so its parameter count matches the LSTM's (within 5 %).")
    c[3].text_input("Sweep lengths T", key="compare.lengths", help="Comma-separated, e.g. 10, 20, 50, 100, "
                                                                   "200")


def read_settings(models: tuple[str, ...]) -> cs.CompareSettings:
    s = st.session_state
    return cs.CompareSettings(
        task=s["compare.task"], length=int(s["compare.length"]), n_train=int(s["compare.n_train"]),
        models=models, hidden_size=int(s["compare.hidden"]), forget_bias=float(s["compare.forget_bias"]),
        equal_params=bool(s["compare.equal"]), epochs=int(s["compare.epochs"]), lr=float(s["compare.lr"]),
        batch_size=int(s["compare.batch"]), seed=int(s["compare.seed"]),
        lengths=_lengths(s["compare.lengths"]), ticker=s["compare.ticker"])


def _sync_address(settings: cs.CompareSettings) -> None:
    wanted = cs.to_query(settings)
    for key in cs.QUERY_KEYS:
        if key in st.query_params and key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def _parameter_table(settings: cs.CompareSettings) -> None:
    counts = cs.parameter_counts(settings)
    st.dataframe({"model": list(counts), "hidden units": [h for h, _ in counts.values()],
                  "parameters": [f"{p:,}" for _, p in counts.values()]},
                 hide_index=True, key="compare.params")


def settings_form() -> tuple[cs.CompareSettings | None, str | None]:
    """The form; returns (settings, "compare" | "sweep" | None for no button pressed), settings None if
    they cannot train (the reason is shown)."""
    task, info = _task_section()
    _data_widgets(task, info)
    models = _model_widgets()
    _training_widgets()
    widgets_drawn(COMPARE_SETTINGS, "form")
    settings = error = sweep_error = None
    try:
        settings = read_settings(models)
        cs.check(settings)
    except ValueError as exc:
        error = str(exc)
    if settings is not None and error is None:
        _sync_address(settings)
        _parameter_table(settings)
        try:
            cs.check(settings, sweep=True)
        except ValueError as exc:
            sweep_error = str(exc)
    if error:
        st.error(f"These settings cannot train: {error}")
    elif sweep_error and settings is not None and settings.memory:
        st.warning(f"The sweep cannot run: {sweep_error}")
    c1, c2, c3, c4 = st.columns([1.3, 1.3, 1, 1.4])
    train = c1.button("Train the comparison", type="primary", key="compare.train", disabled=bool(error),
                      icon=":material/play_arrow:")
    sweep = c2.button("Run the sweep over T", key="compare.sweep", disabled=bool(error or sweep_error),
                      help=sweep_error or "Trains every ticked model at each sweep length, shortest first.")
    if settings is not None:
        c3.download_button("Settings (JSON)", cs.to_json(settings), "compare_settings.json",
                           "application/json",
                           key="compare.settings_download", icon=":material/download:")
    c4.file_uploader("Load settings (JSON)", type=["json"], key="compare.settings_file", on_change=_load_json,
                     help="A file saved with 'Settings (JSON)' fills in this form.")  # named: unnamed, it
    # read as one more upload box for run files
    if error:
        return None, None
    return settings, "compare" if train else "sweep" if sweep else None
