"""One exception hierarchy for every data source.

Each message is a sentence a user can act on: what went wrong, then what to do. All of them
subclass ``ValueError`` so callers that only know "bad input" still catch them.
"""

from __future__ import annotations


class DataSourceError(ValueError):
    """Base class: loading data failed in a way the user can understand and fix."""


class UnknownTickerError(DataSourceError):
    """Yahoo Finance knows no prices for this symbol (or the symbol is malformed)."""


class NetworkError(DataSourceError):
    """A remote source could not be reached (DNS, connection, timeout, HTTP error)."""


class SeriesUnavailableError(NetworkError):
    """Offline, the series asked for is neither cached nor bundled (it is never replaced by another)."""


class RateLimitError(NetworkError):
    """Yahoo Finance answered "Too Many Requests"."""


class CsvImportError(DataSourceError):
    """An uploaded file cannot be used as a price table."""


class MnistFileError(DataSourceError):
    """An IDX file is truncated, corrupt or not the file it claims to be."""


class ChecksumError(MnistFileError):
    """A downloaded file's MD5 does not match the published checksum."""
