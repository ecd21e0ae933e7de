"""Request-level pieces of authentication: who is asking, over what, and with which CSRF token.

``require_csrf`` is attached to whole routers: it lets safe methods pass and checks every POST,
PUT, PATCH and DELETE, taking the token from the ``X-CSRF-Token`` header or the ``csrf_token``
form field. Requests that are not cookie-authenticated (login, the public suggestion form) use a
double-submit token instead: a random cookie that the form must repeat.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request, Response

from app.auth.accounts import User
from app.auth.errors import CsrfRejected, Forbidden, NotAuthenticated
from app.auth.sessions import Session, load_session
from app.config import Settings
from app.deps import AppSettings, Conn

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
FORM_CSRF_COOKIE = "lernorte_form_csrf"


def _from_trusted_proxy(request: Request, settings: Settings) -> bool:
    return request.client is not None and request.client.host in settings.trusted_proxies


def is_https(request: Request, settings: Settings) -> bool:
    if request.url.scheme == "https":
        return True
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return forwarded == "https" and _from_trusted_proxy(request, settings)


def client_address(request: Request, settings: Settings) -> str:
    """The client's address; behind a trusted proxy the nearest address it reports."""
    own = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and _from_trusted_proxy(request, settings):
        return forwarded.split(",")[-1].strip()[:100] or own
    return own


def set_cookie(response: Response, request: Request, settings: Settings, name: str, value: str,
               max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                        samesite=settings.cookie_samesite,
                        secure=settings.cookie_secure or is_https(request, settings))


async def get_session(request: Request, conn: Conn, settings: AppSettings) -> Session | None:
    token = request.cookies.get(settings.session_cookie)
    return await load_session(conn, token) if token else None


OptionalSession = Annotated[Session | None, Depends(get_session)]


async def require_session(session: OptionalSession) -> Session:
    if session is None:
        raise NotAuthenticated("please log in")
    return session


CurrentSession = Annotated[Session, Depends(require_session)]


async def require_user(session: CurrentSession) -> User:
    return session.user


CurrentUser = Annotated[User, Depends(require_user)]


async def require_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise Forbidden("only administrators may do this")
    return user


AdminUser = Annotated[User, Depends(require_admin)]


async def _submitted_token(request: Request) -> str:
    token = request.headers.get(CSRF_HEADER)
    if token:
        return token
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


async def require_csrf(request: Request, session: OptionalSession) -> None:
    """Every state-changing request of a logged-in user carries the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    if session is None:
        raise NotAuthenticated("please log in")
    if not _same(await _submitted_token(request), session.csrf_token):
        raise CsrfRejected("the form has expired or did not come from this site; reload it")


def form_csrf_token(request: Request) -> str:
    """The double-submit token for forms sent without a session (login, public suggestions)."""
    return request.cookies.get(FORM_CSRF_COOKIE) or secrets.token_urlsafe(24)


def set_form_csrf_cookie(response: Response, request: Request, settings: Settings,
                         token: str) -> None:
    set_cookie(response, request, settings, FORM_CSRF_COOKIE, token, max_age=None)


async def require_form_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    if not _same(await _submitted_token(request), request.cookies.get(FORM_CSRF_COOKIE, "")):
        raise CsrfRejected("the form has expired or did not come from this site; reload it")
