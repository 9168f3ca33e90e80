"""Kill -9 write storm: `mentorspace serve` runs as its own process while socket.io clients send
messages, each with its own client_id; the server is killed with SIGKILL in the middle of the
storm and started again, CYCLES times.  Clients reconnect and send every message that was not
acknowledged again with the same client_id (the idempotent send).  At the end, with the server
stopped, the database must hold every acknowledged client_id exactly once (as the message the
ACK named), pass `PRAGMA integrity_check`, and each channel's seq must have no gap.

    python scripts/storm.py                      # 20 kills, 20 clients
    python scripts/storm.py --cycles 5 --keep    # keep the data dir and server log

It prints one JSON line; the exit status is 0 when every check holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from bench import ServerProcess, free_port, seed

from channels.demo import DEMO_DOMAIN, DEMO_PASSWORD
from server.auth import COOKIE
from storage import DATABASE_FILE

PREFIX = "storm-"  # client_id of a storm message: storm-<client>-<k>
# Each demo account, and the kinds of channel it posts into (dealt out among its clients).
ACCOUNTS = {
    "coordinator": ("announcements", "mentor_lounge", "mentee_lounge"),
    **{f"mentor{n}": ("pair", "mentor_lounge") for n in (1, 2, 3)},
    **{f"mentee{n}": ("pair", "mentee_lounge") for n in (1, 2, 3)},
}
RETRY_S = 0.05  # between connection attempts while the server is down
RATE_LIMITED_WAIT_S = 0.25


class StormClient:
    """One socket.io client sending messages one at a time, until each is acknowledged: it
    reconnects after the server dies and sends the unacknowledged message again, with the
    same client_id."""

    def __init__(
        self,
        number: int,
        url: str,
        cookie: str,
        channel_id: int,
        timeout: float,
        progress: asyncio.Event,
    ) -> None:
        self.number, self.url, self.cookie, self.progress = number, url, cookie, progress
        self.channel_id, self.timeout = channel_id, timeout
        # Its own HTTP session (engine.io puts the cookie into its jar), closed by close().
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self.http)
        self.sio.on("disconnect", self._lost)
        self.acked: dict[str, int] = {}  # client_id -> id of the message its ACK named
        self.errors: list[str] = []
        self.resent = 0
        self._answer: asyncio.Future | None = None

    async def close(self) -> None:
        await self.sio.disconnect()
        await self.http.close()

    def _lost(self, *_: Any) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(None)

    async def run(self, stop: asyncio.Event) -> None:
        k, client_id = 0, None
        while client_id is not None or not stop.is_set():
            if client_id is None:
                client_id, k = f"{PREFIX}{self.number}-{k}", k + 1
            if not self.sio.connected and not await self._connect():
                continue
            ack = await self._send(client_id)
            if ack is None:
                self.resent += 1  # no answer: the server died (or is slow); same client_id again
            elif ack.get("ok"):
                message_id = ack["message"]["id"]
                if self.acked.setdefault(client_id, message_id) != message_id:
                    self.errors.append(f"{client_id} acknowledged as two messages")
                client_id = None
                self.progress.set()
            elif ack.get("error", {}).get("code") == "rate_limited":
                await asyncio.sleep(RATE_LIMITED_WAIT_S)
            else:
                self.errors.append(f"{client_id}: {ack}")
                client_id = None

    async def _send(self, client_id: str) -> dict[str, Any] | None:
        answer = self._answer = asyncio.get_running_loop().create_future()

        def acknowledged(data: Any = None) -> None:
            if not answer.done():
                answer.set_result(data if isinstance(data, dict) else {"error": repr(data)})

        payload = {"channel_id": self.channel_id, "client_id": client_id, "body": client_id}
        try:
            await self.sio.emit("message:send", payload, callback=acknowledged)
            return await asyncio.wait_for(answer, self.timeout)
        except (socketio.exceptions.SocketIOError, TimeoutError):
            return None

    async def _connect(self) -> bool:
        try:
            await self.sio.connect(
                self.url,
                headers={"Cookie": f"{COOKIE}={self.cookie}"},
                transports=["websocket"],
                wait_timeout=self.timeout,
            )
            return True
        except socketio.exceptions.ConnectionError:
            await asyncio.sleep(RETRY_S)
            return False


async def log_in(url: str) -> dict[str, tuple[str, list[int]]]:
    """Per demo account: a session cookie, and the channels its clients post into."""
    async with aiohttp.ClientSession(url, cookie_jar=aiohttp.DummyCookieJar()) as http:

        async def account(handle: str, kinds: tuple[str, ...]) -> tuple[str, list[int]]:
            payload = {"email": f"{handle}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD}
            async with http.post("/api/v1/session", json=payload) as response:
                if response.status != 200:
                    raise RuntimeError(f"login as {handle} failed: {await response.text()}")
                cookie = response.cookies[COOKIE].value
            headers = {"Cookie": f"{COOKIE}={cookie}"}
            async with http.get("/api/v1/channels", headers=headers) as response:
                channels = (await response.json())["channels"]
            return cookie, [c["id"] for c in channels if c["kind"] in kinds]

        found = await asyncio.gather(*(account(h, kinds) for h, kinds in ACCOUNTS.items()))
    return dict(zip(ACCOUNTS, found, strict=True))


async def until_acked(clients: list[StormClient], count: int, limit_s: float) -> None:
    """Wait until the clients hold `count` ACKs in all."""
    progress = clients[0].progress
    async with asyncio.timeout(limit_s):
        while sum(len(client.acked) for client in clients) < count:
            progress.clear()
            await progress.wait()


def kill(server: ServerProcess) -> None:
    assert server.proc is not None
    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(10)


async def storm(server: ServerProcess, args: argparse.Namespace) -> tuple[dict[str, int], dict]:
    """Run the storm; the acknowledged client_ids (-> message ids) and the clients' tallies."""
    rng = random.Random(args.seed)
    await asyncio.to_thread(server.start, args.timeout)
    accounts = await log_in(server.url)
    handles = list(accounts)
    clients, progress = [], asyncio.Event()
    for number in range(args.clients):
        cookie, channel_ids = accounts[handles[number % len(handles)]]
        channel_id = channel_ids[(number // len(handles)) % len(channel_ids)]
        clients.append(StormClient(number, server.url, cookie, channel_id, args.timeout, progress))
    stop = asyncio.Event()
    running = [asyncio.create_task(client.run(stop)) for client in clients]

    try:
        for cycle in range(args.cycles):
            if cycle:
                await asyncio.to_thread(server.start, args.timeout)
            # Kill once a random number of messages have been acknowledged since the start,
            # while every client has one in flight.
            acked = sum(len(client.acked) for client in clients)
            await until_acked(clients, acked + rng.randint(1, 2 * args.clients), args.timeout)
            kill(server)
        await asyncio.to_thread(server.start, args.timeout)
        stop.set()  # each client finishes the message it is sending, then stops
        await asyncio.wait_for(asyncio.gather(*running), args.timeout)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    acknowledged = {cid: mid for client in clients for cid, mid in client.acked.items()}
    tallies = {
        "resent": sum(c.resent for c in clients),
        "errors": [e for c in clients for e in c.errors],
    }
    return acknowledged, tallies


def check_storage(data_dir: Path, acked: dict[str, int]) -> dict[str, Any]:
    """What the stopped server left on disk, against what was acknowledged."""
    with sqlite3.connect(f"file:{data_dir / DATABASE_FILE}?mode=ro", uri=True) as db:
        integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
        stored: dict[str, list[int]] = {}
        for client_id, message_id in db.execute(
            "SELECT client_id, id FROM messages WHERE client_id LIKE ?", (PREFIX + "%",)
        ):
            stored.setdefault(client_id, []).append(message_id)
        gaps = {}
        for channel_id, last_seq in db.execute("SELECT id, last_seq FROM channels"):
            rows = db.execute(
                "SELECT created_seq, seq FROM messages WHERE channel_id = ?", (channel_id,)
            ).fetchall()
            created = [row[0] for row in rows]
            taken = set(created) | {row[1] for row in rows}
            if len(set(created)) != len(created) or taken != set(range(1, last_seq + 1)):
                gaps[channel_id] = sorted(set(range(1, last_seq + 1)) ^ taken)[:20]
    return {
        "integrity": integrity,
        "missing": sorted(c for c in acked if c not in stored)[:20],
        "duplicates": sorted(c for c, ids in stored.items() if len(ids) > 1)[:20],
        "not_as_acked": sorted(c for c in acked if stored.get(c, [acked[c]]) != [acked[c]])[:20],
        "unacknowledged": sorted(set(stored) - set(acked))[:20],
        "seq_gaps": gaps,
    }


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    data_dir = args.data_dir or workdir / "data"
    if not (data_dir / DATABASE_FILE).exists():
        seed(data_dir, args.timeout)
    server = ServerProcess(data_dir, free_port())
    server.log_path = workdir / "server.log"
    try:
        acked, tallies = asyncio.run(storm(server, args))
    finally:
        server.stop()
    found = check_storage(data_dir, acked)
    ok = (
        found["integrity"] == ["ok"]
        and not tallies["errors"]
        and not any(found[key] for key in ("missing", "duplicates", "not_as_acked", "seq_gaps"))
    )
    result = {
        "ok": ok,
        "cycles": args.cycles,
        "clients": args.clients,
        "acked": len(acked),
        "resent": tallies["resent"],
        "errors": tallies["errors"][:20],
        **found,
    }
    if args.report:
        args.report.write_text(json.dumps({**result, "acked_ids": acked}))
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=20, help="kill -9 and restart this often")
    parser.add_argument("--clients", type=int, default=20, help="socket.io clients sending")
    parser.add_argument("--seed", type=int, default=None, help="random seed for the kill points")
    parser.add_argument("--timeout", type=float, default=30, help="seconds any one step may take")
    parser.add_argument(
        "--data-dir", type=Path, help="use this data dir (seeded with the demo when empty)"
    )
    parser.add_argument("--report", type=Path, help="also write the result and ACKs here")
    parser.add_argument("--keep", action="store_true", help="keep the work dir and server log")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.cycles < 1 or args.clients < 1:
        raise SystemExit("need --cycles >= 1 and --clients >= 1")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the server on SIGTERM too
    workdir = Path(tempfile.mkdtemp(prefix="mentorspace-storm-"))
    try:
        result = run(args, workdir)
        print(json.dumps(result), flush=True)
        return 0 if result["ok"] else 1
    except KeyboardInterrupt:
        print("storm: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        print(f"storm: {type(error).__name__}: {error}", file=sys.stderr)
        log = workdir / "server.log"
        if log.exists():
            print(f"server log (last lines):\n{log.read_text()[-3000:]}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"storm: work dir kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
