"""The citizen map page `/` in a real Chromium against a real server over the Fulda schools."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.helpers import Guard, assert_accessible, guard
from app.config import PROJECT_ROOT
from tests.conftest import sql

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def open_map(page: Page, server, query: str = "?lang=de"):
    watch = guard(page, server.url)
    page.goto(server.url + "/" + query)
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    return watch


MARKERS_ON_MAP = """() => document.querySelectorAll('.place-marker').length +
    [...document.querySelectorAll('.cluster-marker [aria-hidden]')]
        .reduce((n, el) => n + Number(el.textContent.replace(/\\D/g, '')), 0)"""


def markers_on_map(page: Page) -> int:
    """Places drawn on the map: single markers plus the numbers on the clusters."""
    return page.evaluate(MARKERS_ON_MAP)


def assert_markers_on_map(page: Page, expected: int) -> None:
    """While markercluster animates a zoom, the old and the new clusters are both in the DOM for
    a moment; the map must settle on exactly the expected number."""
    try:
        page.wait_for_function(f"() => ({MARKERS_ON_MAP})() === {expected}", timeout=10_000)
    except PlaywrightTimeout:
        raise AssertionError(f"{markers_on_map(page)} places on the map, expected {expected}") from None


def list_names(page: Page) -> list[str]:
    return page.locator(".result-name").all_text_contents()


def open_stage_of(page: Page, box: str) -> None:
    """Opens the stage that holds a category's box, once the filters have come (they come
    with their counts, after the first places)."""
    expect(page.locator(box)).to_be_attached()
    page.locator(box).evaluate("box => { box.closest('details').open = true; }")


def count_of(page: Page, category: str) -> int:
    text = page.locator(f"label[for=filter-category-{category}] .count").inner_text()
    return int(re.search(r"\((\d+)\)", text).group(1))


def test_markers_clusters_list_and_count_appear(page: Page, live_server):
    watch = open_map(page, live_server)
    expect(page.locator(".cluster-marker").first).to_be_visible()
    expect(page.locator("#result-count")).to_have_text("87 Lernorte gefunden")
    assert len(list_names(page)) == 87
    assert_markers_on_map(page, 87)
    expect(page.locator(".legend")).to_contain_text("Schule")
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("JedeSchule")
    expect(page.locator(".site-footer")).to_contain_text("Hessisches Statistisches Landesamt")
    watch.check()


def test_every_module_the_map_loads_is_announced_by_the_page(page: Page, live_server):
    """The page names all its modules up front (modulepreload), so the browser fetches them at
    once instead of one import level per round trip."""
    modules: list[str] = []
    page.on("request", lambda r: modules.append(r.url) if "/static/src/" in r.url else None)
    watch = open_map(page, live_server)
    preloaded = page.eval_on_selector_all("link[rel=modulepreload]", "links => links.map(l => l.href)")
    main = live_server.url + "/static/src/main.js"
    assert len(modules) > 10
    assert set(modules) == set(preloaded) | {main}
    watch.check()


def test_each_filter_changes_map_list_and_counts_together(page: Page, live_server):
    watch = open_map(page, live_server)
    page.locator("summary", has_text="Schule").first.click()
    special = count_of(page, "foerderschule")
    assert 0 < special < 87
    page.get_by_label("Förderschule").check()
    expect(page.locator("#result-count")).to_have_text(re.compile(f"^{special} Lernorte? gefunden$"))
    assert len(list_names(page)) == special
    api = page.request.get(live_server.url + "/api/places?category=foerderschule&limit=1000").json()
    assert list_names(page) == [f["properties"]["name"] for f in api["features"]]
    page.wait_for_function("() => document.querySelectorAll('.place-marker, .cluster-marker').length > 0")
    assert_markers_on_map(page, special)
    assert "category=foerderschule" in page.url

    # A target group narrows further and the category counts follow it.
    primary_before = count_of(page, "grundschule")
    page.locator("#filter-target_group-kinder").check()
    page.wait_for_function("() => !document.querySelector('main').hasAttribute('aria-busy')")
    expect(page.locator("#result-count")).not_to_have_text(re.compile(r"^0 "))
    assert "target_group=kinder" in page.url
    page.get_by_label("Förderschule").uncheck()
    page.locator("#filter-target_group-kinder").uncheck()
    expect(page.locator("#result-count")).to_have_text("87 Lernorte gefunden")
    assert count_of(page, "grundschule") == primary_before
    assert_markers_on_map(page, 87)
    watch.check()


def test_back_button_restores_the_filters(page: Page, live_server):
    watch = open_map(page, live_server)
    page.locator("summary", has_text="Schule").first.click()
    page.get_by_label("Förderschule").check()
    expect(page.locator("#result-count")).not_to_have_text("87 Lernorte gefunden")
    page.go_back()
    expect(page.locator("#result-count")).to_have_text("87 Lernorte gefunden")
    expect(page.get_by_label("Förderschule")).not_to_be_checked()
    page.go_forward()
    expect(page.get_by_label("Förderschule")).to_be_checked()
    expect(page.locator("#result-count")).not_to_have_text("87 Lernorte gefunden")
    watch.check()


def test_search_with_a_typo_suggests_the_school_and_selects_it_by_keyboard(page: Page, live_server):
    watch = open_map(page, live_server)
    box = page.get_by_role("combobox", name="Name, Träger oder Adresse")
    box.press_sequentially("uttrichhausen", delay=20)
    option = page.get_by_role("option").first
    expect(option).to_contain_text("Uttrichshausen")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-0")
    box.press("Enter")
    expect(page.locator("#result-count")).to_have_text("1 Lernort gefunden")
    assert "Uttrichshausen" in list_names(page)[0]
    expect(page.locator(".result[aria-current]")).to_contain_text("Uttrichshausen")
    expect(page.locator(".leaflet-popup")).to_contain_text("Uttrichshausen")
    assert "q=uttrichhausen" in page.url and "place=" in page.url
    watch.check()


def distances_in_metres(page: Page) -> list[float]:
    values = []
    for text in page.locator(".result .place-distance").all_text_contents():
        number, unit = re.search(r"([\d.,]+)\s*(km|m)\b", text.replace("\u00a0", " ")).groups()
        value = float(number.replace(".", "").replace(",", "."))
        values.append(value * 1000 if unit == "km" else value)
    return values


def test_suggestions_wait_for_three_letters(page: Page, live_server):
    # Two letters cannot be looked up in the trigram index: over a national directory a rare
    # pair read every place for each keystroke.
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "limit=8" in r.url else None)
    watch = open_map(page, live_server)
    box = page.get_by_role("combobox", name="Name, Träger oder Adresse")
    box.press_sequentially("Fu", delay=20)
    page.wait_for_timeout(600)  # longer than the suggestions' delay after typing
    assert asked == [] and page.locator("[role=listbox] [role=option]").count() == 0
    box.press_sequentially("l")
    expect(page.get_by_role("option").first).to_be_visible()
    assert len(asked) == 1 and "q=Ful" in asked[0]
    watch.check()


def test_enter_right_after_typing_searches_what_was_typed(page: Page, live_server):
    # The suggestions on screen were found for the first letters: down and Enter at once must
    # not open one of them for a longer text it may not match.
    watch = open_map(page, live_server)
    box = page.get_by_role("combobox", name="Name, Träger oder Adresse")
    box.press_sequentially("Fulda", delay=20)
    expect(page.get_by_role("option").first).to_be_visible()
    held = []  # the suggestions for the longer text never come, however slow the machine
    page.route(lambda url: "limit=8" in url and "Hochschule" in url, lambda route: held.append(route))
    box.press_sequentially(" Hochschule")
    box.press("ArrowDown")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("suggestion"))
    box.press("Enter")
    page.wait_for_function("() => new URL(location).searchParams.get('q') === 'Fulda Hochschule'")
    assert "place=" not in page.url
    watch.check()


def test_near_a_point_in_the_link_sorts_by_distance_with_radius(page: Page, live_server):
    watch = open_map(page, live_server, "?lang=de&near=9.6716,50.5547&near_label=Fulda&radius=5000")
    distances = distances_in_metres(page)
    assert distances and distances == sorted(distances)
    assert distances[-1] <= 5000
    expect(page.locator(".place-distance").first).to_have_text(re.compile(r"^\d+(,\d)? (km|m) entfernt$"))
    expect(page.locator("#radius")).to_have_value("5000")
    page.locator("#radius").select_option("2000")
    page.wait_for_function("() => new URL(location).searchParams.get('radius') === '2000'")
    page.wait_for_function("() => !document.querySelector('main').hasAttribute('aria-busy')")
    assert max(distances_in_metres(page)) <= 2000
    watch.check()


def test_a_radius_the_choices_lack_is_shown_as_itself(page: Page, live_server):
    watch = open_map(page, live_server, "?lang=de&near=9.6716,50.5547&radius=12345")
    expect(page.locator("#radius")).to_have_value("12345")
    choices = page.locator("#radius option").all_text_contents()
    assert choices.index("12 km") == choices.index("10 km") + 1  # in order, written as the rest
    assert max(distances_in_metres(page)) <= 12345
    watch.check()


def test_a_refused_radius_leaves_no_choice_behind(page: Page, live_server):
    # The link's radius became a choice of its own, and stayed one after the server refused it.
    watch = guard(page, live_server.url, allow_console_errors=True)  # the refused request
    page.goto(live_server.url + "/?lang=de&near=9.6716,50.5547&radius=1e9")
    expect(page.locator("#result-count")).to_contain_text("Ein Filter aus dem Link gilt nicht")
    expect(page.locator("#radius")).to_have_value("")
    assert page.locator("#radius option").count() == 6  # any distance and the five radii
    watch.check()


def test_near_an_address_sorts_by_distance(page: Page, live_server):
    watch = open_map(page, live_server)
    page.get_by_label("Postleitzahl oder Ort").fill("Hünfeld")
    page.get_by_role("button", name="In der Nähe suchen").click()
    expect(page.locator("#near-status")).to_contain_text("Hünfeld")
    page.wait_for_function("() => new URL(location).searchParams.has('near')")
    expect(page.locator(".place-distance").first).to_be_visible()
    distances = distances_in_metres(page)
    assert distances == sorted(distances) and len(distances) > 1
    assert "Hünfeld" in page.locator(".result .place-address").first.inner_text()
    watch.check()


@pytest.mark.parametrize("link, kept", [("category=umbenannt", None),
                                         ("near=9.6716,50.5547&radius=1e9", "near=")])
def test_a_filter_the_server_refuses_is_left_out_of_a_link(page: Page, live_server, link, kept):
    # A category renamed since the link was shared, or a radius typed by hand beyond what the
    # server allows: the page said it could not load anything.
    watch = guard(page, live_server.url, allow_console_errors=True)  # the refused request
    page.goto(live_server.url + "/?lang=de&" + link)
    expect(page.locator("#result-count")).to_have_text(re.compile(
        r"^87 Lernorte gefunden\. Ein Filter aus dem Link gilt nicht \(mehr\)"))
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    refused = link.split("&")[-1].split("=")[0]
    assert f"{refused}=" not in page.url
    if kept:
        assert kept in page.url
    watch.check()


def test_refused_geolocation_says_so_clearly(page: Page, live_server):
    watch = open_map(page, live_server)
    page.get_by_role("button", name="Meinen Standort verwenden").click()
    expect(page.locator("#near-status")).to_contain_text("Zugriff im Browser abgelehnt")
    watch.check()


def tab_until(page: Page, condition: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return {condition}; }}"):
            return
    raise AssertionError(f"keyboard focus never reached: {condition}")


def test_keyboard_alone_filters_walks_the_list_and_opens_a_place(page: Page, live_server):
    watch = open_map(page, live_server)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Zur Ergebnisliste springen")
    tab_until(page, "el.tagName === 'SUMMARY' && el.textContent.includes('Schule')")
    page.keyboard.press("Enter")
    tab_until(page, "el.id === 'filter-category-foerderschule'")
    page.keyboard.press("Space")
    expect(page.locator("#result-count")).not_to_have_text("87 Lernorte gefunden")
    tab_until(page, "el.classList.contains('show-on-map')")
    page.keyboard.press("Enter")
    expect(page.locator(".result[aria-current]")).to_have_count(1)
    expect(page.locator(".leaflet-popup")).to_be_visible()
    tab_until(page, "el.closest('.result-name') !== null")
    name = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/orte/\d+"))
    assert name
    watch.check()


def test_arabic_is_right_to_left_and_remembered(page: Page, live_server):
    watch = open_map(page, live_server)
    page.get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    expect(page.locator("#result-count")).to_contain_text("تم العثور على")
    expect(page.locator(".result .place-category").first).to_have_text(
        re.compile("مدرسة"))
    # The list sits to the left of the map in a right-to-left layout.
    assert page.locator("#results").bounding_box()["x"] < page.locator("#map").bounding_box()["x"]
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.goto(live_server.url + "/?lang=uk")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    expect(page.locator("#result-count")).to_have_text("Знайдено 87 місць")
    watch.check()


@pytest.mark.parametrize("lang", ["de", "en", "uk", "ar"])
def test_no_wcag_a_or_aa_violations(page: Page, live_server, lang):
    watch = open_map(page, live_server, f"?lang={lang}")
    page.locator("details.stage").first.click()
    assert_accessible(page)
    watch.check()


def test_phone_width_stacks_map_then_list_without_sideways_scrolling(page: Page, live_server):
    page.set_viewport_size({"width": 360, "height": 740})
    watch = open_map(page, live_server)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    map_box = page.locator("#map").bounding_box()
    assert map_box["width"] >= 320
    assert page.locator("#results").bounding_box()["y"] > map_box["y"] + map_box["height"] - 1
    page.locator(".show-on-map").first.tap() if page.context.browser.browser_type.name == "never" \
        else page.locator(".show-on-map").first.click()
    expect(page.locator(".leaflet-popup")).to_be_visible()
    # The legend folds to one line on a phone and opens on demand.
    legend = page.locator("details.legend")
    expect(legend.locator("li").first).to_be_hidden()
    legend.locator("summary").click()
    expect(legend.locator("li").nth(1)).to_contain_text("Schule")
    expect(legend.locator("li").nth(1)).to_be_visible()
    watch.check()


def test_zoomed_to_200_percent_nothing_is_cut_off(page: Page, live_server):
    # A 1280 px window at 200 % zoom lays out like a 640 px one.
    page.set_viewport_size({"width": 640, "height": 360})
    watch = open_map(page, live_server)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 640
    for name in ("Name, Träger oder Adresse", "Postleitzahl oder Ort", "Umkreis"):
        box = page.get_by_label(name).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 640, name
    page.locator(".result-name a").first.scroll_into_view_if_needed()
    expect(page.locator(".result-name a").first).to_be_in_viewport()
    watch.check()


def test_a_name_that_looks_like_html_stays_text(page: Page, pg, fresh_db, fresh_url, start_server):
    sql(pg, fresh_db, "UPDATE places SET name = %s WHERE name LIKE '%%Uttrichshausen%%'", (XSS,))
    server = start_server(fresh_url)
    watch = open_map(page, server)
    box = page.get_by_role("combobox", name="Name, Träger oder Adresse")
    box.press_sequentially("onerror", delay=20)
    expect(page.get_by_role("option").first).to_contain_text(XSS)
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.locator(".result-name").first).to_have_text(XSS)
    expect(page.locator(".leaflet-popup .popup-name")).to_have_text(XSS)
    assert page.locator("img[src='x']").count() == 0
    page.wait_for_timeout(300)
    watch.check()  # no dialog opened, no page error


def generate_many_places(database_url: str) -> str:
    """6,000 synthetic places in the database (more than the browser holds); its URL."""
    # In a subprocess: Playwright's event loop runs in this thread.
    subprocess.run([sys.executable, "-m", "bench.generate", "-n", "6000", "--seed", "3", "--chunk",
                    "6000", "--database-url", database_url], cwd=PROJECT_ROOT, check=True,
                   capture_output=True)
    return database_url


def open_map_over_many_places(page: Page, fresh_url, start_server):
    """The map at zoom 7 over 6,000 synthetic places: more than the browser holds, so it loads
    per viewport and shows cells."""
    server = start_server(generate_many_places(fresh_url))
    watch = open_map(page, server, "?lang=en&map=7/50.5/9.7")
    expect(page.locator(".cluster-marker").first).to_be_visible()
    return server, watch


def test_more_places_than_the_browser_holds_load_per_viewport(page: Page, fresh_url, start_server):
    server, watch = open_map_over_many_places(page, fresh_url, start_server)
    shown = len(list_names(page))
    assert 0 < shown <= 100  # the list starts with the first entries, and says how many there are
    expect(page.locator("#result-count")).to_contain_text(re.compile(r"of [\d,]{5,}"))
    # Zoomed in close enough, single places replace the cells, and the list follows the view.
    page.goto(server.url + "/?lang=en&map=15/50.5547/9.6716")
    expect(page.locator(".place-marker").first).to_be_visible()
    expect(page.locator("#result-count")).not_to_contain_text("of ")
    watch.check()  # no request refused (422), no page error


def test_near_a_point_over_many_places_takes_the_map_there(page: Page, fresh_url, start_server):
    """Over a directory loaded per viewport, a link near a point opens the map around it with
    the nearest places first: the map stayed on the district and listed only what was in view
    (near Frankfurt, the nearest places of Fulda, 80 km away)."""
    server = start_server(generate_many_places(fresh_url))
    nearest = httpx.get(server.url + "/api/places", params={
        "near": "8.682,50.111", "limit": 1, "properties": "name,distance_m"}).json()["features"][0]
    watch = open_map(page, server, "?lang=de&near=8.682,50.111&near_label=Frankfurt")
    expect(page.locator(".place-distance").first).to_be_visible()
    assert list_names(page)[0] == nearest["properties"]["name"]
    distances = distances_in_metres(page)
    assert distances == sorted(distances) and distances[0] < 5000
    page.wait_for_function("() => new URL(location).searchParams.has('map')")
    _, lat, lon = (float(v) for v in page.evaluate(
        "() => new URL(location).searchParams.get('map')").split("/"))
    assert abs(lat - 50.111) < 0.3 and abs(lon - 8.682) < 0.5
    watch.check()


def test_show_on_the_map_over_cells_goes_to_the_place_and_keeps_it_open(page: Page, fresh_url,
                                                                       start_server):
    """From afar a directory loaded per viewport shows cells, so the listed place has no marker:
    "show on the map" did nothing. It goes to the place and opens it, and the popup stays open
    while the view's places are drawn anew (they closed it a moment after it opened)."""
    server, watch = open_map_over_many_places(page, fresh_url, start_server)
    entry = page.locator(".result").first
    name = entry.locator(".result-name").inner_text()
    entry.locator(".show-on-map").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(name)
    expect(page.locator(".place-marker").first).to_be_visible()
    page.wait_for_timeout(1500)  # the move's own load of the view (after 250 ms) has come
    expect(popup).to_contain_text(name)
    page.locator(".leaflet-popup-close-button").click()
    page.wait_for_timeout(1000)
    expect(popup).to_have_count(0)
    watch.check()


