"""Forecast page drawing: provenance, live training panel, results, downloads and run history."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.data import provenance_of
from lstm_core.forecasting import ForecastData, ForecastResult, forecast_future
from lstm_core.jobs import JobSnapshot
from lstm_core.persistence import save_run
from lstm_core.plots import fit_figure, loss_figure, overlay_figure, price_figure, residuals_figure
from lstm_core.run_records import forecast_record
from ui.jobs import progress_bar

# uirevision for the live charts. Streamlit redraws a changed figure from scratch, so a zoom or
# legend click made while training lasts only until the next chart update (ui.jobs.CHARTS_EVERY);
# the charts drawn once the run has ended keep them.
_LIVE = "stock-live"


@dataclass
class RunEntry:
    """One finished (or loaded) run of this session: what the History tab and overlays need."""

    label: str
    settings: dict[str, object]
    result: ForecastResult
    provenance: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # a loaded run whose data have changed since it was saved says how

    def row(self) -> dict[str, object]:
        """The outcome first (what a narrow table still shows), then the settings."""
        report, h = self.result.report, self.result.history
        epochs = f"{len(h.epochs)} (best {h.best_epoch})" if h.epochs else "—"
        return {"run": self.label, "RMSE ratio": report.loc["RMSE", "model / naive"],
                "skill": self.result.skill, "test RMSE": report.loc["RMSE", "model"],
                "naive RMSE": report.loc["RMSE", "naive"], "epochs run": epochs,
                "stop": h.stop_reason, **self.settings}


def settings_summary(data_cfg, model_cfg, train_cfg, source: str) -> dict[str, object]:
    return {"data": source, "target": f"{data_cfg.target} ({data_cfg.target_mode})",
            "seq_len": data_cfg.seq_len, "model": f"{'Bi' if model_cfg.bidirectional else ''}"
            f"{model_cfg.cell} {model_cfg.hidden_size}x{model_cfg.num_layers} head={model_cfg.head}",
            "lr": train_cfg.lr, "batch": train_cfg.batch_size, "max epochs": train_cfg.epochs,
            "patience": str(train_cfg.patience or "off"), "seed": train_cfg.seed}


def provenance_panel(frame: pd.DataFrame, target: str, shown: Sequence[str] = ()) -> None:
    """Source, span, rows and the note (less what ``shown`` messages said), then a preview chart."""
    record = provenance_of(frame)
    if record is not None:
        # Two rows of two: in one row of four, a series name or the span is cut off ("2025-…").
        for (label, value), (label2, value2) in (
            (("Source", record.source), ("Series", record.name)),
            (("Rows", f"{record.rows:,}"), ("Span", f"{record.start} → {record.end}")),
        ):
            c = st.columns([1, 3])
            c[0].metric(label, value)
            c[1].metric(label2, value2)
        note = record.note
        for text in shown:  # a fallback note is already in a message box above
            note = note.replace(text, "")
        note = " ".join(note.split()) + (f" Licence: {record.licence}." if record.licence else "")
        if note.strip():
            st.caption(note.strip())
    column = target if target in frame.columns else frame.columns[0]
    st.plotly_chart(price_figure(frame, column, title=f"{record.name if record else 'Data'}: {column}"),
                    key="stock.preview_chart")


def _fit(data: ForecastData, predicted: np.ndarray | None, future: pd.Series | None = None,
         title: str = "Actual and predicted") -> object:
    return fit_figure(data.series, data.dates, predicted, data.parts, future=future, title=title)


def draw_status(snap: JobSnapshot) -> None:
    """Progress and the latest epoch's losses (redrawn often while a run goes on)."""
    progress_bar(snap)
    if snap.error:
        st.error(snap.error)
    if snap.epochs:
        e = snap.epochs[-1]
        val = f"{e.val_loss:.4g}" if e.val_loss is not None else "—"
        st.caption(f"After epoch {e.epoch}: train loss {e.train_loss:.4g}, validation loss {val}; "
                   f"best epoch so far {e.best_epoch}.")


