// The map page: wires state, API, map and interface together. Settings come from the page's
// data-settings attribute (no inline script).
import * as api from "./data/api.js";
import { filterParams, withParams } from "./data/query.js";
import {
  ALL_LIMIT, DEBOUNCE_MS, FIRST_LIMIT, PLACE_ZOOM, VIEWPORT_LIMIT, cellsRequest, chooseMode,
  isPartial, viewportBbox, viewportRequest,
} from "./data/loading.js";
import { emptyState, sameQuery, searchFromState, stateFromSearch } from "./data/urlstate.js";
import { boundsOfFeatures, boundsToBbox, createMap } from "./map/basemap.js";
import { createMarkers } from "./map/markers.js";
import { addLegend } from "./map/legend.js";
import { createCells, createNearOverlay } from "./map/overlays.js";
import { announcer } from "./ui/announcer.js";
import { createFilters } from "./ui/filters.js";
import { translator } from "./ui/i18n.js";
import { createList } from "./ui/list.js";
import { createNear } from "./ui/near.js";
import { createSearch } from "./ui/search.js";

const root = document.querySelector("[data-settings]");
const settings = JSON.parse(root.dataset.settings);
const { lang } = settings;
const fixed = settings.fixed || {};
const t = translator(settings.messages, lang);
const embed = settings.mode === "embed";
const $ = (selector) => root.querySelector(selector);

if (settings.accent) document.documentElement.style.setProperty("--accent", settings.accent);

// In an embed the filters are the server-checked settings.fixed; the URL supplies only the view
// and the selected place, so a parameter the server dropped cannot break the map.
function readUrlState() {
  const parsed = stateFromSearch(window.location.search);
  return embed ? { ...parsed, categories: [], targetGroups: [], languages: [], municipalities: [], q: "" } : parsed;
}

let state = readUrlState();
let mode = "all";
let clustersAvailable = true;
let fitPending = !state.view && (embed ? settings.fit !== false : true);
const announce = announcer($("#announcer"));
const countLine = $("#result-count");
// Over a directory loaded per viewport the list holds the first places in view only; the
// server's list pages through all of them (the list is the map's alternative, also for
// those who cannot use the map), under the filters and in the view of the moment it is followed.
const listAll = $("#list-all");

const map = createMap($("#map"), settings, t);

// minLon,minLat,maxLon,maxLat of what the map shows (of an embed: within its fixed box); null
// when nothing of it is to be shown.
function viewBbox() {
  return viewportBbox(boundsToBbox(map.getBounds()), fixed.bbox);
}

listAll?.addEventListener("click", () => {
  const bbox = viewBbox();
  const params = withParams(filterParams(state, fixed, lang), { bbox: bbox ? bbox.join(",") : null });
  listAll.href = `/liste?${params}`;
});
// Not animated: an animation ends in a moveend a quarter second later, which asked for the
// view's cells a second time when the first answers had come quicker than that.
if (state.view) map.setView([state.view.lat, state.view.lon], state.view.zoom, { animate: false });
const markers = createMarkers(map, { settings, t, lang, onSelect: (id, from) => select(id, from) });
const cells = createCells(map, { t, lang });
const nearOverlay = createNearOverlay(map);
const legend = settings.legend !== false ? addLegend(map, { settings, t }) : null;
const list = $("#results") ? createList($("#results"), { t, lang, onSelect: (id, from) => select(id, from) }) : null;
const filters = $("#filters") ? createFilters($("#filters"), {
  t, lang, targetGroups: settings.targetGroups, languages: settings.languages, onChange: (patch) => update(patch),
}) : null;
const search = $("#search-form") ? createSearch($("#search-form"), {
  t,
  suggestParams: (q) => withParams(filterParams({ ...state, q, near: null }, fixed, lang), {}),
  onSearch: (q) => update({ q, selected: null }),
  onPick: (q, feature) => update({ q, selected: feature.id }),
}) : null;
const near = $("#near") ? createNear($("#near"), {
  t, lang, announce, onNear: (patch) => { fitPending = true; update({ ...patch, selected: null }); },
}) : null;

// What an embed's own state adds to its URL. Its filters are its configuration (settings.fixed,
// with list, legend, accent …) and stay in the URL as given, so a reload of the iframe keeps them.
const EMBED_STATE_KEYS = ["near", "near_label", "radius", "map", "place"];

function searchOf(current) {
  const here = new URLSearchParams(window.location.search);
  if (!embed) return searchFromState(current, { lang: here.get("lang") });
  for (const key of EMBED_STATE_KEYS) here.delete(key);
  for (const [key, value] of new URLSearchParams(searchFromState(current))) here.append(key, value);
  const text = here.toString();
  return text ? `?${text}` : "";
}

