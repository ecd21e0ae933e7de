"""/embed inside host pages served from other origins, as a municipal website would embed it."""

from __future__ import annotations

import functools
import re
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Frame, Page, expect

from tests.browser.helpers import assert_accessible, guard
from tests.browser.test_map import generate_many_places

pytestmark = pytest.mark.browser


class Host:
    """A municipal website: static HTML files on their own local port (another origin)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
        handler.log_message = lambda *args: None
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, name: str, body: str) -> str:
        (self.root / name).write_text(f'<!doctype html><html lang="de"><head><meta charset="utf-8">'
                                      f"<title>Gemeinde</title></head><body><h1>Unsere Gemeinde</h1>"
                                      f"{body}</body></html>", encoding="utf-8")
        return f"{self.url}/{name}"


@pytest.fixture
def make_host(tmp_path: Path) -> Iterator[Callable[[], Host]]:
    hosts: list[Host] = []

    def make() -> Host:
        root = tmp_path / f"host{len(hosts)}"
        root.mkdir()
        hosts.append(Host(root))
        return hosts[-1]

    yield make
    for host in hosts:
        host.server.shutdown()
        host.server.server_close()


def only_origins(page: Page, *origins: str) -> list[str]:
    """Block and record every request to a host that is neither the app nor the host page."""
    foreign: list[str] = []

    def route(route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if url.startswith(("data:", "blob:")) or f"{parts.scheme}://{parts.netloc}" in origins:
            route.continue_()
        else:
            foreign.append(url)
            route.abort()
    page.route("**/*", route)
    return foreign


def embedded(page: Page, selector: str = "iframe") -> Frame:
    frame = page.locator(selector).element_handle().content_frame()
    assert frame is not None
    frame.wait_for_selector("main[data-ready=true]", state="attached")
    return frame


def test_host_page_embeds_a_filtered_english_map_without_list(page: Page, live_server, make_host):
    host = make_host()
    query = "category=grundschule&municipality=H%C3%BCnfeld&lang=en&list=0"
    url = host.page("karte.html", f'<iframe src="{live_server.url}/embed?{query}" '
                                  'title="Lernorte in Hünfeld" width="900" height="500"></iframe>')
    foreign = only_origins(page, host.url, live_server.url)
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/api/places" in r.url else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    frame = embedded(page)

    expected = httpx.get(f"{live_server.url}/api/places", params={
        "category": "grundschule", "municipality": "Hünfeld", "limit": 500}).json()
    assert 0 < expected["numberMatched"] < 87
    assert frame.evaluate("document.documentElement.lang") == "en"
    expect(frame.locator("#results")).to_be_hidden()
    expect(frame.locator(".legend")).to_be_visible()
    expect(frame.locator(".legend")).to_contain_text("School")
    expect(frame.locator(".full-map-link a")).to_have_text("Open the full map")
    # Once clustering has settled, the map shows exactly the places of that category and town.
    frame.wait_for_function("""(n) => document.querySelectorAll('.place-marker').length +
        [...document.querySelectorAll('.cluster-marker [aria-hidden]')]
            .reduce((sum, el) => sum + Number(el.textContent.replace(/\\D/g, '')), 0) === n""",
                            arg=expected["numberMatched"])
    names = {f["properties"]["name"] for f in expected["features"]}
    assert set(frame.locator(".place-marker").all_text_contents()) <= names
    assert api_calls
    for call in api_calls:  # every request carries the fixed filters: nothing else can appear
        params = parse_qs(urlsplit(call).query)
        assert params["category"] == ["grundschule"] and params["municipality"] == ["Hünfeld"]
    # The map writes its view into the iframe's address; the configuration stays there, so that
    # a reload of the frame (or a copied address) shows the same map.
    frame.wait_for_function("() => location.search.includes('map=')")
    here = parse_qs(frame.evaluate("location.search")[1:])
    assert {key: here[key] for key in ("category", "municipality", "lang", "list")} == {
        "category": ["grundschule"], "municipality": ["Hünfeld"], "lang": ["en"], "list": ["0"]}
    assert not foreign and not errors


def test_legend_follows_its_flag_and_list_is_the_alternative(page: Page, live_server, make_host):
    host = make_host()
    url = host.page("liste.html", f'<iframe src="{live_server.url}/embed?category=grundschule'
                                  '&municipality=Fulda&legend=0&lang=en" title="Lernorte" '
                                  'width="900" height="500"></iframe>')
    page.goto(url)
    frame = embedded(page)
    expect(frame.locator("#results")).to_be_visible()
    assert frame.locator(".legend").count() == 0
    expect(frame.locator("#result-count")).to_contain_text("places found")


def test_resize_script_fits_the_iframe_to_its_content(page: Page, live_server, make_host):
    host = make_host()
    url = host.page("auto.html", f'<iframe src="{live_server.url}/embed?category=grundschule'
                                 '&municipality=Fulda" title="Lernorte" width="400" height="300">'
                                 f'</iframe><script src="{live_server.url}/static/embed/resize.js"'
                                 ' async></script>')
    page.goto(url)
    frame = embedded(page)
    iframe = page.locator("iframe")
    page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height > 320")

    def wanted() -> str:
        content = frame.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
        return f"height: {min(max(content, 200), 10000)}px;"

    # The content's height is read again on each try: on a busy machine the list was still
    # being drawn when the frame first grew, and the frame rightly followed it.
    for _ in range(50):
        if iframe.get_attribute("style") == wanted():
            break
        page.wait_for_timeout(100)
    assert iframe.get_attribute("style") == wanted()
    # The map keeps its height: the frame grew around the list, not around itself.
    assert frame.locator("#map").bounding_box()["height"] < 300


def framed_content(page: Page, src: str) -> str | None:
    """The document body of the frame showing ``src``, or None when the browser refused it."""
    for frame in page.frames[1:]:
        if frame.url.split("?")[0] == src:
            return frame.evaluate("document.body ? document.body.innerText : ''")
    return None


def test_browser_refuses_to_frame_the_map_and_the_admin(page: Page, live_server, make_host):
    host = make_host()
    refusals: list[str] = []
    page.on("console", lambda m: refusals.append(m.text) if "frame" in m.text.lower() else None)
    url = host.page("boese.html", f'<iframe id="admin" src="{live_server.url}/admin" title="a">'
                                  f'</iframe><iframe id="map" src="{live_server.url}/" title="b">'
                                  f'</iframe><iframe id="embed" src="{live_server.url}/embed" '
                                  'title="c"></iframe>')
    page.goto(url)
    embedded(page, "#embed")  # the embed itself may be framed (default: by any site)
    for path in ("/admin", "/"):
        assert not framed_content(page, f"{live_server.url}{path}"), path
    assert any("frame-ancestors" in r for r in refusals), refusals


def test_only_allowed_origins_may_frame_the_embed(page: Page, demo_url, start_server, make_host):
    allowed, other = make_host(), make_host()
    server = start_server(demo_url, LERNORTE_EMBED_ALLOWED_ORIGINS=allowed.url)
    frame_html = (f'<iframe src="{server.url}/embed?category=grundschule" title="Lernorte" '
                  'width="800" height="400"></iframe>')
    page.goto(allowed.page("ok.html", frame_html))
    frame = embedded(page)
    expect(frame.locator(".leaflet-container")).to_be_visible()
    page.goto(other.page("nein.html", frame_html))
    page.wait_for_timeout(500)
    assert not framed_content(page, f"{server.url}/embed")


def test_builder_writes_counts_as_people_read_them(page: Page, fresh_url, start_server):
    # Beyond the counting limit the builder said "shows > 10000 places", and category counts
    # went without digit grouping ("Kita (2083)").
    server = start_server(generate_many_places(fresh_url), LERNORTE_MAX_EXACT_COUNT="1000")
    watch = guard(page, server.url)
    page.goto(f"{server.url}/karte-einbinden?lang=de")
    expect(page.locator("#matches")).to_have_text(
        "Alle Einstellungen sind gültig. Die Karte zeigt derzeit mehr als 1.000 Lernorte.")
    labels = page.locator("#categories label").all_text_contents()
    assert any(re.search(r"\(\d\.\d{3}\)$", label) for label in labels), labels
    page.locator("#municipality").fill("Fulda")
    expect(page.locator("#matches")).to_have_text(re.compile(r"Die Karte zeigt derzeit \d+ "))
    watch.check()


def test_builder_shows_hints_preview_and_a_ready_snippet(page: Page, live_server):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    only_origins(page, live_server.url)
    page.goto(f"{live_server.url}/karte-einbinden?lang=en&categroy=schule&category=gibtsnicht"
              "&category=grundschule")
    hints = page.locator("#hints")
    expect(hints).to_contain_text("Unknown parameter “categroy” is ignored.")
    expect(hints).to_contain_text("Unknown kind of place is ignored.")
    expect(page.locator("#category-grundschule")).to_be_checked()
    page.get_by_label("Municipality").fill("Hünfeld")
    page.get_by_label("Show the list next to the map").uncheck()
    page.get_by_label("Adjust the height").check()
    code = page.locator("#code")
    expect(code).to_have_value(
        f'<iframe src="{live_server.url}/embed?category=grundschule&amp;municipality=H%C3%BCnfeld'
        '&amp;lang=en&amp;list=0" title="Map of the places of learning" width="100%" '
        'height="500" loading="lazy" allow="geolocation" style="border:0;max-width:100%">'
        f'</iframe>\n<script src="{live_server.url}/static/embed/resize.js" async></script>')
    expect(page.locator("#matches")).to_contain_text("All options are valid.")
    # The preview reloads after the options settle; wait for it rather than reading it mid-way.
    page.wait_for_function("() => document.querySelector('#preview').contentWindow"
                           ".location.href.includes('municipality=H%C3%BCnfeld')")
    preview = embedded(page, "#preview")
    assert "municipality=H%C3%BCnfeld" in preview.url
    expect(preview.locator("#results")).to_be_hidden()
    page.get_by_label("Accent colour").fill("#ffff00")
    expect(hints).to_contain_text("too light")
    assert_accessible(page, exclude=["#preview"])
    assert not errors


def test_oembed_iframe_from_discovery_works_in_a_host(page: Page, live_server, make_host):
    discovery = httpx.get(f"{live_server.url}/oembed?format=json&url="
                          + quote(f"{live_server.url}/?category=grundschule&lang=en")).json()
    host = make_host()
    page.goto(host.page("cms.html", discovery["html"]))
    frame = embedded(page)
    assert frame.evaluate("document.documentElement.lang") == "en"
    expect(frame.locator(".leaflet-container")).to_be_visible()
