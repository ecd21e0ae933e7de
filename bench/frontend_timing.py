"""How fast the map page `/` shows places, and whether it stays responsive with many of them.

Debian's Chromium (through Playwright) opens `/` on a real uvicorn server over a real PostGIS:
first the 87 demo schools, then the same plus N synthetic places (bench/generate.py, default
20,000 over ~100 German towns). For each scenario, each run in a fresh browser context (empty
cache):

* **first marker**: ms from navigation start to the first frame painted after a marker or
  cluster element entered the page (a MutationObserver, then requestAnimationFrame);
* **ready**: ms to the first frame after the page marked its data loaded (`main[data-ready]`:
  the list is filled and the count announced);
* **long tasks** while a person pans and zooms (four mouse drags and four wheel zooms, 0.7 s
  apart): count, sum and longest of the main-thread tasks over 50 ms (PerformanceObserver
  'longtask'). Frames are lost only during long tasks, so their sum is the time the map was
  stuck.

Medians over the runs are printed as a Markdown table for README's map section.

    .venv/bin/python -m bench.frontend_timing              # 20,000 synthetic places, 3 runs
    .venv/bin/python -m bench.frontend_timing -n 5000 --runs 5
    .venv/bin/python -m bench.frontend_timing --bench-database   # the 1M places of bench.run

The databases live in a throwaway cluster under /tmp, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

from app.cluster import Cluster
from app.config import PROJECT_ROOT
from app.procs import answers_in_time
from bench.generate import generate
from bench.run import start_database, synthetic_count

DEMO = PROJECT_ROOT / "data" / "demo" / "fulda_schools_2016.geojson"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
# Installed before any page script: records the first painted marker and every long task.
PROBE = """
window.__bench = { firstMarker: null, ready: null, longTasks: [] };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
const painted = (key) => requestAnimationFrame(() => { window.__bench[key] ??= performance.now(); });
new MutationObserver((_, observer) => {
  if (document.querySelector(".place-marker, .cluster-marker")) painted("firstMarker");
  if (document.querySelector("main[data-ready]")) painted("ready");
  if (window.__bench.firstMarker !== null && window.__bench.ready !== null) observer.disconnect();
}).observe(document, { subtree: true, childList: true, attributes: true,
                       attributeFilter: ["data-ready"] });
