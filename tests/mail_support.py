"""A real SMTP server for tests (aiosmtpd, on an ephemeral port, in the test's own event
loop) that keeps every mail it receives, and a clock tests can move forward."""

from __future__ import annotations

import asyncio
import email
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.smtp import SMTP

from .support import Client, Server, free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def link(self) -> str:
        found = re.search(r"https?://\S+/password/[\w-]+", self.text)
        assert found, self.text
        return found.group(0)

    def token(self) -> str:
        return self.link().rsplit("/", 1)[1]


class _Handler:
    def __init__(self, inbox: SmtpServer) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        await self.inbox._receive(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    port: int = field(default_factory=free_port)
    mails: list[Received] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    refused: set[str] = field(default_factory=set)

    async def start(self) -> SmtpServer:
        handler = RefusingHandler(self, self.refused) if self.refused else _Handler(self)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(handler, hostname="mail.test", loop=loop), "127.0.0.1", self.port
        )
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def config(self, **more) -> dict:
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none", **more}

    async def _receive(self, mail: Received) -> None:
        async with self._arrived:
            self.mails.append(mail)
            self._arrived.notify_all()

    def to(self, address: str) -> list[Received]:
        return [m for m in self.mails if address in m.recipients]

    async def wait_for(self, address: str, count: int = 1, within: float = 10) -> Received:
        """The `count`-th mail to `address` (1 = the first), once it has arrived."""

        async def arrived() -> Received:
            async with self._arrived:
                while len(self.to(address)) < count:
                    await self._arrived.wait()
                return self.to(address)[count - 1]

        return await asyncio.wait_for(arrived(), within)


class RefusingHandler(_Handler):
    """Refuses some recipients for good (550), as a real server does for unknown mailboxes."""

    def __init__(self, inbox: SmtpServer, refused: set[str]) -> None:
        super().__init__(inbox)
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@asynccontextmanager
async def running_server(data_dir: Path, **kwargs) -> AsyncIterator[Server]:
    """A server as the `server` fixture makes it, with the given clock and configuration;
    every client it hands out is closed at the end."""
    running = await Server(data_dir, **kwargs).start()
    clients: list[Client] = []
    original = running.client

    async def tracked_client(*args, **kw) -> Client:
        client = await original(*args, **kw)
        clients.append(client)
        return client

    running.client = tracked_client  # type: ignore[method-assign]
    try:
        yield running
    finally:
        for client in clients:
            await client.close()
        await running.stop()
