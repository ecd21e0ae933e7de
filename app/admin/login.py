"""Logging in and out, shared by the login page and the JSON API."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.accounts import authenticate
from app.auth.deps import client_address, set_cookie
from app.auth.sessions import Session, create_session, end_session
from app.config import Settings


async def log_in(conn: AsyncConnection, request: Request, response: Response, settings: Settings,
                 email: str, password: str) -> Session:
    """Check the credentials and set the session cookie; raises LoginFailed/LoginThrottled.

    A failed attempt must still be counted, so it is committed before the error leaves.
    """
    try:
        user = await authenticate(conn, email, password, client_address(request, settings),
                                  max_failures=settings.login_max_failures,
                                  max_failures_per_client=settings.login_max_failures_per_client,
                                  window_s=settings.login_window_s)
    except Exception:
        await conn.commit()
        raise
    token, session = await create_session(conn, user, settings.session_max_age_s)
    set_cookie(response, request, settings, settings.session_cookie, token,
               settings.session_max_age_s)
    return session


async def log_out(conn: AsyncConnection, request: Request, response: Response, settings: Settings,
                  session: Session) -> None:
    await end_session(conn, session.id)
    response.delete_cookie(settings.session_cookie, path="/", httponly=True,
                           samesite=settings.cookie_samesite)
