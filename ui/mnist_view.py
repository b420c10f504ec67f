"""MNIST page drawing: live training panel and the results (accuracy, confusion, digits, beliefs)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lstm_core.classification import (
    ClassifierResult,
    belief_method,
    correct_examples,
    hardest_mistakes,
    reading_beliefs,
)
from lstm_core.jobs import JobSnapshot
from lstm_core.plots import (
    ACCURACY_CURVES,
    accuracy_figure,
    belief_figure,
    belief_lines_figure,
    confusion_figure,
    digit_grid_figure,
    loss_figure,
    per_class_figure,
)
from lstm_core.plots.mnist import legend_above
from lstm_core.progress import EpochProgress, History
from ui.job_targets import TRAIL
from ui.jobs import format_seconds
from ui.training_panel import Outcome, ended

_METHOD_NOTES = {
    "stepwise": "**Method: the model's own belief after each row.** This one-way model reads top to "
                "bottom, so its head can be applied after row t (to that row's output, or with a pooled "
                "head to the pool of rows 1..t): that is exactly what it believes having seen rows 1..t "
                "and nothing below.",
    "masked": "**Method: masked prefixes.** This model has no belief after t rows of its own: a "
              "bidirectional model also reads from the bottom up, and the all-steps head needs all 28 "
              "outputs. So row t shows the full model's answer for the digit with rows t+1..28 blanked "
              "to background (0): what it concludes from the top t rows alone.",
}


def status_detail(snap: JobSnapshot) -> str:
    """The latest iteration, epoch and evaluation in one line, under the training panel's status."""
    last = snap.epochs[-1] if snap.epochs else None
    ev = snap.evals[-1] if snap.evals else None
    parts = []
    if snap.last_batch:
        total = f" of {snap.start.total_steps:,}" if snap.start else ""
        parts += [f"iteration {snap.last_batch.step:,}{total}", f"batch loss {snap.last_batch.loss:.4f}"]
    if last:
        scores = [f"{name} {100 * last.metrics[key]:.2f} %" for key, name in ACCURACY_CURVES.items()
                  if key in last.metrics]
        parts.append(f"epoch {last.epoch}: " + ", ".join(scores))
    if ev and "test_accuracy" in ev.metrics:
        parts.append(f"iteration {ev.step:,}: test accuracy {100 * ev.metrics['test_accuracy']:.2f} %")
    return " · ".join(parts)


def draw_charts(snap: JobSnapshot) -> None:
    """The loss and accuracy curves (redrawn less often: each redraw costs the browser)."""
    total_steps = snap.start.total_steps if snap.start else None
    c1, c2 = st.columns(2)
    trail = snap.published.get(TRAIL)
    if snap.epochs or trail:  # on the accuracy chart's axis: iterations, as seed 000 counts
        fig = legend_above(loss_figure(snap.epochs, snap.evals, watched={"test_loss": "test loss"},
                                       batches=trail, x_axis="iteration", total_steps=total_steps))
        c1.plotly_chart(fig, key="mnist.live_loss", width="stretch")
    else:
        c1.info("The loss curve appears after the first few batches.")
    if snap.epochs or snap.evals:
        c2.plotly_chart(accuracy_figure(snap.epochs, snap.evals, total_steps), key="mnist.live_accuracy",
                        width="stretch")
    else:
        c2.info("Train, validation and test accuracy appear when the first epoch (or evaluation) ends.")


def kept_epoch(history: History) -> EpochProgress | None:
    """The record of the epoch whose weights the model ended with, or None if no finished epoch was kept."""
    if not history.restored_best:
        return None
    return next((e for e in history.epochs if e.epoch == history.best_epoch), None)


