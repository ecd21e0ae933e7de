// The search field: a combobox (WAI-ARIA 1.2) whose suggestions come from /api/places?q=,
// so they are as typo-tolerant as the search itself.
import * as api from "../data/api.js";
import { el } from "./dom.js";

const DELAY_MS = 200;
const SUGGESTIONS = 8;
// Suggestions wait for three letters or digits in a row, which the server's trigram index can
// look up: two letters are checked text by text, and a rare pair ("Xy") read every place of a
// national directory for each keystroke (1.2-1.7 s at a million).
const INDEXABLE = /[\p{L}\p{N}]{3}/u;

export function createSearch(form, { t, suggestParams, onSearch, onPick }) {
  const input = form.querySelector("input[role=combobox]");
  const listbox = form.querySelector("[role=listbox]");
  const run = api.latest();
  let options = [];
  let active = -1;
  let timer = null;
  let shownFor = ""; // the text the options were found for

  function close() {
    listbox.hidden = true;
    listbox.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }

  function activate(index) {
    active = index;
    options.forEach((option, i) => option.node.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].node.id);
      options[index].node.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(features) {
    listbox.replaceChildren();
    options = features.map((feature, i) => {
      const node = el("li", { role: "option", id: `suggestion-${i}`, "aria-selected": "false",
        class: "suggestion" },
      el("span", { class: "suggestion-name", text: feature.properties.name }),
      el("span", { class: "suggestion-meta",
        text: [feature.properties.category_name, feature.properties.city].filter(Boolean).join(" · ") }));
      // mousedown, not click: the input must not lose focus (and close the list) first.
      node.addEventListener("mousedown", (event) => { event.preventDefault(); pick(i); });
      listbox.append(node);
      return { node, feature };
    });
    listbox.hidden = options.length === 0;
    input.setAttribute("aria-expanded", String(options.length > 0));
    active = -1;
  }

  function pick(index) {
    const { feature } = options[index];
    close();
    onPick(input.value.trim(), feature);
  }

  async function suggest() {
    const text = input.value.trim();
    if (!INDEXABLE.test(text)) { close(); return; }
    try {
      const params = suggestParams(text);
      params.set("limit", String(SUGGESTIONS));
      const collection = await run((signal) => api.places(params, signal));
      if (input.value.trim() === text && document.activeElement === input) {
        shownFor = text;
        show(collection.features);
      }
    } catch (error) {
      if (!api.isAbort(error)) close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    // Options found for an earlier text are not chosen by keyboard: typing fast, then down and
    // Enter, picked a suggestion for the first letters ("Goethe" opened "AWO-Kita
    // Abenteuerland"). Enter then searches for what was typed.
    const open = !listbox.hidden && options.length > 0 && shownFor === input.value.trim();
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      activate((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      activate(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    close();
    onSearch(input.value.trim());
  });

  return {
    set(q) { input.value = q; },
  };
}
