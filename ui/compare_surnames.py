"""Compare page, surname task (seed 004): a confusion matrix per model and a typed surname for every model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.plots.sequences import letter_belief_figure, named_confusion_figure
from ui.compare_jobs import CompareOutcome

_EXAMPLE = "Nakamura"


def surname_section(result: CompareOutcome) -> None:
    """Everything the surname task adds to the Results tab."""
    from lstm_core.data.surnames import SurnameInputError
    from lstm_core.surnames import majority_macro_f1, name_probabilities

    classes, runs = result.classes, result.runs
    if runs and runs[0].baseline == runs[0].baseline:
        st.caption(f"Always answering the largest language scores {100 * runs[0].baseline:.1f} % accuracy "
                   "but only "
                   f"{majority_macro_f1(len(classes), runs[0].baseline):.3f} macro-F1: compare the models "
                   "on both.")
    st.markdown("**The hand-written RNN** (seed 004) joins the letter and the hidden state, `[x_t, h]`, and "
                "applies one Linear layer `i2h`: its weight matrix splits into a block for `x_t` and a "
                "block for "
                "`h`, so `i2h([x_t, h]) = W_ih x_t + W_hh h + b`, exactly `nn.RNN`'s sum before its tanh.")
    st.subheader("Type a surname")
    text = st.text_input("Surname", _EXAMPLE, key="compare.surname", max_chars=40)
    rows, beliefs = [], {}
    try:
        for r in runs:
            name, probs = name_probabilities(r.model, text)
            beliefs[r.label] = (name, probs)
            top = np.argsort(-probs[-1])[:3]
            rows.append({"model": r.label, **{f"{k + 1}.": f"{classes[i]} {100 * probs[-1][i]:.0f} %"
                                               for k, i in enumerate(top)}})
    except SurnameInputError as exc:
        st.error(str(exc))
        rows = []
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="compare.surname_top")
        model = st.selectbox("Whose reading to show", list(beliefs), key="compare.surname_model")
        name, probs = beliefs[model if model in beliefs else next(iter(beliefs))]
        st.plotly_chart(letter_belief_figure(name, probs, classes, model), key="compare.surname_belief",
                        width="stretch")
        st.caption("Each column is the model's answer having read the name up to that letter: watch where it "
                   "makes up its mind (often at a telling ending such as -ski, -ez or -ou).")
    with_cm = [r for r in runs if r.confusion is not None]
    if with_cm:
        label = st.selectbox("Confusion matrix of", [r.label for r in with_cm], key="compare.surname_cm")
        run = next((r for r in with_cm if r.label == label), with_cm[0])
        st.plotly_chart(named_confusion_figure(run.confusion, classes, f"{run.label}: test names"),
                        key="compare.surname_confusion", width="stretch")
        st.caption("Rows are the true language, columns the model's answer; the diagonal is right. Small "
                   "languages (Korean, Japanese, Czech) are where accuracy hides mistakes.")
