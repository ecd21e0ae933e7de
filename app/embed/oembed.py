"""oEmbed (https://oembed.com): a CMS that is given a link to our map or to a place asks
``/oembed?url=…`` and receives an iframe to paste."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from app.embed.options import parse_embed_query

DEFAULT_WIDTH, DEFAULT_HEIGHT = 600, 450
PLACE_ZOOM = 16
MAP_PATHS = ("/", "/embed")
PLACE_PREFIX = "/orte/"


@dataclass(frozen=True)
class Target:
    """What an URL of ours shows: the map with a query, or one place."""

    embed_query: list[tuple[str, str]]
    place_id: int | None = None


def discovery_href(page_url: str) -> str:
    """The ``href`` of the ``<link rel="alternate" type="application/json+oembed">`` tag."""
    return f"/oembed?url={quote(page_url, safe='')}&format=json"


def own_origin(url: str, base_url: str) -> bool:
    ours, theirs = urlsplit(base_url), urlsplit(url)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def parse_target(url: str, known_categories: set[str]) -> Target | None:
    """The map or place an URL shows, or None when it is not one of our map or place pages."""
    parts = urlsplit(url)
    path = parts.path or "/"
    query = parse_qsl(parts.query, keep_blank_values=True)
    if path in MAP_PATHS:
        return Target(parse_embed_query(query, known_categories).query())
    if path.startswith(PLACE_PREFIX) and path[len(PLACE_PREFIX):].isdigit():
        lang = [(k, v) for k, v in parse_embed_query(query, known_categories).query()
                if k == "lang"]
        return Target(lang, place_id=int(path[len(PLACE_PREFIX):]))
    return None


def iframe_html(src: str, title: str, width: int, height: int) -> str:
    return (f'<iframe src="{escape(src)}" title="{escape(title)}" width="{width}" '
            f'height="{height}" loading="lazy" allow="geolocation" '
            f'style="border:0;max-width:100%"></iframe>')


def size(maxwidth: int | None, maxheight: int | None) -> tuple[int, int]:
    width = min(DEFAULT_WIDTH, maxwidth) if maxwidth else DEFAULT_WIDTH
    height = min(DEFAULT_HEIGHT, maxheight) if maxheight else DEFAULT_HEIGHT
    return width, height


def response(*, base_url: str, provider: str, title: str, query: list[tuple[str, str]],
             width: int, height: int) -> dict:
    src = base_url.rstrip("/") + "/embed" + (f"?{urlencode(query)}" if query else "")
    return {
        "version": "1.0", "type": "rich", "title": title,
        "provider_name": provider, "provider_url": base_url.rstrip("/") + "/",
        "width": width, "height": height, "cache_age": 86400,
        "html": iframe_html(src, title, width, height),
    }
