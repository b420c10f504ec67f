"""Seed 004's task: which language is this surname? Data -> any recurrent model -> judged results.

    bundled surnames (lstm_core.data.surnames), split by distinct name, stratified, seeded
      -> SequenceDataset: one-hot characters (N, T, 55) zero-padded, lengths (N,), labels (N,)
      -> train_sequence_classifier: RNN, LSTM, GRU or the hand-written RNN ("HandRNN"), batched;
         fit() trims every batch to its longest name, so batch_size=1 steps through exactly
         one name's characters, as the seed does
      -> test accuracy beside the majority-class baseline, macro-F1, balanced accuracy

``SEED_004`` reproduces the seed: the hand-written RNN (i2h / i2o on [x_t, h_{t-1}]), 128
hidden units, one name per step, plain SGD with learning rate 0.005 and the negative
log-likelihood of the log-softmax (what cross-entropy on the logits computes), no clipping.
``MODELS`` and ``TRAIN`` are the batched settings tuned with ``bench/bench_surnames.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.data.surnames import (
    BUNDLED_FILE,
    SurnamePart,
    SurnameSplit,
    encode_name,
    encode_names,
    imbalance,
    load_surnames,
    split_surnames,
)
from lstm_core.persistence import RunRecord, make_record
from lstm_core.sequence_classification import (
    SequenceClassifierResult,
    SequenceDataset,
    train_sequence_classifier,
)

# Batched defaults: same budget for every kind (see bench/bench_surnames.py for the timings).
TRAIN = TrainConfig(epochs=12, batch_size=64, lr=5e-3, optimizer="adam", grad_clip=1.0, seed=0, device="cpu")
MODELS: dict[str, ModelConfig] = {
    "RNN": ModelConfig(cell="RNN", hidden_size=64, num_layers=1),
    "LSTM": ModelConfig(cell="LSTM", hidden_size=64, num_layers=1),
    "GRU": ModelConfig(cell="GRU", hidden_size=64, num_layers=1),
    "HandRNN": ModelConfig(cell="HandRNN", hidden_size=64, num_layers=1),
}
# The seed's own settings: one name per optimiser step, SGD at 0.005, 128 hidden units, no clipping.
SEED_004 = (
    ModelConfig(cell="HandRNN", hidden_size=128, num_layers=1),
    TrainConfig(
        epochs=1, batch_size=1, lr=0.005, optimizer="sgd", grad_clip=None, seed=0, device="cpu", log_every=500
    ),
)
VAL_FRACTION, TEST_FRACTION = 0.1, 0.2


def part_tensors(part: SurnamePart, seq_len: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x (N, seq_len, 55) float32, y (N,) int64, lengths (N,) int64) for one part of a split."""
    x, lengths = encode_names(part.names, seq_len=seq_len)
    return x, torch.from_numpy(part.labels.copy()), lengths


def surname_dataset(split: SurnameSplit) -> SequenceDataset:
    """The split as padded one-hot sequences; every part is padded to the longest name of all."""
    parts = (split.train, split.val, split.test)
    seq_len = max(len(name) for part in parts for name in part.names)
    val = part_tensors(split.val, seq_len) if split.val.names else None
    return SequenceDataset(
        part_tensors(split.train, seq_len),
        val,
        part_tensors(split.test, seq_len),
        split.languages,
        name="surnames",
    )


def load_split(
    seed: int = 0, val_fraction: float = VAL_FRACTION, test_fraction: float = TEST_FRACTION
) -> SurnameSplit:
    """The bundled surnames, deduplicated and split (seeded, stratified, by distinct name)."""
    return split_surnames(load_surnames(BUNDLED_FILE), val_fraction, test_fraction, seed)


def train_surnames(
    model_cfg: ModelConfig,
    train_cfg: TrainConfig = TRAIN,
    split: SurnameSplit | None = None,
    callbacks: Sequence[object] = (),
    stop: threading.Event | None = None,
) -> SequenceClassifierResult:
    """Train a model on the surnames (``split`` defaults to ``load_split()``); judge it on the test names."""
    split = load_split() if split is None else split
    return train_sequence_classifier(surname_dataset(split), model_cfg, train_cfg, callbacks, stop)


