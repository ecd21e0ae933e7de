"""Migrations build everything from an empty database and remove it again."""

import psycopg

from app.migrate import downgrade, head_revision, upgrade
from tests.conftest import sql, url_of


def tables(pg, db) -> set[str]:
    return {r[0] for r in sql(pg, db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_upgrade_downgrade_upgrade(pg, empty_url):
    db = empty_url.rsplit("/", 1)[1]
    upgrade(empty_url)
    assert {"places", "categories", "stages", "place_categories", "users", "revisions",
            "alembic_version"} <= tables(pg, db)
    assert sql(pg, db, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert sql(pg, db, "SELECT count(*) FROM categories") == [(20,)]
    downgrade(empty_url, "base")
    assert tables(pg, db) - {"spatial_ref_sys"} == {"alembic_version"}
    assert sql(pg, db, "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'") == [(0,)]
    upgrade(empty_url)
    assert sql(pg, db, "SELECT count(*) FROM stages") == [(7,)]


def test_proximity_query_uses_the_geography_index(pg, demo_db):
    """With 92 rows a sequential scan is cheaper; forbid it to see that the index qualifies."""
    with psycopg.connect(url_of(pg, demo_db).replace("+asyncpg", "")) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = conn.execute("""
            EXPLAIN SELECT id FROM places
            WHERE ST_DWithin(CAST(geom AS geography),
                             CAST(ST_SetSRID(ST_MakePoint(9.67, 50.55), 4326) AS geography), 2000)
        """).fetchall()
    assert "ix_places_geog" in "\n".join(r[0] for r in plan)
