// Starts Swagger UI for the schema named in the page's data-openapi-url (no inline script).
const url = document.body.dataset.openapiUrl;
window.ui = window.SwaggerUIBundle({
  url,
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
