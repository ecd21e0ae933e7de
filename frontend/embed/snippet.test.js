import { test } from "node:test";
import assert from "node:assert/strict";
import { embedParams, escapeAttribute, snippet } from "./snippet.js";

test("form values become the /embed query, defaults left out", () => {
  const params = embedParams({ categories: ["grundschule", "museum"], municipality: " Fulda, 06631009 ,",
    q: "  ", lang: "en", list: false, legend: true, accent: "#123456" });
  assert.equal(params.toString(),
    "category=grundschule&category=museum&municipality=Fulda&municipality=06631009&lang=en&list=0&accent=%23123456");
});

test("the snippet escapes what a person typed and never breaks out of its attributes", () => {
  const code = snippet({ origin: "https://lernorte.example.de", params: new URLSearchParams("q=a&b"),
    title: 'Karte "<script>"', width: "100%\" onload=alert(1)", height: "450", resize: false });
  assert.equal(code, '<iframe src="https://lernorte.example.de/embed?q=a&amp;b=" '
    + 'title="Karte &quot;&lt;script&gt;&quot;" width="100%" height="450" loading="lazy" '
    + 'allow="geolocation" style="border:0;max-width:100%"></iframe>');
  assert.equal(escapeAttribute("&<>\""), "&amp;&lt;&gt;&quot;");
});

test("the resize script comes from the app itself", () => {
  const code = snippet({ origin: "https://x.de", params: new URLSearchParams(), title: "t",
    width: "600", height: "400", resize: true });
  assert.match(code, /\n<script src="https:\/\/x\.de\/static\/embed\/resize\.js" async><\/script>$/);
});
