"""The map's two hot shapes (a box; near a point within a radius) run from statements prepared
once per shape. Whatever values come in, and in whatever order, they must answer exactly what
the general query answers for the same filter."""

from __future__ import annotations

import asyncio

import pytest

from app.db import make_engine
from app.places.query import Page, PlaceFilter, fetch_features
from geo.params import BBox, Point

BOXES = [BBox(9.6, 50.5, 9.75, 50.6), BBox(9.9, 50.6, 10.0, 50.7), BBox(9.0, 50.0, 11.0, 51.0),
         BBox(0.0, 0.0, 1.0, 1.0)]
POINTS = [(Point(9.6716, 50.5547), 3000.0), (Point(9.75, 50.65), 20000.0),
          (Point(9.6716, 50.5547), 50.0)]
PAGES = [Page(limit=5), Page(limit=5, offset=5), Page(limit=1000), Page(limit=3, offset=80),
         Page(limit=10, offset=500)]


def _same_filter_in_general_form(flt: PlaceFilter) -> PlaceFilter:
    # Published places always have a location: the same places, but not one of the shapes.
    return PlaceFilter(bbox=flt.bbox, near=flt.near, radius_m=flt.radius_m, has_location=True)


@pytest.mark.parametrize("properties", [None, ("name", "distance_m")])
def test_prepared_shapes_answer_what_the_general_query_answers(demo_url, properties):
    filters = [PlaceFilter(bbox=b) for b in BOXES]
    filters += [PlaceFilter(near=p, radius_m=r) for p, r in POINTS]

    async def compare() -> int:
        engine = make_engine(demo_url)
        compared = 0
        try:
            async with engine.connect() as conn:
                for _ in range(2):  # the second round runs from the warm cache
                    for flt in filters:
                        general_form = _same_filter_in_general_form(flt)
                        total = (await fetch_features(conn, general_form, Page(limit=1000), "de",
                                                      100_000)).number_matched
                        # A count cap below, at and above the true count, and the default's.
                        for cap, page in [(c, p) for c in (10, max(total - 1, 0), total, total + 1)
                                          for p in PAGES]:
                            fast = await fetch_features(conn, flt, page, "de", cap,
                                                        properties=properties)
                            general = await fetch_features(conn, general_form, page, "de", cap,
                                                           properties=properties)
                            assert fast.features() == general.features(), (flt, page)
                            assert (fast.number_returned, fast.number_matched, fast.more_than) == (
                                general.number_returned, general.number_matched,
                                general.more_than), (flt, page, cap)
                            compared += fast.number_returned
        finally:
            await engine.dispose()
        return compared

    assert asyncio.run(compare()) > 200
