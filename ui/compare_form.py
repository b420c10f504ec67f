"""Compare page widgets -> CompareSettings (every widget keyed "compare.*").

The model and training numbers are the shared form's (``model_form()``, a ``ui.model_form.ModelForm``:
defaults from the configs, limits from ``lstm_core.config.BOUNDS``, each error under its widget);
the task's own numbers (T, training sequences) take theirs from ``lstm_core.memory_tasks.TASK_BOUNDS``.
The settings are remembered across page visits (``restore_widgets``); the link and the JSON file
that reproduce them are ``ui.compare_links``.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from lstm_core.compare import DEFAULTS, MODEL_CHOICES, model_config
from lstm_core.config import Bound, ModelConfig, TrainConfig
from lstm_core.memory_tasks import TASK_BOUNDS
from ui import compare_links as links
from ui import compare_settings as cs
from ui.compare_links import MODEL_FIELDS, MODEL_KEYS, TRAIN_FIELDS
from ui.jobs import train_blocked
from ui.model_form import FIELDS, ModelForm, shown
from ui.state import COMPARE_NOTICE, COMPARE_SETTINGS, restore_widgets, widgets_drawn

_MODEL_LABELS = {"RNN": "RNN (plain, tanh)", "LSTM": "LSTM (forget-gate bias below)",
                 "LSTM-default": "LSTM-default (torch's init)", "GRU": "GRU", "BiLSTM": "BiLSTM (both ways)",
                 "HandRNN": "HandRNN (seed 004, by hand)"}
_FORGET_HELP = ("The forget gate's initial bias of every LSTM here (not 'LSTM-default'). At 3 the gate "
                "starts at sigmoid(3) = 0.95, open, so the cell keeps what it stored and its gradient "
                "reaches far back from the first update; torch's default (about 0) starts it half shut.")



def model_form() -> ModelForm:
    """The shared form for this page run (a form keeps the errors of the run that drew it)."""
    return ModelForm(
        "compare", model_fields=MODEL_FIELDS, train_fields=TRAIN_FIELDS,
        fixed_model={"num_layers": DEFAULTS.num_layers},
        extra=(replace(FIELDS["forget_bias"], label="LSTM forget-gate bias", help=_FORGET_HELP,
                       optional=False),),
        help={"hidden_size": "Units of each model (with 'Equal parameters', of the LSTM; the others are "
                             "sized to its parameter count).",
              "epochs": "The budget: every model trains this many epochs.",
              "lr": "Adam's step size, the same for every model."})


MNIST_DIGITS = 4_000  # training digits of the bundled subset (its 5,000 less the 20 % held out for the test)
_MNIST_BOUND = Bound(10, MNIST_DIGITS, whole=True)  # the loader takes more without a word and gives 4,000


def default_values() -> dict[str, object]:
    """Every widget's default: the model and training ones from the configs the page trains."""
    base = cs.CompareSettings()
    return links.widget_values(base) | model_form().widget_values(model_config("LSTM"), base.train_config())


def init_widgets() -> None:
    """Each widget's value: from the address (first visit), the user's, the remembered one, or the default."""
    defaults = default_values()
    restore_widgets(COMPARE_SETTINGS, {"form": tuple(defaults)}, defaults)
    links.read_address()
    notice = st.session_state.pop(COMPARE_NOTICE, None)
    slot = st.empty()  # always there: a notice that comes and goes would shift everything below it, and
    # Streamlit would draw the page twice over (the old elements faded) until the rerun ends
    if notice is not None:
        (slot.success if notice[0] == "success" else slot.error)(notice[1])


def _task_number(where, name: str, label: str, why: str, step: int, bound: Bound | None = None,
                 reason: str = "") -> str:
    """A number of the task (no min / max: as on the shared form, the error under the row says why);
    what is wrong with it, or "". ``bound`` and ``reason`` (why) where a task allows less than its own."""
    key, bound = f"compare.{name}", bound or TASK_BOUNDS[name]
    where.number_input(label, key=key, step=step, help=f"{why} Allowed: {bound.describe()}.")
    value = st.session_state.get(key)
    if value is not None and bound.admits(value):
        return ""
    return (f"{label}: {reason + '; ' if reason else ''}enter {bound.describe()}"
            + ("." if value is None else f"; got {shown(value)}."))


