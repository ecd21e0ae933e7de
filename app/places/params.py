"""Query parameters of the public place filters, declared once for the API and the pages."""

from typing import Annotated

from fastapi import Depends, Query, Request

from app.config import Settings
from app.places.query import MAX_OFFSET, PROPERTIES, Page, PlaceFilter, check_properties
from geo.errors import InvalidParameter
from geo.params import check_radius, parse_bbox, parse_point


async def place_filter(
    request: Request,
    bbox: Annotated[str | None, Query(
        description="minLon,minLat,maxLon,maxLat in WGS 84", examples=["9.6,50.5,9.75,50.6"])] = None,
    category: Annotated[list[str], Query(
        description="Category or stage slug; repeatable, any matches", examples=[["grundschule"]])] = [],
    q: Annotated[str | None, Query(
        max_length=200, description="Search in name, provider, address and description; "
                                    "umlaut-insensitive and forgiving of small typos")] = None,
    near: Annotated[str | None, Query(
        description="lon,lat: nearest first, each feature with distance_m",
        examples=["9.6808,50.5558"])] = None,
    radius: Annotated[float | None, Query(description="Metres around near")] = None,
    target_group: Annotated[list[str], Query(description="Target group slug; repeatable")] = [],
    language: Annotated[list[str], Query(description="Language offered (ISO 639-1); repeatable")] = [],
    municipality: Annotated[list[str], Query(
        description="Municipality name or AGS key (a prefix such as 06631 selects a district); "
                    "repeatable")] = [],
) -> PlaceFilter:
    settings: Settings = request.app.state.settings
    return PlaceFilter(
        bbox=parse_bbox(bbox) if bbox is not None else None,
        categories=tuple(dict.fromkeys(category)),
        q=q,
        near=parse_point(near) if near is not None else None,
        radius_m=check_radius(radius, settings.max_radius_m) if radius is not None else None,
        target_groups=tuple(target_group),
        languages=tuple(language),
        municipalities=tuple(m for m in municipality if m.strip()),
    )


async def page(
    request: Request,
    limit: Annotated[int | None, Query(description="Features per page")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Features to skip")] = 0,
) -> Page:
    settings: Settings = request.app.state.settings
    if limit is None:
        limit = settings.default_limit
    if not 1 <= limit <= settings.max_limit:
        raise InvalidParameter("limit", f"must be between 1 and {settings.max_limit}")
    return Page(limit=limit, offset=offset)


async def property_selection(
    properties: Annotated[list[str] | None, Query(
        description="Comma-separated properties to answer, repeatable (all when left out, none "
                    "when empty): " + ", ".join(PROPERTIES),
        examples=[["name,category_name,address"]])] = None,
) -> tuple[str, ...] | None:
    if properties is None:
        return None
    names = tuple(dict.fromkeys(n.strip() for value in properties for n in value.split(",")
                                if n.strip()))
    check_properties(names)
    return names


Filter = Annotated[PlaceFilter, Depends(place_filter)]
Paging = Annotated[Page, Depends(page)]
Properties = Annotated[tuple[str, ...] | None, Depends(property_selection)]
