// The Leaflet map itself: tiles only from the configured server (or none), attributions.
const L = window.L;

export function createMap(container, settings, t) {
  const [w, s, e, n] = settings.serviceArea;
  const map = L.map(container, {
    zoomControl: true,
    keyboard: true,
    maxZoom: settings.tiles.maxZoom,
    minZoom: 3,
    attributionControl: true,
    // Whole zoom levels only: markercluster rounds the zoom, and at a half level its
    // zoomToShowLayer waits for a move that never comes (a selected place never opened).
    zoomSnap: 1,
  });
  map.attributionControl.setPrefix(false);
  if (settings.tiles.enabled) {
    // The attribution is the operator's configured HTML (a link to the licence), not user data.
    L.tileLayer(settings.tiles.url, {
      maxZoom: settings.tiles.maxZoom, attribution: settings.tiles.attribution,
    }).addTo(map);
  }
  map.attributionControl.addAttribution(t("data_attribution_short"));
  map.fitBounds([[s, w], [n, e]]);
  container.setAttribute("aria-label", t("map_label"));
  // Leaflet's own controls get labels in the page's language.
  for (const [selector, key] of [[".leaflet-control-zoom-in", "zoom_in"], [".leaflet-control-zoom-out", "zoom_out"]]) {
    const button = container.querySelector(selector);
    if (button) { button.title = t(key); button.setAttribute("aria-label", t(key)); }
  }
  return map;
}

export function boundsToBbox(bounds) {
  return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
}

// The bounds of GeoJSON point features (those with a location); null for none.
export function boundsOfFeatures(features) {
  const points = features.filter((f) => f.geometry).map((f) => [f.geometry.coordinates[1], f.geometry.coordinates[0]]);
  return points.length ? L.latLngBounds(points) : null;
}
