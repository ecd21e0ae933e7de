import { test } from "node:test";
import assert from "node:assert/strict";
import { emptyState, sameQuery, searchFromState, stateFromSearch } from "../src/data/urlstate.js";

test("a full state survives the round trip through the query string", () => {
  const state = {
    ...emptyState(), categories: ["grundschule", "foerderschule"], targetGroups: ["kinder"],
    languages: ["uk", "ar"],
    q: "Hünfeld & Söhne", near: { lon: 9.6716, lat: 50.5547 }, nearLabel: "36037 Fulda",
    radius: 5000, view: { zoom: 12, lat: 50.55, lon: 9.68 }, selected: 17,
  };
  assert.deepEqual(stateFromSearch(searchFromState(state)), state);
});

test("the empty state is the bare page", () => {
  assert.equal(searchFromState(emptyState()), "");
  assert.deepEqual(stateFromSearch(""), emptyState());
});

test("repeated categories use the API's own parameter names", () => {
  const search = searchFromState({ ...emptyState(), categories: ["kita", "schule"] });
  assert.equal(search, "?category=kita&category=schule");
});

test("nonsense in a shared link is dropped, not trusted", () => {
  const state = stateFromSearch("?near=500,1&radius=-3&map=99/1/1&place=abc&category=<b>");
  assert.equal(state.near, null);
  assert.equal(state.radius, null);
  assert.equal(state.view, null);
  assert.equal(state.selected, null);
  assert.deepEqual(state.categories, []);
});

test("a radius without a centre means nothing", () => {
  assert.equal(stateFromSearch("?radius=5000").radius, null);
});

test("coordinates are shortened to about a metre", () => {
  const search = searchFromState({ ...emptyState(), view: { zoom: 10, lat: 50.123456789, lon: 9.987654321 } });
  assert.equal(new URLSearchParams(search).get("map"), "10/50.12346/9.98765");
});

test("moving the map or selecting a place does not change the query", () => {
  const a = stateFromSearch("?category=kita&q=x");
  const b = { ...a, view: { zoom: 3, lat: 1, lon: 2 }, selected: 4 };
  assert.ok(sameQuery(a, b));
  assert.ok(!sameQuery(a, { ...a, q: "y" }));
});

test("municipalities, by name or key, survive the round trip and change the query", () => {
  const state = { ...emptyState(), municipalities: ["Hünfeld", "06631009"], categories: ["kita"] };
  const search = searchFromState(state);
  assert.deepEqual(new URLSearchParams(search).getAll("municipality"), ["Hünfeld", "06631009"]);
  assert.deepEqual(stateFromSearch(search), state);
  assert.ok(!sameQuery(state, { ...state, municipalities: [] }));
});

test("municipalities from a link are trimmed, de-duplicated and kept short", () => {
  const long = "x".repeat(101);
  const state = stateFromSearch(`?municipality=+Fulda+&municipality=Fulda&municipality=&municipality=${long}`
    + "&municipality=%3Cb%3EEichenzell");
  assert.deepEqual(state.municipalities, ["Fulda", "<b>Eichenzell"]);
});
