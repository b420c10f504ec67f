"""ui.jobs headless: the queue line, a job stopped hard, and a reloaded tab told its run was stopped."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from lstm_core.jobs import STOPPED_HARD, JobContext, TrainingJob
from ui.jobs import URL_PARAM, ordinal, pool
from ui.state import STOCK_JOB


def wait_for_stop(ctx: JobContext) -> str:
    while not ctx.stop_event.wait(0.02):
        pass
    return "stopped"


def _tab() -> None:
    from ui import training_panel as panel
    from ui.state import STOCK_JOB

    panel.controls(STOCK_JOB, detail=lambda snap: f"status {snap.status}")
    panel.outcome(STOCK_JOB, lambda result: panel.Outcome("success", f"outcome {result}"))


def test_ordinals() -> None:
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]


def test_a_queued_job_shows_its_place_in_line() -> None:
    job = TrainingJob(wait_for_stop)  # never started: its place is set as the pool would
    job._set_queue_position(2)
    at = AppTest.from_function(_tab)
    at.session_state[STOCK_JOB] = job
    at.run()
    assert not at.exception
    assert any(i.value.startswith("Waiting for a free worker: 2nd in line.") for i in at.info)


def test_a_job_stopped_hard_says_no_result_is_kept() -> None:
    job = TrainingJob(wait_for_stop)
    job._finish("stopped", message=STOPPED_HARD.format(after=1.0))
    at = AppTest.from_function(_tab)
    at.session_state[STOCK_JOB] = job
    at.run()
    assert [w.value for w in at.warning] == [STOPPED_HARD.format(after=1.0)]
    assert not at.success


def test_a_reloaded_tab_stops_its_earlier_run_and_says_so() -> None:
    earlier = TrainingJob(wait_for_stop, still_wanted=lambda: False, pool=pool()).start()  # its tab has gone
    deadline = time.monotonic() + 60
    while earlier.snapshot().status != "running":  # a worker has it (the first one takes seconds)
        assert time.monotonic() < deadline
        time.sleep(0.02)
    at = AppTest.from_function(_tab)
    at.query_params[URL_PARAM] = earlier.job_id  # the address the reloaded tab kept
    at.run()
    assert earlier.join(30) and earlier.orphaned and earlier.snapshot().result == "stopped"
    (warning,) = at.warning
    assert warning.value.startswith("Your earlier training run (started ")
    assert "was stopped when its page was reloaded or closed" in warning.value
    assert URL_PARAM not in at.query_params
    at.run()  # told once
    assert not at.warning


def test_an_address_naming_a_live_session_job_stops_nothing() -> None:
    other = TrainingJob(wait_for_stop, still_wanted=lambda: True, pool=pool()).start()
    try:
        at = AppTest.from_function(_tab)
        at.query_params[URL_PARAM] = other.job_id  # e.g. a copied address while its tab is open
        t0 = time.monotonic()
        at.run()
        assert not at.warning and not other.ended and time.monotonic() - t0 < 30
    finally:
        other.stop()
        assert other.join(30)
