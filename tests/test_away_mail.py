"""E-mail when away (issue 11): one batched e-mail per window, none if read first, and never a
word of a pair channel; real SMTP (aiosmtpd), real sockets, the injected clock."""

from __future__ import annotations

from server import keys

from .mail_support import running_server
from .notify_support import marker, mention, start_clean
from .support import DAYS_AWAKE, email


async def _outbox_to(server, address: str) -> list:
    return [m for m in await server.store.list_mail(limit=500) if m.recipient == address]


async def test_an_away_person_gets_one_email_for_five_pair_messages(mail_server, smtp, clock):
    server = mail_server
    maria = await server.client("mentor1")
    sara = await server.client("mentee1")  # logged in, but no socket: away
    await start_clean(sara)
    maria_socket = await maria.socket()
    pair = await server.pair_channel_id(1)
    secret = marker()
    away = server.app[keys.AWAY_MAILER]

    for n in range(5):
        await maria_socket.send(pair, f"{secret} message {n}")
    clock.advance(minutes=9)
    assert await away.run_once() == 0  # the window is not over yet
    clock.advance(minutes=2)
    assert await away.run_once() == 1
    assert await away.run_once() == 0  # claimed once

    mail = await smtp.wait_for(email("mentee1"))
    assert mail.message["Subject"] == "New in Mentorspace while you were away"
    assert "Maria Jensen sent you 5 new messages in your mentoring channel." in mail.text
    assert f"/channels/{pair}#m-" in mail.text
    for part in (mail.text, mail.html, str(mail.message)):
        assert secret not in part
    assert len(await _outbox_to(server, email("mentee1"))) == 1
    assert await _outbox_to(server, email("mentor1")) == []

    # More messages later make a new batch: one more e-mail, not one per message.
    await maria_socket.send(pair, f"{secret} again")
    await maria_socket.send(pair, f"{secret} and again")
    clock.advance(minutes=11)
    assert await away.run_once() == 1
    second = await smtp.wait_for(email("mentee1"), count=2)
    assert "Maria Jensen sent you 2 new messages" in second.text
    assert all(secret not in str(m.message) for m in smtp.mails)


async def test_nothing_is_mailed_when_they_come_back_and_read_first(mail_server, clock):
    server = mail_server
    maria = await server.client("mentor1")
    sara = await server.client("mentee1")
    await start_clean(sara)
    pair = await server.pair_channel_id(1)
    await (await maria.socket()).send(pair, "Are you free on Thursday?")
    clock.advance(minutes=3)

    sara_socket = await sara.socket()  # back
    channel = await server.store.load_channel(pair)
    await sara_socket.call("channel:read", {"channel_id": pair, "seq": channel.last_seq})
    await sara_socket.close()
    clock.advance(minutes=30)
    assert await server.app[keys.AWAY_MAILER].run_once() == 0
    assert await _outbox_to(server, email("mentee1")) == []


async def test_no_email_while_a_socket_is_open(mail_server, clock):
    server = mail_server
    maria = await server.client("mentor1")
    grete = await server.client("mentor2")
    await start_clean(grete)
    await grete.socket()  # here, on another page: the notification is in the bell
    lounge = await server.channel_id("mentor_lounge")
    await (await maria.socket()).send(lounge, f"ping {mention(grete.user)}")
    clock.advance(hours=2)
    assert await server.app[keys.AWAY_MAILER].run_once() == 0


async def test_mentions_outside_pairs_may_be_quoted_unless_the_programme_says_no(
    data_dir, smtp, clock
):
    for excerpts, quoted in (("yes", True), ("no", False)):
        config = {**smtp.config(), **DAYS_AWAKE, "mail_excerpts": excerpts == "yes"}
        async with running_server(data_dir, clock=clock, config_changes=config) as server:
            maria = await server.client("mentor1")
            grete = await server.client("mentor2")
            await start_clean(grete)
            sara_pair = await server.pair_channel_id(1)
            lounge = await server.channel_id("mentor_lounge")
            words = f"budget-{excerpts}"
            maria_socket = await maria.socket()
            await maria_socket.send(lounge, f"{mention(grete.user)} what about the {words}?")
            secret = marker()
            await maria_socket.send(sara_pair, secret)  # to Sara's pair, never to Grete
            clock.advance(minutes=11)
            assert await server.app[keys.AWAY_MAILER].run_once() >= 1
            mail = await smtp.wait_for(email("mentor2"), count=1 if quoted else 2)
            assert "Maria Jensen mentioned you in Mentor lounge" in mail.text
            assert (words in mail.text) is quoted
            assert all(secret not in str(m.message) for m in smtp.mails)
            await smtp.wait_for(email("mentee1"), count=1 if quoted else 2)
