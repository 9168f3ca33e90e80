"""Benchmark the live message path: start `mentorspace serve` as its own process on a temporary
data dir, connect N socket.io clients to the mentor lounge, send M messages from S of them at a
fixed total rate R msg/s (R = 0: as fast as each sender's window of in-flight messages allows),
and print one JSON line.

    python scripts/bench.py --clients 50 --senders 1 --messages 4000 --rate 200
    python scripts/bench.py --clients 10 --senders 10 --messages 10000 --rate 0
    python scripts/bench.py --clients 20 --senders 3 --messages 600 --rate 12 --warmup 5 --flood
    python scripts/bench.py --search    # 200,000 messages over 500 channels, then searches
    python scripts/bench.py --database-url postgresql://postgres@127.0.0.1/test --nodes 2 \
        --clients 50 --senders 1 --messages 4000 --rate 200

With `--database-url` the programme is kept in a fresh PostgreSQL database made on that server
for the run (the URL's own database is only used to create and drop it).  With `--nodes N`,
N server processes share it (or, on SQLite, one data dir) and Redis (`--redis-url`, under a
channel name of the run's own), and the clients are dealt out over them in turn; the server
CPU and memory figures are the nodes' together.

The clients are spread over `--procs` worker processes so that decoding the fan-out does not
make the benchmark its own bottleneck.  Each message's client_id carries its send time
(CLOCK_MONOTONIC, which is system-wide on Linux), so any process can time a delivery.  A
message is lost when it was acknowledged but some client never received it, or when it is
missing from the database once the server has stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import socketio

from channels.demo import DEMO_DOMAIN, DEMO_PASSWORD
from server.auth import COOKIE
from storage import DATABASE_FILE

# Demo accounts that can read the mentor lounge; sockets are dealt out among them, so a few
# argon2 logins serve any number of clients (several tabs per person, as in real life).
LOUNGE_USERS = ["coordinator", "mentor1", "mentor2", "mentor3"]
FLOODER = "mentor3"  # with --flood: the abusive client, never one of the normal users
MESSAGE_RATE = 5.0  # the server's default per-person limit, which --flood keeps
# Without --flood the benchmark measures the server's throughput, not its limits.
NO_LIMITS = ["--max-sockets-per-user", "1000", "--max-sockets-per-address", "100000"]
NO_RATE_LIMIT = ["--message-rate", "1000000", "--message-burst", "1000000"]
LOUNGE_KIND = "mentor_lounge"
PREFIX = "bench-"  # client_id of a measured message: bench-<k>-<send time in ns>
WARM_PREFIX = "warm-"
CONNECT_AT_ONCE = 10


@dataclass(frozen=True)
class Plan:
    """What one worker process does: its sockets, its senders, and the shared parameters."""

    urls: list[str]  # per socket: the node it connects to
    channel_id: int
    cookies: list[str]  # one per socket this worker owns
    sender_ids: list[int | None]  # per socket: the global sender number, or None
    senders: int
    messages: int
    rate: float
    window: int
    warmup: int
    timeout: float


# --- the worker: its share of the clients, senders among them ---------------------------


class Receiver:
    """One socket.io client that notes when each measured message reaches it."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.seen: set[int] = set()
        self.latencies_ns: list[int] = []
        self.duplicates = 0
        self.missing: set[int] | None = None  # acknowledged but not yet here, once known
        self.complete = asyncio.Event()
        self.sio.on("message", self.on_message)

    def expect(self, acked: set[int]) -> None:
        self.missing = acked - self.seen
        if not self.missing:
            self.complete.set()

    def on_message(self, data: Any) -> None:
        now = time.monotonic_ns()
        client_id = data.get("client_id") if isinstance(data, dict) else None
        if not client_id or not client_id.startswith(PREFIX):
            return
        _, k, sent_ns = client_id.split("-")
        k = int(k)
        if k in self.seen:
            self.duplicates += 1
            return
        self.seen.add(k)
        self.latencies_ns.append(now - int(sent_ns))
        if self.missing is not None:
            self.missing.discard(k)
            if not self.missing:
                self.complete.set()


