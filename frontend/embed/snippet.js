// The embed code a web editor pastes: pure functions (tested with node --test).

const ATTRIBUTE_ESCAPES = { "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" };

export function escapeAttribute(text) {
  return String(text).replace(/[&"<>]/g, (c) => ATTRIBUTE_ESCAPES[c]);
}

// Form values → the /embed query. Defaults (list and legend shown) are left out.
export function embedParams(values) {
  const params = new URLSearchParams();
  for (const slug of values.categories || []) params.append("category", slug);
  for (const name of (values.municipality || "").split(",")) {
    if (name.trim()) params.append("municipality", name.trim());
  }
  if ((values.q || "").trim()) params.set("q", values.q.trim());
  if (values.lang) params.set("lang", values.lang);
  if (values.list === false) params.set("list", "0");
  if (values.legend === false) params.set("legend", "0");
  if (values.accent) params.set("accent", values.accent);
  return params;
}

export function embedUrl(origin, params) {
  const query = params.toString();
  return `${origin}/embed${query ? `?${query}` : ""}`;
}

function size(value, fallback) {
  const text = String(value || "").trim();
  return /^\d{2,4}%?$/.test(text) ? text : fallback;
}

export function snippet({ origin, params, title, width, height, resize }) {
  const frame = `<iframe src="${escapeAttribute(embedUrl(origin, params))}"`
    + ` title="${escapeAttribute(title)}" width="${size(width, "100%")}" height="${size(height, "500")}"`
    + ` loading="lazy" allow="geolocation" style="border:0;max-width:100%"></iframe>`;
  if (!resize) return frame;
  return `${frame}\n<script src="${escapeAttribute(origin)}/static/embed/resize.js" async></script>`;
}
