"""Domain errors and the one table that maps them to HTTP responses: RFC 9457 problem details,
or for a person's browser opening a page, an error page in the person's language."""

import logging
import socket
from typing import Any
from urllib.parse import quote

import asyncpg
import orjson
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from app.auth.errors import (
    AccountProblem,
    CsrfRejected,
    Forbidden,
    LoginFailed,
    LoginThrottled,
    NotAuthenticated,
)
from app.pages.render import render
from app.places.errors import PlaceInvalid, StaleVersion
from app.responses import JSONResponse
from geo.errors import InvalidParameter


class NotFound(LookupError):
    """The thing asked for does not exist (or is not public)."""


log = logging.getLogger("lernorte.errors")

# The database is away (stopped, restarting, unreachable, refusing connections, too slow): these
# become a short 503 with Retry-After, never a traceback or a hanging request.
DATABASE_DOWN_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError, TimeoutError, socket.gaierror, sqlalchemy.exc.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.TooManyConnectionsError,
)
# Told apart by their text: SQLSTATE 55000 from ALTER DATABASE ... ALLOW_CONNECTIONS false
# (maintenance), and asyncpg's InterfaceError for a connection that closed under us (the same
# class also reports bad arguments, which are bugs).
_DOWN_MESSAGES = ("not currently accepting connections", "connection is closed",
                  "connection was closed")


def database_unavailable(exc: BaseException) -> bool:
    """Whether an error means "the database is not there right now" rather than a bug."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig.__cause__ or exc.orig if exc.orig is not None else exc
    return isinstance(exc, DATABASE_DOWN_ERRORS) or any(m in str(exc) for m in _DOWN_MESSAGES)


class ParameterProblem(BaseModel):
    parameter: str
    message: str


class Problem(BaseModel):
    """An error answer: ``detail`` is written for a person; ``errors`` lists each bad parameter."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ParameterProblem] = []


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Not found", "content": {"application/problem+json": {}}},
    422: {"model": Problem, "description": "A parameter makes no sense",
          "content": {"application/problem+json": {}}},
}


def problem(status: int, title: str, detail: str, errors: list[ParameterProblem] | None = None,
            headers: dict[str, str] | None = None) -> ProblemResponse:
    body = Problem(title=title, status=status, detail=detail, errors=errors or [])
    return ProblemResponse(body.model_dump(), status_code=status, headers=headers)


# Where programs read the answers (JSON, data files, assets); any other path is a page.
MACHINE_PATHS = ("/api/", "/ogc", "/downloads/", "/oembed", "/embed/check", "/healthz",
                 "/readyz", "/metrics", "/static/", "/vendor/")


def _page_asked(request: Request) -> bool:
    """A browser opening a page (it asks for HTML): a link cut short or mistyped in a
    municipality's newsletter must not show a person a JSON document."""
    return (request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", "")
            and not request.url.path.startswith(MACHINE_PATHS))


def _error_page(request: Request, status: int, title_key: str, text_key: str,
                parameter: str = "", headers: dict[str, str] | None = None) -> Response:
    response = render(request, "error.html", status_code=status, title_key=title_key,
                      text_key=text_key, parameter=parameter)
    response.headers.update(headers or {})
    return response


def _bad_address_page(request: Request, parameter: str) -> Response:
    return _error_page(request, 400, "pages_bad_address_title", "pages_bad_address_text", parameter)


def _readable(error: dict[str, Any]) -> ParameterProblem:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
    parameter = ".".join(loc) or "request"
    message = error.get("msg", "is not valid")
    return ParameterProblem(parameter=parameter, message=message[0].lower() + message[1:])


# OGC API – Features requires 400 for invalid and unknown parameters; our own API answers 422.
BAD_REQUEST_PATHS = ("/ogc",)


def _invalid_status(request: Request) -> int:
    path = request.url.path
    return 400 if any(path == p or path.startswith(p + "/") for p in BAD_REQUEST_PATHS) else 422


async def _invalid_parameter(request: Request, exc: InvalidParameter) -> Response:
    if _page_asked(request):
        return _bad_address_page(request, exc.parameter)
    return problem(_invalid_status(request), "Invalid parameter", f"{exc.parameter}: {exc.message}",
                   [ParameterProblem(parameter=exc.parameter, message=exc.message)])


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [_readable(e) for e in exc.errors()]
    if _page_asked(request):
        return _bad_address_page(request, errors[0].parameter if errors else "")
    detail = "; ".join(f"{e.parameter}: {e.message}" for e in errors)
    return problem(_invalid_status(request), "Invalid parameter", detail, errors)


