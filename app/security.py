"""Security headers on every response, and CORS for the public read API only.

One ASGI middleware decides every header from the request path, so the policy can be read in one
place:

* A Content Security Policy without ``'unsafe-inline'`` scripts: pages load scripts only from the
  app. Styles allow ``'unsafe-inline'`` because Leaflet positions tiles, markers and popups with
  inline ``style`` attributes and markercluster sets sizes the same way; a style cannot run code,
  so the cost is small compared with forking Leaflet.
* Images from the app, ``data:`` URLs (Leaflet's and markercluster's CSS use them) and the tile
  host derived from ``tile_url`` (no tile host at all when tiles are off).
* No framing (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), except ``/embed`` and
  ``/embed/...``, which the origins in ``embed_allowed_origins`` may frame. Old browsers only know
  ``X-Frame-Options``, which cannot name several origins: embed responses leave it out.
* A route that needs a different script policy (the self-contained static export with its inline
  scripts) builds its header with :func:`content_security_policy` and sets it itself; the
  middleware keeps a policy a route has set and adds the rest.
* CORS only for public, cookie-free reads (``CORS_PATHS``), never for ``/admin``: credentials are
  never allowed, so even ``*`` exposes nothing that ``curl`` could not fetch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:  # app.config validates its origin settings with check_origins from here
    from app.config import Settings

# Public reads that other sites' scripts may fetch (path prefixes).
CORS_PATHS = ("/api/places", "/api/categories", "/api/gazetteer", "/ogc", "/oembed")
EMBED_PATH = "/embed"
ORIGIN = re.compile(r"^https?://[^/\s?#'\";,]+$")


def is_embed_path(path: str) -> bool:
    return path == EMBED_PATH or path.startswith(EMBED_PATH + "/")


def check_origins(origins: Iterable[str], setting: str) -> list[str]:
    """Origins as ``scheme://host[:port]`` (or the single entry ``*``); anything else is refused,
    because a stray path or quote would silently break or widen the policy."""
    cleaned = [o.strip().rstrip("/") for o in origins if o.strip()]
    if cleaned == ["*"]:
        return cleaned
    for origin in cleaned:
        if not ORIGIN.match(origin):
            raise ValueError(f"{setting}: {origin!r} is not an origin such as "
                             "https://www.example.de (or use * alone)")
    return cleaned


def tile_source(tile_url: str, tiles_enabled: bool) -> str | None:
    """The CSP source for the tile server: ``https://{s}.tile.example.org/{z}/…`` becomes
    ``https://*.tile.example.org``; a path on the app itself needs nothing beyond ``'self'``."""
    if not tiles_enabled:
        return None
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return None
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}"


def frame_ancestors(settings: Settings, path: str) -> str:
    if not is_embed_path(path):
        return "'none'"
    origins = settings.embed_allowed_origins
    if origins == ["*"]:
        return "*"
    return " ".join(["'self'", *origins])


def content_security_policy(settings: Settings, path: str, *, script_src: str = "'self'",
                            style_src: str = "'self' 'unsafe-inline'") -> str:
    img = ["'self'", "data:"]
    tiles = tile_source(settings.tile_url, settings.tiles_enabled)
    if tiles:
        img.append(tiles)
    return "; ".join([
        "default-src 'self'",
        f"script-src {script_src}",
        f"style-src {style_src}",
        f"img-src {' '.join(img)}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors(settings, path)}",
    ])


def _policy_for(settings: Settings, path: str) -> str:
    return content_security_policy(settings, path)


class SecurityHeaders:
    """Adds the security headers to every HTTP response; CORS for the public read paths."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        # Public reads only: GET/HEAD, no cookies; ETag/Link readable by scripts for caching and
        # paging. Preflights are answered here, before any route runs.
        self.cors = CORSMiddleware(app, allow_origins=settings.cors_origins,
                                   allow_methods=["GET", "HEAD", "OPTIONS"],
                                   allow_headers=["Accept", "Accept-Language", "If-None-Match"],
                                   allow_credentials=False,
                                   expose_headers=["ETag", "Link", "Content-Language"],
                                   max_age=3600)
        self._policies: dict[str, str] = {}

    def _headers(self, path: str) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        if not is_embed_path(path):
            headers.append((b"x-frame-options", b"DENY"))
        return headers

    def _policy(self, path: str) -> bytes:
        # Two kinds of policy exist (embed, everything else): cache by kind, not by path.
        kind = "embed" if is_embed_path(path) else ""
        if kind not in self._policies:
            self._policies[kind] = _policy_for(self.settings, path)
        return self._policies[kind].encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in self._headers(path) if h[0] not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", self._policy(path)))
                message = {**message, "headers": headers}
            await send(message)

        inner = self.cors if path.startswith(CORS_PATHS) else self.app
        await inner(scope, receive, send_with_headers)
