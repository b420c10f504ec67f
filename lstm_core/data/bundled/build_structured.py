"""Rebuild the bundled structured series (trend, seasons, cycles) from statsmodels' and vega_datasets' data.

Run by hand, never at import: ``pip install statsmodels==0.15.0 vega_datasets==0.9.0`` (build-time
dependencies only, not in requirements.txt), then ``python -m lstm_core.data.bundled.build_structured``.
It reads the CSVs that ship inside the statsmodels wheel (statsmodels/datasets/*/) and the
vega_datasets wheel (vega_datasets/_data/seattle-temps.csv), so no network is needed. Every edit
it makes is printed and listed in ATTRIBUTION.md ("Structured series").
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def _datasets() -> Path:
    import statsmodels.datasets  # build-time only

    return Path(statsmodels.datasets.__file__).resolve().parent


def _vega_data() -> Path:
    import vega_datasets  # build-time only

    return Path(vega_datasets.__file__).resolve().parent / "_data"


def co2(src: Path) -> pd.DataFrame:
    """Weekly Mauna Loa CO2 (ppm), 1958-03-29 .. 2001-12-29; the 59 missing weeks interpolated."""
    raw = pd.read_csv(src / "co2" / "co2.csv", dtype={"date": str})
    frame = pd.DataFrame({"Date": pd.to_datetime(raw["date"], format="%Y%m%d"), "CO2": raw["co2"]})
    missing = int(frame["CO2"].isna().sum())
    frame["CO2"] = frame["CO2"].interpolate(method="linear")
    print(f"co2: {missing} missing weeks filled by linear interpolation")
    return frame


def elnino(src: Path) -> pd.DataFrame:
    """Monthly Nino 1+2 sea surface temperature (deg C), 1950-01 .. 2010-12, wide table made long."""
    raw = pd.read_csv(src / "elnino" / "elnino.csv")
    long = raw.melt(id_vars="YEAR", var_name="month", value_name="Temperature")
    months = {m: i for i, m in enumerate(raw.columns[1:], start=1)}
    long["Date"] = pd.to_datetime({"year": long["YEAR"], "month": long["month"].map(months), "day": 1})
    return long.sort_values("Date")[["Date", "Temperature"]]


def elec_equip(src: Path) -> pd.DataFrame:
    """Monthly EU new orders index of electrical equipment (2010 = 100), 1995-01 .. 2016-05."""
    raw = pd.read_csv(src / "elec_equip" / "elec_equip.csv")
    dates = pd.to_datetime(raw["DATE"], format="%b-%d-%Y")
    return pd.DataFrame({"Date": dates, "Orders": raw.iloc[:, 1]})


def sunspots(src: Path) -> pd.DataFrame:
    """Yearly mean sunspot number, 1700 .. 2008, dated 1 January of each year."""
    raw = pd.read_csv(src / "sunspots" / "sunspots.csv")
    dates = pd.to_datetime(raw["YEAR"].astype(int).astype(str) + "-01-01")
    return pd.DataFrame({"Date": dates, "Sunspots": raw["SUNACTIVITY"]})


def unemployment(src: Path) -> pd.DataFrame:
    """Quarterly US unemployment rate (%), 1959Q1 .. 2009Q3, dated on each quarter's first day."""
    raw = pd.read_csv(src / "macrodata" / "macrodata.csv")
    dates = pd.to_datetime({"year": raw["year"].astype(int), "month": 3 * raw["quarter"].astype(int) - 2,
                            "day": 1})
    return pd.DataFrame({"Date": dates, "Unemployment": raw["unemp"]})


def seattle_temp(src: Path) -> pd.DataFrame:
    """Hourly air temperature in Seattle (deg F, the source's unit), 2010-01-01 00:00 .. 2010-12-31 23:00.

    The 8,759 upstream rows are local clock times without a time zone; the one hour missing from
    a year of 8,760 (2010-03-14 03:00, the morning clocks sprang forward) is added by linear
    interpolation between its neighbours, so the result is strictly hourly. The values change
    smoothly from day to day (a climatological average, not one year's weather; see ATTRIBUTION.md).
    """
    raw = pd.read_csv(src / "seattle-temps.csv")
    dates = pd.to_datetime(raw["date"], format="%Y/%m/%d %H:%M")
    assert dates.is_unique and dates.is_monotonic_increasing
    frame = pd.DataFrame({"Temperature": raw["temp"].to_numpy()}, index=pd.DatetimeIndex(dates))
    grid = pd.date_range(dates.iloc[0], dates.iloc[-1], freq="h")
    missing = grid.difference(frame.index)
    frame = frame.reindex(grid)
    frame["Temperature"] = frame["Temperature"].interpolate(method="linear")
    for stamp in missing:
        print(f"seattle-temps: {stamp:%Y-%m-%d %H:%M} missing, filled by linear interpolation: "
              f"{frame.loc[stamp, 'Temperature']:g}")
    assert (frame.index.to_series().diff().iloc[1:] == pd.Timedelta(hours=1)).all()
    return frame.rename_axis("Date").reset_index()


# file: (builder, where its source lives, date format written)
BUILDERS = {"CO2.csv.gz": (co2, _datasets, "%Y-%m-%d"), "ELNINO.csv.gz": (elnino, _datasets, "%Y-%m-%d"),
            "ELEC-EQUIP.csv.gz": (elec_equip, _datasets, "%Y-%m-%d"),
            "SUNSPOTS.csv.gz": (sunspots, _datasets, "%Y-%m-%d"),
            "US-UNEMPLOYMENT.csv.gz": (unemployment, _datasets, "%Y-%m-%d"),
            "SEATTLE-TEMP.csv.gz": (seattle_temp, _vega_data, "%Y-%m-%d %H:%M")}


def build() -> None:
    for file, (builder, source, date_format) in BUILDERS.items():
        frame = builder(source())
        assert frame["Date"].is_monotonic_increasing and not frame.isna().any().any(), file
        text = frame.to_csv(index=False, date_format=date_format, float_format="%.7g")
        with gzip.GzipFile(HERE / file, "wb", mtime=0) as fh:  # mtime=0: reproducible bytes
            fh.write(text.encode())
        print(f"{file}: {len(frame)} rows {frame['Date'].min():{date_format}} .. "
              f"{frame['Date'].max():{date_format}}")


if __name__ == "__main__":
    build()
