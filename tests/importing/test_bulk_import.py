"""Imports of thousands of rows: stored in chunks, with the database's per-row work done once per
import, they must leave exactly what a row-by-row import leaves: the places, their categories in
order, one revision per created or changed place, current cluster aggregates and a new data
version; and they must report errors like a small file, or store nothing at all."""

import asyncio
import csv
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from app import migrate
from app.db import make_engine
from app.importing import store
from app.importing.readers import read_file
from app.places.snapshot import snapshot_sql
from bench.generate import write_csv
from tests.conftest import lernorte, sql

ROWS = 5000


def _db(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _in_process(url: str, path: Path, before_commit: str | None = None,
                **kwargs) -> store.ImportReport | list:
    """import_rows() as the CLI calls it, in a thread of its own (no event loop running there);
    with ``before_commit``, that query's rows in the import's transaction instead of the report."""
    async def run() -> store.ImportReport:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                report = await store.import_rows(conn, read_file(path), **kwargs)
                if before_commit is None:
                    return report
                return (await conn.execute(text(before_commit))).all()
        finally:
            await engine.dispose()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def _stored(pg, db: str) -> dict[str, list[tuple]]:
    """Everything an import writes, without ids and timestamps (which differ between runs)."""
    return {
        "places": sql(pg, db, f"SELECT p.source_id, {snapshot_sql('p')}::text FROM places p "
                              "ORDER BY p.source_id"),
        "revisions": sql(pg, db, "SELECT p.source_id, r.action, r.version, r.before::text, "
                                 "r.after::text FROM revisions r JOIN places p ON p.id = r.place_id "
                                 "ORDER BY p.source_id, r.version"),
        "clusters": sql(pg, db, "SELECT z, cx, cy, (SELECT array_agg(c.slug ORDER BY c.slug) "
                                "FROM categories c WHERE c.id = ANY(cats)), target_groups, n, "
                                "round(sum_lon::numeric, 9), round(sum_lat::numeric, 9) "
                                "FROM cluster_cells ORDER BY 1, 2, 3, 4, 5"),
        "pending": sql(pg, db, "SELECT count(*) FROM cluster_pending"),
    }


def _indexes(pg, db: str) -> list[tuple]:
    return sql(pg, db, "SELECT tablename, indexname, indexdef FROM pg_indexes "
                       "WHERE schemaname = 'public' ORDER BY 1, 2")


def _assert_clusters_match_places(pg, db: str) -> None:
    """The aggregates at every zoom hold exactly the published places with a location."""
    published = sql(pg, db, "SELECT count(*) FROM places "
                            "WHERE status = 'published' AND geom IS NOT NULL")[0][0]
    per_zoom = sql(pg, db, "SELECT z, sum(n) FROM cluster_cells GROUP BY z ORDER BY z")
    assert per_zoom == [(z, published) for z in range(13)]
    # The finest cells equal an aggregation straight from places, their categories and target
    # groups.
    direct = sql(pg, db, """
        SELECT lernorte_cell_x(ST_X(p.geom)), lernorte_cell_y(ST_Y(p.geom)),
               coalesce((SELECT array_agg(category_id ORDER BY category_id)
                         FROM place_categories WHERE place_id = p.id), '{}'), p.target_groups,
               count(*)
        FROM places p WHERE p.status = 'published' AND p.geom IS NOT NULL
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4""")
    assert sql(pg, db, "SELECT cx, cy, cats, target_groups, n FROM cluster_cells WHERE z = 12 "
                       "ORDER BY 1, 2, 3, 4") == direct


def test_thousands_of_rows_become_places_with_categories_history_and_clusters(pg, tmp_path,
                                                                             empty_url):
    path = tmp_path / "places.csv"
    write_csv(str(path), ROWS, seed=11)
    rows = _rows(path)
    migrate.upgrade(empty_url)
    schema = _indexes(pg, _db(empty_url))

    result = lernorte(empty_url, "import", str(path))
    assert result.returncode == 0, result.stderr
    assert f"{ROWS} places were created, 0 updated, 0 unchanged, 0 rows rejected" in result.stdout
    db = _db(empty_url)
    statuses = sql(pg, db, "SELECT status, count(*) FROM places GROUP BY status ORDER BY 1")
    expected = {}
    for row in rows:
        expected[row["status"]] = expected.get(row["status"], 0) + 1
    assert statuses == sorted(expected.items())
    # Every place has the file's categories, the first one primary.
    stored = dict(sql(pg, db, """
        SELECT p.source_id, string_agg(c.slug, ';' ORDER BY pc.position)
        FROM places p JOIN place_categories pc ON pc.place_id = p.id
        JOIN categories c ON c.id = pc.category_id GROUP BY p.source_id"""))
    assert stored == {row["source_id"]: row["categories"] for row in rows}
    assert dict(sql(pg, db, "SELECT source_id, name FROM places")) == \
        {row["source_id"]: row["name"] for row in rows}
    # One revision per place, holding the place as it was stored.
    assert sql(pg, db, f"""
        SELECT r.action, r.version, count(*),
               count(*) FILTER (WHERE r.after = {snapshot_sql('p')} AND r.before IS NULL)
        FROM revisions r JOIN places p ON p.id = r.place_id GROUP BY 1, 2""") == \
        [("import-create", 1, ROWS, ROWS)]
    _assert_clusters_match_places(pg, db)
    assert sql(pg, db, "SELECT count(*) FROM cluster_pending") == [(0,)]
    # A first load builds the read indexes at the end: all of them, as the migrations made them,
    # and the search and the map read through them.
    assert _indexes(pg, db) == schema
    some = rows[123]
    plan = "\n".join(r[0] for r in sql(pg, db, "EXPLAIN SELECT id FROM places "
                                                "WHERE search_text LIKE %s",
                                         (f"%{some['name'].lower()[:12]}%",)))
    assert "ix_places_search_text" in plan


def test_reimport_after_edits_updates_just_those_places(pg, tmp_path, empty_url):
    path = tmp_path / "places.csv"
    write_csv(str(path), ROWS, seed=12)
    assert lernorte(empty_url, "import", str(path)).returncode == 0
    db = _db(empty_url)
    version_before = sql(pg, db, "SELECT version FROM data_version")[0][0]

    rows = _rows(path)
    published = [r for r in rows if r["status"] == "published"]
    renamed, moved, recategorised, archived = published[10], published[2500], published[4000], \
        published[-1]
    old_name = renamed["name"]
    renamed["name"] = "Stadtteilbibliothek Neuer Name"
    moved["lon"], moved["lat"] = "9.6775", "50.5534"  # to Fulda
    recategorised["categories"] = "museum;bibliothek"
    archived["status"] = "archived"
    _write(path, rows)

    result = lernorte(empty_url, "import", str(path))
    assert result.returncode == 0, result.stderr
    assert f"0 places were created, 4 updated, {ROWS - 4} unchanged, 0 rows rejected" \
        in result.stdout
    assert sql(pg, db, "SELECT count(*) FROM places") == [(ROWS,)]
    updates = sql(pg, db, """
        SELECT p.source_id, r.version, r.before->>'name', r.after->>'name', r.after->'categories',
               r.after->>'status'
        FROM revisions r JOIN places p ON p.id = r.place_id
        WHERE r.action = 'import-update' ORDER BY p.source_id""")
    by_id = {u[0]: u[1:] for u in updates}
    assert set(by_id) == {r["source_id"] for r in (renamed, moved, recategorised, archived)}
    assert by_id[renamed["source_id"]][:3] == (2, old_name, "Stadtteilbibliothek Neuer Name")
    assert by_id[recategorised["source_id"]][3] == ["museum", "bibliothek"]
    assert by_id[archived["source_id"]][4] == "archived"
    assert sql(pg, db, "SELECT ST_X(geom), ST_Y(geom) FROM places WHERE source_id = %s",
               (moved["source_id"],)) == [(9.6775, 50.5534)]
    # The archived place left the map, the moved one is counted in its new cell.
    _assert_clusters_match_places(pg, db)
    assert sql(pg, db, "SELECT version FROM data_version")[0][0] > version_before


def test_chunked_import_without_shortcuts_stores_exactly_the_same(pg, tmp_path, empty_url,
                                                                  monkeypatch, caplog):
    """The once-per-import work (locks, cluster queue, data version) stands in for the
    database's per-row work exactly: a schema with a trigger store.py does not know takes the
    ordinary path, and both leave the same places, history and aggregates."""
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    write_csv(str(first), 2500, seed=13)
    rows = _rows(first)
    rows[7]["name"] = "Geänderter Name"
    rows[1900]["categories"] = "kita"
    rows[2400]["lon"] = ""
    rows[2400]["lat"] = ""
    rows[2400]["status"] = ""
    _write(second, rows[:2450])
    monkeypatch.setattr(store, "FIRST_CHUNK", 300)
    monkeypatch.setattr(store, "CHUNK", 700)

    bulk_url = empty_url
    plain_url = empty_url.rsplit("/", 1)[0] + "/" + _db(empty_url) + "_plain"
    pg.create_database(_db(plain_url))
    for url in (bulk_url, plain_url):
        migrate.upgrade(url)
    sql(pg, _db(plain_url), "CREATE TABLE fired (n integer)")
    sql(pg, _db(plain_url), "CREATE FUNCTION count_firing() RETURNS trigger LANGUAGE plpgsql "
                            "AS $$ BEGIN INSERT INTO fired VALUES (1); RETURN NULL; END $$")
    sql(pg, _db(plain_url), "CREATE TRIGGER unknown_to_the_importer AFTER INSERT ON places "
                            "FOR EACH STATEMENT EXECUTE FUNCTION count_firing()")
    reports = {}
    for url in (bulk_url, plain_url):
        caplog.clear()
        reports[url] = [_in_process(url, first), _in_process(url, second)]
        # Only the schema with the unknown trigger is imported row by row, and says so.
        assert ("unknown_to_the_importer" in caplog.text) == (url == plain_url)
    # Triggers stayed on there: the unknown one fired for the first file's chunks.
    assert sql(pg, _db(plain_url), "SELECT count(*) FROM fired")[0][0] >= 2500 // 700
    assert [(r.created, r.updated, r.unchanged) for r in reports[bulk_url]] == \
        [(2500, 0, 0), (0, 3, 2447)]
    assert [(r.created, r.updated, r.unchanged) for r in reports[plain_url]] == \
        [(2500, 0, 0), (0, 3, 2447)]
    assert _stored(pg, _db(bulk_url)) == _stored(pg, _db(plain_url))
    _assert_clusters_match_places(pg, _db(bulk_url))


def test_errors_in_later_chunks_are_reported_as_in_a_small_file(pg, tmp_path, empty_url):
    """Row numbers and reasons, also "the same id as row N" across a chunk boundary."""
    header = "source,source_id,name,categories,lon,lat,email"
    bad = ["test,b1,Stadtbücherei,gibtsnicht,9.68,50.55,",
           "test,b2,Grundschule Nord,grundschule,9.68,200,",
           "test,b3,Museum am Markt,museum,9.69,50.56,info(at)museum"]
    small = tmp_path / "small.csv"
    small.write_text("\n".join([header, "test,a1,Kita Lindenhof,kita,9.68,50.55,", *bad,
                                "test,a1,Kita Lindenhof again,kita,9.68,50.55,"]) + "\n",
                     encoding="utf-8")
    small_result = lernorte(empty_url, "import", "--dry-run", str(small))
    assert small_result.returncode == 0, small_result.stderr
    small_errors = [line for line in small_result.stdout.splitlines() if line.startswith("  row")]
    assert [line.split(":")[0] for line in small_errors] == \
        ["  row 3", "  row 4", "  row 5", "  row 6"]

    large = tmp_path / "large.csv"
    write_csv(str(large), ROWS, seed=14)
    rows = _rows(large)
    def padded(line: str) -> dict[str, str]:
        return {c: dict(zip(header.split(","), line.split(","))).get(c, "") for c in rows[0]}
    # The first chunk ends after 2,000 stored rows: the good row with id a1 is stored in it,
    # the errors and the repeated id come in later chunks.
    at = store.FIRST_CHUNK - 1
    rows[at:at] = [padded("test,a1,Kita Lindenhof,kita,9.68,50.55,"), *map(padded, bad)]
    rows.append(padded("test,a1,Kita Lindenhof again,kita,9.68,50.55,"))
    _write(large, rows)
    result = lernorte(empty_url, "import", str(large))
    assert result.returncode == 0, result.stderr
    first_row = at + 2  # the header is row 1
    shift = first_row - 2
    expected = [f"  row {int(line.split()[1][:-1]) + shift}:{line.split(':', 1)[1]}"
                for line in small_errors[:3]]
    expected.append(f"  row {len(rows) + 1}: the same id 'a1' as row {first_row}")
    assert [line for line in result.stdout.splitlines() if line.startswith("  row")] == expected
    assert f"{ROWS + 1} places were created" in result.stdout
    _assert_clusters_match_places(pg, _db(empty_url))


def test_a_failure_in_a_later_chunk_stores_nothing(pg, tmp_path, empty_url, monkeypatch):
    path = tmp_path / "places.csv"
    write_csv(str(path), 3000, seed=15)
    migrate.upgrade(empty_url)
    db = _db(empty_url)
    before = sql(pg, db, "SELECT version FROM data_version")
    monkeypatch.setattr(store, "FIRST_CHUNK", 500)
    monkeypatch.setattr(store, "CHUNK", 1000)
    calls = []
    record_history = store._record_history

    async def failing_on_the_third_chunk(conn, user_id):
        calls.append(1)
        if len(calls) == 3:
            await conn.execute(text("SELECT 1 / 0"))
        await record_history(conn, user_id)
    monkeypatch.setattr(store, "_record_history", failing_on_the_third_chunk)

    schema = _indexes(pg, db)
    with pytest.raises(Exception, match="division by zero"):
        _in_process(empty_url, path)
    assert len(calls) == 3
    assert _indexes(pg, db) == schema  # the dropped read indexes are back
    for table in ("places", "place_categories", "revisions", "cluster_cells", "cluster_pending"):
        assert sql(pg, db, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert sql(pg, db, "SELECT version FROM data_version") == before

    # The same import without the failure, and a dry run of it, afterwards.
    monkeypatch.setattr(store, "_record_history", record_history)
    dry = _in_process(empty_url, path, dry_run=True)
    assert (dry.created, sql(pg, db, "SELECT count(*) FROM places")) == (3000, [(0,)])
    assert _indexes(pg, db) == schema
    assert _in_process(empty_url, path).created == 3000
    assert _indexes(pg, db) == schema
    _assert_clusters_match_places(pg, db)


def test_an_import_into_a_directory_analyzed_while_empty_reads_each_table_once_per_chunk(
        pg, tmp_path, empty_url, monkeypatch):
    """A new installation analyzed before its first import (a nightly `vacuumdb --analyze`)
    tells the planner that places is empty. Plans made for that belief and kept for every chunk
    scanned places once per staged row: each chunk slower than the last, hours for 100,000."""
    path = tmp_path / "places.csv"
    write_csv(str(path), 3000, seed=16)
    migrate.upgrade(empty_url)
    sql(pg, _db(empty_url), "ANALYZE")
    monkeypatch.setattr(store, "FIRST_CHUNK", 300)
    monkeypatch.setattr(store, "CHUNK", 700)
    chunks = 1 + -(-(3000 - 300) // 700)
    # Before the commit: the statistics of this transaction alone.
    read = _in_process(empty_url, path, before_commit=(
        "SELECT relname, coalesce(seq_tup_read, 0), n_tup_ins FROM pg_stat_xact_user_tables "
        "WHERE relname IN ('places', 'place_categories')"))
    assert sql(pg, _db(empty_url), "SELECT count(*) FROM places") == [(3000,)]
    assert len(read) == 2
    for table, scanned, stored in read:
        # Once per chunk at most, and once per index a first load builds at the end.
        indexes = sql(pg, _db(empty_url), "SELECT count(*) FROM pg_indexes WHERE tablename = %s",
                      (table,))[0][0]
        assert stored > 0, table
        assert scanned <= (chunks + indexes) * stored, (table, scanned, stored)
