"""Uploads waiting between an import's preview and its commit.

The admin previews a file, maps its columns, then commits: the very same bytes must be imported,
and any app process may serve the commit, so the upload waits in the database under a random
token (only its SHA-256 is stored, like session tokens) for at most a day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE TABLE import_uploads (
            token_hash bytea CONSTRAINT pk_import_uploads PRIMARY KEY,
            user_id integer NOT NULL
                CONSTRAINT fk_import_uploads_user_id_users REFERENCES users (id) ON DELETE CASCADE,
            filename text NOT NULL,
            content bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
    """)
    op.execute("CREATE INDEX ix_import_uploads_created_at ON import_uploads (created_at)")


def downgrade() -> None:
    op.execute("DROP TABLE import_uploads")
