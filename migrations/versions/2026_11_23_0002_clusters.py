"""Cluster aggregates: counts of published places per map grid cell, zoom level and category set,
kept current by triggers so that the low-zoom map over a million places reads a few hundred rows.

Grid: Web Mercator cells of 64 pixels at 256-pixel tiles, i.e. 2^(z+2) cells per axis at zoom z,
so each cell at zoom z is exactly four cells at zoom z+1. ``cluster_members`` holds what each
published place contributes (its cell at the finest precomputed zoom and its category set);
``cluster_cells`` the sums per (zoom, cell, category set). A place's category set is part of the
key so that "any of these categories" filters stay exact and a place is never counted twice.

Maintenance: statement-level triggers on places and place_categories queue the ids they touched
(one row per statement); a deferred constraint trigger flushes the queue once at commit, set-based:
the touched finest cells are recomputed from their members, then each coarser zoom from its
four children. A 100,000-row import therefore refreshes the aggregates once, at the end.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FINEST_ZOOM = 12  # must equal app.places.clusters.FINEST_ZOOM

FUNCTIONS = f"""
-- The cell of a point at the finest precomputed zoom (same formula as geo/grid.py).
CREATE FUNCTION lernorte_cell_x(lon float8) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT least(greatest(floor((lon + 180.0) / 360.0 * 2 ^ ({FINEST_ZOOM} + 2)), 0),
               2 ^ ({FINEST_ZOOM} + 2) - 1)::integer
$$;
CREATE FUNCTION lernorte_cell_y(lat float8) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT least(greatest(floor((1.0 - ln(tan(radians(least(greatest(lat, -85.0511), 85.0511)))
                                        + 1.0 / cos(radians(least(greatest(lat, -85.0511), 85.0511))))
                                     / pi()) / 2.0 * 2 ^ ({FINEST_ZOOM} + 2)), 0),
               2 ^ ({FINEST_ZOOM} + 2) - 1)::integer
$$;

CREATE FUNCTION lernorte_cluster_enqueue() RETURNS trigger
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
        AND (n.status IS DISTINCT FROM o.status OR n.geom IS DISTINCT FROM o.geom);
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
$$;

-- All aggregates from scratch, set-based. DELETE rather than TRUNCATE so that readers keep
-- seeing the previous aggregates until this transaction commits.
CREATE FUNCTION lernorte_cluster_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  level integer;
BEGIN
  DELETE FROM cluster_pending;
  DELETE FROM cluster_members;
  DELETE FROM cluster_cells;
  INSERT INTO cluster_members (place_id, lon, lat, cx, cy, cats)
  SELECT p.id, ST_X(p.geom), ST_Y(p.geom),
         lernorte_cell_x(ST_X(p.geom)), lernorte_cell_y(ST_Y(p.geom)), coalesce(c.cats, '{{}}')
  FROM places p
  LEFT JOIN (SELECT place_id, array_agg(category_id ORDER BY category_id) AS cats
             FROM place_categories GROUP BY place_id) c ON c.place_id = p.id
  WHERE p.status = 'published' AND p.geom IS NOT NULL;
  INSERT INTO cluster_cells
  SELECT {FINEST_ZOOM}, cx, cy, cats, count(*), sum(lon), sum(lat), min(lon), min(lat),
         max(lon), max(lat)
  FROM cluster_members GROUP BY cx, cy, cats;
  FOR level IN REVERSE {FINEST_ZOOM - 1}..0 LOOP
    INSERT INTO cluster_cells
    SELECT level, cx / 2, cy / 2, cats, sum(n), sum(sum_lon), sum(sum_lat), min(min_lon),
           min(min_lat), max(max_lon), max(max_lat)
    FROM cluster_cells WHERE z = level + 1 GROUP BY cx / 2, cy / 2, cats;
  END LOOP;
  ANALYZE cluster_members;
  ANALYZE cluster_cells;
END
$$;

