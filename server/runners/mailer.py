"""The background mail sender: drains the outbox over SMTP (aiosmtplib), or into `.eml`
files under the data dir when no SMTP server is configured.

A mail is claimed for a while before it is sent, marked sent as soon as the server accepts
it, and otherwise tried again later with a doubling wait, until it is given up and shown to
coordinators as failed.  Because the outbox is in the database, nothing is lost when the SMTP
server is down or the process restarts; because a claim is taken by one atomic update, two
server processes never send the same mail.  Every retry sends the stored message unchanged
(same Message-ID), so the rare repeat after a crash between "accepted" and "marked sent" can
be recognised by the receiver.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

import aiosmtplib

from channels.clock import Clock, iso
from channels.people.invitations import LinkSettings
from channels.people.mail import MailSettings
from server.config import Config
from server.runners.loop import Runner
from storage.records import OutgoingMail

log = logging.getLogger(__name__)

BATCH = 50  # mails claimed (and sent over one SMTP connection) at a time
POLL_SECONDS = 5.0  # also picks up mail queued by other processes (the CLI, another node)
LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)
SMTP_TIMEOUT = 30.0
EML_DIR = "outbox"


def backoff(config: Config, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: the configured first wait, doubling."""
    seconds = config.smtp_retry_seconds * 2 ** min(attempts - 1, 20)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def is_permanent(error: BaseException) -> bool:
    """A 5xx answer will not change by trying again (unknown mailbox, refused sender)."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(500 <= r.code < 600 for r in error.recipients)
    return isinstance(error, aiosmtplib.SMTPResponseException) and 500 <= error.code < 600


class Mailer(Runner):
    name = "mailer"
    stop_seconds = SMTP_TIMEOUT + 5  # finish the mail in hand

    def __init__(self, store, config: Config, clock: Clock) -> None:
        super().__init__()
        self._store = store
        self._config = config
        self._clock = clock
        self.eml_dir = config.data_dir / EML_DIR

    def start(self) -> None:
        if not self._config.smtp_host:
            log.info("no SMTP server configured: mails are written to %s", self.eml_dir.resolve())
        super().start()

    def poke(self) -> None:
        """New mail is in the outbox (call after the commit)."""
        self.wake()

    async def run_pass(self) -> float:
        if await self.send_due():
            return 0.0
        due = await self._store.next_mail_due_at()
        if due is None:
            return POLL_SECONDS
        ahead = (datetime.fromisoformat(due) - self._clock.now()).total_seconds()
        return min(max(ahead, 0.0), POLL_SECONDS)

    async def send_due(self) -> bool:
        """Send what is due now; True if there was any."""
        now = self._clock.now()
        mails = await self._store.write(
            lambda tx: tx.claim_due_mail(now=iso(now), lease_until=iso(now + LEASE), limit=BATCH)
        )
        if not mails:
            return False
        if self._config.smtp_host:
            await self._send_smtp(mails)
        else:
            for mail in mails:
                await self._deliver(mail, self._write_eml)
        return True

    async def _send_smtp(self, mails: list[OutgoingMail]) -> None:
        config = self._config
        smtp = aiosmtplib.SMTP(
            hostname=config.smtp_host,
            port=config.smtp_port,
            username=config.smtp_username or None,
            password=config.smtp_password or None,
            use_tls=config.smtp_security == "tls",
            start_tls=True if config.smtp_security == "starttls" else False,
            timeout=SMTP_TIMEOUT,
        )
        try:
            await smtp.connect()
        except Exception as error:
            for mail in mails:
                await self._failed(mail, error)
            return
        sender = parseaddr(config.smtp_from)[1]
        try:
            for mail in mails:
                if self.stopping:
                    await self._release(mail)
                    continue

                async def over_smtp(mail: OutgoingMail) -> None:
                    await smtp.sendmail(sender, [mail.recipient], mail.message.encode())

                await self._deliver(mail, over_smtp)
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except aiosmtplib.SMTPException:
                    smtp.close()

    async def _deliver(self, mail: OutgoingMail, transport) -> None:
        try:
            await transport(mail)
        except Exception as error:
            await self._failed(mail, error)
            return
        await self._store.write(lambda tx: tx.mark_mail_sent(mail.id, iso(self._clock.now())))
        log.info("mail %d to %s sent", mail.id, mail.recipient)

    async def _failed(self, mail: OutgoingMail, error: BaseException) -> None:
        attempts = mail.attempts + 1
        now = self._clock.now()
        give_up = attempts >= self._config.smtp_max_attempts or is_permanent(error)
        retry_at = None if give_up else iso(now + backoff(self._config, attempts))
        reason = f"{type(error).__name__}: {error}"[:500]
        await self._store.write(
            lambda tx: tx.mark_mail_failed(mail.id, error=reason, now=iso(now), retry_at=retry_at)
        )
        if give_up:
            log.error("mail %d to %s failed for good: %s", mail.id, mail.recipient, reason)
        else:
            log.warning(
                "mail %d to %s not sent (attempt %d), retrying at %s: %s",
                mail.id,
                mail.recipient,
                attempts,
                retry_at,
                reason,
            )

    async def _release(self, mail: OutgoingMail) -> None:
        await self._store.write(lambda tx: tx.release_mail([mail.id]))

    async def _write_eml(self, mail: OutgoingMail) -> None:
        path = await asyncio.to_thread(_write_file, self.eml_dir, mail)
        log.info("mail %d to %s written to %s", mail.id, mail.recipient, path)


def _write_file(folder: Path, mail: OutgoingMail) -> Path:
    """Write atomically, so a reader never sees half a mail."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{mail.id:08d}.eml"
    partial = path.with_suffix(".eml.partial")
    with open(partial, "w", encoding="utf-8", newline="") as out:
        out.write(mail.message)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    return path


def link_settings(config: Config) -> LinkSettings:
    """What the domain needs to write mails with links: From, the public address, lifetimes."""
    return LinkSettings(
        mail=MailSettings(
            sender=config.smtp_from, public_url=config.base_url(), calendar=config.calendar()
        ),
        invitation_days=config.invitation_days,
    )
