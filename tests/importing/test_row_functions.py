"""The database functions every imported row passes through give the answers the rest of the app
relies on: the search text folds like the search query (geo.text.fold), and a place lands in the
cluster cell the map asks for (geo.grid), also at the edges of the map."""

import pytest

from geo.grid import cell_x, cell_y
from geo.text import fold
from tests.conftest import sql

FINEST_ZOOM = 12

TEXTS = [
    "Grund- und Hauptschule Fürstenberg (Außenstelle); \"Am Bach\": 1.2/3,4 'alt'",
    "ÄÖÜ äöü ß Straße",
    "Café Crème, Élysée, Ñandú",
    "Харків / دمشق",
    "-/.,;:()\"'",
    "",
]
# Longitudes and latitudes on both sides of the map's edges and of a cell border.
POINTS = [(-180.0, -90.0), (-179.99, -85.06), (0.0, 0.0), (9.6755, 50.5558), (13.4, 52.52),
          (179.999, 85.0511), (180.0, 90.0), (-200.0, 86.0), (200.0, -86.0)]


@pytest.mark.parametrize("value", TEXTS)
def test_search_text_folds_like_the_search_query(pg, demo_db, value):
    assert sql(pg, demo_db, "SELECT lernorte_fold(%s)", (value,)) == [(fold(value),)]


def test_places_are_counted_in_the_cells_the_map_asks_for(pg, demo_db):
    for lon, lat in POINTS:
        assert sql(pg, demo_db, "SELECT lernorte_cell_x(%s), lernorte_cell_y(%s)", (lon, lat)) \
            == [(cell_x(lon, FINEST_ZOOM), cell_y(lat, FINEST_ZOOM))], (lon, lat)
    assert sql(pg, demo_db, "SELECT lernorte_cell_x(NULL), lernorte_cell_y(NULL), "
                            "lernorte_fold(NULL)") == [(None, None, None)]