def test_show_on_the_map_twice_in_a_row_opens_the_second_place(page: Page, fresh_url,
                                                               start_server):
    # The first place's lookup is overtaken by the second's: its cancellation must not forget
    # which place was chosen last.
    server, watch = open_map_over_many_places(page, fresh_url, start_server)
    first, second = page.locator(".result").nth(0), page.locator(".result").nth(1)
    first_id = first.get_attribute("data-id")
    held = []
    page.route(f"**/api/places/{first_id}?*", lambda route: held.append(route))
    first.locator(".show-on-map").click()
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    name = second.locator(".result-name").inner_text()
    second.locator(".show-on-map").click()
    expect(page.locator(".leaflet-popup-content .popup-name")).to_have_text(name)
    watch.check()


def test_an_open_place_stays_open_when_zooming_out_puts_it_in_a_cluster(
        page: Page, pg, fresh_db, fresh_url, start_server):
    """Two places 120 m apart, far from all others, over a directory loaded per viewport: apart
    at zoom 17, one cluster at zoom 15. The popup opened at 17 stays open at 15 (clustering its
    marker closed it)."""
    generate_many_places(fresh_url)
    for name, lon in (("%Uttrichshausen%", 7.0), ("%Hünfeld%", 7.00183)):
        sql(pg, fresh_db, "UPDATE places SET geom = ST_SetSRID(ST_MakePoint(%s, 54.0), 4326) "
                          "WHERE id = (SELECT min(id) FROM places WHERE name LIKE %s)", (lon, name))
    server = start_server(fresh_url)
    watch = open_map(page, server, "?lang=de&map=17/54.0/7.0009")
    expect(page.locator(".place-marker")).to_have_count(2)
    page.locator(".place-marker").first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content .popup-name")
    expect(popup).to_have_count(1)
    name = popup.inner_text()
    for zoom in (16, 15):
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_function(f"() => new URL(location).searchParams.get('map').startsWith('{zoom}/')")
    expect(page.locator(".place-marker")).to_have_count(0)  # the two are one cluster now
    page.wait_for_timeout(1000)  # the view's places, drawn anew after the zoom
    expect(popup).to_have_text(name)
    watch.check()