class Sender:
    """Sends its share of the messages through one receiver's socket: on a fixed schedule
    when a rate is given, otherwise keeping `window` messages in flight."""

    def __init__(self, plan: Plan, number: int, socket_client: socketio.AsyncClient) -> None:
        self.plan = plan
        self.number = number
        self.sio = socket_client
        self.sent: dict[int, int] = {}  # k -> send time (ns)
        self.acked: dict[int, tuple[int, int]] = {}  # k -> (ack time ns, message id)
        self.errors: list[Any] = []
        self.max_lag_ns = 0

    async def warm_up(self, count: int) -> None:
        for i in range(count):
            ack = await self.sio.call(
                "message:send",
                self._payload(f"{WARM_PREFIX}{self.number}-{i}", "warm-up"),
                timeout=self.plan.timeout,
            )
            if not ack.get("ok"):
                raise RuntimeError(f"warm-up message refused: {ack}")

    async def run(self, start_ns: int) -> None:
        plan = self.plan
        loop = asyncio.get_running_loop()
        all_acked = loop.create_future()
        window = asyncio.Semaphore(plan.window) if plan.rate <= 0 else None
        mine = range(self.number, plan.messages, plan.senders)
        pending = len(mine)
        if pending == 0:
            return

        def acknowledged(k: int, ack: Any) -> None:
            nonlocal pending
            now = time.monotonic_ns()
            if isinstance(ack, dict) and ack.get("ok"):
                self.acked[k] = (now, ack["message"]["id"])
            else:
                self.errors.append(ack)
            if window is not None:
                window.release()
            pending -= 1
            if pending == 0 and not all_acked.done():
                all_acked.set_result(None)

        for k in mine:
            if window is not None:
                await window.acquire()
            else:
                due_ns = start_ns + int(k * 1e9 / plan.rate)
                delay = (due_ns - time.monotonic_ns()) / 1e9
                if delay > 0:
                    await asyncio.sleep(delay)
                self.max_lag_ns = max(self.max_lag_ns, time.monotonic_ns() - due_ns)
            sent_ns = time.monotonic_ns()
            self.sent[k] = sent_ns
            await self.sio.emit(
                "message:send",
                self._payload(f"{PREFIX}{k}-{sent_ns}", f"Benchmark message {k}"),
                callback=lambda ack, k=k: acknowledged(k, ack),
            )
        try:
            await asyncio.wait_for(all_acked, plan.timeout)
        except TimeoutError:
            self.errors.append(f"sender {self.number}: {pending} ACKs missing after timeout")

    def _payload(self, client_id: str, body: str) -> dict[str, Any]:
        return {"channel_id": self.plan.channel_id, "body": body, "client_id": client_id}


def _receive(conn: Connection, timeout: float) -> Any:
    if not conn.poll(timeout):
        raise TimeoutError("the benchmark's coordinator did not answer in time")
    return conn.recv()


async def _connect(receiver: Receiver, url: str, cookie: str, gate: asyncio.Semaphore, wait_s):
    async with gate:
        await receiver.sio.connect(
            url,
            headers={"Cookie": f"{COOKIE}={cookie}"},
            transports=["websocket"],
            wait_timeout=wait_s,
        )


async def _work(conn: Connection, plan: Plan) -> None:
    receivers = [Receiver() for _ in plan.cookies]
    try:
        gate = asyncio.Semaphore(CONNECT_AT_ONCE)
        await asyncio.gather(
            *(
                _connect(r, u, c, gate, plan.timeout)
                for r, u, c in zip(receivers, plan.urls, plan.cookies, strict=True)
            )
        )
        senders = [
            Sender(plan, number, receiver.sio)
            for number, receiver in zip(plan.sender_ids, receivers, strict=True)
            if number is not None
        ]
        await asyncio.gather(*(s.warm_up(plan.warmup) for s in senders))
        conn.send(("ready", len(receivers)))
        _, start_ns = await asyncio.to_thread(_receive, conn, plan.timeout)
        cpu_before = time.process_time()

        await asyncio.gather(*(s.run(start_ns) for s in senders))
        cpu_s = time.process_time() - cpu_before  # same span as the server's CPU figure
        conn.send(("sent", [k for s in senders for k in s.acked]))
        _, acked = await asyncio.to_thread(_receive, conn, plan.timeout * 2)
        acked = set(acked)
        for receiver in receivers:
            receiver.expect(acked)
        waiting = asyncio.gather(*(r.complete.wait() for r in receivers))
        try:
            await asyncio.wait_for(waiting, plan.timeout)
        except TimeoutError:
            pass  # whatever has not arrived by now counts as lost

        conn.send(
            (
                "result",
                {
                    "sent": {k: t for s in senders for k, t in s.sent.items()},
                    "acked": {k: a for s in senders for k, a in s.acked.items()},
                    "errors": [repr(e) for s in senders for e in s.errors],
                    "max_lag_ns": max((s.max_lag_ns for s in senders), default=0),
                    "latencies_ns": [t for r in receivers for t in r.latencies_ns],
                    "undelivered": sorted(set().union(*(acked - r.seen for r in receivers))),
                    "duplicates": sum(r.duplicates for r in receivers),
                    "cpu_s": cpu_s,
                },
            )
        )
    finally:
        await asyncio.gather(*(r.sio.disconnect() for r in receivers), return_exceptions=True)


