"""GET /api/clusters: the low-zoom map's counts per grid cell, with the same filters as /api/places."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.deps import AppSettings, Conn, StrictQuery
from app.places.clusters import bbox_list, fetch_clusters
from app.places.params import Filter
from app.places.router import GEOJSON_RESPONSE
from app.responses import GeoJSONResponse, feature_collection

router = APIRouter(prefix="/api", tags=["public"], dependencies=[StrictQuery])


@router.get("/clusters", response_class=GeoJSONResponse, responses=GEOJSON_RESPONSE,
            summary="Published places counted per map grid cell (for low zoom levels)")
async def list_clusters(conn: Conn, settings: AppSettings, flt: Filter,
                        zoom: Annotated[int, Query(ge=0, le=22, description="Map zoom level")],
                        ) -> GeoJSONResponse:
    """One Point per non-empty cell of 64 map pixels at the centroid of its places, with
    ``count``, ``categories`` and ``stages`` ({slug: places}) and the ``bbox`` of its places.
    The bbox is widened to whole cells (the collection's ``bbox``); ``numberMatched`` counts the
    places in it. A box with too many cells for its zoom, or finer than zoom 12 with very many
    places in it, is answered at a coarser ``zoom``."""
    result = await fetch_clusters(conn, flt, zoom, settings.cluster_max_cells,
                                  settings.cluster_aggregates, settings.cluster_live_max_places)
    members: dict[str, Any] = {
        "zoom": result.cells.zoom,
        "bbox": bbox_list(result.cells.bbox()),
        "numberMatched": result.number_matched,
        "numberReturned": len(result.features),
    }
    return GeoJSONResponse(feature_collection(result.features, **members))
