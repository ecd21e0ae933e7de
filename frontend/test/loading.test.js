import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ALL_LIMIT, DETAIL_ZOOM, FIRST_LIMIT, cellsRequest, chooseMode, isPartial, viewportBbox, viewportRequest,
} from "../src/data/loading.js";
import { filterParams, withParams } from "../src/data/query.js";
import { emptyState } from "../src/data/urlstate.js";

test("the first page decides: done, the rest at once, or per viewport", () => {
  assert.equal(chooseMode({ numberMatched: 87, numberReturned: 87 }), "done");
  assert.equal(chooseMode({ numberMatched: 0, numberReturned: 0 }), "done");
  assert.equal(chooseMode({ numberMatched: ALL_LIMIT, numberReturned: FIRST_LIMIT }), "all");
  assert.equal(chooseMode({ numberMatched: ALL_LIMIT + 1, numberReturned: FIRST_LIMIT }), "viewport");
  // numberMatched may be left out for huge matches; a full page then means "more".
  assert.equal(chooseMode({ numberReturned: FIRST_LIMIT }), "viewport");
  assert.equal(chooseMode({ numberReturned: 12 }), "done");
});

test("the viewport is clipped to an embed's fixed box and to the world", () => {
  assert.deepEqual(viewportBbox([-200, 40, 20, 60], null), [-180, 40, 20, 60]);
  assert.deepEqual(viewportBbox([9, 50, 10, 51], [9.5, 50.2, 12, 52]), [9.5, 50.2, 10, 51]);
  assert.equal(viewportBbox([0, 0, 1, 1], [5, 5, 6, 6]), null);
});

test("zoomed out asks for clusters when the server has them, zoomed in for places", () => {
  const bbox = [9, 50, 10, 51];
  assert.equal(viewportRequest(DETAIL_ZOOM - 1, bbox, true).kind, "clusters");
  assert.equal(viewportRequest(DETAIL_ZOOM - 1, bbox, false).kind, "places");
  assert.equal(viewportRequest(DETAIL_ZOOM, bbox, true).kind, "places");
});

test("the grid is asked for at a whole zoom level, though the map zooms in half steps", () => {
  assert.equal(viewportRequest(9.5, [9, 50, 10, 51], true).params.zoom, 9);
  assert.equal(viewportRequest(DETAIL_ZOOM - 0.5, [9, 50, 10, 51], true).kind, "clusters");
});

test("cells are asked for without a language, which /api/clusters does not take", () => {
  const base = filterParams(emptyState(), {}, "uk");
  const cells = withParams(base, viewportRequest(9, [9, 50, 10, 51], true).params);
  assert.equal(cells.has("lang"), false);
  const places = withParams(base, viewportRequest(DETAIL_ZOOM, [9, 50, 10, 51], true).params);
  assert.equal(places.get("lang"), "uk");
});

test("an embed's fixed filters apply, and a person's categories narrow them", () => {
  const fixed = { category: ["schule"], municipality: ["Hünfeld"], q: "Grund" };
  const params = filterParams({ ...emptyState(), q: "Mack" }, fixed, "en");
  assert.deepEqual(params.getAll("category"), ["schule"]);
  assert.deepEqual(params.getAll("municipality"), ["Hünfeld"]);
  assert.equal(params.get("q"), "Grund Mack");
  assert.equal(params.get("lang"), "en");
  const own = filterParams({ ...emptyState(), categories: ["grundschule"] }, fixed, "de");
  assert.deepEqual(own.getAll("category"), ["grundschule"]);
});

test("the full map's municipalities from the URL are asked for", () => {
  const state = { ...emptyState(), municipalities: ["Hünfeld", "06631009"] };
  assert.deepEqual(filterParams(state, {}, "de").getAll("municipality"), ["Hünfeld", "06631009"]);
  assert.deepEqual(filterParams(state, { municipality: ["Fulda"] }).getAll("municipality"), ["Fulda"]);
});

test("a radius is only sent with its centre", () => {
  const params = filterParams({ ...emptyState(), near: { lon: 9.6, lat: 50.5 }, radius: 2000 });
  assert.equal(params.get("near"), "9.6,50.5");
  assert.equal(params.get("radius"), "2000");
  assert.equal(filterParams({ ...emptyState(), radius: 2000 }).get("radius"), null);
});

test("a viewport page that leaves places out is partial; the map then keeps cells", () => {
  assert.equal(isPartial({ numberMatched: 1000, numberReturned: 1000 }, 1000), false);
  assert.equal(isPartial({ numberMatched: 4711, numberReturned: 1000 }, 1000), true);
  assert.equal(isPartial({ numberReturned: 1000 }, 1000), true);
  assert.equal(isPartial({ numberReturned: 999 }, 1000), false);
  assert.deepEqual(cellsRequest(15.5, [13.3, 52.5, 13.4, 52.55]).params,
    { bbox: "13.3,52.5,13.4,52.55", zoom: 15, lang: null });
});