def draw_charts(snap: JobSnapshot) -> None:
    """The loss curves and the current fit (redrawn less often: each redraw costs the browser)."""
    total = snap.start.cfg.epochs if snap.start else None
    loss = loss_figure(snap.epochs, total_epochs=total, title="Loss (scaled units)")
    loss.update_layout(uirevision=_LIVE)
    left, right = st.columns(2)
    left.plotly_chart(loss, key="stock.live_loss")
    data = snap.published.get("data")
    if data is not None:
        epoch, predicted = snap.published.get("preview", (0, None))
        title = f"Predictions after epoch {epoch}" if epoch else "Actual"
        if isinstance(snap.result, ForecastResult):  # ended: the kept weights, not the last preview
            h = snap.result.history
            predicted = snap.result.predicted
            title = (f"Final predictions (best epoch {h.best_epoch})" if h.restored_best
                     else f"Final predictions (epoch {len(h.epochs)})")
        fig = _fit(data, predicted, title=title)
        fig.update_layout(uirevision=_LIVE, height=380)
        right.plotly_chart(fig, key="stock.live_fit")


def training_outcome(result: ForecastResult) -> None:
    """How the run ended; a run whose loss ended far above its start warns instead of succeeding."""
    h = result.history
    warning = str(getattr(h, "warning", "") or "")
    if h.stop_reason == "diverged":
        st.error(h.message)
    elif h.stop_reason in ("stopped", "early_stopping"):
        st.info(h.message + (f" Kept the best weights (epoch {h.best_epoch})." if h.restored_best else ""))
        if h.stop_reason == "early_stopping" and h.best_epoch == 1:
            st.caption("The validation loss was lowest after the first epoch: later epochs fitted the "
                       "training years without helping on unseen ones, so the model kept stays close to "
                       "where it started.")
    elif not warning:
        st.success(f"Trained {len(h.epochs)} epochs in {h.elapsed:.1f} s; best epoch {h.best_epoch}"
                   + (" (its weights were restored)." if h.restored_best else "."))
    if warning and h.stop_reason != "diverged":
        st.warning(warning)


TIE_NOTE = ("Daily prices are close to a random walk: the naive forecast is hard to beat, and a model "
            "that learns nothing useful stays at it (its head starts at zero change).")


def verdict_line(result: ForecastResult) -> None:
    (st.success if result.skill > 0.005 else st.warning)(result.verdict)
    if abs(result.skill) <= 0.005:  # the tie band of lstm_core.metrics.verdict
        st.caption(TIE_NOTE)


MAX_STEPS = 250


def fit_tab(entry: RunEntry) -> None:
    result = entry.result
    # No min / max on the widget: Streamlit would only turn an out-of-range entry red.
    steps = int(st.number_input(f"Forecast the next N steps (0-{MAX_STEPS})", value=20, step=1,
                                key="stock.future_steps", help="Beyond the data; 0 = no forecast."))
    if not 0 <= steps <= MAX_STEPS:
        shown = min(max(steps, 0), MAX_STEPS)
        st.warning(f"Forecast the next N steps: enter 0 to {MAX_STEPS} (got {steps:,}); showing {shown}.")
        steps = shown
    future = None
    if steps:
        try:
            future = forecast_future(result.model, result.data, int(steps))
        except ValueError as exc:
            st.info(f"No forecast beyond the data: {exc}")
    title = f"{entry.provenance.get('name', 'Series')}: actual and predicted ({entry.label})"
    st.plotly_chart(_fit(result.data, result.predicted, future, title), key="stock.fit_chart")
    if future is not None:
        st.caption("The purple dotted line in the shaded band is a recursive forecast: each predicted "
                   "step is fed back as input, so errors compound. Read it as a scenario, not a promise.")


