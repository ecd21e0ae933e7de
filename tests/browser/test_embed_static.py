"""The self-contained folium map (``lernorte export-html``) opened from file:// in Chromium."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible
from tests.conftest import lernorte, sql

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def open_offline(page: Page, path: Path) -> tuple[list[str], list[str], list[str]]:
    """Open a file with every network request blocked and recorded; also page errors, dialogs."""
    requests: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []

    def route(route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            requests.append(url)
            route.abort()
    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    return requests, errors, dialogs


def test_export_opened_from_file_shows_places_offline_and_is_accessible(
        page: Page, demo_url, tmp_path: Path):
    out = tmp_path / "lernorte.html"
    result = lernorte(demo_url, "export-html", "-o", str(out), "--category", "grundschule",
                      "--lang", "en", "--title", "Primary schools", "--base-url",
                      "https://lernorte.example.de", "--no-tiles")
    assert result.returncode == 0, result.stderr
    requests, errors, dialogs = open_offline(page, out)

    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".lo-cluster, .lo-marker").first).to_be_visible()
    assert page.title() == "Primary schools"
    assert page.evaluate("document.documentElement.lang") == "en"
    rows = page.locator("tbody tr")
    count = rows.count()
    assert count > 0 and count < 87
    expect(page.locator("header p")).to_have_text(f"This map shows {count} places of learning.")
    # The legend counts places by their primary category; a "Grund- und Hauptschule" may count
    # as a secondary school, so the legend adds up to the list rather than naming one category.
    expect(page.locator(".lo-legend")).to_contain_text("Primary school (")
    legend = page.locator(".lo-legend li").all_text_contents()
    assert sum(int(item.rsplit("(", 1)[1].rstrip(")")) for item in legend) == count
    expect(page.locator("footer")).to_contain_text("JedeSchule")
    first = rows.first.locator("a")
    assert first.get_attribute("href").startswith("https://lernorte.example.de/orte/")
    # Every place is on the map: the clusters' numbers and single markers add up to the list.
    page.wait_for_function("""(n) => [...document.querySelectorAll('.lo-cluster')]
        .reduce((s, el) => s + Number(el.textContent), 0)
        + document.querySelectorAll('.lo-marker').length === n""", arg=count)
    assert_accessible(page)
    assert not requests, requests
    assert not errors and not dialogs


def test_export_keeps_typed_text_as_text(page: Page, pg, fresh_db, fresh_url, tmp_path: Path):
    place_id = sql(pg, fresh_db, "SELECT id FROM places WHERE status = 'published' "
                                 "ORDER BY id LIMIT 1")[0][0]
    sql(pg, fresh_db, "UPDATE places SET name = %s, website = %s, municipality = 'XSSdorf' "
                      "WHERE id = %s", (XSS, "javascript:alert(2)", place_id))
    out = tmp_path / "xss.html"
    result = lernorte(fresh_url, "export-html", "-o", str(out), "--municipality", "XSSdorf",
                      "--no-tiles")
    assert result.returncode == 0, result.stderr
    requests, errors, dialogs = open_offline(page, out)
    expect(page.locator("tbody td").first).to_have_text(XSS)
    marker = page.locator(".lo-marker").first
    expect(marker).to_have_attribute("title", XSS)
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator("strong")).to_have_text(XSS)
    assert popup.locator("img").count() == 0 and page.locator("img[src=x]").count() == 0
    assert popup.locator("a[href^=javascript]").count() == 0
    assert not dialogs and not errors and not requests


def test_static_html_route_serves_the_same_page_under_its_own_policy(page: Page, live_server):
    # Served over HTTP the inline scripts run only because their hashes are in the CSP:
    # markers appear only if they ran.
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/embed/static.html?category=grundschule&municipality=Fulda")
    expect(page.locator(".lo-cluster, .lo-marker").first).to_be_visible()
    expected = httpx.get(f"{live_server.url}/api/places?category=grundschule&municipality=Fulda"
                         ).json()["numberMatched"]
    assert page.locator("tbody tr").count() == expected
    assert not errors, errors