def _lengths(text: str) -> tuple[tuple[int, ...], str]:
    """The sweep's lengths, and what is wrong with the text ("" when nothing)."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts), ""
    except ValueError:
        return (), (f"Sweep lengths T: enter whole numbers separated by commas, e.g. 10, 20, 50; got "
                    f"{text!r}.")


def _task_changed() -> None:
    """Switching to MNIST brings the training-set size within the bundled digits (8,000 -> 4,000)."""
    if st.session_state.get("compare.task") == "mnist" and st.session_state["compare.n_train"] > MNIST_DIGITS:
        st.session_state["compare.n_train"] = MNIST_DIGITS


def _task_section() -> tuple[str, cs.TaskInfo]:
    keys = cs.task_keys()
    if st.session_state.get("compare.task") not in keys:
        st.session_state["compare.task"] = keys[0]
    task = st.selectbox("Task", keys, key="compare.task", format_func=lambda k: cs.task_info(k).title,
                        on_change=_task_changed)
    info = cs.task_info(task)
    level = info.level_text[0].upper() + info.level_text[1:]
    st.markdown(f"**{info.title}.** {info.definition}  \n*{level}.*")
    return task, info


def _data_widgets(task: str, info: cs.TaskInfo) -> list[str]:
    c1, c2 = st.columns(2)
    errors = []
    if info.seq_len is None and task != "surnames":
        errors.append(_task_number(c1, "length", "Sequence length T (memory distance)", step=10,
                                   why="How many steps separate what must be remembered from the answer."))
    elif task == "prices":
        c1.selectbox("Bundled series", cs.TICKERS, key="compare.ticker")
    if task == "mnist" or (info.seq_len is None and task != "surnames"):
        mnist = task == "mnist"  # more than 4,000 is an error here, not a silent 4,000 in the loader
        label = f"Training digits (at most {MNIST_DIGITS:,})" if mnist else "Training sequences"
        errors.append(_task_number(c2, "n_train", label, step=500, why="Examples each model trains on.",
                                   bound=_MNIST_BOUND if mnist else None,
                                   reason=f"at most {MNIST_DIGITS:,} digits are bundled" if mnist else ""))
    return _under(errors)


def _under(errors: list[str]) -> list[str]:
    """Each error under its row at full width (in a narrow column it would wrap word by word)."""
    errors = [e for e in errors if e]
    for message in errors:
        st.error(message, icon=":material/error:")
    return errors


def _model_widgets() -> tuple[str, ...]:
    st.markdown("**Models** (same data, seed and budget)")
    row = st.container(horizontal=True, gap="medium")  # wraps: in three columns long labels were cut
    for name, key in MODEL_KEYS.items():
        row.checkbox(_MODEL_LABELS[name], key=key, help=MODEL_CHOICES[name])
    return tuple(name for name, key in MODEL_KEYS.items() if st.session_state.get(key))


def _sweep_widgets() -> tuple[tuple[int, ...], list[str]]:
    c = st.columns(2, vertical_alignment="bottom")
    c[0].toggle("Equal parameters", key="compare.equal",
                help="Size each model's hidden units so its parameter count matches the LSTM's (within 5 %).")
    c[1].text_input("Sweep lengths T", key="compare.lengths",
                    help="Comma-separated, e.g. 10, 20, 50, 100, 200")
    lengths, error = _lengths(st.session_state["compare.lengths"])
    return lengths, _under([error])


def _read(configs: tuple[ModelConfig, TrainConfig], models: tuple[str, ...],
          lengths: tuple[int, ...]) -> cs.CompareSettings:
    """The settings on screen, the model and training numbers from the shared form's configs."""
    s, (model, train) = st.session_state, configs
    shared = {n: getattr(model, n) for n in MODEL_FIELDS} | {n: getattr(train, n) for n in TRAIN_FIELDS}
    return cs.CompareSettings(task=s["compare.task"], length=int(s["compare.length"]),
                              n_train=int(s["compare.n_train"]), models=models,
                              equal_params=bool(s["compare.equal"]), lengths=lengths,
                              ticker=s["compare.ticker"], **shared)


def _parameter_table(settings: cs.CompareSettings) -> None:
    counts = cs.parameter_counts(settings)
    st.dataframe({"model": list(counts), "hidden units": [h for h, _ in counts.values()],
                  "parameters": [f"{p:,}" for _, p in counts.values()]},
                 hide_index=True, key="compare.params")


def _check(settings: cs.CompareSettings) -> tuple[str, str]:
    """(why the settings cannot train, why the sweep cannot run): "" where they can."""
    try:
        cs.check(settings)
    except ValueError as exc:
        return str(exc), ""
    too_big, slow = cs.size_and_cost(settings)
    if too_big:
        return too_big, ""
    if slow:
        st.warning(slow, icon=":material/hourglass_top:")
    try:
        cs.check(settings, sweep=True)
    except ValueError as exc:
        return "", str(exc)
    return "", ""


def settings_form() -> tuple[cs.CompareSettings | None, str]:
    """The form; returns (settings, why the sweep cannot run or ""), settings None while they cannot train.
    Each wrong number is explained under its widget, a rule between settings under the form."""
    task, info = _task_section()
    errors = _data_widgets(task, info)
    models = _model_widgets()
    st.markdown("**Budget** (the same for every model)")
    form = model_form()
    form.draw(columns=4)
    lengths, more = _sweep_widgets()
    widgets_drawn(COMPARE_SETTINGS, "form")
    configs = form.configs()
    settings = None if errors or more or configs is None else _read(configs, models, lengths)
    error, sweep_error = _check(settings) if settings is not None else ("", "")
    for message in (*form.general_errors(), error):
        if message:
            st.error(f"These settings cannot train: {message}", icon=":material/error:")
    if settings is not None and not error:
        links.sync_address(settings)
        _parameter_table(settings)
        if sweep_error and settings.memory:
            st.warning(f"The sweep cannot run: {sweep_error}")
    links.settings_files(settings)
    return (None if error else settings), sweep_error


def start_buttons(settings: cs.CompareSettings | None, sweep_error: str) -> str | None:
    """'Train the comparison' and 'Run the sweep over T' side by side (wrapping on a narrow screen, where
    columns cut their labels); "compare", "sweep" or None. Both wait while this session trains."""
    wait = train_blocked()
    busy = wait is not None
    row = st.container(horizontal=True, vertical_alignment="center")
    train = row.button("Train the comparison", type="primary", key="compare.train",
                       disabled=settings is None or busy, icon=":material/play_arrow:", help=wait)
    sweep = row.button("Run the sweep over T", key="compare.sweep",
                       disabled=settings is None or bool(sweep_error) or busy,
                       help=wait or sweep_error or "Trains every ticked model at each sweep length, shortest "
                                                   "first.")
    if settings is None:  # in the row: a line between the row and the panel would shift all below it,
        # and Streamlit would draw the tabs twice (old and new) until the rerun ends
        row.caption("Fix the settings marked in '1 · Task, models and budget' to train.")
        return None
    return "compare" if train else "sweep" if sweep else None
