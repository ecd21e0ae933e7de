"""What operators see: one JSON log line per event, request ids, and Prometheus metrics.

Every request gets an id: the caller's ``X-Request-ID`` when it is a sane token (a proxy such as
nginx sets one), a new one otherwise. The id is echoed in the response header and carried by
every log line written while the request runs, so one line in a bug report finds the rest.
``Server-Timing`` tells how long the server took until the answer started.

``/metrics`` speaks the Prometheus text format: requests and latencies by route *template* (not
by raw path, so ``/api/places/1`` and ``/api/places/2`` are one series and random 404 paths
cannot blow up the number of series) and the database pool. When several processes serve the
app, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``app.procs``) lets any one of them report the sum.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               disable_created_metrics, generate_latest, multiprocess)
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.disconnect import CLIENT_CLOSED_REQUEST, client_gone

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is reused only if it cannot smuggle anything into logs or headers.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

access_log = logging.getLogger("lernorte.access")

# The *_created series double the output and no dashboard reads them.
disable_created_metrics()

REQUESTS = Counter("lernorte_http_requests_total", "HTTP requests answered",
                   ("method", "route", "status"))
LATENCY = Histogram("lernorte_http_request_duration_seconds",
                    "Time from receiving a request to the end of its response",
                    ("method", "route"),
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
IN_FLIGHT = Gauge("lernorte_http_requests_in_flight", "Requests being answered",
                  multiprocess_mode="livesum")
POOL_CHECKED_OUT = Gauge("lernorte_db_pool_checked_out", "Database connections in use",
                         multiprocess_mode="livesum")
POOL_IDLE = Gauge("lernorte_db_pool_idle", "Open database connections waiting in the pool",
                  multiprocess_mode="livesum")
POOL_OVERFLOW = Gauge("lernorte_db_pool_overflow",
                      "Connections beyond the pool size (negative: room left before the size)",
                      multiprocess_mode="livesum")
POOL_SIZE = Gauge("lernorte_db_pool_size", "Configured size of the database pool",
                  multiprocess_mode="livesum")


class JSONFormatter(logging.Formatter):
    """One JSON object per line, so log shippers need no parsing rules."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            entry["request_id"] = rid
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


_HANDLER_NAME = "lernorte-json"


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Route our own and uvicorn's loggers through one handler on stderr (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    if fmt == "json":
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's access log duplicates ours without the request id; its error log is kept but
    # goes through our handler instead of uvicorn's own plain-text one.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def _route_label(app: FastAPI, scope: Scope) -> str:
    route = scope.get("route")
    if route is not None:
        return route.path
    path = scope.get("path", "")
    for candidate in app.routes:
        if isinstance(candidate, Mount) and path.startswith(candidate.path + "/"):
            return candidate.path + "/*"
    return "<unmatched>"


def update_pool_gauges(app: FastAPI) -> None:
    engine = getattr(app.state, "engine", None)
    if engine is None:
        return
    pool = engine.pool
    for gauge, reading in ((POOL_CHECKED_OUT, "checkedout"), (POOL_IDLE, "checkedin"),
                           (POOL_OVERFLOW, "overflow"), (POOL_SIZE, "size")):
        value = getattr(pool, reading, None)
        if callable(value):
            gauge.set(value())


class ObservabilityMiddleware:
    """Request id in and out, one access log line and the metrics of every HTTP request.

    A pure ASGI middleware rather than ``BaseHTTPMiddleware``: it adds no task per request and
    does not buffer streamed responses.
    """

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER)
        rid = incoming if incoming and _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != REQUEST_ID_HEADER.encode()]
                headers.append((b"x-request-id", rid.encode()))
                # Time until the answer starts, so a benchmark or a browser's network panel can
                # tell the server's share of a slow request from the network's and the client's.
                elapsed_ms = (time.perf_counter() - start) * 1000
                headers.append((b"server-timing", f"app;dur={elapsed_ms:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            IN_FLIGHT.dec()
            if client_gone(scope):
                status = CLIENT_CLOSED_REQUEST
            elapsed = time.perf_counter() - start
            route = _route_label(self.fastapi_app, scope)
            method = scope.get("method", "")
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            update_pool_gauges(self.fastapi_app)
            access_log.info("request", extra={"fields": {
                "method": method, "path": scope.get("path"), "route": route, "status": status,
                "duration_ms": round(elapsed * 1000, 2),
                "client": (scope.get("client") or ("", 0))[0]}})
            request_id.reset(token)


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return value.decode("latin-1")
    return None


router = APIRouter()


def _may_read_metrics(request: Request) -> bool:
    if request.client is None:  # in-process test client
        return True
    try:
        address = ipaddress.ip_address(request.client.host)
    except ValueError:
        return request.client.host == "testclient"
    return any(address in ipaddress.ip_network(net)
               for net in request.app.state.settings.metrics_networks)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    if not _may_read_metrics(request):
        return Response("metrics are only for the monitoring network\n", status_code=403,
                        media_type="text/plain")
    update_pool_gauges(request.app)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI, log_level: str, log_format: str) -> None:
    configure_logging(log_level, log_format)
    app.add_middleware(ObservabilityMiddleware, fastapi_app=app)
    app.include_router(router)