def test_a_filter_with_nothing_in_view_takes_the_map_to_what_it_found(page: Page, fresh_url,
                                                                    start_server):
    """Over a directory loaded per viewport, a filter chosen while the view holds none of its
    places (the sea off the coast) left the map there, saying no places were found: the map
    goes to the places found."""
    server = start_server(generate_many_places(fresh_url))
    watch = open_map(page, server, "?lang=de&map=12/54.6/6.5")
    expect(page.locator("#result-count")).to_have_text("Keine Lernorte gefunden")
    page.locator("#filter-target_group-kinder").check()
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^Die ersten 100 von [\d.]+ "))
    expect(page.locator(".result")).to_have_count(100)
    zoom, lat, lon = (float(v) for v in page.evaluate(
        "() => new URL(location).searchParams.get('map')").split("/"))
    assert zoom < 12 and 47 < lat < 55.1 and 5.8 < lon < 15.1  # over Germany
    watch.check()


def view_in_url(page: Page) -> tuple[float, float, float] | None:
    """The map's zoom, latitude and longitude from the page's address (None: not in it)."""
    value = page.evaluate("() => new URL(location).searchParams.get('map')")
    return None if value is None else tuple(float(v) for v in value.split("/"))


def test_a_search_stays_in_the_district_that_holds_its_places_and_back_returns_there(
        page: Page, fresh_url, start_server):
    """Over a directory loaded per viewport, the map opens on the district. A person's first
    search took the map to the whole country although the district held its places (the link
    without a view was taken for a link to fit); and back from a search that did move the
    map, the district's list stood over the whole country."""
    server = start_server(generate_many_places(fresh_url))
    in_district = httpx.get(server.url + "/api/places", params={
        "q": "Kita", "bbox": "9.40,50.30,10.15,50.85", "limit": 1}).json()["numberReturned"]
    assert in_district == 1
    watch = open_map(page, server, "?lang=en")
    expect(page.locator("#result-count")).to_have_text(re.compile(r"\d"))
    page.locator("#q").fill("Kita")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"q=Kita"))
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    district = page.locator("#result-count").inner_text()
    page.wait_for_timeout(1000)  # a fit animates for a quarter of a second, then says where
    assert view_in_url(page) is None  # the map stayed where it was
    # A town far away: the district holds none of its places, so the map goes there.
    page.locator("#q").fill("Hamburg")
    page.locator("#q").press("Enter")
    page.wait_for_function("() => (new URL(location).searchParams.get('map') || '').includes('/53.')")
    page.go_back()
    expect(page.locator("#q")).to_have_value("Kita")
    expect(page.locator("#result-count")).to_have_text(district)
    view = view_in_url(page)
    assert view is not None  # the entry left for the search kept the district's view
    zoom, lat, lon = view
    assert 50.3 < lat < 50.85 and 9.4 < lon < 10.15 and zoom >= 8
    watch.check()


