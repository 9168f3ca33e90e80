"""Sessions: the cookie (`__Host-` and Secure over https), the idle timeout beside the
absolute 30 days, a login that replaces the session it came with, the purge of ended
sessions, and tokens kept out of the access log."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import timedelta
from http.cookies import SimpleCookie

import aiohttp
import pytest

from channels.clock import iso
from server.auth import COOKIE, SECURE_COOKIE

from .clocks import FakeClock
from .login_support import eventually
from .mail_support import running_server
from .support import email
from .test_pages import csrf_of

RIGHT = {"password": "mentorspace-demo"}
HTTPS = {"public_url": "https://mentors.example.org"}


def _set_cookie(response: aiohttp.ClientResponse) -> tuple[str, str, dict]:
    """The one session cookie a response sets: (name, value, attributes)."""
    headers = response.headers.getall("Set-Cookie")
    assert len(headers) == 1, headers
    morsel = next(iter(SimpleCookie(headers[0]).values()))
    return morsel.key, morsel.value, {k: morsel[k] for k in morsel.keys() if morsel[k]}


async def _me(server, name: str, token: str) -> int:
    async with aiohttp.ClientSession(server.url, headers={"Cookie": f"{name}={token}"}) as http:
        async with http.get("/api/v1/me") as response:
            return response.status


async def test_over_plain_http_the_cookie_is_not_secure_and_has_no_prefix(server):
    client = await server.client()
    response = await client.post("/api/v1/session", {"email": email("mentee1"), **RIGHT})
    name, token, attributes = _set_cookie(response)
    assert name == COOKIE
    assert attributes["path"] == "/" and attributes["httponly"] and attributes["samesite"] == "Lax"
    assert "secure" not in attributes and "domain" not in attributes
    assert await _me(server, COOKIE, token) == 200


async def test_with_an_https_public_url_the_cookie_is_host_prefixed_and_secure(data_dir):
    async with running_server(data_dir, config_changes=HTTPS) as running:
        async with aiohttp.ClientSession(running.url) as http:
            response = await http.post("/api/v1/session", json={"email": email("mentee1"), **RIGHT})
            assert response.status == 200
            name, token, attributes = _set_cookie(response)
            assert name == SECURE_COOKIE
            assert attributes["secure"] and attributes["path"] == "/"
            assert "domain" not in attributes
            assert await _me(running, SECURE_COOKIE, token) == 200
            # A cookie without the prefix (planted by a neighbour, say) is not a session here.
            assert await _me(running, COOKIE, token) == 401
            # The socket reads the same cookie.
            client = await running.client()
            client.http.cookie_jar.update_cookies({SECURE_COOKIE: token})
            sock = await client.socket()
            assert sock.sio.connected
            await client.close()
            out = await http.delete("/api/v1/session", headers={"Cookie": f"{name}={token}"})
            name, _, attributes = _set_cookie(out)
            assert name == SECURE_COOKIE and attributes["secure"]


async def _session_row(server, token: str):
    return await server.store._one(
        "SELECT * FROM sessions WHERE token_hash = ?", (hashlib.sha256(token.encode()).hexdigest(),)
    )


async def test_an_idle_session_ends_after_eight_hours_and_use_keeps_it(data_dir):
    clock = FakeClock()
    async with running_server(data_dir, clock=clock) as running:
        client = await running.client("mentee1")
        clock.advance(hours=7, minutes=59)
        assert (await client.get("/api/v1/me")).status == 200
        clock.advance(hours=7, minutes=59)  # 16 hours after login, 8 after the last use
        assert (await client.get("/api/v1/me")).status == 200
        clock.advance(hours=8, seconds=1)
        assert (await client.get("/api/v1/me")).status == 401


async def test_the_idle_timeout_is_a_setting(data_dir):
    clock = FakeClock()
    async with running_server(
        data_dir, clock=clock, config_changes={"session_idle_hours": 1}
    ) as running:
        client = await running.client("mentee1")
        clock.advance(minutes=59)
        assert (await client.get("/api/v1/me")).status == 200
        clock.advance(minutes=61)
        assert (await client.get("/api/v1/me")).status == 401


async def test_use_is_stored_at_most_once_a_minute(data_dir):
    clock = FakeClock()
    async with running_server(data_dir, clock=clock) as running:
        client = await running.client("mentee1")
        logged_in_at = iso(clock.now())
        clock.advance(seconds=30)
        for _ in range(3):
            assert (await client.get("/api/v1/me")).status == 200
        assert (await _session_row(running, client.token))["last_used_at"] == logged_in_at
        used_at = iso(clock.advance(seconds=31))
        assert (await client.get("/api/v1/me")).status == 200
        row = await _session_row(running, client.token)
        assert row["last_used_at"] == used_at
        assert row["idle_expires_at"] == iso(clock.now() + timedelta(hours=8))


async def test_a_used_session_still_ends_after_thirty_days(data_dir):
    clock = FakeClock()
    async with running_server(data_dir, clock=clock) as running:
        client = await running.client("mentee1")
        for _ in range(102):  # used every 7 hours: never idle, for 29 days and 18 hours
            clock.advance(hours=7)
            assert (await client.get("/api/v1/me")).status == 200
        clock.advance(hours=6, seconds=1)  # 30 days after login, 6 hours after the last use
        assert (await client.get("/api/v1/me")).status == 401


async def test_logging_in_again_ends_the_session_it_replaces(server):
    client = await server.client("mentee1")
    old_token = client.token
    sock = await client.socket()
    response = await client.post("/api/v1/session", {"email": email("mentee1"), **RIGHT})
    assert response.status == 200
    assert client.token != old_token
    assert await _session_row(server, old_token) is None
    assert await _me(server, COOKIE, old_token) == 401
    await asyncio.wait_for(sock.sio.wait(), 2)  # the old session's socket was hung up
    assert (await client.get("/api/v1/me")).status == 200


async def test_the_login_form_ends_the_session_it_replaces(server):
    client = await server.client("mentee2")
    old_token = client.token
    page = await (await client.get("/login?next=/profile")).text()  # already in: redirected
    form = await client.http.post(
        "/login",
        data={"email": email("mentee1"), **RIGHT, "next": "/", "csrf_token": csrf_of(page)},
        allow_redirects=False,
    )
    assert form.status == 303
    assert await _session_row(server, old_token) is None
    me = await (await client.get("/api/v1/me")).json()
    assert me["user"]["email"] == email("mentee1")


async def test_ended_sessions_are_purged_at_the_next_login(data_dir):
    clock = FakeClock()
    async with running_server(data_dir, clock=clock) as running:
        expired = await running.client("mentee1")
        clock.advance(days=29)
        idle = await running.client("mentee2")
        clock.advance(days=1, hours=1)  # mentee1's 30 days are up; mentee2 idle for 25 hours
        live = await running.client("mentee3")
        assert await _session_row(running, expired.token) is None
        assert await _session_row(running, idle.token) is None
        assert await _session_row(running, live.token) is not None


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """What aiohttp's real access log writes (records: `access_log.records`)."""
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    return caplog


