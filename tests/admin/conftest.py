"""Accounts and logged-in clients for the administration tests."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pytest
from fastapi.testclient import TestClient

from app.auth.passwords import hash_password
from tests.conftest import sql

ADMIN = ("admin@example.org", "correct horse battery")
EDITOR = ("editor@example.org", "staple battery horse")
# Hünfeld (AGS 06631014): a limited editor's town.
HUENFELD = "06631014"
TOWN_EDITOR = ("huenfeld@example.org", "hünfeld editor password")


@lru_cache
def _hash(password: str) -> str:
    # argon2id is deliberately slow: hash each test password once per run.
    return hash_password(password)


def add_user(pg, db: str, email: str, password: str, role: str, *municipalities: str) -> None:
    sql(pg, db, "INSERT INTO users (email, password_hash, role, municipalities) "
                "VALUES (%s, %s, %s, %s)", (email, _hash(password), role, list(municipalities)))


@pytest.fixture
def accounts(pg, fresh_db, fresh_url) -> str:
    """The fresh database with an admin, an editor for everything and one for Hünfeld."""
    add_user(pg, fresh_db, *ADMIN, "admin")
    add_user(pg, fresh_db, *EDITOR, "editor")
    add_user(pg, fresh_db, *TOWN_EDITOR, "editor", HUENFELD)
    return fresh_url


def log_in(client: TestClient, email: str, password: str) -> str:
    """Log in through the API; returns the CSRF token and sets it as the default header."""
    response = client.post("/api/admin/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token = response.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


@pytest.fixture
def logged_in(make_client, accounts) -> Callable[..., TestClient]:
    def make(who: tuple[str, str] = ADMIN, **settings) -> TestClient:
        client = make_client(accounts, **settings)
        log_in(client, *who)
        return client
    return make
