// The legend: which colour and symbol stands for which stage of the learning biography.
import { el } from "../ui/dom.js";
import { iconUrl } from "./markers.js";

const L = window.L;

export function addLegend(map, { settings, t }) {
  const box = el("section", { class: "legend", "aria-labelledby": "legend-heading" });
  const control = L.control({ position: "bottomright" });
  control.onAdd = () => {
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  control.addTo(map);
  return {
    setStages(stages) {
      const items = stages.map((stage) => {
        const swatch = el("span", { class: "legend-swatch", "aria-hidden": "true" },
          el("img", { src: iconUrl(settings, stage.slug), alt: "", width: 14, height: 14 }));
        swatch.style.setProperty("--stage-colour", stage.colour);
        return el("li", {}, swatch, el("span", { text: stage.name }));
      });
      box.replaceChildren(el("h2", { id: "legend-heading", class: "legend-heading", text: t("legend") }),
        el("ul", {}, ...items));
    },
  };
}
