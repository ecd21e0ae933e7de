// The embed-code builder: form → preview iframe, hints from /embed/check, and the snippet.
import { embedParams, embedUrl, snippet } from "./snippet.js";
import { formatCount } from "../src/data/format.js";

const root = document.querySelector("[data-settings]");
const settings = JSON.parse(root.dataset.settings);
const t = settings.texts;
const $ = (id) => document.getElementById(id);
const form = $("builder-form");

function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
}

function checkbox(name, value, label, checked) {
  const wrapper = document.createElement("div");
  const input = document.createElement("input");
  input.type = "checkbox";
  input.name = name;
  input.value = value;
  input.id = `${name}-${value}`;
  input.checked = checked;
  const text = document.createElement("label");
  text.htmlFor = input.id;
  text.textContent = label;
  wrapper.append(input, " ", text);
  return wrapper;
}

async function loadCategories(selected) {
  const response = await fetch(`/api/categories?lang=${encodeURIComponent(settings.lang)}`);
  const tree = await response.json();
  const box = $("categories");
  for (const stage of tree.stages) {
    const heading = document.createElement("h3");
    heading.textContent = stage.name;
    box.append(heading);
    for (const category of stage.categories) {
      box.append(checkbox("category", category.slug,
        `${category.name} (${formatCount(category.count, settings.lang)})`,
        selected.has(category.slug)));
    }
  }
}

function values() {
  return {
    categories: [...form.querySelectorAll("input[name=category]:checked")].map((i) => i.value),
    municipality: $("municipality").value,
    q: $("q").value,
    lang: $("lang").value,
    list: $("list").checked,
    legend: $("legend").checked,
    accent: $("accent").value === "#1d4ed8" ? "" : $("accent").value,
  };
}

function showHints(result) {
  const list = $("hints");
  list.replaceChildren();
  for (const hint of result.hints) {
    const item = document.createElement("li");
    item.textContent = format(t.hint[hint.code] || hint.message, { parameter: hint.parameter });
    list.append(item);
  }
  if (result.count === 0) {
    const item = document.createElement("li");
    item.textContent = t.hint.no_matches;
    list.append(item);
  }
  const matches = result.count === null
    ? format(t.matches_more, { count: formatCount(result.more_than, settings.lang) })
    : format(t.matches, { count: formatCount(result.count, settings.lang) });
  $("matches").textContent = result.hints.length || result.count === 0 ? "" : `${t.no_hints} ${matches}`;
}

async function check(query) {
  const response = await fetch(`/embed/check?${query}`);
  if (!response.ok) return null;
  return response.json();
}

let timer = null;
let shownHints = null;  // hints about the page's own URL stay until the form is changed
let latest = 0;  // checks can answer out of order; only the newest may show its hints

async function refresh() {
  const generation = ++latest;
  const params = embedParams(values());
  const preview = embedUrl("", params);
  if ($("preview").getAttribute("src") !== preview) $("preview").src = preview;
  $("code").value = snippet({
    origin: settings.origin, params, title: $("frame-title").value,
    width: $("width").value, height: $("height").value, resize: $("resize").checked,
  });
  const staticParams = new URLSearchParams([...params].filter(([key]) =>
    ["category", "municipality", "q", "lang"].includes(key)));
  $("static-link").href = `/embed/static.html?${staticParams}`;
  const result = await check(params.toString());
  if (generation !== latest) return;
  if (result) showHints(shownHints ? { ...result, hints: [...shownHints, ...result.hints] } : result);
  shownHints = null;
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 300);
}

// The builder opened with an embed query (e.g. from an existing snippet): report what
// /embed would ignore, and fill the form with what it keeps.
async function start() {
  const initial = new URLSearchParams(window.location.search);
  initial.delete("lang");
  const result = initial.toString() ? await check(initial.toString()) : null;
  const kept = new URLSearchParams(result ? result.query : []);
  await loadCategories(new Set(kept.getAll("category")));
  $("municipality").value = kept.getAll("municipality").join(", ");
  $("q").value = kept.get("q") || "";
  if (kept.get("list") === "0") $("list").checked = false;
  if (kept.get("legend") === "0") $("legend").checked = false;
  if (kept.get("accent")) $("accent").value = kept.get("accent");
  if (result) shownHints = result.hints;
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  await refresh();
}

$("copy").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText($("code").value);
    $("copy-status").textContent = t.copied;
  } catch {
    $("code").select();
    $("copy-status").textContent = t.copy_failed;
  }
});

start();
