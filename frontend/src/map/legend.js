// The legend: which colour and symbol stands for which stage of the learning biography.
// A disclosure: open beside a wide map, folded to one line on mid-size screens and phones, where
// it would cover the places it explains.
import { el } from "../ui/dom.js";
import { iconUrl } from "./markers.js";

const L = window.L;

export function addLegend(map, { settings, t }) {
  const box = el("details", { class: "legend" });
  box.open = window.matchMedia("(min-width: 70.01rem)").matches;
  const summary = el("summary", { class: "legend-heading", id: "legend-heading", text: t("legend") });
  const items = el("ul", {});
  box.append(summary, items);
  const control = L.control({ position: "bottomright" });
  control.onAdd = () => {
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  control.addTo(map);
  return {
    setStages(stages) {
      const entries = stages.map((stage) => {
        const swatch = el("span", { class: "legend-swatch", "aria-hidden": "true" },
          el("img", { src: iconUrl(settings, stage.slug), alt: "", width: 14, height: 14 }));
        swatch.style.setProperty("--stage-colour", stage.colour);
        return el("li", {}, swatch, el("span", { text: stage.name }));
      });
      items.replaceChildren(...entries);
    },
  };
}
