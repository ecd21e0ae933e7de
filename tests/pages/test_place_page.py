"""The place page /orte/{id}: everything a person needs, text as text, JSON-LD for search engines."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import sql
from tests.pages.factories import add_place

XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_DESCRIPTION = "</script><script>alert(1)</script>"


class _Page(HTMLParser):
    """What a browser would see: JSON-LD blocks, other scripts, links, visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.json_ld: list[str] = []
        self.scripts: list[dict] = []
        self.links: dict[str, str] = {}
        self.text: list[str] = []
        self.tags: list[str] = []
        self._in: str | None = None
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(attributes)
            self._in = "ld" if attributes.get("type") == "application/ld+json" else "script"
            if self._in == "ld":
                self.json_ld.append("")
        if tag == "a":
            self._href = attributes.get("href")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        if self._in == "ld":
            self.json_ld[-1] += data
        elif self._in is None:
            self.text.append(data)
            if self._href is not None and data.strip():
                self.links[data.strip()] = self._href


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def visible(page: _Page) -> str:
    return re.sub(r"\s+", " ", " ".join(page.text))


@pytest.fixture
def full_place(pg, fresh_db, fresh_url, make_client):
    place_id = add_place(pg, fresh_db)
    return place_id, make_client(fresh_url)


def test_place_page_shows_every_field(full_place):
    place_id, client = full_place
    response = client.get(f"/orte/{place_id}?lang=de")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    text = visible(page)
    for expected in ("Stadtbibliothek Fulda", "Bibliothek", "Sprach- und Integrationskurse",
                     "Bücher, Medien und Lernräume", "Heinrichstraße 53", "36037 Fulda",
                     "0661 / 102-1234", "bibliothek@example.org", "Stadt Fulda (öffentlich)",
                     "Kinder", "Seniorinnen und Senioren", "Deutsch", "Türkisch",
                     "eingeschränkt", "Aufzug am Seiteneingang", "01.10.2026",
                     "Montag–Freitag", "10:00–18:00", "Samstag", "10:00–13:00", "Feiertage",
                     "geschlossen", "50.55220° N, 9.67680° E"):
        assert expected in text, expected
    assert page.links["0661 / 102-1234"] == "tel:06611021234"
    assert page.links["bibliothek@example.org"] == "mailto:bibliothek@example.org"
    assert page.links["https://www.example.org/bibliothek"] == "https://www.example.org/bibliothek"
    assert page.links["Route planen (OpenStreetMap)"] == \
        "https://www.openstreetmap.org/directions?to=50.5522%2C9.6768"
    assert page.links["Zurück zur Karte"] == f"/?place={place_id}&lang=de"
    assert page.links["Fehler melden oder Korrektur vorschlagen"] == \
        f"/vorschlag?place={place_id}&lang=de"
    assert "<title>Stadtbibliothek Fulda – Lernorte im Landkreis Fulda</title>" in response.text