def _lines(records: list[logging.LogRecord]) -> list[str]:
    return [record.getMessage() for record in records if record.name == "aiohttp.access"]


def _everything(records: list[logging.LogRecord]) -> str:
    """All the access log kept: messages, arguments and the structured extras."""
    return "\n".join(str(r.__dict__) for r in records if r.name == "aiohttp.access")


async def test_invitation_and_reset_tokens_never_reach_the_access_log(
    data_dir, smtp, clock, access_log
):
    async with running_server(data_dir, clock=clock, config_changes=smtp.config()) as running:
        coordinator = await running.client("coordinator")
        created = await coordinator.post(
            "/api/v1/users", {"email": "nora@example.org", "name": "Nora Holm", "role": "mentee"}
        )
        assert created.status == 201
        anyone = await running.client()
        await anyone.post("/api/v1/password-reset", {"email": email("mentee1")})
        tokens = [
            (await smtp.wait_for("nora@example.org")).token(),
            (await smtp.wait_for(email("mentee1"))).token(),
        ]
        for token in tokens:
            visitor = await running.client()
            link = f"/password/{token}"
            page = await visitor.get(link)
            assert page.status == 200
            checked = await visitor.get(f"/api/v1/password-links/{token}")
            assert checked.status == 200
            chosen = await visitor.http.post(
                link,
                data={
                    "password": "a long new password",
                    "password_again": "a long new password",
                    "csrf_token": csrf_of(await page.text()),
                },
                headers={"Referer": running.url + link},
                allow_redirects=False,
            )
            assert chosen.status == 303
        posted = "POST /password/[redacted] "
        await eventually(lambda: sum(posted in line for line in _lines(access_log.records)) == 2)
        lines = "\n".join(_lines(access_log.records))
        assert lines.count("GET /password/[redacted] ") == 2
        assert lines.count("GET /api/v1/password-links/[redacted] ") == 2
        assert lines.count(f'"{running.url}/password/[redacted]"') == 2  # the Referer
        for token in tokens:
            assert token not in _everything(access_log.records)
