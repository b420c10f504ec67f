"""The MNIST page's training job: a module-level function a worker process runs (never streamlit).

Like ``ui.job_targets``, it takes only core objects as arguments,
so the worker unpickles them without the page.
"""

from __future__ import annotations

from lstm_core.augment import DigitJitter
from lstm_core.classification import ClassifierResult, train_classifier
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.data.mnist import MnistData
from lstm_core.job_context import LossTrail
from lstm_core.jobs import JobContext


def mnist_job(ctx: JobContext, data: MnistData, model_cfg: ModelConfig, train_cfg: TrainConfig,
              val_fraction: float, label_smoothing: float = 0.0,
              augment: DigitJitter | None = None) -> ClassifierResult:
    """The MNIST page's run: publishes the batch-loss trail (``job_targets.TRAIL``) while it trains."""
    return train_classifier(data, model_cfg, train_cfg, callbacks=[ctx, LossTrail(ctx)], stop=ctx.stop_event,
                            val_fraction=val_fraction, label_smoothing=label_smoothing, augment=augment)