def _kept_sentence(result: ClassifierResult) -> str:
    history = result.history
    if history.restored_best:
        chooser = "validation" if result.n_val else "training"
        return f"Kept: the model of epoch {history.best_epoch} (lowest {chooser} loss)."
    if not history.epochs and history.stop_reason == "diverged":
        return "Kept: the untrained starting model (no epoch had finished)."
    if not history.epochs:
        return "Kept: the model as it was when the run ended (no epoch had finished)."
    return "Kept: the model as it was when the run ended."


CLEARLY_ABOVE = 0.10  # test accuracy this far above the majority baseline reads as "learned the digits"
GOOD = 0.95  # a well-trained reader of these digits reaches this (the Recommended preset: about 97 %)


def judge(result: ClassifierResult) -> Outcome:
    """The outcome line: the test accuracy beside always answering the most common digit.

    Green from ``GOOD`` up; blue when it clearly beats the baseline but is short of that (a short
    or small run); amber when it barely beats the baseline, or when the run got worse as it
    trained; a diverged run reads as on every page (``ended``). How training ended and who
    chose the kept epoch follow as smaller lines.
    """
    h, acc, base = result.history, result.accuracy, result.majority_accuracy
    text = (f"Test accuracy {100 * acc:.1f} % on {len(result.labels):,} held-out digits, against "
            f"{100 * base:.1f} % for always answering the most common digit (chance: 10 %).")
    level = "success"
    if acc < base + CLEARLY_ABOVE:
        level, text = "warning", text + " Barely better than that baseline: it has not learned the digits."
    elif acc < GOOD:
        level, text = "info", text + (f" It has learned something; a well-trained reader gets over "
                                      f"{100 * GOOD:.0f} % (more epochs or digits help).")
    if getattr(h, "warning", ""):
        level = "warning"
    chooser = (f"the {result.n_val:,} validation digits" if result.n_val else "the training loss (no "
               "validation digits)")
    why = f"The kept epoch was chosen by {chooser}, never by the test digits."
    return ended(h, Outcome(level, text, (why,)))


def summary(result: ClassifierResult) -> None:
    """Headline numbers, all of the kept model (train accuracy from the same epoch)."""
    kept = kept_epoch(result.history)
    c = st.columns(4)
    c[0].metric("Test accuracy", f"{100 * result.accuracy:.2f} %",
                help="Share of the test digits the kept model classifies right.",
                delta=f"{100 * (result.accuracy - result.majority_accuracy):+.1f} pts over majority",
                delta_color="off")
    c[1].metric("Test digits", f"{len(result.labels):,}")
    train_acc = kept.metrics.get("train_accuracy") if kept else None
    c[2].metric(f"Train accuracy (epoch {kept.epoch})" if kept else "Train accuracy",
                f"{100 * train_acc:.2f} %" if train_acc is not None else "—",
                help=f"Share of training digits right during epoch {kept.epoch}'s training batches (the "
                     "weights change as it goes), the epoch whose model is kept." if kept
                else "No finished epoch was kept.")
    c[3].metric("Training time", format_seconds(result.history.elapsed))
    held_back = f" ({result.n_val:,} more held back for validation)" if result.n_val else ""
    st.caption(f"{result.data.description}; trained on {result.n_train:,} digits{held_back}. "
               f"{_kept_sentence(result)} The test digits were only watched during training, never used "
               "to choose, so the test accuracy is a fair estimate for unseen digits.")


def accuracy_tab(result: ClassifierResult) -> None:
    summary(result)
    c1, c2 = st.columns([1, 1])
    c1.plotly_chart(confusion_figure(result.confusion), key="mnist.confusion", width="stretch")
    c2.plotly_chart(per_class_figure(result.per_class, overall=result.accuracy), key="mnist.per_class",
                    width="stretch")
    c2.plotly_chart(accuracy_figure(result.history.epochs, result.history.evals), key="mnist.accuracy",
                    width="stretch")


