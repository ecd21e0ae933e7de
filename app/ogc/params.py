"""Query parameters of OGC API – Features, turned into the shared ``PlaceFilter`` and ``Page``.

The standard lets a client filter by any queryable property (``city=Fulda``), so the allowed
names are data, not a fixed function signature; anything else is refused with 400, as OGC
requires for unknown parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import QueryParams

from app.config import Settings
from app.places.query import EQUALITY_COLUMNS, MAX_OFFSET, Page, PlaceFilter
from geo.errors import InvalidParameter
from geo.params import parse_bbox
from geo.temporal import parse_datetime

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT = 10
FORMATS = ("json", "html")
# Property filters that map onto PlaceFilter's own fields rather than an equality.
LIST_FILTERS = {"category": "categories", "municipality": "municipalities",
                "target_group": "target_groups", "language": "languages"}
QUERYABLES = (*EQUALITY_COLUMNS, *LIST_FILTERS)
ITEMS_PARAMETERS = ("f", "bbox", "bbox-crs", "limit", "offset", "datetime", *QUERYABLES)


@dataclass(frozen=True)
class ItemsQuery:
    filter: PlaceFilter
    page: Page


def reject_unknown(params: QueryParams, allowed: tuple[str, ...]) -> None:
    for name in params:
        if name not in allowed:
            raise InvalidParameter(name, "unknown parameter; allowed are " + ", ".join(allowed))
    for name in ("f", "bbox", "bbox-crs", "limit", "offset", "datetime"):
        if len(params.getlist(name)) > 1:
            raise InvalidParameter(name, "may be given only once")


def parse_format(params: QueryParams) -> str | None:
    value = params.get("f")
    if value is None:
        return None
    value = {"geojson": "json"}.get(value, value)
    if value not in FORMATS:
        raise InvalidParameter("f", f"'{value[:20]}' is not offered; choose json or html")
    return value


def _integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(name, f"'{raw[:20]}' is not a whole number") from None
    if not low <= value <= high:
        raise InvalidParameter(name, f"must be between {low} and {high}")
    return value


def _bbox(raw: str):
    parts = raw.split(",")
    if len(parts) == 6:  # minLon,minLat,minHeight,maxLon,maxLat,maxHeight: heights do not apply
        raw = ",".join((parts[0], parts[1], parts[3], parts[4]))
    return parse_bbox(raw)


def items_query(params: QueryParams, settings: Settings, base: PlaceFilter) -> ItemsQuery:
    """The filter and page of an items request within a collection's own ``base`` filter."""
    reject_unknown(params, ITEMS_PARAMETERS)
    parse_format(params)
    crs = params.get("bbox-crs", CRS84)
    if crs != CRS84:
        raise InvalidParameter("bbox-crs", f"only {CRS84} is supported")
    # Above the maximum a client gets the maximum (and next links), not an error: OGC's own
    # example ("ask for 50000, you might get up to 10000") and what GIS clients expect.
    limit = min(_integer(params, "limit", DEFAULT_LIMIT, 1, 2**31 - 1), settings.max_limit)
    offset = _integer(params, "offset", 0, 0, MAX_OFFSET)
    interval = parse_datetime(params["datetime"]) if "datetime" in params else None
    lists = {field: tuple(v for v in params.getlist(name) if v.strip())
             for name, field in LIST_FILTERS.items()}
    flt = PlaceFilter(
        bbox=_bbox(params["bbox"]) if "bbox" in params else None,
        stages=base.stages,
        updated_from=interval.start if interval else None,
        updated_to=interval.end if interval else None,
        equals=tuple((name, value) for name in EQUALITY_COLUMNS for value in params.getlist(name)),
        **lists,
    )
    return ItemsQuery(filter=flt, page=Page(limit=limit, offset=offset))