async def _not_found(request: Request, exc: NotFound) -> Response:
    if _page_asked(request):
        return _error_page(request, 404, "pages_not_found_title", "pages_no_page_text")
    return problem(404, "Not found", str(exc) or "not found")


def _text_postgres_cannot_store(exc: BaseException) -> bool:
    """A NUL character (or another byte sequence PostgreSQL refuses) in text someone sent."""
    cause = getattr(getattr(exc, "orig", None), "__cause__", None) or exc
    return isinstance(cause, (asyncpg.exceptions.CharacterNotInRepertoireError,
                              asyncpg.exceptions.UntranslatableCharacterError))


async def _database_error(request: Request, exc: Exception) -> Response:
    if _text_postgres_cannot_store(exc):
        return problem(422, "Invalid text",
                       "text must not contain NUL characters or invalid byte sequences")
    if not database_unavailable(exc):
        raise exc
    log.warning("database unavailable", extra={"fields": {
        "error": type(exc).__name__, "path": request.url.path}})
    if _page_asked(request):
        return _error_page(request, 503, "pages_unavailable_title", "pages_unavailable_text",
                           headers={"Retry-After": "5"})
    return problem(503, "Service unavailable",
                   "The database cannot be reached right now. Please try again shortly.",
                   headers={"Retry-After": "5"})


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 404 and _page_asked(request):
        return _error_page(request, 404, "pages_not_found_title", "pages_no_page_text")
    return problem(exc.status_code, "Error", str(exc.detail), headers=getattr(exc, "headers", None))


async def _not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
    # A person opening an admin page is sent to the login form; scripts get a 401 problem.
    if request.method == "GET" and request.url.path.startswith("/admin"):
        return RedirectResponse("/admin/login?next=" + quote(request.url.path), status_code=303)
    return problem(401, "Not logged in", str(exc), headers={"WWW-Authenticate": "Cookie"})


async def _forbidden(_: Request, exc: Forbidden | CsrfRejected) -> ProblemResponse:
    return problem(403, "Forbidden", str(exc))


async def _login_failed(_: Request, exc: LoginFailed) -> ProblemResponse:
    return problem(401, "Login failed", str(exc))


async def _throttled(_: Request, exc: LoginThrottled) -> ProblemResponse:
    return problem(429, "Too many attempts", str(exc),
                   headers={"Retry-After": str(exc.retry_after_s)})


async def _account_problem(_: Request, exc: AccountProblem) -> ProblemResponse:
    return problem(422, "Invalid account data", str(exc))


async def _place_invalid(_: Request, exc: PlaceInvalid) -> ProblemResponse:
    response = problem(422, "The place cannot be saved", str(exc),
                       [ParameterProblem(parameter=f, message=m) for f, m in exc.problems])
    if exc.warnings:
        # Warnings (outside the service area, possible duplicate) pass when sent again with
        # confirm=true.
        body = orjson.loads(response.body)
        body["warnings"] = [{"parameter": f, "message": m} for f, m in exc.warnings]
        return ProblemResponse(body, status_code=422)
    return response


async def _stale_version(_: Request, exc: StaleVersion) -> ProblemResponse:
    body = Problem(title="Conflict", status=409, detail=str(exc)).model_dump()
    body["current"] = exc.current
    return ProblemResponse(body, status_code=409)


def register_error_handlers(app: FastAPI) -> None:
    for error, handler in ((NotAuthenticated, _not_authenticated), (Forbidden, _forbidden),
                           (CsrfRejected, _forbidden), (LoginFailed, _login_failed),
                           (LoginThrottled, _throttled), (AccountProblem, _account_problem),
                           (PlaceInvalid, _place_invalid), (StaleVersion, _stale_version)):
        app.add_exception_handler(error, handler)
    app.add_exception_handler(InvalidParameter, _invalid_parameter)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for error in (*DATABASE_DOWN_ERRORS, sqlalchemy.exc.DBAPIError, asyncpg.PostgresError,
                  asyncpg.InterfaceError):
        app.add_exception_handler(error, _database_error)
