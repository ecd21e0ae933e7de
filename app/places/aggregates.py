"""The cluster aggregates (migration 0002): published places summed per zoom level, grid cell and
category set, kept current by triggers. What they can answer exactly, they answer for a few
hundred rows whatever the number of places: the low-zoom map, the filter panel's counts and the
total of the whole directory or of categories."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Float, Integer, column, func, select, table
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

if TYPE_CHECKING:
    from app.places.query import PlaceFilter

FINEST_ZOOM = 12  # the finest zoom with precomputed aggregates; equals the migration's

AGGREGATE_COLUMNS = ("n", "sum_lon", "sum_lat", "min_lon", "min_lat", "max_lon", "max_lat")
# Every published place with a location: its finest cell and sorted categories, as the triggers
# keep them for the aggregates (current at every commit).
cluster_members = table("cluster_members", column("place_id", Integer), column("lon", Float),
                        column("lat", Float), column("cx", Integer), column("cy", Integer),
                        column("cats", ARRAY(Integer)))
cluster_cells = table("cluster_cells", column("z", Integer), column("cx", Integer),
                      column("cy", Integer), column("cats", ARRAY(Integer)),
                      *(column(c) for c in AGGREGATE_COLUMNS))


def aggregates_fit(flt: PlaceFilter) -> bool:
    """Whether the precomputed cells can answer this filter exactly (at their zoom levels)."""
    return (flt.statuses == ("published",) and not flt.ids and not flt.q and flt.near is None
            and not flt.target_groups and not flt.languages and not flt.municipalities
            and not flt.stages and not flt.equals and flt.updated_from is None
            and flt.updated_to is None)


async def total(conn: AsyncConnection, category_ids: list[int] | None) -> int:
    """Every published place, or those with any of ``category_ids``: the coarsest zoom holds
    each place in exactly one row (its cell and category set), so the sum counts it once."""
    c = cluster_cells.c
    counted = select(func.coalesce(func.sum(c.n), 0)).where(c.z == 0)
    if category_ids is not None:
        counted = counted.where(c.cats.overlap(category_ids))
    return int((await conn.execute(counted)).scalar_one())