def test_an_embed_over_many_places_fits_itself_to_its_places(page: Page, fresh_url, start_server):
    """An embed whose fixed filter matches more places than the browser holds opened on the
    service area (the district of Fulda) whatever its places: the embed of a municipality far
    away said "No places found". It fits itself to its places, as a smaller embed does."""
    server = start_server(generate_many_places(fresh_url))
    watch = guard(page, server.url)
    page.goto(server.url + "/embed?lang=de&category=fruehkindlich")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    page.wait_for_function("() => new URL(location).searchParams.has('map')")
    zoom, lat, lon = (float(v) for v in page.evaluate(
        "() => new URL(location).searchParams.get('map')").split("/"))
    assert zoom <= 7  # the country, where the synthetic places are, not the district
    expect(page.locator(".cluster-marker").first).to_be_visible()
    watch.check()


def test_an_embed_that_fits_itself_asks_only_for_the_cells_of_its_places(
        page: Page, fresh_url, start_server):
    """An embed without a view asked for the service area's cells together with its first page,
    then fitted itself to its places and dropped them: over a national directory Berlin's
    embed had the server count Berlin's places in the district of Fulda beside its real work."""
    server = start_server(generate_many_places(fresh_url))
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/clusters" in r.url else None)
    watch = guard(page, server.url)
    page.goto(server.url + "/embed?lang=de&category=fruehkindlich")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    expect(page.locator(".cluster-marker").first).to_be_visible()
    assert asked
    # The district of Fulda is seen at zoom 10; the country, where the places are, at 7 or less.
    zooms = [int(parse_qs(urlsplit(url).query)["zoom"][0]) for url in asked]
    assert max(zooms) <= 7, asked
    watch.check()


