// The view a person sees, as a query string and back: filters, search, nearness, map view and
// the selected place. Pure (no DOM, no Leaflet) so it can be tested with node --test.

export const RADII = [1000, 2000, 5000, 10000, 25000];

export function emptyState() {
  return {
    categories: [], targetGroups: [], languages: [], municipalities: [], q: "", near: null,
    nearLabel: "", radius: null, view: null, selected: null,
  };
}

function number(text) {
  if (text === null || text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function parsePoint(text) {
  const parts = (text || "").split(",").map(number);
  if (parts.length !== 2 || parts.some((p) => p === null)) return null;
  const [lon, lat] = parts;
  return Math.abs(lon) <= 180 && Math.abs(lat) <= 90 ? { lon, lat } : null;
}

// "zoom/lat/lon" like openstreetmap.org's #map= so people recognise it.
function parseView(text) {
  const parts = (text || "").split("/").map(number);
  if (parts.length !== 3 || parts.some((p) => p === null)) return null;
  const [zoom, lat, lon] = parts;
  if (zoom < 0 || zoom > 22 || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { zoom, lat, lon };
}

const SLUG = /^[a-z0-9-]{1,64}$/;
const MAX_MUNICIPALITY = 100;

// A municipality is a name or an AGS key, as /api/places takes it; the server decides whether it
// matches, so anything short and not blank is passed on.
function parseMunicipalities(values) {
  const names = values.map((v) => v.trim()).filter((v) => v && v.length <= MAX_MUNICIPALITY);
  return [...new Set(names)];
}

export function stateFromSearch(search) {
  const params = new URLSearchParams(search);
  const state = emptyState();
  state.categories = [...new Set(params.getAll("category").filter((s) => SLUG.test(s)))];
  state.targetGroups = [...new Set(params.getAll("target_group").filter((s) => SLUG.test(s)))];
  state.languages = [...new Set(params.getAll("language").filter((s) => SLUG.test(s)))];
  state.municipalities = parseMunicipalities(params.getAll("municipality"));
  state.q = (params.get("q") || "").slice(0, 200);
  state.near = parsePoint(params.get("near"));
  if (state.near) {
    state.nearLabel = (params.get("near_label") || "").slice(0, 200);
    const radius = number(params.get("radius"));
    state.radius = radius !== null && radius > 0 ? radius : null;
  }
  state.view = parseView(params.get("map"));
  const selected = number(params.get("place"));
  state.selected = selected !== null && Number.isInteger(selected) && selected > 0 ? selected : null;
  return state;
}

const round = (value, digits) => Number(value.toFixed(digits));

export function searchFromState(state, extra = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
  for (const slug of state.categories) params.append("category", slug);
  for (const slug of state.targetGroups) params.append("target_group", slug);
  for (const code of state.languages) params.append("language", code);
  for (const name of state.municipalities) params.append("municipality", name);
  if (state.q) params.set("q", state.q);
  if (state.near) {
    params.set("near", `${round(state.near.lon, 5)},${round(state.near.lat, 5)}`);
    if (state.nearLabel) params.set("near_label", state.nearLabel);
    if (state.radius) params.set("radius", String(state.radius));
  }
  if (state.view) {
    const { zoom, lat, lon } = state.view;
    params.set("map", `${zoom}/${round(lat, 5)}/${round(lon, 5)}`);
  }
  if (state.selected) params.set("place", String(state.selected));
  const text = params.toString();
  return text ? `?${text}` : "";
}

// Whether two states ask the server for different results (view and selection do not).
export function sameQuery(a, b) {
  const key = (s) => JSON.stringify([s.categories, s.targetGroups, s.languages, s.municipalities,
    s.q, s.near, s.radius]);
  return key(a) === key(b);
}
