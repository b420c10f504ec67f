"""The generated PyTorch snippet is valid Python that trains and reports a test metric."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from lstm_core.code_snippet import code_snippet
from lstm_core.config import ModelConfig, TrainConfig
from lstm_core.memory_tasks import MEMORY_TASKS, MemoryTaskConfig

TINY_DATA = MemoryTaskConfig(length=12, n_train=64, n_val=0, n_test=32, seed=1)
TINY_TRAIN = TrainConfig(epochs=2, batch_size=16, lr=3e-3)


def _run(source: str) -> str:
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=120,
                          env={"OMP_NUM_THREADS": "1", "PATH": ""})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("task", list(MEMORY_TASKS))
def test_snippet_compiles_for_every_task_and_cell(task):
    for cell in ("RNN", "LSTM", "GRU"):
        for cfg in (ModelConfig(cell=cell, hidden_size=4, num_layers=1),
                    ModelConfig(cell=cell, hidden_size=4, num_layers=2, dropout=0.1, bidirectional=True,
                                head="all")):
            source = code_snippet(task, cfg, TINY_TRAIN, TINY_DATA)
            compile(source, "<snippet>", "exec")
            assert "import lstm_core" not in source and "from lstm_core" not in source


@pytest.mark.slow
def test_snippets_run_and_print_the_test_metric():
    source = code_snippet("temporal-order", ModelConfig(cell="LSTM", hidden_size=4, num_layers=1),
                          TINY_TRAIN, TINY_DATA)
    assert "T = 12" in source and "nn.LSTM(6, 4, num_layers=1, batch_first=True)" in source
    lines = _run(source).strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["epoch 1", "epoch 2"]
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", lines[-1]).group(1))
    assert 0.0 <= accuracy <= 1.0

    source = code_snippet("adding", ModelConfig(cell="GRU", hidden_size=4, num_layers=2, bidirectional=True),
                          TrainConfig(epochs=1, batch_size=32, optimizer="sgd", lr=0.05, grad_clip=None),
                          TINY_DATA)
    assert "torch.optim.SGD" in source and "clip_grad_norm_" not in source
    assert re.fullmatch(r"epoch 1: test MSE [0-9.]+\n", _run(source))


def test_snippet_rejects_unknown_task():
    with pytest.raises(ValueError, match="unknown task 'copy'"):
        code_snippet("copy", ModelConfig(), TINY_TRAIN, TINY_DATA)


def test_snippet_sets_the_forget_bias_and_writes_the_hand_written_rnn():
    lstm = code_snippet("adding", ModelConfig(cell="LSTM", hidden_size=4, num_layers=1, forget_bias=3.0),
                        TINY_TRAIN, TINY_DATA)
    assert "forget-gate bias 3" in lstm and "p.data[H:2 * H] = 3.0" in lstm
    default = code_snippet("adding", ModelConfig(cell="LSTM", hidden_size=4, num_layers=1, forget_bias=None),
                           TINY_TRAIN, TINY_DATA)
    assert "bias_hh" not in default
    gru = code_snippet("adding", ModelConfig(cell="GRU", hidden_size=4, num_layers=1, forget_bias=3.0),
                       TINY_TRAIN, TINY_DATA)
    assert "bias_hh" not in gru  # the forget gate is an LSTM's
    hand = code_snippet("first-symbol", ModelConfig(cell="HandRNN", hidden_size=4, num_layers=1), TINY_TRAIN,
                        TINY_DATA)
    assert "self.i2h = nn.Linear(4 + 4, 4)" in hand and "self.i2o = nn.Linear(4 + 4, 4)" in hand
    assert re.search(r"epoch 2: test accuracy [0-9.]+\n$", _run(hand))


def test_snippet_reads_pooled_heads_as_the_registry_does():
    for head, read in (("mean", "out.mean(1)"), ("max", "out.amax(1)"), ("last", "out[:, -1]")):
        source = code_snippet("first-symbol", ModelConfig(cell="GRU", hidden_size=4, num_layers=1, head=head),
                              TINY_TRAIN, TINY_DATA)
        assert f"return self.head({read})" in source
