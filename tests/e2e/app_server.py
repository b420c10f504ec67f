"""The app on a loopback port and Debian's Chromium: one helper for the e2e tests and the browser benchmarks.

    with serve_app() as server:          # `streamlit run app.py`, healthy; server.url, server.process
        with chromium() as browser:       # Playwright driving /usr/bin/chromium
            page = browser.new_page()
            page.goto(f"{server.url}/stock_forecast")

tests/e2e/conftest.py wraps these in fixtures; bench/bench_first_update.py and bench/bench_live_page.py
use them directly (``app_in_browser``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@dataclass(frozen=True)
class AppServer:
    url: str
    process: subprocess.Popen


class ServerError(RuntimeError):
    """The app did not answer its health check; the message holds the server's log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.read().decode().strip() == "ok"
    except OSError:
        return False


@contextmanager
def serve_app(timeout: float = 60, env: dict[str, str] | None = None) -> Iterator[AppServer]:
    """`streamlit run app.py` on a free loopback port; yields it once healthy, ends it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",  # edits to the tree must not rerun the app mid-test
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, **(env or {})})
        try:
            deadline = time.monotonic() + timeout
            while not healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise ServerError(f"streamlit did not answer {url}/_stcore/health:\n{log.read()}")
                time.sleep(0.25)
            yield AppServer(url, server)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@contextmanager
def chromium(path: Path = CHROMIUM) -> Iterator[Any]:
    """A headless Chromium browser (Playwright's ``Browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def app_in_browser() -> Iterator[tuple[str, subprocess.Popen, Any]]:
    """A server and a browser together: (url, server process, browser)."""
    with serve_app() as server, chromium() as browser:
        yield server.url, server.process, browser


def wait_for_app(page: Any, text: str, timeout_ms: int = 30_000) -> None:
    """Wait until the main area (not the sidebar) shows `text` and the script run has finished.

    The app root carries data-test-script-state: "running" while the script runs, "notRunning"
    once it is done. Wait for text from the new run first, since right after a click the state
    can still read "notRunning" from the previous run.
    """
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text(text, exact=True).first.wait_for(state="visible", timeout=timeout_ms)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=timeout_ms
    )
