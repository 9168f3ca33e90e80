"""Test helpers: a real server on an ephemeral port, logged-in HTTP clients, real socket.io
clients that record what they receive."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import socketio
from aiohttp import web

from channels.clock import SYSTEM_CLOCK, Clock
from channels.demo import DEMO_DOMAIN, DEMO_PASSWORD
from server import keys
from server.app import create_app
from server.auth import cookie_name
from server.config import WEEKDAYS, Config
from server.security import RedactingAccessLogger

from .databases import database_url
from .openapi_check import check_documented


async def eventually(
    condition: Callable[[], Any], *, timeout: float = 10, every: float = 0.02
) -> Any:
    """Wait until `condition()` (sync or async) returns something truthy, and return it; fail
    after `timeout` seconds.  The one place tests wait by polling: never a bare sleep."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {condition}")
        await asyncio.sleep(every)


def email(handle: str) -> str:
    """'mentee1' -> 'mentee1@demo.mentorspace'"""
    return f"{handle}@{DEMO_DOMAIN}"


# How long a socket may take to be accepted: long, for a loaded machine (two CPU-bound suites
# at once once took more than 5 s); a refusal answers at once, so no test waits it out.
CONNECT_WAIT = 30

# For tests that move a FakeClock on by days while the same people stay logged in: sessions
# that do not idle out within them (the idle timeout has its own tests, in test_sessions.py).
DAYS_AWAKE = {"session_idle_hours": 720}

# Weekly digests (Monday 08:00 by default) go to everyone whose account is older than the
# period, with what they have not read since the period before it began: so what a mail test
# receives would depend on the hour and weekday the suite runs (the demo accounts and their
# content are made when it starts).  Test servers begin each week a day before the suite
# began, so no period begins for six days of a test's clock; the digest tests choose their own.
SUITE_STARTED = datetime.now(UTC)  # before any demo account is made


def weekly_digests_from(moment: datetime) -> dict[str, Any]:
    """The settings of a weekly digest period that begins at `moment`'s weekday and hour."""
    return {"digest_weekday": WEEKDAYS[moment.weekday()], "digest_hour": moment.hour}


QUIET_DIGESTS = weekly_digests_from(SUITE_STARTED - timedelta(days=1))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    data_dir: Path
    clock: Clock = SYSTEM_CLOCK
    config_changes: dict[str, Any] = field(default_factory=dict)
    runner: web.AppRunner | None = None
    port: int = 0

    async def start(self) -> Server:
        self.port = self.port or free_port()
        changes = {
            "database_url": database_url(self.data_dir),
            **QUIET_DIGESTS,
            **self.config_changes,
        }
        config = Config(data_dir=self.data_dir, port=self.port, **changes)
        self.runner = web.AppRunner(
            create_app(config, clock=self.clock),
            handle_signals=False,
            shutdown_timeout=5.0,
            access_log_class=RedactingAccessLogger,  # as `mentorspace serve` does
        )
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cookie(self) -> str:
        """The name of this server's session cookie (`__Host-` when its public URL is https)."""
        return cookie_name(self.app[keys.CONFIG].secure_site())

    @property
    def app(self) -> web.Application:
        assert self.runner is not None
        return self.runner.app

    @property
    def store(self):
        return self.app[keys.STORE]

    async def channel_id(self, kind: str) -> int:
        channel = await self.store.load_channel_by_kind(kind)
        return channel.id

    async def pair_channel_id(self, n: int) -> int:
        """The channel of demo pair n (mentorN with menteeN)."""
        mentor = await self.store.load_user_by_email(email(f"mentor{n}"))
        for pair in await self.store.list_pairs(active_only=True):
            if pair.mentor_id == mentor.id:
                return pair.channel_id
        raise LookupError(n)

    async def user(self, handle: str):
        """The stored demo user `handle` (a domain User, for calling channels/ directly)."""
        return await self.store.load_user_by_email(email(handle))

    async def client(self, handle: str | None = None, password: str = DEMO_PASSWORD) -> Client:
        """An HTTP client, logged in as demo user `handle` unless None."""
        http = aiohttp.ClientSession(self.url, cookie_jar=aiohttp.CookieJar(unsafe=True))
        client = Client(self, http)
        if handle is not None:
            response = await client.post(
                "/api/v1/session", {"email": email(handle), "password": password}
            )
            assert response.status == 200, await response.text()
            client.user = (await response.json())["user"]
        return client


