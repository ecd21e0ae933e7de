"""Keeping the public suggestion form usable for people and costly for bots, without any
third-party service: a signed form token (no session needed), a minimum fill time, a honeypot
field and a per-address hourly limit counted in the database (shared by every app process)."""

from __future__ import annotations

import hashlib
import hmac
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# A form older than this is refused (the person reloads it); the token says when it was issued.
TOKEN_MAX_AGE_S = 2 * 3600
# Bots fill every field; people leave a field they cannot see empty.
HONEYPOT_FIELD = "homepage"


def _mac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def issue_token(secret: str, now: float | None = None) -> str:
    """A token that proves the form came from this site and says when it was shown."""
    issued = str(int(now if now is not None else time.time()))
    return f"{issued}.{_mac(secret, 'suggest:' + issued)}"


def token_age(secret: str, token: str, now: float | None = None) -> float | None:
    """Seconds since the token was issued, or None when it is forged, broken or too old."""
    issued, _, mac = token.partition(".")
    if not issued.isdigit() or not hmac.compare_digest(mac.encode(),
                                                        _mac(secret, "suggest:" + issued).encode()):
        return None
    age = (now if now is not None else time.time()) - int(issued)
    return age if 0 <= age <= TOKEN_MAX_AGE_S else None


def client_hash(secret: str, address: str) -> str:
    """A keyed hash of the sender's address: enough to count, not a record of who sent it."""
    return _mac(secret, "client:" + address)


async def sent_last_hour(conn: AsyncConnection, hashed_client: str) -> int:
    return (await conn.execute(text(
        "SELECT count(*) FROM suggestions WHERE client_hash = :c "
        "AND created_at > now() - interval '1 hour'"), {"c": hashed_client})).scalar_one()
