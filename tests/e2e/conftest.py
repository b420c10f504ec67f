"""A real browser against a real server: one `streamlit run app.py` for the whole session.

Uses Debian's Chromium (`apt-get install -y chromium`) through Playwright's Python API;
Playwright's own browser download cannot work here. Without Chromium the e2e tests skip,
except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
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
MISSING_CHROMIUM = "Chromium not found: apt-get update && apt-get install -y chromium"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/e2e is an e2e test: `-m "not e2e"` skips the browser layer.
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.read().decode().strip() == "ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; skip (or fail under CI=true) when it is not installed."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING_CHROMIUM)
        pytest.skip(MISSING_CHROMIUM)
    return CHROMIUM


@contextmanager
def serve_app() -> Iterator[str]:
    """Start `streamlit run app.py` on a free loopback port; yield its URL once healthy."""
    port = _free_port()
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
        server = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"streamlit did not answer {url}/_stcore/health:\n{log.read()}")
                time.sleep(0.25)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="session")
def app_url(chromium_path: Path) -> Iterator[str]:
    """One app server for the whole test session."""
    with serve_app() as url:
        yield url


@pytest.fixture
def fresh_app_server(chromium_path: Path) -> Callable[[], AbstractContextManager[str]]:
    """`with fresh_app_server() as url:` a server of the test's own, for first-visit behaviour."""
    return serve_app


@pytest.fixture(scope="session")
def browser(chromium_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url: str):
    """A fresh browser context (its own Streamlit session) per test; 30 s default waits."""
    context = browser.new_context(base_url=app_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """`screenshot(page, name)` saves artifacts/screenshots/<name>.png (git-ignored)."""

    def take(page, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def wait_for_app(page, text: str, timeout_ms: int = 30_000) -> None:
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


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """`wait_for(page, text)`: wait until the main area shows `text` and the run has finished."""
    return wait_for_app
