"""One event to a room reaches each socket in it, handed over in turn without an asyncio task
per recipient (server/realtime/fanout.py), and one socket that fails does not stop the rest."""

from __future__ import annotations

import asyncio

from engineio.exceptions import SocketIsClosedError

from server import keys
from server.realtime.rooms import channel_room


async def test_an_event_to_a_room_makes_no_task_per_socket(server):
    lounge = await server.channel_id("mentee_lounge")
    sockets = [await (await server.client(f"mentee{n}")).socket() for n in (1, 2, 3)]
    sockets.append(await (await server.client("mentee1")).socket())  # a second tab
    loop = asyncio.get_running_loop()
    made = []
    before = loop.get_task_factory()

    def counting(loop, coro, **kwargs):
        made.append(coro)
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counting)
    try:
        await server.app[keys.SIO].emit("probe", {"n": 1}, room=channel_room(lounge))
    finally:
        loop.set_task_factory(before)
    assert made == []
    for socket in sockets:
        assert await socket.wait_for("probe") == {"n": 1}


async def test_a_socket_that_fails_as_the_event_is_handed_over_does_not_stop_the_others(
    server, monkeypatch
):
    lounge = await server.channel_id("mentee_lounge")
    sockets = [await (await server.client(f"mentee{n}")).socket() for n in (1, 2, 3)]
    eio = server.app[keys.SIO].eio
    send_packet = eio.send_packet
    failed: list[str] = []

    async def first_one_fails(eio_sid, packet):
        if "Only some" in str(packet.data) and not failed:
            failed.append(eio_sid)
            raise SocketIsClosedError()
        await send_packet(eio_sid, packet)

    monkeypatch.setattr(eio, "send_packet", first_one_fails)
    sent = await sockets[0].send(lounge, "Only some get this")
    assert failed
    after = await sockets[1].send(lounge, "Everyone gets this")
    for socket in sockets:
        await socket.wait_for("message", lambda m: m["id"] == after["id"])
    got = [s for s in sockets if any(m["id"] == sent["id"] for m in s.received("message"))]
    assert len(got) == 2  # all but the one that failed, which is still connected
