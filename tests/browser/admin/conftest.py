"""The administration in a real browser: German pages, and logging in through the form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.admin.conftest import ADMIN, add_user


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE"}


@pytest.fixture
def admin_server(start_server, pg, fresh_db, fresh_url):
    """A server over a fresh copy of the demo data with an administrator account (ADMIN)."""
    add_user(pg, fresh_db, *ADMIN, "admin")
    return start_server(fresh_url)


def log_in(page: Page, base: str, who: tuple[str, str], next_path: str) -> None:
    page.goto(base + next_path)
    page.get_by_label("E-Mail-Adresse").fill(who[0])
    page.get_by_label("Passwort", exact=True).fill(who[1])
    page.get_by_role("button", name="Anmelden").click()
