"""lernorte backup / restore: after a restore, data, history and users are exactly as backed up."""

from pathlib import Path

from tests.conftest import lernorte, sql

TABLES = ("places", "place_categories", "categories", "stages", "users", "revisions",
          "alembic_version")


def _contents(pg, db: str) -> dict[str, list[tuple]]:
    # Every column as text, in a fixed order: equality here means nothing at all changed.
    return {table: sql(pg, db, f"SELECT t::text FROM {table} t ORDER BY t::text")
            for table in TABLES}


def test_restore_brings_back_exactly_what_was_backed_up(pg, fresh_db, fresh_url, tmp_path: Path):
    sql(pg, fresh_db, "INSERT INTO users (email, password_hash, role, municipalities) "
                      "VALUES ('a@example.org', '$argon2id$fake', 'admin', '{}'), "
                      "('e@example.org', '$argon2id$fake2', 'editor', '{Fulda}')")
    sql(pg, fresh_db, "UPDATE places SET name = name || ' (geändert)', version = version + 1 "
                      "WHERE id = 3")
    sql(pg, fresh_db, "INSERT INTO revisions (place_id, action, version, before, after) "
                      "VALUES (3, 'update', 2, '{\"name\": \"alt\"}', '{\"name\": \"neu\"}')")
    at_backup = _contents(pg, fresh_db)
    assert len(at_backup["places"]) == 92 and len(at_backup["users"]) == 2
    assert len(at_backup["revisions"]) >= 93

    target = tmp_path / "nightly.dump"
    result = lernorte(fresh_url, "backup", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.stat().st_size > 10_000
    assert not list(tmp_path.glob("*.partial"))

    # After the backup: edits, deletions, a new user, lost history.
    sql(pg, fresh_db, "UPDATE places SET name = 'kaputt', status = 'archived' WHERE id <= 10")
    sql(pg, fresh_db, "DELETE FROM places WHERE id BETWEEN 20 AND 40")
    sql(pg, fresh_db, "DELETE FROM revisions WHERE place_id = 3")
    sql(pg, fresh_db, "DELETE FROM users WHERE email = 'e@example.org'")
    sql(pg, fresh_db, "INSERT INTO users (email, password_hash, role) "
                      "VALUES ('intruder@example.org', 'x', 'admin')")
    assert _contents(pg, fresh_db) != at_backup

    refused = lernorte(fresh_url, "restore", str(target))  # no terminal, no --yes
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert _contents(pg, fresh_db) != at_backup

    result = lernorte(fresh_url, "restore", "--yes", str(target))
    assert result.returncode == 0, result.stderr
    assert _contents(pg, fresh_db) == at_backup

    # The restored database works as before: search (generated column, trigram index) and
    # the place count the public API reports.
    assert sql(pg, fresh_db, "SELECT count(*) FROM places WHERE status = 'published' "
                             "AND search_text LIKE %s", ("%geaendert%",)) == [(1,)]
    # New rows get fresh ids after a restore (sequences were restored too).
    sql(pg, fresh_db, "INSERT INTO users (email, password_hash, role) VALUES ('n@example.org', 'x', 'editor')")


def test_a_broken_backup_file_changes_nothing(pg, fresh_db, fresh_url, tmp_path: Path):
    before = _contents(pg, fresh_db)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP" + b"\x00" * 100)
    result = lernorte(fresh_url, "restore", "--yes", str(broken))
    assert result.returncode == 2 and "pg_restore failed" in result.stderr
    missing = lernorte(fresh_url, "restore", "--yes", str(tmp_path / "nope.dump"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert _contents(pg, fresh_db) == before


def test_backup_into_an_unwritable_place_fails_clearly(fresh_url, tmp_path: Path):
    result = lernorte(fresh_url, "backup", "-o", str(tmp_path / "no" / "such" / "dir" / "x.dump"))
    assert result.returncode == 2 and "pg_dump failed" in result.stderr
