"""Parsing and validating the spatial parameters people type into URLs."""

import math
from dataclasses import dataclass

from geo.errors import InvalidParameter


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def holds(self, other: "BBox") -> bool:
        """Whether ``other`` lies wholly within this box (edges included)."""
        return (self.min_lon <= other.min_lon and self.min_lat <= other.min_lat
                and other.max_lon <= self.max_lon and other.max_lat <= self.max_lat)


@dataclass(frozen=True)
class Point:
    lon: float
    lat: float


def _numbers(parameter: str, raw: str, count: int, shape: str) -> list[float]:
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != count:
        raise InvalidParameter(parameter, f"needs {count} numbers separated by commas: {shape} "
                                          f"(got {len(parts)})")
    values = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise InvalidParameter(parameter, f"'{part[:40]}' is not a number; expected {shape}") from None
        if not math.isfinite(value):
            raise InvalidParameter(parameter, f"'{part[:40]}' is not a finite number")
        values.append(value)
    return values


def check_lon(parameter: str, lon: float) -> None:
    if not -180 <= lon <= 180:
        raise InvalidParameter(parameter, f"longitude {lon:g} is outside -180…180")


def check_lat(parameter: str, lat: float) -> None:
    if not -90 <= lat <= 90:
        raise InvalidParameter(parameter, f"latitude {lat:g} is outside -90…90")


def parse_bbox(raw: str, parameter: str = "bbox") -> BBox:
    """``minLon,minLat,maxLon,maxLat`` in WGS 84. Boxes across the antimeridian are not supported."""
    min_lon, min_lat, max_lon, max_lat = _numbers(parameter, raw, 4, "minLon,minLat,maxLon,maxLat")
    for lon in (min_lon, max_lon):
        check_lon(parameter, lon)
    for lat in (min_lat, max_lat):
        check_lat(parameter, lat)
    if min_lon > max_lon:
        raise InvalidParameter(parameter, "minLon is greater than maxLon "
                                          "(the order is minLon,minLat,maxLon,maxLat)")
    if min_lat > max_lat:
        raise InvalidParameter(parameter, "minLat is greater than maxLat "
                                          "(the order is minLon,minLat,maxLon,maxLat)")
    return BBox(min_lon, min_lat, max_lon, max_lat)


def parse_point(raw: str, parameter: str = "near") -> Point:
    """``lon,lat`` in WGS 84 (GeoJSON order)."""
    lon, lat = _numbers(parameter, raw, 2, "lon,lat")
    check_lon(parameter, lon)
    check_lat(parameter, lat)
    return Point(lon, lat)


def check_radius(radius: float, maximum: float, parameter: str = "radius") -> float:
    if not math.isfinite(radius):
        raise InvalidParameter(parameter, "must be a finite number of metres")
    if radius <= 0:
        raise InvalidParameter(parameter, "must be a positive number of metres")
    if radius > maximum:
        raise InvalidParameter(parameter, f"must be at most {maximum:g} metres")
    return radius