function writeUrl(push, current = state) {
  const search = searchOf(current);
  if (search === window.location.search) return;
  const url = `${window.location.pathname}${search}`;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

function syncControls() {
  filters?.set(state);
  search?.set(state.q);
  near?.set(state);
  nearOverlay.set(state.near, state.radius);
}

// Whether the person changed the filters since the last load (not a link, not the back button).
let filtersChanged = false;

function update(patch, { push = true } = {}) {
  const before = state;
  // The entry the person leaves keeps the view it showed, for the back button: a link without
  // one came back over the whole country where the map had gone meanwhile.
  if (push && !before.view) writeUrl(false, { ...before, view: currentView() });
  state = { ...state, ...patch };
  writeUrl(push);
  syncControls();
  if (!sameQuery(before, state)) {
    filtersChanged = true;
    load();
  }
  else if (patch.selected !== undefined) select(state.selected, "url");
}

// A load that takes longer than this says so in the count line, where the old count stood over
// the unchanged map until the answer came: over a national directory a search's cells take a
// second or more. Shorter loads do not flash the notice.
const LOADING_NOTICE_MS = 400;
let loadingNotice = null;

function noticeIfSlow() {
  clearTimeout(loadingNotice);
  loadingNotice = setTimeout(() => { countLine.textContent = t("loading"); }, LOADING_NOTICE_MS);
}

// Said with the next count, once: a filter of the link was left out (leaveOutRefused).
let leftOut = false;

function announceCount(shown, total) {
  clearTimeout(loadingNotice);
  let text = total === null || total === undefined || total === shown
    ? t.plural("count", shown)
    : t("count_partial", { shown: shown.toLocaleString(lang), n: total.toLocaleString(lang) });
  if (leftOut) text = `${text}. ${t("filter_left_out")}`;
  leftOut = false;
  countLine.textContent = text;
  announce(text);
}

function showPlaces(collection, { final = true } = {}) {
  markers.setFeatures(collection.features);
  list?.show(collection.features);
  if (final) announceCount(collection.features.length, collection.numberMatched);
  if (listAll) listAll.parentElement.hidden = true;
}

const runPlaces = api.latest();
const runFacets = api.latest();
const runViewport = api.latest();
const runViewportList = api.latest();
let moveTimer = null; // a map move's viewport load, waiting for the move to settle
let early = null; // { key, answer }: the view's cells or places, asked with the first page (askEarly)
let loads = 0; // load() calls so far: only the latest one ends the page's busy state
// Whether the whole directory (an embed's: under its fixed filters) fits in the browser, as a
// load without filters found: every filter narrows it, so no load needs the view's data, and
// asking for it early (askEarly) would only be dropped again.
let fitsInBrowser = false;

function failed(error) {
  if (api.isAbort(error)) return; // a newer load took over, notice and all
  clearTimeout(loadingNotice);
  countLine.textContent = t("error");
  announce(t("error"));
}

// What each filter the server may refuse is, left out.
const WITHOUT = {
  category: { categories: [] }, target_group: { targetGroups: [] }, language: { languages: [] },
  municipality: { municipalities: [] }, q: { q: "" }, near: { near: null, nearLabel: "", radius: null },
  radius: { radius: null },
};

// A link may carry a filter the server refuses (a category renamed since, a radius beyond what it
// allows, typed by hand): the whole page said it could not load. The filter is left out instead,
// the page says so, and loads again. True when it did.
function leaveOutRefused(error) {
  if (!(error instanceof api.ApiError) || error.status !== 422) return false;
  const patch = Object.assign({}, ...error.parameters.map((name) => WITHOUT[name]).filter(Boolean));
  if (!Object.keys(patch).length) return false;
  leftOut = true;
  update(patch, { push: false });
  return true;
}

async function load() {
  // What the view was still waiting for was asked under the old filters: a late answer must
  // not replace the new results (slow cells over a large area took up to a second).
  clearTimeout(moveTimer);
  runViewport.cancel();
  runViewportList.cancel();
  const current = ++loads;
  const changed = filtersChanged;
  filtersChanged = false;
  noticeIfSlow();
  const params = filterParams(state, fixed, lang);
  const filtered = !sameQuery(state, emptyState()) || Object.keys(fixed).length > 0;
  // A load that fits the map to its places (near a point; a link or an embed with filters and
  // no view) asks for the view once it is there: the service area's cells, asked early, would
  // be dropped after competing with the first page (Berlin's embed over a national directory).
  const fitting = fitPending && (state.near || filtered);
  early = state.near || fitting || fitsInBrowser ? null : askEarly();
  if (filters || legend) {
    runFacets((signal) => api.categories(params, signal)).then((tree) => {
      filters?.setTree(tree);
      legend?.setStages(tree.stages);
    }, (error) => {
      // The first page, asked with the same filters, leaves out what the server refuses.
      if (!(error instanceof api.ApiError && error.status === 422)) failed(error);
    });
  }
  root.setAttribute("aria-busy", "true");
  try {
    // The first page draws at once and tells how many there are (see data/loading.js).
    const first = await runPlaces((signal) => api.places(withParams(params, { limit: FIRST_LIMIT }), signal));
    const next = chooseMode(first);
    mode = next === "viewport" ? "viewport" : "all";
    if (mode === "all" && sameQuery(state, emptyState())) fitsInBrowser = true;
    if (next !== "viewport" && early) {
      early = null;
      runViewport.cancel();
    }
    if (next === "viewport") {
      // The map goes to the places found near a point, and to those of a link or an embed
      // without a view, as a smaller directory's map fits itself to all its places; after the
      // person changes the filters, only when the view holds none of their places. It stayed
      // where it was, listing the places in view within the radius (often none), or saying "No
      // places found" for a municipality's embed with 124,000 places elsewhere. Without
      // filters the configured service area stays.
      if (fitting) goTo(first.features);
      else fitPending = false; // the service area stays; a later search is the person's own
      const follow = changed && filtered && first.features.length > 0;
      if (!await loadViewport({ onlyIfFound: follow })) {
        goTo(first.features);
        await loadViewport();
      }
      if (state.selected !== null) select(state.selected, "url");
    } else {
      cells.clear();
      let shown = first;
      showPlaces(first, { final: next === "done" });
      if (next === "all") {
        shown = await runPlaces((signal) => api.places(withParams(params, { limit: ALL_LIMIT }), signal));
        showPlaces(shown);
      }
      // As per viewport: the person's filter moves the map when the view holds none of its places.
      if (changed && !holdsAny(shown.features)) fitPending = true;
      fitToResults();
      if (state.selected !== null) select(state.selected, "url");
    }
    root.dataset.ready = "true";
  } catch (error) {
    if (!leaveOutRefused(error)) failed(error);
  } finally {
    // A load that a newer one cancelled ends first; the page is still busy with the newer one.
    if (current === loads) root.removeAttribute("aria-busy");
  }
}

// A large directory is shown per viewport, and what the view needs used to be asked for only
// once the first page had told how many places there are: a round trip more before the map
// showed anything (a tenth of a second over a million places). So the view's cells (from afar)
// or places (up close) are asked for together with the first page; when that page says the
// places fit in the browser, the answer is dropped (for a small directory a few rows).
function askEarly() {
  const bbox = viewBbox();
  if (!bbox) return null;
  const request = viewportRequest(map.getZoom(), bbox, clustersAvailable);
  const params = withParams(filterParams(state, fixed, lang), request.params);
  const answer = runViewport((signal) => fetchView(request.kind, params, signal));
  answer.catch(() => {}); // reported where it is awaited, if it is
  return { key: `${request.kind} ${params}`, answer };
}

function fetchView(kind, params, signal) {
  return kind === "clusters" ? api.clusters(params, signal) : api.places(params, signal);
}

// The view's cells or places: the early answer if it was asked for the same, else a new ask.
function askView(kind, params) {
  const asked = early;
  early = null;
  if (asked && asked.key === `${kind} ${params}`) return asked.answer;
  return runViewport((signal) => fetchView(kind, params, signal));
}

// Unanimated, so that the view loaded next is the new one; the move's own delayed load would
// only ask for it again.
function goTo(features) {
  fitPending = true;
  fitToResults(features, { animate: false });
  clearTimeout(moveTimer);
}

// Viewport mode: only what is in view, as cells from afar and as places up close. From afar the
// list shows the first places in view, asked for at the same time as the cells. False, with
// nothing drawn, when ``onlyIfFound`` and the view holds no matching place.
async function loadViewport({ onlyIfFound = false } = {}) {
  const bbox = viewBbox();
  if (!bbox) {
    if (onlyIfFound) return false;
    showPlaces({ features: [], numberMatched: 0 });
    return true;
  }
  const request = viewportRequest(map.getZoom(), bbox, clustersAvailable);
  const base = filterParams(state, fixed, lang);
  const params = withParams(base, request.params);
  const showCells = async (cellParams) => {
    const listParams = withParams(base, { bbox: bbox.join(","), limit: FIRST_LIMIT });
    const cellsAnswer = askView("clusters", cellParams);
    const listAnswer = runViewportList((signal) => api.places(listParams, signal));
    listAnswer.catch(() => {}); // reported where it is awaited below, not as unhandled meanwhile
    // The cells are drawn as soon as they are there: with a filter over a large area the list's
    // first places can take longer to find than the counts of the aggregates.
    const answer = await cellsAnswer;
    if (onlyIfFound && !answer.features.length) {
      runViewportList.cancel();
      return false;
    }
    markers.setFeatures([]);
    cells.set(answer.features);
    const firstPlaces = await listAnswer;
    list?.show(firstPlaces.features);
    // The list's own total where the server counted it: the cells' sum also holds the places
    // of cells reaching out of the view ("The first 28 of 38" listed all 28 in view).
    announceCount(firstPlaces.features.length, firstPlaces.numberMatched ?? answer.numberMatched);
    if (listAll) listAll.parentElement.hidden = !isPartial(firstPlaces, FIRST_LIMIT);
    return true;
  };
  try {
    if (request.kind === "clusters") return await showCells(params);
    const answer = await askView("places", params);
    if (clustersAvailable && isPartial(answer, VIEWPORT_LIMIT)) {
      // More places in view than one answer carries (a dense city): cells at this zoom keep
      // the map truthful instead of drawing an arbitrary part of the places.
      return await showCells(withParams(base, cellsRequest(map.getZoom(), bbox).params));
    }
    if (onlyIfFound && !answer.features.length) return false;
    cells.clear();
    showPlaces(answer);
    openWaiting();
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 404 && request.kind === "clusters") {
      clustersAvailable = false;
      return loadViewport({ onlyIfFound });
    }
    failed(error);
  }
  return true;
}

