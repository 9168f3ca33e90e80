"""A real Chromium for the browser tests, started once per session.

Playwright's sync API runs on one thread of its own; a test hands it a plain function (the
scenario) with `await browser.run(scenario)`, so the test's event loop keeps serving the real
server meanwhile.  Each test gets fresh browser contexts (separate cookie jars: separate people),
closed before its server stops.  Uncaught page errors and Content-Security-Policy violations
fail the test that caused them.  With MENTORSPACE_TRACE=1 (as `make repeat-tests` sets) every
context records a Playwright trace, kept under test-artifacts/traces when its test fails: open
one with `npx playwright show-trace FILE` to see each step, the page and its network.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from channels.demo import DEMO_PASSWORD
from tests.conftest import require_service
from tests.support import Server, email

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TRACING = os.environ.get("MENTORSPACE_TRACE") == "1"
FAILED = pytest.StashKey[bool]()
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

T = TypeVar("T")


def find_chromium() -> str | None:
    for candidate in (os.environ.get("MENTORSPACE_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


class BrowserThread:
    """Owns Playwright and one Chromium on a single worker thread."""

    def __init__(self, executable: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._executable = executable
        self.playwright: Any = None
        self.browser: Any = None

    def start(self) -> None:
        from playwright.sync_api import expect, sync_playwright

        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path=self._executable, args=CHROMIUM_ARGS
        )
        expect.set_options(timeout=8000)

    def stop(self) -> None:
        if self.browser is not None:
            self.browser.close()
        if self.playwright is not None:
            self.playwright.stop()

    def call(self, work: Callable[[], T]) -> T:
        return self._executor.submit(work).result()

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self._executor.submit(work))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


@pytest.fixture(scope="session")
def chromium() -> Iterator[BrowserThread]:
    executable = find_chromium()
    require_service("Chromium (/usr/bin/chromium)", executable is not None)
    assert executable is not None
    thread = BrowserThread(executable)
    try:
        thread.call(thread.start)
        yield thread
    finally:
        thread.call(thread.stop)
        thread.shutdown()


@dataclass
class Person:
    """One browser context (one cookie jar) and its page, logged in as a demo user."""

    handle: str
    context: Any
    page: Any
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@dataclass
class Web:
    """What a browser test uses: the server and the session's browser."""

    server: Server
    chromium: BrowserThread
    test_name: str = "test"
    people: list[Person] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    async def run(self, work: Callable[[], T]) -> T:
        return await self.chromium.run(work)

    def person(
        self, handle: str | None, viewport: dict[str, int] = DESKTOP, *, touch: bool = False
    ) -> Person:
        """A new context logged in as `handle` (through the JSON login, which sets the same
        cookie the login form does), or logged out if None; `touch`: a phone's touch screen
        (a coarse pointer, no hover).  Call from the browser thread."""
        context = self.chromium.browser.new_context(
            viewport=viewport,
            base_url=self.url,
            locale="en-GB",
            timezone_id="Europe/Copenhagen",
            has_touch=touch,
            is_mobile=touch,
        )
        if TRACING:
            context.tracing.start(screenshots=True, snapshots=True)
        page = context.new_page()
        person = Person(handle or "anonymous", context, page)
        page.on("pageerror", lambda error: person.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                person.problems.append(f"console: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("dialog", lambda dialog: (person.dialogs.append(dialog.message), dialog.dismiss()))
        if handle is not None:
            response = context.request.post(
                "/api/v1/session",
                data=json.dumps({"email": email(handle), "password": DEMO_PASSWORD}),
                headers={"Content-Type": "application/json"},
            )
            assert response.ok, response.text()
        self.people.append(person)
        return person

    def close(self, failed: bool = False) -> None:
        for number, person in enumerate(self.people):
            if TRACING:
                name = f"{self.test_name}-{number}-{person.handle}.zip"
                person.context.tracing.stop(path=ARTIFACTS / "traces" / name if failed else None)
            person.context.close()

    def api(self, person: Person, method: str, path: str, payload: Any = None) -> Any:
        """A JSON API call with `person`'s session (from the browser thread)."""
        response = person.context.request.fetch(
            path,
            method=method,
            data=None if payload is None else json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        assert response.ok, f"{method} {path}: {response.status} {response.text()}"
        return response.json()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    """Note whether a test's own call failed, for the `web` fixture to keep its traces."""
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture
async def web(request: pytest.FixtureRequest, server: Server, chromium: BrowserThread) -> Any:
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
    session = Web(server, chromium, test_name=name)
    yield session
    problems = [p for person in session.people for p in person.problems]
    failed = request.node.stash.get(FAILED, True)
    await chromium.run(lambda: session.close(failed))
    assert not problems, problems


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from npm) in the page; the serious and critical violations it finds."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;undefined")
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]