def test_a_list_of_the_first_places_in_view_leads_to_all_of_them(page: Page, fresh_url,
                                                                 start_server):
    """Over a directory loaded per viewport the list holds the first 100 places in view; the
    server's list pages through all of them, with the same filters (the list is the map's
    alternative for those who cannot use the map)."""
    server, watch = open_map_over_many_places(page, fresh_url, start_server)
    page.locator("#filter-target_group-kinder").check()
    page.wait_for_function("() => !document.querySelector('main').hasAttribute('aria-busy')")
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^The first 100 of [\d,]+ "))
    link = page.locator("#list-all")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("main")).to_contain_text(re.compile(r"Places 1 to 50 of (more than )?[\d,]+"))
    expect(page.locator("a[rel=next]")).to_be_visible()
    assert "target_group=kinder" in page.url and "bbox=" in page.url
    page.go_back()
    page.goto(server.url + "/?lang=en&map=15/50.5547/9.6716")  # up close: every place in view
    expect(page.locator(".place-marker").first).to_be_visible()
    expect(link).to_be_hidden()
    watch.check()


def test_a_shared_view_asks_for_its_cells_once(page: Page, fresh_url, start_server):
    # A link with a view (map=7/…) opens there; it must not ask for the same cells twice. Over
    # a national directory with a search, the second ask dropped a second of counting and
    # started it again.
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/clusters" in r.url else None)
    _, watch = open_map_over_many_places(page, fresh_url, start_server)
    page.wait_for_timeout(1500)  # a second ask would come one debounce (250 ms) after a move
    assert len(asked) == 1, asked
    watch.check()


