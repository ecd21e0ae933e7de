"""The map grid that clusters are counted on: Web Mercator cells of 64 pixels at 256-pixel tiles.

At zoom z there are 2^(z+2) cells per axis, so a cell at zoom z is exactly four cells at zoom
z+1. The database computes the same cell numbers (``lernorte_cell_x``/``lernorte_cell_y`` in the
clusters migration) at the finest precomputed zoom; coarser cells are integer halvings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geo.params import BBox

MAX_LAT = 85.0511  # Web Mercator ends here


def cells_per_axis(zoom: int) -> int:
    return 2 ** (zoom + 2)


def cell_x(lon: float, zoom: int) -> int:
    n = cells_per_axis(zoom)
    return min(max(math.floor((lon + 180.0) / 360.0 * n), 0), n - 1)


def cell_y(lat: float, zoom: int) -> int:
    n = cells_per_axis(zoom)
    phi = math.radians(min(max(lat, -MAX_LAT), MAX_LAT))
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0
    return min(max(math.floor(y * n), 0), n - 1)


def _lon_of(x: int, zoom: int) -> float:
    return x / cells_per_axis(zoom) * 360.0 - 180.0


def _lat_of(y: int, zoom: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / cells_per_axis(zoom)))))


@dataclass(frozen=True)
class CellRange:
    """The cells at ``zoom`` that a bbox touches (inclusive), and the area they cover."""

    zoom: int
    min_x: int
    max_x: int
    min_y: int  # north edge (y grows southwards)
    max_y: int

    @property
    def count(self) -> int:
        return (self.max_x - self.min_x + 1) * (self.max_y - self.min_y + 1)

    def bbox(self) -> BBox:
        """The whole cells as minLon,minLat,maxLon,maxLat: what the counts refer to."""
        return BBox(_lon_of(self.min_x, self.zoom), _lat_of(self.max_y + 1, self.zoom),
                    _lon_of(self.max_x + 1, self.zoom), _lat_of(self.min_y, self.zoom))


def cell_range(bbox: BBox, zoom: int) -> CellRange:
    return CellRange(zoom, cell_x(bbox.min_lon, zoom), cell_x(bbox.max_lon, zoom),
                     cell_y(bbox.max_lat, zoom), cell_y(bbox.min_lat, zoom))


def fitting_range(bbox: BBox, zoom: int, max_cells: int) -> CellRange:
    """The cell range at ``zoom`` or, if that has more than ``max_cells`` cells, at the finest
    coarser zoom that has few enough, so an answer stays bounded whatever box is asked for."""
    cells = cell_range(bbox, zoom)
    while cells.count > max_cells and cells.zoom > 0:
        cells = cell_range(bbox, cells.zoom - 1)
    return cells
