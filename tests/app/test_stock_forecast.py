"""The forecast page headlessly: train, Stop, bad input messages and the Yahoo path (patched)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yfinance as yf
from streamlit.testing.v1 import AppTest

from ui.forecast_view import file_stem, run_file
from ui.state import STOCK_RUNS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TRAIN = "FormSubmitter:stock.model_form-Train"
FETCH = "FormSubmitter:stock.yahoo_form-Fetch"



def _tiny(at: AppTest, epochs: int = 2) -> AppTest:
    at.number_input(key="stock.last_rows").set_value(300)
    at.number_input(key="stock.seq_len").set_value(10)
    at.number_input(key="stock.hidden").set_value(4)
    at.number_input(key="stock.epochs").set_value(epochs)
    return at


def _train_and_wait(at: AppTest, timeout: float = 60) -> None:
    at.button(key=TRAIN).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    job = at.session_state["stock.job"]
    assert job.join(timeout), "training did not finish"
    at.run()  # fragments do not tick in AppTest: rerun to render the results
    assert not at.exception, [e.value for e in at.exception]


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The st.dataframe that has ``column`` (st.dataframe keys are not exposed to AppTest)."""
    tables = [d.value for d in at.dataframe]
    found = [t for t in tables if column in t.columns]
    assert found, [list(t.columns) for t in tables]
    return found[0]


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_bundled_series_trains_and_shows_metrics_chart_and_verdict(open_page):
    at = open_page("pages/stock_forecast.py")
    at.selectbox(key="stock.bundled").set_value("MSFT")
    at.run()
    _train_and_wait(_tiny(at))  # form widgets take effect when Train submits the form
    table = _table(at, "model / naive")
    assert list(table.index) == ["RMSE", "MAE", "MAPE %", "Directional accuracy %"]
    assert {"model", "naive (tomorrow = today)", "model / naive"} <= set(table.columns)
    verdicts = _texts(at.success) + _texts(at.warning)
    assert any("naive 'tomorrow = today' baseline" in v for v in verdicts), verdicts
    assert any(v.startswith("Trained 2 epochs") for v in _texts(at.success))
    history = _table(at, "RMSE ratio")
    assert len(history) == 1 and history["run"][0] == "run 1"
    assert list(history.columns[:3]) == ["run", "RMSE ratio", "skill"]  # the outcome before the settings
    assert history["epochs run"][0].startswith("2 (best ") and history["max epochs"][0] == 2


def test_stop_mid_run_keeps_the_best_weights(open_page):
    at = _tiny(open_page("pages/stock_forecast.py"), epochs=2000)
    at.number_input(key="stock.patience").set_value(0)
    at.button(key=TRAIN).click()
    at.run()
    job = at.session_state["stock.job"]
    assert job.snapshot().running
    at.button(key="stock.job.stop").click()
    at.run()
    assert job.join(30), "Stop did not end the run"
    at.run()
    assert not at.exception
    assert any(i.startswith("Stopped by request") for i in _texts(at.info)), _texts(at.info)
    assert _table(at, "model / naive").shape[0] == 4


def test_impossible_sequence_length_is_explained_before_training(open_page):
    at = open_page("pages/stock_forecast.py")
    at.number_input(key="stock.last_rows").set_value(100)
    at.number_input(key="stock.seq_len").set_value(90)
    at.button(key=TRAIN).click()
    at.run()
    errors = _texts(at.error)
    assert any(e.startswith("Sequence length: seq_len 90 is not shorter than the training part")
               for e in errors), errors
    assert "stock.job" not in at.session_state


def test_out_of_range_numbers_get_a_message_not_a_red_field(open_page):
    # Widgets have no max_value: Streamlit would only colour the field and ignore Train.
    at = open_page("pages/stock_forecast.py")
    at.number_input(key="stock.seq_len").set_value(5000)
    at.button(key=TRAIN).click()
    at.run()
    assert any(e.startswith("Sequence length: seq_len 5000") for e in _texts(at.error)), _texts(at.error)
    at.number_input(key="stock.seq_len").set_value(30)
    at.number_input(key="stock.lr").set_value(50.0)
    at.button(key=TRAIN).click()
    at.run()
    assert any(e.startswith("Learning rate: lr (learning rate) must be <= 10") for e in _texts(at.error))
    assert "stock.job" not in at.session_state
    at.number_input(key="stock.last_rows").set_value(-5)
    at.run()
    assert any(e.startswith("Use the last N rows: enter 0") for e in _texts(at.error)), _texts(at.error)


def test_results_read_well(open_page):
    """Forecast steps beyond 250 say so; "—" for an undefined metric; names in the download files."""
    at = open_page("pages/stock_forecast.py")
    _train_and_wait(_tiny(at))
    table = _table(at, "model / naive")
    assert table.loc["Directional accuracy %", "naive (tomorrow = today)"] == "—"
    at.number_input(key="stock.future_steps").set_value(100000)
    at.run()
    assert any("Forecast the next N steps: enter 0 to 250 (got 100,000); showing 250" in w
               for w in _texts(at.warning)), _texts(at.warning)
    assert len(at.get("download_button")) == 2  # AppTest does not expose their file names:
    assert file_stem(at.session_state[STOCK_RUNS][-1]) == "NVDA_run1"  # "<stem>_predictions.csv"


