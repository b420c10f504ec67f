"""Frequency detection: calendars, gaps, irregular steps, wording, future dates and calendar features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_core.data.bundled_prices import load_bundled
from lstm_core.frequency import calendar_features, detect_frequency


@pytest.mark.parametrize(
    ("index", "kind", "season", "naive"),
    [
        (pd.date_range("2024-01-01", periods=200, freq="h"), "hourly", 24, "next hour = this hour"),
        (pd.date_range("2024-01-01", periods=200, freq="D"), "daily", 7, "tomorrow = today"),
        (pd.bdate_range("2024-01-01", periods=200), "business-daily", 5, "tomorrow = today"),
        (pd.date_range("2020-01-04", periods=200, freq="W-SAT"), "weekly", 52, "next week = this week"),
        (pd.date_range("2000-01-01", periods=200, freq="MS"), "monthly", 12, "next month = this month"),
        (pd.date_range("2000-01-31", periods=200, freq="ME"), "monthly", 12, "next month = this month"),
        (pd.date_range("1960-01-01", periods=200, freq="QS"), "quarterly", 4, "next quarter = this quarter"),
        (pd.date_range("1700-01-01", periods=200, freq="YS"), "yearly", None, "next year = this year"),
        (pd.date_range("2024-01-01", periods=200, freq="30min"), "regular", 48, "next value = last value"),
    ],
)
def test_regular_calendars_are_named_with_their_season_and_wording(index, kind, season, naive):
    freq = detect_frequency(index)
    assert (freq.kind, freq.season, freq.naive_wording, freq.gaps) == (kind, season, naive, 0)
    assert freq.regular_share == 1.0
    # the future continues the same calendar
    future = freq.future_dates(index[-1], 3)
    assert len(future) == 3 and future[0] > index[-1]
    expected = pd.date_range(index[-5], periods=8, freq=index.freq)
    assert pd.DatetimeIndex([*index[-5:], *future]).equals(expected)


def test_wording_follows_the_unit():
    hourly = detect_frequency(pd.date_range("2024-01-01", periods=50, freq="h"))
    assert hourly.seasonal_wording == "same hour yesterday"
    assert hourly.unit == "hour" and hourly.naive_wording == "next hour = this hour"
    monthly = detect_frequency(pd.date_range("2000-01-01", periods=50, freq="MS"))
    assert monthly.seasonal_wording == "same month last year" and monthly.unit == "month"
    assert detect_frequency(pd.date_range("2024-01-01", periods=50, freq="30min")).description == (
        "Data every 30 minutes.")


def test_bundled_stock_history_is_business_daily_with_holidays_counted_as_gaps():
    freq = detect_frequency(load_bundled("^GSPC").index)
    assert freq.kind == "business-daily" and freq.season == 5
    assert freq.gaps == 46  # the weekday market holidays removed from the upstream file
    assert "46 gaps" in freq.description
    # a Friday is followed by a Monday
    assert list(freq.future_dates(pd.Timestamp("2024-05-03"), 2)) == [pd.Timestamp("2024-05-06"),
                                                                      pd.Timestamp("2024-05-07")]


def test_a_few_missing_days_keep_a_series_daily():
    index = pd.date_range("2024-01-01", periods=300, freq="D").delete([10, 50, 51, 200])
    freq = detect_frequency(index)
    assert freq.kind == "daily" and freq.gaps == 3 and "3 gaps" in freq.description


def test_irregular_timestamps_are_reported_not_treated_as_daily():
    steps = np.random.default_rng(0).integers(1, 10, 120)
    index = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.cumsum(steps), unit="D")
    freq = detect_frequency(pd.DatetimeIndex(index))
    assert freq.kind == "irregular" and freq.season is None and freq.pandas_freq is None
    assert freq.description.startswith("Irregular data: only ")
    assert freq.naive_wording == "next value = last value"
    future = freq.future_dates(index[-1], 2)
    assert list(future - index[-1]) == [freq.step, 2 * freq.step]


def test_bad_indexes_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="DatetimeIndex"):
        detect_frequency(pd.RangeIndex(10))
    with pytest.raises(ValueError, match="at least 3 dated rows"):
        detect_frequency(pd.date_range("2024-01-01", periods=2))
    with pytest.raises(ValueError, match="strictly increasing"):
        detect_frequency(pd.DatetimeIndex(["2024-01-02", "2024-01-01", "2024-01-03"]))
    with pytest.raises(ValueError, match="steps must be >= 1"):
        detect_frequency(pd.date_range("2024-01-01", periods=5)).future_dates(pd.Timestamp("2024-01-05"), 0)


def test_calendar_features_are_the_cycles_the_calendar_allows():
    hourly = pd.date_range("2024-01-01", periods=48, freq="h")
    feats = calendar_features(hourly, detect_frequency(hourly))
    assert feats.shape == (48, 4) and feats.dtype == np.float32  # hour of day, day of week
    np.testing.assert_allclose(feats[0, :2], feats[24, :2], atol=1e-6)  # the same hour a day later
    assert not np.allclose(feats[0, 2:], feats[24, 2:])  # on another weekday
    np.testing.assert_allclose(feats[6, :2], [1.0, 0.0], atol=1e-6)  # 06:00 is a quarter turn
    monthly = pd.date_range("2000-01-01", periods=24, freq="MS")
    mf = calendar_features(monthly, detect_frequency(monthly))
    assert mf.shape == (24, 2)
    np.testing.assert_allclose(mf[:12], mf[12:], atol=1e-6)  # the same month a year later
    yearly = pd.date_range("1700-01-01", periods=10, freq="YS")
    assert calendar_features(yearly, detect_frequency(yearly)).shape == (10, 0)


@pytest.mark.parametrize(
    ("name", "kind", "rows"),
    [("CO2", "weekly", 2284), ("ELNINO", "monthly", 732), ("ELEC-EQUIP", "monthly", 257),
     ("SUNSPOTS", "yearly", 309), ("US-UNEMPLOYMENT", "quarterly", 203)],
)
def test_bundled_structured_series_load_with_provenance_at_their_own_frequency(name, kind, rows):
    from lstm_core.data.bundled_prices import STRUCTURED_SERIES, structured_names

    assert name in structured_names()
    frame = load_bundled(name.lower())
    series = STRUCTURED_SERIES[name]
    assert list(frame.columns) == [series.column] and len(frame) == rows
    assert np.isfinite(frame.to_numpy()).all() and frame.index.is_monotonic_increasing
    prov = frame.attrs["provenance"]
    assert prov["source"] == "bundled" and prov["ticker"] == name
    assert "public domain" in prov["licence"].lower()
    freq = detect_frequency(frame.index)
    assert freq.kind == kind and freq.gaps == 0
    with pytest.raises(ValueError, match="its own frequency"):
        load_bundled(name, interval="1wk")
