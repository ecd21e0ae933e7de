// How the map loads its data, in one place so it can be tuned for big datasets. Pure.
//
// The first request asks for FIRST_LIMIT places: enough for the list's first screen and, in a
// district, often everything. Its numberMatched decides the rest: up to ALL_LIMIT matching places
// are then loaded at once and clustered in the browser; beyond that the map asks per viewport:
// aggregated cells from /api/clusters when zoomed out, the places in the box when zoomed in.
// So a huge dataset never costs a download of ALL_LIMIT places only to learn that it is huge.
// (The server counts the whole directory and categories exactly; other filters only up to 1,000
// for a first page, so above that they go per viewport.)
//
// Up close the map draws single places, unless more than VIEWPORT_LIMIT are in view (only a very
// dense city): then it keeps showing cells, at the zoom of the view.
//
// ALL_LIMIT is where clustering in the browser stops being smooth: bench/frontend_timing.py
// measured 1.2 s of long tasks while panning and zooming with ~3,900 markers on a busy 2-core
// machine, against 0.1 s with server cells.

export const FIRST_LIMIT = 100;
export const ALL_LIMIT = 2000;
export const VIEWPORT_LIMIT = 1000;
export const DETAIL_ZOOM = 14; // from this zoom on, single places are drawn in viewport mode
// A place shown on the map from the list, in viewport mode: close enough that even a dense
// city centre has fewer than VIEWPORT_LIMIT places in view (central Berlin among a million
// synthetic places: ~100 at zoom 16, ~1,500 at zoom 14).
export const PLACE_ZOOM = 16;
export const DEBOUNCE_MS = 250;

// After the first page (asked with `limit`): "done" when it holds every match, "all" when the
// rest fits in the browser, "viewport" to load per map move. numberMatched may be left out for
// huge matches; a full page then means "more".
export function chooseMode(collection, limit = FIRST_LIMIT) {
  const matched = collection.numberMatched;
  if (matched === undefined || matched === null) {
    return collection.numberReturned < limit ? "done" : "viewport";
  }
  if (matched <= collection.numberReturned) return "done";
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

// Which request a viewport needs: {path, params} to add to the filter params. The map zooms in
// half steps; the grid exists for whole zoom levels, and the coarser one keeps cells apart.
// Cells carry no names, so /api/clusters takes no lang (null removes it from the filter params).
export function cellsRequest(zoom, bbox) {
  return { kind: "clusters", path: "/api/clusters",
    params: { bbox: bbox.join(","), zoom: Math.floor(zoom), lang: null } };
}

export function viewportRequest(zoom, bbox, clustersAvailable) {
  if (zoom < DETAIL_ZOOM && clustersAvailable) return cellsRequest(zoom, bbox);
  return { kind: "places", path: "/api/places", params: { bbox: bbox.join(","), limit: VIEWPORT_LIMIT } };
}

// Whether a page asked with `limit` leaves matching places out (numberMatched may be missing for
// huge matches; a full page then means "more").
export function isPartial(collection, limit) {
  const matched = collection.numberMatched;
  if (matched === undefined || matched === null) return collection.numberReturned >= limit;
  return matched > collection.numberReturned;
}