def test_place_page_is_translated(full_place):
    place_id, client = full_place
    page = parse(client.get(f"/orte/{place_id}?lang=en").text)
    text = visible(page)
    for expected in ("Library", "Language and integration courses", "Children", "Seniors",
                     "Turkish", "limited", "Monday–Friday", "closed", "Opening hours",
                     "2026-10-01", "Stadt Fulda (public)"):
        assert expected in text, expected
    ar = client.get(f"/orte/{place_id}?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in ar
    assert "الأطفال" in ar and "مكتبة" in ar or "المكتبة" in ar


def test_json_ld_has_the_fitting_type_and_address(full_place):
    place_id, client = full_place
    page = parse(client.get(f"/orte/{place_id}").text)
    assert len(page.json_ld) == 1
    data = json.loads(page.json_ld[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Library"
    assert data["name"] == "Stadtbibliothek Fulda"
    assert data["address"] == {"@type": "PostalAddress", "streetAddress": "Heinrichstraße 53",
                               "postalCode": "36037", "addressLocality": "Fulda",
                               "addressRegion": "Fulda", "addressCountry": "DE"}
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 50.5522, "longitude": 9.6768}
    assert data["telephone"] == "0661 / 102-1234"
    assert data["url"].endswith(f"/orte/{place_id}")


@pytest.mark.parametrize("categories, schema_type", [
    (["grundschule", "weiterfuehrende-schule"], "ElementarySchool"),
    (["kita"], "ChildCare"),
    (["hochschule"], "CollegeOrUniversity"),
    (["museum"], "Museum"),
    (["volkshochschule"], "EducationalOrganization"),
])
def test_json_ld_type_follows_the_primary_category(pg, fresh_db, fresh_url, make_client,
                                                   categories, schema_type):
    place_id = add_place(pg, fresh_db, categories=categories)
    page = parse(make_client(fresh_url).get(f"/orte/{place_id}").text)
    assert json.loads(page.json_ld[0])["@type"] == schema_type


def test_demo_school_page(client):
    feature = client.get("/api/places", params={"q": "Uttrichshausen"}).json()["features"][0]
    page = parse(client.get(f"/orte/{feature['id']}").text)
    assert feature["properties"]["name"] in visible(page)
    assert json.loads(page.json_ld[0])["@type"] in ("ElementarySchool", "School")


def test_typed_text_stays_text_and_json_ld_stays_valid(pg, fresh_db, fresh_url, make_client):
    place_id = add_place(pg, fresh_db, name=XSS_NAME, description=XSS_DESCRIPTION,
                         provider='"><script>alert(2)</script>',
                         accessibility_notes="<b>fett</b> & Co",
                         website="javascript:alert(3)", email='x@example.org"><b>')
    response = make_client(fresh_url).get(f"/orte/{place_id}")
    html = response.text
    page = parse(html)
    # No element was made from the data: the only scripts are ours.
    assert "img" not in page.tags and "b" not in page.tags
    assert len(page.scripts) == 3
    assert [s.get("type") for s in page.scripts if not s.get("src")] == ["application/ld+json"]
    assert all(s["src"].startswith(("/vendor/", "/static/")) for s in page.scripts if s.get("src"))
    text = visible(page)
    assert XSS_NAME in text and XSS_DESCRIPTION in text and "<b>fett</b> & Co" in text
    assert f"<title>{XSS_NAME.replace('<', '&lt;').replace('>', '&gt;')}" in html
    # The JSON-LD block is one valid document holding the literal strings.
    assert len(page.json_ld) == 1
    data = json.loads(page.json_ld[0])
    assert data["name"] == XSS_NAME and data["description"] == XSS_DESCRIPTION
    assert "</script" not in page.json_ld[0] and "<" not in page.json_ld[0]
    # A javascript: "website" is never a link.
    assert "javascript:" not in html and "sameAs" not in data


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_unpublished_places_are_a_404_page_in_the_language(pg, fresh_db, fresh_url, make_client,
                                                           status):
    place_id = add_place(pg, fresh_db, status=status,
                         **({"lon": None, "lat": None} if status == "draft" else {}))
    client = make_client(fresh_url)
    response = client.get(f"/orte/{place_id}?lang=en")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text and '<html lang="en"' in response.text
    assert "Stadtbibliothek" not in response.text


@pytest.mark.parametrize("path", ["/orte/999999", "/orte/abc", "/orte/99999999999999999999",
                                  "/orte/-1"])
def test_unknown_places_are_a_404_page(client, path):
    response = client.get(path, headers={"Accept-Language": "uk"})
    assert response.status_code == 404
    assert "Сторінку не знайдено" in response.text


def test_demo_drafts_are_404(client, pg, demo_db):
    draft = sql(pg, demo_db, "SELECT id FROM places WHERE status = 'draft' LIMIT 1")[0][0]
    assert client.get(f"/orte/{draft}").status_code == 404


def test_opening_hours_beyond_simple_rules_are_shown_as_written(pg, fresh_db, fresh_url,
                                                               make_client):
    hours = 'Mo-Fr 08:00-12:00 "nach Vereinbarung"'
    place_id = add_place(pg, fresh_db, opening_hours=hours, website=None, phone=None,
                         email=None, provider=None, provider_kind=None, target_groups=[],
                         languages=[], accessibility_notes=None, last_verified=None,
                         description=None)
    page = parse(make_client(fresh_url).get(f"/orte/{place_id}").text)
    text = visible(page)
    assert hours in text
    for absent in ("Telefon", "E-Mail", "Website", "Träger", "Zielgruppen", "Zuletzt geprüft"):
        assert absent not in text, absent
