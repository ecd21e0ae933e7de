"""``/liste``: the map's results as a server-rendered list, the complete alternative for anyone
without JavaScript (the map page's ``<noscript>`` links here with the same filters).

It takes the same filter parameters as ``/api/places`` (and ignores the map's view parameters, so
a map URL works unchanged) and reads through the one query builder, ``fetch_features``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.config import Settings
from app.deps import Conn
from app.pages import i18n
from app.pages.render import render
from app.places.params import Filter
from app.places.query import Page, fetch_features

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# Parameters of the map that describe the view, not the results; the list keeps the rest.
VIEW_PARAMETERS = ("offset", "map", "place")
DECIMAL_COMMA = {"de", "uk"}


def distance_text(metres: float | None, lang: str) -> str | None:
    """850 m, 1,2 km, 12 km: as the map's list writes it (frontend/src/data/format.js)."""
    if metres is None:
        return None
    step = 10 if metres < 100 else 50
    rounded = round(metres / step) * step
    if rounded < 1000:
        return f"{max(10, rounded)} m"
    km = metres / 1000
    text = f"{km:.1f}" if km < 10 else f"{km:.0f}"
    return (text.replace(".", ",") if lang in DECIMAL_COMMA else text) + " km"


def _query(request: Request, **changes: Any) -> str:
    kept = [(k, v) for k, v in request.query_params.multi_items()
            if k not in VIEW_PARAMETERS and k not in changes]
    kept += [(k, str(v)) for k, v in changes.items() if v]
    return "?" + urlencode(kept) if kept else ""


@router.get("/liste")
async def result_list(request: Request, conn: Conn, flt: Filter,
                      offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    lang = i18n.negotiate(request)
    found = await fetch_features(conn, flt, Page(limit=PAGE_SIZE, offset=offset), lang,
                                 settings.max_exact_count, rank_limit=settings.search_rank_limit)
    places = []
    for feature in found.features():
        props = feature["properties"]
        places.append({"id": feature["id"], "name": props["name"], "url": props["url"],
                       "category": props.get("category_name"), "address": props.get("address"),
                       "distance": distance_text(props.get("distance_m"), lang)})
    matched = found.number_matched
    has_next = len(places) == PAGE_SIZE and (matched is None or offset + PAGE_SIZE < matched)
    return render(
        request, "list.html",
        places=places, offset=offset, matched=matched, first=offset + 1,
        numbers={"first": i18n.count_text(offset + 1, lang),
                 "last": i18n.count_text(offset + len(places), lang),
                 "n": i18n.count_text(matched if matched is not None else found.more_than or 0,
                                      lang)},
        q=flt.q or "",
        hidden=[(k, v) for k, v in request.query_params.multi_items()
                if k not in (*VIEW_PARAMETERS, "q")],
        previous_href=_query(request, offset=max(0, offset - PAGE_SIZE)) or "?" if offset else None,
        next_href=_query(request, offset=offset + PAGE_SIZE) if has_next else None,
        map_href="/" + _query(request),
    )
