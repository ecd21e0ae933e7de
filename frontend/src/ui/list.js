// The result list: the complete alternative to the map, same places in the same order.
import { el, visuallyHidden } from "./dom.js";
import { placeFacts } from "./describe.js";

const CHUNK = 100;

export function createList(container, { t, lang, onSelect }) {
  const list = el("ol", { class: "result-list", id: "result-list" });
  const more = el("button", { type: "button", class: "button show-more", hidden: true },
    t("show_more"));
  container.append(list, more);
  let features = [];
  let shown = 0;
  let selected = null;

  function entry(feature) {
    const p = feature.properties;
    const item = el("li", { class: "result", "data-id": feature.id });
    item.style.setProperty("--stage-colour", p.colour || "#444");
    const heading = el("h3", { class: "result-name" }, el("a", { href: p.url, text: p.name }));
    const show = el("button", { type: "button", class: "button-link show-on-map" },
      t("show_on_map"), visuallyHidden(`: ${p.name}`));
    show.addEventListener("click", () => onSelect(feature.id, "list"));
    if (!feature.geometry) show.hidden = true;
    item.append(heading, placeFacts(p, lang, t), show);
    return item;
  }

  function renderUpTo(count) {
    const fragment = document.createDocumentFragment();
    for (; shown < Math.min(count, features.length); shown += 1) {
      fragment.append(entry(features[shown]));
    }
    list.append(fragment);
    more.hidden = shown >= features.length;
    markSelected();
  }

  function markSelected() {
    for (const item of list.querySelectorAll("[aria-current]")) item.removeAttribute("aria-current");
    if (selected === null) return;
    const item = list.querySelector(`li[data-id="${selected}"]`);
    if (item) item.setAttribute("aria-current", "true");
    return item;
  }

  more.addEventListener("click", () => {
    const first = shown;
    renderUpTo(shown + CHUNK);
    // Keep the keyboard where the new entries start.
    list.children[first]?.querySelector("a")?.focus();
  });

  return {
    show(newFeatures) {
      features = newFeatures;
      shown = 0;
      list.replaceChildren();
      renderUpTo(CHUNK);
    },
    select(id, { scroll = true } = {}) {
      selected = id;
      if (id !== null) {
        const index = features.findIndex((f) => f.id === id);
        if (index >= shown) renderUpTo(index + 1);
      }
      const item = markSelected();
      if (item && scroll) item.scrollIntoView({ block: "nearest" });
    },
    get shownCount() { return shown; },
  };
}