def _captions(result: ClassifierResult, idx: np.ndarray) -> list[str]:
    probs, labels = result.probabilities, result.labels
    out = []
    for i in idx:
        pred = int(probs[i].argmax())
        verdict = f"{pred} ✓" if pred == labels[i] else f"{labels[i]} → {pred}"
        out.append(f"#{i}<br>{verdict} · {100 * probs[i, pred]:.0f} %")
    return out


def digits_tab(result: ClassifierResult) -> None:
    """The most confident mistakes, then a few right answers."""
    images = result.data.test_x.numpy()
    wrong = hardest_mistakes(result.probabilities, result.labels, n=18)
    n_wrong = int((result.predictions != result.labels).sum())
    st.markdown(f"**Mistakes** — {n_wrong:,} of {len(result.labels):,} test digits are wrong; the "
                f"{len(wrong)} it was most sure about. Caption: test index, then "
                "true class → prediction · confidence.")
    st.plotly_chart(digit_grid_figure(images[wrong], _captions(result, wrong), [True] * len(wrong), cols=6),
                    key="mnist.mistakes", width="stretch")
    right = correct_examples(result.probabilities, result.labels, n=10)
    st.markdown("**Right answers** — the first correct digit of each class.")
    st.plotly_chart(digit_grid_figure(images[right], _captions(result, right), [False] * len(right), cols=10),
                    key="mnist.correct", width="stretch")


def parameters_tab(result: ClassifierResult) -> None:
    m = result.model_cfg
    table = result.parameters
    st.dataframe(table, hide_index=True, width="content")
    n = len(table) - 1
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}.get(m.cell)
    if gates is None:  # seed 004's hand-written cell: two plain Linear layers, no stacked gates
        st.caption(f"{n} tensors, {int(table['count'].iloc[-1]):,} parameters: i2h and i2o of the "
                   "hand-written RNN.")
        return
    st.caption(f"{n} tensors, {int(table['count'].iloc[-1]):,} parameters. The {m.cell}'s {gates} "
               f"gate{'s are' if gates > 1 else ' is'} stacked in each weight, so its first dimension is "
               f"{gates} × {m.hidden_size} = {gates * m.hidden_size}"
               + ("; `_reverse` tensors belong to the backward direction." if m.bidirectional else "."))


def reading_tab(result: ClassifierResult) -> None:
    """Pick a test digit and watch the belief over the classes evolve row by row."""
    n = len(result.labels)
    wrong = hardest_mistakes(result.probabilities, result.labels, n=1)
    c1, c2 = st.columns([1, 2])
    # No min / max: Streamlit would only turn an out-of-range entry red; the message says why.
    idx = int(c1.number_input("Test digit #", value=int(wrong[0]) if len(wrong) else 0, step=1,
                              key="mnist.digit",
                              help=f"0 to {n - 1:,}; indices are shown in the digit captions."))
    method = belief_method(result.model_cfg)
    c2.markdown(_METHOD_NOTES[method])
    if not 0 <= idx < n:
        c1.error(f"Test digit #: enter 0 to {n - 1:,}; got {idx:,}.")
        return
    beliefs = reading_beliefs(result.model, result.data.test_x[idx], method)
    label = int(result.labels[idx])
    final = int(beliefs[-1].argmax())
    settled = _settled_row(beliefs)
    st.caption(f"True class {label}; after all 28 rows it says {final} ({100 * beliefs[-1, final]:.0f} %)"
               + (f"; its answer has not changed since row {settled}." if settled else "."))
    st.plotly_chart(belief_figure(beliefs, result.data.test_x[idx].numpy(), label), key="mnist.belief",
                    width="stretch")
    st.plotly_chart(belief_lines_figure(beliefs, label), key="mnist.belief_lines", width="stretch")


def _settled_row(beliefs: np.ndarray) -> int | None:
    """First row (1-based) from which the arg-max never changes again."""
    top = beliefs.argmax(1)
    changes = np.flatnonzero(top != top[-1])
    row = int(changes[-1]) + 2 if len(changes) else 1
    return row if row <= len(top) else None
