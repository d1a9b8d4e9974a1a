"""/docs: Swagger UI served from the files of the fastapi-offline package, so it works offline.

FastAPI's own /docs and /redoc load their scripts from a CDN (nothing outside may be needed,
and a CDN script would run with the page's rights); /openapi.json stays where it is.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
# Swagger UI 5 (OpenAPI 3.1, which FastAPI writes), shipped inside the package.
SWAGGER_FILES = Path(fastapi_offline.__file__).resolve().parent / "static"

_PAGE = f"""<!doctype html>
<html lang="lt">
<head>
<meta charset="utf-8">
<title>Bylos API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=SWAGGER_FILES), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE)