"""


@dataclass
class Run:
    first_marker_ms: float
    ready_ms: float
    long_tasks: int
    long_task_sum_ms: float
    long_task_max_ms: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(url: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "app.cli", *args], env={**os.environ, "DATABASE_URL": url},
                   cwd=PROJECT_ROOT, check=True, capture_output=True)


def prepare(cluster: Cluster, synthetic: int) -> dict[str, str]:
    port = cluster.port_file.read_text().strip()
    url = lambda name: f"postgresql+asyncpg://postgres@127.0.0.1:{port}/{name}"  # noqa: E731
    cluster.create_database("demo")
    _cli(url("demo"), "migrate")
    _cli(url("demo"), "import", str(DEMO))
    cluster.create_database("big", template="demo")
    asyncio.run(generate(url("big"), synthetic, seed=7, quiet=True))
    return {"demo": url("demo"), "big": url("big")}


class Server:
    def __init__(self, database_url: str) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
             "127.0.0.1", "--port", self.url.rsplit(":", 1)[1], "--log-level", "warning",
             "--no-access-log"],
            env={**os.environ, "DATABASE_URL": database_url, "LERNORTE_TILES_ENABLED": "false"},
            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if answers_in_time(self.url + "/readyz", lambda: self.process.poll() is None, 180):
            return
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def pan_and_zoom(page: Page) -> None:
    box = page.locator("#map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy, wheel in ((160, 0, -300), (0, 120, 300), (-200, -80, -300), (60, 60, 300)):
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y + dy, steps=12)
        page.mouse.up()
        page.wait_for_timeout(700)
        page.mouse.wheel(0, wheel)
        page.wait_for_timeout(700)


def measure(browser, url: str) -> Run | None:
    """One run; None when the page showed no marker within a minute (counted as a failure)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(PROBE)
        page.goto(url)
        page.wait_for_function("() => window.__bench.firstMarker !== null"
                               " && window.__bench.ready !== null", timeout=60_000)
        first, ready = page.evaluate("() => [window.__bench.firstMarker, window.__bench.ready]")
        page.wait_for_timeout(500)
        start = page.evaluate("() => performance.now()")
        pan_and_zoom(page)
        page.wait_for_timeout(1000)
        tasks = [d for s, d in page.evaluate("() => window.__bench.longTasks") if s >= start]
        return Run(first, ready, len(tasks), sum(tasks), max(tasks, default=0.0))
    except PlaywrightError as error:
        print(f"<!-- {url}: {str(error).splitlines()[0]} -->", file=sys.stderr)
        return None
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--synthetic", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="run only scenarios whose label contains this")
    parser.add_argument("--bench-database", action="store_true",
                        help="use the database of bench.run (1,000,000 places) instead")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lernorte-bench-frontend-"))
    os.chmod(root, 0o755)
    if args.bench_database:
        cluster, big_url = start_database()
    else:
        cluster = Cluster(root, extra_options=("-c fsync=off",))
        cluster.start()
    servers: dict[str, Server] = {}
    try:
        if args.bench_database:
            servers = {"big": Server(big_url)}
            n = f"{asyncio.run(synthetic_count(big_url)):,}"
            demo = []
        else:
            urls = prepare(cluster, args.synthetic)
            servers = {name: Server(url) for name, url in urls.items()}
            n = f"{87 + args.synthetic:,}"
            demo = [("87 demo schools", servers["demo"].url + "/?lang=de")]
        scenarios = [
            *demo,
            (f"{n} places, district view (cells from /api/clusters)", servers["big"].url + "/?lang=de"),
            # With 20,000 synthetic places these are ~1,600 places clustered in the browser and
            # ~3,900 shown as server cells; with a million both are server cells.
            (f"{n} places, category `kindertagespflege` at zoom 7",
             servers["big"].url + "/?lang=de&category=kindertagespflege&map=7/50.5/9.7"),
            (f"{n} places, stage `schule` at zoom 7",
             servers["big"].url + "/?lang=de&category=schule&map=7/50.5/9.7"),
            # A filter the aggregates cannot answer (a common word) and one they can (a target
            # group), over the whole country.
            (f"{n} places, search `Kita` over Germany at zoom 6",
             servers["big"].url + "/?lang=de&q=Kita&map=6/51.1/10.4"),
            (f"{n} places, target group `senioren` over Germany at zoom 6",
             servers["big"].url + "/?lang=de&target_group=senioren&map=6/51.1/10.4"),
            (f"{n} places, Frankfurt at zoom 14 (places per viewport)",
             servers["big"].url + "/?lang=de&map=14/50.111/8.682"),
            (f"{n} places, central Berlin at zoom 15 (cells when a view holds over 1,000)",
             servers["big"].url + "/?lang=de&map=15/52.52/13.40"),
            # A city's embed: the map fits the municipality's places.
            (f"{n} places, embed of the municipality Berlin",
             servers["big"].url + "/embed?lang=de&municipality=Berlin"),
            (f"{n} places, embed of the municipality Berlin searching `Kita`",
             servers["big"].url + "/embed?lang=de&municipality=Berlin&q=Kita"),
        ]
        if args.only:
            scenarios = [(label, url) for label, url in scenarios if args.only in label]
        print(f"{args.runs} runs each, medians; Chromium headless, 1280×800, 1 uvicorn worker, "
              f"{os.cpu_count()} cores shared with the database, load average "
              f"{os.getloadavg()[0]:.1f} at the start\n")
        print("| scenario | first marker | ready | long tasks while panning/zooming (n, sum, max) |")
        print("| --- | ---: | ---: | --- |")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
            for label, url in scenarios:
                measure(browser, url)  # warm-up: server caches, Python imports, DB buffers
                tried = [measure(browser, url) for _ in range(args.runs)]
                runs = [r for r in tried if r is not None]
                if not runs:
                    print(f"| {label} | failed | failed | |", flush=True)
                    continue
                med = lambda key: statistics.median(getattr(r, key) for r in runs)  # noqa: E731
                print(f"| {label} | {med('first_marker_ms'):.0f} ms | {med('ready_ms'):.0f} ms | "
                      f"{med('long_tasks'):.0f}, {med('long_task_sum_ms'):.0f} ms, "
                      f"{med('long_task_max_ms'):.0f} ms"
                      f"{f' ({len(tried) - len(runs)} of {len(tried)} runs failed)' if len(runs) < len(tried) else ''} |",
                      flush=True)
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
        if not args.bench_database:  # bench.run's database stays for the next run
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
