// The small map on a place's own page: one marker, no interaction beyond the page scroll.
// Settings come from the element's data-settings attribute (no inline script). Without
// JavaScript the element stays empty and hidden; the page shows coordinates and links instead.
const L = window.L;

function showPlaceMap(container) {
  const settings = JSON.parse(container.dataset.settings);
  const centre = [settings.lat, settings.lon];
  const map = L.map(container, {
    zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
    boxZoom: false, keyboard: false, touchZoom: false, tap: false,
    attributionControl: settings.tiles.enabled,
  });
  if (settings.tiles.enabled) {
    map.attributionControl.setPrefix(false);
    // The attribution is the operator's configured HTML (a link to the licence), not user data.
    L.tileLayer(settings.tiles.url, {
      maxZoom: settings.tiles.maxZoom, attribution: settings.tiles.attribution,
    }).addTo(map);
  }
  // A vector circle needs no marker image; its title is set as text, never as HTML.
  L.circleMarker(centre, { radius: 9, color: "#1d4ed8", weight: 3, fillOpacity: 0.6,
    interactive: false }).addTo(map);
  map.setView(centre, Math.min(16, settings.tiles.maxZoom));
}

const container = document.getElementById("place-map");
if (container && L) showPlaceMap(container);
