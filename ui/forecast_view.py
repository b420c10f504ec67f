"""Forecast page drawing: provenance, live training panel, results, downloads and run history."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.data import provenance_of
from lstm_core.forecasting import ForecastData, ForecastResult, forecast_future
from lstm_core.jobs import JobSnapshot
from lstm_core.plots import fit_figure, loss_figure, overlay_figure, price_figure, residuals_figure
from ui.jobs import progress_bar

_LIVE = "stock-live"  # uirevision: zoom and legend clicks survive the live redraws


@dataclass
class RunEntry:
    """One finished (or loaded) run of this session: what the History tab and overlays need."""

    label: str
    settings: dict[str, object]
    result: ForecastResult
    provenance: dict[str, object] = field(default_factory=dict)

    def row(self) -> dict[str, object]:
        report = self.result.report
        return {"run": self.label, **self.settings,
                "test RMSE": report.loc["RMSE", "model"], "naive RMSE": report.loc["RMSE", "naive"],
                "RMSE ratio": report.loc["RMSE", "model / naive"], "skill": self.result.skill,
                "epochs run": len(self.result.history.epochs), "stop": self.result.history.stop_reason}


def settings_summary(data_cfg, model_cfg, train_cfg, source: str) -> dict[str, object]:
    return {"data": source, "target": f"{data_cfg.target} ({data_cfg.target_mode})",
            "seq_len": data_cfg.seq_len, "model": f"{'Bi' if model_cfg.bidirectional else ''}"
            f"{model_cfg.cell} {model_cfg.hidden_size}x{model_cfg.num_layers} head={model_cfg.head}",
            "lr": train_cfg.lr, "batch": train_cfg.batch_size, "epochs": train_cfg.epochs,
            "patience": train_cfg.patience, "seed": train_cfg.seed}


def provenance_panel(frame: pd.DataFrame, target: str) -> None:
    """Source, span, rows and the note, then a preview chart of the chosen column."""
    record = provenance_of(frame)
    if record is not None:
        c = st.columns(4)
        c[0].metric("Source", record.source)
        c[1].metric("Series", record.name)
        c[2].metric("Rows", f"{record.rows:,}")
        c[3].metric("Span", f"{record.start} → {record.end}")
        st.caption(record.note + (f" Licence: {record.licence}." if record.licence else ""))
    column = target if target in frame.columns else frame.columns[0]
    st.plotly_chart(price_figure(frame, column, title=f"{record.name if record else 'Data'}: {column}"),
                    key="stock.preview_chart")


def _fit(data: ForecastData, predicted: np.ndarray | None, future: pd.Series | None = None,
         title: str = "Actual and predicted") -> object:
    return fit_figure(data.series, data.dates, predicted, data.parts, future=future, title=title)


def draw_live(snap: JobSnapshot) -> None:
    """The Training tab while a run goes on (also drawn once more when it ends)."""
    progress_bar(snap)
    if snap.error:
        st.error(snap.error)
    total = snap.start.cfg.epochs if snap.start else None
    loss = loss_figure(snap.epochs, total_epochs=total, title="Loss (scaled units)")
    loss.update_layout(uirevision=_LIVE)
    left, right = st.columns(2)
    left.plotly_chart(loss, key="stock.live_loss")
    data = snap.published.get("data")
    if data is not None:
        epoch, predicted = snap.published.get("preview", (0, None))
        fig = _fit(data, predicted, title=f"Predictions after epoch {epoch}" if epoch else "Actual")
        fig.update_layout(uirevision=_LIVE, height=380)
        right.plotly_chart(fig, key="stock.live_fit")
    if snap.epochs:
        e = snap.epochs[-1]
        val = f"{e.val_loss:.4g}" if e.val_loss is not None else "—"
        st.caption(f"Epoch {e.epoch}: train loss {e.train_loss:.4g}, validation loss {val}; "
                   f"best epoch so far {e.best_epoch}.")


def training_outcome(result: ForecastResult) -> None:
    h = result.history
    if h.stop_reason == "diverged":
        st.error(h.message)
    elif h.stop_reason in ("stopped", "early_stopping"):
        st.info(h.message + (f" Kept the best weights (epoch {h.best_epoch})." if h.restored_best else ""))
    else:
        st.success(f"Trained {len(h.epochs)} epochs in {h.elapsed:.1f} s; best epoch {h.best_epoch}"
                   + (" (its weights were restored)." if h.restored_best else "."))


def verdict_line(result: ForecastResult) -> None:
    (st.success if result.skill > 0.005 else st.warning)(result.verdict)


def fit_tab(entry: RunEntry) -> None:
    result = entry.result
    steps = st.number_input("Forecast the next N steps beyond the data (0 = none)", 0, 250, 20,
                            key="stock.future_steps")
    future = None
    if steps:
        try:
            future = forecast_future(result.model, result.data, int(steps))
        except ValueError as exc:
            st.info(f"No forecast beyond the data: {exc}")
    title = f"{entry.provenance.get('name', 'Series')}: actual and predicted ({entry.label})"
    st.plotly_chart(_fit(result.data, result.predicted, future, title), key="stock.fit_chart")
    if future is not None:
        st.caption("The dotted line is a recursive forecast: each predicted step is fed back as input, "
                   "so errors compound. Read it as a scenario, not a promise.")


def metrics_tab(result: ForecastResult) -> None:
    verdict_line(result)
    table = result.report.rename(columns={"model": "model", "naive": "naive (tomorrow = today)"})
    st.dataframe(table.style.format("{:,.4f}", na_rep="—"), key="stock.metrics_table")
    s = result.data.parts["test"]
    st.caption(f"On the test part: {s.stop - s.start:,} windows, {result.data.dates[s.start]:%Y-%m-%d} to "
               f"{result.data.dates[s.stop - 1]:%Y-%m-%d}. Skill = 1 − RMSE model / RMSE naive = "
               f"{result.skill:+.4f}. Directional accuracy of the naive baseline is undefined (it never "
               "predicts a move).")


def residuals_tab(result: ForecastResult) -> None:
    d = result.data
    st.plotly_chart(residuals_figure(d.dates, d.actual, result.predicted, d.last, d.parts),
                    key="stock.residuals_chart")


def predictions_csv(result: ForecastResult) -> bytes:
    d = result.data
    part = np.empty(len(d.dates), dtype=object)
    for name, s in d.parts.items():
        part[s] = name
    frame = pd.DataFrame({"date": d.dates, "part": part, "actual": d.actual,
                          "predicted": result.predicted, "naive": d.last})
    return frame.to_csv(index=False, float_format="%.6g").encode()


def run_file(entry: RunEntry) -> bytes | None:
    try:
        from lstm_core.persistence import forecast_record, save_run
    except ImportError:  # pragma: no cover - persistence lands separately
        return None
    buffer = io.BytesIO()
    save_run(forecast_record(entry.result, entry.provenance), buffer)
    return buffer.getvalue()


def downloads(entry: RunEntry) -> None:
    c1, c2 = st.columns(2)
    c1.download_button("Predictions (CSV)", predictions_csv(entry.result), "predictions.csv", "text/csv",
                       key="stock.dl_csv", icon=":material/download:")
    blob = run_file(entry)
    if blob is not None:
        c2.download_button("Run file (reload it on this page)", blob, "forecast.lstmrun",
                           "application/octet-stream", key="stock.dl_run", icon=":material/save:")


def history_tab(runs: list[RunEntry]) -> None:
    if not runs:
        st.info("Finished runs of this session appear here.")
        return
    st.dataframe(pd.DataFrame([r.row() for r in runs]), key="stock.history_table", hide_index=True)
    labels = [r.label for r in runs]
    picked = st.multiselect("Overlay two runs' test predictions", labels, default=labels[-2:],
                            max_selections=2, key="stock.overlay")
    chosen = [r for r in runs if r.label in picked]
    if chosen:
        base = chosen[0].result.data
        lines = [(r.label, r.result.data.dates[r.result.data.parts["test"]],
                  r.result.predicted[r.result.data.parts["test"]]) for r in chosen]
        st.plotly_chart(overlay_figure(base.series, lines), key="stock.overlay_chart")
        if len({r.provenance.get("name") for r in chosen}) > 1:
            st.warning("These runs used different data: the actual line is the first run's series.")