def names_per_second(result: SequenceClassifierResult) -> float:
    """Training names per second of the run (each epoch's validation and test scoring included)."""
    history = result.history
    if not history.epochs:
        return 0.0
    n_train, batch = len(result.dataset.train[1]), result.train_cfg.batch_size
    steps_per_epoch = -(-n_train // batch)
    last = history.epochs[-1].step  # optimiser steps taken in all
    seen = (last // steps_per_epoch) * n_train + min((last % steps_per_epoch) * batch, n_train)
    return seen / max(history.elapsed, 1e-9)


def majority_macro_f1(n_classes: int, share: float) -> float:
    """Macro-F1 of always answering one class that makes up ``share`` of the test names.

    That class has precision ``share`` and recall 1, so F1 ``2 share / (1 + share)``; every
    other class scores 0, and the macro average divides by ``n_classes``.
    """
    return 2 * share / (1 + share) / n_classes


def scores(result: SequenceClassifierResult) -> dict[str, float]:
    """Test accuracy, macro-F1, balanced accuracy and the majority baseline's accuracy and macro-F1."""
    out = {
        key: float(getattr(result, key))
        for key in ("accuracy", "macro_f1", "balanced_accuracy", "majority_accuracy")
    }
    out["majority_macro_f1"] = majority_macro_f1(len(result.dataset.classes), out["majority_accuracy"])
    return out


@torch.no_grad()
def name_probabilities(model: nn.Module, text: str) -> tuple[str, np.ndarray]:
    """Belief over the languages after each character of a typed name.

    Returns:
        ``(name, probs)``: the name as read (``clean_name``) and (len(name), classes) softmax
        rows; row t is the model's answer having read the first t + 1 characters.

    Raises:
        SurnameInputError: input that cannot be read (empty, too long, unknown characters).
    """
    encoded = encode_name(text)
    steps = len(encoded.name)
    # Row t holds the whole name with length t + 1: the model reads only the first t + 1 characters.
    x = encoded.x.expand(steps, -1, -1).contiguous()
    lengths = torch.arange(1, steps + 1, dtype=torch.int64)
    model.eval()
    device = next(model.parameters()).device
    logits = model(x.to(device), lengths.to(device))
    return encoded.name, torch.softmax(logits, dim=1).cpu().numpy()


def top_languages(
    model: nn.Module, languages: Sequence[str], text: str, k: int = 3
) -> tuple[str, list[tuple[str, float]]]:
    """The ``k`` likeliest languages for a typed name: ``(name as read, [(language, probability), ...])``."""
    name, probs = name_probabilities(model, text)
    final = probs[-1]
    order = np.argsort(-final, kind="stable")[:k]
    return name, [(languages[i], float(final[i])) for i in order]


def class_summary(split: SurnameSplit) -> dict[str, Any]:
    """Names per language (all parts) and the imbalance, for a page or a summary file."""
    labels = np.concatenate([split.train.labels, split.val.labels, split.test.labels])
    counts = dict(
        zip(split.languages, np.bincount(labels, minlength=len(split.languages)).tolist(), strict=True)
    )
    summary = imbalance(counts)
    return {
        "counts": counts,
        "largest": summary.largest,
        "smallest": summary.smallest,
        "ratio": summary.ratio,
        "majority_share": summary.majority_share,
        "train": len(split.train.names),
        "val": len(split.val.names),
        "test": len(split.test.names),
    }


def surname_record(result: SequenceClassifierResult, split_seed: int = 0) -> RunRecord:
    """A run record (kind "sequence-classifier") that ``load_surname_model`` reads back."""
    provenance = {
        "task": "surnames",
        "languages": list(result.dataset.classes),
        "split_seed": split_seed,
        "val_fraction": VAL_FRACTION,
        "test_fraction": TEST_FRACTION,
        "data": "lstm_core/data/bundled/surnames.csv.gz",
    }
    return make_record(
        "sequence-classifier",
        result.model,
        result.model_cfg,
        result.train_cfg,
        result.history,
        metrics=scores(result),
        provenance=provenance,
    )


@dataclass(frozen=True)
class SurnameModel:
    """A trained surname classifier read back from a run file."""

    model: nn.Module
    languages: tuple[str, ...]
    record: RunRecord


def load_surname_model(record: RunRecord) -> SurnameModel:
    """The model and its languages from a surnames run record.

    Raises:
        ValueError: the record is not a surnames run.
    """
    languages = record.provenance.get("languages") if isinstance(record.provenance, dict) else None
    if (
        record.kind != "sequence-classifier"
        or record.provenance.get("task") != "surnames"
        or not (isinstance(languages, list) and all(isinstance(x, str) for x in languages))
    ):
        raise ValueError(
            f"this run file holds a {record.kind} run, not a surname classifier; "
            "train one with: python -m lstm_core surnames --out run.pt"
        )
    model = record.build_model()
    if getattr(model, "output_size", len(languages)) != len(languages):
        raise ValueError(
            f"the run file's model has {model.output_size} outputs for {len(languages)} languages"
        )
    return SurnameModel(model, tuple(languages), record)
