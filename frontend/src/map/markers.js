// The places on the map: clustered markers coloured and drawn by their stage, a selected one
// highlighted, popups built from text.
import { el, visuallyHidden } from "../ui/dom.js";
import { placeFacts } from "../ui/describe.js";
import { formatCount } from "../data/format.js";

const L = window.L;

export function iconUrl(settings, stage) {
  return `${settings.iconBase}stage-${stage}.svg`;
}

function placeIcon(settings, feature) {
  const p = feature.properties;
  const html = el("span", { class: "marker-body" },
    el("img", { src: iconUrl(settings, p.stage || "default"), alt: "", width: 16, height: 16 }),
    visuallyHidden(p.name));
  html.style.setProperty("--stage-colour", p.colour || "#444");
  return L.divIcon({
    html, className: "place-marker", iconSize: [28, 28], popupAnchor: [0, -12],
  });
}

function clusterIcon(t, lang) {
  return (cluster) => {
    const n = cluster.getChildCount();
    const size = n < 10 ? 34 : n < 100 ? 40 : 48;
    const html = el("span", { class: "cluster-body" },
      el("span", { "aria-hidden": "true", text: formatCount(n, lang) }),
      visuallyHidden(t.plural("cluster", n)));
    return L.divIcon({ html, className: "cluster-marker", iconSize: [size, size] });
  };
}

export function popupContent(feature, t, lang) {
  const p = feature.properties;
  return el("div", { class: "popup" },
    el("h3", { class: "popup-name", text: p.name }),
    placeFacts(p, lang, t),
    el("p", {}, el("a", { href: p.url, class: "popup-link" }, t("details"),
      el("span", { class: "visually-hidden", text: `: ${p.name}` }))));
}

export function createMarkers(map, { settings, t, lang, onSelect }) {
  const layer = L.markerClusterGroup({
    iconCreateFunction: clusterIcon(t, lang),
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    maxClusterRadius: 50,
    chunkedLoading: true,
  });
  map.addLayer(layer);
  const byId = new Map();
  let selected = null;

  // A class on the marker's element, not a new icon: replacing the element would take the
  // keyboard focus away from it. Leaflet rebuilds the class when clustering re-adds a marker.
  function mark(id) {
    const element = byId.get(id)?.marker.getElement();
    if (element) element.classList.toggle("is-selected", id === selected);
  }

  return {
    layer,
    setFeatures(features) {
      layer.clearLayers();
      byId.clear();
      const markers = [];
      for (const feature of features) {
        if (!feature.geometry) continue;
        const [lon, lat] = feature.geometry.coordinates;
        const marker = L.marker([lat, lon], {
          icon: placeIcon(settings, feature), keyboard: true, riseOnHover: true,
        });
        marker.on("add", () => mark(feature.id));
        marker.bindPopup(() => popupContent(feature, t, lang), { autoPanPadding: [24, 24] });
        marker.on("click", () => onSelect(feature.id, "map"));
        marker.on("keypress", (event) => {
          if (event.originalEvent.key === "Enter") onSelect(feature.id, "map");
        });
        byId.set(feature.id, { marker, feature });
        markers.push(marker);
      }
      layer.addLayers(markers);
    },
    select(id, { open = true } = {}) {
      const previous = selected;
      selected = id;
      if (previous !== null) mark(previous);
      if (id === null) { map.closePopup(); return; }
      mark(id);
      const entry = byId.get(id);
      if (!entry) return;
      if (open) layer.zoomToShowLayer(entry.marker, () => entry.marker.openPopup());
    },
    boundsOf() {
      return layer.getLayers().length ? layer.getBounds() : null;
    },
  };
}
