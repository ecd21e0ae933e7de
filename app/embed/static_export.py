"""The self-contained HTML map (``/embed/static.html`` and ``lernorte export-html``): places
through the one query builder, page made by ``geo.folium_export``."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import PROJECT_ROOT, Settings
from app.pages.i18n import count_text
from app.places.query import Page, PlaceFilter, count_matched, fetch_features, resolve_categories
from geo.folium_export import Assets, Tiles, export_html, places_from_features

NODE_MODULES = PROJECT_ROOT / "frontend" / "node_modules"
I18N = PROJECT_ROOT / "frontend" / "i18n"
VENDOR_SCRIPTS = ("leaflet/dist/leaflet.js", "leaflet.markercluster/dist/leaflet.markercluster.js")
VENDOR_STYLES = ("leaflet/dist/leaflet.css", "leaflet.markercluster/dist/MarkerCluster.css")
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@lru_cache
def embed_texts(lang: str) -> dict:
    """Texts of the embed pages and exports, shared with the builder's JavaScript."""
    return json.loads((I18N / f"embed.{lang}.json").read_text(encoding="utf-8"))


@lru_cache
def vendor_assets() -> Assets:
    def read(files: tuple[str, ...]) -> tuple[str, ...]:
        return tuple((NODE_MODULES / f).read_text(encoding="utf-8") for f in files)
    return Assets(scripts=read(VENDOR_SCRIPTS), styles=read(VENDOR_STYLES))


@dataclass(frozen=True)
class StaticMap:
    html: str
    shown: int
    total: int  # every place the filters match: more than shown beyond settings.max_limit


async def static_map(conn: AsyncConnection, settings: Settings, flt: PlaceFilter, lang: str,
                     title: str | None = None, base_url: str | None = None) -> StaticMap:
    """The page of at most ``settings.max_limit`` places. Beyond that it says how many of how
    many it shows: a municipality's map over a national directory (Berlin, 124,000 places)
    showed the first 10,000 as all there were."""
    found = await fetch_features(conn, flt, Page(limit=settings.max_limit), lang,
                                 settings.max_exact_count)
    places = places_from_features(found.features(), base_url)
    total = found.number_returned
    if total == settings.max_limit:
        categories = await resolve_categories(conn, flt.categories)
        # Counted to the end (a cap no directory reaches): the export is rare and slow anyway.
        total = await count_matched(conn, flt, categories, 2**31 - 1) or total
    texts = embed_texts(lang)["static"]
    summary = (texts["count"] if total == len(places) else texts["count_partial"]).format(
        count=count_text(len(places), lang), total=count_text(total, lang))
    tiles = (Tiles(settings.tile_url, settings.tile_attribution, settings.tile_max_zoom)
             if settings.tiles_enabled else None)
    html = export_html(places, title=title or settings.site_name, lang=lang, texts=texts,
                       assets=vendor_assets(), tiles=tiles,
                       data_attribution=settings.data_attribution,
                       default_bounds=settings.service_area, summary=summary)
    return StaticMap(html, len(places), total)


def script_hashes(html: str) -> str:
    """CSP sources for exactly the inline scripts of a page we generated."""
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in dict.fromkeys(INLINE_SCRIPT.findall(html)))