def asked_while_the_first_page_waits(page: Page, fresh_url, start_server, view: str,
                                     wanted: Callable[[str], bool]) -> tuple[list[str], Guard]:
    """Open the map at ``view`` over 6,000 places with its first page held back until the
    request ``wanted`` picks is asked for; then let the first page go. The URLs asked for."""
    server = start_server(generate_many_places(fresh_url))
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if wanted(r.url) else None)
    watch = guard(page, server.url)
    held = []
    page.route(lambda url: "/api/places?" in url and "bbox=" not in url,
               lambda route: held.append(route))
    page.goto(server.url + "/?lang=en&map=" + view)
    for _ in range(50):
        if held and asked:
            break
        page.wait_for_timeout(100)
    assert held, "the map asked for no first page"
    assert asked, "the view's data was asked for only after the first page"
    for route in held:
        route.fallback()
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    return asked, watch


def test_the_cells_are_asked_for_together_with_the_first_page(page: Page, fresh_url, start_server):
    # Over a large directory the map shows cells; waiting for the first page before asking for
    # them put a round trip more before anything was drawn.
    cells_asked, watch = asked_while_the_first_page_waits(
        page, fresh_url, start_server, "7/50.5/9.7", lambda url: "/api/clusters" in url)
    expect(page.locator(".cluster-marker").first).to_be_visible()
    assert len(cells_asked) == 1, cells_asked  # the early answer is the one drawn
    watch.check()


