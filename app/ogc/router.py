"""OGC API – Features Part 1 under /ogc: landing page, conformance, OpenAPI 3.0, collections,
items and single features, each as JSON (GeoJSON) or HTML.

Every item is read through ``app.places.query`` like the public API, so a place looks the same
everywhere; only the envelope (links, timeStamp, 400 for bad parameters) is OGC's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app.deps import AppSettings, Conn
from app.errors import NotFound
from app.ogc import queryables
from app.ogc.collections import Collection, all_collections, find_collection
from app.ogc.formats import GEOJSON, HTML, JSON, OPENAPI_JSON, render, wants_html
from app.ogc.openapi import openapi_document
from app.ogc.params import CRS84, items_query, reject_unknown
from app.places.query import Page, PlaceFilter, fetch_features
from app.responses import GeoJSONResponse, JSONResponse, feature_collection

router = APIRouter(prefix="/ogc", include_in_schema=False)

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    *queryables.CONFORMANCE,
]
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
LANG = "de"  # category names in features; the OGC API has no language parameter


class OpenAPIResponse(JSONResponse):
    media_type = OPENAPI_JSON


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _with_f(url: str, f: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}f={f}"


def _link(href: str, rel: str, media_type: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": media_type}
    if title:
        link["title"] = title
    return link


def _self_links(request: Request, html: bool, json_type: str = JSON) -> list[dict[str, str]]:
    """self and alternate for this very URL: the format asked for is self."""
    url = str(request.url.remove_query_params("f"))
    as_json = _link(_with_f(url, "json"), "self", json_type, "this document as JSON")
    as_html = _link(_with_f(url, "html"), "self", HTML, "this document as HTML")
    (as_html if not html else as_json)["rel"] = "alternate"
    return [as_html, as_json] if html else [as_json, as_html]


def _breadcrumbs(request: Request, *trail: tuple[str, str]) -> list[dict[str, str]]:
    base = _base(request)
    return [{"title": "OGC API", "href": _with_f(base, "html")},
            *({"title": title, "href": _with_f(base + path, "html")} for title, path in trail)]


@router.get("")
async def landing(request: Request, settings: AppSettings) -> Response:
    reject_unknown(request.query_params, ("f",))
    html = wants_html(request)
    base = _base(request)
    links = [
        *_self_links(request, html),
        _link(f"{base}/api", "service-desc", OPENAPI_JSON, "the API definition (OpenAPI 3.0)"),
        _link(_with_f(f"{base}/api", "html"), "service-doc", HTML, "the API documentation"),
        _link(f"{base}/conformance", "conformance", JSON, "conformance classes"),
        _link(f"{base}/collections", "data", JSON, "the feature collections"),
        _link(str(request.base_url).rstrip("/") + "/downloads", "license", HTML,
              "licence, attribution and downloads"),
    ]
    body = {"title": settings.site_name,
            "description": "Lernorte des lebenslangen Lernens als OGC API – Features",
            "links": links}
    if html:
        return render(request, "landing.html", title=body["title"],
                      description=body["description"], links=links,
                      breadcrumbs=_breadcrumbs(request))
    return JSONResponse(body)


@router.get("/conformance")
async def conformance(request: Request) -> Response:
    reject_unknown(request.query_params, ("f",))
    html = wants_html(request)
    links = _self_links(request, html)
    if html:
        return render(request, "conformance.html", title="Konformitätsklassen", links=links,
                      conforms_to=CONFORMANCE,
                      breadcrumbs=_breadcrumbs(request, ("Konformität", "/conformance")))
    return JSONResponse({"conformsTo": CONFORMANCE, "links": links})


@router.get("/api")
async def api(request: Request, settings: AppSettings) -> Response:
    reject_unknown(request.query_params, ("f",))
    document = openapi_document(_base(request), settings.max_limit)
    if wants_html(request):
        return render(request, "api.html", title="API-Beschreibung", document=document,
                      links=[_link(f"{_base(request)}/api", "service-desc", OPENAPI_JSON,
                                   "OpenAPI 3.0")],
                      breadcrumbs=_breadcrumbs(request, ("API", "/api")))
    return OpenAPIResponse(document)


def _collection_json(request: Request, c: Collection) -> dict[str, Any]:
    items = f"{_base(request)}/collections/{c.id}/items"
    body: dict[str, Any] = {
        "id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
        "crs": [CRS84],
        "links": [
            _link(f"{_base(request)}/collections/{c.id}", "self", JSON, c.title),
            _link(_with_f(f"{_base(request)}/collections/{c.id}", "html"), "alternate", HTML,
                  c.title),
            _link(items, "items", GEOJSON, f"{c.title} (GeoJSON)"),
            _link(_with_f(items, "html"), "items", HTML, f"{c.title} (HTML)"),
            _link(f"{_base(request)}/collections/{c.id}/queryables", queryables.REL,
                  queryables.SCHEMA_JSON, "what the items can be filtered by"),
        ],
    }
    if c.bbox is not None:
        body["extent"] = {
            "spatial": {"bbox": [list(c.bbox)], "crs": CRS84},
            "temporal": {"interval": [[c.first_update.isoformat(), c.last_update.isoformat()]],
                         "trs": TRS},
        }
    return body


@router.get("/collections")
async def collections(request: Request, conn: Conn) -> Response:
    reject_unknown(request.query_params, ("f",))
    html = wants_html(request)
    found = [_collection_json(request, c) for c in await all_collections(conn, LANG)]
    links = _self_links(request, html)
    if html:
        for c in found:
            c["html_href"] = c["links"][1]["href"]
            c["bbox"] = c.get("extent", {}).get("spatial", {}).get("bbox", [None])[0]
        return render(request, "collections.html", title="Sammlungen", links=links,
                      collections=found,
                      breadcrumbs=_breadcrumbs(request, ("Sammlungen", "/collections")))
    return JSONResponse({"collections": found, "links": links})


async def _collection(conn: Conn, collection_id: str, with_extent: bool = False) -> Collection:
    found = await find_collection(conn, collection_id, LANG, with_extent)
    if found is None:
        raise NotFound(f"there is no collection '{collection_id[:60]}'; "
                       "GET /ogc/collections lists them")
    return found


@router.get("/collections/{collection_id}")
async def collection(request: Request, conn: Conn, collection_id: str) -> Response:
    reject_unknown(request.query_params, ("f",))
    c = await _collection(conn, collection_id, with_extent=True)
    body = _collection_json(request, c)
    if wants_html(request):
        return render(request, "collection.html", title=c.title, collection=c,
                      links=body["links"], items_href=body["links"][3]["href"],
                      breadcrumbs=_breadcrumbs(request, ("Sammlungen", "/collections"),
                                               (c.title, f"/collections/{c.id}")))
    return JSONResponse(body)


class SchemaResponse(JSONResponse):
    media_type = queryables.SCHEMA_JSON


@router.get("/collections/{collection_id}/queryables")
async def collection_queryables(request: Request, conn: Conn, collection_id: str) -> Response:
    reject_unknown(request.query_params, ("f",))
    c = await _collection(conn, collection_id)
    url = f"{_base(request)}/collections/{c.id}/queryables"
    schema = queryables.queryables_schema(url, c.title)
    if wants_html(request):
        return render(request, "queryables.html", title=f"{c.title}: Filter", schema=schema,
                      links=[_link(url, "self", queryables.SCHEMA_JSON, "JSON Schema")],
                      breadcrumbs=_breadcrumbs(request, ("Sammlungen", "/collections"),
                                               (c.title, f"/collections/{c.id}")))
    return SchemaResponse(schema)


def _page_link(request: Request, offset: int, rel: str, html: bool) -> dict[str, str]:
    url = str(request.url.include_query_params(offset=offset))
    return _link(url, rel, HTML if html else GEOJSON, {"next": "next page",
                                                       "prev": "previous page"}[rel])


@router.get("/collections/{collection_id}/items")
async def items(request: Request, conn: Conn, settings: AppSettings,
                collection_id: str) -> Response:
    c = await _collection(conn, collection_id)
    query = items_query(request.query_params, settings, c.filter)
    html = wants_html(request)
    result = await fetch_features(conn, query.filter, query.page, LANG, settings.max_exact_count,
                                  rank_limit=settings.search_rank_limit)
    returned, page = result.number_returned, query.page
    links = [*_self_links(request, html, GEOJSON),
             _link(f"{_base(request)}/collections/{c.id}", "collection", JSON, c.title)]
    more = (returned == page.limit if result.number_matched is None
            else page.offset + returned < result.number_matched)
    if more:
        links.append(_page_link(request, page.offset + page.limit, "next", html))
    if page.offset > 0:
        links.append(_page_link(request, max(page.offset - page.limit, 0), "prev", html))
    members: dict[str, Any] = {"timeStamp": datetime.now(UTC).isoformat(timespec="seconds")
                               .replace("+00:00", "Z")}
    if result.number_matched is not None:
        members["numberMatched"] = result.number_matched
    members["numberReturned"] = returned
    members["links"] = links
    if html:
        features = result.features()
        for feature in features:
            feature["href"] = _with_f(f"{_base(request)}/collections/{c.id}/items/{feature['id']}",
                                      "html")
        return render(request, "items.html", title=f"{c.title}: Orte", links=links,
                      features=features, number_returned=returned,
                      number_matched=result.number_matched,
                      breadcrumbs=_breadcrumbs(request, ("Sammlungen", "/collections"),
                                               (c.title, f"/collections/{c.id}")))
    return GeoJSONResponse(feature_collection(result.features_json, **members))


@router.get("/collections/{collection_id}/items/{feature_id}")
async def item(request: Request, conn: Conn, settings: AppSettings, collection_id: str,
               feature_id: str) -> Response:
    reject_unknown(request.query_params, ("f",))
    c = await _collection(conn, collection_id)
    html = wants_html(request)
    place_id = int(feature_id) if feature_id.isdigit() and len(feature_id) < 10 else None
    result = (await fetch_features(conn, PlaceFilter(ids=(place_id,), stages=c.filter.stages),
                                   Page(limit=1), LANG, settings.max_exact_count)
              if place_id else None)
    if not result or not result.number_returned:
        raise NotFound(f"there is no place '{feature_id[:20]}' in the collection '{c.id}'")
    feature = orjson.loads(result.only())
    feature["links"] = [*_self_links(request, html, GEOJSON),
                        _link(f"{_base(request)}/collections/{c.id}", "collection", JSON, c.title)]
    if html:
        shown = [(k, ", ".join(v) if isinstance(v, list) else v)
                 for k, v in feature["properties"].items() if v not in (None, [], "")]
        return render(request, "item.html", title=feature["properties"]["name"],
                      feature=feature, properties=shown, links=feature["links"],
                      breadcrumbs=_breadcrumbs(request, ("Sammlungen", "/collections"),
                                               (c.title, f"/collections/{c.id}"),
                                               ("Orte", f"/collections/{c.id}/items")))
    return GeoJSONResponse(feature)

