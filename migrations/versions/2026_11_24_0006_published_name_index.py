"""An index for the first page of published places by name.

Without a filter, the map's first request and the list without JavaScript ask for the first
places by name. With a million places PostgreSQL sorted all of them for those 100 rows; along
this index it reads just the 100.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_places_published_name ON places (name, id) "
               "WHERE status = 'published'")


def downgrade() -> None:
    op.execute("DROP INDEX ix_places_published_name")
