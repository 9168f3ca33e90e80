"""The cost of one delivery alone (issue 14): the server's CPU per event handed to a socket in a
room, with python-socketio's own manager (a task per recipient) and with this project's
(server/realtime/fanout.py), each on asyncio's own loop and on uvloop, side by side in one run.

    .venv/bin/python scripts/fanout_bench.py --sockets 50 --events 2000 --rate 400 --rounds 3

Each variant is a socket.io server of its own process, on aiohttp as `mentorspace serve` is,
with N websocket clients in one room (raw engine.io clients in this process, so that nothing of
the client library is measured on the server's side).  The server emits E events of a chat
message's size to the room at R a second, and the server's CPU (user and system, from the
moment it starts until every client has every event) is divided by N x E.  Nothing else is in
it: no post, no storage, no session; scripts/bench.py measures the whole path.  Rounds run the
variants in turn, so that a change in the machine's load touches each alike.  Prints one JSON
line per run, then one with each variant's median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from bench import free_port, python_loop_ms

ROOM = "room"
VARIANTS = ("library/asyncio", "library/uvloop", "fanout/asyncio", "fanout/uvloop")
MESSAGE = {  # the size and shape of a chat message as the server sends it (channels/chat/wire.py)
    "id": 123456,
    "channel_id": 42,
    "seq": 9876,
    "created_seq": 9876,
    "author": {"id": 7, "name": "Sara Nielsen", "avatar_url": "/avatars/7.webp"},
    "body": "Jeg har sendt dig mit CV-udkast v2.1 - kan du kigge på det inden torsdag?",
    "html": "<p>Jeg har sendt dig mit CV-udkast v2.1 - kan du kigge på det inden torsdag?</p>",
    "created_at": "2026-11-30T07:30:00+00:00",
    "edited_at": None,
    "deleted_at": None,
    "thread_id": None,
    "reply_count": 0,
    "reactions": [],
    "attachments": [],
}


def serve(port: int, variant: str) -> None:
    """One server: `variant` is manager/loop."""
    import socketio
    import uvloop
    from aiohttp import web

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from server.realtime.fanout import FanoutManager

    manager_name, loop_name = variant.split("/")
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=FanoutManager() if manager_name == "fanout" else None,
        ping_interval=300,
        logger=False,
        engineio_logger=False,
    )
    app = web.Application()
    sio.attach(app)

    @sio.event
    async def connect(sid: str, environ: dict, auth: object = None) -> None:
        await sio.enter_room(sid, ROOM)

    async def fire(request: web.Request) -> web.Response:
        events, rate = int(request.query["events"]), float(request.query["rate"])
        started = time.monotonic()
        for n in range(events):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await sio.emit("message", {**MESSAGE, "seq": n}, room=ROOM)
        return web.json_response({})

    async def cpu(request: web.Request) -> web.Response:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return web.json_response({"cpu_s": usage.ru_utime + usage.ru_stime})

    app.router.add_get("/fire", fire)
    app.router.add_get("/cpu", cpu)
    loop = uvloop.new_event_loop() if loop_name == "uvloop" else asyncio.new_event_loop()
    web.run_app(app, host="127.0.0.1", port=port, print=None, loop=loop)


async def measure(url: str, sockets: int, events: int, rate: float) -> float:
    """Server CPU µs per delivered event."""
    async with aiohttp.ClientSession(url) as http:
        for _ in range(100):  # until the server answers
            try:
                async with http.get("/cpu"):
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
        clients = []
        for _ in range(sockets):
            ws = await http.ws_connect("/socket.io/?EIO=4&transport=websocket")
            assert (await ws.receive_str()).startswith("0")  # engine.io open
            await ws.send_str("40")  # socket.io connect to "/"
            assert (await ws.receive_str()).startswith("40")
            clients.append(ws)
        received = [0] * sockets
        all_in = asyncio.Event()

        async def read(n: int, ws: aiohttp.ClientWebSocketResponse) -> None:
            async for frame in ws:
                if frame.data.startswith("42"):
                    received[n] += 1
                    if received[n] == events and min(received) == events:
                        all_in.set()

        readers = [asyncio.create_task(read(n, ws)) for n, ws in enumerate(clients)]
        async with http.get("/cpu") as answer:
            before = (await answer.json())["cpu_s"]
        async with http.get("/fire", params={"events": events, "rate": rate}) as answer:
            await answer.read()
        await asyncio.wait_for(all_in.wait(), timeout=max(60.0, 4 * events / rate))
        async with http.get("/cpu") as answer:
            after = (await answer.json())["cpu_s"]
        for reader in readers:
            reader.cancel()
        for ws in clients:
            await ws.close()
    return (after - before) * 1e6 / (sockets * events)


def run(variant: str, args: argparse.Namespace) -> float:
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), variant])
    try:
        url = f"http://127.0.0.1:{port}"
        return asyncio.run(measure(url, args.sockets, args.events, args.rate))
    finally:
        server.terminate()
        server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=50, help="clients in the room (N)")
    parser.add_argument("--events", type=int, default=2000, help="events emitted (E)")
    parser.add_argument("--rate", type=float, default=400, help="events a second (R)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of every variant")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), args.serve[1])
        return 0
    results: dict[str, list[float]] = {variant: [] for variant in args.variants}
    for round_ in range(1, args.rounds + 1):
        for variant in args.variants:
            speed = python_loop_ms()
            us = run(variant, args)
            results[variant].append(us)
            line = {"round": round_, "variant": variant, "server_cpu_us_per_delivery": round(us, 2)}
            print(json.dumps({**line, "python_loop_ms": speed}), flush=True)
    medians = {variant: round(statistics.median(us), 2) for variant, us in results.items()}
    print(json.dumps({"median_server_cpu_us_per_delivery": medians}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
