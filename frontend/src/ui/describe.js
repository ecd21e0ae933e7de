// The lines that describe a place, shared by the list and the map's popups.
import { formatDistance } from "../data/format.js";
import { el } from "./dom.js";

export function placeFacts(properties, lang, t) {
  const facts = el("div", { class: "place-facts" });
  facts.append(el("p", { class: "place-category", text: properties.category_name || "" }));
  if (properties.address) facts.append(el("p", { class: "place-address", text: properties.address }));
  const distance = formatDistance(properties.distance_m, lang);
  if (distance) {
    facts.append(el("p", { class: "place-distance" }, t("distance_away", { distance })));
  }
  return facts;
}
