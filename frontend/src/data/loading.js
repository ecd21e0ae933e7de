// How the map loads its data, in one place so it can be tuned for big datasets. Pure.
//
// Up to ALL_LIMIT matching places are loaded at once and clustered in the browser; beyond that
// the map asks per viewport: aggregated cells from /api/clusters when zoomed out, the places in
// the box when zoomed in.

export const ALL_LIMIT = 5000;
export const VIEWPORT_LIMIT = 1000;
export const DETAIL_ZOOM = 14; // from this zoom on, single places are drawn in viewport mode
export const DEBOUNCE_MS = 250;

// "all": everything is in hand; "viewport": load per map move.
export function chooseMode(collection) {
  const matched = collection.numberMatched;
  if (matched === undefined || matched === null) {
    return collection.numberReturned < ALL_LIMIT ? "all" : "viewport";
  }
  return matched <= ALL_LIMIT ? "all" : "viewport";
}

// minLon,minLat,maxLon,maxLat of the viewport, clipped to a fixed box (of an embed) if any;
// null when they do not overlap.
export function viewportBbox(bounds, fixedBbox) {
  let [w, s, e, n] = bounds;
  w = Math.max(w, -180); e = Math.min(e, 180); s = Math.max(s, -90); n = Math.min(n, 90);
  if (fixedBbox) {
    w = Math.max(w, fixedBbox[0]); s = Math.max(s, fixedBbox[1]);
    e = Math.min(e, fixedBbox[2]); n = Math.min(n, fixedBbox[3]);
  }
  if (w >= e || s >= n) return null;
  const r = (x) => Number(x.toFixed(5));
  return [r(w), r(s), r(e), r(n)];
}

// Which request a viewport needs: {path, params} to add to the filter params.
export function viewportRequest(zoom, bbox, clustersAvailable) {
  if (zoom < DETAIL_ZOOM && clustersAvailable) {
    return { kind: "clusters", path: "/api/clusters", params: { bbox: bbox.join(","), zoom } };
  }
  return { kind: "places", path: "/api/places", params: { bbox: bbox.join(","), limit: VIEWPORT_LIMIT } };
}
