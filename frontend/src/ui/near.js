// "Use my location" and "near an address", with a radius. The address is resolved by the
// app's own gazetteer (built from the places' addresses); no outside geocoder is asked.
import * as api from "../data/api.js";
import { RADII } from "../data/urlstate.js";
import { formatDistance } from "../data/format.js";
import { el } from "./dom.js";

export function createNear(box, { t, lang, announce, onNear }) {
  const locate = box.querySelector("#use-location");
  const form = box.querySelector("#address-form");
  const address = box.querySelector("#address");
  const radius = box.querySelector("#radius");
  const status = box.querySelector("#near-status");
  const clear = box.querySelector("#clear-near");
  let current = { near: null, nearLabel: "", radius: null };
  let ownRadius = null; // the option of a link's radius that the choices lack

  radius.replaceChildren(el("option", { value: "" }, t("radius_any")),
    ...RADII.map((r) => el("option", { value: String(r) }, formatDistance(r, lang))));

  function say(message, isError = false) {
    status.textContent = message;
    status.classList.toggle("is-error", isError);
  }

  function render() {
    clear.hidden = !current.near;
    const value = current.radius ? String(current.radius) : "";
    // A link's own radius (12345) is a choice of its own, in order, while it holds; the select
    // showed blank. A refused one (left out) or one changed since is no choice any more.
    ownRadius?.remove();
    ownRadius = null;
    if (value && ![...radius.options].some((option) => option.value === value)) {
      const next = [...radius.options].find((option) => Number(option.value) > current.radius);
      ownRadius = el("option", { value }, formatDistance(current.radius, lang));
      radius.insertBefore(ownRadius, next ?? null);
    }
    radius.value = value;
    if (current.near) {
      say(t("near_active", { label: current.nearLabel || t("my_location") }));
    }
  }

  locate.addEventListener("click", () => {
    if (!navigator.geolocation) { say(t("location_unsupported"), true); return; }
    say(t("locating"));
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { longitude: lon, latitude: lat } = position.coords;
        onNear({ near: { lon, lat }, nearLabel: "", radius: current.radius });
      },
      (error) => {
        const message = error.code === error.PERMISSION_DENIED ? t("location_denied") : t("location_unavailable");
        say(message, true);
        announce(message);
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 },
    );
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = address.value.trim();
    if (!q) return;
    say(t("loading"));
    try {
      const found = await resolveAddress(q);
      if (!found) {
        const message = t("address_not_found", { q });
        say(message, true);
        announce(message);
        return;
      }
      onNear({ near: { lon: found.lon, lat: found.lat }, nearLabel: found.label, radius: current.radius });
    } catch (error) {
      say(t("error"), true);
    }
  });

  radius.addEventListener("change", () => {
    const value = radius.value ? Number(radius.value) : null;
    if (current.near) onNear({ ...current, radius: value });
    else current.radius = value;
  });

  clear.addEventListener("click", () => {
    say("");
    address.value = "";
    onNear({ near: null, nearLabel: "", radius: null });
    locate.focus();
  });

  return {
    set(state) {
      current = { near: state.near, nearLabel: state.nearLabel, radius: state.radius };
      if (!state.near) say("");
      render();
    },
  };
}

async function resolveAddress(q) {
  const answer = await api.gazetteer(new URLSearchParams({ q }));
  const best = answer.results && answer.results[0];
  return best ? { lon: best.lon, lat: best.lat, label: best.label } : null;
}
