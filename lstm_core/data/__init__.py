"""Data sources for LSTM Studio: prices (bundled, Yahoo Finance, CSV) and MNIST. No Streamlit here."""

from __future__ import annotations

from ._frames import INTERVALS, PERIODS, default_cache_dir
from .bundled_prices import BUNDLED_SERIES, DEFAULT_BUNDLED, BundledSeries, bundled_tickers, load_bundled
from .csv_import import CLEANING_RULE, CsvImport, read_price_csv
from .errors import (
    ChecksumError,
    CsvImportError,
    DataSourceError,
    MnistFileError,
    NetworkError,
    RateLimitError,
    SeriesUnavailableError,
    UnknownTickerError,
)
from .idx import encode_idx, read_idx
from .mnist import MnistData, load_mnist, load_mnist_subset
from .mnist_download import MNIST_FILES, MNIST_MIRRORS, download_mnist, mnist_is_cached, mnist_mirrors
from .prices import PriceLoad, load_prices
from .provenance import Provenance, attach_provenance, provenance_of
from .yahoo import CachedPrices, fetch_yahoo, format_age, read_cache, write_cache

__all__ = [
    "BUNDLED_SERIES",
    "CLEANING_RULE",
    "DEFAULT_BUNDLED",
    "INTERVALS",
    "MNIST_FILES",
    "MNIST_MIRRORS",
    "PERIODS",
    "BundledSeries",
    "CachedPrices",
    "ChecksumError",
    "CsvImport",
    "CsvImportError",
    "DataSourceError",
    "MnistData",
    "MnistFileError",
    "NetworkError",
    "PriceLoad",
    "Provenance",
    "RateLimitError", "SeriesUnavailableError",
    "UnknownTickerError",
    "attach_provenance",
    "bundled_tickers",
    "default_cache_dir",
    "download_mnist",
    "encode_idx",
    "fetch_yahoo",
    "format_age",
    "load_bundled",
    "load_mnist",
    "load_mnist_subset",
    "load_prices",
    "mnist_is_cached", "mnist_mirrors",
    "provenance_of",
    "read_cache",
    "read_idx",
    "read_price_csv",
    "write_cache",
]
