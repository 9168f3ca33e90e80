"""Measure what idle connections cost one node: start `mentorspace serve` on a temporary demo
programme, open N socket.io connections (websocket transport, as browsers use) to it, keep them
idle through at least one Engine.IO ping round, then post one message and check every socket
gets it.  Prints one JSON line with the server's RSS before and with the sockets, the memory
per socket, the server's CPU while they idled, and whether any socket was lost.

    python scripts/idle_sockets.py --sockets 2000            # issue 14's target: RSS < 300 MB

The sockets log in as the four demo accounts that read the mentor lounge (several tabs per
person, as the benchmark does), spread over `--procs` client processes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import socketio
from bench import (
    LOUNGE_USERS,
    NO_LIMITS,
    ServerProcess,
    _receive,
    free_port,
    log_in,
    python_loop_ms,
    seed,
)

from server.auth import COOKIE

CONNECT_AT_ONCE = 20
MARKER = "idle-sockets-probe"


async def _hold(conn: Connection, url: str, cookies: list[str], wait_s: float) -> None:
    """One client process: connect its sockets, say so, idle until told, then count who got
    the probe message (sent by the first process's first socket)."""
    clients = [socketio.AsyncClient(reconnection=False) for _ in cookies]
    got = asyncio.Event()
    received = 0
    dropped = 0

    def on_message(data: Any) -> None:
        nonlocal received
        if isinstance(data, dict) and data.get("body") == MARKER:
            received += 1
            if received == len(clients):
                got.set()

    def on_disconnect(*_: Any) -> None:
        nonlocal dropped
        dropped += 1

    for client in clients:
        client.on("message", on_message)
        client.on("disconnect", on_disconnect)
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def connect(client: socketio.AsyncClient, cookie: str) -> str | None:
        async with gate:
            try:
                await client.connect(
                    url,
                    headers={"Cookie": f"{COOKIE}={cookie}"},
                    transports=["websocket"],
                    wait_timeout=wait_s,
                )
            except Exception as error:  # reported, not raised
                return repr(error)
        return None

    try:
        failed = [e for e in await asyncio.gather(*map(connect, clients, cookies)) if e]
        conn.send(("connected", {"connected": len(clients) - len(failed), "errors": failed[:3]}))
        _, probe = await asyncio.to_thread(_receive, conn, 3600)
        if probe is not None:  # this process sends the probe
            ack = await clients[0].call(
                "message:send",
                {"channel_id": probe, "client_id": f"{MARKER}-1", "body": MARKER},
                timeout=wait_s,
            )
            if not (isinstance(ack, dict) and ack.get("ok")):
                raise RuntimeError(f"the probe was refused: {ack}")
        try:
            await asyncio.wait_for(got.wait(), wait_s)
        except TimeoutError:
            pass
        conn.send(("probe", {"received": received, "dropped": dropped}))
    finally:
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def client_main(conn: Connection, url: str, cookies: list[str], timeout: float) -> None:
    asyncio.run(_hold(conn, url, cookies, timeout))


def rss_mb(server: ServerProcess) -> float:
    return round(server.status_kb("VmRSS") / 1024, 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="mentorspace-idle-"))
    data_dir = folder / "data"
    server = ServerProcess(data_dir, free_port())
    processes: list[tuple[Connection, multiprocessing.process.BaseProcess]] = []
    try:
        seed(data_dir, args.timeout)
        server.start(args.timeout, NO_LIMITS)
        cookies, lounge = asyncio.run(log_in(server.url, LOUNGE_USERS))
        rss_before = rss_mb(server)
        context = multiprocessing.get_context("spawn")
        for number in range(args.procs):
            mine = [cookies[k % len(cookies)] for k in range(number, args.sockets, args.procs)]
            ours, theirs = context.Pipe()
            process = context.Process(
                target=client_main, args=(theirs, server.url, mine, args.timeout), daemon=True
            )
            process.start()
            processes.append((ours, process))
        started = time.monotonic()
        connected = [_receive(ours, args.timeout * 10)[1] for ours, _ in processes]
        connect_s = time.monotonic() - started
        rss_connected = rss_mb(server)
        cpu_before = server.cpu_s()
        time.sleep(args.hold)  # the measurement itself: idle sockets, pings and all
        idle_cpu_s = server.cpu_s() - cpu_before
        rss_idle = rss_mb(server)
        for number, (ours, _) in enumerate(processes):
            ours.send(("probe", lounge if number == 0 else None))
        probed = [_receive(ours, args.timeout * 3)[1] for ours, _ in processes]
        sockets = sum(c["connected"] for c in connected)
        return {
            "sockets": args.sockets,
            "connected": sockets,
            "connect_errors": [e for c in connected for e in c["errors"]][:3],
            "connect_s": round(connect_s, 1),
            "server_rss_before_mb": rss_before,
            "server_rss_connected_mb": rss_connected,
            "server_rss_after_idle_mb": rss_idle,
            "server_peak_rss_mb": round(server.status_kb("VmHWM") / 1024, 1),
            "kb_per_socket": round((rss_idle - rss_before) * 1024 / max(sockets, 1), 1),
            "idle_s": args.hold,
            "server_cpu_idle_s": round(idle_cpu_s, 2),
            "probe_received": sum(p["received"] for p in probed),
            "dropped": sum(p["dropped"] for p in probed),
            "cores": os.cpu_count(),
            "python_loop_ms": python_loop_ms(),
        }
    finally:
        for ours, process in processes:
            ours.close()
            process.join(args.timeout)
            if process.is_alive():
                process.kill()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument("--hold", type=float, default=30, help="seconds the sockets idle")
    parser.add_argument("--timeout", type=float, default=60, help="seconds any one step may take")
    args = parser.parse_args(argv)
    if args.sockets < 1 or args.procs < 1 or args.procs > args.sockets or args.hold < 0:
        parser.error("--sockets and --procs must be at least 1, --procs at most --sockets")
    result = run(args)
    print(json.dumps(result))
    lost = result["connected"] != args.sockets or result["probe_received"] != args.sockets
    return 1 if lost or result["dropped"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
