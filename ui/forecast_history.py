"""Forecast page History tab: every run of the session, the newest against the best earlier one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.plots import overlay_figure
from ui.forecast_view import RunEntry, best_baseline, same_forecast, skill_against
from ui.state import STOCK_OVERLAID
from ui.training_panel import end_words


def _period(entry: RunEntry) -> str:
    start, end = entry.test_period
    return f"{start:%Y-%m-%d} → {end:%Y-%m-%d}"


def _test_rmse(entry: RunEntry) -> float:
    d, s = entry.result.data, entry.result.data.parts["test"]
    return float(np.sqrt(np.mean((d.actual[s] - entry.result.predicted[s]) ** 2)))


def outcome_row(entry: RunEntry) -> dict[str, str]:
    """The outcome of a run in a few short text cells (a table that wraps, never cuts, them)."""
    h = entry.result.history
    name, base = best_baseline(entry.result)
    iv = skill_against(entry.result, base)
    skill = "—" if iv is None else f"{iv.skill:+.1%} [{iv.low:+.1%}, {iv.high:+.1%}]"
    verdict = "—" if iv is None else iv.direction
    if same_forecast(entry.result, base):  # as the Metrics tab says: not "-0.0 % · worse"
        skill, verdict = "0", "the same forecast"
    return {"run": entry.label, "data": str(entry.settings.get("data", "")), "test period": _period(entry),
            "test RMSE": f"{_test_rmse(entry):,.4g}", "best baseline": name,
            "skill over it [95 %]": skill, "verdict": verdict,
            "epochs": f"{len(h.epochs)}, best {h.best_epoch}" if h.epochs else "—",
            "ended": end_words(h.stop_reason) if h.epochs else "not trained"}


def best_earlier(runs: list[RunEntry]) -> RunEntry | None:
    """The earlier run (not the newest) on the newest run's data with the highest skill over its best
    baseline; None if there is none (runs on other data are not comparable: other units, other dates)."""
    same = ("data", "target")
    earlier = [r for r in runs[:-1] if all(r.settings.get(k) == runs[-1].settings.get(k) for k in same)]
    if not earlier:
        return None

    def score(r: RunEntry) -> float:
        iv = skill_against(r.result, best_baseline(r.result)[1])
        return -np.inf if iv is None else iv.skill

    return max(earlier, key=score)


def _common_part(a: RunEntry, b: RunEntry) -> str:
    """A sentence comparing two runs on the test dates they share (their test periods differ)."""
    da, db = a.result.data, b.result.data
    sa, sb = da.parts["test"], db.parts["test"]
    common = da.dates[sa].intersection(db.dates[sb])
    if len(common) < 2:
        return (f"{a.label} and {b.label} were tested on periods that do not overlap: their RMSEs are not "
                "comparable.")

    def rmse(r: RunEntry) -> float:
        d, s = r.result.data, r.result.data.parts["test"]
        keep = d.dates[s].isin(common)
        return float(np.sqrt(np.mean((d.actual[s][keep] - r.result.predicted[s][keep]) ** 2)))

    return (f"{a.label} and {b.label} were tested on different periods; on the {len(common):,} test dates "
            f"they share ({common[0]:%Y-%m-%d} → {common[-1]:%Y-%m-%d}) the test RMSE is {rmse(a):,.4g} for "
            f"{a.label} and {rmse(b):,.4g} for {b.label}.")


def history_tab(runs: list[RunEntry]) -> None:
    if not runs:
        st.info("Finished runs of this session appear here.")
        return
    st.table(pd.DataFrame([outcome_row(r) for r in runs]).set_index("run"))
    periods = {_period(r) for r in runs}
    if len(periods) > 1:
        st.warning("These runs were scored on different test periods (see 'test period'): compare their "
                   "RMSEs only on the part they share (below, for the two runs overlaid).",
                   icon=":material/warning:")
    with st.expander("Settings of each run"):
        st.table(pd.DataFrame([{"run": r.label, **{k: str(v) for k, v in r.settings.items()}} for r in runs])
                 .set_index("run"))
    labels = [r.label for r in runs]
    other = best_earlier(runs)
    default = [other.label, labels[-1]] if other is not None else labels[-1:]
    if st.session_state.get(STOCK_OVERLAID) != labels:  # a new run: show it against the best earlier one
        st.session_state[STOCK_OVERLAID] = labels
        st.session_state["stock.overlay"] = default
    picked = st.multiselect("Overlay test predictions (up to two runs): the newest against the best earlier "
                            "one", labels, max_selections=2, key="stock.overlay")
    chosen = [r for r in runs if r.label in picked]
    if not chosen:
        return
    base = chosen[0].result.data
    lines = [(r.label, r.result.data.dates[r.result.data.parts["test"]],
              r.result.predicted[r.result.data.parts["test"]]) for r in chosen]
    st.plotly_chart(overlay_figure(base.series, lines, title=f"Test predictions of "
                                   f"{' and '.join(r.label for r in chosen)}"), key="stock.overlay_chart")
    if len(chosen) == 2 and _period(chosen[0]) != _period(chosen[1]):
        st.caption(_common_part(*chosen))
    if len({r.provenance.get("name") for r in chosen}) > 1:
        st.warning("These runs used different data: the actual line is the first run's series.")
