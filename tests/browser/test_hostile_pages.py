"""The hostile corpus stored in places and shown by every page a citizen or an editor opens: map,
list, popup, place page, embed, static export and the administration. Nothing may run, nothing may
break, and the stored text is shown as the very same text."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import guard
from tests.browser.test_map import assert_markers_on_map
from tests.conftest import lernorte, sql
from tests.hostile import HOSTILE
from tests.pages.factories import add_place

pytestmark = pytest.mark.browser

# Payloads that would set a flag instead of opening a dialog, so a script that runs is noticed
# even where alert() is not what an attacker would call.
PWN = '<img src=x onerror="window.__pwned=1">'
PAYLOADS = [PWN, "<script>window.__pwned=1</script>", '<svg onload="window.__pwned=1"></svg>',
            '<a href="javascript:window.__pwned=1" id=pwn>klick</a>']
# The database refuses NUL bytes by design (tests/ops covers that they are rejected politely).
STORED = PAYLOADS + [text for text in HOSTILE if "\x00" not in text]
EDITOR = ("hostile-admin@example.org", "hostile admin password")
NOT_RUN = "() => window.__pwned === undefined"


def _as_parsed(text: str) -> str:
    """What the HTML parser makes of text in a served page: it turns CR LF and CR into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@pytest.fixture
def hostile(start_server, pg, fresh_db, fresh_url):
    """A server over the demo data plus one published place per hostile string, on a grid over
    the district."""
    ids = {}
    for i, text in enumerate(STORED):
        ids[text] = add_place(pg, fresh_db, name=text[:300], description=text,
                              provider=text[:300], opening_hours=text[:500],
                              accessibility_notes=text,
                              lon=9.45 + i % 9 * 0.07, lat=50.40 + i // 9 * 0.07,
                              categories=["bibliothek", "volkshochschule"])
    result = lernorte(fresh_url, "create-user", EDITOR[0], "--role", "admin", "--password-stdin",
                      input=EDITOR[1] + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sql(pg, fresh_db, "SELECT count(*) FROM places WHERE id = ANY(%s)",
               (list(ids.values()),))[0][0] == len(STORED)
    return start_server(fresh_url), ids


def _text(page_or_frame, selector: str = "body") -> str:
    return page_or_frame.locator(selector).first.evaluate("el => el.textContent")


def _missing(shown: str, texts, parsed: bool = True) -> list[str]:
    return [t[:40] for t in texts if (_as_parsed(t) if parsed else t) not in shown]


def test_hostile_text_is_shown_literally_and_never_runs(page: Page, hostile):
    server, ids = hostile
    base = server.url
    watch = guard(page, base)
    names = [t[:300] for t in STORED]

    # The map: the list is built in the browser from JSON, so the text arrives unchanged.
    # The demo data holds only schools: the library category is exactly the hostile places, and
    # few enough for the list to show them all at once.
    page.goto(base + "/?lang=de&category=bibliothek")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    expect(page.locator("#result-count")).to_have_text(f"{len(STORED)} Lernorte gefunden")
    listed = page.locator(".result-name").all_text_contents()
    assert [n[:40] for n in names if n not in listed] == []
    exactly_pwn = page.locator(".result-name", has_text=re.compile(f"^{re.escape(PWN)}$"))
    entry = page.locator(".result", has=exactly_pwn)
    # Selecting during the zoom to the results never opens the popup (markercluster waits for a
    # move that has already ended): let the map settle. Leaflet starts the zoom on the next frame.
    assert_markers_on_map(page, len(STORED))
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function(
        "() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')")
    entry.locator(".show-on-map").click()
    expect(page.locator(".leaflet-popup")).to_be_visible(timeout=15_000)
    assert PAYLOADS[0] in _text(page, ".leaflet-popup")
    assert page.evaluate(NOT_RUN)

    # The server-rendered list.
    assert page.goto(base + "/liste?lang=de&category=bibliothek").status == 200
    assert _missing(_text(page), names) == []
    assert page.evaluate(NOT_RUN)

    # Every place page: the heading is the name and the page holds the whole text (description,
    # notes) exactly; provider and opening hours are prefixes of it, so they are not told apart.
    for text, place_id in ids.items():
        response = page.goto(f"{base}/orte/{place_id}?lang=de")
        assert response.status == 200, (text[:40], response.status)
        expect(page.locator("h1")).to_have_text(_as_parsed(text[:300]))
        assert _missing(_text(page, "main"), [text]) == [], text[:40]
        assert page.evaluate(NOT_RUN), text[:40]

    # The embeddable map with its list, and the self-contained static map.
    page.goto(base + "/embed?lang=de&list=1&category=bibliothek")
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator(".result-name").first).to_be_attached()
    assert _missing(_text(page, "#results"), names, parsed=False) == []
    assert page.evaluate(NOT_RUN)
    response = page.goto(base + "/embed/static.html?lang=de&category=bibliothek")
    assert response.status == 200
    assert _missing(_text(page), names) == []
    assert page.evaluate(NOT_RUN)

    # The administration: the list finds the place, the editor holds its name exactly.
    page.goto(base + "/admin/places")
    page.get_by_label("E-Mail-Adresse").fill(EDITOR[0])
    page.get_by_label("Passwort", exact=True).fill(EDITOR[1])
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Orte", level=1)).to_be_visible()
    page.goto(base + "/admin/places?q=pwned")
    assert PWN in _text(page, "table.places")
    page.goto(f"{base}/admin/places/{ids[PWN]}")
    expect(page.get_by_label("Name", exact=True)).to_have_value(PWN)
    assert page.evaluate(NOT_RUN)
    watch.check()
