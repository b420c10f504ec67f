"""LSTM Studio's engine: every computation the pages show, with no Streamlit in it.

Public API (details in each module):
    config        ModelConfig, TrainConfig, ForecastDataConfig, MnistDataConfig
    models        RecurrentModel, RecurrentRegressor, RecurrentClassifier, build_model, parameter_table
    cells         HandwrittenRNN (seed 004), ManualLSTM (gates and cell state; matches nn.LSTM), trace_lstm
    training      fit (with monitor= data that never chooses), evaluate, predict, seed_everything, seeded
    progress      Callback, History, TrainStart, BatchProgress, EvalPoint, EpochProgress, StopTraining
    forecasting   prepare_forecast_data, train_forecaster, forecast_future, forecast_report
    classification train_classifier, reading_beliefs, hardest_mistakes (the MNIST demo)
    presets, mnist_presets  named settings: recommended defaults and the seeds, exactly
    persistence   RunRecord, save_run, load_run (weights_only, integrity-checked), RunFileError
    run_records   forecast_record, classifier_record, load_forecaster, rebuilt_differences
    metrics       regression_report, skill_score, verdict, confusion_matrix, per_class_accuracy
    preprocessing Scaler, make_windows, split_sizes
    jobs          TrainingJob (background training that a page polls)
    data          bundled prices, Yahoo Finance with cache, CSV import, MNIST (lstm_core.data)
    plots         pure Plotly figure builders (lstm_core.plots)
    cli           ``python -m lstm_core forecast|mnist|list|inspect``
"""

from lstm_core.cells import HandwrittenRNN, HandwrittenRNNClassifier, LSTMTrace, ManualLSTM, trace_lstm
from lstm_core.classification import ClassifierResult, reading_beliefs, train_classifier
from lstm_core.config import ForecastDataConfig, MnistDataConfig, ModelConfig, TrainConfig
from lstm_core.forecasting import (
    ForecastData,
    ForecastResult,
    forecast_future,
    forecast_report,
    predict_values,
    prepare_forecast_data,
    train_forecaster,
)
from lstm_core.jobs import JobSnapshot, TrainingJob
from lstm_core.metrics import confusion_matrix, per_class_accuracy, regression_report, skill_score, verdict
from lstm_core.models import (
    RecurrentClassifier,
    RecurrentModel,
    RecurrentRegressor,
    build_model,
    parameter_table,
)
from lstm_core.persistence import RunFileError, RunRecord, load_run, save_run
from lstm_core.preprocessing import Scaler, make_windows, split_sizes
from lstm_core.progress import Callback, EpochProgress, History, StopTraining
from lstm_core.training import evaluate, fit, predict, resolve_device, seed_everything, seeded

__all__ = [
    "ClassifierResult", "HandwrittenRNN", "HandwrittenRNNClassifier", "LSTMTrace", "ManualLSTM",
    "RunFileError", "RunRecord", "load_run", "reading_beliefs", "save_run", "trace_lstm", "train_classifier",
    "Callback", "EpochProgress", "ForecastData", "ForecastDataConfig", "ForecastResult", "History",
    "JobSnapshot", "MnistDataConfig", "ModelConfig", "RecurrentClassifier", "RecurrentModel",
    "RecurrentRegressor", "Scaler", "StopTraining", "TrainConfig", "TrainingJob", "build_model",
    "confusion_matrix", "evaluate", "fit", "forecast_future", "forecast_report", "make_windows",
    "parameter_table", "per_class_accuracy", "predict", "predict_values", "prepare_forecast_data",
    "regression_report", "resolve_device", "seed_everything", "seeded", "skill_score", "split_sizes",
    "train_forecaster", "verdict",
]
