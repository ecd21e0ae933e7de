"""Municipalities in the aggregates' members: a municipality's cells are counted from the members
alone instead of joining each member to its place; members are written in cell order.

A municipality's embed over a national directory (``municipality=Berlin``, 124,000 of a million
places) fitted its view and asked for its cells: the members of the view's cells were joined to
their places one by one to fold and compare the municipality and town (112,000 lookups, 1.06 s;
over Germany 1.37 s). The members now carry the folded municipality and town and the AGS, so
the same cells are summed from the members of the view (Berlin 1.06 s -> about 70 ms in a
scratch copy). Folding a name costs 2 µs, too much to do for every member at each rebuild (4 s
at a million), so places keep their folded municipality and town as stored generated columns,
computed once when a place is written, as its search text is; the municipality filter compares
those columns, indexed instead of the expressions of migration 0009.

The rebuild writes the members sorted by their cell, so that a view's members lie in few
blocks: Berlin's 112,000 members of a view were spread over 19,500 blocks, sorted over 2,700
(the bitmap read 92 -> 27 ms). Members changed later by an edit go wherever there is room.

Adding the generated columns rewrites the places table and its indexes (90 s at a million
places); the migration then analyzes and vacuums it, as a rewrite leaves it without statistics
for the new columns and without pages marked all-visible.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _earlier(filename: str):
    """An earlier migration's module, whose function definitions this one changes."""
    spec = importlib.util.spec_from_file_location(filename, Path(__file__).with_name(filename))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LANGUAGES = _earlier("2026_11_25_0015_member_languages.py")
_changed = LANGUAGES._changed

COLUMNS = ("(place_id, lon, lat, cx, cy, cats, target_groups, languages)",
           "(place_id, lon, lat, cx, cy, cats, target_groups, languages, municipality_key, "
           "city_key, ags)")
VALUES = ("p.target_groups, p.languages\n  FROM places p",
          "p.target_groups, p.languages, p.municipality_key, p.city_key, p.ags\n  FROM places p")
ENQUEUE = _changed(LANGUAGES.ENQUEUE, (
    "OR n.languages IS DISTINCT FROM o.languages);",
    "OR n.languages IS DISTINCT FROM o.languages\n"
    "             OR n.municipality IS DISTINCT FROM o.municipality\n"
    "             OR n.city IS DISTINCT FROM o.city OR n.ags IS DISTINCT FROM o.ags);"))
REBUILD = _changed(LANGUAGES.REBUILD, COLUMNS, VALUES, (
    "WHERE p.status = 'published' AND p.geom IS NOT NULL;",
    "WHERE p.status = 'published' AND p.geom IS NOT NULL\n  ORDER BY 4, 5;"))
FLUSH = _changed(LANGUAGES.FLUSH, COLUMNS, VALUES)
# A small municipality in a large view is found by these (Fulda's 2,000 places over Germany:
# 206 ms reading every member without them, 23 ms with them); they cost a rebuild of a million
# members 21 -> 25 s.
MEMBER_INDEXES = ("municipality_key", "city_key", "ags")


def upgrade() -> None:
    # The expression indexes go first, so that the rewrite does not build them once more.
    op.execute("DROP INDEX ix_places_municipality_folded")
    op.execute("DROP INDEX ix_places_city_folded")
    op.execute("ALTER TABLE places "
               "ADD COLUMN municipality_key text GENERATED ALWAYS AS "
               "(lernorte_fold(municipality)) STORED, "
               "ADD COLUMN city_key text GENERATED ALWAYS AS (lernorte_fold(city)) STORED")
    op.execute("CREATE INDEX ix_places_municipality_key ON places (municipality_key)")
    op.execute("CREATE INDEX ix_places_city_key ON places (city_key)")
    # New columns have no statistics until an ANALYZE, and a rewrite does not prompt
    # autovacuum to take them: the planner then expected 5,000 places in Berlin instead of
    # 124,000 and sorted them all for an embed's first page in view (0.4-1.2 s instead of 10 ms).
    op.execute("ANALYZE places")
    op.execute("ALTER TABLE cluster_members ADD COLUMN municipality_key text, "
               "ADD COLUMN city_key text, ADD COLUMN ags text")
    for name in MEMBER_INDEXES:
        op.execute(f"CREATE INDEX ix_cluster_members_{name} ON cluster_members ({name})")
    for statement in (ENQUEUE, REBUILD, FLUSH):
        op.execute(statement)
    op.execute("SELECT lernorte_cluster_rebuild()")
    # Nor does autovacuum come for a table that was only rewritten, which left no page marked
    # all-visible: the walks along the index of names read every place they passed from the
    # table again (target_group=senioren's first page 37 -> 295 ms, offset 900,000 0.2 -> 2.6 s).
    with op.get_context().autocommit_block():
        op.execute("VACUUM places")


def downgrade() -> None:
    for statement in (LANGUAGES.ENQUEUE, LANGUAGES.REBUILD, LANGUAGES.FLUSH):
        op.execute(statement)
    for name in MEMBER_INDEXES:
        op.execute(f"DROP INDEX ix_cluster_members_{name}")
    op.execute("ALTER TABLE cluster_members DROP COLUMN municipality_key, DROP COLUMN city_key, "
               "DROP COLUMN ags")
    op.execute("DROP INDEX ix_places_city_key")
    op.execute("DROP INDEX ix_places_municipality_key")
    op.execute("ALTER TABLE places DROP COLUMN municipality_key, DROP COLUMN city_key")
    op.execute("CREATE INDEX ix_places_municipality_folded ON places (lernorte_fold(municipality))")
    op.execute("CREATE INDEX ix_places_city_folded ON places (lernorte_fold(city))")
    op.execute("ANALYZE places")  # the expression indexes' statistics
