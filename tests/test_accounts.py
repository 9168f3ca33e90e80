"""Logging in and out, sessions, disabled accounts, the brake on guessing, and the guards on
the socket and form entry points."""

from __future__ import annotations

import asyncio
import hashlib

import aiohttp
import pytest
import socketio

from channels.people.accounts import create_user
from server.auth import COOKIE

from .clocks import FakeClock
from .support import CONNECT_WAIT, Server, email


async def test_login_sets_a_safe_cookie_and_stores_only_a_hash(server):
    client = await server.client()
    response = await client.post(
        "/api/v1/session", {"email": "Mentee1@Demo.Mentorspace ", "password": "mentorspace-demo"}
    )
    assert response.status == 200
    assert (await response.json())["user"]["email"] == email("mentee1")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    token = client.token
    rows = await server.store._all("SELECT token_hash FROM sessions")
    hashes = {row[0] for row in rows}
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert token not in hashes
    me = await (await client.get("/api/v1/me")).json()
    assert me["user"]["name"] == "Sara Nielsen" and me["user"]["role"] == "mentee"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"email": email("mentee1"), "password": "wrong password"}, 401, "unauthenticated"),
        ({"email": "nobody@example.org", "password": "mentorspace-demo"}, 401, "unauthenticated"),
        ({"email": email("mentee1")}, 400, "invalid"),
        ({"email": 5, "password": "x"}, 400, "invalid"),
    ],
)
async def test_failed_logins_say_why_and_set_no_cookie(server, payload, status, code):
    client = await server.client()
    response = await client.post("/api/v1/session", payload)
    assert response.status == status
    assert (await response.json())["error"]["code"] == code
    assert client.token is None
    assert (await client.get("/api/v1/me")).status == 401


async def test_logout_ends_the_session_at_once_everywhere(server):
    client = await server.client("mentee1")
    token = client.token
    sock = await client.socket()
    assert (await client.delete("/api/v1/session")).status == 200
    stolen = aiohttp.ClientSession(server.url, headers={"Cookie": f"{COOKIE}={token}"})
    try:
        assert (await stolen.get("/api/v1/me")).status == 401
    finally:
        await stolen.close()
    await asyncio.wait_for(sock.sio.wait(), 2)  # the server hung up this session's socket
    assert not sock.sio.connected


async def test_a_disabled_user_cannot_log_in_and_their_sessions_stop(server):
    client = await server.client("mentee1")
    sock = await client.socket()
    await server.store.write(lambda tx: tx.set_user_disabled(client.user["id"], True))
    assert (await client.get("/api/v1/me")).status == 401
    ack = await sock.call("channel:sync", {"channel_id": await server.channel_id("mentee_lounge")})
    assert ack["error"]["code"] == "unauthenticated"
    again = await server.client()
    response = await again.post(
        "/api/v1/session", {"email": email("mentee1"), "password": "mentorspace-demo"}
    )
    assert response.status == 401
    assert "disabled" in (await response.json())["error"]["message"]


async def test_repeated_failures_are_slowed_down_then_lifted(data_dir):
    clock = FakeClock()
    running = await Server(data_dir, clock=clock).start()
    try:
        client = await running.client()
        wrong = {"email": email("mentor1"), "password": "not the password"}
        right = {"email": email("mentor1"), "password": "mentorspace-demo"}
        for _ in range(5):
            assert (await client.post("/api/v1/session", wrong)).status == 401
        refused = await client.post("/api/v1/session", right)
        assert refused.status == 429
        assert (await refused.json())["error"]["code"] == "rate_limited"
        clock.advance(minutes=16)
        assert (await client.post("/api/v1/session", right)).status == 200
        await client.close()
    finally:
        await running.stop()


async def test_passwords_need_ten_characters(server):
    with pytest.raises(Exception, match="at least 10"):
        await create_user(
            server.store, email="new@example.org", name="New", role="mentee", password="short"
        )
    assert await server.store.load_user_by_email("new@example.org") is None


async def _try_connect(server, headers: dict[str, str]) -> bool:
    """Whether a socket.io connection with these headers is accepted."""
    async with aiohttp.ClientSession() as http:
        sock = socketio.AsyncClient(reconnection=False, http_session=http)
        try:
            await sock.connect(
                server.url, headers=headers, transports=["websocket"], wait_timeout=CONNECT_WAIT
            )
        except socketio.exceptions.ConnectionError:
            return False
        await sock.disconnect()
        return True


async def test_socket_connect_needs_a_session(server):
    assert not await _try_connect(server, {})
    assert not await _try_connect(server, {"Cookie": f"{COOKIE}=made-up-token"})


async def test_socket_connect_rejects_a_foreign_origin(server):
    client = await server.client("mentee1")
    cookie = {"Cookie": f"{COOKIE}={client.token}"}
    assert not await _try_connect(server, {**cookie, "Origin": "https://evil.example"})
    assert await _try_connect(server, {**cookie, "Origin": server.url})


async def test_cross_site_writes_are_refused(server):
    client = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    before = await server.store.count_messages()
    foreign = await client.post(
        f"/api/v1/channels/{lounge}/messages",
        {"body": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status == 403
    form = await client.http.post(f"/api/v1/channels/{lounge}/messages", data={"body": "x"})
    assert form.status == 403
    text = await client.http.post(
        f"/api/v1/channels/{lounge}/messages", data="body=x", headers={"Content-Type": "text/plain"}
    )
    assert text.status == 403
    assert await server.store.count_messages() == before
    same = await client.post(
        f"/api/v1/channels/{lounge}/messages", {"body": "fine"}, headers={"Origin": server.url}
    )
    assert same.status == 201
