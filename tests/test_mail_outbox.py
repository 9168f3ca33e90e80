"""The outbox: mail survives a stopped SMTP server and a restart and arrives exactly once;
with no SMTP configured mails become .eml files; refusals are recorded as failures."""

from __future__ import annotations

import email
from email import policy

from channels.clock import SYSTEM_CLOCK
from channels.people.mail import MailSettings, invitation_mail

from .mail_support import SmtpServer, running_server
from .support import email as demo_email
from .support import eventually

PEOPLE = [f"person{n}@example.org" for n in range(5)]


async def _create_people(server, addresses):
    coordinator = await server.client("coordinator")
    for n, address in enumerate(addresses):
        response = await coordinator.post(
            "/api/v1/users", {"email": address, "name": f"Person {n}", "role": "mentee"}
        )
        assert response.status == 201


async def test_mail_survives_smtp_down_and_a_restart_and_arrives_exactly_once(data_dir):
    smtp = SmtpServer()  # configured, but not started: the SMTP server is down
    config = smtp.config(smtp_retry_seconds=0.2)

    async with running_server(data_dir, config_changes=config) as server:
        await _create_people(server, PEOPLE[:3])
        anyone = await server.client()
        await anyone.post("/api/v1/password-reset", {"email": demo_email("mentee1")})
        store = server.store

        async def all_tried() -> list:  # the sender has tried and failed at least once
            waiting = await store.list_mail(limit=10)
            return waiting if waiting and all(m.attempts >= 1 for m in waiting) else []

        waiting = await eventually(all_tried)
        assert all(m.attempts >= 1 and m.last_error and not m.sent_at for m in waiting)
        assert len(waiting) == 4

    # The process is gone; the SMTP server comes back before the next one starts.
    await smtp.start()
    try:
        async with running_server(data_dir, config_changes=config) as server:
            await _create_people(server, PEOPLE[3:])
            for address in [*PEOPLE, demo_email("mentee1")]:
                await smtp.wait_for(address)
            # Barrier: a later probe mail arrives only after the sender's next passes.
            probe = "probe@example.org"
            await _create_people(server, [probe])
            await smtp.wait_for(probe)

            async def settled() -> dict:  # the probe is marked sent just after SMTP took it
                counts = await server.store.count_mail()
                return counts if counts["pending"] == 0 else {}

            counts = await eventually(settled)
        assert counts == {"pending": 0, "sent": 7, "failed": 0}
        received = sorted(r for m in smtp.mails for r in m.recipients)
        assert received == sorted([*PEOPLE, demo_email("mentee1"), probe])  # each exactly once
        ids = [m.message["Message-ID"] for m in smtp.mails]
        assert len(set(ids)) == len(ids)
    finally:
        await smtp.stop()


async def test_without_smtp_mails_are_written_as_eml_files(data_dir, caplog):
    caplog.set_level("INFO", logger="server.runners.mailer")
    async with running_server(data_dir) as server:
        await _create_people(server, PEOPLE[:2])
        folder = data_dir / "outbox"
        await eventually(lambda: len(list(folder.glob("*.eml"))) == 2)
        files = sorted(folder.glob("*.eml"))
        assert len(files) == 2

        async def both_sent() -> bool:  # the file is written first, then the mail marked sent
            return (await server.store.count_mail())["sent"] == 2

        await eventually(both_sent)
    mail = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert mail["To"] == "Person 0 <person0@example.org>"
    assert "/password/" in mail.get_body(("plain",)).get_content()
    assert f"no SMTP server configured: mails are written to {folder.resolve()}" in caplog.text
    assert f"written to {files[0]}" in caplog.text


async def test_a_refused_address_is_recorded_as_failed_and_shown_to_coordinators(data_dir):
    smtp = await SmtpServer(refused={"person0@example.org"}).start()
    try:
        async with running_server(data_dir, config_changes=smtp.config()) as server:
            await _create_people(server, PEOPLE[:2])
            await smtp.wait_for("person1@example.org")
            coordinator = await server.client("coordinator")

            async def failed_once() -> dict:
                body = await (await coordinator.get("/api/v1/mail")).json()
                return body if body["counts"]["failed"] == 1 else {}

            body = await eventually(failed_once)
            assert body["counts"] == {"pending": 0, "sent": 1, "failed": 1}
            [failed] = [m for m in body["mails"] if m["state"] == "failed"]
            assert failed["to"] == "person0@example.org" and failed["attempts"] == 1
            assert "550" in failed["last_error"]
            mentor = await server.client("mentor1")
            assert (await mentor.get("/api/v1/mail")).status == 403
    finally:
        await smtp.stop()


def test_mails_have_plain_and_html_parts_and_single_line_headers():
    settings = MailSettings(sender="Programme <team@example.org>", public_url="https://m.example")
    mail = invitation_mail(
        settings,
        name="Ann\nBcc: x@evil.example",
        email="ann@example.org",
        link="https://m.example/password/abc",
        days=7,
        now=SYSTEM_CLOCK.now(),
    )
    parsed = email.message_from_string(mail.message, policy=policy.default)
    assert parsed["From"] == "Programme <team@example.org>"
    assert parsed["To"] == '"Ann Bcc: x@evil.example" <ann@example.org>'
    assert parsed["Bcc"] is None and parsed["Message-ID"].endswith("@example.org>")
    assert "https://m.example/password/abc" in parsed.get_body(("plain",)).get_content()
    assert 'href="https://m.example/password/abc"' in parsed.get_body(("html",)).get_content()
