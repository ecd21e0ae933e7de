"""``/orte/{id}``: a place's own page, complete and readable without JavaScript.

The place is read through the one query builder (``fetch_features`` with ``detail``), so the page
shows exactly what the API publishes: drafts, archived and unknown places are a 404 page.
Everything a person typed reaches the HTML through Jinja's autoescape, and the JSON-LD block is
escaped so that no string can close its ``<script>`` element.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.deps import Conn
from app.embed.oembed import discovery_href
from app.pages import i18n
from app.pages.render import render
from app.places.query import Page, PlaceFilter, fetch_features
from app.static import vendor_url
from app.vocabulary import OFFERED_LANGUAGES, TARGET_GROUPS

router = APIRouter(include_in_schema=False)

MAX_ID = 2**31 - 1  # the column is an int4: a bigger number cannot be a place
# schema.org type by category, most specific first; anything else is an EducationalOrganization.
SCHEMA_TYPES = {
    "grundschule": "ElementarySchool",
    "weiterfuehrende-schule": "School",
    "foerderschule": "School",
    "berufliche-schule": "School",
    "kita": "ChildCare",
    "kindertagespflege": "ChildCare",
    "hochschule": "CollegeOrUniversity",
    "bibliothek": "Library",
    "museum": "Museum",
}
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su", "PH", "SH")
_DAY = "(?:" + "|".join(DAYS) + ")"
_DAY_SELECTOR = re.compile(rf"^{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*$")
_SPAN = r"[0-2]?[0-9]:[0-5][0-9]-[0-2]?[0-9]:[0-5][0-9]"
_TIMES = re.compile(rf"^{_SPAN}(?:,{_SPAN})*$")
_PHONE_CHARACTERS = re.compile(r"[^0-9+]")
# In a <script> element "</script>" or "<!--" would end or confuse it; JSON allows \u escapes.
_JSON_IN_SCRIPT = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@dataclass(frozen=True)
class HoursRow:
    days: str
    times: str


def opening_hours_rows(value: str, t: i18n.Translator) -> list[HoursRow] | None:
    """``Mo-Fr 08:00-16:00; Sa 09:00-12:00; PH off`` as rows a person reads, in the page's
    language; None for anything beyond these simple rules (the page then shows the text)."""
    rows = []
    for rule in (r.strip() for r in value.split(";")):
        if not rule:
            continue
        if rule == "24/7":
            rows.append(HoursRow(t("pages_hours_always"), ""))
            continue
        days, _, times = rule.partition(" ") if _DAY_SELECTOR.match(rule.split(" ")[0]) \
            else ("", "", rule)
        times = times.strip()
        if times in ("off", "closed"):
            shown = t("pages_hours_closed")
        elif _TIMES.match(times):
            shown = ", ".join(span.replace("-", "–") for span in times.split(","))
        else:
            return None
        rows.append(HoursRow(_days_text(days, t) if days else t("pages_hours_daily"), shown))
    return rows or None


def _days_text(selector: str, t: i18n.Translator) -> str:
    return ", ".join("–".join(t(f"pages_day_{day}") for day in part.split("-"))
                     for part in selector.split(","))


def website_href(website: str | None) -> str | None:
    """Only http(s) addresses become links (never ``javascript:`` or ``data:``)."""
    if website and re.match(r"^https?://[^\s]+$", website.strip(), re.IGNORECASE):
        return website.strip()
    return None


def phone_href(phone: str | None) -> str | None:
    digits = _PHONE_CHARACTERS.sub("", phone or "")
    return f"tel:{digits}" if len(digits.lstrip("+")) >= 3 else None


def schema_type(category_slugs: list[str]) -> str:
    for slug in category_slugs:
        if slug in SCHEMA_TYPES:
            return SCHEMA_TYPES[slug]
    return "EducationalOrganization"


def json_ld(props: dict[str, Any], lon: float, lat: float, url: str) -> Markup:
    """schema.org data for search engines, safe inside ``<script type="application/ld+json">``."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": schema_type([c["slug"] for c in props["category_names"]]),
        "@id": url,
        "url": url,
        "name": props["name"],
        "geo": {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon},
    }
    address = {"@type": "PostalAddress", "streetAddress": props["street"],
               "postalCode": props["postcode"], "addressLocality": props["city"],
               "addressRegion": props["municipality"], "addressCountry": "DE"}
    data["address"] = {k: v for k, v in address.items() if v}
    optional = {"description": props["description"], "telephone": props["phone"],
                "email": props["email"], "sameAs": website_href(props["website"]),
                "openingHours": props["opening_hours"]}
    data.update({k: v for k, v in optional.items() if v})
    if props["provider"]:
        data["parentOrganization"] = {"@type": "Organization", "name": props["provider"]}
    if props["wheelchair"] in ("yes", "no"):
        data["amenityFeature"] = {"@type": "LocationFeatureSpecification",
                                  "name": "wheelchair accessible",
                                  "value": props["wheelchair"] == "yes"}
    return Markup(json.dumps(data, ensure_ascii=False).translate(_JSON_IN_SCRIPT))


async def published_place(conn: AsyncConnection, settings: Settings, place_id: str, lang: str
                          ) -> dict[str, Any] | None:
    """The place as its GeoJSON Feature, or None unless ``place_id`` names a published one."""
    if not place_id.isdigit() or int(place_id) > MAX_ID:
        return None
    found = await fetch_features(conn, PlaceFilter(ids=(int(place_id),)), Page(limit=1), lang,
                                 settings.max_exact_count, detail=True)
    return orjson.loads(found.only()) if found.number_returned else None


def _labels(values: list[str], vocabulary: dict[str, dict[str, str]], lang: str) -> list[str]:
    return [vocabulary[v].get(lang, vocabulary[v]["de"]) if v in vocabulary else v
            for v in values]


@router.get("/orte/{place_id}")
async def place_page(request: Request, place_id: str, conn: Conn) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    lang = i18n.negotiate(request)
    feature = await published_place(conn, settings, place_id, lang)
    if feature is None:
        return render(request, "error.html", status_code=404, title_key="pages_not_found_title",
                      text_key="pages_not_found_text", parameter="")
    t = i18n.Translator(lang)
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    url = str(request.url_for("place_page", place_id=str(feature["id"])))
    hours = props["opening_hours"]
    map_settings = {
        "lat": lat, "lon": lon, "name": props["name"],
        "tiles": {"enabled": settings.tiles_enabled, "url": settings.tile_url,
                  "attribution": settings.tile_attribution, "maxZoom": settings.tile_max_zoom},
    }
    return render(
        request, "place.html",
        place=props,
        place_id=feature["id"],
        lon=lon, lat=lat,
        categories=[c["name"] for c in props["category_names"]],
        phone_href=phone_href(props["phone"]),
        website_href=website_href(props["website"]),
        hours_rows=opening_hours_rows(hours, t) if hours else None,
        target_groups=_labels(props["target_groups"], TARGET_GROUPS, lang),
        languages_offered=_labels(props["languages"], OFFERED_LANGUAGES, lang),
        last_verified=i18n.date_text(props["last_verified"], lang),
        canonical_url=url,
        oembed_href=discovery_href(url),
        json_ld=json_ld(props, lon, lat, url),
        map_settings=orjson.dumps(map_settings).decode(),
        leaflet_css=vendor_url("leaflet", "dist/leaflet.css"),
        leaflet_js=vendor_url("leaflet", "dist/leaflet.js"),
    )