async def _flood(conn: Connection, url: str, cookie: str, channel_id: int, step_s: float):
    """The abusive client: sends message:send as fast as it can without waiting for ACKs,
    reconnecting whenever the server hangs up, until the coordinator says stop."""
    counts = {"sent": 0, "accepted": 0, "refused": 0, "other_errors": 0, "hung_up": 0}
    stop = asyncio.Event()

    def acked(ack: Any) -> None:
        if isinstance(ack, dict) and ack.get("ok"):
            counts["accepted"] += 1
        elif isinstance(ack, dict) and ack.get("error", {}).get("code") == "rate_limited":
            counts["refused"] += 1
        else:
            counts["other_errors"] += 1

    async def wait_for_stop() -> None:
        await asyncio.to_thread(_receive, conn, step_s * 10)
        stop.set()

    conn.send(("ready", None))
    watcher = asyncio.create_task(wait_for_stop())
    n = 0
    while not stop.is_set():
        sio = socketio.AsyncClient(reconnection=False)
        try:
            await sio.connect(
                url,
                headers={"Cookie": f"{COOKIE}={cookie}"},
                transports=["websocket"],
                wait_timeout=step_s,
            )
        except socketio.exceptions.ConnectionError:
            await asyncio.sleep(0.05)
            continue
        while sio.connected and not stop.is_set():
            n += 1
            payload = {"channel_id": channel_id, "body": f"flood {n}", "client_id": f"flood-{n}"}
            await sio.emit("message:send", payload, callback=acked)
            counts["sent"] += 1
            await asyncio.sleep(0)  # let the socket's writer and the ACKs run
        if not stop.is_set():
            counts["hung_up"] += 1
        await sio.disconnect()
    await watcher
    conn.send(("flooded", counts))


