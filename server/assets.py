"""Static files: our CSS and JavaScript from `web/static`, and the browser libraries npm
installed into `web/node_modules` (served from there, never copied into the repository)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from channels.errors import NotFound
from channels.languages import N_
from server.pages.rendering import WEB_DIR

NODE_MODULES = WEB_DIR / "node_modules"

# The exact files pages may load, by the name they are served under.
VENDOR_FILES: dict[str, Path] = {
    "socket.io.esm.min.js": NODE_MODULES / "socket.io-client/dist/socket.io.esm.min.js",
    "socket.io.esm.min.js.map": NODE_MODULES / "socket.io-client/dist/socket.io.esm.min.js.map",
    # Chart.js's UMD build (its ES module build imports a bare package name that browsers
    # cannot resolve without a bundler): a classic script that defines `window.Chart`.
    "chart.umd.min.js": NODE_MODULES / "chart.js/dist/chart.umd.min.js",
    "chart.umd.min.js.map": NODE_MODULES / "chart.js/dist/chart.umd.min.js.map",
}


async def vendor_file(request: web.Request) -> web.StreamResponse:
    path = VENDOR_FILES.get(request.match_info["name"])
    if path is None or not path.is_file():
        raise NotFound(N_("There is nothing at this address."))
    return web.FileResponse(path)


def add_static_routes(app: web.Application) -> None:
    app.router.add_get("/static/vendor/{name}", vendor_file)
    app.router.add_static("/static", WEB_DIR / "static")
