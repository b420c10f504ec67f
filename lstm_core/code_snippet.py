"""A short, self-contained PyTorch script that builds and trains the chosen model on a memory task.

The Compare page shows it under "Show the code" so that a learner can take the experiment away:
plain torch, no lstm_core, one file. It draws its own data with torch's generator, so its
sequences follow the same definition as the app's but are not the same draws.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from lstm_core.memory_tasks import MemoryTaskConfig, marked_windows, memory_task

if TYPE_CHECKING:
    from lstm_core.config import ModelConfig, TrainConfig

_DATA = {
    "temporal-order": '''def make_data(n, g):
    """Temporal order: distractors a b c d (0-3), X (4) early and Y (5) late; class = their order."""
    y = torch.randperm(n, generator=g) % 4  # balanced classes XX XY YX YY
    s = torch.randint(0, 4, (n, T), generator=g)
    t1 = torch.randint({e_lo}, {e_hi} + 1, (n,), generator=g)
    t2 = torch.randint({l_lo}, {l_hi} + 1, (n,), generator=g)
    rows = torch.arange(n)
    s[rows, t1] = 4 + y // 2
    s[rows, t2] = 4 + y % 2
    return nn.functional.one_hot(s, 6).float(), y
''',
    "adding": '''def make_data(n, g):
    """Adding problem: pairs (value, marker); target 0.5 + (sum of the two marked values) / 4."""
    v = torch.rand(n, T, generator=g) * 2 - 1
    t1 = torch.randint(0, T // 2, (n,), generator=g)  # one mark in each half
    t2 = torch.randint(T // 2, T, (n,), generator=g)
    rows = torch.arange(n)
    m = torch.zeros(n, T)
    m[rows, t1] = 1.0
    m[rows, t2] = 1.0
    y = 0.5 + (v[rows, t1] + v[rows, t2]) / 4
    return torch.stack([v, m], dim=2), y[:, None]
''',
    "first-symbol": '''def make_data(n, g):
    """Remember the first symbol: T random symbols a b c d; the class is the first one."""
    s = torch.randint(0, 4, (n, T), generator=g)
    return nn.functional.one_hot(s, 4).float(), s[:, 0].clone()
''',
}

_HAND_RNN = '''class Model(nn.Module):
    """Seed 004's cell: h_t = i2h([x_t, h_{{t-1}}]), unsquashed as in the seed; logits i2o(same)."""

    def __init__(self):
        super().__init__()
        self.hidden_size = {hidden}
        self.i2h = nn.Linear({inputs} + {hidden}, {hidden})
        self.i2o = nn.Linear({inputs} + {hidden}, {outputs})

    def forward(self, x):
        # x: (batch, seq_len, input_size); one step at a time, the answer read at the last step
        h = x.new_zeros(x.shape[0], self.hidden_size)
        for t in range(x.shape[1]):
            combined = torch.cat([x[:, t], h], dim=1)
            logits, h = self.i2o(combined), self.i2h(combined)
        return logits
'''

_FORGET_BIAS = '''\
        # Forget-gate bias {fb:g}: gates start open (sigmoid({fb:g}) = {open:.2f}), so memory and
        # gradients survive many steps from the first update (torch's default starts them half shut).
        H = {hidden}
        for name, p in self.rnn.named_parameters():
            if name.startswith("bias_hh"):
                p.data[H:2 * H] = {fb!r}  # torch orders the gates i, f, g, o
            elif name.startswith("bias_ih"):
                p.data[H:2 * H] = 0.0
