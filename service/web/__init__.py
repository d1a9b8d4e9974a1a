"""Lithuanian web pages for school staff: server-rendered (Jinja2), over the API's services."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service.web.pages import router
from service.web.rendering import STATIC_DIR


def install(app: FastAPI) -> None:
    """Add the pages and their static assets (CSS, a little JS) to the app."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
