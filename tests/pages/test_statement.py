"""The accessibility statement /barrierefreiheit in every language."""

from __future__ import annotations

import pytest

from tests.pages.test_place_page import parse, visible

HEADINGS = {
    "de": ("Erklärung zur Barrierefreiheit", "Stand der Vereinbarkeit", "Nicht barrierefreie Inhalte",
           "Feedback und Kontakt", "Durchsetzungsverfahren", "23.11.2026"),
    "en": ("Accessibility statement", "Compliance status", "Content that is not accessible",
           "Feedback and contact", "Enforcement procedure", "2026-11-23"),
    "uk": ("Заява про доступність", "Стан відповідності", "Недоступний вміст",
           "Зворотний звʼязок", "Процедура забезпечення", "23.11.2026"),
    "ar": ("بيان إمكانية الوصول", "حالة التوافق", "المحتوى غير المتاح", "الملاحظات والتواصل",
           "إجراءات الإنفاذ", "2026-11-23"),
}


@pytest.mark.parametrize("lang", list(HEADINGS))
def test_statement_has_every_required_part_in_every_language(client, lang):
    response = client.get(f"/barrierefreiheit?lang={lang}")
    assert response.status_code == 200
    text = visible(parse(response.text))
    for part in HEADINGS[lang]:
        assert part in text, part
    assert "Lernorte im Landkreis Fulda" in text
    page = parse(response.text)
    assert "https://lbit.hessen.de/" in " ".join(page.links.values())
    assert f"/vorschlag?lang={lang}" in page.links.values()


def test_statement_names_the_list_as_the_maps_alternative(client):
    text = visible(parse(client.get("/barrierefreiheit?lang=de").text))
    assert "Die Karte selbst ist nicht vollständig barrierefrei" in text
    assert "Ergebnisliste" in text


def test_contact_email_and_date_are_settings(make_client, demo_url):
    client = make_client(demo_url, accessibility_contact_email="barrierefrei@example.org",
                         accessibility_statement_date="2027-01-15")
    page = parse(client.get("/barrierefreiheit?lang=de").text)
    assert page.links["barrierefrei@example.org"] == "mailto:barrierefrei@example.org"
    assert "15.01.2027" in visible(page)
    default = parse(make_client(demo_url).get("/barrierefreiheit").text)
    assert not any(href.startswith("mailto:") for href in default.links.values())
