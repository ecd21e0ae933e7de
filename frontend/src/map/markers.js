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
  // The place whose popup is open. Drawing the places anew (a map loaded per viewport does after
  // every move, a popup's autopan included) or a zoom can put its marker into a cluster, which
  // closes the popup: it opens again after each drawing (reopen), until the person closes it.
  let openId = null;
  const loose = L.popup({ autoPan: false }); // for an open place whose marker is in a cluster
  const forget = () => { openId = null; };
  map.on("click", forget);
  map.getContainer().addEventListener("keydown", (event) => { if (event.key === "Escape") forget(); });
  map.getContainer().addEventListener("click", (event) => {
    if (event.target.closest(".leaflet-popup-close-button")) forget();
  }, true);

  function reopen() {
    const entry = openId === null ? undefined : byId.get(openId);
    if (!entry) {
      openId = null;
      loose.close();
      return;
    }
    if (entry.marker.isPopupOpen()) return;
    if (layer.getVisibleParent(entry.marker) === entry.marker) {
      entry.marker.openPopup();
    } else {
      loose.setLatLng(entry.marker.getLatLng()).setContent(popupContent(entry.feature, t, lang)).openOn(map);
    }
  }
  // A zoom clusters the markers anew once its animation has ended.
  layer.on("animationend", reopen);

  // A class on the marker's element, not a new icon: replacing the element would take the
  // keyboard focus away from it. Leaflet rebuilds the class when clustering re-adds a marker.
  function mark(id) {
    const element = byId.get(id)?.marker.getElement();
    if (element) element.classList.toggle("is-selected", id === selected);
  }

  return {
    layer,
    // Markers of places drawn before and unchanged stay: a map loaded per viewport draws the
    // places anew after every move, and the move a popup's autopan makes closed the popup a
    // moment after it opened (and took the keyboard focus from the marker).
    setFeatures(features) {
      const wanted = new Map();
      for (const feature of features) {
        if (feature.geometry) wanted.set(feature.id, feature);
      }
      const gone = [];
      for (const [id, entry] of byId) {
        const feature = wanted.get(id);
        if (feature && JSON.stringify(feature) === JSON.stringify(entry.feature)) {
          wanted.delete(id);
        } else {
          gone.push(entry.marker);
          byId.delete(id);
        }
      }
      layer.removeLayers(gone);
      const markers = [];
      for (const feature of wanted.values()) {
        const [lon, lat] = feature.geometry.coordinates;
        const marker = L.marker([lat, lon], {
          icon: placeIcon(settings, feature), keyboard: true, riseOnHover: true,
        });
        marker.on("add", () => mark(feature.id));
        marker.bindPopup(() => popupContent(feature, t, lang), { autoPanPadding: [24, 24] });
        marker.on("popupopen", () => { openId = feature.id; });
        marker.on("click", () => onSelect(feature.id, "map"));
        marker.on("keypress", (event) => {
          if (event.originalEvent.key === "Enter") onSelect(feature.id, "map");
        });
        byId.set(feature.id, { marker, feature });
        markers.push(marker);
      }
      layer.addLayers(markers);
      reopen();
    },
    // Whether the place is among the markers (or none is to be selected).
    select(id, { open = true } = {}) {
      if (id !== openId) openId = null; // another place's popup is not to open again
      const previous = selected;
      selected = id;
      if (previous !== null) mark(previous);
      if (id === null) { map.closePopup(); return true; }
      mark(id);
      const entry = byId.get(id);
      if (!entry) return false;
      if (open) layer.zoomToShowLayer(entry.marker, () => entry.marker.openPopup());
      return true;
    },
    boundsOf() {
      return layer.getLayers().length ? layer.getBounds() : null;
    },
  };
}
