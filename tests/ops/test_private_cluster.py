"""The private cluster under .data keeps its address across a restart, so a running server
finds its database again after `lernorte db stop` and `lernorte db start`."""

import os
import socket
import tempfile
from pathlib import Path

import httpx
import pytest

from app.cluster import Cluster
from app.migrate import upgrade


@pytest.fixture
def cluster():
    root = Path(tempfile.mkdtemp(prefix="lernorte-private-"))
    os.chmod(root, 0o755)
    cluster = Cluster(root, extra_options=("-c fsync=off",))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_a_restart_keeps_the_port_and_a_running_server_reconnects(cluster, start_server):
    url = cluster.url()
    upgrade(url)
    server = start_server(url)
    api = httpx.Client(base_url=server.url, timeout=15)
    assert api.get("/api/places").status_code == 200
    cluster.stop()
    assert api.get("/api/places").status_code == 503
    cluster.start()
    assert cluster.url() == url
    assert api.get("/readyz").status_code == 200
    assert api.get("/api/places").status_code == 200


def test_a_restart_moves_to_another_port_only_when_its_own_is_taken(cluster):
    port = int(cluster.port_file.read_text())
    cluster.stop()
    with socket.socket() as squatter:
        # A listener takes the port; the stopped server's last connections may still linger on
        # it in TIME_WAIT, which only a bind without SO_REUSEADDR minds (CI saw that once).
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        cluster.start()
        assert int(cluster.port_file.read_text()) != port
