"""The frontend's own files and the few vendor files it needs, served by the app itself.

Nothing is loaded from a CDN. Only allow-listed files are served: the app's frontend (``/static``)
and named files from ``frontend/node_modules`` (``/vendor``). Vendor URLs carry the package
version, so they can be cached for a year; the app's own files are revalidated by ETag.
Responses are gzip-compressed once and kept in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.config import PROJECT_ROOT
from app.errors import NotFound

FRONTEND = PROJECT_ROOT / "frontend"
NODE_MODULES = FRONTEND / "node_modules"
# The app's own frontend folders and the file kinds they may hold.
STATIC_DIRS = ("src", "css", "icons", "i18n", "embed", "admin", "docs")
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
COMPRESSIBLE = {".js", ".css", ".json", ".svg"}
# package → files under it that a page may load.
VENDOR_FILES = {
    "leaflet": ("dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png",
                "dist/images/layers-2x.png"),
    "leaflet.markercluster": ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css"),
    "swagger-ui-dist": ("swagger-ui-bundle.js", "swagger-ui.css"),
}
YEAR = 365 * 24 * 3600
# Lines holding only a comment are emptied in the app's own JavaScript: the comments explain why
# to the people who read the repository, and were a quarter of what browsers downloaded of it
# (6 of 25 KB gzipped). Emptied rather than removed, so that an error's line number in the
# browser's console is the source's.
COMMENT_LINE = re.compile(rb"^[ \t]*//[^\n]*", re.MULTILINE)

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


@lru_cache(maxsize=256)
def _load(path: Path, mtime_ns: int, own: bool) -> Asset:
    body = path.read_bytes()
    if own and path.suffix == ".js":
        body = COMMENT_LINE.sub(b"", body)
    gzipped = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
    if gzipped is not None and len(gzipped) >= len(body):
        gzipped = None
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return Asset(body, gzipped, MEDIA_TYPES[path.suffix], etag)


def _asset_response(request: Request, path: Path, cache_control: str, own: bool) -> Response:
    if not path.is_file() or path.suffix not in MEDIA_TYPES:
        raise NotFound(f"no such file: {request.url.path}")
    asset = _load(path, path.stat().st_mtime_ns, own)
    headers = {"Cache-Control": cache_control, "ETag": asset.etag, "Vary": "Accept-Encoding",
               "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def _inside(root: Path, relative: str) -> Path | None:
    candidate = (root / relative).resolve()
    return candidate if candidate.is_relative_to(root.resolve()) else None


# A static import: `import … from "./x.js"` or `import "./x.js"`, over several lines if need be.
STATIC_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;'"]*?\bfrom\s*["'](\.{1,2}/[^"']+)["']"""
                           r"""|^\s*import\s*["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)


@lru_cache
def module_imports(entry: str) -> tuple[str, ...]:
    """The URLs of every module that the frontend module ``entry`` (under frontend/) imports,
    directly or not, in the order they are found.

    The page preloads them all (``<link rel="modulepreload">``): left to themselves, browsers
    only learn of a module when the one importing it has arrived, four levels deep for the map,
    one round trip (or revalidation) each before the map can ask for its first places."""
    root = (FRONTEND / entry).parent
    found: list[Path] = []
    pending = [FRONTEND / entry]
    while pending:
        source = pending.pop(0)
        for match in STATIC_IMPORT.finditer(source.read_text(encoding="utf-8")):
            target = (source.parent / (match.group(1) or match.group(2))).resolve()
            if target not in found and target.is_relative_to(root.resolve()):
                found.append(target)
                pending.append(target)
    return tuple(static_url(path.relative_to(FRONTEND.resolve()).as_posix()) for path in found)


@lru_cache
def package_version(package: str) -> str:
    return json.loads((NODE_MODULES / package / "package.json").read_text())["version"]


def vendor_url(package: str, file: str) -> str:
    """The URL of an allow-listed vendor file, with the version that makes it cacheable."""
    assert file in VENDOR_FILES[package], f"{package}/{file} is not allow-listed"
    return f"/vendor/{package}@{package_version(package)}/{file}"


def static_url(file: str) -> str:
    return f"/static/{file}"


@router.get("/static/{folder}/{file_path:path}")
async def frontend_file(request: Request, folder: str, file_path: str) -> Response:
    path = _inside(FRONTEND / folder, file_path) if folder in STATIC_DIRS else None
    if path is None:
        raise NotFound(f"no such file: {request.url.path}")
    return _asset_response(request, path, "no-cache", own=True)


@router.get("/vendor/{package_at_version}/{file_path:path}")
async def vendor_file(request: Request, package_at_version: str, file_path: str) -> Response:
    package, _, version = package_at_version.rpartition("@")
    if file_path not in VENDOR_FILES.get(package, ()) or version != _version_or_none(package):
        raise NotFound(f"no such file: {request.url.path}")
    return _asset_response(request, NODE_MODULES / package / file_path,
                           f"public, max-age={YEAR}, immutable", own=False)


def _version_or_none(package: str) -> str | None:
    try:
        return package_version(package)
    except FileNotFoundError:
        return None
