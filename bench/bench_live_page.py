"""Training time with the page open in a browser, and where the CPU goes.

    python bench/bench_live_page.py [--repeats N]

Starts `streamlit run app.py` on a free loopback port, opens the MNIST page in Debian's
Chromium (Playwright), presses Train with the Recommended preset and waits for the run to
end. Prints, per repeat: the training time the page reports ("Trained N epochs in …"), the wall time from
the press, and the CPU seconds the server process and Chromium used meanwhile. Compare the
training time with `python bench/bench_mnist.py --only 1` (no browser, no server): the gap
is what live updates cost. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from app_server import app_in_browser  # noqa: E402  (the e2e tests' server and browser helper)


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """User + system CPU seconds so far of the server process and of all Chromium processes."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"server": 0.0, "chromium": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = "server" if int(pid) == server_pid else "chromium" if "chrom" in comm else None
        if group:
            out[group] += (int(fields[11]) + int(fields[12])) / tick
    return out


def measure(browser, url: str, server_pid: int) -> tuple[str, float, dict[str, float]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/mnist_classifier")
    train = page.get_by_role("button", name="Train", exact=True)
    train.wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    time.sleep(1)
    before, start = cpu_seconds(server_pid), time.perf_counter()
    train.click()
    page.wait_for_function("() => /Trained \\d+ epochs in /.test(document.body.innerText)", timeout=600_000,
                           polling=500)
    wall = time.perf_counter() - start
    used = {k: v - before[k] for k, v in cpu_seconds(server_pid).items()}
    took = re.search(r"Trained \d+ epochs in ([^;]+);", page.inner_text("body"))
    page.close()
    return took.group(1) if took else "?", wall, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    with app_in_browser() as (url, server, browser):
        print("MNIST Recommended preset with the page open; CPU seconds used during the run")
        print("repeat  took (page)  wall s  server CPU s  chromium CPU s")
        for r in range(args.repeats):
            took, wall, used = measure(browser, url, server.pid)
            cpu = f"{used['server']:12.1f}  {used['chromium']:14.1f}"
            print(f"{r + 1:6d}  {took:>11}  {wall:6.1f}  {cpu}", flush=True)


if __name__ == "__main__":
    main()
