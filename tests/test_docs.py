"""Documentation is part of the interface: a handler, route or setting that the docs do not
name fails the build."""

from __future__ import annotations

from pathlib import Path

from server.api.openapi import openapi_document
from server.app import create_app
from server.config import SETTINGS, Config
from server.realtime.handlers import EVENTS, SERVER_EVENTS

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text()
README = (ROOT / "README.md").read_text()


def app_routes(tmp_path: Path) -> list[tuple[str, str]]:
    app = create_app(Config(data_dir=tmp_path))
    found = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method in ("HEAD", "*") or path.startswith(("/socket.io", "/static")):
            continue
        found.append((route.method, path))
    return found


def test_every_socket_event_is_documented():
    for event in [*EVENTS, *SERVER_EVENTS]:
        assert f"`{event}`" in PROTOCOL, f"docs/protocol.md does not describe the event {event}"


def test_every_http_route_is_documented(tmp_path):
    routes = app_routes(tmp_path)
    assert ("POST", "/api/v1/session") in routes
    for method, path in routes:
        assert f"{method} {path}" in PROTOCOL, f"docs/protocol.md does not name {method} {path}"


def test_every_api_route_is_in_the_openapi_document(tmp_path):
    paths = openapi_document()["paths"]
    for method, path in app_routes(tmp_path):
        if path.startswith("/api/"):
            assert method.lower() in paths.get(path, {}), f"openapi.json lacks {method} {path}"


def test_every_setting_is_in_the_readme():
    for flag, env, _default, _help in SETTINGS:
        assert flag in README and env in README, f"README.md does not document {flag} / {env}"
