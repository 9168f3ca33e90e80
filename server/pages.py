"""HTML pages, rendered by jinja2 with autoescaping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from channels.errors import MentorspaceError

from . import keys

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


def create_templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    html = request.app[keys.TEMPLATES].get_template(template).render(request=request, **context)
    return web.Response(text=html, status=status, content_type="text/html")


def error_page(request: web.Request, error: MentorspaceError) -> web.Response:
    if error.code == "unauthenticated" and request.method == "GET":
        raise web.HTTPFound("/login")
    return render(request, "error.html", status=error.status, error=error)


routes = web.RouteTableDef()
