"""Two browser sessions train at once on a server of their own; one reloads its tab mid-run.

The other run finishes untouched; the reloaded tab says its earlier run was stopped; the
orphaned job's worker stops using the CPU within a few seconds; the server's memory ends near
where it started (training happens in worker processes, not in the server).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _server_pid(url: str) -> int:
    port = str(urlparse(url).port)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(cmd) and port.encode() in cmd:
                return int(entry.name)
    raise AssertionError(f"no streamlit server on port {port}")


def _workers(server: int) -> list[int]:
    """The pool's workers: the children of the fork server, the server's child."""
    return [w for child in _children(server) for w in _children(child)]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


# The tab that stays trains a short run, started second (600 digits train an epoch in about 0.3 s
# on an idle core: started first, it could end before the other tab has started).
STAYS_EPOCHS = 12


def _busy_workers(server: int, window: float = 1.0) -> int:
    """Workers that used over 3 % of a core during ``window`` seconds (an idle worker uses ~0.1 %;
    a training one, even on a crowded machine, tens of percent)."""
    before = {pid: _cpu_seconds(pid) for pid in _workers(server)}
    time.sleep(window)
    used = [round(_cpu_seconds(pid) - cpu, 2) for pid, cpu in before.items()]
    print(f"worker CPU seconds over {window} s: {used}")
    return sum(u > 0.03 * window for u in used)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _open(page) -> None:
    page.goto("/mnist_classifier")
    page.get_by_text("2 · Model and training").wait_for()


def _start_training(page, epochs: int) -> None:
    page.get_by_role("spinbutton", name="Max training digits").fill("600")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Offline MNIST subset: 600 train")).to_be_visible()
    page.get_by_role("spinbutton", name="Epochs").fill(str(epochs))
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text(re.compile(rf"Epoch \d+ / {epochs}")).first).to_be_visible(timeout=60_000)


def test_a_reloaded_tab_stops_its_run_and_the_other_finishes(browser, fresh_app_server, monkeypatch,
                                                             screenshot):
    monkeypatch.setenv("LSTM_STUDIO_ORPHAN_AFTER", "3")  # the server inherits it
    monkeypatch.setenv("LSTM_STUDIO_WORKERS", "2")
    with fresh_app_server() as url:
        contexts = [browser.new_context(base_url=url, viewport={"width": 1400, "height": 1600}) for _ in "ab"]
        try:
            stays, reloads = (c.new_page() for c in contexts)
            for p in (stays, reloads):
                p.set_default_timeout(60_000)
            _open(reloads)
            server = _server_pid(url)
            rss_before = _rss_mb(server)
            _start_training(reloads, epochs=200)  # the long run first: both surely train at once
            _open(stays)
            _start_training(stays, epochs=STAYS_EPOCHS)
            assert _busy_workers(server) == 2
            reloads.reload()
            reloaded_at = time.monotonic()
            expect(reloads.get_by_text("Your earlier training run", exact=False)).to_be_visible()
            screenshot(reloads, "sessions_reloaded_tab", full_page=False)
            while _busy_workers(server) > 1:  # the orphan's worker: stopped (or ended), CPU freed
                assert time.monotonic() - reloaded_at < 10, "the orphaned run still trains"
            freed_after = time.monotonic() - reloaded_at
            print(f"orphaned run's worker idle {freed_after:.1f} s after the reload")
            expect(stays.get_by_text(f"Trained {STAYS_EPOCHS} epochs", exact=False).first).to_be_visible(
                timeout=300_000)
            assert stays.locator('[data-testid="stException"]').count() == 0
            time.sleep(1.5)
            assert _busy_workers(server) == 0
            rss_after = _rss_mb(server)
            print(f"server RSS {rss_before:.0f} MB before, {rss_after:.0f} MB after both runs")
            assert rss_after < rss_before + 150
        finally:
            for c in contexts:
                c.close()
