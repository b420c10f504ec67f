"""The forecast page headlessly: layout, train, verdict with its interval, Pause / Step / Stop,
field-level validation, data sources (Yahoo patched), history and run files."""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yfinance as yf
from streamlit.testing.v1 import AppTest

from ui.forecast_results import file_stem, run_file
from ui.forecast_view import baseline_label, best_baseline, same_forecast
from ui.state import STOCK_RUNS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TRAIN = "stock.train"
FETCH = "FormSubmitter:stock.yahoo_form-Fetch"


def _tiny(at: AppTest, epochs: int = 2) -> AppTest:
    at.number_input(key="stock.last_rows").set_value(600)  # 59 validation windows: enough to train
    at.number_input(key="stock.seq_len").set_value(10)
    at.number_input(key="stock.hidden_size").set_value(4)
    at.number_input(key="stock.epochs").set_value(epochs)
    at.run()  # plain widgets: each entry reruns the page (and is checked at once)
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    """Choose "Upload a CSV" and upload ``data`` as ``name``."""
    at.radio(key="stock.source").set_value("Upload a CSV").run()
    return at.file_uploader(key="stock.csv").set_value((name, data, "text/csv")).run()


def _train_and_wait(at: AppTest, timeout: float = 60) -> None:
    at.button(key=TRAIN).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    job = at.session_state["stock.job"]
    assert job.join(timeout), "training did not finish"
    at.run()  # fragments do not tick in AppTest: rerun to render the results
    assert not at.exception, [e.value for e in at.exception]


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The st.table / st.dataframe that has ``column``."""
    tables = [t.value for t in at.table] + [d.value for d in at.dataframe]
    found = [t for t in tables if column in t.columns]
    assert found, [list(t.columns) for t in tables]
    return found[0]


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_settings_sit_in_the_sidebar_and_train_with_its_controls_above_the_results(open_page):
    at = open_page("pages/stock_forecast.py")
    side = at.sidebar
    for key in ("stock.seq_len", "stock.hidden_size", "stock.epochs", "stock.patience", "stock.forget_bias"):
        assert side.number_input(key=key), key
    main_buttons = [b.key for b in at.main.button]
    assert main_buttons[:4] == [TRAIN, "stock.job.pause", "stock.job.step", "stock.job.stop"]
    assert at.button(key="stock.job.pause").disabled and not at.button(key=TRAIN).disabled
    assert [t.label for t in at.tabs][:3] == ["Training", "Fit & forecast", "Metrics"]


def test_a_run_trains_and_its_outcome_line_carries_the_verdict_with_its_interval(open_page):
    at = open_page("pages/stock_forecast.py")
    at.selectbox(key="stock.bundled").set_value("MSFT")
    at.run()
    _train_and_wait(_tiny(at))
    outcome = _texts(at.success) + _texts(at.info) + _texts(at.warning)
    verdicts = [v for v in outcome if "best baseline" in v]
    assert verdicts and "test windows" in verdicts[0], outcome
    assert not any(v.startswith("Trained") for v in _texts(at.success))  # no green "Trained" alone
    table = _table(at, "val RMSE")
    assert list(table.index) == ["model", "naive", "seasonal naive", "drift", "linear AR"]
    assert "model's skill over it, 95 % interval" in table.columns
    assert any("interval: covers" in m.value and "19 times in 20" in m.value for m in at.markdown)
    history = _table(at, "test period")
    assert list(history.index) == ["run 1"] and history["epochs"].iloc[0].startswith("2, best ")


def _verdict_script() -> None:
    import streamlit as st

    from ui.forecast_view import verdict
    from ui.training_panel import show_outcome

    for result in st.session_state["results"]:
        show_outcome(verdict(result))


def test_the_verdict_says_no_clear_difference_when_the_interval_holds_zero(open_page):
    at = open_page("pages/stock_forecast.py")
    _train_and_wait(_tiny(at))
    result = at.session_state[STOCK_RUNS][-1].result
    name, base = best_baseline(result)
    s = result.data.parts["test"]
    noise = np.zeros_like(base)
    noise[s] = np.random.default_rng(0).normal(scale=1e-3 * np.std(base[s]), size=s.stop - s.start)
    tie = dataclasses.replace(result, predicted=base + noise)
    perfect = dataclasses.replace(result, predicted=result.data.actual.copy())
    script = AppTest.from_function(_verdict_script)
    script.session_state["results"] = [tie, perfect]
    script.run()
    assert not script.exception, [e.value for e in script.exception]
    (no_clear,) = _texts(script.info)
    (beats,) = _texts(script.success)
    windows = f"{s.stop - s.start:,} test windows"
    label = baseline_label(result, name)
    assert no_clear.startswith(f"No clear difference from the best baseline, {label}") and windows in no_clear
    assert "interval holds zero" in no_clear
    assert beats.startswith(f"Beats the best baseline, {label}") and windows in beats
    assert baseline_label(result, "naive") == 'naive ("tomorrow = today")'  # business days
    assert baseline_label(result, "drift") == "drift"
    # float32 rounding of a switched-off network's output is the same forecast; a 0.1 % change is not
    assert same_forecast(dataclasses.replace(result, predicted=base * (1 + 3e-7)), base)
    assert not same_forecast(tie, base)
    # a series around zero: float32 rounding is relative to the series' size, not to each value
    m = float(np.mean(result.data.actual[s]))
    data = dataclasses.replace(result.data, actual=result.data.actual - m)
    rounding = 3e-7 * np.max(np.abs(data.actual[s]))  # values near 0 get this too, not 3e-7 of themselves
    centred = dataclasses.replace(result, data=data, predicted=base - m + rounding)
    assert same_forecast(centred, base - m)


def test_pause_step_resume_and_stop_keeps_the_best_weights(open_page, wait_until):
    at = _tiny(open_page("pages/stock_forecast.py"), epochs=2000)
    at.number_input(key="stock.patience").set_value(0)
    at.run()
    at.button(key=TRAIN).click()
    at.run()
    job = at.session_state["stock.job"]
    wait_until(job, lambda s: len(s.epochs) >= 1)
    at.button(key="stock.job.pause").click()
    at.run()
    assert job.snapshot().paused and at.button(key="stock.job.resume")
    time.sleep(0.5)
    held = len(job.snapshot().epochs)
    at.button(key="stock.job.step").click()
    at.run()
    wait_until(job, lambda s: not s.stepping)
    assert len(job.snapshot().epochs) in (held + 1, held + 2)
    at.button(key="stock.job.resume").click()
    at.run()
    assert not job.snapshot().paused
    at.button(key="stock.job.stop").click()
    at.run()
    assert job.join(30), "Stop did not end the run"
    at.run()
    assert not at.exception
    lines = _texts(at.caption) + _texts(at.info) + _texts(at.success) + _texts(at.warning)
    assert any(line.startswith("Stopped by request") for line in lines), lines
    assert _table(at, "val RMSE").shape[0] == 5


def test_a_wrong_value_is_explained_at_its_widget_as_soon_as_it_is_entered(open_page):
    at = open_page("pages/stock_forecast.py")
    at.number_input(key="stock.last_rows").set_value(100)
    at.number_input(key="stock.seq_len").set_value(90)
    at.run()  # no Train press
    errors = _texts(at.sidebar.error)
    assert any(e.startswith("Sequence length 90 is not shorter than the training part")
               for e in errors), errors
    assert not any("seq_len" in e for e in errors)  # the label's words, not the config's names
    assert at.button(key=TRAIN).disabled and "stock.job" not in at.session_state
    at.number_input(key="stock.seq_len").set_value(30)
    at.number_input(key="stock.last_rows").set_value(2500)
    at.number_input(key="stock.lr").set_value(50.0)
    at.number_input(key="stock.hidden_size").set_value(0)
    at.run()
    errors = _texts(at.sidebar.error)
    assert "Learning rate: enter a number above 0, at most 10; got 50." in errors, errors
    assert "Hidden size: enter a whole number from 1 to 4,096; got 0." in errors, errors
    at.number_input(key="stock.lr").set_value(0.001)
    at.number_input(key="stock.hidden_size").set_value(32)
    at.number_input(key="stock.patience").set_value(0)  # 0 = off, as its help says
    at.run()
    assert not at.error and not at.button(key=TRAIN).disabled
    at.number_input(key="stock.last_rows").set_value(-5)
    at.run()
    assert any(e.startswith("Use the last N rows: enter 0") for e in _texts(at.error)), _texts(at.error)


def test_results_read_well(open_page):
    """Forecast steps beyond 250 say so; names in the download files; the horizon chart is there."""
    at = open_page("pages/stock_forecast.py")
    _train_and_wait(_tiny(at))
    at.number_input(key="stock.future_steps").set_value(100000)
    at.run()
    assert any("Forecast the next N business days: enter 0 to 250 (got 100,000); showing 250" in w
               for w in _texts(at.warning)), _texts(at.warning)
    assert file_stem(at.session_state[STOCK_RUNS][-1]) == "NVDA_run1"  # "<stem>_predictions.csv"


def test_history_flags_runs_scored_on_different_test_periods_and_overlays_newest_with_best_earlier(open_page):
    at = open_page("pages/stock_forecast.py")
    _train_and_wait(_tiny(at))
    at.number_input(key="stock.test_fraction").set_value(0.3)
    at.run()
    _train_and_wait(at)
    history = _table(at, "test period")
    assert list(history.index) == ["run 1", "run 2"]
    assert history["test period"].nunique() == 2
    assert any("different test periods" in w for w in _texts(at.warning)), _texts(at.warning)
    assert at.multiselect(key="stock.overlay").value == ["run 1", "run 2"]
    assert any("on the" in c and "test dates they share" in c for c in _texts(at.caption))


def test_history_never_pairs_runs_on_different_series_and_names_same_forecasts(open_page):
    at = open_page("pages/stock_forecast.py")
    _train_and_wait(_tiny(at))
    at.selectbox(key="stock.bundled").select("AMZN").run()
    _train_and_wait(_tiny(at))
    assert at.multiselect(key="stock.overlay").value == ["run 2"]  # NVDA's prices are not AMZN's
    history = _table(at, "test period")
    for run in at.session_state[STOCK_RUNS]:
        row = history.loc[run.label]
        same = same_forecast(run.result, best_baseline(run.result)[1])
        assert (row["verdict"] == "the same forecast") == same
        assert row["ended"] in ("done", "done (early stopping)")


def test_a_run_too_short_to_train_the_network_says_so_instead_of_empty_charts(open_page):
    at = _tiny(open_page("pages/stock_forecast.py"))
    at.number_input(key="stock.last_rows").set_value(200).run()  # 19 validation windows: fewer than 50
    _train_and_wait(at)
    assert not at.session_state[STOCK_RUNS][-1].result.history.epochs
    assert any(i.startswith("No network was trained in this run") for i in _texts(at.info)), _texts(at.info)
    assert "Not trained: validation part too short." in _texts(at.caption)


def test_bad_csv_shows_its_message(open_page):
    at = open_page("pages/stock_forecast.py")
    _upload(at, "prices.csv", b"name,colour\nfoo,red\nbar,blue\n")
    assert not at.exception
    assert any("prices.csv" in e and "dates" in e for e in _texts(at.error)), _texts(at.error)


def test_good_csv_is_previewed_with_its_provenance(open_page):
    days = pd.bdate_range("2020-01-01", periods=200)
    close = 100 + np.cumsum(np.random.default_rng(1).normal(0, 1, len(days)))
    csv = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": close}).to_csv(index=False).encode()
    at = open_page("pages/stock_forecast.py")
    _upload(at, "mine.csv", csv)
    assert not at.exception and not at.error
    assert any("mine.csv" in m.value for m in at.markdown) and any("csv" in m.value for m in at.markdown)


def test_the_chosen_preset_says_what_to_expect(open_page):
    at = open_page("pages/stock_forecast.py")
    assert any("ties the naive baseline or edges past it" in c.value for c in at.caption)
    at.selectbox(key="stock.preset").select("Seed 003").run()
    assert any(c.value.startswith("As in seed 003") for c in at.caption)


def _away_and_back(at: AppTest) -> AppTest:
    at.switch_page("pages/home.py")
    at.run()
    at.switch_page("pages/stock_forecast.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_settings_the_data_and_the_uploaded_csv_survive_a_visit_to_another_page(open_page):
    days = pd.bdate_range("2020-01-01", periods=200)
    close = 100 + np.cumsum(np.random.default_rng(2).normal(0, 1, len(days)))
    frame = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": close, "Open": close - 0.5})
    at = open_page("pages/stock_forecast.py")
    at.selectbox(key="stock.preset").select("Seed 003").run()
    _upload(at, "mine.csv", frame.to_csv(index=False).encode())
    _away_and_back(at)
    assert at.selectbox(key="stock.preset").value == "Seed 003"
    assert at.number_input(key="stock.hidden_size").value == 8  # the form still holds Seed 003's values
    assert at.radio(key="stock.source").value == "Upload a CSV"
    assert any("Using **mine.csv**, uploaded earlier" in c.value for c in at.caption)
    assert any("mine.csv" in m.value for m in at.markdown)


def test_the_form_gets_its_values_back_after_data_that_could_not_be_used(open_page):
    at = open_page("pages/stock_forecast.py")
    _upload(at, "bad.csv", b"Date,Close\n2020-01-01,1\n")
    assert at.button(key=TRAIN).disabled and any("bad.csv" in e.value for e in at.error)
    # While the form is off the page its values are not Streamlit's to keep: a browser sent 0s here.
    for key in ("stock.hidden_size", "stock.epochs", "stock.seq_len"):
        at.session_state[key] = 0
    at.radio(key="stock.source").set_value("Bundled history").run()
    values = [at.number_input(key=k).value for k in ("stock.hidden_size", "stock.epochs", "stock.seq_len")]
    assert values == [32, 40, 30] and not at.error  # the Recommended values it had before


def test_a_run_file_from_an_uploaded_csv_loads_back_with_that_csv(open_page):
    days = pd.bdate_range("2020-01-01", periods=300)
    close = 100 + np.cumsum(np.random.default_rng(3).normal(0, 1, len(days)))
    csv = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": close}).to_csv(index=False).encode()
    at = open_page("pages/stock_forecast.py")
    at.selectbox(key="stock.preset").select("Seed 003").run()  # a network alone: run files hold it
    _upload(at, "p300.csv", csv)
    _train_and_wait(_tiny(at))
    (trained,) = at.session_state[STOCK_RUNS]
    blob = run_file(trained)
    run_upload = at.file_uploader(key="stock.run_upload")
    run_upload.set_value(("p300_run1.lstmrun", blob, "application/octet-stream"))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    loaded = at.session_state[STOCK_RUNS][-1]
    assert loaded.label == "loaded: p300_run1.lstmrun" and not loaded.notes  # the same data: no note
    np.testing.assert_allclose(loaded.result.predicted, trained.result.predicted, rtol=1e-6)
    # Without that CSV on the page, the message says what to do.
    at.file_uploader(key="stock.csv").set_value(("other.csv", csv, "text/csv")).run()
    at.file_uploader(key="stock.run_upload").set_value(("again.lstmrun", blob, "application/octet-stream"))
    at.run()
    assert any("upload p300.csv on this page" in e.value for e in at.error)


def test_a_removed_csv_is_forgotten_and_a_restored_choice_the_data_lack_is_reset(open_page):
    at = open_page("pages/stock_forecast.py")
    at.session_state["stock.saved_settings"]["stock.features"] = ["Volume", "NoSuchColumn"]
    _away_and_back(at)
    assert at.multiselect(key="stock.features").value == ["Volume"]  # what the data still have stays
    _upload(at, "old.csv", b"Date,Close\n2020-01-01,1\n")
    assert any("old.csv" in e.value for e in at.error)  # too short: says so
    at.file_uploader(key="stock.csv").set_value(None).run()  # the user clears the uploader
    assert at.session_state["stock.csv_file"] is None and not at.error


# ------------------------------------------------------------------ Yahoo, with yf.download patched
def _yf_frame(symbol: str, days: int = 400) -> pd.DataFrame:
    index = pd.bdate_range("2022-01-03", periods=days, name="Date")
    close = 100 + np.cumsum(np.random.default_rng(0).normal(0, 1, days))
    data = {(p, symbol): close + d for p, d in (("Close", 0), ("High", 1), ("Low", -1), ("Open", 0.5))}
    data[("Volume", symbol)] = np.full(days, 1_000_000.0)
    frame = pd.DataFrame(data, index=index)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["Price", "Ticker"])
    return frame


def _empty(symbol: str) -> pd.DataFrame:
    cols = pd.MultiIndex.from_tuples([(p, symbol) for p in ("Close", "High", "Low", "Open", "Volume")],
                                     names=["Price", "Ticker"])
    return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([]), dtype=float)


def _fetch(open_page, monkeypatch: pytest.MonkeyPatch, ticker: str, answer) -> AppTest:
    monkeypatch.setattr(yf, "download", answer)
    at = open_page("pages/stock_forecast.py")
    at.radio(key="stock.source").set_value("Yahoo Finance")
    at.run()
    at.text_input(key="stock.ticker").set_value(ticker)
    at.button(key=FETCH).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_yahoo_ticker_found(monkeypatch, open_page):
    at = _fetch(open_page, monkeypatch, "ZZFOUND", lambda t, **kw: _yf_frame(t))
    assert any("Downloaded ZZFOUND" in i for i in _texts(at.info)), _texts(at.info)
    assert any("yahoo" in m.value for m in at.markdown)
    _train_and_wait(_tiny(at))
    assert _table(at, "val RMSE").shape[0] == 5


def test_yahoo_unknown_ticker(monkeypatch, open_page):
    def answer(t, **kw):
        logging.getLogger("yfinance").error(f"['{t}']: possibly delisted; no timezone found")
        return _empty(t)

    at = _fetch(open_page, monkeypatch, "ZZNOPE", answer)
    assert any("no daily prices for 'ZZNOPE'" in e for e in _texts(at.error)), _texts(at.error)


def test_yahoo_network_down_never_puts_another_series_in_its_place(monkeypatch, open_page):
    def answer(t, **kw):
        logging.getLogger("yfinance").error(
            f"['{t}']: DNSError('Failed to perform, curl: (6) Could not resolve host: "
            "query2.finance.yahoo.com')")
        return _empty(t)

    at = _fetch(open_page, monkeypatch, "ZZDOWN", answer)
    errors = _texts(at.error)
    assert len(errors) == 1 and "ZZDOWN is unavailable" in errors[0], errors
    assert "no other series is used in its place" in errors[0] and "NVDA" in errors[0]  # offers the bundled
    assert "Choose data in the sidebar to train." in _texts(at.caption)  # nothing to train on: no form
    assert not any("**Series**" in m.value for m in at.markdown)  # no provenance of a substitute series



def test_a_run_that_got_worse_is_never_green(open_page):
    from ui.forecast_view import judge

    at = open_page("pages/stock_forecast.py")
    _train_and_wait(_tiny(at))
    assert "Run 1, on NVIDIA (NVDA)." in _texts(at.caption)  # which run the outcome line is about
    result = at.session_state[STOCK_RUNS][-1].result
    history = dataclasses.replace(result.history, warning="Training went wrong: the loss rose 40x.")
    perfect = dataclasses.replace(result, history=history, predicted=result.data.actual.copy())
    outcome = judge(perfect)
    assert outcome.level == "warning" and outcome.text.startswith("Beats")
    assert outcome.details[0] == "Training went wrong: the loss rose 40x."


def test_ambiguous_day_month_dates_are_refused_until_the_user_says_which_comes_first(open_page):
    days = pd.date_range("2020-01-01", periods=60, freq="MS")  # every day is the 1st: 01/02 is ambiguous
    close = 100 + np.cumsum(np.random.default_rng(2).normal(0, 1, len(days)))
    csv = pd.DataFrame({"Date": days.strftime("%d/%m/%Y"), "Close": close}).to_csv(index=False).encode()
    at = open_page("pages/stock_forecast.py")
    _upload(at, "monthly.csv", csv)
    assert not at.exception and any("day" in e.lower() and "month" in e.lower() for e in _texts(at.error)), \
        _texts(at.error)
    at.selectbox(key="stock.csv_dayfirst").set_value("Day first (31/12/2024)").run()
    assert not at.exception and not at.error, _texts(at.error)
    shown = _texts(at.markdown) + _texts(at.caption) + _texts(at.info)
    assert any("day first" in t.lower() or "%d/%m/%Y" in t for t in shown), shown  # read as it was asked


def test_a_bundled_series_with_seasons_forecasts_its_own_column(open_page):
    at = open_page("pages/stock_forecast.py")
    at.selectbox(key="stock.bundled").set_value("SUNSPOTS")
    at.run()
    assert not at.exception and at.selectbox(key="stock.target").value == "Sunspots"
    _train_and_wait(_tiny(at))
    outcome = _texts(at.success) + _texts(at.info) + _texts(at.warning)
    assert any("best baseline" in v for v in outcome), outcome


def test_settings_too_big_or_too_slow_are_said_before_training(open_page):
    at = open_page("pages/stock_forecast.py")
    at.number_input(key="stock.hidden_size").set_value(4096)
    at.number_input(key="stock.num_layers").set_value(4)
    at.run()
    assert any("parameters; the limit here is" in e for e in _texts(at.error)), _texts(at.error)
    assert at.button(key=TRAIN).disabled
    at.number_input(key="stock.hidden_size").set_value(1200)
    at.number_input(key="stock.num_layers").set_value(1)
    at.number_input(key="stock.epochs").set_value(2000)
    at.run()
    assert any("would take very long on this machine" in w for w in _texts(at.warning)), _texts(at.warning)
    assert not at.button(key=TRAIN).disabled  # warned, not refused


def test_while_a_forecast_trains_every_page_keeps_train_off_and_says_why(open_page):
    at = _tiny(open_page("pages/stock_forecast.py"), epochs=2000)
    at.number_input(key="stock.patience").set_value(0).run()
    at.button(key=TRAIN).click().run()
    job = at.session_state["stock.job"]
    try:
        at.run()  # the button was drawn before the press started the run
        assert at.button(key=TRAIN).disabled  # this page: its own run goes on
        at.switch_page("pages/mnist_classifier.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        mnist = at.button(key="mnist.train")
        assert mnist.disabled and "already going on the Forecast page" in mnist.help
    finally:
        job.stop()
        assert job.join(30)
    at.run()
    assert not at.button(key="mnist.train").disabled  # free again once the run has ended
