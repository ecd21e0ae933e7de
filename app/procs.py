"""Several app processes behind nginx on one port: ``lernorte serve --workers N`` with N > 1.

Each worker is its own uvicorn on an internal port of 127.0.0.1; nginx (the Debian package)
listens on the public port and spreads requests over them. Nothing is shared between the
workers but the database (sessions, edits and the data version all live there), so a request
may land on any of them. Metrics are summed over the workers through a shared
``PROMETHEUS_MULTIPROC_DIR``.

Stopping (Ctrl-C or SIGTERM): nginx stops taking connections and finishes what it proxies, then
every worker gets SIGTERM and finishes its requests in flight (uvicorn's graceful shutdown).
"""

from __future__ import annotations

import os
from collections.abc import Callable
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.cluster import ClusterError


def answers_in_time(url: str, alive: Callable[[], bool], timeout_s: float,
                    interval_s: float = 0.2) -> bool:
    """Whether ``url`` answers 200 before ``timeout_s`` runs out, asking again every
    ``interval_s`` while ``alive()`` (the process that should answer has not exited)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and alive():
        try:
            if httpx.get(url, timeout=max(interval_s, 1)).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(interval_s)
    return False

NGINX_CONF = """\
{user}
worker_processes auto;
pid {run}/nginx.pid;
error_log stderr warn;
daemon off;

events {{ worker_connections 4096; }}

http {{
    access_log off;           # the app logs every request, with the id nginx passes on
    server_tokens off;
    client_max_body_size 50m; # imports
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;

    upstream lernorte {{
        # Shared by nginx's worker processes (one per core): without it each keeps its own
        # connection counts and turn, and starts with the first app worker. With 64 cores the
        # 30 requests of tests/ops/test_processes.py all reached one app worker; with it 15/15.
        zone lernorte 64k;
        least_conn;
{servers}
        keepalive 64;
    }}

    map $http_x_request_id $lernorte_request_id {{
        default $http_x_request_id;
        ""      $request_id;
    }}

    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://lernorte;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $lernorte_request_id;
            # A worker that is restarting: try the next one, for requests that are safe to repeat.
            proxy_next_upstream error timeout http_502;
            proxy_read_timeout 60s;
        }}
        # Metrics are for the monitoring system on this host, not for the internet.
        location = /metrics {{
            allow 127.0.0.1;
            allow ::1;
            deny all;
            proxy_pass http://lernorte;
        }}
    }}
}}
"""


def find_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise ClusterError("several workers need nginx: run `scripts/system-deps.sh nginx` "
                           "(or apt-get install nginx), or serve with --workers 1")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_config(host: str, port: int, worker_ports: list[int], run_dir: Path) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;"
                        for p in worker_ports)
    # As root the master process switches its workers to an unprivileged user.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    return NGINX_CONF.format(user=user, run=run_dir, servers=servers, host=host, port=port)


@dataclass
class ProcessGroup:
    """N uvicorn workers and the nginx in front of them."""

    host: str
    port: int
    workers: int
    graceful_s: int
    run_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lernorte-procs-")))
    children: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    def start(self) -> None:
        nginx = find_nginx()
        metrics_dir = self.run_dir / "metrics"
        metrics_dir.mkdir()
        os.chmod(self.run_dir, 0o755)
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
        ports = [_free_port() for _ in range(self.workers)]
        for number, worker_port in enumerate(ports, 1):
            self.children.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(worker_port), "--no-access-log",
                 "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1",
                 "--timeout-graceful-shutdown", str(self.graceful_s)],
                env=env, process_group=0))
            print(f"lernorte: worker {number} on http://127.0.0.1:{worker_port}", file=sys.stderr)
        for worker_port in ports:
            self._wait_ready(worker_port)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_config(self.host, self.port, ports, self.run_dir))
        # Own process groups: Ctrl-C reaches only us, and we stop everyone in the right order.
        self.nginx = subprocess.Popen([nginx, "-p", str(self.run_dir), "-e", "stderr",
                                       "-c", str(conf)], process_group=0)
        print(f"lernorte: serving on http://{self.host}:{self.port} "
              f"(nginx, {self.workers} workers)", file=sys.stderr)

    def _wait_ready(self, worker_port: int, timeout_s: float = 60) -> None:
        def all_alive() -> bool:
            return all(child.poll() is None for child in self.children)

        if answers_in_time(f"http://127.0.0.1:{worker_port}/healthz", all_alive, timeout_s, 0.1):
            return
        if not all_alive():
            raise ClusterError("a worker exited during start-up (see its messages above)")
        raise ClusterError(f"the worker on port {worker_port} did not start in {timeout_s} s")

    def wait(self) -> int:
        """Block until a signal or until any process dies; then stop everything."""
        stop = {"signal": None}

        def on_signal(signum: int, _frame: object) -> None:
            stop["signal"] = signum

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            while stop["signal"] is None:
                if any(p.poll() is not None for p in self._all()):
                    print("lernorte: a process exited; stopping the others", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()

    def _all(self) -> list[subprocess.Popen]:
        return [*self.children, *([self.nginx] if self.nginx else [])]

    def stop(self) -> None:
        # nginx first (SIGQUIT: stop accepting, finish proxied requests), then the workers.
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.graceful_s + 5
        for process in self._all():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def exit_cleanly_on_sigterm() -> None:
    """After its graceful shutdown uvicorn raises the signal again; without a handler SIGTERM
    would kill us before ``finally`` blocks run (stopping the private database). A handler that
    exits normally lets them run, with status 0 as service managers expect."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))


def serve_many(host: str, port: int, workers: int, graceful_s: int) -> int:
    group = ProcessGroup(host, port, workers, graceful_s)
    try:
        group.start()
    except BaseException:
        group.stop()
        raise
    return group.wait()
