import pytest
from pyproj import Geod

from geo.geodesy import bbox_within
from geo.params import Point

WGS84 = Geod(ellps="WGS84")


@pytest.mark.parametrize("lon, lat", [(9.68, 50.55), (0.0, 0.0), (13.4, 52.5), (-70.0, -55.0),
                                      (25.0, 70.0), (179.9, 10.0), (10.0, 89.5)])
@pytest.mark.parametrize("radius", [1.0, 2000.0, 25_000.0, 100_000.0])
def test_every_point_within_the_radius_lies_in_the_box(lon, lat, radius):
    box = bbox_within(Point(lon, lat), radius)
    for azimuth in range(0, 360, 5):
        end_lon, end_lat, _ = WGS84.fwd(lon, lat, azimuth, radius)
        assert box.min_lat <= end_lat <= box.max_lat
        assert box.min_lon <= end_lon <= box.max_lon


def test_the_box_is_not_much_larger_than_the_circle():
    # Frankfurt, 25 km: about 0.45 degrees of latitude and 0.70 of longitude across.
    box = bbox_within(Point(8.682, 50.111), 25_000.0)
    assert box.max_lat - box.min_lat < 0.46 and box.max_lon - box.min_lon < 0.72
