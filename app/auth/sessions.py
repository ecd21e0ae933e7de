"""Server-side sessions in the database: a random token in the cookie, only its hash stored.

Several app processes behind a load balancer share them, and logging out or deactivating an
account ends a session everywhere at once. Each session carries its synchronizer CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.accounts import USER_COLUMNS, User, _user


@dataclass(frozen=True)
class Session:
    id: int
    user: User
    csrf_token: str


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def create_session(conn: AsyncConnection, user: User, max_age_s: int) -> tuple[str, Session]:
    """A new session; returns the token for the cookie (never stored) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session_id = (await conn.execute(text("""
        INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
        VALUES (:hash, :uid, :csrf, now() + make_interval(secs => :age))
        RETURNING id
    """), {"hash": _hash(token), "uid": user.id, "csrf": csrf, "age": max_age_s})).scalar_one()
    # Expired sessions of anyone are cleared now and then, without a separate job.
    await conn.execute(text("DELETE FROM sessions WHERE expires_at < now()"))
    return token, Session(session_id, user, csrf)


async def load_session(conn: AsyncConnection, token: str) -> Session | None:
    """The live session for a cookie token, with its (active) user; None when there is none."""
    if not token or len(token) > 100:
        return None
    cols = ", ".join(f"u.{c.strip()}" for c in USER_COLUMNS.split(","))
    row = (await conn.execute(text(f"""
        SELECT s.id AS session_id, s.csrf_token, {cols}
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = :hash AND s.expires_at > now() AND u.active
    """), {"hash": _hash(token)})).first()
    if row is None:
        return None
    return Session(row.session_id, _user(row), row.csrf_token)


async def end_session(conn: AsyncConnection, session_id: int) -> None:
    await conn.execute(text("DELETE FROM sessions WHERE id = :id"), {"id": session_id})
