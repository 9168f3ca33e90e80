"""Every e-mail in its recipient's language (issue 13): in a Danish programme, whoever has not
chosen a language reads Danish mail (subject and both parts), whoever chose English reads
English; dates in the reader's calendar; and still never a word of a pair channel in any mail.
Real SMTP (aiosmtpd), real sockets, the injected clock."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from channels.chat import notices
from channels.dates import Calendar
from channels.notify import digests
from channels.readers import Reader, Time
from channels.render import render_markdown
from server import keys
from server.cli.digests import digest_text
from server.runners.digests import digest_settings
from storage.records import Message

from .clocks import FakeClock
from .mail_support import Received, SmtpServer, running_server
from .notify_support import marker, mention, start_clean
from .support import DAYS_AWAKE, Server, email
from .task_support import create_task, pair_id, post_now
from .test_translations import _english_left

DANISH = {"locale": "da_DK", "timezone": "Europe/Copenhagen"}
PROGRAMME = Calendar.of("da_DK", "Europe/Copenhagen")
NEW = {"email": "nora@example.org", "name": "Nora Holm", "role": "mentee"}


@pytest.fixture
async def danish(data_dir, smtp: SmtpServer, clock: FakeClock) -> AsyncIterator[Server]:
    """The demo programme in Danish, mail going to `smtp`, time from `clock`."""
    config = {**smtp.config(), **DAYS_AWAKE, **DANISH}
    async with running_server(data_dir, clock=clock, config_changes=config) as server:
        yield server


async def _choose_english(server: Server, handle: str) -> None:
    client = await server.client(handle)
    response = await client.patch("/api/v1/me", {"language": "en"})
    assert response.status == 200, await response.text()


def _reads_danish(mail: Received, subject: str, *phrases: str) -> None:
    """The subject, no English sentence of the catalogue in either part, and `phrases` in the
    plain-text part (the HTML part says the same, around a button)."""
    assert mail.message["Subject"] == subject
    for part in (mail.text, mail.html):
        assert _english_left(part) == [], part
    for phrase in phrases:
        assert phrase in mail.text, (phrase, mail.text)


def _reads_english(mail: Received, subject: str, *phrases: str) -> None:
    assert mail.message["Subject"] == subject
    for phrase in phrases:
        assert phrase in mail.text, (phrase, mail.text)


async def test_invitations_reset_and_address_links_in_each_persons_language(danish, smtp):
    server = danish
    coordinator = await server.client("coordinator")

    # A new person has chosen nothing yet: the programme's language.
    created = await coordinator.post("/api/v1/users", NEW)
    assert created.status == 201, await created.text()
    nora = (await created.json())["user"]
    invitation = await smtp.wait_for(NEW["email"])
    _reads_danish(
        invitation,
        "Din invitation til Mentorspace",
        "Hej Nora Holm,",
        "Vælg din adgangskode her for at komme i gang:",
        "Linket virker én gang og i 7 dage.",
    )
    assert "Vælg min adgangskode" in invitation.html and "Linket virker" in invitation.html
    assert "Eller kopiér denne adresse ind i din browser:" in invitation.html
    assert invitation.link() in invitation.html

    # Someone who chose English gets the next one in English.
    await server.store.write(lambda tx: tx.set_user_language(nora["id"], "en"))
    resent = await coordinator.post(f"/api/v1/users/{nora['id']}/invitation")
    assert resent.status == 201, await resent.text()
    _reads_english(
        await smtp.wait_for(NEW["email"], count=2),
        "Your invitation to Mentorspace",
        "Hello Nora Holm,",
        "This link works once and for 7 days.",
    )

    # Forgot password: Sara reads the programme's Danish, Lene chose English.
    await _choose_english(server, "mentee2")
    anyone = await server.client()
    for handle in ("mentee1", "mentee2"):
        asked = await anyone.post("/api/v1/password-reset", {"email": email(handle)})
        assert asked.status == 202, await asked.text()
    _reads_danish(
        await smtp.wait_for(email("mentee1")),
        "Vælg en ny adgangskode til Mentorspace",
        "Nogen (forhåbentlig dig) har bedt om at vælge en ny adgangskode til din konto.",
        "Linket virker én gang og i 2 timer.",
    )
    _reads_english(
        await smtp.wait_for(email("mentee2")),
        "Choose a new password for Mentorspace",
        "This link works once and for 2 hours.",
    )

    # A new address: the link to the new one, then the notice to the old one.
    for handle, new in (("mentee1", "sara@example.org"), ("mentee2", "lene@example.org")):
        person = await server.client(handle)
        asked = await person.post("/api/v1/me/email", {"email": new, "current": "mentorspace-demo"})
        assert asked.status == 202, await asked.text()
        link = await smtp.wait_for(new)
        confirmed = await person.post("/api/v1/email-confirmation", {"token": link.token()})
        assert confirmed.status == 200, await confirmed.text()
    _reads_danish(
        await smtp.wait_for("sara@example.org"),
        "Bekræft din nye e-mailadresse til Mentorspace",
        "Indtil du åbner det, beholder din konto sin gamle adresse.",
    )
    _reads_danish(
        await smtp.wait_for(email("mentee1"), count=2),
        "Din e-mailadresse til Mentorspace er ændret",
        "E-mailadressen til din konto i Mentorspace er nu sara@example.org.",
        "Du er blevet logget ud alle andre steder.",
    )
    _reads_english(
        await smtp.wait_for("lene@example.org"),
        "Confirm your new e-mail address for Mentorspace",
        "Until you open it, your account keeps its old address.",
    )
    _reads_english(
        await smtp.wait_for(email("mentee2"), count=2),
        "Your e-mail address for Mentorspace was changed",
        "is now lene@example.org.",
    )


async def test_an_announcement_mail_in_each_readers_language(danish, smtp):
    await _choose_english(danish, "mentee2")
    coordinator = await danish.client("coordinator")
    posted = await coordinator.post(
        "/api/v1/announcements", {"body": "**Sommermøde** den 12. juni", "email": True}
    )
    assert posted.status == 201, await posted.text()
    _reads_danish(
        await smtp.wait_for(email("mentee1")),
        "Meddelelse: Sommermøde den 12. juni",
        "Læs og svar i Mentorspace",
        "Carla Coordinator",
    )
    _reads_english(
        await smtp.wait_for(email("mentee2")),
        "Announcement: Sommermøde den 12. juni",
        "Read and reply in Mentorspace",
    )


async def test_the_away_mail_in_each_readers_language_with_nothing_of_a_pair(danish, smtp, clock):
    server = danish
    await _choose_english(server, "mentee2")
    maria, grete = await server.client("mentor1"), await server.client("mentor2")
    sara, lene = await server.client("mentee1"), await server.client("mentee2")
    await start_clean(sara, lene, grete)
    secret = marker()
    maria_socket, grete_socket = await maria.socket(), await grete.socket()
    for n in range(3):
        await maria_socket.send(await server.pair_channel_id(1), f"{secret} to Sara {n}")
    await grete_socket.send(await server.pair_channel_id(2), f"{secret} to Lene")
    await grete_socket.close()  # Grete leaves, then Maria mentions her in the lounge
    lounge = await server.channel_id("mentor_lounge")
    await maria_socket.send(lounge, f"{mention(grete.user)} kan du hjælpe med budgettet?")
    clock.advance(minutes=11)
    assert await server.app[keys.AWAY_MAILER].run_once() == 3

    to_sara = await smtp.wait_for(email("mentee1"))
    _reads_danish(
        to_sara,
        "Nyt i Mentorspace, mens du var væk",
        "Mens du var væk:",
        "Maria Jensen sendte dig 3 nye beskeder i din mentorkanal",
    )
    assert "Indstillinger for notifikationer" in to_sara.html
    _reads_danish(
        await smtp.wait_for(email("mentor2")),
        "Nyt i Mentorspace, mens du var væk",
        "Maria Jensen nævnte dig i Mentorlounge",
    )
    _reads_english(
        await smtp.wait_for(email("mentee2")),
        "New in Mentorspace while you were away",
        "Grete Holm sent you a new message in your mentoring channel",
    )
    assert all(secret not in str(mail.message) for mail in smtp.mails)


def _day(reader_language: str, moment: str) -> str:
    return Reader.of(reader_language, PROGRAMME).calendar.day(moment)


async def test_digests_in_each_readers_language_and_calendar_without_a_pairs_words(
    danish, smtp, clock
):
    server = danish
    clock.advance(days=8)  # a weekly period that began after everyone joined
    await _choose_english(server, "mentee2")
    maria, grete = await server.client("mentor1"), await server.client("mentor2")
    carla = await server.client("coordinator")
    secret = marker()
    for client, n in ((maria, 1), (grete, 2)):
        socket = await client.socket()
        for i in range(2):
            await socket.send(await server.pair_channel_id(n), f"{secret} {i}")
    task = await create_task(carla, title="Del dit CV", due_days=1)
    await post_now(carla, task, {"pairs": [await pair_id(server, 1), await pair_id(server, 2)]})
    occurrence = (await server.store.list_pair_occurrences(await pair_id(server, 1)))[0]
    assert occurrence.due_at is not None
    announced = await carla.post("/api/v1/announcements", {"body": "Husk mødet på fredag"})
    assert announced.status == 201

    await server.app[keys.DIGESTS].run_once()
    sara = await smtp.wait_for(email("mentee1"))
    _reads_danish(
        sara,
        "Din ugentlige opsummering fra Mentorspace",
        "Hej Sara Nielsen,",
        "Her er det, du ikke har læst endnu",
        "2 nye beskeder fra Maria Jensen",
        f"frist den {_day('da', occurrence.due_at)}",
        "Husk mødet på fredag",
        "Du får denne opsummering hver uge.",
    )
    assert "DIN MENTORKANAL" in sara.text and "DINE OPGAVER" in sara.text
    assert '<html lang="da-DK">' in sara.html and "Afmeld" in sara.html
    assert "Stop disse opsummeringer med ét klik:" in sara.text

    lene = await smtp.wait_for(email("mentee2"))
    english_day = _day("en", occurrence.due_at)
    assert english_day != _day("da", occurrence.due_at)  # '3 December', not '3. december'
    _reads_english(
        lene,
        "Your weekly summary from Mentorspace",
        "Here is what you have not read yet",
        "2 new messages from Grete Holm",
        "You get this summary every week.",
    )
    assert f"Del dit CV: due on {english_day}" in lene.text
    assert "YOUR MENTORING CHANNEL" in lene.text and '<html lang="en-DK">' in lene.html

    # Whoever a digest went to, coordinators included, none holds a pair's words.
    await server.app[keys.MAILER].send_due()
    assert len(smtp.mails) > 2
    assert all(secret not in str(mail.message) for mail in smtp.mails)


async def test_the_cli_preview_of_a_digest_is_in_its_readers_language(danish, clock):
    """`mentorspace digests --preview` prints the text part (server/cli/digests.py)."""
    server = danish
    clock.advance(days=8)
    await _choose_english(server, "mentee2")
    maria = await (await server.client("mentor1")).socket()
    await maria.send(await server.pair_channel_id(1), "Hej Sara")
    settings = digest_settings(server.app[keys.CONFIG], server.app[keys.SECRET])
    period = digests.current_period("weekly", clock.now(), settings)
    sara = await server.store.load_user_by_email(email("mentee1"))
    text = digest_text(
        await digests.build_digest(server.store, sara, period, clock.now(), settings), settings
    )
    assert "1 ny besked fra Maria Jensen" in text and _english_left(text) == []
    lene = await server.store.load_user_by_email(email("mentee2"))
    built = await digests.build_digest(server.store, lene, period, clock.now(), settings)
    assert "Here is what you have not read yet" in digest_text(built, settings)


# The programme's own messages in a channel (channels/chat/notices.py): stored in English as
# always, read in each reader's language on the page, in the API and live.

WELCOME_DA = "Velkommen, Maria Jensen og Sara Nielsen! Det her er jeres egen kanal"
ENDED_DA = "Dette par er afsluttet."


def _system(body: str, author_id: int | None = None) -> Message:
    """A stored message of kind 'system' (as add_message writes it)."""
    return Message(
        id=1,
        channel_id=1,
        author_id=author_id,
        author_name=None,
        thread_id=None,
        kind="system",
        body=body,
        html=render_markdown(body),
        client_id=None,
        created_seq=1,
        seq=1,
        created_at="2026-04-06T07:00:00+00:00",
        edited_at=None,
        deleted_at=None,
        reply_count=0,
        last_reply_at=None,
    )


def _stored(notice: notices.Written, author_id: int | None = None) -> Message:
    """A system message as add_message stores a notice now: English, and the notice itself."""
    return replace(_system(notice.body, author_id), html=notice.html, notice=notice.notice)


def test_each_notice_is_stored_with_its_key_and_read_in_each_language():
    due = datetime(2026, 4, 6, 7, 0, tzinfo=UTC)  # 09:00 in Copenhagen
    said = {
        "pair.welcome": {"mentor": "Maria *Jensen*", "mentee": "Sara <b>N</b>"},
        "pair.ended": {},
        "pair.reopened": {},
        "task.reminder": {"day": Time(due, PROGRAMME)},
    }
    assert said.keys() == notices.NOTICES.keys()
    # As migration 0021 stores a reminder's moment, so that older ones read as new ones do.
    stored_moment = {"due_at": due.isoformat(), "locale": "da_DK", "zone": "Europe/Copenhagen"}
    for key, params in said.items():
        message = _stored(notices.written(key, **params))
        kept = stored_moment if key == "task.reminder" else params
        assert notices.notice_of(message) == (key, kept)
        wire = notices.notice_json(message)
        assert wire is not None and wire["key"] == key
        assert wire["html"]["en"] == message.html  # English reads exactly as stored
        assert wire["html"]["da"] != message.html and "<b>" not in wire["html"]["da"]
    welcome = _stored(notices.written("pair.welcome", **said["pair.welcome"]))
    assert notices.notice_html(welcome, "da").startswith(
        "<p>Velkommen, Maria <em>Jensen</em> og Sara &lt;b&gt;N&lt;/b&gt;!"
    )
    # The reminder's date, in the programme's zone, in each reader's calendar (Babel's).
    reminder = _stored(notices.written("task.reminder", **said["task.reminder"]))
    assert "mandag den 6. april 2026 09.00" in notices.notice_html(reminder, "da")
    assert "Monday, 6 April 2026, 09.00" in notices.notice_html(reminder, "en")  # as en_DK
    assert reminder.body.startswith("Reminder: this task was due on Monday, 6 April 2026, 09.00.")
    # A reminder stored before there was one format for a moment (migration 0021's notice,
    # English body in the old words) reads in today's format, in each language.
    older = replace(
        _system("Reminder: this task was due on 6 Apr 2026, 09:00. When you have done it, ..."),
        notice='{"key": "task.reminder", "params": {"due_at": "2026-04-06T07:00:00+00:00",'
        ' "locale": "da_DK", "zone": "Europe/Copenhagen"}}',
    )
    assert notices.notice_html(older, "da") == notices.notice_html(reminder, "da")
    assert notices.notice_html(older, "en") == reminder.html

    # What it says is read from the notice, never from the words: a notice whose English was
    # stored differently still reads as its key says.
    reworded = replace(welcome, body="Hi both!", html="<p>Hi both!</p>")
    assert notices.notice_html(reworded, "da").startswith("<p>Velkommen, Maria")
    # A person's message never carries a notice, whatever it says; a broken notice is none.
    copied = _stored(notices.written("pair.ended"), author_id=5)
    assert notices.notice_of(copied) is None and notices.notice_json(copied) is None
    assert notices.notice_html(copied, "da") == copied.html
    broken = replace(_system("Something else."), notice='{"key": "nope"}')
    assert notices.notice_of(broken) is None and notices.notice_html(broken, "da") == broken.html


def test_system_messages_stored_before_notices_are_matched_by_their_english():
    said = {
        "pair.welcome": {"mentor": "Maria *Jensen*", "mentee": "Sara <b>N</b>"},
        "pair.ended": {},
        "pair.reopened": {},
        "task.reminder": {"day": "mandag den 6. april 2026 09.00"},
    }
    for key, params in said.items():
        message = _system(notices.NOTICES[key] % params)  # as they were stored, English only
        assert notices.notice_of(message) == (key, params)
        wire = notices.notice_json(message)
        assert wire is not None and wire["html"]["en"] == message.html
        assert wire["html"]["da"] != message.html and "<b>" not in wire["html"]["da"]
    copied = _system(notices.NOTICES["pair.ended"], author_id=5)
    assert notices.notice_of(copied) is None and notices.notice_json(copied) is None
    older = _system("Maria Jensen and Sara Nielsen were paired.")
    assert notices.notice_of(older) is None and notices.notice_html(older, "da") == older.html


async def test_the_programmes_notices_read_in_each_readers_language_live_and_reloaded(danish):
    server = danish
    await _choose_english(server, "mentee2")
    sara, lene = await server.client("mentee1"), await server.client("mentee2")
    pair, other_pair = await server.pair_channel_id(1), await server.pair_channel_id(2)

    page = await (await sara.get(f"/channels/{pair}")).text()
    assert WELCOME_DA in page and _english_left(page) == []
    english = await (await lene.get(f"/channels/{other_pair}")).text()
    assert "Welcome, Grete Holm and Lene Madsen! This is your private pair channel" in english
    history = await (await sara.get(f"/api/v1/channels/{pair}/messages?limit=200")).json()
    welcome = next(m for m in history["messages"] if m["kind"] == "system")
    assert welcome["body"].startswith("Welcome, Maria Jensen and Sara Nielsen!")  # as stored
    assert welcome["notice"]["key"] == "pair.welcome"
    assert WELCOME_DA in welcome["notice"]["html"]["da"]
    assert welcome["notice"]["html"]["en"] == welcome["html"]
    stored = await server.store.load_message(welcome["id"])  # the notice, not only its English
    assert stored is not None and json.loads(stored.notice or "") == {
        "key": "pair.welcome",
        "params": {"mentor": "Maria Jensen", "mentee": "Sara Nielsen"},
    }
    assert all(m["notice"] is None for m in history["messages"] if m["kind"] != "system")

    # The pair ends while Sara is in the channel: the event carries both languages.
    socket = await sara.socket()
    coordinator = await server.client("coordinator")
    ended = await coordinator.delete(f"/api/v1/pairs/{await pair_id(server, 1)}")
    assert ended.status == 200, await ended.text()
    live = await socket.wait_for("message", lambda m: m["kind"] == "system")
    assert live["notice"]["key"] == "pair.ended" and ENDED_DA in live["notice"]["html"]["da"]
    reloaded = await (await sara.get(f"/channels/{pair}")).text()
    assert ENDED_DA in reloaded and _english_left(reloaded) == []
