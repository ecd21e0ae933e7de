"""The citizen map page ``/``, and the renderer that ``/embed`` reuses with its own settings.

The page is a shell: everything it needs (language, interface words, tile settings, embed
options) goes into one ``data-settings`` JSON attribute, read by ``frontend/src/main.js``.
No inline script, so a strict Content-Security-Policy can forbid them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.config import Settings
from app.embed.oembed import discovery_href
from app.pages import i18n
from app.pages.render import environment
from app.static import module_imports, static_url, vendor_url
from app.vocabulary import OFFERED_LANGUAGES, TARGET_GROUPS

STYLESHEETS = (vendor_url("leaflet", "dist/leaflet.css"),
               vendor_url("leaflet.markercluster", "dist/MarkerCluster.css"),
               static_url("css/base.css"), static_url("css/map.css"))
# Leaflet and the cluster plugin are classic scripts that define window.L; the app's module
# runs after them (deferred scripts and modules execute in document order).
CLASSIC_SCRIPTS = (vendor_url("leaflet", "dist/leaflet.js"),
                   vendor_url("leaflet.markercluster", "dist/leaflet.markercluster.js"))
MAIN_SCRIPT = static_url("src/main.js")
MAIN_IMPORTS = module_imports("src/main.js")

router = APIRouter(include_in_schema=False)


@lru_cache
def messages(lang: str) -> dict[str, str]:
    """The map's interface words, shared by this template and the JavaScript."""
    return json.loads((i18n.I18N_DIR / f"map.{lang}.json").read_text(encoding="utf-8"))


def _page_settings(settings: Settings, lang: str, options: dict[str, Any]) -> dict[str, Any]:
    return {
        "lang": lang,
        "messages": messages(lang),
        "tiles": {"enabled": settings.tiles_enabled, "url": settings.tile_url,
                  "attribution": settings.tile_attribution, "maxZoom": settings.tile_max_zoom},
        "serviceArea": list(settings.service_area),
        "iconBase": static_url("icons/"),
        "targetGroups": [{"slug": slug, "label": labels.get(lang, labels["de"])}
                         for slug, labels in TARGET_GROUPS.items()],
        "languages": [{"slug": code, "label": labels.get(lang, labels["de"])}
                      for code, labels in OFFERED_LANGUAGES.items()],
        **options,
    }


def list_url(request: Request, options: dict[str, Any]) -> str:
    """The server-rendered list (/liste) with the filters this map shows: the map's own query
    for the full page, the fixed filters for an embed."""
    if options["mode"] == "full":
        query = request.url.query
        return "/liste" + (f"?{query}" if query else "")
    fixed = options.get("fixed") or {}
    pairs = [("category", c) for c in fixed.get("category", [])]
    pairs += [("municipality", m) for m in fixed.get("municipality", [])]
    if fixed.get("bbox"):
        pairs.append(("bbox", ",".join(str(v) for v in fixed["bbox"])))
    if fixed.get("q"):
        pairs.append(("q", fixed["q"]))
    return "/liste" + (f"?{urlencode(pairs)}" if pairs else "")


def render_map_page(request: Request, options: dict[str, Any] | None = None) -> HTMLResponse:
    """The map page. ``options`` for embeds: ``{"mode": "embed", "list": bool, "legend": bool,
    "accent": "#hex", "fixed": {"category": [...], "municipality": [...], "bbox": [...],
    "q": "..."}, "fit": bool}`` (validated by the caller)."""
    settings: Settings = request.app.state.settings
    options = {"mode": "full", **(options or {})}
    lang = i18n.negotiate(request)
    page_settings = _page_settings(settings, lang, options)
    html = environment.get_template("map.html").render(
        lang=lang, dir=i18n.direction(lang), t=messages(lang),
        mode=options["mode"], show_list=options.get("list", True),
        languages=i18n.LANGUAGE_NAMES.items(),
        lang_query=f"?lang={lang}" if "lang" in request.query_params else "",
        data_attribution=settings.data_attribution,
        settings_json=orjson.dumps(page_settings).decode(),
        stylesheets=STYLESHEETS, classic_scripts=CLASSIC_SCRIPTS, main_script=MAIN_SCRIPT,
        module_preloads=MAIN_IMPORTS,
        oembed_href=discovery_href(str(request.url)), full_map_url=options.get("fullMapUrl"),
        full_map_label=options.get("fullMapLabel"), frame_script=options.get("frameScript"),
        list_url=list_url(request, options),
    )
    response = HTMLResponse(html, headers={"Vary": "Accept-Language, Cookie"})
    i18n.remember(request, response)
    return response


@router.get("/")
async def map_page(request: Request) -> HTMLResponse:
    return render_map_page(request)
