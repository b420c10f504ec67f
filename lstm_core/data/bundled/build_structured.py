"""Rebuild the bundled structured series (trend, seasons, cycles) from statsmodels' data sets.

Run by hand, never at import: ``pip install statsmodels==0.15.0`` (a build-time dependency
only, not in requirements.txt), then ``python -m lstm_core.data.bundled.build_structured``.
It reads the CSVs that ship inside the statsmodels wheel (statsmodels/datasets/*/), so no
network is needed. Every edit it makes is listed in ATTRIBUTION.md ("Structured series").
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def _datasets() -> Path:
    import statsmodels.datasets  # build-time only

    return Path(statsmodels.datasets.__file__).resolve().parent


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


BUILDERS = {"CO2.csv.gz": co2, "ELNINO.csv.gz": elnino, "ELEC-EQUIP.csv.gz": elec_equip,
            "SUNSPOTS.csv.gz": sunspots, "US-UNEMPLOYMENT.csv.gz": unemployment}


def build(src: Path) -> None:
    for file, builder in BUILDERS.items():
        frame = builder(src)
        assert frame["Date"].is_monotonic_increasing and not frame.isna().any().any(), file
        text = frame.to_csv(index=False, date_format="%Y-%m-%d", float_format="%.7g")
        with gzip.GzipFile(HERE / file, "wb", mtime=0) as fh:  # mtime=0: reproducible bytes
            fh.write(text.encode())
        print(f"{file}: {len(frame)} rows {frame['Date'].min().date()} .. {frame['Date'].max().date()}")


if __name__ == "__main__":
    build(_datasets())
