"""Many citizens reading the map at once: N concurrent readers for D seconds, 0 errors expected.

    .venv/bin/python -m bench.load_readers                      # 200 readers, 60 s, 2 workers
    .venv/bin/python -m bench.load_readers -c 50 -d 10          # a quick look
    .venv/bin/python -m bench.load_readers --url http://host:port   # against a running server

Without --url it builds its own stack and removes it afterwards: a throwaway PostgreSQL cluster
in a temporary directory (never the one `make run` uses), `lernorte serve --workers W` over it
with the demo data, nginx in front when W > 1. Each reader is a closed loop (request, answer,
next request) over the map's requests: boxes of the district at several sizes, a category, a
text search, a near search, the category list and clusters. Answers other than 200 and transport
errors count as errors; the exit status is 1 when there were any.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.cluster import Cluster, find_pg_bin
from app.config import PROJECT_ROOT
from app.procs import answers_in_time

# The district (Landkreis Fulda) as in the default service area.
WEST, SOUTH, EAST, NORTH = 9.40, 50.30, 10.15, 50.85


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def map_request(rng: random.Random) -> str:
    """One request as the map makes it, drawn from a plausible mix."""
    kind = rng.random()
    if kind < 0.45:  # panning and zooming: a box somewhere in the district
        width = rng.choice((0.05, 0.15, 0.4, 0.75))
        west = rng.uniform(WEST, max(WEST, EAST - width))
        south = rng.uniform(SOUTH, max(SOUTH, NORTH - width * 0.7))
        return (f"/api/places?bbox={west:.4f},{south:.4f},{west + width:.4f},"
                f"{south + width * 0.7:.4f}&limit=500")
    if kind < 0.60:
        return f"/api/places?category={rng.choice(('grundschule', 'schule', 'foerderschule'))}"
    if kind < 0.72:
        return f"/api/places?q={rng.choice(('schule', 'fulda', 'Hünfeld', 'gymnasium', 'uttrichhausen'))}"
    if kind < 0.84:
        lon, lat = rng.uniform(9.5, 10.0), rng.uniform(50.4, 50.75)
        return f"/api/places?near={lon:.4f},{lat:.4f}&radius={rng.choice((2000, 5000, 15000))}"
    if kind < 0.92:
        return "/api/categories"
    zoom = rng.choice((9, 10, 11, 12))
    return f"/api/clusters?bbox={WEST},{SOUTH},{EAST},{NORTH}&zoom={zoom}"


@dataclass
class Tally:
    """What the readers saw: status counts, latencies, and when each answer came."""

    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    timeline: list[tuple[float, int, float]] = field(default_factory=list)  # (t, status, s)

    def record(self, status: int, seconds: float) -> None:
        self.statuses[status] += 1
        self.latencies.append(seconds)
        self.timeline.append((time.monotonic(), status, seconds))

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def reader(client: httpx.AsyncClient, tally: Tally, deadline: float, seed: int,
                 pause_after_error: float = 0.05) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            status = (await client.get(map_request(rng))).status_code
        except httpx.HTTPError:
            status = 0  # transport error or client timeout
        tally.record(status, time.monotonic() - start)
        if status != 200:
            await asyncio.sleep(pause_after_error)  # a person would not hammer either


async def run_readers(base_url: str, concurrency: int, seconds: float, tally: Tally,
                      timeout_s: float = 30) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout_s) as client:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(reader(client, tally, deadline, seed)
                               for seed in range(concurrency)))


class Stack:
    """A throwaway database cluster and `lernorte serve` over it."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.root = Path(tempfile.mkdtemp(prefix="lernorte-ops-bench-"))
        os.chmod(self.root, 0o755)
        self.cluster = Cluster(self.root / "db", extra_options=("-c max_connections=200",))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen | None = None
        self.log = self.root / "serve.log"

    def __enter__(self) -> Stack:
        self.cluster.start()
        self.database_url = self.cluster.url()
        env = {**os.environ, "DATABASE_URL": self.database_url, "LERNORTE_TILES_ENABLED": "false",
               "LERNORTE_LOG_LEVEL": "WARNING"}
        with self.log.open("w") as out:
            self.server = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port),
                 "--workers", str(self.workers)], env=env, cwd=PROJECT_ROOT, stdout=out,
                stderr=subprocess.STDOUT)
        server = self.server
        if answers_in_time(f"{self.url}/readyz", lambda: server.poll() is None, 180, 0.3):
            return self
        state = "exited" if server.poll() is not None else "not ready"
        raise RuntimeError(f"server {state}:\n{self.log.read_text()[-3000:]}")

    def __exit__(self, *_exc: object) -> None:
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.server.kill()
        self.cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # PostgreSQL stopped and started again on the same port, as a restart or failover would.
    def _pg_ctl(self, *args: str) -> None:
        self.cluster._run([str(find_pg_bin(install=False) / "pg_ctl"), "-D",
                           str(self.cluster.pgdata), "-w", *args], check=True,
                          capture_output=True)

    def stop_database(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def start_database(self) -> None:
        port = self.cluster.port_file.read_text().strip()
        options = " ".join([f"-p {port}", f"-k {self.cluster.sockdir}",
                            "-c listen_addresses=127.0.0.1", *self.cluster.extra_options])
        self._pg_ctl("-l", str(self.cluster.log_file), "-o", options, "start")


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (the workers and nginx), in MB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
            pid = int(status.parent.name)
            parents[pid] = int(fields["PPid"])
            rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
        except (OSError, ValueError, KeyError):
            continue
    family, changed = {root}, True
    while changed:
        grown = family | {pid for pid, parent in parents.items() if parent in family}
        changed, family = grown != family, grown
    return sum(rss.get(pid, 0) for pid in family) / 1024


class MemorySampler(threading.Thread):
    """RSS of the server's processes every few seconds while the readers run: it must stay flat."""

    def __init__(self, pid: int, every_s: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every_s):
            self.samples.append(tree_rss_mb(self.pid))

    def report(self) -> str:
        if len(self.samples) < 2:
            return "memory: too short a run to sample"
        return (f"memory of the serving processes (RSS, every {self.every_s:.0f} s): "
                f"{self.samples[0]:.0f} MB after {self.every_s:.0f} s, "
                f"{self.samples[-1]:.0f} MB at the end, max {max(self.samples):.0f} MB")


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.node()}: {platform.system()} {platform.release()}, {cpus} CPUs, Python {platform.python_version()}"


