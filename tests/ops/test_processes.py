"""Several app processes behind nginx on one port, and shutdowns that finish what is in flight."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson
import psycopg
import pytest

from app.config import PROJECT_ROOT
from tests.conftest import _free_port, lernorte, sql, url_of


class Serve:
    """``lernorte serve`` as an operator starts it, output captured in a file."""

    def __init__(self, database_url: str, *args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="lernorte-serve-", suffix=".log")[1])
        env = {**os.environ, "DATABASE_URL": database_url, "LERNORTE_TILES_ENABLED": "false"}
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve", "--no-demo", "--port", str(self.port),
                 *args], env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"not ready:\n{self.log.read_text()}")

    def worker_urls(self) -> list[str]:
        return re.findall(r"worker \d+ on (http://127\.0\.0\.1:\d+)", self.log.read_text())

    def log_entries(self) -> list[dict]:
        return [orjson.loads(line) for line in self.log.read_text().splitlines()
                if line.startswith("{")]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@pytest.fixture
def serve():
    started: list[Serve] = []

    def start(database_url: str, *args: str) -> Serve:
        started.append(Serve(database_url, *args))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _name_of(base: str, place_id: int) -> str:
    response = httpx.get(f"{base}/api/places/{place_id}", timeout=10)
    assert response.status_code == 200
    return response.json()["properties"]["name"]


def _port_open(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=1)
        return True
    except httpx.HTTPError:
        return False


def test_two_workers_behind_nginx_share_one_state(serve, pg, fresh_db, fresh_url, tmp_path):
    server = serve(fresh_url, "--workers", "2")
    workers = server.worker_urls()
    assert len(workers) == 2 and all(_port_open(w) for w in workers)

    # nginx spreads requests over both processes (seen in their JSON logs by pid).
    ids = [f"spread-{i}" for i in range(30)]
    for rid in ids:
        assert httpx.get(f"{server.url}/api/places", params={"limit": 1},
                         headers={"X-Request-ID": rid}, timeout=10).status_code == 200
    time.sleep(0.5)
    pids = {e["pid"] for e in server.log_entries() if e.get("request_id") in ids}
    assert len(pids) == 2

    def validators() -> list[tuple[str, str]]:
        answers = [httpx.get(f"{w}/api/places", timeout=10) for w in workers]
        return [(a.headers["etag"], a.headers["last-modified"]) for a in answers]

    before = validators()
    # A write in the database (an import, as an administrator runs it) ...
    csv = tmp_path / "rename.csv"
    [(source, source_id)] = sql(pg, fresh_db, "SELECT source, source_id FROM places WHERE id = 1")
    csv.write_text("source,source_id,name,categories,lon,lat,status\n"
                   f"{source},{source_id},Umbenannt über den Import,grundschule,9.68,50.55,"
                   "published\n")
    result = lernorte(fresh_url, "import", str(csv))
    assert result.returncode == 0, result.stdout + result.stderr
    # ... is seen at once through every process and through nginx: no process keeps a stale copy.
    for base in (*workers, server.url):
        assert _name_of(base, 1) == "Umbenannt über den Import"
    after = validators()
    # Every process's cache validators moved on, to the same moment (ETags include the URL,
    # which names the worker's port, so they are compared per worker).
    assert all(a[0] != b[0] for a, b in zip(after, before))
    assert after[0][1] == after[1][1]

    # Metrics through nginx from this host cover both workers.
    metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
    total = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                if line.startswith('lernorte_http_requests_total{') and 'route="/api/places"' in line)
    assert total >= 32

    assert server.stop() == 0
    assert not any(_port_open(u) for u in (*workers, server.url))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_shutdown_finishes_requests_in_flight(serve, pg, fresh_db, fresh_url, workers):
    server = serve(fresh_url, "--workers", workers)
    answers: list[httpx.Response | Exception] = []
    # Hold a lock the request needs, so that it is still running when the stop comes.
    with psycopg.connect(url_of(pg, fresh_db).replace("+asyncpg", "")) as lock:
        lock.execute("LOCK TABLE places IN ACCESS EXCLUSIVE MODE")

        def ask() -> None:
            try:
                answers.append(httpx.get(f"{server.url}/api/places", timeout=30))
            except Exception as exc:  # recorded, asserted below
                answers.append(exc)

        request = threading.Thread(target=ask)
        request.start()
        time.sleep(1.5)  # the request is now waiting for the lock inside the app
        server.process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert server.process.poll() is None, "stopped without waiting for the request"
        assert not _port_open(server.url) or workers == "2"
        lock.rollback()  # release: the request can finish now
    request.join(timeout=30)
    assert server.process.wait(timeout=30) == 0
    assert len(answers) == 1 and isinstance(answers[0], httpx.Response), answers
    assert answers[0].status_code == 200
    assert answers[0].json()["numberMatched"] == 87
