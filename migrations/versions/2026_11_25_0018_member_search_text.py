"""The aggregates' members carry their place's search text, so that the cells of a search are
counted from the members of the view alone.

A search's cells joined every member of the view to its place to test the search text: a city's
embed searching for a common word (``q=Kita`` in Berlin's view, 112,000 members) looked up each
member's place, 1.36 s at a million places; with the text on the members, 71 ms in a scratch
copy. Over all of Germany the same search reads the members instead of the places, a table half
the size, 1.0 s -> 0.44 s. A rare word still goes through the places' trigram index (see
app/places/clusters.py, which chooses).

The text costs 150 bytes a member (150 MB at a million places) and is not indexed; a place's
search text is a stored generated column, so a change of any column it is made of reaches the
members through the transition tables' ``search_text``.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-25
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _earlier(filename: str):
    """An earlier migration's module, whose function definitions this one changes."""
    spec = importlib.util.spec_from_file_location(filename, Path(__file__).with_name(filename))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MUNICIPALITIES = _earlier("2026_11_25_0016_member_municipalities.py")
_changed = MUNICIPALITIES._changed

COLUMNS = ("municipality_key, city_key, ags)", "municipality_key, city_key, ags, search_text)")
VALUES = ("p.municipality_key, p.city_key, p.ags\n  FROM places p",
          "p.municipality_key, p.city_key, p.ags, p.search_text\n  FROM places p")
ENQUEUE = _changed(MUNICIPALITIES.ENQUEUE, (
    "OR n.ags IS DISTINCT FROM o.ags);",
    "OR n.ags IS DISTINCT FROM o.ags\n"
    "             OR n.search_text IS DISTINCT FROM o.search_text);"))
REBUILD = _changed(MUNICIPALITIES.REBUILD, COLUMNS, VALUES)
FLUSH = _changed(MUNICIPALITIES.FLUSH, COLUMNS, VALUES)


def upgrade() -> None:
    op.execute("ALTER TABLE cluster_members ADD COLUMN search_text text")
    for statement in (ENQUEUE, REBUILD, FLUSH):
        op.execute(statement)
    op.execute("SELECT lernorte_cluster_rebuild()")


def downgrade() -> None:
    for statement in (MUNICIPALITIES.ENQUEUE, MUNICIPALITIES.REBUILD, MUNICIPALITIES.FLUSH):
        op.execute(statement)
    op.execute("ALTER TABLE cluster_members DROP COLUMN search_text")
