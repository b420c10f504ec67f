"""CSV import: detection, cleaning report and every refusal, on files written into tmp_path."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pandas as pd
import pytest

from lstm_core.data import CsvImportError, read_price_csv
from lstm_core.data.csv_import import CLEANING_RULE, GAP_DAYS


def price_table(rows: int = 40, start: str = "2024-01-01") -> pd.DataFrame:
    dates = pd.bdate_range(start, periods=rows)
    close = 100 + np.arange(rows, dtype=float)
    return pd.DataFrame(
        {"Date": dates.strftime("%Y-%m-%d"), "Close": close, "Volume": 1000 + np.arange(rows)}
    )


def write(tmp_path, text: str | bytes, name: str = "prices.csv"):
    path = tmp_path / name
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


def test_clean_file_is_detected_and_tidy(tmp_path):
    path = write(tmp_path, price_table().to_csv(index=False))
    result = read_price_csv(path)
    assert result.date_column == "Date" and result.value_columns == ("Close", "Volume")
    assert result.candidate_date_columns == ("Date",)
    assert result.candidate_value_columns == ("Close", "Volume")
    frame = result.frame
    assert isinstance(frame.index, pd.DatetimeIndex) and frame.index.name == "Date" and len(frame) == 40
    assert (frame.dtypes == "float64").all()
    prov = frame.attrs["provenance"]
    assert prov["source"] == "csv" and prov["name"] == "prices.csv" and prov["rows"] == 40
    assert prov["start"] == "2024-01-01" and "Close, Volume" in prov["note"]
    assert result.report == ["Dates from column 'Date' (format %Y-%m-%d); values: Close, Volume."]


def test_bytes_text_and_file_like_sources(tmp_path):
    text = price_table().to_csv(index=False)
    upload = io.BytesIO(text.encode())
    upload.name = "upload.csv"  # like Streamlit's UploadedFile
    assert read_price_csv(upload).frame.attrs["provenance"]["name"] == "upload.csv"
    assert len(read_price_csv(text.encode()).frame) == 40
    assert len(read_price_csv(text).frame) == 40


def test_choice_is_overridable(tmp_path):
    table = price_table()
    table.insert(1, "Updated", pd.bdate_range("2023-01-01", periods=40).strftime("%d.%m.%Y"))
    result = read_price_csv(
        table.to_csv(index=False).encode(), date_column="Updated", value_columns=["Close"]
    )
    assert result.date_column == "Updated" and result.value_columns == ("Close",)
    assert set(result.candidate_date_columns) == {"Date", "Updated"}
    assert result.frame.index[0] == pd.Timestamp("2023-01-02")
    with pytest.raises(CsvImportError, match=r"Column\(s\) 'Date' in uploaded file are not numeric"):
        read_price_csv(table.to_csv(index=False).encode(), value_columns=["Date"])
    with pytest.raises(CsvImportError, match="has no column 'When'"):
        read_price_csv(table.to_csv(index=False).encode(), date_column="When")
    with pytest.raises(CsvImportError, match="does not hold readable dates: choose one of Date, Updated"):
        read_price_csv(table.to_csv(index=False).encode(), date_column="Close")


def test_unsorted_duplicates_nans_and_gaps_are_fixed_and_reported(tmp_path):
    table = price_table(50)
    table.loc[0, "Close"] = np.nan  # leading incomplete row: dropped
    table.loc[10, "Volume"] = np.nan  # interior: forward-filled
    table = table.drop(index=range(20, 27))  # a 9+ day hole: reported, not filled
    dup = table.iloc[[5]].assign(Close=999.0)  # same date again: the last row wins
    table = pd.concat([table.sample(frac=1, random_state=1), dup])  # shuffled; the 999 row comes last
    table.loc[len(table) + 100] = ["not a date", 1.0, 1.0]
    result = read_price_csv(write(tmp_path, table.to_csv(index=False)))
    frame = result.frame
    assert frame.index.is_monotonic_increasing and frame.index.is_unique and not frame.isna().any().any()
    assert frame.loc["2024-01-08", "Close"] == 999.0
    assert frame.loc["2024-01-15", "Volume"] == frame.loc["2024-01-12", "Volume"]
    assert frame.index[0] == pd.Timestamp("2024-01-02")
    assert result.report[1:] == [
        "Dropped 1 row(s) whose date could not be read.",
        "Rows were not in date order: sorted by date.",
        "1 repeated date(s): kept the last row for each.",
        "Dropped 1 leading row(s) before the first row with every value present.",
        "Filled 1 missing value(s) with the previous row's value.",
        f"1 gap(s) longer than {GAP_DAYS} days (first ends 2024-02-07); not filled.",
    ]
    assert "forward-filled" in CLEANING_RULE


def test_semicolons_decimal_commas_thousands_and_day_first_dates():
    rows = [f"{d:%d/%m/%Y};1.234,{i:02d};{i}" for i, d in enumerate(pd.bdate_range("2024-01-01", periods=35))]
    result = read_price_csv(("Datum;Schluss;Stk\n" + "\n".join(rows)).encode())
    assert result.date_column == "Datum" and result.frame["Schluss"].iloc[1] == pytest.approx(1234.01)
    assert result.frame.index[-1] == pd.Timestamp("2024-02-16") and "format %d/%m/%Y" in result.report[0]
    us = "Date,Close\n" + "\n".join(
        f'{d:%m/%d/%Y},"1,{i:03d}.5"' for i, d in enumerate(pd.bdate_range("2024-01-01", periods=35))
    )
    frame = read_price_csv(us.encode()).frame
    assert frame["Close"].iloc[2] == 1002.5 and frame.index[2] == pd.Timestamp("2024-01-03")


def test_microsoft_style_timestamps_parse():
    text = "Date,Close\n" + "\n".join(
        f"{d.month}/{d.day}/{d.year} 16:00:00,{i}"
        for i, d in enumerate(pd.bdate_range("2015-04-01", periods=31))
    )
    assert read_price_csv(text.encode()).frame.index[0] == pd.Timestamp("2015-04-01 16:00")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (gzip.compress(b"Date,Close\n2024-01-01,1\n"), "is not a CSV file"),
        (b"PK\x03\x04 spreadsheet bytes", "is not a CSV file"),
        (b"\x00\x01\x02binary", "is not a CSV file"),
        (b"just one column\nhello\nworld\n", "a price CSV needs a header, a date column"),
        (b"Name,Sector\nfoo,bar\nbaz,qux\n", "No column in prices.csv holds dates"),
    ],
)
def test_unusable_files_say_why(tmp_path, content, message):
    with pytest.raises(CsvImportError, match=message):
        read_price_csv(write(tmp_path, content))


def test_no_numeric_column(tmp_path):
    table = price_table().assign(Close="n/a", Volume="x")
    with pytest.raises(CsvImportError, match="No numeric column in prices.csv besides the dates"):
        read_price_csv(write(tmp_path, table.to_csv(index=False)))


def test_too_few_rows(tmp_path):
    with pytest.raises(CsvImportError, match="has 10 usable row.s. after cleaning; at least 30 are needed"):
        read_price_csv(write(tmp_path, price_table(10).to_csv(index=False)))
    assert len(read_price_csv(write(tmp_path, price_table(10).to_csv(index=False)), min_rows=5).frame) == 10


def test_too_large(tmp_path):
    path = write(tmp_path, price_table(100).to_csv(index=False))
    with pytest.raises(CsvImportError, match="over the 0 MB limit: keep only the date"):
        read_price_csv(path, max_bytes=1000)
    with pytest.raises(CsvImportError, match="over the"):
        read_price_csv(io.BytesIO(path.read_bytes()), max_bytes=1000)


def test_missing_path_and_ragged_rows(tmp_path):
    with pytest.raises(CsvImportError, match="There is no file at"):
        read_price_csv(tmp_path / "nope.csv")
    ragged = "Date,Close\n2024-01-01,1\n2024-01-02,1,2,3,4\n"
    with pytest.raises(CsvImportError, match="could not be read as CSV"):
        read_price_csv(write(tmp_path, ragged))


def test_csv_saved_from_a_yfinance_frame_reads():
    # yfinance 1.x frames have (Price, Ticker) columns, so to_csv writes three header lines
    index = pd.bdate_range("2024-01-01", periods=40, name="Date")
    frame = pd.DataFrame(
        {("Close", "AAPL"): np.arange(40.0) + 1, ("Volume", "AAPL"): np.arange(40) + 5}, index=index
    )
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["Price", "Ticker"])
    result = read_price_csv(frame.to_csv().encode())
    assert result.date_column == "Price" and result.value_columns == ("Close", "Volume")
    assert len(result.frame) == 40 and result.report[1] == "Dropped 2 row(s) whose date could not be read."


# ------------------------------------------------------------ bounds, dates, encodings, magnitudes
def dated(dates, values=None, header: str = "Date,Close") -> bytes:
    values = values if values is not None else range(1, len(dates) + 1)
    return (header + "\n" + "\n".join(f"{d},{v}" for d, v in zip(dates, values, strict=True))).encode()


def test_a_very_long_line_is_refused_before_parsing():
    import time

    start = time.perf_counter()
    with pytest.raises(CsvImportError, match="a line of 4,700,011 characters, over the 20,000 allowed"):
        read_price_csv(b"Date,Close\n" + b"1" * 4_700_000 + b",2020-01-01\n")
    assert time.perf_counter() - start < 1.0


def test_too_many_columns_are_refused_before_parsing():
    header = ",".join(f"c{i}" for i in range(1000))
    with pytest.raises(CsvImportError, match="has 1,000 columns in its header, over the 200 allowed"):
        read_price_csv((header + "\n" + ",".join("1" * 1000) + "\n").encode())


def test_ambiguous_day_month_dates_are_refused_until_the_user_chooses():
    monthly = pd.date_range("2020-01-01", periods=40, freq="MS")  # written day-first: 01/02/2020 ...
    data = dated(monthly.strftime("%d/%m/%Y"))
    with pytest.raises(CsvImportError, match=r"is ambiguous: every date reads both as %m/%d/%Y and as "
                       r"%d/%m/%Y \(e.g. '01/02/2020'\)"):
        read_price_csv(data)
    for kwargs in ({"dayfirst": True}, {"date_format": "%d/%m/%Y"}):
        result = read_price_csv(data, **kwargs)
        assert list(result.frame.index[:3]) == list(monthly[:3])
    assert read_price_csv(data, dayfirst=False).frame.index[1] == pd.Timestamp("2020-01-02")
    assert read_price_csv(data, date_format="%d/%m/%Y").report[0].startswith(
        "Dates from column 'Date' (format %d/%m/%Y (as given))")


def test_a_day_above_12_settles_the_order_without_asking():
    days = pd.bdate_range("2024-01-01", periods=40)
    assert read_price_csv(dated(days.strftime("%d/%m/%Y"))).frame.index[0] == days[0]
    assert read_price_csv(dated(days.strftime("%m/%d/%Y"))).frame.index[-1] == days[-1]


def test_mixed_date_formats_are_refused_with_the_rows_quoted():
    days = pd.bdate_range("2024-01-01", periods=40)
    text = list(days.strftime("%Y-%m-%d"))
    text[10], text[12] = f"{days[10]:%d/%m/%Y}", f"{days[12]:%m/%d/%Y}"
    with pytest.raises(CsvImportError, match=r"mixes date formats: most rows read as %Y-%m-%d, but 2 do not, "
                       r"first line 12 \('15/01/2024'\), line 14 \('01/17/2024'\)"):
        read_price_csv(dated(text))


def test_a_given_format_that_does_not_match_is_refused():
    days = pd.bdate_range("2024-01-01", periods=40).strftime("%Y-%m-%d")
    with pytest.raises(CsvImportError, match="does not match the date format %d/%m/%Y on 40 row"):
        read_price_csv(dated(days), date_format="%d/%m/%Y")
    with pytest.raises(CsvImportError, match="date_format must be a strptime format"):
        read_price_csv(dated(days), date_format="dd/mm/yyyy")


@pytest.mark.parametrize(
    ("encode", "how"),
    [
        (lambda d: int(d.timestamp()), "Unix seconds"),
        (lambda d: int(d.timestamp() * 1000), "Unix milliseconds"),
        (lambda d: (d - pd.Timestamp("1899-12-30")).days, "Excel serial days"),
        (lambda d: d.strftime("%Y%m%d"), "format %Y%m%d"),
    ],
)
def test_numeric_date_columns_are_recognised(encode, how):
    days = pd.bdate_range("2024-01-01", periods=40)
    result = read_price_csv(dated([encode(d) for d in days]))
    assert result.report[0].startswith(f"Dates from column 'Date' ({how})")
    assert list(result.frame.index) == list(days)


def test_numbers_that_are_no_dates_are_called_what_they_look_like():
    with pytest.raises(CsvImportError, match=r"holds plain numbers \(1 to 40\), not dates: they look like "
                       "neither YYYYMMDD, Unix seconds"):
        read_price_csv(dated(range(1, 41)))


def test_utf16_with_a_bom_is_decoded_and_without_one_is_named():
    days = pd.bdate_range("2024-01-01", periods=40).strftime("%Y-%m-%d")
    text = dated(days).decode()
    assert len(read_price_csv(text.encode("utf-16")).frame) == 40
    with pytest.raises(CsvImportError, match="is text in another encoding .it looks like UTF-16"):
        read_price_csv(text.encode("utf-16-le"))
    with pytest.raises(CsvImportError, match="is text in another encoding .UTF-32"):
        read_price_csv(text.encode("utf-32"))


def test_a_present_but_empty_column_is_called_empty():
    days = pd.bdate_range("2024-01-01", periods=40).strftime("%Y-%m-%d")
    data = dated([f"{d},{i}" for i, d in enumerate(days)], [""] * 40, header="Date,Close,Open")
    with pytest.raises(CsvImportError, match=r"Column\(s\) 'Open' in uploaded file are empty \(present"):
        read_price_csv(data, value_columns=["Open"])
    with pytest.raises(CsvImportError, match="'Shut' in uploaded file are not in the file"):
        read_price_csv(data, value_columns=["Shut"])
    with pytest.raises(CsvImportError, match="Column 'Date' in uploaded file is empty"):
        read_price_csv(dated([""] * 40, range(40)))


@pytest.mark.parametrize("value", ["1e308", "-3e38", "inf", "1e16"])
def test_values_that_would_overflow_are_refused_at_import(value):
    days = pd.bdate_range("2024-01-01", periods=40).strftime("%Y-%m-%d")
    values = [str(i + 1) for i in range(40)]
    values[5] = value
    beyond = r"1 value\(s\) beyond ±1e\+15 .first: .* in column 'Close', line 7"
    with pytest.raises(CsvImportError, match=beyond):
        read_price_csv(dated(days, values))
