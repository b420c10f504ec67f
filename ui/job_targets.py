"""The pages' training jobs: module-level functions that a worker process runs (never streamlit).

``lstm_core.jobs.TrainingJob`` pickles its function by name and its arguments by value, and the
worker imports this module to run them: keep it free of streamlit (the fork server preloads
it, so the first job does not pay these imports) and take only core objects as arguments.
"""

from __future__ import annotations

import time

import pandas as pd

from lstm_core.classification import ClassifierResult, train_classifier
from lstm_core.config import ForecastDataConfig, ModelConfig, TrainConfig
from lstm_core.data.mnist import MnistData
from lstm_core.forecasting import ForecastResult, prepare_forecast_data, train_forecaster
from lstm_core.jobs import JobContext
from lstm_core.progress import BatchProgress, Callback, History

TRAIL = "batch_losses"  # published by LossTrail: ((step, ...), (loss, ...))
FUTURE = "future"  # published by forecast_job at the end: (steps, ForecastResult.future(steps))
FUTURE_STEPS = 20  # the Fit tab's default forecast beyond the data


class LossTrail(Callback):
    """Publishes the batch losses seen so far, so the page has a curve before the first epoch ends.

    Runs in the worker and only calls ``JobContext.publish``, at most every ``every`` seconds
    (each publish pickles the trail) and once more when training ends.
    """

    def __init__(self, ctx: JobContext, limit: int = 2000, every: float = 0.25) -> None:
        self.ctx, self.limit, self.every = ctx, limit, every
        self.steps: list[int] = []
        self.losses: list[float] = []
        self._sent = 0.0

    def on_batch_end(self, progress: BatchProgress) -> None:
        self.steps.append(progress.step)
        self.losses.append(progress.loss)
        if len(self.steps) > self.limit:  # keep every other point: bounded size, whole run visible
            self.steps, self.losses = self.steps[::2], self.losses[::2]
        if time.monotonic() - self._sent >= self.every:
            self._publish()

    def on_train_end(self, history: History) -> None:
        self._publish()

    def _publish(self) -> None:
        self._sent = time.monotonic()
        self.ctx.publish(TRAIL, (tuple(self.steps), tuple(self.losses)))


def forecast_job(ctx: JobContext, frame: pd.DataFrame, data_cfg: ForecastDataConfig, model_cfg: ModelConfig,
                 train_cfg: TrainConfig, preview_every: int, method: str = "direct") -> ForecastResult:
    """The Forecast page's run: publishes the prepared data ("data"), the batch-loss trail
    (``TRAIL``, so the loss chart has points from the first batch on) and the current fit
    ("preview": (epoch, predictions)) while it trains, and the forecast beyond the data with its
    intervals (``FUTURE``) at the end."""
    ctx.publish("data", prepare_forecast_data(frame, data_cfg))
    result = train_forecaster(frame, data_cfg, model_cfg, train_cfg, callbacks=[ctx, LossTrail(ctx)],
                              stop=ctx.stop_event, preview=lambda e, p: ctx.publish("preview", (e, p)),
                              preview_every=preview_every, method=method)  # type: ignore[arg-type]
    try:  # its intervals take seconds (forecasts from every origin): here, not in the page's server
        ctx.publish(FUTURE, (FUTURE_STEPS, result.future(FUTURE_STEPS)))
    except ValueError:  # e.g. extra feature columns: no forecast beyond the data
        pass
    return result


def mnist_job(ctx: JobContext, data: MnistData, model_cfg: ModelConfig, train_cfg: TrainConfig,
              val_fraction: float) -> ClassifierResult:
    """The MNIST page's run: publishes the batch-loss trail (``TRAIL``) while it trains."""
    return train_classifier(data, model_cfg, train_cfg, callbacks=[ctx, LossTrail(ctx)], stop=ctx.stop_event,
                            val_fraction=val_fraction)
