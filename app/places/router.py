"""The public read API: /api/places, /api/places/{id}, /api/categories."""

from dataclasses import replace
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request

from app.deps import AppSettings, Conn, Lang, StrictQuery
from app.errors import PROBLEM_RESPONSES, NotFound
from app.places.categories import FacetLimits, category_tree, list_facets
from app.places.params import Filter, Paging, Properties
from app.places.query import Page, PlaceFilter, fetch_features
from app.responses import GeoJSONResponse, JSONResponse, feature_collection

router = APIRouter(prefix="/api", tags=["public"], dependencies=[StrictQuery])

GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/geo+json": {"schema": {"type": "object"}}},
          "description": "GeoJSON (RFC 7946)"},
    **PROBLEM_RESPONSES,
}


def _page_url(request: Request, offset: int) -> str:
    return str(request.url.include_query_params(offset=offset))


@router.get("/places", response_class=GeoJSONResponse, responses=GEOJSON_RESPONSE,
            summary="Published places as a GeoJSON FeatureCollection")
async def list_places(request: Request, conn: Conn, settings: AppSettings, flt: Filter,
                      paging: Paging, lang: Lang, properties: Properties) -> GeoJSONResponse:
    result = await fetch_features(conn, flt, paging, lang, settings.max_exact_count,
                                  properties=properties, rank_limit=settings.search_rank_limit)
    returned = result.number_returned
    links = [{"rel": "self", "type": "application/geo+json", "href": str(request.url)}]
    more = (returned == paging.limit if result.number_matched is None
            else paging.offset + returned < result.number_matched)
    if more:
        links.append({"rel": "next", "type": "application/geo+json",
                      "href": _page_url(request, paging.offset + paging.limit)})
    members: dict[str, Any] = {"numberReturned": returned}
    if result.number_matched is not None:
        members["numberMatched"] = result.number_matched
    members["links"] = links
    return GeoJSONResponse(feature_collection(result.features_json, **members))


@router.get("/places/{place_id}", response_class=GeoJSONResponse, responses=GEOJSON_RESPONSE,
            summary="One published place as a GeoJSON Feature")
async def get_place(conn: Conn, settings: AppSettings, lang: Lang,
                    place_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> GeoJSONResponse:
    result = await fetch_features(conn, PlaceFilter(ids=(place_id,)), Page(limit=1), lang,
                                  settings.max_exact_count)
    if not result.number_returned:
        raise NotFound(f"there is no published place with id {place_id}")
    return GeoJSONResponse(orjson.Fragment(result.only()))


@router.get("/categories", response_class=JSONResponse, responses=PROBLEM_RESPONSES,
            summary="Stages and categories with counts of published places under the other filters")
async def list_categories(conn: Conn, settings: AppSettings, flt: Filter,
                          lang: Lang) -> JSONResponse:
    """Counts are facets: every filter applies except ``category`` itself (for the counts per
    ``target_groups`` and ``languages``, except the target group or language itself). A count
    is null where more than LERNORTE_FACET_MAX_PLACES places would have to be counted."""
    limits = FacetLimits(settings.cluster_aggregates, settings.facet_max_places)
    return JSONResponse({**await category_tree(conn, replace(flt, categories=()), lang, limits),
                         **await list_facets(conn, flt, limits)})
