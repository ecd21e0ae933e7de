"""The benchmark anyone can rerun: Lernorte, the bare FastAPI+asyncpg lower bound and tipg, side
by side over the same private PostGIS with N synthetic places.

    .venv/bin/python -m bench.run                  # 1,000,000 places, 10 s per scenario
    .venv/bin/python -m bench.run -n 100000 -d 5   # smaller and quicker
    .venv/bin/python -m bench.run --stop           # stop the benchmark's database

The database lives in .data/bench (its own cluster, started here, left running for the next run
until --stop); places are generated once and reused. The load generator is wrk (Debian package
``wrk``, installed with apt-get when run as root); tipg comes from PyPI into its own virtualenv
under .data/bench/tipg-venv so that it never touches the project's dependencies. Each server runs
alone (one uvicorn worker) while it is measured. Results go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text

from app.cluster import Cluster, find_pg_bin
from app.config import PROJECT_ROOT
from app.db import make_engine
from app.migrate import upgrade
from bench.generate import SOURCE, generate

BENCH_DIR = PROJECT_ROOT / ".data" / "bench"
TIPG_VENV = BENCH_DIR / "tipg-venv"
RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"

# Boxes over the generated data: a street in central Frankfurt, the town of Fulda, most of Hesse.
STREET = "8.676,50.108,8.688,50.114"
TOWN = "9.60,50.50,9.76,50.61"
REGION = "8.0,49.6,10.2,51.2"
NEAR = "8.682,50.111"
GERMANY = "5.8,47.2,15.1,55.1"
# A 1280×800 px view of central Berlin at zoom 13: finer than the precomputed aggregates, so the
# cells are counted on the fly over the densest part of the data.
BERLIN_Z13 = "13.29,52.478,13.51,52.562"


# What the map asks for (frontend/src/data/api.js, SHOWN_PROPERTIES): the properties it draws.
MAP_PROPERTIES = "properties=name,category_name,stage,colour,address,city,url,distance_m"


@dataclass
class Scenario:
    name: str
    # variant -> path with query; a variant is a server's name, optionally followed by a note
    # in parentheses ("lernorte (map)": the same server asked what the map asks)
    paths: dict[str, str]


def server_of(variant: str) -> str:
    return variant.split(" ", 1)[0]


def scenarios() -> list[Scenario]:
    boxes = [("street bbox", STREET), ("town bbox", TOWN), ("region bbox", REGION)]
    found = [Scenario(f"{label} (limit 1000)", {
        "lernorte": f"/api/places?bbox={box}&limit=1000",
        "lernorte (map)": f"/api/places?bbox={box}&limit=1000&{MAP_PROPERTIES}",
        "bare": f"/places?bbox={box}&limit=1000",
        "tipg": f"/collections/public.places/items?bbox={box}&limit=1000",
    }) for label, box in boxes]
    found.append(Scenario("near, 50 nearest within 2 km", {
        "lernorte": f"/api/places?near={NEAR}&radius=2000&limit=50",
        "lernorte (map)": f"/api/places?near={NEAR}&radius=2000&limit=50&{MAP_PROPERTIES}"}))
    found.append(Scenario("clusters, Germany at zoom 6",
                          {"lernorte": f"/api/clusters?bbox={GERMANY}&zoom=6"}))
    found.append(Scenario("clusters, central Berlin at zoom 13 (on the fly)",
                          {"lernorte": f"/api/clusters?bbox={BERLIN_Z13}&zoom=13"}))
    found.append(Scenario("clusters, Hesse at zoom 9, category kita",
                          {"lernorte": f"/api/clusters?bbox={REGION}&zoom=9&category=kita"}))
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return shutil.which("wrk") or "wrk"
    sys.exit("bench: the load generator wrk is missing: sudo apt-get install wrk")


def ensure_tipg() -> Path:
    python = TIPG_VENV / "bin" / "python"
    if not (TIPG_VENV / "bin" / "uvicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "tipg>=1,<2", "uvicorn"],
                       check=True)
    return TIPG_VENV / "bin" / "uvicorn"


def start_database() -> tuple[Cluster, str]:
    cluster = Cluster(BENCH_DIR, extra_options=("-c shared_buffers=256MB",
                                                "-c max_connections=200"))
    cluster.start()
    url = cluster.url()
    upgrade(url)
    return cluster, url


async def synthetic_count(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text("SELECT count(*) FROM places WHERE source = :s"),
                                       {"s": SOURCE})).scalar_one()
    finally:
        await engine.dispose()


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
             "--no-access-log"],
            env={**os.environ, **env}, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)

    def wait(self, probe: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} did not start: {self.process.stderr.read()[-2000:]}")
            try:
                if httpx.get(self.base + probe, timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer {probe}")

    def cpu_seconds(self) -> float:
        return _cpu_of(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_cpu(cluster: Cluster) -> float:
    """CPU seconds of the benchmark cluster's postmaster and all its backends."""
    postmaster = int((cluster.pgdata / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster or int(stat.parent.name) == postmaster:
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            continue
    return total


@dataclass
class Measurement:
    rps: float
    p50_ms: float
    p99_ms: float
    app_cpu_ms: float  # per request
    db_cpu_ms: float
    bytes: int


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def measure(wrk: str, server: Server, cluster: Cluster, path: str, seconds: int,
            connections: int) -> Measurement:
    url = server.base + path
    size = len(httpx.get(url, timeout=60).content)
    for _ in range(3):  # warm caches
        httpx.get(url, timeout=60)
    app_before, db_before = server.cpu_seconds(), _database_cpu(cluster)
    out = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    app_cpu, db_cpu = server.cpu_seconds() - app_before, _database_cpu(cluster) - db_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{server.name} {path}: {errors.group(1)} failed responses")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.MULTILINE))
    return Measurement(rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                       p50_ms=_ms(latency["50"]), p99_ms=_ms(latency["99"]),
                       app_cpu_ms=1000 * app_cpu / max(requests, 1),
                       db_cpu_ms=1000 * db_cpu / max(requests, 1), bytes=size)


def sequential_p95(server: Server, path: str, count: int = 300) -> tuple[float, float]:
    """p95 at concurrency 1 of the server's own time (its ``Server-Timing`` header: until the
    answer starts) and of the time the client waited."""
    server_ms, client_ms = [], []
    with httpx.Client(base_url=server.base, timeout=30) as client:
        for _ in range(20):
            client.get(path)
        for _ in range(count):
            began = time.perf_counter()
            response = client.get(path)
            response.raise_for_status()
            client_ms.append((time.perf_counter() - began) * 1000)
            timing = re.search(r"dur=([\d.]+)", response.headers["server-timing"])
            server_ms.append(float(timing.group(1)))

    def p95(values: list[float]) -> float:
        return sorted(values)[int(0.95 * len(values)) - 1]
    return p95(server_ms), p95(client_ms)


def servers(url: str, with_tipg: bool) -> dict[str, tuple[list[str], dict[str, str], str]]:
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    uvicorn = [sys.executable, "-m", "uvicorn"]
    found = {
        "lernorte": ([*uvicorn, "app.main:create_app", "--factory"],
                     {"DATABASE_URL": url, "LERNORTE_TILES_ENABLED": "false",
                      "LERNORTE_LOG_LEVEL": "WARNING"}, "/readyz"),
        "bare": ([*uvicorn, "bench.bare_app:app"], {"DATABASE_URL": url},
                 f"/places?bbox={STREET}&limit=1"),
    }
    if with_tipg:
        found["tipg"] = ([str(ensure_tipg()), "tipg.main:app"],
                         # Tables are named schema.table (tipg's catalog compares
                         # "public.places"; a bare "places" publishes no collection and every
                         # items request is a 404); no functions, only the table.
                         {"DATABASE_URL": plain, "TIPG_DB_SCHEMAS": '["public"]',
                          "TIPG_DB_TABLES": '["public.places"]', "TIPG_DB_FUNCTIONS": "[]",
                          "TIPG_MAX_FEATURES_PER_QUERY": "10000"},
                         "/collections/public.places/items?limit=1")
    return found


def machine_notes(count: int, pg_version: str) -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return [f"- places in the database: {count:,} (synthetic, `python -m bench.generate`)",
            f"- machine: {os.cpu_count()} cores ({cpu}), {platform.platform()}",
            f"- PostgreSQL {pg_version}, Python {platform.python_version()}, one uvicorn worker each",
            f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"]


def write_results(results: dict[str, dict[str, Measurement]],
                  latencies: dict[str, tuple[float, float, int]],
                  notes: list[str], seconds: int, connections: int) -> None:
    lines = ["# Benchmark results", "", "Produced by `python -m bench.run`; see bench/README.md.",
             "", *notes, f"- wrk: 1 thread, {connections} connections, {seconds} s per row", "",
             "| scenario | server | req/s | × bare | p50 ms | p99 ms | app CPU ms/req | "
             "DB CPU ms/req | bytes |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for scenario, by_server in results.items():
        bare = by_server.get("bare")
        for name, m in by_server.items():
            ratio = f"{m.rps / bare.rps:.2f}" if bare else "–"
            lines.append(f"| {scenario} | {name} | {m.rps:.0f} | {ratio} | {m.p50_ms:.1f} | "
                         f"{m.p99_ms:.1f} | {m.app_cpu_ms:.2f} | {m.db_cpu_ms:.2f} | {m.bytes:,} |")
    if latencies:
        lines += ["", "What one map view waits for: each of the map's requests alone, one at a time "
                      "(300 in a row), p95 of the server's own time (its `Server-Timing` header) "
                      "and of the time the client waited.", "",
                  "| map request | server p95 ms | client p95 ms | bytes |",
                  "| --- | ---: | ---: | ---: |"]
        for scenario, (server_ms, client_ms, size) in latencies.items():
            lines.append(f"| {scenario} | {server_ms:.1f} | {client_ms:.1f} | {size:,} |")
    RESULTS.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--count", type=int, default=1_000_000, help="synthetic places")
    parser.add_argument("-d", "--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("-c", "--connections", type=int, default=8)
    parser.add_argument("--no-tipg", action="store_true", help="skip tipg")
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    parser.add_argument("--stop", action="store_true", help="stop the benchmark database")
    args = parser.parse_args(argv)
    if args.stop:
        Cluster(BENCH_DIR).stop()
        return 0
    wrk = ensure_wrk()
    cluster, url = start_database()
    have = asyncio.run(synthetic_count(url))
    if have < args.count:
        asyncio.run(generate(url, args.count - have, chunk=100_000))
    pg_version = subprocess.run([str(find_pg_bin(install=False) / "postgres"), "--version"],
                                capture_output=True, text=True).stdout.split()[-1]
    chosen = [s for s in scenarios() if not args.only or args.only in s.name]
    results: dict[str, dict[str, Measurement]] = {s.name: {} for s in chosen}
    latencies: dict[str, tuple[float, float, int]] = {}
    for name, (command, env, probe) in servers(url, not args.no_tipg).items():
        server = Server(name, command, env)
        try:
            server.wait(probe)
            for scenario in chosen:
                for variant, path in scenario.paths.items():
                    if server_of(variant) != name:
                        continue
                    try:
                        m = measure(wrk, server, cluster, path, args.duration, args.connections)
                    except RuntimeError as exc:  # one server failing must not lose the others
                        print(f"{scenario.name:45} {variant:15} FAILED: {exc}", file=sys.stderr)
                        continue
                    results[scenario.name][variant] = m
                    print(f"{scenario.name:45} {variant:15} {m.rps:8.0f} req/s  p50 "
                          f"{m.p50_ms:6.1f} ms  p99 {m.p99_ms:6.1f} ms  {m.bytes:>9,} B",
                          file=sys.stderr)
                    if variant == "lernorte (map)" or scenario.name.startswith("clusters"):
                        latencies[scenario.name] = (*sequential_p95(server, path), m.bytes)
        finally:
            server.stop()
    write_results(results, latencies, machine_notes(max(have, args.count), pg_version),
                  args.duration, args.connections)
    print(f"results written to {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
