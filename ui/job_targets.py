"""The pages' training jobs: module-level functions that a worker process runs (never streamlit).

``lstm_core.jobs.TrainingJob`` pickles its function by name and its arguments by value, and the
worker imports this module to run them: keep it free of streamlit (the fork server preloads
it, so the first job does not pay these imports) and take only core objects as arguments.
"""

from __future__ import annotations

import pandas as pd

from lstm_core.config import ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.forecasting import ForecastResult, train_forecaster
from lstm_core.job_context import TRAIL_KEY, LossTrail
from lstm_core.jobs import JobContext

TRAIL = TRAIL_KEY  # published by LossTrail: ((step, ...), (loss, ...))
FUTURE = "future"  # published by forecast_job at the end: (steps, ForecastResult.future(steps))
FUTURE_STEPS = 20  # the Fit tab's default forecast beyond the data


def forecast_job(ctx: JobContext, frame: pd.DataFrame, data_cfg: ForecastDataConfig, model_cfg: ModelConfig,
                 train_cfg: TrainConfig, preview_every: int, method: str = "direct") -> ForecastResult:
    """The Forecast page's run: publishes the prepared data ("data"), the batch-loss trail
    (``TRAIL``, so the loss chart has points from the first batch on) and the current fit
    ("preview": (epoch, predictions)) while it trains, and the forecast beyond the data with its
    intervals (``FUTURE``) at the end."""
    result = train_forecaster(frame, data_cfg, model_cfg, train_cfg, callbacks=[ctx, LossTrail(ctx)],
                              stop=ctx.stop_event, preview=lambda e, p: ctx.publish("preview", (e, p)),
                              preview_every=preview_every, method=method,  # type: ignore[arg-type]
                              on_data=lambda data: ctx.publish("data", data))
    try:  # its intervals take seconds (forecasts from every origin): here, not in the page's server
        ctx.publish(FUTURE, (FUTURE_STEPS, result.future(FUTURE_STEPS)))
    except ValueError:  # e.g. extra feature columns: no forecast beyond the data
        pass
    return result
