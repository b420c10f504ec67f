"""LSTM Studio's engine: every computation the pages show, with no Streamlit in it.

Public API (details in each module):
    config        ModelConfig (hyperparameters, forget_bias), TrainConfig, ForecastDataConfig,
                  MnistDataConfig; ConfigError names its field; LIMITS shared with the forms
    models        MODEL_KINDS (RNN, LSTM, GRU, HandRNN), build_model, count_parameters, parameter_table
    cells         HandwrittenRNN (seed 004's cell)
    manual_lstm   ManualLSTM (gates and cell state; matches nn.LSTM), LSTMTrace, trace_lstm
    tasks         Task, REGRESSION, CLASSIFICATION (loss, metrics, how outputs are read)
    training      fit (padded sequences with lengths; monitor= data that never chooses); trainer holds a
                  run's state, evaluation predicts and scores, runtime seeds and picks devices
    sequence_classification  SequenceDataset, train_sequence_classifier, train_in_turn (any labelled
                  sequences; MNIST, surnames and the memory tasks use it)
    progress      Callback, History, TrainStart, BatchProgress, EvalPoint, EpochProgress, StopTraining
    jobs          TrainingJob in worker processes (worker_pool, worker_main, job_context), several runs
    cost          training_cost: seconds per epoch estimated before training, and its warning
    forecasting   prepare_forecast_data (forecast_data), train_forecaster (direct or residual),
                  forecast_future; forecast_model / forecast_inputs (the residual forecaster),
                  baselines and linear_ar, frequency, intervals, forecast_judge, forecast_paths,
                  skill_interval
    classification train_classifier, reading_beliefs, hardest_mistakes (the MNIST demo; augment)
    surnames      seed 004's task: which language is a surname from
    compare, sweep, memory_tasks, introspection, code_snippet   the Compare page
    forecast_presets, mnist_presets  named settings: recommended defaults and the seeds, exactly
    persistence   RunRecord, save_run, load_run (archive_guard, weights_only, integrity-checked)
    run_records   forecast_record, classifier_record, load_forecaster, rebuilt_differences
    metrics       regression_report, skill_score, verdicts (TIE_BAND), macro_f1, confusion_matrix
    preprocessing Scaler, make_windows, split_sizes
    safe_io       atomic writes, output paths checked before training
    data          bundled series, Yahoo Finance with cache, CSV import, MNIST, surnames (lstm_core.data)
    plots         pure Plotly figure builders (lstm_core.plots)
    cli           ``python -m lstm_core forecast|mnist|compare|surnames|list|inspect``
"""

from lstm_core.cells import HandwrittenRNN
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
from lstm_core.manual_lstm import LSTMTrace, ManualLSTM, trace_lstm
from lstm_core.metrics import confusion_matrix, per_class_accuracy, regression_report, skill_score, verdict
from lstm_core.models import MODEL_KINDS, RecurrentModel, build_model, count_parameters, parameter_table
from lstm_core.persistence import RunFileError, RunRecord, load_run, save_run
from lstm_core.preprocessing import Scaler, make_windows, split_sizes
from lstm_core.progress import Callback, EpochProgress, History, StopTraining
from lstm_core.sequence_classification import SequenceDataset, train_sequence_classifier
from lstm_core.tasks import CLASSIFICATION, REGRESSION, Task
from lstm_core.training import evaluate, fit, predict, resolve_device, seed_everything, seeded

__all__ = [
    "CLASSIFICATION", "Callback", "ClassifierResult", "EpochProgress", "ForecastData",
    "ForecastDataConfig", "ForecastResult", "HandwrittenRNN", "History", "JobSnapshot", "LSTMTrace",
    "MODEL_KINDS", "ManualLSTM", "MnistDataConfig", "ModelConfig", "REGRESSION", "RecurrentModel",
    "RunFileError", "RunRecord", "Scaler", "SequenceDataset", "StopTraining", "Task", "TrainConfig",
    "TrainingJob", "build_model", "confusion_matrix", "count_parameters", "evaluate", "fit",
    "forecast_future", "forecast_report", "load_run", "make_windows", "parameter_table",
    "per_class_accuracy", "predict", "predict_values", "prepare_forecast_data", "reading_beliefs",
    "regression_report", "resolve_device", "save_run", "seed_everything", "seeded", "skill_score",
    "split_sizes", "trace_lstm", "train_classifier", "train_forecaster", "train_sequence_classifier",
    "verdict",
]
