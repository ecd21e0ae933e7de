"""Administration: server-side sessions, login attempts (throttling) and citizens' suggestions.

Sessions live in the database so that several app processes share them; only the SHA-256 of the
random token is stored, so a leaked table does not hand out logins. Login attempts are kept per
account and per client address for the throttling window; suggestions wait for review.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


STATEMENTS = """
        CREATE TABLE sessions (
            id bigserial CONSTRAINT pk_sessions PRIMARY KEY,
            token_hash bytea NOT NULL CONSTRAINT uq_sessions_token_hash UNIQUE,
            user_id integer NOT NULL
                CONSTRAINT fk_sessions_user_id_users REFERENCES users (id) ON DELETE CASCADE,
            csrf_token text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            last_seen_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL
        );
        CREATE INDEX ix_sessions_user_id ON sessions (user_id);
        CREATE INDEX ix_sessions_expires_at ON sessions (expires_at);

        CREATE TABLE login_attempts (
            id bigserial CONSTRAINT pk_login_attempts PRIMARY KEY,
            email text NOT NULL,
            client text NOT NULL,
            succeeded boolean NOT NULL,
            at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX ix_login_attempts_email_at ON login_attempts (email, at);
        CREATE INDEX ix_login_attempts_client_at ON login_attempts (client, at);

        CREATE TABLE suggestions (
            id serial CONSTRAINT pk_suggestions PRIMARY KEY,
            -- NULL: a new place is proposed, otherwise a correction of this place.
            place_id integer
                CONSTRAINT fk_suggestions_place_id_places REFERENCES places (id) ON DELETE SET NULL,
            payload jsonb NOT NULL,
            message text,
            contact text,
            -- A keyed hash of the sender address: enough for the rate limit, not a record of who.
            client_hash text NOT NULL,
            status varchar(10) NOT NULL DEFAULT 'open'
                CONSTRAINT ck_suggestions_status CHECK (status IN ('open', 'accepted', 'rejected')),
            created_at timestamptz NOT NULL DEFAULT now(),
            reviewed_by integer CONSTRAINT fk_suggestions_reviewed_by_users REFERENCES users (id),
            reviewed_at timestamptz,
            result_place_id integer
                CONSTRAINT fk_suggestions_result_place_id_places REFERENCES places (id)
        );
        CREATE INDEX ix_suggestions_status ON suggestions (status, created_at);
        CREATE INDEX ix_suggestions_client_hash ON suggestions (client_hash, created_at)
"""


def upgrade() -> None:
    # asyncpg runs one statement per call.
    for statement in STATEMENTS.split(";"):
        op.execute(statement)


def downgrade() -> None:
    for table in ("suggestions", "login_attempts", "sessions"):
        op.execute(f"DROP TABLE {table}")
