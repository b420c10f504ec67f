"""Time from pressing Train to the first live updates, in a real browser.

    python bench/bench_first_update.py [--repeats N]

Starts `streamlit run app.py` on a free loopback port, opens the forecast page in Debian's
Chromium (Playwright), presses Train with the recommended preset and measures, per repeat,
in a fresh browser session each time:
  - progress bar: the progress bar is on screen (the job has started),
  - first batch:  the progress shows epoch 1 or later (training events are arriving),
  - first epoch:  the loss chart has drawn its first point.
Each moment is stamped inside the page (a MutationObserver, against the click event's own time
stamp), so Playwright's polling and round trips do not count.
The first repeat includes the server's one-time warm-up (torch's first optimiser build).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"streamlit did not start at {url}")


# Runs in the page: stamps (performance.now(), ms) the press of Train and the first moment the DOM
# holds each milestone, so that the figures do not include Playwright's own polling and round trips.
OBSERVE = """() => {
  const marks = window.__marks = {};
  document.addEventListener("click", (e) => { if (!("press" in marks)) marks.press = e.timeStamp; }, true);
  const check = () => {
    const now = performance.now();
    const bar = document.querySelector('[data-testid="stProgress"]');
    if (bar && !("bar" in marks)) marks.bar = now;
    if (bar && /Epoch [1-9][0-9]* \\//.test(bar.innerText) && !("batch" in marks)) marks.batch = now;
    const loss = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
      .find((c) => c.innerText.includes("Loss"));
    if (loss && loss.querySelector(".scatterlayer .point") && !("epoch" in marks)) marks.epoch = now;
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def measure(browser, url: str) -> tuple[float, float, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/stock_forecast")
    page.get_by_role("button", name="Train").wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    train = page.get_by_role("button", name="Train")
    train.scroll_into_view_if_needed()  # as a user would have: the clock starts at the press
    time.sleep(1)
    page.evaluate(OBSERVE)
    train.click()
    page.wait_for_function("() => ['press', 'bar', 'batch', 'epoch'].every((k) => k in window.__marks)",
                           timeout=60_000)
    marks = page.evaluate("window.__marks")
    page.close()
    return tuple((marks[k] - marks["press"]) / 1000 for k in ("bar", "batch", "epoch"))  # type: ignore[return-value]


@contextmanager
def app_in_browser() -> Iterator[tuple[str, subprocess.Popen, Browser]]:
    """`streamlit run app.py` on a free loopback port and Chromium: (url, server, browser)."""
    url = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", url.rsplit(":", 1)[1], "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(url)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield url, server, browser
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with app_in_browser() as (url, _, browser):
        print("repeat  progress bar  first batch  first epoch   (seconds after pressing Train)")
        for r in range(args.repeats):
            bar, batch, epoch = measure(browser, url)
            print(f"{r + 1:6d}  {bar:12.2f}  {batch:11.2f}  {epoch:11.2f}", flush=True)
            time.sleep(8)  # let that session's run finish: one run per session, but one CPU pair


if __name__ == "__main__":
    main()
