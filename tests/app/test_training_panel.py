"""The shared training panel: outcome words and colours, and Pause / Step / Resume / Stop on a real job."""

from __future__ import annotations

import time

import torch
from streamlit.testing.v1 import AppTest
from torch import nn

from lstm_core.config import TrainConfig
from lstm_core.jobs import JobContext
from lstm_core.progress import BatchProgress, Callback, History
from lstm_core.training import fit
from ui.training_panel import DIVERGED, Outcome, ended


class _Slow(Callback):
    def on_batch_end(self, progress: BatchProgress) -> None:
        time.sleep(0.01)


def slow_job(ctx: JobContext, epochs: int) -> History:
    x = torch.linspace(-1, 1, 64 * 4).reshape(64, 4, 1)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 1))
    cfg = TrainConfig(epochs=epochs, batch_size=8, lr=1e-2, log_every=1, device="cpu")
    return fit(model, (x, x[:, -1]), (x[:8], x[:8, -1]), cfg, callbacks=[ctx, _Slow()], stop=ctx.stop_event)


def _page() -> None:
    import streamlit as st

    from tests.app.test_training_panel import slow_job
    from ui import training_panel as panel
    from ui.jobs import start_job

    if st.button("Train", key="t.train"):
        start_job("stock.job", slow_job, 200)
    panel.controls("stock.job", detail=lambda s: f"{len(s.epochs)} epochs")
    panel.outcome("stock.job", lambda h: panel.ended(h))


def test_a_diverged_run_reads_the_same_whatever_the_verdict():
    h = History(stop_reason="diverged", message="Training diverged: the loss became NaN.")
    plain, judged = ended(h), ended(h, verdict=Outcome("success", "Beats the naive forecast"))
    assert plain == judged and plain.level == "error" and plain.text.startswith(f"{DIVERGED}: ")


def test_a_diverged_run_says_diverged_once_with_the_trainers_reason():
    """The trainer's own message (what the command line prints) starts "Training diverged: "; the
    outcome line already leads with "Diverged", so it must not read "Diverged: Training diverged: ..."."""
    import math

    from lstm_core.training import fit

    x = torch.linspace(-1, 1, 32 * 4).reshape(32, 4, 1)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 1))
    with torch.no_grad():
        model[1].weight.fill_(math.nan)
    cfg = TrainConfig(epochs=2, batch_size=8, lr=1e-2, device="cpu")
    history = fit(model, (x, x[:, -1]), None, cfg)
    assert history.stop_reason == "diverged" and history.message.startswith("Training diverged: ")
    out = ended(history)
    assert out.text.startswith(f"{DIVERGED}: the loss became NaN or infinite ")
    assert out.text.lower().count("diverged") == 1, out.text
    silent = ended(History(stop_reason="diverged", message=""))
    assert silent.text == f"{DIVERGED}: the loss became NaN or infinite."


def test_a_verdict_leads_the_outcome_line_with_how_training_ended_beneath():
    h = History(stop_reason="completed", message="")
    out = ended(h, verdict=Outcome("warning", "Ten times worse than the naive forecast"))
    assert out.level == "warning" and out.text.startswith("Ten times worse")
    assert out.details[0].startswith("Trained 0 epochs")


def test_a_run_that_did_not_train_says_why_not_zero_epochs():
    h = History(message="not trained: validation part too short")  # the residual forecaster's fallback
    out = ended(h, verdict=Outcome("info", "Same forecast as the best baseline"))
    assert out.details[0] == "Not trained: validation part too short."


def test_pause_step_resume_and_stop_from_the_panel(wait_until):
    at = AppTest.from_function(_page, default_timeout=30)
    at.run()
    assert at.button(key="stock.job.pause").disabled
    at.button(key="t.train").click()
    at.run()
    wait_until(at.session_state["stock.job"], lambda s: len(s.epochs) >= 1)
    at.run()
    at.button(key="stock.job.pause").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    job = at.session_state["stock.job"]
    assert job.snapshot().paused and at.button(key="stock.job.resume")
    assert "Paused after epoch" in at.get("progress")[0].proto.text
    held = len(job.snapshot().epochs)
    at.button(key="stock.job.step").click()
    at.run()
    wait_until(at.session_state["stock.job"], lambda s: not s.stepping)
    time.sleep(0.3)
    assert len(job.snapshot().epochs) in (held + 1, held + 2)  # one epoch, started from a held step
    at.run()
    at.button(key="stock.job.resume").click()
    at.run()
    assert not job.snapshot().paused
    at.button(key="stock.job.stop").click()
    at.run()
    assert job.join(30)
    at.run()
    result = job.snapshot().result
    assert result.stop_reason == "stopped" and result.restored_best
    assert any("Kept the best weights" in i.value for i in at.info)


def test_the_status_line_of_a_job_of_several_runs():
    """Paused before any run, held between two runs, and ended: the whole job, not its last run."""
    from dataclasses import replace

    from lstm_core.jobs import RunSnapshot
    from lstm_core.progress import TrainStart
    from ui.training_panel import _IDLE, status_text

    start = TrainStart(TrainConfig(epochs=3), "classification", "cpu", 100, 10, 2, 6)
    first = RunSnapshot("RNN", start=start, history=History(stop_reason="completed", elapsed=1.25))
    second = RunSnapshot("LSTM", start=start, history=History(stop_reason="stopped", elapsed=2.0))
    held = replace(_IDLE, status="running", paused=True)
    assert status_text(held).startswith("Paused before training began")
    between = replace(held, start=start, history=first.history, run_ids=("RNN",), runs={"RNN": first})
    assert status_text(between) == "Trained 0 epochs in 1.2 s · paused · Step or Resume goes on"
    done = replace(_IDLE, status="done", start=start, history=second.history, run_ids=("RNN", "LSTM"),
                   runs={"RNN": first, "LSTM": second})
    assert status_text(done) == "2 runs · trained 3.2 s · stopped"
    untrained = replace(_IDLE, status="done", started_at=10.0, finished_at=10.1)  # too little data to train
    assert status_text(untrained) == "Finished without training the network in 0.1 s (the notes say why)"


def test_a_job_of_several_runs_ends_in_the_words_of_its_most_serious_run():
    """A first model that diverged, or one that was stopped, is not hidden by a last one that completed."""
    from dataclasses import replace

    from lstm_core.jobs import RunSnapshot
    from lstm_core.progress import TrainStart
    from ui.training_panel import _IDLE, END_WORDS, status_text

    start = TrainStart(TrainConfig(epochs=3), "classification", "cpu", 100, 10, 2, 6)

    def job(*reasons: str) -> str:
        runs = {f"M{i}": RunSnapshot(f"M{i}", start=start, history=History(stop_reason=r, elapsed=1.0))
                for i, r in enumerate(reasons)}
        snap = replace(_IDLE, status="done", start=start, history=runs[f"M{len(reasons) - 1}"].history,
                       run_ids=tuple(runs), runs=runs)
        return status_text(snap)

    assert job("diverged", "completed", "completed") == "3 runs · trained 3.0 s · diverged"
    assert job("completed", "stopped", "diverged") == "3 runs · trained 3.0 s · diverged"
    assert job("completed", "stopped") == "2 runs · trained 2.0 s · stopped"
    assert job("completed", "completed") == "2 runs · trained 2.0 s · done"
    assert job("completed", "early_stopping") == f"2 runs · trained 2.0 s · {END_WORDS['early_stopping']}"
