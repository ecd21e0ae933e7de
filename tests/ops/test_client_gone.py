"""A public read whose reader has gone is cancelled in the database, not finished for nobody."""

import threading
import time
from pathlib import Path

import httpx
import orjson
import psycopg
import pytest

from app.cluster import Cluster
from tests.conftest import sql


def _waiting_on_places(pg: Cluster, db: str) -> list[tuple]:
    """The app's statements of this database that wait for the lock on places."""
    return sql(pg, db, "SELECT pid, query FROM pg_stat_activity WHERE datname = %s "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", (db,))


def test_a_read_whose_client_left_stops_in_the_database(pg, fresh_db, fresh_url, start_server):
    server = start_server(fresh_url)
    port = pg.port_file.read_text().strip()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/{fresh_db}") as locker:
        # A statement that cannot finish while the places are locked: it stands for a count
        # over a national directory that takes seconds.
        locker.execute("LOCK TABLE places IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{server.url}/api/places", params={"q": "Schule"},
                      headers={"X-Request-ID": "gone-1"}, timeout=1.5)
        # The map dropped the answer (the request's connection is closed); the statement stops
        # at once instead of waiting for the lock as long as it is held.
        deadline = time.monotonic() + 5
        while _waiting_on_places(pg, fresh_db) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _waiting_on_places(pg, fresh_db) == []
        locker.rollback()
    # The connection it used is fine for the next reader.
    for _ in range(3):
        assert httpx.get(f"{server.url}/api/places", params={"q": "Schule"}).status_code == 200
    entries = [orjson.loads(line) for line in Path(server.log.name).read_text().splitlines()
               if line.startswith("{")]
    assert [e["status"] for e in entries if e.get("request_id") == "gone-1"] == [499]


def test_a_read_whose_client_waits_is_answered(pg, fresh_db, fresh_url, start_server):
    # The watch for a departure must not cut off a reader who is still there, however long the
    # answer takes.
    server = start_server(fresh_url)
    port = pg.port_file.read_text().strip()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/{fresh_db}") as locker:
        locker.execute("LOCK TABLE places IN ACCESS EXCLUSIVE MODE")
        with httpx.Client(timeout=10) as client:
            answer: dict = {}
            reader = threading.Thread(target=lambda: answer.update(
                response=client.get(f"{server.url}/api/places", params={"q": "Schule"})))
            reader.start()
            time.sleep(1.5)
            locker.rollback()
            reader.join(10)
    assert answer["response"].status_code == 200
    assert answer["response"].json()["numberReturned"] > 0
