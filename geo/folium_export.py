"""A self-contained HTML map of places, made with folium: for sites that cannot use iframes,
intranets and offline use.

Everything the page needs is inside it: Leaflet and markercluster are inlined (folium would link
CDNs; the links are switched off per map and per plugin), markers are made in the browser from
one JSON array (folium's fast-cluster path, not one Python object per marker), popups are built
with DOM methods and ``textContent``, so a name like ``<img src=x onerror=…>`` stays text. The
only request the page may make is to the tile server, and none when tiles are off. The list of
places below the map is the accessible alternative to it.

Pure: knows nothing of the database or the web app; the caller passes places, texts and the
vendor files.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import folium
import jinja2
from branca.element import Element, Figure
from folium.plugins import FastMarkerCluster
from folium.template import Template

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
FALLBACK_COLOUR = "#555555"
WEB_URL = re.compile(r"^https?://", re.IGNORECASE)
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
DEFAULT_MAX_ZOOM = 18


@dataclass(frozen=True)
class ExportPlace:
    id: int
    name: str
    lat: float
    lon: float
    category: str  # the primary category's name, in the page's language
    colour: str  # checked hex colour: it ends up in CSS
    address: str
    link: str | None  # the place's own page, when the export knows where the app lives
    website: str | None  # http(s) only: a javascript: URL must never become a link


@dataclass(frozen=True)
class Tiles:
    url: str
    attribution: str  # HTML set by the operator (not by data), as Leaflet expects
    max_zoom: int


@dataclass(frozen=True)
class Assets:
    """Vendor code to inline, in load order."""

    scripts: tuple[str, ...]
    styles: tuple[str, ...]


def safe_colour(value: str | None) -> str:
    return value if value and HEX_COLOUR.match(value) else FALLBACK_COLOUR


def places_from_features(features: Iterable[Mapping[str, Any]],
                         base_url: str | None = None) -> list[ExportPlace]:
    """GeoJSON Features as the API answers them → places to export (no location, no marker)."""
    places = []
    for feature in features:
        geometry = feature.get("geometry")
        if not geometry:
            continue
        lon, lat = geometry["coordinates"][:2]
        p = feature["properties"]
        website = p.get("website")
        places.append(ExportPlace(
            id=feature["id"], name=p["name"], lat=lat, lon=lon,
            category=p.get("category_name") or "", colour=safe_colour(p.get("colour")),
            address=p.get("address") or "",
            link=f"{base_url.rstrip('/')}{p['url']}" if base_url and p.get("url") else None,
            website=website if website and WEB_URL.match(website) else None,
        ))
    return places


class _ExportMap(folium.Map):
    """folium's Map without its CDN links and without the viewport tag that forbids zooming
    (``user-scalable=no`` fails WCAG 1.4.4)."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []
    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>#{{ this.get_name() }} { position: relative; width: 100%; height: 70vh; }</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }},
                {center: {{ this.location|tojson }}, crs: L.CRS.{{ this.crs }},
                 ...{{ this.options|tojavascript }}});
        {% endmacro %}
    """)


class _Clusters(FastMarkerCluster):
    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


class _Page(Figure):
    """The whole document: language, title, the text around the map, the map's scripts."""

    _template = Template(
        "<!DOCTYPE html>\n"
        "<html lang=\"{{ this.lang|e }}\" dir=\"{{ this.dir }}\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>{{ this.title|e }}</title>\n"
        "{{ this.header.render(**kwargs) }}\n</head>\n<body>\n"
        "{{ this.before_map }}{{ this.html.render(**kwargs) }}{{ this.after_map }}\n"
        "<script>\n{{ this.script.render(**kwargs) }}\n</script>\n</body>\n</html>\n"
    )


# Marker and cluster icons are DOM elements made here, never HTML strings with data in them.
MARKER_JS = """function (row) {
    var dot = document.createElement('span');
    dot.className = 'lo-dot';
    dot.style.background = row[4];
    var marker = L.marker(L.latLng(row[0], row[1]), {
        title: row[2], alt: row[2], keyboard: true,
        icon: L.divIcon({html: dot, className: 'lo-marker', iconSize: [18, 18]})
    });
    marker.bindPopup(function () {
        var box = document.createElement('div');
        function line(tag, text) {
            if (!text) { return null; }
            var el = document.createElement(tag);
            el.textContent = text;
            box.appendChild(el);
            return el;
        }
        line('strong', row[2]);
        line('div', row[3]);
        line('div', row[5]);
        function link(href, text) {
            if (!href) { return; }
            var a = line('a', text);
            a.href = href;
            a.style.display = 'block';
        }
        link(row[6], LO_TEXT.more);
        link(row[7], LO_TEXT.website);
        return box;
    });
    return marker;
}"""
CLUSTER_ICON_JS = """function (cluster) {
    var count = document.createElement('span');
    count.textContent = String(cluster.getChildCount());
    return L.divIcon({html: count, className: 'lo-cluster', iconSize: [40, 40]});
}"""
PAGE_CSS = """
body { margin: 0; font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff;
       line-height: 1.4; }
header, footer, .lo-section { padding: 0.5rem 1rem; }
h1 { font-size: 1.4rem; margin: 0.25rem 0; }
h2 { font-size: 1.15rem; }
.lo-skip { position: absolute; left: -10000px; }
.lo-skip:focus { position: static; }
.lo-marker { background: none; border: none; }
.lo-dot { display: block; width: 14px; height: 14px; border-radius: 50%;
          border: 2px solid #fff; box-shadow: 0 0 0 1px #333; }
.lo-cluster { background: #0b4f8a; border-radius: 50%; color: #fff; font-weight: bold;
              display: flex; align-items: center; justify-content: center; }
.lo-legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; }
.lo-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
             margin-inline-end: 0.4rem; border: 1px solid #333; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: start; padding: 0.3rem 0.5rem; border-bottom: 1px solid #ccc;
         vertical-align: top; }
a { color: #0b4f8a; }
.leaflet-container a { color: #0b4f8a; }
"""

