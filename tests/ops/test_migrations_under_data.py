"""Migrations run over a database full of places, history and users without losing a row.

Written against whatever migrations exist: the data is loaded at the first revision (copying
the columns that revision has from the demo database), then the chain is walked to the head,
one step down and up again.
"""

import psycopg
from alembic.script import ScriptDirectory

from app.migrate import alembic_config, downgrade, head_revision, upgrade
from tests.conftest import sql, url_of

# Tables whose rows are data people entered (categories and stages are seeded, but may be edited).
DATA_TABLES = ("stages", "categories", "places", "place_categories", "users", "revisions")


def _columns(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum", (table,)).fetchall()
    return [r[0] for r in rows]


def _copy_data(source_dsn: str, target_dsn: str) -> None:
    """Replace the seeded rows of the target with the source's rows, column by common column."""
    with psycopg.connect(source_dsn) as src, psycopg.connect(target_dsn) as dst:
        dst.execute("SET session_replication_role = replica")  # no triggers, no FK order issues
        for table in reversed(DATA_TABLES):
            dst.execute(f"DELETE FROM {table}")
        for table in DATA_TABLES:
            common = [c for c in _columns(dst, table) if c in set(_columns(src, table))]
            cols = ", ".join(f'"{c}"' for c in common)
            with src.cursor().copy(f"COPY (SELECT {cols} FROM {table}) TO STDOUT") as out, \
                    dst.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as into:
                for chunk in out:
                    into.write(chunk)
            if "id" not in common:
                continue
            seq = dst.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
            if seq[0]:
                dst.execute(f"SELECT setval('{seq[0]}', (SELECT coalesce(max(id), 1) FROM {table}))")
        dst.commit()


def _fingerprint(pg, db: str) -> dict[str, set]:
    return {
        "places": set(sql(pg, db, "SELECT id, name, status, ST_AsText(geom), version FROM places")),
        "place_categories": set(sql(pg, db, "SELECT place_id, category_id, position "
                                            "FROM place_categories")),
        "users": set(sql(pg, db, "SELECT id, email, password_hash, role FROM users")),
        "revisions": set(sql(pg, db, "SELECT id, place_id, action, version, after::text "
                                     "FROM revisions")),
        "categories": set(sql(pg, db, "SELECT id, slug FROM categories")),
    }


def test_walk_the_migration_chain_over_demo_data_and_history(pg, demo_db, empty_url):
    db = empty_url.rsplit("/", 1)[1]
    script = ScriptDirectory.from_config(alembic_config(empty_url))
    first = script.get_base()
    upgrade(empty_url, first)
    _copy_data(url_of(pg, demo_db).replace("+asyncpg", ""), url_of(pg, db).replace("+asyncpg", ""))
    sql(pg, db, "INSERT INTO users (email, password_hash, role) VALUES ('ed@example.org', 'h', 'editor')")
    sql(pg, db, "INSERT INTO revisions (place_id, user_id, action, version, before, after) "
                "SELECT 1, max(id), 'update', 2, '{}', '{\"name\": \"x\"}' FROM users")
    before = _fingerprint(pg, db)
    assert len(before["places"]) == 92 and len(before["revisions"]) >= 93

    upgrade(empty_url)
    assert sql(pg, db, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    at_head = _fingerprint(pg, db)
    for table, rows in before.items():
        assert rows <= at_head[table], f"{table}: rows lost or changed on the way to the head"

    head = script.get_revision(head_revision())
    if head.down_revision is None:  # only one migration: nothing to step back to
        return
    downgrade(empty_url, "-1")
    assert sql(pg, db, "SELECT version_num FROM alembic_version") == [(head.down_revision,)]
    one_down = _fingerprint(pg, db)
    for table, rows in before.items():
        assert rows <= one_down[table], f"{table}: rows lost by downgrading {head.revision}"

    upgrade(empty_url)
    assert _fingerprint(pg, db) == at_head
    # The app's own queries still work on the migrated data.
    assert sql(pg, db, "SELECT count(*) FROM places WHERE status = 'published' "
                       "AND geom IS NOT NULL") == [(87,)]
