"""Data version: one row that every change to public data bumps, for cheap ETags and Last-Modified.

Statement-level triggers on places, place_categories, categories and stages (INSERT, UPDATE,
DELETE, TRUNCATE) bump ``data_version`` once per transaction, whoever writes: the admin, the
importer or plain SQL. A public read then asks one row instead of scanning the data.

``changed_at`` moves to a new whole second on every bump, because HTTP dates (Last-Modified,
If-Modified-Since) have one-second resolution: two edits within one second must not look alike
to a client that revalidates with If-Modified-Since. Only the first statement of a transaction
bumps (``txid``), so a busy import does not push the clock ahead.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("places", "place_categories", "categories", "stages")

CREATE_TABLE = """
CREATE TABLE data_version (
  id boolean PRIMARY KEY DEFAULT true CONSTRAINT ck_data_version_one_row CHECK (id),
  version bigint NOT NULL,
  changed_at timestamptz NOT NULL,
  txid bigint NOT NULL
)
"""
FILL = """
INSERT INTO data_version (id, version, changed_at, txid)
SELECT true, 1, coalesce(max(updated_at), now()), txid_current() FROM places
"""
BUMP_FUNCTION = """
CREATE FUNCTION lernorte_bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_version
     SET version = version + 1,
         changed_at = greatest(clock_timestamp(),
                               date_trunc('second', changed_at) + interval '1 second'),
         txid = txid_current()
   WHERE txid <> txid_current();
  RETURN NULL;
END
$$;
"""


def upgrade() -> None:
    for statement in (CREATE_TABLE, FILL, BUMP_FUNCTION):
        op.execute(statement)
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_data_version "
                   f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION lernorte_bump_data_version()")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_data_version ON {table}")
    op.execute("DROP FUNCTION lernorte_bump_data_version()")
    op.execute("DROP TABLE data_version")
