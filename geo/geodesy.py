"""Distances on the WGS 84 ellipsoid."""

from pyproj import Geod

_WGS84 = Geod(ellps="WGS84")


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres between two WGS 84 points."""
    _, _, metres = _WGS84.inv(lon1, lat1, lon2, lat2)
    return metres