'''


def _model_code(cfg: ModelConfig, input_size: int, output_size: int, seq_len: int) -> str:
    if cfg.cell == "HandRNN":
        return _HAND_RNN.format(hidden=cfg.hidden_size, inputs=input_size, outputs=output_size)
    directions = 2 if cfg.bidirectional else 1
    features = cfg.hidden_size * directions * (seq_len if cfg.head == "all" else 1)
    extra = f", dropout={cfg.dropout!r}" if cfg.dropout else ""
    extra += ", bidirectional=True" if cfg.bidirectional else ""
    rnn = (f"nn.{cfg.cell}({input_size}, {cfg.hidden_size}, num_layers={cfg.num_layers}, "
           f"batch_first=True{extra})")
    lines = ["class Model(nn.Module):", "    def __init__(self):", "        super().__init__()",
             f"        self.rnn = {rnn}", f"        self.head = nn.Linear({features}, {output_size})"]
    body = "\n".join(lines) + "\n"
    fb = getattr(cfg, "forget_bias", None)
    if cfg.cell == "LSTM" and fb is not None:
        body += _FORGET_BIAS.format(fb=float(fb), open=1 / (1 + math.exp(-float(fb))), hidden=cfg.hidden_size)
    read = {"all": "out.flatten(1)", "mean": "out.mean(1)", "max": "out.amax(1)"}.get(cfg.head, "out[:, -1]")
    body += ("\n    def forward(self, x):\n        # x: (batch, seq_len, input_size)\n"
             f"        out, _ = self.rnn(x)\n        return self.head({read})\n")
    return body


def code_snippet(
    task: str, model_cfg: ModelConfig, train_cfg: TrainConfig, data_cfg: MemoryTaskConfig
) -> str:
    """A runnable Python script (as text) that trains ``model_cfg`` on ``task`` with ``train_cfg``.

    Args:
        task: a memory task name (``lstm_core.memory_tasks.MEMORY_TASKS``).
        model_cfg: the model's hyperparameters (cell, hidden_size, num_layers, ... forget_bias).
        train_cfg: epochs, batch_size, lr, optimizer, weight_decay, grad_clip, seed.
        data_cfg: sequence length and how many training and test sequences.

    Raises:
        ValueError: for an unknown task.
    """
    spec = memory_task(task)
    length = data_cfg.length
    (e_lo, e_hi), (l_lo, l_hi) = marked_windows(length)
    data = _DATA[task].format(e_lo=e_lo, e_hi=e_hi, l_lo=l_lo, l_hi=l_hi)
    classify = spec.kind == "classification"
    opt = "Adam" if train_cfg.optimizer == "adam" else "SGD"
    wd = f", weight_decay={train_cfg.weight_decay!r}" if train_cfg.weight_decay else ""
    clip = (f"        nn.utils.clip_grad_norm_(model.parameters(), {train_cfg.grad_clip!r})\n"
            if train_cfg.grad_clip is not None else "")
    score = "(out.argmax(1) == y_test).float().mean().item()" if classify else "loss_fn(out, y_test).item()"
    metric = "accuracy" if classify else "MSE"
    note = ("chance is 0.25 (four balanced classes)" if classify
            else "always predicting the mean scores about 0.042")
    return f'''"""{spec.title}, T = {length}: {_label(model_cfg)} in plain PyTorch (LSTM Studio)."""
import torch
from torch import nn

torch.manual_seed({train_cfg.seed})
T = {length}  # sequence length: how far back the model must remember


{data}

{_model_code(model_cfg, spec.input_size, spec.output_size, length)}

g = torch.Generator().manual_seed({data_cfg.seed})
x_train, y_train = make_data({data_cfg.n_train}, g)
x_test, y_test = make_data({data_cfg.n_test}, g)
model = Model()
opt = torch.optim.{opt}(model.parameters(), lr={train_cfg.lr!r}{wd})
loss_fn = nn.{"CrossEntropyLoss" if classify else "MSELoss"}()
for epoch in range(1, {train_cfg.epochs} + 1):
    model.train()
    perm = torch.randperm(len(x_train))
    for i in range(0, len(x_train), {train_cfg.batch_size}):
        batch = perm[i:i + {train_cfg.batch_size}]
        opt.zero_grad()
        loss = loss_fn(model(x_train[batch]), y_train[batch])
        loss.backward()
{clip}        opt.step()
    model.eval()  # test {metric}: {note}
    with torch.no_grad():
        out = model(x_test)
        print(f"epoch {{epoch}}: test {metric} {{{score}:.4f}}")
'''


def _label(cfg: ModelConfig) -> str:
    name = ("a bidirectional " if cfg.bidirectional else "an " if cfg.cell == "LSTM" else "a ") + cfg.cell
    fb = getattr(cfg, "forget_bias", None)
    bias = f", forget-gate bias {fb:g}" if cfg.cell == "LSTM" and fb is not None else ""
    return f"{name} ({cfg.hidden_size} units x {cfg.num_layers} layer{'s' * (cfg.num_layers > 1)}{bias})"