def test_a_close_view_asks_for_its_places_together_with_the_first_page(
        page: Page, fresh_url, start_server):
    # Up close a large directory shows the places in view; asked for only after the first page,
    # they came a round trip later (and a dense view's cells one more).
    in_view, watch = asked_while_the_first_page_waits(
        page, fresh_url, start_server, "14/50.111/8.682",
        lambda url: "/api/places?" in url and "limit=1000" in url)
    assert len(in_view) == 1, in_view  # the early answer is the one drawn
    drawn = httpx.get(in_view[0]).json()["numberReturned"]
    assert drawn > 0, "no places in this view: the test shows nothing"
    assert_markers_on_map(page, drawn)
    watch.check()


def test_a_small_directory_does_not_ask_for_the_view_again_on_a_filter_change(
        page: Page, live_server):
    # Up close the map asks for the view's places together with the first page, for a large
    # directory; a district's first page shows that everything fits, and from then on such an
    # ask would only be dropped.
    in_view: list[str] = []
    page.on("request", lambda r: in_view.append(r.url)
            if "/api/places?" in r.url and "bbox=" in r.url else None)
    watch = open_map(page, live_server, "?lang=en&map=14/50.5547/9.6716")
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^87 places found$"))
    asked_first = len(in_view)
    open_stage_of(page, "#filter-category-grundschule")
    page.locator("#filter-category-grundschule").check()
    expect(page.locator("#result-count")).not_to_have_text(re.compile(r"^87 "))
    page.wait_for_timeout(500)
    assert len(in_view) == asked_first, in_view[asked_first:]
    watch.check()


def test_a_filter_change_drops_the_cells_the_view_was_still_waiting_for(
        page: Page, fresh_url, start_server):
    _, watch = open_map_over_many_places(page, fresh_url, start_server)
    # The next cells are held back, as a slow count over a large area would be.
    held = []
    page.route("**/api/clusters**", lambda route: held.append(route))
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the pan asked for no cells"
    # Meanwhile a person picks a small category: few enough places to show them all.
    open_stage_of(page, "#filter-category-hochschule")
    page.locator("#filter-category-hochschule").check()
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^\d+ places? found$"))
    found = int(page.locator("#result-count").inner_text().split()[0])
    for route in held:  # the old view's cells arrive late
        try:
            route.continue_()
        except Exception:  # noqa: BLE001 - already cancelled by the page, as it should be
            pass
    page.wait_for_timeout(1500)
    # They must not replace the category's places on the map or in the count.
    expect(page.locator("#result-count")).to_have_text(re.compile(rf"^{found} places? found$"))
    assert markers_on_map(page) == found
    watch.check()