function holdsAny(features) {
  const bounds = map.getBounds();
  return features.some((f) => f.geometry && bounds.contains([f.geometry.coordinates[1], f.geometry.coordinates[0]]));
}

// Once per link or chosen point (fitPending): the radius's circle, else the places found (those
// on the map, or ``features``: the nearest places of a directory loaded per viewport).
function fitToResults(features = null, { animate = true } = {}) {
  if (!fitPending) return;
  fitPending = false;
  const bounds = nearOverlay.bounds(state.near, state.radius)
    || (features ? boundsOfFeatures(features) : markers.boundsOf());
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15, animate });
}

function select(id, from) {
  if (from !== "url" && id !== state.selected) {
    state = { ...state, selected: id };
    writeUrl(true);
  }
  const onMap = markers.select(id, { open: from !== "map" });
  list?.select(id, { scroll: from !== "list" });
  if (!onMap && mode === "viewport") goToPlace(id);
}

// In a directory loaded per viewport a place chosen in the list (or in a link) may lie in a
// cell or out of view, and "show on the map" did nothing. The map goes to it, close enough for
// single places, and opens it when the view's places are drawn (openWaiting).
const runPlace = api.latest();
let waiting = null; // the place to open once it is on the map

function goToPlace(id) {
  waiting = id;
  runPlace((signal) => api.place(id, new URLSearchParams({ lang }), signal)).then((feature) => {
    if (waiting !== id || !feature.geometry) return;
    const [lon, lat] = feature.geometry.coordinates;
    map.setView([lat, lon], Math.max(map.getZoom(), PLACE_ZOOM), { animate: false });
  }, (error) => {
    if (waiting === id) waiting = null; // not a later choice's
    if (!(error instanceof api.ApiError && error.status === 404)) failed(error);
  });
}

function openWaiting() {
  if (waiting === null) return;
  if (waiting === state.selected && markers.select(waiting)) list?.select(waiting);
  waiting = null;
}

function currentView() {
  const centre = map.getCenter();
  return { zoom: map.getZoom(), lat: centre.lat, lon: centre.lng };
}

map.on("moveend", () => {
  state = { ...state, view: currentView() };
  writeUrl(false);
  if (mode === "viewport") {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(() => {
      noticeIfSlow();
      loadViewport().catch(failed);
    }, DEBOUNCE_MS);
  }
});

window.addEventListener("popstate", () => {
  const before = state;
  state = readUrlState();
  syncControls();
  if (state.view) map.setView([state.view.lat, state.view.lon], state.view.zoom, { animate: false });
  if (!sameQuery(before, state)) load();
  else select(state.selected, "url");
});

syncControls();
load();
