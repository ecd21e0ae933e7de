"""Target groups in the cluster aggregates: a place's set of target groups joins its category
set in the key, so that the map's clusters, the totals and the filter panel under a target group
("für Kinder", "für Senioren") read the aggregates instead of counting places one by one.

Over a million places at zoom 6, ``target_group=kinder`` took 1.27 s counted place by place (its
670,000 places read from the table of places). Target groups follow categories (a Kita is for
children and families), so the key grows little: 13 sets among the synthetic million, 319,096 →
321,488 rows at the finest zoom. Languages stay out: they vary more within a category and would
multiply the rows of the coarse zooms (29,218 → 74,868 at zoom 8).

A place's target groups are taken as stored: the same set in another order is another row, which
costs a row and never a wrong count.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

FINEST_ZOOM = 12  # must equal app.places.clusters.FINEST_ZOOM and migration 0002

# Migration 0002's, with a change of target groups queued like a move.
ENQUEUE = """
CREATE OR REPLACE FUNCTION lernorte_cluster_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids integer[];
BEGIN
  IF TG_TABLE_NAME = 'places' THEN
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg(id) INTO ids FROM new_rows WHERE status = 'published';
    ELSIF TG_OP = 'DELETE' THEN
      SELECT array_agg(id) INTO ids FROM old_rows WHERE status = 'published';
    ELSE
      SELECT array_agg(n.id) INTO ids FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.status = 'published' OR o.status = 'published')
        AND (n.status IS DISTINCT FROM o.status OR n.geom IS DISTINCT FROM o.geom
             OR n.target_groups IS DISTINCT FROM o.target_groups);
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT place_id) INTO ids FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT place_id) INTO ids FROM old_rows;
  ELSE
    SELECT array_agg(DISTINCT place_id) INTO ids
    FROM (SELECT place_id FROM new_rows UNION SELECT place_id FROM old_rows) touched;
  END IF;
  IF ids IS NOT NULL THEN
    INSERT INTO cluster_pending (place_ids) VALUES (ids);
  END IF;
  RETURN NULL;
END
$$
"""

# Migration 0002's, with target groups carried from the places to every zoom.
REBUILD = f"""
CREATE OR REPLACE FUNCTION lernorte_cluster_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  level integer;
BEGIN
  DELETE FROM cluster_pending;
  DELETE FROM cluster_members;
  DELETE FROM cluster_cells;
  INSERT INTO cluster_members (place_id, lon, lat, cx, cy, cats, target_groups)
  SELECT p.id, ST_X(p.geom), ST_Y(p.geom),
         lernorte_cell_x(ST_X(p.geom)), lernorte_cell_y(ST_Y(p.geom)), coalesce(c.cats, '{{}}'),
         p.target_groups
  FROM places p
  LEFT JOIN (SELECT place_id, array_agg(category_id ORDER BY category_id) AS cats
             FROM place_categories GROUP BY place_id) c ON c.place_id = p.id
  WHERE p.status = 'published' AND p.geom IS NOT NULL;
  INSERT INTO cluster_cells
  SELECT {FINEST_ZOOM}, cx, cy, cats, count(*), sum(lon), sum(lat), min(lon), min(lat),
         max(lon), max(lat), target_groups
  FROM cluster_members GROUP BY cx, cy, cats, target_groups;
  FOR level IN REVERSE {FINEST_ZOOM - 1}..0 LOOP
    INSERT INTO cluster_cells
    SELECT level, cx / 2, cy / 2, cats, sum(n), sum(sum_lon), sum(sum_lat), min(min_lon),
           min(min_lat), max(max_lon), max(max_lat), target_groups
    FROM cluster_cells WHERE z = level + 1 GROUP BY cx / 2, cy / 2, cats, target_groups;
  END LOOP;
  ANALYZE cluster_members;
  ANALYZE cluster_cells;
END
$$
"""

# Migration 0008's, with target groups carried from the places to every zoom.
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
  INSERT INTO cluster_members (place_id, lon, lat, cx, cy, cats, target_groups)
  SELECT p.id, ST_X(p.geom), ST_Y(p.geom),
         lernorte_cell_x(ST_X(p.geom)), lernorte_cell_y(ST_Y(p.geom)),
         coalesce((SELECT array_agg(pc.category_id ORDER BY pc.category_id)
                   FROM place_categories pc WHERE pc.place_id = p.id), '{{}}'),
         p.target_groups
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
         min(m.lon), min(m.lat), max(m.lon), max(m.lat), m.target_groups
  FROM cluster_members m JOIN cluster_flush_cells a ON a.cx = m.cx AND a.cy = m.cy
  GROUP BY m.cx, m.cy, m.cats, m.target_groups;

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
           min(c.min_lon), min(c.min_lat), max(c.max_lon), max(c.max_lat), c.target_groups
    FROM cluster_flush_cells a
    JOIN cluster_cells c ON c.z = level + 1 AND c.cx BETWEEN 2 * a.cx AND 2 * a.cx + 1
                        AND c.cy BETWEEN 2 * a.cy AND 2 * a.cy + 1
    GROUP BY a.cx, a.cy, c.cats, c.target_groups;
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


def upgrade() -> None:
    op.execute("ALTER TABLE cluster_members ADD COLUMN target_groups text[] NOT NULL DEFAULT '{}'")
    op.execute("ALTER TABLE cluster_cells ADD COLUMN target_groups text[] NOT NULL DEFAULT '{}'")
    op.execute("ALTER TABLE cluster_cells DROP CONSTRAINT pk_cluster_cells")
    op.execute("ALTER TABLE cluster_cells ADD CONSTRAINT pk_cluster_cells "
               "PRIMARY KEY (z, cx, cy, cats, target_groups)")
    for statement in (ENQUEUE, REBUILD, FLUSH):
        op.execute(statement)
    op.execute("SELECT lernorte_cluster_rebuild()")


def downgrade() -> None:
    clusters = _earlier("2026_11_23_0002_clusters.py")
    for statement in clusters._statements(clusters.FUNCTIONS):
        if any(f"CREATE FUNCTION {name}(" in statement
               for name in ("lernorte_cluster_enqueue", "lernorte_cluster_rebuild")):
            op.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute(_earlier("2026_11_24_0008_cheaper_row_functions.py").FLUSH)
    op.execute("ALTER TABLE cluster_cells DROP CONSTRAINT pk_cluster_cells")
    op.execute("ALTER TABLE cluster_cells DROP COLUMN target_groups")
    op.execute("ALTER TABLE cluster_members DROP COLUMN target_groups")
    op.execute("SELECT lernorte_cluster_rebuild()")
    op.execute("ALTER TABLE cluster_cells ADD CONSTRAINT pk_cluster_cells "
               "PRIMARY KEY (z, cx, cy, cats)")
