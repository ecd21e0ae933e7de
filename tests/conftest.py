"""Test setup: a throwaway PostGIS cluster started by the tests themselves, a template database
with the schema and the demo data, and a fresh copy of it for every test that writes.

Fixtures:
- ``pg``: the cluster (session).
- ``demo_url``: a database with the demo data that tests must not change (session).
- ``fresh_url``: a new copy of the demo database for one test.
- ``empty_url``: a new database without schema, for migration tests.
- ``client`` / ``make_client``: an in-process HTTP client for the app.
- ``live_server`` / ``start_server``: uvicorn in a subprocess, for the browser.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from app.cluster import Cluster
from app.config import PROJECT_ROOT, Settings
from app.procs import answers_in_time
from app.main import create_app

DEMO_GEOJSON = PROJECT_ROOT / "data" / "demo" / "fulda_schools_2016.geojson"
DEMO_CSV = PROJECT_ROOT / "data" / "demo" / "fulda_schools_2016.csv"
TEMPLATE = "lernorte_template"
_counter = itertools.count()

CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def pg() -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="lernorte-test-"))
    os.chmod(root, 0o755)
    cluster = Cluster(root, extra_options=("-c fsync=off", "-c synchronous_commit=off",
                                           "-c full_page_writes=off", "-c max_connections=200"))
    cluster.start()
    try:
        _build_template(cluster)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _port(cluster: Cluster) -> str:
    return cluster.port_file.read_text().strip()


def url_of(cluster: Cluster, name: str, driver: str = "asyncpg") -> str:
    return f"postgresql+{driver}://postgres@127.0.0.1:{_port(cluster)}/{name}"


def sql(cluster: Cluster, database: str, statement: str, params: tuple = ()) -> list[tuple]:
    """Run one statement with psycopg (independent of the app's own driver)."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{_port(cluster)}/{database}",
                         autocommit=True) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else []


def lernorte(database_url: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """The real command-line tool, as a user runs it."""
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, input=input, timeout=300)


def _build_template(cluster: Cluster) -> None:
    cluster.create_database(TEMPLATE)
    url = url_of(cluster, TEMPLATE)
    # In a subprocess: Playwright's sync API may already run an event loop in this thread, and
    # the migrations use asyncio.run().
    result = lernorte(url, "migrate")
    assert result.returncode == 0, result.stderr
    result = lernorte(url, "import", str(DEMO_GEOJSON))
    assert result.returncode == 0, result.stderr


def new_database(cluster: Cluster, template: str | None = TEMPLATE) -> str:
    name = f"t{os.getpid()}_{next(_counter)}"
    cluster.create_database(name, template=template)
    return name


@pytest.fixture(scope="session")
def demo_db(pg: Cluster) -> str:
    return new_database(pg)


@pytest.fixture(scope="session")
def demo_url(pg: Cluster, demo_db: str) -> str:
    return url_of(pg, demo_db)


@pytest.fixture
def fresh_db(pg: Cluster) -> str:
    return new_database(pg)


@pytest.fixture
def fresh_url(pg: Cluster, fresh_db: str) -> str:
    return url_of(pg, fresh_db)


@pytest.fixture
def empty_url(pg: Cluster) -> str:
    return url_of(pg, new_database(pg, template=None))


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(database_url: str, **settings) -> TestClient:
        app = create_app(Settings(database_url=database_url, **settings))
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client, demo_url: str) -> TestClient:
    return make_client(demo_url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="lernorte-server-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port)],
            env={**os.environ, "DATABASE_URL": database_url, "LERNORTE_TILES_ENABLED": "false",
                 **env},
            cwd=PROJECT_ROOT, stdout=self.log, stderr=subprocess.STDOUT,
        )
        if answers_in_time(f"{self.url}/readyz", lambda: self.process.poll() is None, 30, 0.1):
            return
        self.stop()
        raise RuntimeError(f"server did not start:\n{Path(self.log.name).read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="session")
def start_server() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(database_url: str, **env: str) -> Server:
        server = Server(database_url, env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_server(start_server, demo_url: str) -> Server:
    """A real server over the demo data (tiles off: the browser must reach no other host)."""
    return start_server(demo_url)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return {"executable_path": shutil.which("chromium") or "/usr/bin/chromium",
            "args": CHROMIUM_ARGS}
