"""The faces for other websites: ``/embed`` (the map in an iframe), ``/karte-einbinden`` (the
embed-code builder), ``/embed/check`` (the builder's hints), ``/embed/static.html`` (a
self-contained folium map) and ``/oembed``."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import PROJECT_ROOT
from app.deps import AppSettings, Conn, Lang, StrictQuery
from app.embed import oembed
from app.embed.options import EmbedOptions, parse_embed_query
from app.embed.static_export import embed_texts, script_hashes, static_map
from app.errors import PROBLEM_RESPONSES, NotFound
from app.models import Category, Stage
from app.pages import i18n
from app.pages.map import render_map_page
from app.places.params import Filter
from app.places.query import Page, PlaceFilter, count_matched, fetch_features, resolve_categories
from app.responses import JSONResponse
from app.security import content_security_policy
from app.static import static_url

router = APIRouter(include_in_schema=False)
# 501 for a format other than json is what the oEmbed specification prescribes.
oembed_router = APIRouter(tags=["embedding"], responses={
    **PROBLEM_RESPONSES,
    501: {"description": "Only format=json is offered", "content": {"text/plain": {}}}})
_env = Environment(loader=FileSystemLoader(PROJECT_ROOT / "app" / "embed" / "templates"),
                   autoescape=select_autoescape(["html"]))


async def known_category_slugs(conn: AsyncConnection) -> set[str]:
    rows = (await conn.execute(select(Category.slug, Stage.slug.label("stage"))
                               .join(Stage, Stage.id == Category.stage_id))).all()
    return {r.slug for r in rows} | {r.stage for r in rows}


async def _options(request: Request, conn: AsyncConnection) -> EmbedOptions:
    return parse_embed_query(request.query_params.multi_items(), await known_category_slugs(conn))


def _filter(options: EmbedOptions) -> PlaceFilter:
    return PlaceFilter(bbox=options.bbox, categories=tuple(options.categories), q=options.q,
                       municipalities=tuple(options.municipalities))


@router.get("/embed")
async def embed(request: Request, conn: Conn) -> HTMLResponse:
    options = await _options(request, conn)
    lang = i18n.negotiate(request)
    page_options = {**options.page_options(), "fullMapUrl": options.full_map_url(),
                    "fullMapLabel": embed_texts(lang)["embed"]["open_full_map"],
                    "frameScript": static_url("embed/frame.js")}
    return render_map_page(request, page_options)


@router.get("/embed/check")
async def check(request: Request, conn: Conn, settings: AppSettings) -> JSONResponse:
    """What ``/embed`` makes of these parameters: hints for the builder, and how many places
    (``count``; null with ``more_than`` when more than are counted)."""
    options = await _options(request, conn)
    flt = _filter(options)
    count = await count_matched(conn, flt, await resolve_categories(conn, flt.categories),
                                settings.max_exact_count)
    hints = [{"parameter": h.parameter, "code": h.code, "message": h.message}
             for h in options.hints]
    return JSONResponse({"hints": hints, "count": count,
                         "more_than": settings.max_exact_count if count is None else None,
                         "query": options.query(), "full_map_url": options.full_map_url()})


@router.get("/embed/static.html", dependencies=[StrictQuery])
async def static_html(request: Request, conn: Conn, settings: AppSettings, flt: Filter,
                      lang: Lang, title: Annotated[str | None, Query(max_length=200)] = None
                      ) -> HTMLResponse:
    html = (await static_map(conn, settings, flt, lang, title,
                             base_url=str(request.base_url))).html
    # The page is self-contained, so its scripts are inline: allow exactly these, by hash.
    policy = content_security_policy(settings, request.url.path, script_src=script_hashes(html))
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


@router.get("/karte-einbinden")
async def builder(request: Request, settings: AppSettings) -> HTMLResponse:
    lang = i18n.negotiate(request)
    texts = embed_texts(lang)["builder"]
    page_settings = {"lang": lang, "texts": texts, "origin": str(request.base_url).rstrip("/"),
                     "languages": list(i18n.LANGUAGE_NAMES.items())}
    html = _env.get_template("builder.html").render(
        lang=lang, dir=i18n.direction(lang), t=texts, site_name=settings.site_name,
        languages=i18n.LANGUAGE_NAMES.items(), settings_json=orjson.dumps(page_settings).decode(),
        stylesheets=(static_url("css/base.css"), static_url("css/map.css")), script=static_url("embed/builder.js"))
    return HTMLResponse(html, headers={"Vary": "Accept-Language, Cookie"})


@oembed_router.get("/oembed", response_model=None)
async def oembed_endpoint(
    request: Request, conn: Conn, settings: AppSettings,
    url: Annotated[str, Query(max_length=2000, description="A map or place URL of this site")],
    format: Annotated[str, Query(description="Only json is offered")] = "json",
    maxwidth: Annotated[int | None, Query(ge=1, le=10000)] = None,
    maxheight: Annotated[int | None, Query(ge=1, le=10000)] = None,
) -> Response:
    """oEmbed for map URLs (``/``, ``/embed?…``) and place URLs (``/orte/{id}``)."""
    if format != "json":
        return Response(status_code=501, content="only format=json is offered",
                        media_type="text/plain")
    base_url = str(request.base_url)
    target = (oembed.parse_target(url, await known_category_slugs(conn))
              if oembed.own_origin(url, base_url) else None)
    if target is None:
        raise NotFound("not a map or place URL of this site")
    width, height = oembed.size(maxwidth, maxheight)
    title, query = settings.site_name, target.embed_query
    if target.place_id is not None:
        found = await fetch_features(conn, PlaceFilter(ids=(target.place_id,)), Page(limit=1),
                                     "de", 1)
        if not found.number_returned:
            raise NotFound(f"no published place {target.place_id}")
        feature = orjson.loads(found.only())
        lon, lat = feature["geometry"]["coordinates"]
        title = feature["properties"]["name"]
        query = [("place", str(target.place_id)), ("map", f"{oembed.PLACE_ZOOM}/{lat}/{lon}"),
                 ("list", "0"), *query]
    return JSONResponse(oembed.response(base_url=base_url, provider=settings.site_name,
                                        title=title, query=query, width=width, height=height))
