// /docs: Swagger UI showing Squall's own document only, with no validator badge (it would call
// validator.swagger.io) and nothing loaded from anywhere but this server.
"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger",
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: false,
    withCredentials: true,
  });
});
