"""A real browser against a real server: one `streamlit run app.py` for the whole session.

Uses Debian's Chromium (`apt-get install -y chromium`) through Playwright's Python API;
Playwright's own browser download cannot work here. Without Chromium the e2e tests skip,
except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import app_server  # noqa: E402
from app_server import CHROMIUM, REPO_ROOT, wait_for_app  # noqa: E402

SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
MISSING_CHROMIUM = "Chromium not found: apt-get update && apt-get install -y chromium"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/e2e is an e2e test: `-m "not e2e"` skips the browser layer.
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


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
    """`streamlit run app.py` on a free loopback port (tests/e2e/app_server.py); yields its URL."""
    try:
        with app_server.serve_app() as server:
            yield server.url
    except app_server.ServerError as exc:
        pytest.fail(str(exc))


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
    with app_server.chromium(chromium_path) as browser:
        yield browser


@pytest.fixture
def new_page(browser, app_url: str):
    """`new_page(width=1400, height=900, timeout_ms=30_000)`: a page in a fresh browser context (its
    own Streamlit session) on the app; every context is closed when the test ends."""
    contexts = []

    def open_page(width: int = 1400, height: int = 900, timeout_ms: int = 30_000):
        context = browser.new_context(base_url=app_url, viewport={"width": width, "height": height})
        context.set_default_timeout(timeout_ms)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A fresh browser context (its own Streamlit session) per test; 30 s default waits."""
    return new_page()


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """`screenshot(page, name)` saves artifacts/screenshots/<name>.png (git-ignored)."""

    def take(page, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """`wait_for(page, text)`: wait until the main area shows `text` and the run has finished."""
    return wait_for_app
