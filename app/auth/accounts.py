"""Accounts: creating users, logging in (with throttling), changing passwords and roles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.errors import AccountProblem, LoginFailed, LoginThrottled
from app.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.models import USER_ROLES

EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
AGS = re.compile(r"^[0-9]{2,12}$")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    municipalities: tuple[str, ...]  # AGS keys or prefixes; empty: all
    active: bool = True

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_edit_ags(self, ags: str | None) -> bool:
        """An editor limited to some municipalities may only touch places inside them."""
        if self.is_admin or not self.municipalities:
            return True
        return bool(ags) and any(ags.startswith(m) for m in self.municipalities)


USER_COLUMNS = "id, email, role, municipalities, active"


def _user(row) -> User:
    return User(row.id, row.email, row.role, tuple(row.municipalities or ()), row.active)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_account_fields(email: str, role: str, municipalities: list[str]) -> None:
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountProblem(f"'{email[:80]}' is not an email address")
    if role not in USER_ROLES:
        raise AccountProblem(f"role must be one of {', '.join(USER_ROLES)}")
    for ags in municipalities:
        if not AGS.match(ags):
            raise AccountProblem(f"'{ags[:20]}' is not a municipality key (AGS, digits only)")


async def create_user(conn: AsyncConnection, email: str, password: str, role: str,
                      municipalities: list[str] | None = None) -> User:
    email = normalise_email(email)
    municipalities = municipalities or []
    check_account_fields(email, role, municipalities)
    problem = password_problem(password)
    if problem:
        raise AccountProblem(f"the password needs {problem}")
    row = (await conn.execute(text(f"""
        INSERT INTO users (email, password_hash, role, municipalities)
        VALUES (:email, :hash, :role, :municipalities)
        ON CONFLICT (email) DO NOTHING
        RETURNING {USER_COLUMNS}
    """), {"email": email, "hash": hash_password(password), "role": role,
           "municipalities": municipalities})).first()
    if row is None:
        raise AccountProblem(f"an account for {email} exists already")
    return _user(row)


async def get_user(conn: AsyncConnection, user_id: int) -> User | None:
    row = (await conn.execute(text(f"SELECT {USER_COLUMNS} FROM users WHERE id = :id"),
                              {"id": user_id})).first()
    return _user(row) if row else None


async def list_users(conn: AsyncConnection) -> list[User]:
    rows = await conn.execute(text(f"SELECT {USER_COLUMNS} FROM users ORDER BY email"))
    return [_user(r) for r in rows]


async def update_user(conn: AsyncConnection, user_id: int, *, role: str,
                      municipalities: list[str], active: bool) -> User:
    target = await get_user(conn, user_id)
    if target is None:
        raise AccountProblem("no such account")
    check_account_fields(target.email, role, municipalities)
    row = (await conn.execute(text(f"""
        UPDATE users SET role = :role, municipalities = :municipalities, active = :active
        WHERE id = :id RETURNING {USER_COLUMNS}
    """), {"id": user_id, "role": role, "municipalities": municipalities, "active": active})).one()
    if not active:
        # A deactivated account is logged out everywhere at once.
        await conn.execute(text("DELETE FROM sessions WHERE user_id = :id"), {"id": user_id})
    return _user(row)


async def _throttle(conn: AsyncConnection, email: str, client: str, max_account: int,
                    max_client: int, window_s: int) -> None:
    row = (await conn.execute(text("""
        SELECT count(*) FILTER (WHERE email = :email) AS account,
               count(*) FILTER (WHERE client = :client) AS client,
               ceil(extract(epoch FROM min(at) FILTER (WHERE email = :email)
                    + make_interval(secs => :window) - now())) AS account_wait,
               ceil(extract(epoch FROM min(at) FILTER (WHERE client = :client)
                    + make_interval(secs => :window) - now())) AS client_wait
        FROM login_attempts
        WHERE NOT succeeded AND at > now() - make_interval(secs => :window)
          AND (email = :email OR client = :client)
    """), {"email": email, "client": client, "window": window_s})).one()
    if row.account >= max_account or row.client >= max_client:
        wait = row.account_wait if row.account >= max_account else row.client_wait
        raise LoginThrottled(max(1, int(wait or 1)))


async def authenticate(conn: AsyncConnection, email: str, password: str, client: str, *,
                       max_failures: int, max_failures_per_client: int, window_s: int) -> User:
    """The user for these credentials; every attempt is recorded for throttling.

    The caller must commit even when this raises, so that the failed attempt is counted.
    """
    email = normalise_email(email)[:254]
    await _throttle(conn, email, client, max_failures, max_failures_per_client, window_s)
    row = (await conn.execute(text(
        f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = :email"),
        {"email": email})).first()
    # Always verify (against a dummy hash for unknown accounts): same work, same time.
    ok = verify_password(row.password_hash if row else None, password) and bool(row and row.active)
    await conn.execute(text(
        "INSERT INTO login_attempts (email, client, succeeded) VALUES (:email, :client, :ok)"),
        {"email": email, "client": client, "ok": ok})
    if not ok:
        raise LoginFailed("wrong email or password")
    if needs_rehash(row.password_hash):
        await _store_password(conn, row.id, password)
    return _user(row)


async def _store_password(conn: AsyncConnection, user_id: int, password: str) -> None:
    await conn.execute(text("UPDATE users SET password_hash = :hash WHERE id = :id"),
                       {"hash": hash_password(password), "id": user_id})


async def change_password(conn: AsyncConnection, user: User, current: str, new: str,
                          keep_session_id: int | None = None) -> None:
    """Checks the current password; every other session of the account is ended."""
    stored = (await conn.execute(text("SELECT password_hash FROM users WHERE id = :id"),
                                 {"id": user.id})).scalar_one()
    if not verify_password(stored, current):
        raise AccountProblem("the current password is wrong")
    problem = password_problem(new)
    if problem:
        raise AccountProblem(f"the new password needs {problem}")
    await _store_password(conn, user.id, new)
    await conn.execute(text("DELETE FROM sessions WHERE user_id = :uid AND id <> :keep"),
                       {"uid": user.id, "keep": keep_session_id or 0})
