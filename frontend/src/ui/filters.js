// Categories grouped by the stages of the learning biography, target groups and languages
// offered, each with counts; the languages only once the data has any. A municipality filter
// has no checkbox (it arrives in a link, e.g. from an embed's "full map"), so it is shown as a
// labelled group that can be removed.
import { formatCount } from "../data/format.js";
import { el } from "./dom.js";

export function createFilters(container, { t, lang, targetGroups, languages, onChange }) {
  const categoryBox = el("div", { class: "stage-groups" });
  const groupBox = el("fieldset", { class: "filter-group" },
    el("legend", { text: t("target_groups_heading") }));
  const languageBox = el("fieldset", { class: "filter-group", hidden: true },
    el("legend", { text: t("languages_heading") }));
  const reset = el("button", { type: "button", class: "button-link reset-filters" },
    t("reset_filters"));
  const municipalityText = el("span", { id: "municipality-filter-label" });
  const removeMunicipality = el("button", { type: "button", class: "button-link" },
    t("municipality_remove"));
  const municipalityBox = el("div", {
    class: "active-filter municipality-filter", role: "group",
    "aria-labelledby": "municipality-filter-label", hidden: true,
  }, municipalityText, " ", removeMunicipality);
  const heading = el("h2", { class: "panel-heading", id: "categories-heading", tabindex: "-1",
    text: t("categories_heading") });
  container.append(municipalityBox, heading, categoryBox, groupBox, languageBox, reset);

  const chosen = { categories: new Set(), targetGroups: new Set(), languages: new Set() };
  const boxes = new Map(); // slug → {input, count}

  const changed = () => onChange({
    categories: [...boxes.keys()].filter((slug) => chosen.categories.has(slug)),
    targetGroups: targetGroups.map((g) => g.slug).filter((slug) => chosen.targetGroups.has(slug)),
    languages: languages.map((l) => l.slug).filter((code) => chosen.languages.has(code)),
  });

  function checkbox(name, slug, label, set) {
    const id = `filter-${name}-${slug}`;
    const input = el("input", { type: "checkbox", id, name, value: slug });
    input.checked = set.has(slug);
    input.addEventListener("change", () => {
      if (input.checked) set.add(slug); else set.delete(slug);
      changed();
    });
    const count = el("span", { class: "count" });
    const row = el("div", { class: "check" }, input, el("label", { for: id }, label, " ", count));
    return { row, input, count };
  }

  for (const group of targetGroups) {
    const box = checkbox("target_group", group.slug, group.label, chosen.targetGroups);
    groupBox.append(box.row);
    boxes.set(`tg:${group.slug}`, box);
  }
  for (const language of languages) {
    const box = checkbox("language", language.slug, language.label, chosen.languages);
    languageBox.append(box.row);
    boxes.set(`lang:${language.slug}`, box);
  }

  reset.addEventListener("click", () => {
    chosen.categories.clear();
    chosen.targetGroups.clear();
    chosen.languages.clear();
    for (const { input } of boxes.values()) input.checked = false;
    onChange({ categories: [], targetGroups: [], languages: [], municipalities: [] });
  });
  // The button disappears with the filter, so focus goes to the next thing in the panel.
  removeMunicipality.addEventListener("click", () => {
    heading.focus();
    onChange({ municipalities: [] });
  });

  return {
    // The tree from /api/categories: built once, then only counts change.
    setTree(tree) {
      if (!categoryBox.childElementCount) {
        for (const stage of tree.stages) {
          const summaryCount = el("span", { class: "count", "data-stage": stage.slug });
          const details = el("details", { class: "stage", "data-stage": stage.slug },
            el("summary", {}, el("span", { class: "swatch", "aria-hidden": "true" }),
              el("span", { class: "stage-name", text: stage.name }), " ", summaryCount));
          details.style.setProperty("--stage-colour", stage.colour);
          const fieldset = el("fieldset", {}, el("legend", { class: "visually-hidden", text: stage.name }));
          for (const category of stage.categories) {
            const box = checkbox("category", category.slug, category.name, chosen.categories);
            fieldset.append(box.row);
            boxes.set(category.slug, box);
          }
          details.open = stage.categories.some((c) => chosen.categories.has(c.slug));
          details.append(fieldset);
          categoryBox.append(details);
        }
      }
      // A count is null where the server did not count (too many places): no number then.
      const countText = (n) => (n === null || n === undefined ? "" : `(${formatCount(n, lang)})`);
      for (const stage of tree.stages) {
        categoryBox.querySelector(`.count[data-stage="${stage.slug}"]`).textContent =
          countText(stage.count);
        for (const category of stage.categories) {
          boxes.get(category.slug).count.textContent = countText(category.count);
        }
      }
      const facet = (prefix, counts) => {
        for (const [key, { count }] of boxes) {
          if (key.startsWith(prefix)) {
            count.textContent = countText(counts ? counts[key.slice(prefix.length)] || 0 : null);
          }
        }
      };
      facet("tg:", tree.target_groups);
      facet("lang:", tree.languages);
      // Offered only where the data says which languages a place teaches or counsels in (when
      // they were not counted, the data may well have some).
      languageBox.hidden = tree.languages !== null && !Object.keys(tree.languages || {}).length
        && !chosen.languages.size;
    },
    set({ categories, targetGroups: groups, languages: codes, municipalities }) {
      municipalityText.textContent = t("municipality_active", { names: municipalities.join(", ") });
      municipalityBox.hidden = !municipalities.length;
      replaceAll(chosen.categories, categories);
      replaceAll(chosen.targetGroups, groups);
      replaceAll(chosen.languages, codes);
      for (const [key, { input }] of boxes) {
        if (key.startsWith("tg:")) input.checked = chosen.targetGroups.has(key.slice(3));
        else if (key.startsWith("lang:")) input.checked = chosen.languages.has(key.slice(5));
        else input.checked = chosen.categories.has(key);
      }
    },
  };
}

function replaceAll(set, values) {
  set.clear();
  for (const value of values) set.add(value);
}
