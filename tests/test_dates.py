"""Dates and times read one way everywhere: the programme's locale and time zone (issue 13)."""

from __future__ import annotations

import argparse
import html
import json
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from channels.dates import Calendar
from channels.errors import Invalid
from server.config import config_from_args

from .clocks import FakeClock
from .mail_support import running_server
from .support import DAYS_AWAKE
from .task_support import create_task, pair_id, post_now, scheduler, task_messages

EVENING = datetime(2026, 11, 29, 18, 5, tzinfo=UTC)  # 19:05 in Copenhagen (winter time)


def test_a_moment_reads_in_the_programme_locale_and_zone():
    """One format per kind: a date and time, a date, a time of day (Babel's, CLDR's)."""
    british = Calendar.of("en_GB", "Europe/Copenhagen")
    assert british.moment(EVENING) == "Sunday, 29 November 2026, 19:05"
    assert british.moment(EVENING.isoformat()) == "Sunday, 29 November 2026, 19:05"
    assert british.day(EVENING) == "Sunday, 29 November 2026"
    assert british.clock(EVENING) == "19:05"
    assert british.clock(time(9, 0)) == "09:00"  # a wall-clock time, as a schedule has it
    assert british.day(date(2026, 11, 30)) == "Monday, 30 November 2026"
    danish = Calendar.of("da_DK", "Europe/Copenhagen")
    assert danish.moment(EVENING) == "søndag den 29. november 2026 19.05"
    assert danish.day(EVENING) == "søndag den 29. november 2026"
    assert danish.clock(EVENING) == "19.05"
    assert danish.tag == "da-DK"
    # The day is the programme's: 23:30 UTC is already the next day in Copenhagen.
    assert british.day("2026-11-29T23:30:00+00:00") == "Monday, 30 November 2026"
    assert Calendar.of("en_GB").moment(EVENING) == "Sunday, 29 November 2026, 18:05"


def test_the_browser_is_handed_the_same_patterns_and_names():
    """web/static/js/time.js fills in what the server's formats are made of, nothing else."""
    danish = Calendar.of("da_DK", "Europe/Copenhagen")
    handed = json.loads(danish.browser_json)
    assert handed["zone"] == "Europe/Copenhagen"
    assert handed["patterns"] == {
        "moment": "EEEE 'den' d. MMMM y HH.mm",
        "day": "EEEE 'den' d. MMMM y",
        "clock": "HH.mm",
    }
    assert handed["names"]["days"]["wide"][6] == "søndag"  # Monday is 0, as in Babel
    assert handed["names"]["months"]["wide"][10] == "november"
    american = json.loads(Calendar.of("en_US").browser_json)
    assert american["patterns"]["clock"] == "h:mm\u202fa"  # CLDR's narrow space before PM
    assert american["names"]["periods"] == ["AM", "PM"]


def test_an_unknown_locale_is_refused_at_start():
    with pytest.raises(Invalid):
        Calendar.of("xx_NOWHERE")
    assert config_from_args(argparse.Namespace(locale="da_DK")).calendar().tag == "da-DK"
    with pytest.raises(SystemExit, match="--locale must be a locale"):
        config_from_args(argparse.Namespace(locale="Klingon"))


async def test_pages_write_times_in_the_programme_locale_and_zone(data_dir):
    settings = {"locale": "da_DK", "timezone": "Europe/Copenhagen"}
    async with running_server(
        data_dir, clock=FakeClock(EVENING), config_changes=settings
    ) as server:
        sara = await server.client("mentee1")
        answered = await sara.put("/api/v1/me/research-consent", {"consented": True})
        assert answered.status == 200
        page = html.unescape(await (await sara.get("/profile")).text())
    assert '<html lang="da-DK" data-dates="' in page and '"zone":"Europe/Copenhagen"' in page
    assert "søndag den 29. november 2026" in page  # the day research was agreed to
    assert "UTC" not in page


def tomorrow_at(wall: time) -> datetime:
    """Tomorrow at `wall` UTC: after the demo programme was seeded, whenever the suite runs."""
    return datetime.combine(datetime.now(UTC).date() + timedelta(days=1), wall, tzinfo=UTC)


def _card_due(page: str) -> str:
    found = re.search(r'<time class="task-due-time" data-format="moment"[^>]*>([^<]+)</time>', page)
    assert found, "no due time on the card"
    return found.group(1)


async def test_a_task_card_and_its_reminder_read_the_same_moment_in_each_language(data_dir):
    """The card's due time and the reminder in its thread are one moment in one format, in
    the programme's Danish and, for a reader who chose it, in English."""
    clock = FakeClock(tomorrow_at(time(1, 27)))  # after the demo's pairs started
    settings = {"locale": "da_DK", "timezone": "Europe/Copenhagen"} | DAYS_AWAKE
    async with running_server(data_dir, clock=clock, config_changes=settings) as server:
        coordinator = await server.client("coordinator")
        task_id = await create_task(coordinator, due_days=1)
        await post_now(coordinator, task_id, {"pairs": [await pair_id(server, 1)]})
        clock.advance(days=1, seconds=1)
        await scheduler(server).run_once()  # the reminder, in the card's thread
        channel = await server.pair_channel_id(1)
        sara, maria = await server.client("mentee1"), await server.client("mentor1")
        assert (await maria.patch("/api/v1/me", {"language": "en"})).status == 200
        (card,) = await task_messages(sara, channel)
        read = {}
        for name, reader in (("sara", sara), ("maria", maria)):
            thread = await reader.get(f"/channels/{channel}/threads/{card['id']}")
            read[name] = html.unescape(await thread.text())
    due = datetime.fromisoformat(card["task"]["due_at"])
    danish = Calendar.of("da_DK", "Europe/Copenhagen").moment(due)
    english = Calendar.of("en_DK", "Europe/Copenhagen").moment(due)  # English, in Denmark
    assert re.fullmatch(
        r"(man|tirs|ons|tors|fre|lør|søn)dag den \d+\. [a-z]+ \d{4} 0[23]\.27", danish
    )
    assert re.fullmatch(r"[A-Z][a-z]+day, \d+ [A-Z][a-z]+ \d{4}, 0[23]\.27", english)
    assert _card_due(read["sara"]) == danish
    assert f"Påmindelse: fristen for denne opgave var {danish}." in read["sara"]
    assert _card_due(read["maria"]) == english
    assert f"Reminder: this task was due on {english}." in read["maria"]


ROOT = Path(__file__).resolve().parents[1]


def test_no_other_module_writes_a_date_in_words_its_own_way():
    """Babel's date functions are called in channels/dates.py alone (and for the short week
    labels of the report's grid, a column heading, not a date in a sentence); the browser's
    Intl date formats in web/static/js/time.js alone, which only counts with one."""
    python = [
        path.relative_to(ROOT).as_posix()
        for folder in ("channels", "server")
        for path in (ROOT / folder).rglob("*.py")
        if "babel.dates" in path.read_text()
    ]
    assert sorted(python) == ["channels/dates.py", "server/pages/admin/reports.py"]
    reports = (ROOT / "server/pages/admin/reports.py").read_text()
    assert "from babel.dates import format_skeleton\n" in reports
    assert reports.count("format_skeleton(") == 1
    javascript = [
        path.name
        for path in (ROOT / "web/static/js").glob("*.js")
        if re.search(r"DateTimeFormat|toLocale(Date|Time)String", path.read_text())
    ]
    assert javascript == ["time.js"]
    assert (ROOT / "web/static/js/time.js").read_text().count("DateTimeFormat(") == 1