def flood_main(conn: Connection, url: str, cookie: str, channel_id: int, timeout: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        asyncio.run(_flood(conn, url, cookie, channel_id, timeout))
    except BaseException as error:
        try:
            conn.send(("failed", f"{type(error).__name__}: {error}"))
        except OSError:
            pass
        raise SystemExit(1) from None


def worker_main(conn: Connection, plan: Plan) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator decides when to stop
    _die_with_parent()
    try:
        asyncio.run(_work(conn, plan))
    except BaseException as error:  # report anything to the coordinator, then exit
        try:
            conn.send(("failed", f"{type(error).__name__}: {error}"))
        except OSError:
            pass
        raise SystemExit(1) from None


# --- the coordinator: server, logins, workers, and the verdict ---------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clean_env() -> dict[str, str]:
    """The environment without MENTORSPACE_* settings that could point the server elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MENTORSPACE_")}


def _die_with_parent() -> None:
    """In a child process: get SIGTERM if the benchmark itself is killed outright."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ServerProcess:
    """`mentorspace serve` in its own process group, stopped for sure by `stop()`."""

    def __init__(self, data_dir: Path, port: int, log_name: str = "server.log") -> None:
        self.data_dir = data_dir
        self.port = port
        self.log_path = data_dir.parent / log_name
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float, flags: list[str] | None = None) -> None:
        command = [sys.executable, "-m", "server.cli", "serve", "--data-dir", str(self.data_dir)]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        command += flags or []
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_clean_env(),
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited at start-up:\n{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not listen within {timeout} s:\n{self.log_tail()}")

    def status_kb(self, field: str) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise LookupError(field)

    def cpu_s(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout: float = 15) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def kill(self) -> None:
        """Die at once (SIGKILL), as a crashed machine would: nothing is closed or said."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def python_loop_ms() -> float:
    """How fast this machine runs plain Python right now (lower is faster): the best of three
    timings of one fixed loop, so that runs on different days, or beside other load, can be
    compared."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i % 7
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def machine_busy_s() -> float:
    """CPU seconds all processes on this machine have used since boot (every core)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def seed(data_dir: Path, timeout: float, database_url: str = "") -> None:
    where = ["--database-url", database_url] if database_url else []
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "demo", "--data-dir", str(data_dir), *where],
        env=_clean_env(),
        timeout=timeout,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"seeding the demo programme failed:\n{done.stderr}")


async def log_in(url: str, handles: list[str], *, consent: bool = False) -> tuple[list[str], int]:
    """A session cookie per handle, and the id of the lounge they all read.  With `consent`,
    the mentors agree to the research first, so their messages go into the usage record."""
    cookies = []
    async with aiohttp.ClientSession(url, cookie_jar=aiohttp.DummyCookieJar()) as http:
        for handle in handles:
            payload = {"email": f"{handle}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD}
            async with http.post("/api/v1/session", json=payload) as response:
                if response.status != 200:
                    raise RuntimeError(f"login as {handle} failed: {await response.text()}")
                cookies.append(response.cookies[COOKIE].value)
            if consent and handle != "coordinator":
                headers = {"Cookie": f"{COOKIE}={cookies[-1]}"}
                async with http.put(
                    "/api/v1/me/research-consent", json={"consented": True}, headers=headers
                ) as response:
                    if response.status != 200:
                        raise RuntimeError(f"consent of {handle}: {await response.text()}")
        async with http.get("/api/v1/channels", headers={"Cookie": f"{COOKIE}={cookies[0]}"}) as r:
            channels = (await r.json())["channels"]
    lounge = next(c["id"] for c in channels if c["kind"] == LOUNGE_KIND)
    return cookies, lounge


def percentiles(values_ns: list[int]) -> dict[str, float | None]:
    """Nearest-rank p50/p95/p99 in milliseconds."""
    ordered = sorted(values_ns)
    if not ordered:
        return {"p50": None, "p95": None, "p99": None}

    def rank(p: float) -> float:
        index = max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))
        return round(ordered[int(index)] / 1e6, 2)

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99)}


def stored_client_ids(data_dir: Path, database_url: str = "") -> set[str]:
    if database_url:
        return asyncio.run(_stored_in_postgres(database_url))
    with sqlite3.connect(f"file:{data_dir / DATABASE_FILE}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT client_id FROM messages WHERE client_id LIKE ?", (PREFIX + "%",)
        ).fetchall()
    return {row[0] for row in rows}


async def _stored_in_postgres(database_url: str) -> set[str]:
    import asyncpg  # the `postgres` extra, only with --database-url

    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT client_id FROM messages WHERE client_id LIKE $1", PREFIX + "%"
        )
    finally:
        await conn.close()
    return {row[0] for row in rows}


class Database:
    """A fresh PostgreSQL database for one run, on the server of `admin_url`; dropped after."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"mentorspace_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        parts = urlsplit(admin_url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def _admin(self, statement: str) -> None:
        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(self.admin_url)
            try:
                await conn.execute(statement)
            finally:
                await conn.close()

        asyncio.run(run())

    def create(self) -> None:
        self._admin(f"CREATE DATABASE {self.name}")

    def stop(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def start_nodes(
    args: argparse.Namespace, data_dir: Path, children: list, flags: list[str]
) -> tuple[list[ServerProcess], str]:
    """The seeded programme and `args.nodes` servers on it; and the database URL (or "")."""
    database_url = ""
    if args.database_url:
        database = Database(args.database_url)
        database.create()
        children.append(database)
        database_url = database.url
    seed(data_dir, args.timeout, database_url)
    shared = ["--database-url", database_url] if database_url else []
    if args.nodes > 1:
        shared += ["--redis-url", args.redis_url, "--redis-channel", f"bench-{uuid.uuid4()}"]
        shared += ["--secret", secrets.token_hex(32)]
    nodes = []
    for n in range(args.nodes):
        # PostgreSQL: a data dir per node, as on separate machines; SQLite: the one data dir.
        node_dir = (
            data_dir if not database_url or n == 0 else data_dir.with_name(f"{data_dir.name}-{n}")
        )
        node_dir.mkdir(parents=True, exist_ok=True)
        node = ServerProcess(node_dir, free_port(), log_name=f"{data_dir.name}-server{n}.log")
        children.append(node)
        node.start(args.timeout, flags + shared)
        nodes.append(node)
    return nodes, database_url


def run(
    args: argparse.Namespace, workdir: Path, children: list, *, flood: bool = False
) -> dict[str, Any]:
    """One measured run on a fresh server.  With `args.flood` the server keeps its default
    message limits (in both runs of the comparison), and with `flood` the abusive client
    runs beside the load."""
    data_dir = workdir / ("data-flood" if flood else "data")
    flags = NO_LIMITS + ([] if args.flood else NO_RATE_LIMIT)
    nodes, database_url = start_nodes(args, data_dir, children, flags)
    server = nodes[0]

    handles = _normal_users(args)
    logged_in, channel_id = asyncio.run(
        log_in(server.url, [*handles, FLOODER] if flood else handles, consent=args.consent)
    )
    user_cookies, flooder_cookie = logged_in[: len(handles)], logged_in[-1]
    cookies = [user_cookies[i % len(user_cookies)] for i in range(args.clients)]
    procs = max(1, min(args.procs, args.clients))

    context = multiprocessing.get_context("spawn")
    workers: list[tuple[Any, Connection]] = []
    for w in range(procs):
        owned = range(w, args.clients, procs)  # socket i belongs to worker i % procs
        plan = Plan(
            urls=[nodes[i % len(nodes)].url for i in owned],
            channel_id=channel_id,
            cookies=[cookies[i] for i in owned],
            sender_ids=[i if i < args.senders else None for i in owned],
            senders=args.senders,
            messages=args.messages,
            rate=args.rate,
            window=args.window,
            warmup=args.warmup,
            timeout=args.timeout,
        )
        ours, theirs = context.Pipe()
        process = context.Process(target=worker_main, args=(theirs, plan), daemon=True)
        process.start()
        children.append(process)
        workers.append((process, ours))

    def gather(expected: str, timeout: float) -> list[Any]:
        replies = []
        for _, conn in workers:
            kind, value = _receive(conn, timeout)
            if kind != expected:
                raise RuntimeError(f"a worker failed: {value}")
            replies.append(value)
        return replies

    gather("ready", args.timeout * 3)
    flooder = None
    if flood:
        ours, theirs = context.Pipe()
        flooder = context.Process(
            target=flood_main,
            args=(theirs, server.url, flooder_cookie, channel_id, args.timeout),
            daemon=True,
        )
        flooder.start()
        children.append(flooder)
        flooder = (flooder, ours)
        if _receive(ours, args.timeout * 3)[0] != "ready":
            raise RuntimeError("the flooder failed to start")
    time.sleep(0.3)  # let warm-up deliveries drain (and the flood begin)
    server_cpu_before, machine_before = nodes_cpu_s(nodes), machine_busy_s()
    rss_start_kb = nodes_rss_kb(nodes)  # warmed up, every socket connected
    start_ns = time.monotonic_ns() + 100_000_000
    for _, conn in workers:
        conn.send(("go", start_ns))
    acked_lists = gather("sent", args.timeout * 3 + args.messages / max(args.rate, 1))
    flood_counts = None
    if flooder is not None:
        flooder[1].send(("stop", None))
        kind, flood_counts = _receive(flooder[1], args.timeout * 3)
        if kind != "flooded":
            raise RuntimeError(f"the flooder failed: {flood_counts}")
        flooder[0].join(args.timeout)
    server_cpu = nodes_cpu_s(nodes) - server_cpu_before
    machine_cpu = machine_busy_s() - machine_before
    all_acked = [k for ks in acked_lists for k in ks]
    for _, conn in workers:
        conn.send(("expect", all_acked))
    results = gather("result", args.timeout * 3)
    # Every delivery has arrived (or timed out) by now: the server's CPU from the first send
    # to here is what the messages cost it, fan-out included, divided by deliveries below.
    server_cpu_delivered = nodes_cpu_s(nodes) - server_cpu_before
    rss_end_kb = nodes_rss_kb(nodes)  # the same sockets still connected
    for process, _ in workers:  # they disconnect first: the server is slow to stop otherwise
        process.join(args.timeout)
    peak_rss_kb = sum(node.status_kb("VmHWM") for node in nodes)
    for node in nodes:
        node.stop()

    sent = {k: t for r in results for k, t in r["sent"].items()}
    acked = {k: a for r in results for k, a in r["acked"].items()}
    undelivered = set().union(*(r["undelivered"] for r in results))
    stored = stored_client_ids(data_dir, database_url)
    not_stored = {k for k in acked if f"{PREFIX}{k}-{sent[k]}" not in stored}
    first_send = min(sent.values(), default=0)
    last_ack = max((t for t, _ in acked.values()), default=first_send)
    elapsed_s = (last_ack - first_send) / 1e9
    errors = [e for r in results for e in r["errors"]]
    bench_cpu = sum(r["cpu_s"] for r in results)
    deliveries = sum(len(r["latencies_ns"]) for r in results)
    return {
        "nodes": len(nodes),
        "database": "postgresql" if database_url else "sqlite",
        "clients": args.clients,
        "senders": args.senders,
        "messages": args.messages,
        "rate": args.rate,
        "window": args.window if args.rate <= 0 else None,
        "procs": procs,
        "send_ack_ms": percentiles([acked[k][0] - sent[k] for k in acked]),
        "delivery_ms": percentiles([t for r in results for t in r["latencies_ns"]]),
        "persisted_per_s": round(len(acked) / elapsed_s, 1) if elapsed_s > 0 else None,
        "lost": len(undelivered | not_stored),
        "server_peak_rss_mb": round(peak_rss_kb / 1024, 1),
        # A long run (a soak: --messages 60000 --rate 100 is ten minutes) shows a leak here.
        "server_rss_start_mb": round(rss_start_kb / 1024, 1),
        "server_rss_end_mb": round(rss_end_kb / 1024, 1),
        "server_rss_growth_pct": round((rss_end_kb - rss_start_kb) * 100 / rss_start_kb, 1),
        "sent": len(sent),
        "acked": len(acked),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "undelivered": len(undelivered),
        "not_stored": len(not_stored),
        "duplicates": sum(r["duplicates"] for r in results),
        "elapsed_s": round(elapsed_s, 3),
        "max_send_lag_ms": round(max(r["max_lag_ns"] for r in results) / 1e6, 2),
        "server_cpu_s": round(server_cpu, 2),
        # The server's CPU (user + system) per message delivered to one socket, from the first
        # send until every client has its messages: the cost of one delivery, fan-out included.
        "deliveries": deliveries,
        "server_cpu_us_per_delivery": (
            round(server_cpu_delivered * 1e6 / deliveries, 1) if deliveries else None
        ),
        "bench_cpu_s": round(bench_cpu, 2),
        # CPU that other programs on this machine took while the messages were being sent:
        # when it is high, the figures above are noisy.
        "other_cpu_s": round(max(0.0, machine_cpu - server_cpu - bench_cpu), 2),
        "cores": os.cpu_count(),
        "python_loop_ms": args.python_loop_ms,
        **({"flooder": flood_counts} if flood_counts is not None else {}),
    }


def nodes_cpu_s(nodes: list[ServerProcess]) -> float:
    return sum(node.cpu_s() for node in nodes)


def nodes_rss_kb(nodes: list[ServerProcess]) -> int:
    return sum(node.status_kb("VmRSS") for node in nodes)


def _normal_users(args: argparse.Namespace) -> list[str]:
    users = [u for u in LOUNGE_USERS if not (args.flood and u == FLOODER)]
    return users[: max(1, min(args.users, args.clients, len(users)))]


def check_flood_args(args: argparse.Namespace) -> None:
    """--flood keeps the server's limits, so the normal load must stay within them."""
    users = len(_normal_users(args))
    per_user = args.rate / min(args.senders, users)
    warm_per_user = args.warmup * -(-args.senders // users)
    if args.rate <= 0 or per_user > MESSAGE_RATE * 0.8 or warm_per_user > 20:
        raise SystemExit(
            f"--flood needs --rate > 0 within the per-person limit ({MESSAGE_RATE:g} msg/s;"
            f" the senders are spread over {users} people, so at most"
            f" {MESSAGE_RATE * 0.8 * min(args.senders, users):g}) and at most 20 warm-up"
            " messages per person"
        )


def compare(without: dict[str, Any], with_flood: dict[str, Any]) -> dict[str, Any]:
    """The normal clients' figures without and with the flooder, side by side."""
    with_flood = dict(with_flood)
    flooder = with_flood.pop("flooder")
    return {
        "delivery_p99_ms": {
            "without_flood": without["delivery_ms"]["p99"],
            "with_flood": with_flood["delivery_ms"]["p99"],
        },
        "send_ack_p99_ms": {
            "without_flood": without["send_ack_ms"]["p99"],
            "with_flood": with_flood["send_ack_ms"]["p99"],
        },
        "flooder": flooder,
        "without_flood": without,
        "with_flood": with_flood,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10, help="socket.io clients (N)")
    parser.add_argument("--senders", type=int, default=1, help="clients that also send (S)")
    parser.add_argument("--messages", type=int, default=1000, help="messages in all (M)")
    parser.add_argument(
        "--rate", type=float, default=0.0, help="total msg/s; 0: as fast as possible"
    )
    parser.add_argument("--window", type=int, default=1, help="with --rate 0: in flight per sender")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured messages per sender")
    parser.add_argument("--procs", type=int, default=2, help="worker processes for the clients")
    parser.add_argument("--users", type=int, default=4, help="accounts the clients log in as (1-4)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds any one step may take")
    parser.add_argument(
        "--consent",
        action="store_true",
        help="the mentors agree to the research first (their posts are counted in the usage record)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="postgresql:// URL of a server to run on: a fresh database is made there for the"
        " run and dropped after (default: SQLite in a temporary data dir)",
    )
    parser.add_argument("--nodes", type=int, default=1, help="server processes sharing the data")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/0", help="with --nodes 2 or more"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dir and server log")
    parser.add_argument(
        "--flood",
        action="store_true",
        help="run twice on servers with their default limits, the second time beside one"
        " abusive client sending message:send as fast as it can; report both",
    )
    parser.add_argument(
        "--search",
        action="store_true",
        help="instead: fill a database with --search-messages over --search-channels (through"
        " storage) and time searches by a person who reads --search-share %% of the channels",
    )
    parser.add_argument("--search-messages", type=int, default=200_000)
    parser.add_argument("--search-channels", type=int, default=500)
    parser.add_argument("--search-share", type=int, default=5, help="percent of the channels")
    parser.add_argument("--queries", type=int, default=100, help="with --search: per kind")
    parser.add_argument("--seed", type=int, default=1, help="with --search: the data's seed")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.search:
        import search_bench  # beside this script; its own module, as it needs no server

        return search_bench.main(args, machine_busy_s)
    if not 1 <= args.senders <= args.clients or args.messages < 1 or args.window < 1:
        raise SystemExit("need 1 <= senders <= clients, messages >= 1 and window >= 1")
    if args.flood:
        check_flood_args(args)
    if not 1 <= args.nodes <= 16:
        raise SystemExit("need 1 <= nodes <= 16")
    # SIGTERM unwinds like Ctrl-C, so the server and workers are always stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    args.python_loop_ms = python_loop_ms()
    workdir = Path(tempfile.mkdtemp(prefix="mentorspace-bench-"))
    children: list[Any] = []
    try:
        if args.flood:
            without = run(args, workdir, children)
            result = compare(without, run(args, workdir, children, flood=True))
        else:
            result = run(args, workdir, children)
        print(json.dumps(result), flush=True)
        return 0
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        print(f"bench: {type(error).__name__}: {error}", file=sys.stderr)
        for child in children:
            if isinstance(child, ServerProcess):
                print(f"server log (last lines):\n{child.log_tail()}", file=sys.stderr)
        return 1
    finally:
        for child in reversed(children):
            if isinstance(child, (ServerProcess, Database)):
                child.stop()
            elif child.is_alive():
                child.terminate()
                child.join(5)
                if child.is_alive():
                    child.kill()
        if args.keep:
            print(f"bench: data and server log kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