def test_a_search_whose_cells_are_slow_says_it_is_loading(page: Page, fresh_url, start_server):
    # Over a national directory a common word's cells take a second or more; until then the
    # map and the count line showed the results before the search, as if it had found nothing.
    _, watch = open_map_over_many_places(page, fresh_url, start_server)
    before = page.locator("#result-count").inner_text()
    held = []
    page.route("**/api/clusters**", lambda route: held.append(route))
    box = page.get_by_role("combobox", name="Name, provider or address")
    box.fill("Straße")  # in most of the synthetic addresses: the map stays per viewport
    box.press("Enter")
    expect(page.locator("#result-count")).to_have_text("Loading …")
    expect(page.locator("main")).to_have_attribute("aria-busy", "true")
    assert held, "the search asked for no cells"
    # The search is changed before its cells came (the same places, spelled otherwise): the
    # first search, cancelled, must not declare the page done while the second one loads.
    asked = len(held)
    box.fill("Strasse")
    box.press("Enter")
    for _ in range(50):
        if len(held) > asked:
            break
        page.wait_for_timeout(100)
    assert len(held) > asked, "the second search asked for no cells"
    page.wait_for_timeout(300)
    expect(page.locator("main")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#result-count")).to_have_text("Loading …")
    for route in held:
        try:
            route.fallback()
        except Exception:  # noqa: BLE001 - the first search's, cancelled by the page
            pass
    expect(page.locator("#result-count")).to_contain_text(re.compile(r"of [\d,]+"))
    assert page.locator("#result-count").inner_text() != before
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    watch.check()


def test_a_view_with_more_places_than_one_answer_keeps_showing_cells(
        page: Page, pg, fresh_db, fresh_url, start_server):
    # 2,100 places on a few hundred metres of Fulda: more than the browser holds at once, and
    # more than one viewport answer (1,000) carries even when zoomed in close.
    sql(pg, fresh_db, """
        WITH dense AS (
            INSERT INTO places (name, status, geom)
            SELECT 'Dichter Lernort ' || g, 'published',
                   ST_SetSRID(ST_MakePoint(9.6716 + (g %% 50) * 0.00004,
                                           50.5547 + (g / 50) * 0.00003), 4326)
            FROM generate_series(1, 2100) AS g RETURNING id)
        INSERT INTO place_categories (place_id, category_id, position)
        SELECT id, (SELECT id FROM categories WHERE slug = 'kita'), 0 FROM dense""")
    server = start_server(fresh_url)
    watch = open_map(page, server, "?lang=en&map=16/50.5553/9.6726")
    # Every place in view is counted on the map (as cells), not an arbitrary thousand of them,
    # and the list says how many there are.
    page.wait_for_function(f"() => ({MARKERS_ON_MAP})() >= 2100")
    assert page.locator(".place-marker").count() == 0
    expect(page.locator("#result-count")).to_contain_text(re.compile(r"of 2,[1-9]\d\d"))
    watch.check()


def test_without_javascript_the_map_leads_to_a_complete_list(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    watch = guard(page, live_server.url)
    page.goto(live_server.url + "/?lang=de&category=schule")
    page.get_by_role("link", name="Alle Ergebnisse als Liste ohne JavaScript").first.click()
    expect(page.locator(".result-count")).to_have_text("Lernorte 1 bis 50 von 87")
    seen = page.locator(".result-name").all_text_contents()
    page.get_by_role("link", name="Nächste Seite").click()
    seen += page.locator(".result-name").all_text_contents()
    assert len(seen) == len(set(seen)) == 87
    page.get_by_label("Name, Träger oder Adresse").fill("uttrichhausen")
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator(".result-name")).to_have_text(["Grundschule Uttrichshausen"])
    page.locator(".result-name a").click()
    expect(page.locator("h1")).to_have_text("Grundschule Uttrichshausen")
    watch.check()
    context.close()


def test_the_list_without_javascript_has_no_wcag_violations(page: Page, live_server):
    watch = guard(page, live_server.url)
    page.goto(live_server.url + "/liste?lang=ar&near=9.6716,50.5547")
    assert_accessible(page)
    watch.check()


def test_target_groups_show_counts_and_languages_appear_when_the_data_has_them(
        page: Page, pg, fresh_db, fresh_url, start_server, live_server):
    watch = open_map(page, live_server)
    kinder = page.locator("label[for=filter-target_group-kinder] .count")
    expect(kinder).to_have_text(re.compile(r"^\(\d+\)$"))
    assert int(kinder.inner_text().strip("()")) > 0
    expect(page.get_by_role("group", name="Angebotene Sprache")).to_be_hidden()
    watch.check()

    sql(pg, fresh_db, "UPDATE places SET languages = '{uk}' WHERE name LIKE 'Grundschule%%'")
    expected = sql(pg, fresh_db, "SELECT count(*) FROM places WHERE 'uk' = ANY(languages)"
                                 " AND status = 'published'")[0][0]
    server = start_server(fresh_url)
    watch = open_map(page, server)
    group = page.get_by_role("group", name="Angebotene Sprache")
    expect(group).to_be_visible()
    expect(page.locator("label[for=filter-language-uk] .count")).to_have_text(f"({expected})")
    group.get_by_label("Ukrainisch").check()
    expect(page.locator("#result-count")).to_have_text(f"{expected} Lernorte gefunden")
    assert "language=uk" in page.url
    watch.check()
