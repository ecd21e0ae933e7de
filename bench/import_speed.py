"""How long `lernorte import` takes for a large file, with the time of each database phase.

    .venv/bin/python -m bench.import_speed                # 100,000 rows into a fresh database
    .venv/bin/python -m bench.import_speed -n 20000 --again   # smaller, then a re-import of it

Runs against the benchmark cluster in .data/bench (started if needed, never stopped here) in a
database of its own, ``import_bench``, dropped and created anew for every run, so the one with a
million synthetic places is never touched. The CSV comes from ``python -m bench.generate --csv``
and is kept under .data/bench for the next run. The import is the real command line tool in a
subprocess; the database logs every statement of ``import_bench`` with its duration
(``log_min_duration_statement = 0`` for that database only), and the log lines of the run are
summed per phase. What the statements do not account for is Python: reading, validating,
sending the COPY data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from app.cluster import Cluster, find_pg_bin
from app.config import PROJECT_ROOT
from app.migrate import upgrade
from bench.run import BENCH_DIR, start_database

DATABASE = "import_bench"
# (phase, pattern on the statement text), first match wins.
PHASES = [
    ("COPY into staging", r"^COPY "),
    ("classify (match existing)", r"UPDATE import_rows r\s+SET place_id = p\.id"),
    ("insert places", r"INSERT INTO places"),
    ("update places", r"UPDATE places p SET"),
    ("history (revisions)", r"INSERT INTO revisions"),
    ("categories", r"place_categories"),
    ("cluster aggregates", r"lernorte_cluster_"),
    ("read indexes (first load)", r"^(CREATE|DROP) INDEX"),
    ("commit", r"^(COMMIT|RELEASE SAVEPOINT)"),
]
LOG_ENTRY = re.compile(r"^(\d{4}-\d\d-\d\d [\d:.]+) \w+ \[(\d+)\] LOG:  duration: ([\d.]+) ms  "
                       r"(?:statement|execute [^:]*|bind [^:]*|parse [^:]*): (.*)$")


def _psql(port: str, sql: str, database: str = "postgres") -> None:
    subprocess.run([str(find_pg_bin(install=False) / "psql"), "-h", "127.0.0.1", "-p", port,
                    "-U", "postgres", "-d", database, "-qAtc", sql], check=True)


def fresh_database(cluster_url: str, explain: bool = False) -> str:
    port = (BENCH_DIR / "port").read_text().strip()
    _psql(port, f"DROP DATABASE IF EXISTS {DATABASE}")
    _psql(port, f"CREATE DATABASE {DATABASE}")
    url = cluster_url.rsplit("/", 1)[0] + f"/{DATABASE}"
    upgrade(url)
    _psql(port, f"ALTER DATABASE {DATABASE} SET log_min_duration_statement = 0")
    if explain:
        # Plans with row counts and trigger times of every statement over half a second, also
        # of those inside functions (the cluster aggregates at commit).
        for setting in ("session_preload_libraries = 'auto_explain'",
                        "auto_explain.log_min_duration = 500", "auto_explain.log_analyze = on",
                        "auto_explain.log_triggers = on", "auto_explain.log_nested_statements = on"):
            _psql(port, f"ALTER DATABASE {DATABASE} SET {setting}")
    return url


def csv_file(count: int) -> Path:
    path = BENCH_DIR / f"import_{count}.csv"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "bench.generate", "-n", str(count), "--csv",
                        str(path)], cwd=PROJECT_ROOT, check=True)
    return path


def statements(log_text: str, since: str) -> list[tuple[str, float, str]]:
    """(backend pid, milliseconds, statement text) of every duration logged from ``since`` (a
    UTC timestamp as the log writes it) on; a statement's text continues on the indented lines
    that follow its entry."""
    found: list[tuple[str, float, str]] = []
    current = False
    for line in log_text.splitlines():
        if line.startswith(("\t", " ")):
            if current:
                pid, ms, text = found[-1]
                found[-1] = (pid, ms, f"{text}\n{line.strip()}")
            continue
        match = LOG_ENTRY.match(line)
        current = bool(match) and match[1] >= since
        if current:
            found.append((match[2], float(match[3]), match[4]))
    return found


def phase_of(statement: str) -> str:
    for phase, pattern in PHASES:
        if re.search(pattern, statement.strip(), re.MULTILINE):
            return phase
    return "other statements"


class BackendCpu(threading.Thread):
    """CPU seconds of the database backends serving ``import_bench``, read from /proc while
    they live (a backend's last reading before it exits is at most ``interval`` old). On a
    machine shared with other work, CPU time is steadier than wall time."""

    def __init__(self, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.seen: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self.done.wait(self.interval):
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    if f" {DATABASE} " not in (proc / "cmdline").read_bytes().decode(errors="replace"):
                        continue
                    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                self.seen[int(proc.name)] = (int(fields[11]) + int(fields[12])) / tick

    def total(self) -> float:
        self.done.set()
        self.join()
        return sum(self.seen.values())


def timed_import(url: str, path: Path, project: Path) -> tuple[float, dict[str, float], str]:
    log = BENCH_DIR / "postgres.log"
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:23]
    backend = BackendCpu()
    backend.start()
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "app.cli", "import", str(path)],
                            env={**os.environ, "DATABASE_URL": url}, cwd=project,
                            capture_output=True, text=True)
    wall = time.perf_counter() - started
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {"client": client_after.ru_utime + client_after.ru_stime
           - client_before.ru_utime - client_before.ru_stime, "database": backend.total()}
    if result.returncode != 0:
        raise SystemExit(f"import failed:\n{result.stderr[-3000:]}")
    # By time, not by offset: other benchmark runs share this log and may truncate it.
    logged = log.read_text(encoding="utf-8", errors="replace")
    logged_statements = statements(logged, since)
    # The backend of the import, not those of a benchmark that may run on another database.
    importing = {pid for pid, _, text in logged_statements if "import_rows" in text}
    phases: dict[str, float] = defaultdict(float)
    for pid, ms, text in logged_statements:
        if pid not in importing:
            continue
        phases[phase_of(text)] += ms / 1000
    summary = result.stdout.strip().splitlines()[0] if result.stdout.strip() else ""
    for line in result.stderr.splitlines():
        if "WARNING" in line or "row by row" in line:
            print(line)
    return wall, cpu, dict(phases), summary


def report(label: str, wall: float, cpu: dict[str, float], phases: dict[str, float],
           summary: str) -> None:
    in_db = sum(phases.values())
    print(f"\n{label}: {wall:.1f} s wall, CPU {cpu['client']:.1f} s in `lernorte import` "
          f"(Python) + {cpu['database']:.1f} s in the database backend — {summary}")
    for phase, _ in [*PHASES, ("other statements", "")]:
        if phase in phases:
            print(f"  {phase:<28} {phases[phase]:7.2f} s")
    print(f"  {'Python (read, validate, …)':<28} {wall - in_db:7.2f} s  (wall minus statements)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--count", type=int, default=100_000, help="rows in the file")
    parser.add_argument("--explain", action="store_true",
                        help="log the plans of slow statements to .data/bench/postgres.log")
    parser.add_argument("--project", type=Path, default=PROJECT_ROOT,
                        help="run `lernorte import` of another checkout, e.g. an older commit "
                             "unpacked with `git archive REV app geo migrations alembic.ini`")
    parser.add_argument("--again", action="store_true",
                        help="import the same file a second time (all rows unchanged)")
    args = parser.parse_args(argv)
    # Started (and the million-place database migrated) only when nobody runs it yet.
    running = Cluster(BENCH_DIR)
    cluster_url = running.url() if running.is_running() else start_database()[1]
    path = csv_file(args.count)
    url = fresh_database(cluster_url, args.explain)
    print(f"importing {path.name} ({args.count:,} rows) into {DATABASE}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    report("first import", *timed_import(url, path, args.project))
    if args.again:
        report("same file again", *timed_import(url, path, args.project))
    return 0


if __name__ == "__main__":
    sys.exit(main())
