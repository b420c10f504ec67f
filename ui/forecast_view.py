"""Forecast page: the run record, the live training charts and the verdict that leads the outcome line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.data import provenance_of
from lstm_core.forecast_judge import SAME_RTOL
from lstm_core.forecasting import ForecastData, ForecastResult
from lstm_core.jobs import JobSnapshot
from lstm_core.plots import fit_figure, loss_figure, price_figure
from lstm_core.skill_interval import SkillInterval, skill_interval
from ui import training_panel as panel
from ui.job_targets import TRAIL
from ui.training_panel import Outcome, ended

# uirevision for the live charts. Streamlit redraws a changed figure from scratch, so a zoom or
# legend click made while training lasts only until the next chart update (ui.jobs.CHARTS_EVERY);
# the charts drawn once the run has ended keep them.
_LIVE = "stock-live"
TIE_BAND = 0.005  # |skill| below this is a tie whatever the interval (lstm_core.metrics.verdict's band)


@dataclass
class RunEntry:
    """One finished (or loaded) run of this session: what the History tab and overlays need."""

    label: str
    settings: dict[str, object]
    result: ForecastResult
    provenance: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # a loaded run whose data have changed since it was saved says how
    futures: dict[int, pd.DataFrame | None] = field(default_factory=dict, repr=False)  # by steps ahead

    @property
    def test_period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        d = self.result.data
        s = d.parts["test"]
        return d.dates[s.start], d.dates[s.stop - 1]


def settings_summary(data_cfg, model_cfg, train_cfg, source: str,
                     method: str = "direct") -> dict[str, object]:
    bi = "Bi" if model_cfg.bidirectional else ""
    model = f"{bi}{model_cfg.cell} {model_cfg.hidden_size}x{model_cfg.num_layers} head={model_cfg.head}"
    return {"data": source, "target": f"{data_cfg.target} ({data_cfg.target_mode})", "method": method,
            "seq_len": data_cfg.seq_len, "model": model, "lr": train_cfg.lr, "batch": train_cfg.batch_size,
            "max epochs": train_cfg.epochs, "patience": str(train_cfg.patience or "off"),
            "seed": train_cfg.seed}


def provenance_panel(frame: pd.DataFrame, target: str, shown: Sequence[str] = ()) -> None:
    """Source, span, rows and the note (less what ``shown`` messages said), then a preview chart."""
    record = provenance_of(frame)
    if record is not None:
        c = st.columns([1, 2, 1, 2])
        for col, (label, value) in zip(c, (("Source", record.source), ("Series", record.name),
                                           ("Rows", f"{record.rows:,}"), ("Span", f"{record.start} → "
                                                                                  f"{record.end}")),
                                       strict=True):
            col.markdown(f"**{label}**  \n{value}")
        note = record.note
        for text in shown:  # a fallback note is already in a message box
            note = note.replace(text, "")
        note = " ".join(note.split()) + (f" Licence: {record.licence}." if record.licence else "")
        if note.strip():
            st.caption(note.strip())
    column = target if target in frame.columns else frame.columns[0]
    st.plotly_chart(price_figure(frame, column, title=f"{record.name if record else 'Data'}: {column}"),
                    key="stock.preview_chart")


def naive_of(data: ForecastData) -> np.ndarray:
    """The naive forecast of every window."""
    return np.asarray(data.naive, dtype=float)


def baseline_label(result: ForecastResult, name: str) -> str:
    """A baseline's name with what it means at the data's frequency, e.g. naive ("next hour = this
    hour") or seasonal naive ("same hour yesterday"); other baselines by name."""
    f = result.frequency
    phrase = {"naive": f.naive_wording, "seasonal naive": f.seasonal_wording}.get(name) if f else None
    return f"{name} (\"{phrase}\")" if phrase else name


def status_detail(snap: JobSnapshot) -> str:
    """The latest epoch's losses, under the status line."""
    if not snap.epochs:
        return ""
    e = snap.epochs[-1]
    val = f"{e.val_loss:.4g}" if e.val_loss is not None else "—"
    return (f"After epoch {e.epoch}: train loss {e.train_loss:.4g}, validation loss {val}; best epoch so far "
            f"{e.best_epoch}.")


def training_tab(key: str, frame: pd.DataFrame | None, target: str) -> None:
    """The live loss chart (refreshed as often as the status line) beside the current fit (every
    second: a long series costs the browser more to redraw); the data before any run."""
    if st.session_state.get(key) is None:
        idle(frame, target)
        return
    left, right = st.columns(2)
    with left:
        panel.charts(key, draw_loss, every=panel.LOSS_EVERY, wait_first=panel.FIRST_WAIT)
    with right:
        panel.charts(key, draw_fit)


def draw_loss(snap: JobSnapshot) -> None:
    """The loss curves, from the first batch on."""
    if not snap.running and snap.start is None:  # ended before any training (e.g. too few windows)
        st.info("No network was trained in this run: the notes under the verdict say why.")
        return
    total = snap.start.cfg.epochs if snap.start else None
    per_epoch = snap.start.steps_per_epoch if snap.start else None
    loss = loss_figure(snap.epochs, total_epochs=total, title="Loss (scaled units)",
                       steps_per_epoch=per_epoch, batches=snap.published.get(TRAIL))
    loss.update_layout(uirevision=_LIVE)
    st.plotly_chart(loss, key="stock.live_loss")


LIVE_SHOWN = 1000  # windows the live fit chart opens on when there are more


def draw_fit(snap: JobSnapshot) -> None:
    """The current fit: the latest preview while training, the kept weights' predictions once ended."""
    data = snap.published.get("data")
    if data is None:
        st.info("The fit appears once the data are prepared (a moment after Train).")
        return
    epoch, predicted = snap.published.get("preview", (0, None))
    title = f"Predictions after epoch {epoch}" if epoch else "Actual (predictions after the first epoch)"
    if isinstance(snap.result, ForecastResult):  # ended: the kept weights, not the last preview
        h = snap.result.history
        predicted = snap.result.predicted
        title = (f"Final predictions (best epoch {h.best_epoch})" if h.restored_best
                 else f"Final predictions (epoch {len(h.epochs)})")
    if len(data.dates) > LIVE_SHOWN:  # thousands of points are a solid band: open on the latest ones
        title += f" (last {LIVE_SHOWN:,}; the slider shows all)"
    fig = fit_figure(data.series, data.dates, predicted, data.parts, title=title, y_title=data.cfg.target)
    fig.update_layout(uirevision=_LIVE, height=380)
    if len(data.dates) > LIVE_SHOWN:
        fig.update_xaxes(range=[data.dates[-LIVE_SHOWN], data.dates[-1]])
    st.plotly_chart(fig, key="stock.live_fit")


def best_baseline(result: ForecastResult) -> tuple[str, np.ndarray]:
    """The baseline the verdict compares with and its predictions of every window: the judgement's
    best baseline (lowest validation RMSE), else (a loaded run without one) the naive forecast."""
    j = result.judgement
    if j is not None and j.best_baseline in j.baselines.predictions:
        return j.best_baseline, np.asarray(j.baselines.predictions[j.best_baseline], dtype=float)
    return "naive", naive_of(result.data)


def same_forecast(result: ForecastResult, predictions: np.ndarray) -> bool:
    """The model predicts ``predictions`` on every test window (e.g. a switched-off network), up to
    the float32 rounding of the network's output (``SAME_RTOL``)."""
    s = result.data.parts["test"]
    size = float(np.max(np.abs(result.data.actual[s]))) if s.stop > s.start else 0.0
    # atol too: near zero float32 rounding is relative to the series' size, not to each value
    return bool(np.allclose(result.predicted[s], predictions[s], rtol=SAME_RTOL, atol=SAME_RTOL * size))


def skill_against(result: ForecastResult, predictions: np.ndarray) -> SkillInterval | None:
    """The model's skill over ``predictions`` on the test windows, with a 95 % bootstrap interval."""
    s = result.data.parts["test"]
    try:
        return skill_interval(result.data.actual[s], result.predicted[s], predictions[s])
    except ValueError:  # too few windows, or a baseline with no error at all
        return None


def _pct(x: float) -> str:
    return f"{x:+.1%}".replace("-", "−")


def interval_words(iv: SkillInterval) -> str:
    """The skill and its interval, or for a model over twice as bad the RMSE ratio and its interval."""
    if iv.high < -1:
        return (f"RMSE ratio {1 - iv.skill:.1f}, 95 % interval {1 - iv.high:.1f} to {1 - iv.low:.1f}, "
                f"{iv.n_windows:,} test windows")
    return (f"skill {_pct(iv.skill)}, 95 % interval {_pct(iv.low)} to {_pct(iv.high)}, "
            f"{iv.n_windows:,} test windows")


def verdict(result: ForecastResult) -> Outcome:
    """The model against the best baseline, with the skill's interval: its colour and words."""
    name, predictions = best_baseline(result)
    iv = skill_against(result, predictions)
    label = baseline_label(result, name)
    wording = f"the best baseline, {label}" if result.judgement is not None else f"the {label} baseline"
    if iv is None:
        return Outcome("info", f"No clear verdict against {wording}: too few test windows to judge.")
    ratio = 1 - iv.skill
    size = f"test RMSE {abs(iv.skill):.1%} {'lower' if iv.skill > 0 else 'higher'}"
    if ratio >= 2:
        size = f"test RMSE {ratio:.1f} times as high"
    numbers = f"({interval_words(iv)})"
    if same_forecast(result, predictions):
        return Outcome("info", f"Same forecast as {wording}: the model's prediction equals that baseline's "
                       f"on all {iv.n_windows:,} test windows (a model that found nothing to add stays "
                       "at it).")
    if iv.direction == "better" and iv.skill > TIE_BAND:
        return Outcome("success", f"Beats {wording}: {size} {numbers}.")
    if iv.direction == "worse" and iv.skill < -TIE_BAND:
        return Outcome("warning", f"Worse than {wording}: {size} {numbers}.")
    if iv.clear:
        return Outcome("info", f"Ties {wording}: test RMSE within 0.5 % {numbers}.")
    return Outcome("info", f"No clear difference from {wording}: {size}, but the 95 % interval holds zero "
                   f"{numbers}.")


def judge(result: ForecastResult, which: str = "") -> Outcome:
    """The outcome line of a finished run: a divergence, else the verdict, with which run it was
    (``which``, e.g. "Run 3, on EU electrical equipment orders.": the data chosen since may differ),
    how training ended and the method's notes beneath."""
    outcome = ended(result.history, verdict=verdict(result))
    details = (which, *outcome.details, *result.notes) if which else (*outcome.details, *result.notes)
    return Outcome(outcome.level, outcome.text, details)


def idle(frame: pd.DataFrame | None, target: str) -> None:
    """The Training tab before any run: what will happen, over the series that will be used."""
    st.info("Press Train: the loss curves and the current fit appear here live, and Pause, Step and Stop act "
            "on the run. You can keep using the page while it trains.", icon=":material/school:")
    if frame is not None:
        column = target if target in frame.columns else frame.columns[0]
        st.plotly_chart(price_figure(frame, column, title=f"The data: {column}", height=280),
                        key="stock.idle_chart")
