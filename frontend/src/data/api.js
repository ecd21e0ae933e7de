// The app's own API, and nothing else. Every request can be aborted when it goes stale.

export class ApiError extends Error {
  // ``parameters``: those the problem document names as refused (a 422's).
  constructor(status, detail, parameters = []) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.parameters = parameters;
  }
}

async function getJSON(path, params, signal) {
  const query = params ? `?${params}` : "";
  const response = await fetch(`${path}${query}`, { signal, headers: { Accept: "application/json" } });
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not a problem document */ }
    throw new ApiError(response.status, problem.detail,
      (problem.errors || []).map((e) => e.parameter).filter(Boolean));
  }
  return response.json();
}

// The properties the map, the list and the suggestions show (map/markers.js, ui/describe.js,
// ui/list.js, ui/search.js). Asking for these alone makes a page of places several times smaller
// and cheaper to build than the full property set; the place's own page has everything.
export const SHOWN_PROPERTIES = ["name", "category_name", "stage", "colour", "address", "city",
  "url", "distance_m"];

export function placesQuery(params) {
  const query = new URLSearchParams(params);
  query.set("properties", SHOWN_PROPERTIES.join(","));
  return query;
}

export const places = (params, signal) => getJSON("/api/places", placesQuery(params), signal);
export const categories = (params, signal) => getJSON("/api/categories", params, signal);
export const clusters = (params, signal) => getJSON("/api/clusters", params, signal);
export const place = (id, params, signal) => getJSON(`/api/places/${encodeURIComponent(id)}`, params, signal);
export const gazetteer = (params, signal) => getJSON("/api/gazetteer", params, signal);

export const isAbort = (error) => error && error.name === "AbortError";

// One slot per kind of request: starting a new one aborts the one before, so a slow stale
// answer can never overwrite a newer one. `cancel()` aborts the current one, if any.
export function latest() {
  let controller = null;
  const start = (run) => {
    if (controller) controller.abort();
    controller = new AbortController();
    return run(controller.signal);
  };
  start.cancel = () => {
    if (controller) controller.abort();
    controller = null;
  };
  return start;
}
