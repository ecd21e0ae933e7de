"""Language negotiation and the shared page frame (base.html), without a database."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.pages import i18n


def test_accept_language_picks_the_preferred_supported_language():
    assert i18n.from_accept_language("uk-UA,uk;q=0.9,de;q=0.8") == "uk"
    assert i18n.from_accept_language("fr-FR,fr;q=0.9,ar;q=0.5,en;q=0.7") == "en"
    assert i18n.from_accept_language("fr, es") == "de"
    assert i18n.from_accept_language("en;q=0, ar") == "ar"
    assert i18n.from_accept_language("") == "de"


def test_missing_translation_falls_back_to_german():
    assert i18n.translations("ar")["pages_skip_to_content"] != \
        i18n.translations("de")["pages_skip_to_content"]
    german_only = set(i18n.translations("de")) - set(i18n._words("en"))
    for key in german_only:
        assert i18n.translations("en")[key] == i18n.translations("de")[key]
    assert i18n.Translator("en")("no_such_key") == "no_such_key"


def test_every_language_has_every_page_word():
    keys = {lang: set(json.loads((i18n.I18N_DIR / f"pages.{lang}.json").read_text()))
            for lang in ("de", "en", "uk", "ar")}
    assert keys["en"] == keys["de"] == keys["uk"] == keys["ar"]


@pytest.fixture
def pages(make_client, demo_url) -> TestClient:
    return make_client(demo_url)


def _html_lang(response) -> tuple[str, str]:
    head = response.text.split(">", 2)[1]
    lang = head.split('lang="')[1].split('"')[0]
    direction = head.split('dir="')[1].split('"')[0]
    return lang, direction


def test_language_from_query_is_remembered_in_a_cookie(pages):
    response = pages.get("/barrierefreiheit?lang=en")
    assert _html_lang(response) == ("en", "ltr")
    assert "Accessibility statement" in response.text
    assert response.cookies.get("lang") == "en"
    # The next visit without ?lang= keeps English, even if the browser prefers German.
    again = pages.get("/barrierefreiheit", headers={"Accept-Language": "de"})
    assert _html_lang(again) == ("en", "ltr")


def test_query_beats_cookie_and_cookie_beats_accept_language(pages):
    pages.cookies.clear()
    assert _html_lang(pages.get("/barrierefreiheit?lang=de", headers={"Cookie": "lang=uk"}))[0] \
        == "de"
    pages.cookies.clear()
    assert _html_lang(pages.get("/barrierefreiheit", headers={
        "Cookie": "lang=uk", "Accept-Language": "en"}))[0] == "uk"


def test_accept_language_without_cookie_and_german_default(pages):
    pages.cookies.clear()
    assert _html_lang(pages.get("/barrierefreiheit", headers={"Accept-Language": "ar, en;q=0.5"})
                      ) == ("ar", "rtl")
    response = pages.get("/barrierefreiheit", headers={"Accept-Language": "fr"})
    assert _html_lang(response) == ("de", "ltr")
    assert "lang" not in response.cookies
    assert "Accept-Language" in response.headers["vary"]


def test_unknown_lang_in_query_falls_back_and_is_not_remembered(pages):
    pages.cookies.clear()
    response = pages.get("/barrierefreiheit?lang=xx", headers={"Accept-Language": "en"})
    assert _html_lang(response)[0] == "en"
    assert "lang" not in response.cookies


def test_frame_has_skip_link_landmarks_language_switch_and_attribution(pages):
    html = pages.get("/barrierefreiheit?lang=en&x=1").text
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    # The switch keeps other query parameters and changes only the language.
    assert 'href="/barrierefreiheit?x=1&amp;lang=ar"' in html
    assert 'hreflang="en" aria-current="true"' in html
    assert "Hessisches Statistisches Landesamt" in html
    assert 'href="/barrierefreiheit?lang=en"' in html
    assert "<script>" not in html and " onload=" not in html and " onclick=" not in html
