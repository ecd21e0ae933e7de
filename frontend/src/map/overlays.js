// What the map draws besides places: the centre and radius of a "near" search, and the
// aggregated cells of /api/clusters when a huge dataset is viewed from afar.
import { el, visuallyHidden } from "../ui/dom.js";
import { formatCount } from "../data/format.js";

const L = window.L;

export function createNearOverlay(map) {
  const layer = L.layerGroup().addTo(map);
  return {
    set(near, radius) {
      layer.clearLayers();
      if (!near) return;
      const centre = [near.lat, near.lon];
      L.circleMarker(centre, { radius: 7, color: "#111", weight: 3, fillColor: "#fff",
        fillOpacity: 1, interactive: false }).addTo(layer);
      if (radius) {
        L.circle(centre, { radius, color: "#111", weight: 2, dashArray: "6 6", fill: false,
          interactive: false }).addTo(layer);
      }
    },
    bounds(near, radius) {
      return near && radius ? L.latLng(near.lat, near.lon).toBounds(radius * 2) : null;
    },
  };
}

export function createCells(map, { t, lang }) {
  const layer = L.layerGroup().addTo(map);
  return {
    set(features) {
      layer.clearLayers();
      for (const cell of features) {
        const n = cell.properties.count;
        const [lon, lat] = cell.geometry.coordinates;
        const size = n < 100 ? 40 : n < 1000 ? 48 : 56;
        const html = el("span", { class: "cluster-body" },
          el("span", { "aria-hidden": "true", text: formatCount(n, lang) }),
          visuallyHidden(t.plural("cluster", n)));
        const marker = L.marker([lat, lon], {
          icon: L.divIcon({ html, className: "cluster-marker", iconSize: [size, size] }), keyboard: true,
        });
        const [w, s, e, nn] = cell.properties.bbox;
        const zoomIn = () => map.fitBounds([[s, w], [nn, e]], { maxZoom: map.getZoom() + 3 });
        marker.on("click", zoomIn);
        marker.on("keypress", (event) => { if (event.originalEvent.key === "Enter") zoomIn(); });
        layer.addLayer(marker);
      }
    },
    clear() { layer.clearLayers(); },
  };
}
