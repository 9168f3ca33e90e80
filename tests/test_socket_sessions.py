"""Ending a session cuts its sockets at once, even sockets that only listen: after API and
form logout, a password change that ends the other sessions, a reset, disabling, a role
change, and expiry (the server's own sweep).  Each test proves "stops receiving" with a
barrier: a marker posted after the cause reaches a socket that is still valid, never the cut
one, which is disconnected within a second."""

from __future__ import annotations

import asyncio
import re
import uuid

from server import keys

from .clocks import FakeClock
from .mail_support import running_server
from .support import Client, Server, SocketClient, email

PASSWORD = "a brand new passphrase"


async def assert_cut(
    cut: SocketClient, poster: SocketClient, channel_id: int, *, alive: SocketClient | None = None
) -> None:
    """`cut` is hung up within a second; a marker `poster` sends now reaches `poster` itself
    (and `alive`, a socket of the same person that must survive), never `cut`."""
    await asyncio.wait_for(cut.gone.wait(), 1.0)  # fails if still connected a second later
    assert not cut.sio.connected
    marker = await poster.send(channel_id, f"marker {uuid.uuid4()}")
    for witness in (poster, alive):
        if witness is not None:
            await witness.wait_for("message", lambda m: m["id"] == marker["id"])
    assert marker["id"] not in [m["id"] for m in cut.received("message")]
    if alive is not None:
        assert alive.sio.connected


async def _listening_pair(server: Server) -> tuple[Client, SocketClient, SocketClient, int]:
    """mentee1 logged in with a socket that only listens; mentor1, her partner, with a socket."""
    mentee = await server.client("mentee1")
    listener = await mentee.socket()
    partner = await (await server.client("mentor1")).socket()
    return mentee, listener, partner, await server.pair_channel_id(1)


async def test_api_logout_cuts_that_sessions_listening_socket_only(server):
    mentee, listener, partner, pair = await _listening_pair(server)
    other_tab = await (await server.client("mentee1")).socket()  # another session of hers
    assert (await mentee.delete("/api/v1/session")).status == 200
    await assert_cut(listener, partner, pair, alive=other_tab)


async def test_form_logout_cuts_the_listening_socket(server):
    mentee, listener, partner, pair = await _listening_pair(server)
    html = await (await mentee.get("/profile")).text()
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert csrf, html
    response = await mentee.http.post(
        "/logout", data={"csrf_token": csrf.group(1)}, allow_redirects=False
    )
    assert response.status == 303
    await assert_cut(listener, partner, pair)


async def test_password_change_ending_other_sessions_keeps_the_current_socket(server):
    _, listener, partner, pair = await _listening_pair(server)
    current = await server.client("mentee1")
    current_socket = await current.socket()
    response = await current.post(
        "/api/v1/me/password",
        {"current": "mentorspace-demo", "new": PASSWORD, "end_other_sessions": True},
    )
    assert response.status == 200
    await assert_cut(listener, partner, pair, alive=current_socket)
    told = listener.received("session:ended")
    assert [t["reason"] for t in told] == ["password"]
    assert current_socket.received("session:ended") == []


async def test_a_password_reset_cuts_every_socket_of_the_account(mail_server, smtp):
    _, listener, partner, pair = await _listening_pair(mail_server)
    anyone = await mail_server.client()
    await anyone.post("/api/v1/password-reset", {"email": email("mentee1")})
    mail = await smtp.wait_for(email("mentee1"))
    response = await anyone.post("/api/v1/password", {"token": mail.token(), "password": PASSWORD})
    assert response.status == 200
    await assert_cut(listener, partner, pair)
    new_session = await anyone.socket()  # the reset logged her in: that session works
    marker = await partner.send(pair, "after the reset")
    await new_session.wait_for("message", lambda m: m["id"] == marker["id"])


async def test_disabling_cuts_the_listening_socket(server):
    mentee, listener, partner, pair = await _listening_pair(server)
    coordinator = await server.client("coordinator")
    response = await coordinator.patch(f"/api/v1/users/{mentee.user['id']}", {"disabled": True})
    assert response.status == 200
    await assert_cut(listener, partner, pair)


async def test_a_role_change_cuts_the_sockets_that_hold_the_old_role(server):
    coordinator = await server.client("coordinator")
    mentor3 = await server.store.load_user_by_email(email("mentor3"))
    pair3 = next(
        p for p in await server.store.list_pairs(active_only=True) if p.mentor_id == mentor3.id
    )
    assert (await coordinator.delete(f"/api/v1/pairs/{pair3.id}")).status == 200
    listener = await (await server.client("mentor3")).socket()
    poster = await (await server.client("mentor2")).socket()
    lounge = await server.channel_id("mentor_lounge")
    response = await coordinator.patch(f"/api/v1/users/{mentor3.id}", {"role": "mentee"})
    assert response.status == 200
    await assert_cut(listener, poster, lounge)


async def test_an_expired_session_is_cut_by_the_sweep_without_the_socket_speaking(data_dir):
    clock = FakeClock()
    async with running_server(data_dir, clock=clock) as server:
        mentee = await server.client("mentee1")
        listener = await mentee.socket()
        clock.advance(days=30, seconds=1)  # the session's absolute lifetime is over
        partner = await (await server.client("mentor1")).socket()  # logged in just now
        assert await server.app[keys.SESSION_SOCKETS].sweep() == 1
        await assert_cut(listener, partner, await server.pair_channel_id(1))
        assert await server.app[keys.SESSION_SOCKETS].sweep() == 0  # the live one stays


async def test_the_sweep_runs_on_the_servers_own_schedule(data_dir):
    clock = FakeClock()
    changes = {"socket_check_seconds": 0.1}
    async with running_server(data_dir, clock=clock, config_changes=changes) as server:
        listener = await (await server.client("mentee1")).socket()
        clock.advance(days=30, seconds=1)
        partner = await (await server.client("mentor1")).socket()
        await assert_cut(listener, partner, await server.pair_channel_id(1))


async def test_a_busy_socket_is_rechecked_on_the_injected_clock(data_dir):
    """An event re-checks the session at most every SESSION_RECHECK seconds of the clock."""
    clock = FakeClock()
    async with running_server(data_dir, clock=clock) as server:
        client = await server.client("mentee1")
        sock = await client.socket()
        lounge = {"channel_id": await server.channel_id("mentee_lounge")}
        assert (await sock.call("channel:sync", lounge))["ok"]
        # Ended behind the server's back: no hang-up was asked for.
        await server.store.write(lambda tx: tx.delete_user_sessions(client.user["id"]))
        assert (await sock.call("channel:sync", lounge))["ok"]  # within the recheck interval
        clock.advance(seconds=1.5)
        assert (await sock.call("channel:sync", lounge))["error"]["code"] == "unauthenticated"
        await asyncio.wait_for(sock.gone.wait(), 2)
