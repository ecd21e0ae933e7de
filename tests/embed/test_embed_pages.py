"""/embed, its builder's checks, oEmbed and the static export, over HTTP against the demo data."""

import html
import json
import re
from urllib.parse import parse_qsl, quote, urlsplit

from tests.conftest import lernorte, sql


def page_settings(response) -> dict:
    match = re.search(r'data-settings="([^"]*)"', response.text)
    return json.loads(html.unescape(match[1]))


def test_embed_renders_the_map_in_embed_mode_with_checked_filters(client):
    response = client.get("/embed?category=grundschule&municipality=H%C3%BCnfeld&lang=en"
                          "&list=0&legend=0&accent=%23123456&q=schule")
    assert response.status_code == 200
    settings = page_settings(response)
    assert settings["mode"] == "embed" and settings["lang"] == "en"
    assert settings["list"] is False and settings["legend"] is False
    assert settings["accent"] == "#123456"
    assert settings["fixed"] == {"category": ["grundschule"], "municipality": ["Hünfeld"],
                                 "q": "schule"}
    assert '<html lang="en"' in response.text
    assert "Open the full map" in response.text
    assert ('href="/?category=grundschule&amp;municipality=H%C3%BCnfeld&amp;q=schule&amp;lang=en"'
            in response.text)
    assert "/static/embed/frame.js" in response.text


def test_the_full_map_link_keeps_municipalities_and_leaves_the_box_behind(client):
    response = client.get("/embed?municipality=Fulda&municipality=06631009&bbox=9.6,50.5,9.8,50.6"
                          "&map=13/50.55/9.68")
    link = re.search(r'class="full-map-link"><a href="([^"]+)"', response.text)[1]
    path, query = html.unescape(link).split("?")
    assert path == "/"
    assert parse_qsl(query) == [("municipality", "Fulda"), ("municipality", "06631009"),
                                ("map", "13/50.55/9.68")]


def test_embed_never_breaks_on_nonsense_parameters(client):
    response = client.get("/embed?category=gibtsnicht&category=museum&bbox=1,2,3&lang=xx"
                          "&list=vielleicht&accent=javascript:alert(1)&zoom=99&map=50/1/1")
    assert response.status_code == 200
    settings = page_settings(response)
    assert settings["fixed"] == {"category": ["museum"]}
    assert settings["list"] is True and "accent" not in settings


def test_check_reports_what_embed_ignores(client):
    result = client.get("/embed/check?category=gibtsnicht&categroy=schule&accent=ffff00"
                        "&bbox=1,2,3&municipality=Fulda").json()
    codes = {(h["parameter"], h["code"]) for h in result["hints"]}
    assert codes == {("category", "unknown_category"), ("categroy", "unknown_parameter"),
                     ("accent", "low_contrast"), ("bbox", "bad_bbox")}
    assert result["query"] == [["municipality", "Fulda"]]
    fulda = client.get("/api/places?municipality=Fulda&limit=1").json()["numberMatched"]
    assert result["count"] == fulda > 0


def test_check_counts_through_the_same_filters_as_the_api(client):
    result = client.get("/embed/check?category=grundschule&municipality=06631009").json()
    api = client.get("/api/places?category=grundschule&municipality=06631009&limit=1").json()
    assert result["hints"] == [] and result["count"] == api["numberMatched"] > 0


def test_builder_page_is_served_without_inline_script(client):
    response = client.get("/karte-einbinden?lang=en")
    assert response.status_code == 200
    assert "<h1>Embed the map</h1>" in response.text
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text) is None
    assert response.headers["x-frame-options"] == "DENY"
    for src in re.findall(r'(?:src|href)="(/static/embed/[^"]+)"', response.text):
        assert client.get(src).status_code == 200, src


def test_oembed_for_a_map_url(client):
    url = "http://testserver/?category=grundschule&lang=en&nonsense=1"
    response = client.get(f"/oembed?url={quote(url)}&format=json&maxwidth=400")
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["width"] == 400 and data["height"] == 450
    assert data["provider_name"] == "Lernorte im Landkreis Fulda"
    src = html.unescape(re.search(r'src="([^"]+)"', data["html"])[1])
    assert urlsplit(src).path == "/embed"
    assert parse_qsl(urlsplit(src).query) == [("category", "grundschule"), ("lang", "en")]
    assert 'loading="lazy"' in data["html"] and 'title="' in data["html"]


