"""Where a table came from, carried on the table itself in ``frame.attrs["provenance"]``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import pandas as pd

SourceKind = Literal["bundled", "yahoo", "yahoo-cache", "csv"]
PROVENANCE_KEY = "provenance"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Which data a frame holds and why; JSON-serialisable through ``to_dict``."""

    source: SourceKind  # "bundled" | "yahoo" | "yahoo-cache" | "csv"
    name: str  # human name: "NVIDIA (NVDA)", "prices.csv"
    ticker: str | None = None  # Yahoo symbol, when there is one
    fetched_at: str | None = None  # ISO-8601 UTC time of the download (None for bundled / CSV)
    rows: int = 0
    start: str | None = None  # first date, ISO
    end: str | None = None  # last date, ISO
    note: str = ""  # a sentence: which data this is and why it was chosen
    period: str | None = None  # Yahoo period ("1y", "max") or None
    interval: str | None = None  # "1d", "1wk", "1mo"
    licence: str | None = None  # for bundled data
    attribution: str | None = None  # origin and author of bundled data
    url: str | None = None  # where the data originally came from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def attach_provenance(frame: pd.DataFrame, provenance: Provenance, **updates: Any) -> pd.DataFrame:
    """Store ``provenance`` (rows/start/end recomputed from ``frame``) in ``frame.attrs``; returns frame.

    Args:
        frame: a tidy price table with a DatetimeIndex.
        provenance: the record to attach.
        **updates: fields to override, e.g. ``note="..."``.
    """
    index = frame.index
    record = provenance.to_dict() | updates
    record["rows"] = len(frame)
    record["start"] = index[0].date().isoformat() if len(index) else None
    record["end"] = index[-1].date().isoformat() if len(index) else None
    frame.attrs[PROVENANCE_KEY] = record
    return frame


def provenance_of(frame: pd.DataFrame) -> Provenance | None:
    """The provenance a frame carries, or None when it carries none."""
    record = frame.attrs.get(PROVENANCE_KEY)
    return Provenance.from_dict(record) if isinstance(record, dict) else None
