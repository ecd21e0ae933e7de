"""HTTP caching and compression of public reads.

Validators: one row, ``data_version``, is bumped by triggers on every change to public data
(migration 0003), whoever makes it — the admin, the importer, plain SQL. So an ETag is the hash of
that version, the code that renders it, the full URL and the request headers that choose the
representation; it changes the moment an edit commits. A request whose ``If-None-Match`` (or,
without it, ``If-Modified-Since``) still matches is answered 304 before the handler runs: a
revalidation costs one primary-key read instead of the query.

ETags are weak (``W/``): the same data is sent gzipped or plain, which are different bytes but
the same content, and weak comparison is all that GET revalidation needs.

Only public, cookie-free data gets shared caching (``PUBLIC_PATHS``). Nothing under /admin, no
request carrying the session cookie and no response that sets a cookie or its own Cache-Control
is touched, so nobody's session can end up in a proxy.
"""

from __future__ import annotations

import hashlib
from contextvars import ContextVar
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.datastructures import URL, Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.db import DRIVER_ERRORS, Prepared, share_read_connection

# Path prefixes of public data. Pages that only carry the app shell (/, /embed) are static assets'
# business; pages that can differ per user never belong here.
PUBLIC_PATHS = ("/api/places", "/api/categories", "/api/clusters", "/api/gazetteer", "/ogc",
                "/downloads", "/orte/")
# Request headers that choose between representations of one URL (OGC's f= default is Accept;
# server-rendered pages take the language from Accept-Language or a cookie).
VARY = ("accept", "accept-language", "cookie")
# Compressing less than this costs more than it saves (headers, CPU, one TCP packet anyway).
GZIP_MINIMUM_BYTES = 500
# zlib's own default rather than Starlette's 9: level 9 spent 9.5 ms of a town's 1,000 places
# (335 KB) and 3 ms of Germany's clusters, level 6 4.3 and 1.0 ms for 3 % more bytes (35.9
# instead of 34.7 KB); the server's time is what a person waits for on a map move.
GZIP_LEVEL = 6
APP_ROOT = Path(__file__).resolve().parent
# What renders answers besides the data: the code and templates, and the interface translations.
RENDERING_SOURCES = (APP_ROOT, APP_ROOT.parent / "frontend" / "i18n")


def is_public(path: str) -> bool:
    return path.startswith(PUBLIC_PATHS)


@lru_cache
def code_fingerprint() -> str:
    """A digest of the code and templates that render answers: a new release must not be
    answered 304 for what the old one rendered. The same in every worker process."""
    digest = hashlib.sha256()
    for root in RENDERING_SOURCES:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".j2", ".json", ".txt") and path.is_file():
                digest.update(path.relative_to(root.parent).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_DATA_VERSION = Prepared.of(text("SELECT version, changed_at FROM data_version"))


async def data_version(conn: AsyncConnection) -> tuple[int, datetime]:
    """The current version of the public data and when it last changed (asked before every
    public read, so on the driver itself: see app.db.Prepared)."""
    version, changed_at = await _DATA_VERSION.fetchrow(conn, {})
    return version, changed_at


# Set while a request is answered from data older than the version its validators would name
# (app/derived.py serves the last gazetteer while the next is built): such an answer is sent
# uncached, or a client would keep it, revalidated as current, until the next change.
_ANSWERED_FROM_OLDER_DATA: ContextVar[bool] = ContextVar("answered_from_older_data",
                                                         default=False)


def answered_from_older_data() -> None:
    _ANSWERED_FROM_OLDER_DATA.set(True)


def make_etag(version: int, url: str, headers: Headers) -> str:
    parts = [code_fingerprint(), str(version), url, *(headers.get(h, "") for h in VARY)]
    return 'W/"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32] + '"'


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 8.8.3.2) against a list of entity tags."""
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def not_modified(headers: Headers, etag: str, changed_at: datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only without it."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says
    if since.tzinfo is None:
        return False
    return changed_at.replace(microsecond=0) <= since


class ConditionalCache:
    """ETag, Last-Modified, Cache-Control and 304 for GET/HEAD of public data."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.session_cookie = settings.session_cookie
        # Browsers and proxies reuse an answer this long without asking; after that a
        # revalidation is a cheap 304. A minute bounds how long a fresh edit can stay invisible
        # while sparing the database the reloads of a busy map.
        self.cache_control = f"public, max-age={settings.cache_max_age_s}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not is_public(scope["path"])):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.session_cookie in cookie_parser(headers.get("cookie", "")):
            await self.app(scope, receive, send)
            return
        engine: AsyncEngine = scope["app"].state.engine
        # One connection for the data version and the handler's queries (db.get_connection):
        # a second pool checkout would cost a ping, a BEGIN and a ROLLBACK more per request.
        # Autocommit, because these are reads: no BEGIN/COMMIT round trips either.
        conn = engine.connect()
        try:
            await conn.start()
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            version, changed_at = await data_version(conn)
        except (SQLAlchemyError, OSError, *DRIVER_ERRORS):
            await _close(conn)
            # No validators without the database; the handler reports the outage itself.
            await self.app(scope, receive, send)
            return
        try:
            await self._answer(scope, receive, send, headers, conn, version, changed_at)
        finally:
            await _close(conn)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, headers: Headers,
                      conn: AsyncConnection, version: int, changed_at: datetime) -> None:
        etag = make_etag(version, str(URL(scope=scope)), headers)
        # A burst of edits can move changed_at a few seconds ahead of the clock (one second per
        # transaction, see migration 0003); HTTP forbids a Last-Modified in the future. Such a
        # date just cannot satisfy If-Modified-Since until the clock catches up.
        last_modified = min(changed_at, datetime.now(UTC))
        validators = [("etag", etag), ("last-modified", http_date(last_modified)),
                      ("cache-control", self.cache_control),
                      ("vary", "Accept, Accept-Language")]
        if not_modified(headers, etag, changed_at):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k.encode(), v.encode()) for k, v in validators]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_validators(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                response_headers = MutableHeaders(scope=message)
                if _ANSWERED_FROM_OLDER_DATA.get():
                    response_headers["cache-control"] = "no-store"
                elif ("set-cookie" not in response_headers
                      and "cache-control" not in response_headers):
                    for name, value in validators:
                        if name == "vary":
                            response_headers.add_vary_header(value)
                        else:
                            response_headers[name] = value
            await send(message)

        share_read_connection(scope, conn)
        _ANSWERED_FROM_OLDER_DATA.set(False)
        await self.app(scope, receive, send_with_validators)


async def _close(conn: AsyncConnection) -> None:
    try:
        await conn.close()
    except (SQLAlchemyError, OSError):
        pass  # a connection the outage broke; the pool has already discarded it


def install(app: ASGIApp, settings: Settings) -> None:
    """Conditional requests inside, gzip around them (a 304 has no body to compress)."""
    app.add_middleware(ConditionalCache, settings=settings)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)
