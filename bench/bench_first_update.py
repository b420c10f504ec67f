"""The first visit to the Forecast page, and the time from pressing Train to the first live updates.

    python bench/bench_first_update.py [--repeats N]

Starts `streamlit run app.py` on a free loopback port (tests/e2e/app_server.py, as the e2e tests
do) and opens the forecast page in Debian's Chromium (Playwright):
  - first visit (a fresh server, straight to /stock_forecast): seconds until the title is on
    screen, and until the Train button is (the page is usable);
then, per repeat, in a fresh browser session, presses Train with the Recommended preset and
measures:
  - status line: the status line says the run has started ("Preparing…" or "Epoch"),
  - first loss: the loss chart holds its first point (the first batch's loss),
  - first epoch: an epoch's losses are shown under the status line.
Each moment is stamped inside the page (a MutationObserver, against the click event's own time
stamp), so Playwright's polling and round trips do not count. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from app_server import app_in_browser  # noqa: E402

__all__ = ["app_in_browser", "main"]

# Runs in the page: stamps (performance.now(), ms) the press of Train and the first moment the DOM
# holds each milestone.
OBSERVE = """() => {
  const marks = window.__marks = {};
  document.addEventListener("click", (e) => { if (!("press" in marks)) marks.press = e.timeStamp; }, true);
  const check = () => {
    const now = performance.now();
    const bar = [...document.querySelectorAll('[data-testid="stProgress"]')]
      .find((b) => /Preparing|Epoch|Waiting/.test(b.innerText));
    if (bar && !("status" in marks)) marks.status = now;
    const plot = [...document.querySelectorAll('.js-plotly-plot')]
      .find((p) => (p.layout?.title?.text || "").includes("Loss"));
    if (plot && (plot.data || []).some((t) => (t.y || []).length) && !("loss" in marks)) marks.loss = now;
    if (/After epoch [0-9]+:/.test(document.body.innerText) && !("epoch" in marks)) marks.epoch = now;
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true,
                                                      attributes: true});
  setInterval(check, 20);
}"""


def first_visit(browser, url: str) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    start = time.perf_counter()
    page.goto(f"{url}/stock_forecast")
    page.get_by_role("heading", name="Forecast", exact=True).wait_for(timeout=120_000)
    title = time.perf_counter() - start
    page.get_by_role("button", name="Train").wait_for(timeout=120_000)
    ready = time.perf_counter() - start
    page.close()
    return title, ready


def measure(browser, url: str) -> tuple[float, float, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/stock_forecast")
    train = page.get_by_role("button", name="Train")
    train.wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    time.sleep(1)
    page.evaluate(OBSERVE)
    train.click()
    page.wait_for_function("() => ['press', 'status', 'loss', 'epoch'].every((k) => k in window.__marks)",
                           timeout=60_000)
    marks = page.evaluate("window.__marks")
    page.get_by_role("button", name="Stop").click()
    page.close()
    return tuple((marks[k] - marks["press"]) / 1000 for k in ("status", "loss", "epoch"))  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with app_in_browser() as (url, _, browser):
        title, ready = first_visit(browser, url)
        print(f"first visit to /stock_forecast on a fresh server: title {title:.2f} s, "
              f"Train button {ready:.2f} s")
        print("repeat  status line  first loss  first epoch   (seconds after pressing Train)")
        for r in range(args.repeats):
            status, loss, epoch = measure(browser, url)
            print(f"{r + 1:6d}  {status:11.2f}  {loss:10.2f}  {epoch:11.2f}", flush=True)
            time.sleep(3)  # the stopped run's worker goes back to the pool


if __name__ == "__main__":
    main()
