// What the API is asked for a state, with an embed's fixed filters applied on top. Pure.

// An embed may fix categories, municipalities, a box or a search; a person's own choice of
// categories narrows within the fixed ones rather than widening them. Municipalities come from
// the full map's URL, or from an embed's settings (an embed ignores the URL's filters).
export function filterParams(state, fixed = {}, lang = "de") {
  const params = new URLSearchParams();
  const fixedCategories = fixed.category || [];
  const categories = state.categories.length ? state.categories : fixedCategories;
  for (const slug of categories) params.append("category", slug);
  for (const slug of state.targetGroups) params.append("target_group", slug);
  for (const code of state.languages || []) params.append("language", code);
  const municipalities = fixed.municipality?.length ? fixed.municipality : state.municipalities || [];
  for (const name of municipalities) params.append("municipality", name);
  const q = [fixed.q, state.q].filter(Boolean).join(" ").trim();
  if (q) params.set("q", q);
  if (fixed.bbox) params.set("bbox", fixed.bbox.join(","));
  if (state.near) {
    params.set("near", `${state.near.lon},${state.near.lat}`);
    if (state.radius) params.set("radius", String(state.radius));
  }
  params.set("lang", lang);
  return params;
}

export function withParams(base, extra) {
  const params = new URLSearchParams(base);
  for (const [key, value] of Object.entries(extra)) {
    if (value === null || value === undefined) params.delete(key);
    else params.set(key, String(value));
  }
  return params;
}
