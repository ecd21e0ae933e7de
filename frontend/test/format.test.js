import { test } from "node:test";
import assert from "node:assert/strict";
import { formatCount, formatDistance, pluralForm } from "../src/data/format.js";

const plain = (s) => s.replace(/[\u00a0\u202f]/g, " ");

test("distances read like people say them, with the language's decimal sign", () => {
  assert.equal(plain(formatDistance(1234, "de")), "1,2 km");
  assert.equal(plain(formatDistance(1234, "en")), "1.2 km");
  assert.equal(plain(formatDistance(843, "de")), "850 m");
  assert.equal(plain(formatDistance(12345, "de")), "12 km");
  assert.equal(plain(formatDistance(3, "de")), "10 m");
});

test("just under a kilometre rounds up to 1,0 km rather than 1000 m", () => {
  assert.equal(plain(formatDistance(990, "de")), "1,0 km");
});

test("no distance, no text", () => {
  assert.equal(formatDistance(null, "de"), "");
  assert.equal(formatDistance(undefined, "de"), "");
});

test("Ukrainian and Arabic get their own plural forms and digits", () => {
  assert.equal(pluralForm(3, "uk"), "few");
  assert.equal(pluralForm(5, "uk"), "many");
  assert.equal(pluralForm(2, "ar"), "two");
  assert.equal(plain(formatCount(1234, "de")), "1.234");
});
