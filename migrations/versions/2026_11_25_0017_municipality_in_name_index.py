"""The index of published names carries each place's folded municipality and town and its AGS.

A page in name order under a municipality walked this index and read each name's place from the
table to test its municipality: a municipality with few places or none (a village's embed, a
typo) read the whole directory before its list said so (2.8 s at a million places), a small
town's first page tens of thousands of places. Carried in the index, the names are tested where
they are read, as target groups and languages are since migration 0014.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _name_index(carried: str) -> None:
    op.execute("DROP INDEX ix_places_published_name")
    op.execute("CREATE INDEX ix_places_published_name ON places (name, id) "
               f"INCLUDE ({carried}) WHERE status = 'published'")


def upgrade() -> None:
    _name_index("target_groups, languages, municipality_key, city_key, ags")


def downgrade() -> None:
    _name_index("target_groups, languages")