def test_oembed_for_a_place_url_escapes_its_name(fresh_url, pg, fresh_db, make_client):
    place_id = sql(pg, fresh_db, "SELECT id FROM places WHERE status = 'published' LIMIT 1")[0][0]
    sql(pg, fresh_db, "UPDATE places SET name = %s WHERE id = %s",
        ('Schule "<b>Eins</b>"', place_id))
    client = make_client(fresh_url)
    data = client.get("/oembed", params={"url": f"http://testserver/orte/{place_id}"}).json()
    assert data["title"] == 'Schule "<b>Eins</b>"'
    assert "<b>" not in data["html"]
    assert 'title="Schule &quot;&lt;b&gt;Eins&lt;/b&gt;&quot;"' in data["html"]
    src = html.unescape(re.search(r'src="([^"]+)"', data["html"])[1])
    assert dict(parse_qsl(urlsplit(src).query))["place"] == str(place_id)


def test_oembed_refuses_foreign_urls_and_xml(client):
    assert client.get("/oembed", params={"url": "https://evil.example/"}).status_code == 404
    assert client.get("/oembed", params={"url": "http://testserver/admin"}).status_code == 404
    assert client.get("/oembed", params={"url": "http://testserver/orte/999999"}).status_code == 404
    assert client.get("/oembed", params={"url": "http://testserver/",
                                         "format": "xml"}).status_code == 501
    assert client.get("/oembed").status_code == 422


def test_map_page_has_oembed_discovery(client):
    response = client.get("/?category=grundschule")
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"',
                     response.text)
    assert link
    assert client.get(html.unescape(link[1])).json()["type"] == "rich"


def test_static_export_over_http_is_self_contained_and_hash_locked(client):
    response = client.get("/embed/static.html?category=grundschule&municipality=Fulda&lang=en")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="en"' in page
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=\"?https?://", page)
    policy = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", policy)[1]
    assert "unsafe-inline" not in script_src
    assert script_src.count("'sha256-") == len(re.findall(r"<script>", page)) >= 3
    api = client.get("/api/places?category=grundschule&municipality=Fulda&limit=500").json()
    names = [f["properties"]["name"] for f in api["features"]]
    assert len(re.findall(r"<tr><td>", page)) == len(names) > 0
    assert html.escape(names[0], quote=False) in page


def test_static_export_rejects_nonsense_like_the_api(client):
    assert client.get("/embed/static.html?category=gibtsnicht").status_code == 422
    assert client.get("/embed/static.html?categroy=schule").status_code == 422


def test_place_page_has_oembed_discovery_that_resolves(client):
    place = client.get("/api/places", params={"q": "Uttrichshausen"}).json()["features"][0]
    page = client.get(f"/orte/{place['id']}").text
    href = html.unescape(re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"',
                              page).group(1))
    oembed = client.get(href)
    assert oembed.status_code == 200
    assert oembed.json()["type"] == "rich"
    assert "iframe" in oembed.json()["html"]


def test_a_static_map_beyond_one_page_says_how_many_it_leaves_out(make_client, demo_url,
                                                                   monkeypatch, tmp_path):
    """A municipality's static map over a national directory (Berlin: 124,000 places) showed the
    first 10,000 (settings.max_limit) as if they were all."""
    client = make_client(demo_url, max_limit=5)
    total = client.get("/api/places", params={"limit": 1}).json()["numberMatched"]
    page = client.get("/embed/static.html?lang=de").text
    assert len(re.findall(r"<tr><td>", page)) == 5
    assert f"Diese Karte zeigt 5 von {total} Lernorten" in page
    whole = client.get("/embed/static.html?lang=de&q=Uttrichshausen").text
    assert re.search(r"Diese Karte zeigt [1-5] Lernorte\.", whole)

    monkeypatch.setenv("LERNORTE_MAX_LIMIT", "5")
    result = lernorte(demo_url, "export-html", "-o", str(tmp_path / "map.html"), "--no-tiles")
    assert result.returncode == 0, result.stderr
    assert f"shows the first 5 of {total} places" in result.stderr