@dataclass
class Client:
    server: Server
    http: aiohttp.ClientSession
    user: dict[str, Any] | None = None
    sockets: list[SocketClient] = field(default_factory=list)

    @property
    def token(self) -> str | None:
        for cookie in self.http.cookie_jar:
            if cookie.key == self.server.cookie:
                return cookie.value
        return None

    async def _checked(self, method: str, path: str, **kwargs: Any) -> aiohttp.ClientResponse:
        """Every JSON answer of the API must match the OpenAPI document."""
        response = await self.http.request(method, path, **kwargs)
        if path.startswith("/api/"):
            body = await response.read()  # kept: the test may still read it
            check_documented(method, path, response.status, response.content_type, body)
        return response

    async def get(self, path: str, **kwargs: Any) -> aiohttp.ClientResponse:
        return await self._checked("GET", path, **kwargs)

    async def post(self, path: str, payload: Any = None, **kwargs: Any) -> aiohttp.ClientResponse:
        return await self._checked("POST", path, json=payload, **kwargs)

    async def patch(self, path: str, payload: Any = None, **kwargs: Any) -> aiohttp.ClientResponse:
        return await self._checked("PATCH", path, json=payload, **kwargs)

    async def put(self, path: str, payload: Any = None, **kwargs: Any) -> aiohttp.ClientResponse:
        return await self._checked("PUT", path, json=payload, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> aiohttp.ClientResponse:
        return await self._checked("DELETE", path, **kwargs)

    async def socket(self, *, wait: bool = True) -> SocketClient:
        """A socket.io client connected with this client's session cookie."""
        sock = SocketClient()
        headers = {"Cookie": f"{self.server.cookie}={self.token}"} if self.token else {}
        await sock.sio.connect(
            self.server.url, headers=headers, transports=["websocket"], wait_timeout=CONNECT_WAIT
        )
        self.sockets.append(sock)
        return sock

    async def close(self) -> None:
        for sock in self.sockets:
            await sock.close()
        await self.http.close()


class SocketClient:
    """A real socketio.AsyncClient that keeps every server event it receives."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self._arrived = asyncio.Condition()
        self.sio.on("*", self._record)
        self.gone = asyncio.Event()  # set when the connection ends, whoever ended it
        self.sio.on("disconnect", lambda *reason: self.gone.set())

    async def _record(self, event: str, data: Any = None) -> None:
        async with self._arrived:
            self.events.append((event, data))
            self._arrived.notify_all()

    async def call(
        self,
        event: str,
        data: Any = None,
        *,
        timeout: float = 10,
    ) -> dict[str, Any]:
        """Emit and return the ACK."""
        return await self.sio.call(event, data, timeout=timeout)

    async def send(self, channel_id: int, body: str, **extra: Any) -> dict[str, Any]:
        ack = await self.call(
            "message:send",
            {"channel_id": channel_id, "body": body, "client_id": str(uuid.uuid4()), **extra},
        )
        assert ack.get("ok"), ack
        return ack["message"]

    async def barrier(self, channel_id: int) -> None:
        """Post a probe into a channel this socket reads and wait for its echo.  Events are
        delivered to a socket in order, so anything the server emitted to it before the probe
        has arrived once this returns: the way to prove that something did NOT arrive."""
        probe = await self.send(channel_id, f"probe {uuid.uuid4()}")
        await self.wait_for("message", lambda m: m["id"] == probe["id"])

    def received(self, event: str = "message") -> list[Any]:
        return [data for name, data in self.events if name == event]

    async def wait_for(
        self,
        event: str,
        predicate: Callable[[Any], bool] = lambda _: True,
        *,
        timeout: float = 5,
    ) -> Any:
        async def seen() -> Any:
            async with self._arrived:
                while True:
                    for name, data in self.events:
                        if name == event and predicate(data):
                            return data
                    await self._arrived.wait()

        return await asyncio.wait_for(seen(), timeout)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