def test_bad_csv_shows_its_message(open_page):
    at = open_page("pages/stock_forecast.py")
    at.radio(key="stock.source").set_value("Upload a CSV")
    at.run()
    bad = b"name,colour\nfoo,red\nbar,blue\n"
    at.file_uploader(key="stock.csv").set_value(("prices.csv", bad, "text/csv"))
    at.run()
    assert not at.exception
    assert any("prices.csv" in e and "dates" in e for e in _texts(at.error)), _texts(at.error)


def test_good_csv_is_previewed_with_its_provenance(open_page):
    days = pd.bdate_range("2020-01-01", periods=200)
    close = 100 + np.cumsum(np.random.default_rng(1).normal(0, 1, len(days)))
    csv = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": close}).to_csv(index=False).encode()
    at = open_page("pages/stock_forecast.py")
    at.radio(key="stock.source").set_value("Upload a CSV")
    at.run()
    at.file_uploader(key="stock.csv").set_value(("mine.csv", csv, "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert "csv" in [m.value for m in at.metric] and "mine.csv" in [m.value for m in at.metric]


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
    at.radio(key="stock.source").set_value("Upload a CSV").run()
    at.file_uploader(key="stock.csv").set_value(("mine.csv", frame.to_csv(index=False).encode(), "text/csv"))
    at.run()
    _away_and_back(at)
    assert at.selectbox(key="stock.preset").value == "Seed 003"
    assert at.number_input(key="stock.hidden").value == 8  # the form still holds Seed 003's values
    assert at.radio(key="stock.source").value == "Upload a CSV"
    assert any("Using **mine.csv**, uploaded earlier" in c.value for c in at.caption)
    assert "mine.csv" in [m.value for m in at.metric]


def test_the_form_gets_its_values_back_after_data_that_could_not_be_used(open_page):
    at = open_page("pages/stock_forecast.py")
    at.radio(key="stock.source").set_value("Upload a CSV").run()
    at.file_uploader(key="stock.csv").set_value(("bad.csv", b"Date,Close\n2020-01-01,1\n", "text/csv")).run()
    assert TRAIN not in [b.key for b in at.button] and any("bad.csv" in e.value for e in at.error)
    # While the form is off the page its values are not Streamlit's to keep: a browser sent 0s here.
    for key in ("stock.hidden", "stock.epochs", "stock.seq_len"):
        at.session_state[key] = 0
    at.radio(key="stock.source").set_value("Bundled history").run()
    values = [at.number_input(key=k).value for k in ("stock.hidden", "stock.epochs", "stock.seq_len")]
    assert values == [32, 40, 30] and not at.error  # the Recommended values it had before


def test_a_run_file_from_an_uploaded_csv_loads_back_with_that_csv(open_page):
    days = pd.bdate_range("2020-01-01", periods=300)
    close = 100 + np.cumsum(np.random.default_rng(3).normal(0, 1, len(days)))
    csv = pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": close}).to_csv(index=False).encode()
    at = open_page("pages/stock_forecast.py")
    at.radio(key="stock.source").set_value("Upload a CSV").run()
    at.file_uploader(key="stock.csv").set_value(("p300.csv", csv, "text/csv")).run()
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
    at.radio(key="stock.source").set_value("Upload a CSV").run()
    at.file_uploader(key="stock.csv").set_value(("old.csv", b"Date,Close\n2020-01-01,1\n", "text/csv")).run()
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
    assert "yahoo" in [m.value for m in at.metric]
    _train_and_wait(_tiny(at))
    assert _table(at, "model / naive").shape[0] == 4


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
    assert "Choose data above to set up a model." in _texts(at.info)  # nothing to train on: no form
    assert not at.metric  # no provenance of a substitute series


def _outcome_script() -> None:
    import dataclasses

    import streamlit as st

    from ui import forecast_view as view

    result = st.session_state["result"]
    history = dataclasses.replace(result.history, warning="Training went wrong: the loss rose 40x.")
    view.training_outcome(dataclasses.replace(result, history=history))
    view.verdict_line(dataclasses.replace(result, skill=0.001))


def test_a_run_that_got_worse_warns_and_a_tie_is_explained(open_page):
    at = open_page("pages/stock_forecast.py")
    _train_and_wait(_tiny(at))
    outcome = AppTest.from_function(_outcome_script)
    outcome.session_state["result"] = at.session_state[STOCK_RUNS][-1].result
    outcome.run()
    assert not outcome.exception, [e.value for e in outcome.exception]
    assert not _texts(outcome.success), _texts(outcome.success)  # no green "Trained ..." beside it
    warnings = _texts(outcome.warning)
    assert warnings[0] == "Training went wrong: the loss rose 40x." and "ties" in warnings[1], warnings
    assert any("close to a random walk" in c for c in _texts(outcome.caption)), _texts(outcome.caption)
