// Starts Swagger UI on /docs from the files of the swagger-ui-bundle package (no CDN, works
// offline); a file, not an inline script, because the pages' CSP allows no inline scripts.
window.addEventListener("load", function () {
  "use strict";
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
