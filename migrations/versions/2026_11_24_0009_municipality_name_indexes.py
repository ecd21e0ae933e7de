"""Indexes for the municipality filter by name.

``municipality=Kassel`` matches places whose folded municipality or town equals the folded name
(so "Fuerstenberg" finds "Fürstenberg"). Without an index on the folded values PostgreSQL folded
every name of a million places per request (7.7 s); municipalities embedding the map name
themselves this way. One index per column, read together as a bitmap OR.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_places_municipality_folded ON places (lernorte_fold(municipality))")
    op.execute("CREATE INDEX ix_places_city_folded ON places (lernorte_fold(city))")


def downgrade() -> None:
    op.execute("DROP INDEX ix_places_city_folded")
    op.execute("DROP INDEX ix_places_municipality_folded")
