"""Cheaper per-row functions: the same results, ~1.5 s less database CPU per 100,000 rows.

* ``lernorte_fold`` (the generated ``search_text`` of every stored place) replaced punctuation
  with ``translate()``, which compares every character with each of the ten it maps (0.85 s
  per 100,000 places); ten ``replace()`` calls find each in one scan (0.12 s).
* ``lernorte_cell_x``/``lernorte_cell_y`` (the cluster aggregates' cell of a place) clamped
  with ``least``/``greatest``. Those are not strict, so PostgreSQL could not inline the STRICT
  functions and ran each as a little query per place (0.44 s per 100,000 places at every
  rebuild); ``float8larger``/``float8smaller`` clamp the same and are strict (0.06 s).
* ``lernorte_cluster_flush`` decides between rebuilding everything and refreshing the touched
  cells from the number of queued ids before it copies them into a table with a primary key
  (0.27 s for the 100,000 ids of a large import, which rebuilds anyway).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FINEST_ZOOM = 12  # must equal app.places.clusters.FINEST_ZOOM and migration 0002

FOLD = r"""
CREATE OR REPLACE FUNCTION lernorte_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
  SELECT pg_catalog.lower(public.unaccent('public.unaccent'::regdictionary,
    pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
      pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
        pg_catalog.replace(pg_catalog.replace(
          pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
            pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(value,
              'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'Ä', 'Ae'), 'Ö', 'Oe'), 'Ü', 'Ue'), 'ß', 'ss'),
        '-', ' '), '/', ' '), '.', ' '), ',', ' '), ';', ' '), ':', ' '), '(', ' '), ')', ' '),
      '"', ' '), '''', ' ')))
$$
"""

# The same formulas as migration 0002 (and geo/grid.py), clamped with strict functions.
CELL_X = f"""
CREATE OR REPLACE FUNCTION lernorte_cell_x(lon float8) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT pg_catalog.float8smaller(pg_catalog.float8larger(
           floor((lon + 180.0) / 360.0 * 2 ^ ({FINEST_ZOOM} + 2)), 0),
         2 ^ ({FINEST_ZOOM} + 2) - 1)::integer
$$
"""
CELL_Y = f"""
CREATE OR REPLACE FUNCTION lernorte_cell_y(lat float8) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT pg_catalog.float8smaller(pg_catalog.float8larger(
           floor((1.0 - ln(tan(radians(pg_catalog.float8smaller(pg_catalog.float8larger(
                                         lat, -85.0511), 85.0511)))
                           + 1.0 / cos(radians(pg_catalog.float8smaller(pg_catalog.float8larger(
                                         lat, -85.0511), 85.0511))))
                        / pi()) / 2.0 * 2 ^ ({FINEST_ZOOM} + 2)), 0),
         2 ^ ({FINEST_ZOOM} + 2) - 1)::integer
$$
"""

# Migration 0002's flush with the size check moved in front of the copy of the queued ids.
FLUSH = f"""
CREATE OR REPLACE FUNCTION lernorte_cluster_flush() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  level integer;
  queued bigint;
BEGIN
  -- A batch that touches a good part of all places (a big import, the generator) is cheaper
  -- to aggregate from scratch than cell by cell. Ids queued twice count twice here: a batch
  -- that size rebuilds either way.
  SELECT coalesce(sum(cardinality(place_ids)), 0) INTO queued FROM cluster_pending;
  IF queued = 0 THEN
    RETURN;
  END IF;
  IF queued > 1000 AND queued * 10 > (SELECT greatest(reltuples, 0) FROM pg_class
                                      WHERE oid = 'cluster_members'::regclass) THEN
    PERFORM lernorte_cluster_rebuild();
    RETURN;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS cluster_flush_ids (id integer PRIMARY KEY) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS cluster_flush_cells (cx integer, cy integer,
                                                       PRIMARY KEY (cx, cy)) ON COMMIT DROP;
  TRUNCATE cluster_flush_ids, cluster_flush_cells;
  WITH queued AS (DELETE FROM cluster_pending RETURNING place_ids)
  INSERT INTO cluster_flush_ids SELECT DISTINCT unnest(place_ids) FROM queued;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  ANALYZE cluster_flush_ids;

  INSERT INTO cluster_flush_cells
  SELECT m.cx, m.cy FROM cluster_members m JOIN cluster_flush_ids f ON f.id = m.place_id
  ON CONFLICT DO NOTHING;
  DELETE FROM cluster_members m USING cluster_flush_ids f WHERE m.place_id = f.id;
  INSERT INTO cluster_members (place_id, lon, lat, cx, cy, cats)
  SELECT p.id, ST_X(p.geom), ST_Y(p.geom),
         lernorte_cell_x(ST_X(p.geom)), lernorte_cell_y(ST_Y(p.geom)),
         coalesce((SELECT array_agg(pc.category_id ORDER BY pc.category_id)
                   FROM place_categories pc WHERE pc.place_id = p.id), '{{}}')
  FROM places p JOIN cluster_flush_ids f ON f.id = p.id
  WHERE p.status = 'published' AND p.geom IS NOT NULL;
  INSERT INTO cluster_flush_cells
  SELECT m.cx, m.cy FROM cluster_members m JOIN cluster_flush_ids f ON f.id = m.place_id
  ON CONFLICT DO NOTHING;
  ANALYZE cluster_flush_cells;

  DELETE FROM cluster_cells c USING cluster_flush_cells a
  WHERE c.z = {FINEST_ZOOM} AND c.cx = a.cx AND c.cy = a.cy;
  INSERT INTO cluster_cells
  SELECT {FINEST_ZOOM}, m.cx, m.cy, m.cats, count(*), sum(m.lon), sum(m.lat),
         min(m.lon), min(m.lat), max(m.lon), max(m.lat)
  FROM cluster_members m JOIN cluster_flush_cells a ON a.cx = m.cx AND a.cy = m.cy
  GROUP BY m.cx, m.cy, m.cats;

  FOR level IN REVERSE {FINEST_ZOOM - 1}..0 LOOP
    CREATE TEMP TABLE cluster_flush_parents ON COMMIT DROP AS
      SELECT DISTINCT cx / 2 AS cx, cy / 2 AS cy FROM cluster_flush_cells;
    TRUNCATE cluster_flush_cells;
    INSERT INTO cluster_flush_cells SELECT cx, cy FROM cluster_flush_parents;
    DROP TABLE cluster_flush_parents;
    ANALYZE cluster_flush_cells;
    DELETE FROM cluster_cells c USING cluster_flush_cells a
    WHERE c.z = level AND c.cx = a.cx AND c.cy = a.cy;
    INSERT INTO cluster_cells
    SELECT level, a.cx, a.cy, c.cats, sum(c.n), sum(c.sum_lon), sum(c.sum_lat),
           min(c.min_lon), min(c.min_lat), max(c.max_lon), max(c.max_lat)
    FROM cluster_flush_cells a
    JOIN cluster_cells c ON c.z = level + 1 AND c.cx BETWEEN 2 * a.cx AND 2 * a.cx + 1
                        AND c.cy BETWEEN 2 * a.cy AND 2 * a.cy + 1
    GROUP BY a.cx, a.cy, c.cats;
  END LOOP;
END
$$
"""


def _earlier(filename: str):
    """An earlier migration's module, for the function definitions a downgrade restores."""
    spec = importlib.util.spec_from_file_location(filename, Path(__file__).with_name(filename))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _or_replace(statement: str) -> str:
    return statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade() -> None:
    for statement in (FOLD, CELL_X, CELL_Y, FLUSH):
        op.execute(statement)


def downgrade() -> None:
    op.execute(_or_replace(_earlier("2026_11_23_0001_initial_schema.py").FOLD_FUNCTION))
    clusters = _earlier("2026_11_23_0002_clusters.py")
    for statement in clusters._statements(clusters.FUNCTIONS):
        if any(f"CREATE FUNCTION {name}(" in statement
               for name in ("lernorte_cell_x", "lernorte_cell_y", "lernorte_cluster_flush")):
            op.execute(_or_replace(statement))
