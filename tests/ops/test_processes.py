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
from app.procs import answers_in_time
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
        assert answers_in_time(f"{self.url}/readyz", lambda: self.process.poll() is None, 90), \
            f"not ready:\n{self.log.read_text()}"

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
    # nginx's own messages (a worker it left out) are in the same log.
    assert len(pids) == 2, server.log.read_text()[-4000:]

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


PLACE_FIELDS = ("name", "categories", "lon", "lat", "description", "street", "postcode", "city",
                "municipality", "ags", "phone", "email", "website", "provider", "provider_kind",
                "target_groups", "languages", "wheelchair", "accessibility_notes", "opening_hours",
                "status", "last_verified")


def _log_in(base: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=20)
    response = client.post("/api/admin/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def _through(other_base: str, logged_in: httpx.Client) -> httpx.Client:
    """The same browser session (cookie and CSRF token), sent to another process."""
    return httpx.Client(base_url=other_base, timeout=20, cookies=logged_in.cookies,
                        headers={"X-CSRF-Token": logged_in.headers["X-CSRF-Token"]})


def _edit_body(snapshot: dict, **changes) -> dict:
    return {**{k: snapshot.get(k) for k in PLACE_FIELDS if k in snapshot}, **changes}


def test_log_in_through_one_process_edit_through_another_and_races_lose_nothing(
        serve, pg, fresh_db, fresh_url):
    for email in ("anna@example.org", "ben@example.org"):
        made = lernorte(fresh_url, "create-user", email, "--role", "admin", "--password-stdin",
                        input="ein sehr langes Passwort 2026\n")
        assert made.returncode == 0, made.stderr
    server = serve(fresh_url, "--workers", "2")
    a, b = server.worker_urls()

    # Logged in through worker A, the session works through worker B (and through nginx).
    anna_a = _log_in(a, "anna@example.org", "ein sehr langes Passwort 2026")
    anna_b = _through(b, anna_a)
    assert anna_b.get("/api/admin/me").json()["user"]["email"] == "anna@example.org"
    snapshot = anna_b.get("/api/admin/places/1").json()["place"]
    saved = anna_b.put("/api/admin/places/1",
                       json=_edit_body(snapshot, name="Über B gespeichert",
                                       version=snapshot["version"], confirm=True))
    assert saved.status_code == 200, saved.text
    assert _name_of(a, 1) == _name_of(server.url, 1) == "Über B gespeichert"

    # Two editors save the same version of a place at the same moment, through different
    # processes: one wins, the other gets 409 with the current place; nothing is lost silently.
    ben_b = _log_in(b, "ben@example.org", "ein sehr langes Passwort 2026")
    for round_ in range(5):
        current = anna_a.get("/api/admin/places/2").json()["place"]
        revisions = sql(pg, fresh_db, "SELECT count(*) FROM revisions WHERE place_id = 2")[0][0]
        start = threading.Barrier(2)
        results: dict[str, httpx.Response] = {}

        def save(who: str, client: httpx.Client) -> None:
            body = _edit_body(current, name=f"{who} Runde {round_}", version=current["version"],
                              confirm=True)
            start.wait()
            results[who] = client.put("/api/admin/places/2", json=body)

        threads = [threading.Thread(target=save, args=("Anna", anna_a)),
                   threading.Thread(target=save, args=("Ben", ben_b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        statuses = sorted(r.status_code for r in results.values())
        assert statuses == [200, 409], {k: (r.status_code, r.text[:200]) for k, r in results.items()}
        winner = next(who for who, r in results.items() if r.status_code == 200)
        loser = next(r for r in results.values() if r.status_code == 409)
        assert winner in loser.text  # the loser sees what the winner saved
        assert _name_of(server.url, 2) == f"{winner} Runde {round_}"
        assert sql(pg, fresh_db, "SELECT count(*) FROM revisions WHERE place_id = 2")[0][0] \
            == revisions + 1


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
