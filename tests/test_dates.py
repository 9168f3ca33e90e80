"""Dates and times read one way everywhere: the programme's locale and time zone (issue 13)."""

from __future__ import annotations

import argparse
import html
from datetime import UTC, datetime

import pytest

from channels.dates import Calendar
from channels.errors import Invalid
from server.config import config_from_args

from .clocks import FakeClock
from .mail_support import running_server

EVENING = datetime(2026, 11, 29, 18, 5, tzinfo=UTC)  # 19:05 in Copenhagen (winter time)


def test_a_moment_reads_in_the_programme_locale_and_zone():
    british = Calendar.of("en_GB", "Europe/Copenhagen")
    assert british.moment(EVENING) == "29 Nov 2026, 19:05"
    assert british.moment(EVENING.isoformat()) == "29 Nov 2026, 19:05"
    assert british.day(EVENING) == "29 Nov 2026"
    assert british.due(EVENING) == "Sunday 29 November, 19:05"
    assert british.day_of_month(EVENING) == "29 November"
    danish = Calendar.of("da_DK", "Europe/Copenhagen")
    assert danish.moment(EVENING) == "29. nov. 2026 19.05"
    assert danish.tag == "da-DK"
    # The day is the programme's: 23:30 UTC is already the next day in Copenhagen.
    assert british.day("2026-11-29T23:30:00+00:00") == "30 Nov 2026"
    assert Calendar.of("en_GB").moment(EVENING) == "29 Nov 2026, 18:05"


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
    assert '<html lang="da-DK" data-zone="Europe/Copenhagen">' in page
    assert "29. nov. 2026 19.05" in page
    assert "UTC" not in page
