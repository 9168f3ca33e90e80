"""Digest e-mails (issue 11): only what the person may read and has not read, a pair channel
only as a count, one-click unsubscribe without a session, exactly once per person and period
across processes and restarts, and the local hour across a change to summer time."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from channels.dates import Calendar
from channels.notify.digests import DigestSettings, click_path, current_period, open_path
from channels.people.mail import MailSettings
from server import keys

from .clocks import FakeClock
from .mail_support import running_server
from .notify_support import marker
from .support import DAYS_AWAKE, SUITE_STARTED, Server, email, weekly_digests_from

# A week that begins a day after the suite began (tests/support.py): once a test's clock has
# moved eight days on, the period began after everyone joined, and the one before it after the
# demo's content was made, whatever the day and hour the suite runs.
SCHEDULE = weekly_digests_from(SUITE_STARTED + timedelta(days=1))


@pytest.fixture
async def mail_server(data_dir, smtp, clock):
    config = {**smtp.config(), **DAYS_AWAKE, **SCHEDULE}
    async with running_server(data_dir, clock=clock, config_changes=config) as running:
        yield running


async def _digests_to(server, address: str) -> list:
    return [
        m
        for m in await server.store.list_mail(limit=1000)
        if m.recipient == address and "summary from" in m.subject
    ]


async def _claims(server, period: str) -> dict[int, str]:
    rows = await server.store._all(
        "SELECT user_id, outcome FROM digest_claims WHERE period = ?", (period,)
    )
    return {row[0]: row[1] for row in rows}


async def test_a_mentee_digest_holds_counts_of_her_pair_and_nothing_of_other_rooms(
    mail_server, smtp, clock
):
    server = mail_server
    clock.advance(days=8)  # a weekly period that began after everyone joined
    maria, sara = await server.client("mentor1"), await server.client("mentee1")
    lene, carla = await server.client("mentee2"), await server.client("coordinator")
    grete = await server.client("mentor2")
    pair, other_pair = await server.pair_channel_id(1), await server.pair_channel_id(2)
    lounges = {k: await server.channel_id(k) for k in ("mentor_lounge", "mentee_lounge")}
    secrets = [marker() for _ in range(3)]
    mentor_lounge_words = marker("MENTORLOUNGE")

    maria_socket = await maria.socket()
    for n in range(4):
        await maria_socket.send(pair, f"{secrets[0]} {n}")
    await (await sara.socket()).send(pair, f"{secrets[1]} from Sara herself")
    await (await grete.socket()).send(other_pair, f"{secrets[2]} in another pair")
    await maria_socket.send(lounges["mentor_lounge"], mentor_lounge_words)
    await (await lene.socket()).send(
        lounges["mentee_lounge"], "Who else has an interview this week?"
    )
    response = await carla.post("/api/v1/announcements", {"body": "Spring meetup on Friday"})
    assert response.status == 201

    await server.app[keys.DIGESTS].run_once()
    mail = await smtp.wait_for(email("mentee1"))
    assert mail.message["Subject"] == "Your weekly summary from Mentorspace"
    assert "4 new messages from Maria Jensen" in mail.text
    assert "Who else has an interview this week?" in mail.text
    assert "Spring meetup on Friday" in mail.text and "Spring meetup on Friday" in mail.html
    assert mentor_lounge_words not in str(mail.message)
    unsubscribe = mail.message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{server.url}/digests/unsubscribe/")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/profile#notifications-title" in mail.text

    # Every digest, whoever it went to (coordinators and the pair itself included).
    await server.app[keys.MAILER].send_due()
    for sent in smtp.mails:
        for secret in secrets:
            assert secret not in str(sent.message), sent.recipients
    assert mentor_lounge_words in (await smtp.wait_for(email("mentor2"))).text

    # One click, no session: a mail client's RFC 8058 POST.
    async with aiohttp.ClientSession() as stranger:
        wrong = await stranger.post(
            unsubscribe[:-4] + "0000",
            data="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert wrong.status == 404
        done = await stranger.post(
            unsubscribe,
            data="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status == 200
        assert "You are unsubscribed" in await done.text()
    prefs = await server.store.load_notification_prefs(sara.user["id"])
    assert prefs.digest == "never" and prefs.unsubscribed_at is not None


async def test_new_resources_reach_the_digests_of_the_roles_that_see_them(mail_server, smtp, clock):
    server = mail_server
    clock.advance(days=8)
    coordinator = await server.client("coordinator")
    maria = await server.client("mentor1")
    titles = {role: marker(f"GUIDE-{role.upper()}") for role in ("everyone", "mentors", "mentees")}
    for audience, title in titles.items():
        if audience == "mentors":  # Maria opens the library: what was there is not new to her
            await maria.get("/resources")
            clock.advance(minutes=1)
        response = await coordinator.post(
            "/api/v1/library/folders", {"name": f"New for {audience}", "audience": audience}
        )
        folder = (await response.json())["folder"]["id"]
        response = await coordinator.post(
            "/api/v1/library/resources",
            {"folder_id": folder, "title": title, "url": "https://example.org/guide"},
        )
        assert response.status == 201, await response.text()

    await server.app[keys.DIGESTS].run_once()
    to_maria = await smtp.wait_for(email("mentor1"))
    assert "NEW IN THE LIBRARY" in to_maria.text and "New in the library" in to_maria.html
    assert titles["mentors"] in to_maria.text and titles["mentees"] not in str(to_maria.message)
    assert titles["everyone"] not in to_maria.text  # she saw it in the library
    assert "to=%2Fresources%23resource-" in to_maria.text  # through the click counter
    to_sara = await smtp.wait_for(email("mentee1"))
    assert titles["mentees"] in to_sara.text and titles["everyone"] in to_sara.text
    assert titles["mentors"] not in str(to_sara.message)


async def test_nothing_unread_means_no_digest(mail_server, clock):
    server = mail_server
    clock.advance(days=8)
    sara = await server.client("mentee1")
    for channel in (await (await sara.get("/api/v1/channels")).json())["channels"]:
        await sara.post(f"/api/v1/channels/{channel['id']}/read", {"seq": channel["last_seq"]})
    await server.app[keys.DIGESTS].run_once()
    period = current_period("weekly", clock.now(), server.app[keys.DIGESTS].settings).key
    assert (await _claims(server, period))[sara.user["id"]] == "skipped"
    assert await _digests_to(server, email("mentee1")) == []


async def test_exactly_one_digest_per_person_across_two_schedulers_and_a_restart(data_dir, smtp):
    clock = FakeClock()
    clock.advance(days=8)
    config = {**smtp.config(), **DAYS_AWAKE, **SCHEDULE}
    first = await Server(data_dir, clock=clock, config_changes=config).start()
    second = await Server(data_dir, clock=clock, config_changes=config).start()
    try:
        # Both runners have done the pass they make at start (this period), before any news.
        for node in (first, second):
            await node.app[keys.DIGESTS].first_pass_done.wait()
        lene = await first.client("mentee2")
        await (await lene.socket()).send(await first.channel_id("mentee_lounge"), "news!")
        await lene.close()
        clock.advance(days=7)  # the next period: its digests are due now, on both nodes
        await asyncio.gather(
            *(s.app[keys.DIGESTS].run_once() for s in (first, second, first, second))
        )
    finally:
        await first.stop()
        await second.stop()
    again = await Server(data_dir, clock=clock, config_changes=config).start()
    try:
        await again.app[keys.DIGESTS].run_once()
        period = current_period("weekly", clock.now(), again.app[keys.DIGESTS].settings).key
        claims = await _claims(again, period)
        sent = [u for u, outcome in claims.items() if outcome == "sent"]
        assert sent  # the mentees, at least, had news
        people = await again.store.load_users(sent)
        for person in people.values():
            assert len(await _digests_to(again, person.email)) == 1, person.email
        total = [m for m in await again.store.list_mail(limit=1000) if "summary from" in m.subject]
        assert len(total) == len(sent)
    finally:
        await again.stop()


def _settings(weekday: int = 0) -> DigestSettings:
    return DigestSettings(
        calendar=Calendar.of("en_GB", "Europe/Copenhagen"),
        hour=8,
        weekday=weekday,
        mail=MailSettings("M <m@example.org>", "https://m.example.org"),
        secret=b"x",
    )


def test_the_local_hour_holds_across_the_change_to_summer_time():
    settings = _settings()

    def period(frequency: str, moment: str) -> str:
        return current_period(frequency, datetime.fromisoformat(moment), settings).key

    # 08:00 in Copenhagen is 07:00 UTC in winter (CET) ...
    assert period("daily", "2027-03-27T06:59:59+00:00") == "day:2027-03-26"
    assert period("daily", "2027-03-27T07:00:00+00:00") == "day:2027-03-27"
    # ... and 06:00 UTC once summer time began that night (CEST).
    assert period("daily", "2027-03-28T05:59:59+00:00") == "day:2027-03-27"
    assert period("daily", "2027-03-28T06:00:00+00:00") == "day:2027-03-28"
    # Weekly: Mondays at 08:00 local.
    assert period("weekly", "2027-03-29T05:59:59+00:00") == "week:2027-03-22"
    assert period("weekly", "2027-03-29T06:00:00+00:00") == "week:2027-03-29"
    assert period("weekly", "2027-04-04T20:00:00+00:00") == "week:2027-03-29"
    # And back to winter time in October: 07:00 UTC again.
    assert period("daily", "2027-10-31T06:59:59+00:00") == "day:2027-10-30"
    assert period("daily", "2027-10-31T07:00:00+00:00") == "day:2027-10-31"


async def test_daily_digests_follow_the_programmes_clock_across_summer_time(data_dir, smtp):
    clock = FakeClock(datetime(2027, 3, 28, 5, 0, tzinfo=UTC))
    config = {**smtp.config(), **DAYS_AWAKE, "timezone": "Europe/Copenhagen", "digest_hour": 8}
    async with running_server(data_dir, clock=clock, config_changes=config) as server:
        await server.app[keys.DIGESTS].first_pass_done.wait()  # its pass at start, before news
        sara, lene = await server.client("mentee1"), await server.client("mentee2")
        await sara.patch("/api/v1/me/notifications", {"digest": "daily"})
        lounge = await server.channel_id("mentee_lounge")
        lene_socket = await lene.socket()
        runner = server.app[keys.DIGESTS]

        async def sara_periods() -> list[str]:
            rows = await server.store._all(
                "SELECT period FROM digest_claims WHERE user_id = ? AND period LIKE 'day:%'"
                " ORDER BY period",
                (sara.user["id"],),
            )
            return [row[0] for row in rows]

        await lene_socket.send(lounge, "first news")
        await runner.run_once()  # 07:00 in Copenhagen: yesterday's period
        assert await sara_periods() == ["day:2027-03-27"]
        clock.set(datetime(2027, 3, 28, 5, 59, tzinfo=UTC))  # 07:59 summer time
        await lene_socket.send(lounge, "more news")
        await runner.run_once()
        assert await sara_periods() == ["day:2027-03-27"]
        clock.set(datetime(2027, 3, 28, 6, 0, tzinfo=UTC))  # 08:00 summer time
        await runner.run_once()
        assert await sara_periods() == ["day:2027-03-27", "day:2027-03-28"]
        assert len(await _digests_to(server, email("mentee1"))) == 2


async def test_coordinators_preview_a_role_and_see_counts_only(mail_server, clock):
    server = mail_server
    carla = await server.client("coordinator")
    maria = await server.client("mentor1")
    secret, lounge_words = marker(), marker("MENTORLOUNGE")
    maria_socket = await maria.socket()
    await maria_socket.send(await server.pair_channel_id(1), secret)
    await maria_socket.send(await server.channel_id("mentor_lounge"), lounge_words)

    mentee = await (await carla.get("/admin/digests?role=mentee")).text()
    assert "Preview for a mentee" in mentee and lounge_words not in mentee and secret not in mentee
    assert "4 new messages from (their partner)" in mentee
    mentor = await (await carla.get("/admin/digests?role=mentor")).text()
    assert lounge_words in mentor and secret not in mentor
    assert (await maria.get("/admin/digests")).status == 403

    # Opens and clicks are counted for the period, once per digest however often it comes
    # back, with nobody's name on them (each digest's links carry a random token of its own).
    settings = server.app[keys.DIGESTS].settings
    period = current_period("weekly", clock.now(), settings).key
    async with aiohttp.ClientSession(server.url) as stranger:
        for _ in range(3):  # one digest opened three times, and clicked twice
            pixel = await stranger.get(open_path(settings.secret, period, "digest-a"))
            assert pixel.status == 200 and pixel.content_type == "image/gif"
        for to in ("/channels/1", "/resources"):
            click = await stranger.get(
                click_path(settings.secret, period, "digest-a", to), allow_redirects=False
            )
            assert click.headers["Location"] == to
        # another digest, only clicked (its pictures were blocked): opened too
        await stranger.get(click_path(settings.secret, period, "digest-b", "/"))
        forged = await stranger.get(
            f"/digests/click?p={period}&t=digest-c&to=https://evil.example&s=00",
            allow_redirects=False,
        )
        assert forged.headers["Location"] == "/"
        await stranger.get(f"/digests/open.gif?p={period}&t=digest-c&s=00")  # not counted
    assert (period, 0, 2, 2) in await server.store.count_digests()
    page = await (await carla.get("/admin/digests")).text()
    cells = r"<td data-label=\"Sent\">0</td>\s*<td data-label=\"Opened\">2</td>\s*<td data-label=\"Clicked\">2</td>"
    assert re.search(rf"<td data-label=\"Period\">{period}</td>\s*" + cells, page)


def test_the_cli_previews_one_persons_digest(data_dir):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "server.cli",
            "digests",
            "--data-dir",
            str(data_dir),
            "--preview",
            email("mentee1"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Hello Sara Nielsen" in result.stdout and "ANNOUNCEMENTS" in result.stdout
    sent = subprocess.run(
        [sys.executable, "-m", "server.cli", "digests", "--data-dir", str(data_dir), "--send-now"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sent.returncode == 0 and sent.stdout.startswith("Queued "), sent.stderr
