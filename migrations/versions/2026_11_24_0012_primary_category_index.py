"""An index that hands a place's primary category over directly.

Every map page looks up the first category of each of its places (icon, colour, stage): by the
primary key (place, category) that meant reading all of a place's categories from the table and
sorting them by position, ~4.5 µs a place. Ordered by position and carrying the category, this
index answers from itself: a town's 1,000 places 15.4 → 13.5 ms in the database at a million.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_place_categories_primary ON place_categories "
               "(place_id, position) INCLUDE (category_id)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_place_categories_primary")
