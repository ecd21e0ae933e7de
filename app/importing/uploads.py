"""Uploaded files kept between an import's preview and its commit (table ``import_uploads``),
under a random token of which only the SHA-256 is stored; at most a day, and only for the
admin who uploaded them."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

MAX_AGE = "1 day"


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def keep(conn: AsyncConnection, user_id: int, filename: str, content: bytes) -> str:
    await conn.execute(text(f"DELETE FROM import_uploads WHERE created_at < now() - interval '{MAX_AGE}'"))
    token = secrets.token_urlsafe(24)
    await conn.execute(text(
        "INSERT INTO import_uploads (token_hash, user_id, filename, content) "
        "VALUES (:h, :uid, :name, :content)"),
        {"h": _hash(token), "uid": user_id, "name": filename[:200], "content": content})
    return token


async def load(conn: AsyncConnection, user_id: int, token: str) -> tuple[str, bytes] | None:
    row = (await conn.execute(text(
        f"SELECT filename, content FROM import_uploads WHERE token_hash = :h AND user_id = :uid "
        f"AND created_at >= now() - interval '{MAX_AGE}'"),
        {"h": _hash(token), "uid": user_id})).first()
    return (row.filename, row.content) if row else None


async def forget(conn: AsyncConnection, token: str) -> None:
    await conn.execute(text("DELETE FROM import_uploads WHERE token_hash = :h"), {"h": _hash(token)})