_text = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
BEFORE_MAP = _text.from_string("""
<a class="lo-skip" href="#lo-list">{{ t.skip_to_list }}</a>
<header><h1>{{ title }}</h1><p>{{ summary or t.count.format(count=places|length) }}</p></header>
<main>
<section class="lo-section" aria-labelledby="lo-legend-title">
<h2 id="lo-legend-title">{{ t.legend }}</h2>
<ul class="lo-legend">
{%- for name, colour, n in legend %}
<li><span class="lo-swatch" style="background: {{ colour }}"></span>{{ name }} ({{ n }})</li>
{%- endfor %}
</ul>
</section>
<section aria-label="{{ t.map }}">
""")
AFTER_MAP = _text.from_string("""
</section>
<section class="lo-section" aria-labelledby="lo-list-title">
<h2 id="lo-list-title"><a id="lo-list"></a>{{ t.list }}</h2>
<table>
<thead><tr><th scope="col">{{ t.name }}</th><th scope="col">{{ t.category }}</th>
<th scope="col">{{ t.address }}</th></tr></thead>
<tbody>
{%- for p in places %}
<tr><td>{% if p.link %}<a href="{{ p.link }}">{{ p.name }}</a>{% else %}{{ p.name }}{% endif %}</td>
<td>{{ p.category }}</td><td>{{ p.address }}</td></tr>
{%- endfor %}
</tbody>
</table>
</section>
</main>
<footer><p>{{ t.attribution }}: {{ attribution }}</p></footer>
""")


class _Raw(Element):
    """Text put into the page as it is (an Element would read it as a Jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _inline(tag: str, code: str) -> Element:
    # A closing tag inside vendor code would end the element early.
    safe = code.replace("</" + tag, "<\\/" + tag)
    return _Raw(f"<{tag}>{safe}</{tag}>")


def _legend(places: list[ExportPlace]) -> list[tuple[str, str, int]]:
    counts = Counter((p.category, p.colour) for p in places)
    return sorted(((name, colour, n) for (name, colour), n in counts.items()),
                  key=lambda item: item[0].casefold())


def export_html(places: list[ExportPlace], *, title: str, lang: str, texts: Mapping[str, str],
                assets: Assets, tiles: Tiles | None, data_attribution: str,
                default_bounds: tuple[float, float, float, float], summary: str | None = None
                ) -> str:
    """The page as one string. ``default_bounds`` (minLon, minLat, maxLon, maxLat) is shown
    when there are no places; ``texts`` are the page's labels in ``lang``; ``summary``, the
    line under the title, says how many places the page shows (by default ``texts["count"]``)."""
    page = _Page()
    page.lang, page.title = lang, title
    page.dir = "rtl" if lang in RTL_LANGUAGES else "ltr"
    for style in (*assets.styles, PAGE_CSS):
        page.header.add_child(_inline("style", style))
    for script in assets.scripts:
        page.header.add_child(_inline("script", script))
    page.header.add_child(_inline("script", "var LO_TEXT = " + Template(
        "{{ t|tojson }}").render(t={"more": texts["more"], "website": texts["website"]}) + ";"))

    fmap = _ExportMap(location=None, tiles=None, zoom_start=10, control_scale=True)
    # markercluster needs the map's maxZoom, which folium only sets on a tile layer.
    fmap.options["max_zoom"] = tiles.max_zoom if tiles is not None else DEFAULT_MAX_ZOOM
    page.add_child(fmap)
    if tiles is not None:
        folium.TileLayer(tiles=tiles.url, attr=tiles.attribution, max_zoom=tiles.max_zoom,
                         name="tiles").add_to(fmap)
    rows = [[p.lat, p.lon, p.name, p.category, safe_colour(p.colour), p.address, p.link,
             p.website if p.website and WEB_URL.match(p.website) else None] for p in places]
    _Clusters(rows, callback=MARKER_JS, icon_create_function=CLUSTER_ICON_JS,
              control=False).add_to(fmap)
    if places:
        lats, lons = [p.lat for p in places], [p.lon for p in places]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    else:
        west, south, east, north = default_bounds
        bounds = [[south, west], [north, east]]
    fmap.fit_bounds(bounds, padding=(20, 20), max_zoom=16)

    page.before_map = BEFORE_MAP.render(t=texts, title=title, places=places, summary=summary,
                                        legend=_legend(places))
    page.after_map = AFTER_MAP.render(t=texts, places=places, attribution=data_attribution)
    return page.render()