def report(tally: Tally, seconds: float, concurrency: int) -> str:
    lat = tally.latencies
    return (f"{concurrency} readers, {seconds:.0f} s: {tally.total} requests "
            f"({tally.total / seconds:.0f}/s), errors {tally.errors()} "
            f"(statuses {dict(sorted(tally.statuses.items()))}); latency p50 "
            f"{percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms, "
            f"p99 {percentile(lat, 99) * 1000:.0f} ms, max {max(lat, default=0) * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--concurrency", type=int, default=200)
    parser.add_argument("-d", "--duration", type=float, default=60)
    parser.add_argument("-w", "--workers", type=int, default=2)
    parser.add_argument("--url", help="a running server (default: start a throwaway stack)")
    args = parser.parse_args()

    def measure(base_url: str) -> Tally:
        tally = Tally()
        asyncio.run(run_readers(base_url, args.concurrency, args.duration, tally))
        return tally

    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')} on {machine()}", file=sys.stderr)
    if args.url:
        tally = measure(args.url)
    else:
        with Stack(args.workers) as stack:
            print(f"serving on {stack.url} with {args.workers} worker(s)", file=sys.stderr)
            sampler = MemorySampler(stack.server.pid)
            sampler.start()
            tally = measure(stack.url)
            sampler.done.set()
            sampler.join()
            print(sampler.report())
    print(report(tally, args.duration, args.concurrency))
    return 1 if tally.errors() else 0


if __name__ == "__main__":
    sys.exit(main())
