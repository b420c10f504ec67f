"""Property-based tests: any input gives a result or the library's own error, never another exception.

CSV import, the date reader and the run-file loader are fed arbitrary bytes, CSV-shaped text
and damaged run files (hypothesis, ~100 examples each, no deadline: the machine is shared).
"""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from lstm_core.config import ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.data import CsvImport, CsvImportError, read_price_csv
from lstm_core.data.csv_dates import read_dates
from lstm_core.data.provenance import Provenance, attach_provenance
from lstm_core.forecasting import train_forecaster
from lstm_core.persistence import RunFileError, RunRecord, load_run, save_run
from lstm_core.run_records import forecast_record

# Hypothesis keeps a cache of constants under ./.hypothesis; keep the working tree clean.
set_hypothesis_home_dir(str(Path(tempfile.gettempdir()) / "lstm-studio-hypothesis"))
SETTINGS = settings(max_examples=100, deadline=None, database=None,  # no .hypothesis folder
                    suppress_health_check=[HealthCheck.too_slow])

@pytest.fixture(autouse=True)
def _ieee_floats() -> None:
    """fit() turns on flush-to-zero in the thread that trains and leaves it on; hypothesis refuses
    to generate floats then (subnormals cannot exist), so each test starts from IEEE behaviour."""
    torch.set_flush_denormal(False)


CELLS = st.one_of(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(
        lambda d: d.strftime(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d"][d.day % 5])
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**15), 10**15).map(str),
    st.sampled_from(["", "n/a", "NaN", "inf", "-", "1,234.5", "1.234,5", "$12", "12%", "2024-13-45",
                     '"a,b"', "-1", "0001-01-01", "9999-12-31"]),
    st.text(max_size=12),
)


@st.composite
def csv_texts(draw) -> bytes:
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 5))
    header = draw(st.lists(st.sampled_from(["Date", "Close", "Open", "Volume", "time", "x", ""]),
                           min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=45))
    text = "\n".join(sep.join(r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


def _import(data: bytes) -> None:
    try:
        result = read_price_csv(data, min_rows=1)
    except CsvImportError as exc:
        assert str(exc) and "\n" not in str(exc)[:1]
        return
    assert isinstance(result, CsvImport)
    values = result.frame.to_numpy()
    assert np.isfinite(values).all() and (np.abs(values) <= 1e15).all()
    assert result.frame.index.is_monotonic_increasing and result.frame.index.is_unique


@SETTINGS
@given(st.binary(max_size=3000))
def test_any_bytes_import_or_raise_csv_import_error(data: bytes) -> None:
    _import(data)


@SETTINGS
@given(csv_texts())
def test_csv_shaped_text_imports_or_raises_csv_import_error(data: bytes) -> None:
    _import(data)


@SETTINGS
@given(st.lists(st.one_of(CELLS, st.none()), max_size=40), st.sampled_from([None, True, False]))
def test_the_date_reader_never_raises(cells, dayfirst) -> None:
    reading = read_dates(pd.Series(cells, dtype="object"), dayfirst=dayfirst)
    assert len(reading.values) == len(cells) and 0.0 <= reading.share <= 1.0
    assert reading.problem is None or isinstance(reading.problem, str)


DAYS = st.lists(st.dates(date(1990, 1, 1), date(2060, 12, 31)), min_size=2, max_size=40, unique=True)


@SETTINGS
@given(DAYS, st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%d %b %Y"]),
       st.booleans())
def test_dates_are_read_exactly_or_refused(days, fmt, hint) -> None:
    given = fmt.startswith("%d") if hint and "/" in fmt else None  # the user names the true order
    reading = read_dates(pd.Series([d.strftime(fmt) for d in days]), dayfirst=given)
    if reading.problem is None:  # day/month order known from a day above 12, or given
        assert [t.date() for t in reading.values] == days
    else:
        assert "ambiguous" in reading.problem and all(d.day <= 12 for d in days)


@SETTINGS
@given(DAYS)
def test_a_given_format_reads_exactly(days) -> None:
    reading = read_dates(pd.Series([d.strftime("%d/%m/%Y") for d in days]), date_format="%d/%m/%Y")
    assert reading.problem is None and [t.date() for t in reading.values] == days


# ------------------------------------------------------------------------------ run files
@pytest.fixture(scope="module")
def run_bytes() -> bytes:
    t = np.arange(120, dtype=np.float64)
    frame = pd.DataFrame({"Close": 100 + 10 * np.sin(t / 6)},
                         index=pd.bdate_range("2024-01-01", periods=120, name="Date"))
    frame = attach_provenance(frame, Provenance(source="csv", name="sine.csv", note="sine"))
    result = train_forecaster(frame, ForecastDataConfig(seq_len=6, scaler="minmax"),
                              ModelConfig(cell="GRU", hidden_size=3, num_layers=1),
                              TrainConfig(epochs=1, batch_size=16, device="cpu"))
    buffer = io.BytesIO()
    save_run(forecast_record(result), buffer)
    return buffer.getvalue()


def _load(data: bytes) -> None:
    try:
        record = load_run(data)
    except RunFileError as exc:
        assert str(exc).startswith(("Not a valid LSTM Studio run file", "There is no run file"))
        return
    assert isinstance(record, RunRecord)
    assert all(isinstance(v, torch.Tensor) for v in record.state_dict.values())


@SETTINGS
@given(st.binary(max_size=4000))
def test_any_bytes_load_or_raise_run_file_error(data: bytes) -> None:
    _load(data)


@SETTINGS
@given(st.data())
def test_damaged_run_files_load_or_raise_run_file_error(run_bytes: bytes, data) -> None:
    blob = bytearray(run_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        where = data.draw(st.integers(0, len(blob) - 1))
        blob[where] = data.draw(st.integers(0, 255))
    cut = data.draw(st.one_of(st.none(), st.integers(0, len(blob))))
    _load(bytes(blob[:cut]))


def test_the_intact_run_file_loads(run_bytes: bytes) -> None:
    assert load_run(run_bytes).kind == "forecast"