-- Bring the aggregates up to date for every queued place id (all of them: see the refresh below).
CREATE FUNCTION lernorte_cluster_flush() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  level integer;
  queued bigint;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS cluster_flush_ids (id integer PRIMARY KEY) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS cluster_flush_cells (cx integer, cy integer,
                                                       PRIMARY KEY (cx, cy)) ON COMMIT DROP;
  TRUNCATE cluster_flush_ids, cluster_flush_cells;
  WITH queued AS (DELETE FROM cluster_pending RETURNING place_ids)
  INSERT INTO cluster_flush_ids SELECT DISTINCT unnest(place_ids) FROM queued;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- A batch that touches a good part of all places (a big import, the generator) is cheaper
  -- to aggregate from scratch than cell by cell.
  SELECT count(*) INTO queued FROM cluster_flush_ids;
  IF queued > 1000 AND queued * 10 > (SELECT greatest(reltuples, 0) FROM pg_class
                                      WHERE oid = 'cluster_members'::regclass) THEN
    PERFORM lernorte_cluster_rebuild();
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
$$;

CREATE FUNCTION lernorte_cluster_flush_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lernorte_cluster_flush();
  RETURN NULL;
END
$$;
"""

TABLES = """
CREATE TABLE cluster_members (
  place_id integer PRIMARY KEY,  -- no foreign key: a deleted place's contribution must be found
  lon float8 NOT NULL,
  lat float8 NOT NULL,
  cx integer NOT NULL,
  cy integer NOT NULL,
  cats integer[] NOT NULL
);
CREATE INDEX ix_cluster_members_cell ON cluster_members (cx, cy);
CREATE TABLE cluster_cells (
  z smallint NOT NULL,
  cx integer NOT NULL,
  cy integer NOT NULL,
  cats integer[] NOT NULL,
  n integer NOT NULL,
  sum_lon float8 NOT NULL,
  sum_lat float8 NOT NULL,
  min_lon float8 NOT NULL,
  min_lat float8 NOT NULL,
  max_lon float8 NOT NULL,
  max_lat float8 NOT NULL,
  CONSTRAINT pk_cluster_cells PRIMARY KEY (z, cx, cy, cats)
);
CREATE TABLE cluster_pending (
  id bigserial CONSTRAINT pk_cluster_pending PRIMARY KEY,
  place_ids integer[] NOT NULL
);
"""

TRIGGERS = """
CREATE TRIGGER places_cluster_insert AFTER INSERT ON places
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lernorte_cluster_enqueue();
CREATE TRIGGER places_cluster_update AFTER UPDATE ON places
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lernorte_cluster_enqueue();
CREATE TRIGGER places_cluster_delete AFTER DELETE ON places
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lernorte_cluster_enqueue();
CREATE TRIGGER place_categories_cluster_insert AFTER INSERT ON place_categories
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lernorte_cluster_enqueue();
CREATE TRIGGER place_categories_cluster_update AFTER UPDATE ON place_categories
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION lernorte_cluster_enqueue();
CREATE TRIGGER place_categories_cluster_delete AFTER DELETE ON place_categories
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lernorte_cluster_enqueue();
CREATE CONSTRAINT TRIGGER cluster_pending_flush AFTER INSERT ON cluster_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lernorte_cluster_flush_trigger();
"""


def _statements(script: str) -> list[str]:
    """asyncpg runs one statement at a time: split at semicolons outside $$ function bodies."""
    statements, current, in_body = [], [], False
    for line in script.splitlines():
        current.append(line)
        in_body ^= line.count("$$") % 2 == 1
        if not in_body and line.rstrip().endswith(";"):
            statements.append("\n".join(current).strip())
            current = []
    return statements


def upgrade() -> None:
    for script in (TABLES, FUNCTIONS, TRIGGERS):
        for statement in _statements(script):
            op.execute(statement)
    # The places that exist already: queue them all and flush now.
    op.execute("SELECT lernorte_cluster_rebuild()")


def downgrade() -> None:
    for table, event in [("places", "insert"), ("places", "update"), ("places", "delete"),
                         ("place_categories", "insert"), ("place_categories", "update"),
                         ("place_categories", "delete")]:
        op.execute(f"DROP TRIGGER {table}_cluster_{event} ON {table}")
    op.execute("DROP TABLE cluster_pending, cluster_cells, cluster_members")
    op.execute("DROP FUNCTION lernorte_cluster_flush_trigger(), lernorte_cluster_flush(), "
               "lernorte_cluster_rebuild(), lernorte_cluster_enqueue(), "
               "lernorte_cell_x(float8), lernorte_cell_y(float8)")
