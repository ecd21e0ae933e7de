"""/liste: the map's results without JavaScript, same filters, same order, paged."""

from __future__ import annotations

import re

from app.pages.i18n import count_text
from app.pages.list import PAGE_SIZE, distance_text
from tests.conftest import sql


def names(html: str) -> list[str]:
    return re.findall(r'<h2 class="result-name"><a href="[^"]+">([^<]*)</a>', html)


def api_names(client, query: str) -> list[str]:
    answer = client.get(f"/api/places?{query}&limit=1000").json()
    return [f["properties"]["name"] for f in answer["features"]]


def test_the_list_pages_through_all_published_places_in_the_api_order(client):
    first = client.get("/liste?lang=de")
    assert first.status_code == 200
    assert "Lernorte 1 bis 50 von 87" in first.text
    second = client.get("/liste?lang=de&offset=50")
    assert "Lernorte 51 bis 87 von 87" in second.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    html_names = [n.replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'")
                  for n in names(first.text) + names(second.text)]
    assert len(html_names) == 87 == PAGE_SIZE + 37
    assert html_names == api_names(client, "lang=de")


def test_the_map_filters_apply_and_the_view_parameters_are_ignored(client):
    query = "category=foerderschule&map=12/50.5/9.6&place=3&lang=en"
    page = client.get(f"/liste?{query}")
    assert page.status_code == 200
    assert names(page.text) == api_names(client, "category=foerderschule")
    assert 'href="/?category=foerderschule&amp;lang=en"' in page.text  # back to the same map


def test_a_municipality_by_name_or_key_narrows_the_list_and_is_kept(client):
    hunfeld = api_names(client, "municipality=H%C3%BCnfeld")
    assert 0 < len(hunfeld) < 87
    page = client.get("/liste?municipality=H%C3%BCnfeld&map=12/50.5/9.6")
    assert names(page.text) == hunfeld
    assert 'href="/?municipality=H%C3%BCnfeld"' in page.text  # back to the same map
    assert '<input type="hidden" name="municipality" value="Hünfeld">' in page.text
    fulda = api_names(client, "municipality=06631009")
    assert fulda and not set(fulda) & set(hunfeld)
    both = client.get("/liste?municipality=H%C3%BCnfeld&municipality=06631009")
    assert sorted(names(both.text)) == sorted(hunfeld + fulda)


def test_near_a_point_the_list_is_nearest_first_with_distances(client):
    page = client.get("/liste?near=9.6716,50.5547&radius=3000&lang=de")
    distances = re.findall(r'class="place-distance">([^<]+) entfernt', page.text)
    assert distances and len(distances) == len(names(page.text))
    assert all(re.fullmatch(r"\d+ m|\d+,\d km", d) for d in distances)


def test_a_search_form_keeps_the_other_filters(client):
    page = client.get("/liste?category=grundschule&q=uttrichhausen")
    assert names(page.text) == ["Grundschule Uttrichshausen"]
    assert '<input type="hidden" name="category" value="grundschule">' in page.text


def test_a_name_that_looks_like_html_stays_text(pg, fresh_db, fresh_url, make_client):
    sql(pg, fresh_db, "UPDATE places SET name = %s WHERE name LIKE '%%Uttrichshausen%%'",
        ("<img src=x onerror=alert(1)>",))
    page = make_client(fresh_url).get("/liste?q=onerror")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<img src=x" not in page.text


def test_distances_read_like_the_map_list():
    assert distance_text(None, "de") is None
    assert distance_text(42, "de") == "40 m"
    assert distance_text(851, "de") == "850 m"
    assert distance_text(990, "de") == "1,0 km"
    assert distance_text(1234, "en") == "1.2 km"
    assert distance_text(12_345, "de") == "12 km"


def test_the_map_page_links_its_list_for_readers_without_javascript(client):
    page = client.get("/?category=schule&lang=de")
    assert 'href="/liste?category=schule&amp;lang=de"' in page.text


def test_a_total_too_costly_to_count_is_shown_as_a_lower_bound(make_client, demo_url):
    # Beyond the exact count the list says how far it counted, and still pages on.
    # All 87 places lie in the district 06631; a municipality is counted, not aggregated.
    client = make_client(demo_url, max_exact_count=60)
    first = client.get("/liste?lang=de&municipality=06631")
    assert "Lernorte 1 bis 50 von über 60" in first.text
    assert 'rel="next"' in first.text
    assert "Places 1 to 50 of more than 60" in client.get("/liste?lang=en&municipality=06631").text
    last = client.get("/liste?lang=de&municipality=06631&offset=50")  # the last page knows
    assert "Lernorte 51 bis 87 von 87" in last.text
    # The whole directory is counted from the aggregates: exact whatever the limit.
    assert "Lernorte 1 bis 50 von 87" in client.get("/liste?lang=de").text


def test_counts_are_grouped_as_the_language_writes_them():
    # A national directory's totals, as the map writes them (Intl.NumberFormat).
    assert [count_text(959946, lang) for lang in ("de", "en", "uk", "ar")] == [
        "959.946", "959,946", "959\u00a0946", "959,946"]
    assert count_text(87, "de") == "87"


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_broken_list_link_is_a_page_in_the_language_naming_the_bad_parameter(client):
    for query, parameter in (("offset=abc", "offset"), ("bbox=1,2", "bbox"),
                             ("category=nope", "category"), ("radius=x&near=9.6,50.5", "radius")):
        page = client.get(f"/liste?{query}&lang=en", headers=BROWSER)
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="en"' in page.text and "Address not understood" in page.text
        assert f"“{parameter}”" in page.text and 'href="/?lang=en"' in page.text
    # A program asking the same address still gets the problem document it can read.
    assert client.get("/liste?offset=abc").headers["content-type"] == "application/problem+json"


def test_an_address_without_a_page_is_a_404_page_but_the_api_stays_json(client):
    page = client.get("/keine-seite", headers={**BROWSER, "Accept-Language": "uk"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Сторінку не знайдено" in page.text and "За цією адресою немає сторінки" in page.text
    for path in ("/api/keine-seite", "/api/places?bbox=1,2"):
        answer = client.get(path, headers=BROWSER)
        assert answer.headers["content-type"] == "application/problem+json"
