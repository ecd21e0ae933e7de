"""Distances on the WGS 84 ellipsoid."""

import math

from pyproj import Geod

from geo.params import BBox, Point

_WGS84 = Geod(ellps="WGS84")


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres between two WGS 84 points."""
    _, _, metres = _WGS84.inv(lon1, lat1, lon2, lat2)
    return metres


# Radii of curvature smaller than any on the WGS 84 ellipsoid (the meridian's at the equator,
# 6,335,439 m), so that angles computed from them are never too small.
_SMALLEST_RADIUS_M = 6_335_000.0
_MARGIN = 1.01


def bbox_within(point: Point, radius_m: float) -> BBox:
    """A box holding every point within ``radius_m`` of ``point`` on the WGS 84 ellipsoid.

    Generous rather than tight: it is computed on a sphere smaller than the ellipsoid anywhere
    and widened by a percent. A circle around a pole or across the antimeridian gets every
    longitude."""
    angle = radius_m / _SMALLEST_RADIUS_M * _MARGIN
    min_lat = point.lat - math.degrees(angle)
    max_lat = point.lat + math.degrees(angle)
    if min_lat <= -90.0 or max_lat >= 90.0 or angle >= math.pi / 2:
        return BBox(-180.0, max(min_lat, -90.0), 180.0, min(max_lat, 90.0))
    # The farthest longitude of a circle on a sphere: sin(Δλ) = sin(angle) / cos(φ).
    reach = math.sin(angle) / math.cos(math.radians(point.lat))
    if reach >= 1.0:
        return BBox(-180.0, min_lat, 180.0, max_lat)
    half_width = math.degrees(math.asin(reach))
    if point.lon - half_width < -180.0 or point.lon + half_width > 180.0:
        return BBox(-180.0, min_lat, 180.0, max_lat)
    return BBox(point.lon - half_width, min_lat, point.lon + half_width, max_lat)