def metrics_tab(result: ForecastResult) -> None:
    verdict_line(result)
    table = result.report.rename(columns={"model": "model", "naive": "naive (tomorrow = today)"})
    # Text cells: st.dataframe shows a missing number as "None" whatever the Styler's na_rep says.
    text = table.map(lambda v: "—" if v is None or not np.isfinite(v) else f"{v:,.4f}")
    st.dataframe(text, key="stock.metrics_table")
    s = result.data.parts["test"]
    st.caption(f"On the test part: {s.stop - s.start:,} windows, {result.data.dates[s.start]:%Y-%m-%d} to "
               f"{result.data.dates[s.stop - 1]:%Y-%m-%d}. Skill = 1 − RMSE model / RMSE naive = "
               f"{result.skill:+.4f}. Directional accuracy of the naive baseline is undefined (it never "
               "predicts a move).")


def residuals_tab(result: ForecastResult) -> None:
    d = result.data
    st.plotly_chart(residuals_figure(d.dates, d.actual, result.predicted, d.last, d.parts),
                    key="stock.residuals_chart")
    st.caption("Where the coloured line and the dotted naive line coincide, the model predicts what "
               "'tomorrow = today' predicts. Errors that grow with the price level are normal for prices.")


def predictions_csv(result: ForecastResult) -> bytes:
    d = result.data
    part = np.empty(len(d.dates), dtype=object)
    for name, s in d.parts.items():
        part[s] = name
    frame = pd.DataFrame({"date": d.dates, "part": part, "actual": d.actual,
                          "predicted": result.predicted, "naive": d.last})
    return frame.to_csv(index=False, float_format="%.6g").encode()


def run_file(entry: RunEntry) -> bytes:
    """The run as a run file (lstm_core.persistence), which the History tab can load back."""
    buffer = io.BytesIO()
    save_run(forecast_record(entry.result, entry.provenance), buffer)
    return buffer.getvalue()


def file_stem(entry: RunEntry) -> str:
    """e.g. "NVDA_run1": the series (ticker, else name) and the run label, safe as a file name."""
    series = str(entry.provenance.get("ticker") or entry.provenance.get("name") or "series")
    series = series.rsplit(".", 1)[0] if series.lower().endswith((".csv", ".txt")) else series
    label = entry.label.removeprefix("loaded: ").rsplit(".", 1)[0].replace(" ", "")
    return re.sub(r"[^A-Za-z0-9^._-]+", "_", f"{series}_{label}").strip("_")


def downloads(entry: RunEntry) -> None:
    stem = file_stem(entry)
    c1, c2 = st.columns(2)
    c1.download_button("Predictions (CSV)", predictions_csv(entry.result), f"{stem}_predictions.csv",
                       "text/csv", key="stock.dl_csv", icon=":material/download:")
    c2.download_button("Run file (reload it on this page)", run_file(entry), f"{stem}.lstmrun",
                       "application/octet-stream", key="stock.dl_run", icon=":material/save:")


def history_tab(runs: list[RunEntry]) -> None:
    if not runs:
        st.info("Finished runs of this session appear here.")
        return
    number = st.column_config.NumberColumn
    st.dataframe(pd.DataFrame([r.row() for r in runs]), key="stock.history_table", hide_index=True,
                 column_config={"RMSE ratio": number(format="%.4f", help="test RMSE / naive RMSE: below 1 "
                                                     "beats 'tomorrow = today'"),
                                "skill": number(format="%+.4f", help="1 − RMSE ratio"),
                                "test RMSE": number(format="%.4g"), "naive RMSE": number(format="%.4g")})
    labels = [r.label for r in runs]
    picked = st.multiselect("Overlay test predictions (up to two runs)", labels, default=labels[-2:],
                            max_selections=2, key="stock.overlay")
    chosen = [r for r in runs if r.label in picked]
    if chosen:
        base = chosen[0].result.data
        lines = [(r.label, r.result.data.dates[r.result.data.parts["test"]],
                  r.result.predicted[r.result.data.parts["test"]]) for r in chosen]
        title = f"Test predictions of {' and '.join(r.label for r in chosen)}"
        st.plotly_chart(overlay_figure(base.series, lines, title=title), key="stock.overlay_chart")
        if len({r.provenance.get("name") for r in chosen}) > 1:
            st.warning("These runs used different data: the actual line is the first run's series.")
