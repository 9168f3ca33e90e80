"""What questionnaires never tell: an anonymous answer is tied to its author by nothing a
coordinator can reach (no page, API answer, export, log line, or row of the database that joins
it to a person, a time or an order of answering); free-text answers reach coordinators only;
a card in a pair channel says nothing of the pair.  Markers written by each person are looked
for everywhere they must not be."""

from __future__ import annotations

import logging
import re
import sqlite3
import uuid
from collections import Counter

import pytest

from channels.demo import DEMO_DOMAIN
from server import keys

from . import databases
from .clocks import FakeClock
from .questionnaire_support import answer, assign, create_questionnaire, full_answers, ids, rows
from .task_support import expect, pair_id, running

PEOPLE = ("mentor1", "mentor2", "mentor3", "mentee1", "mentee2", "mentee3")
NAMES = {
    "mentor1": "Maria Jensen",
    "mentor2": "Grete Holm",
    "mentor3": "Anne Berg",
    "mentee1": "Sara Nielsen",
    "mentee2": "Lene Madsen",
    "mentee3": "Eva Larsen",
}


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(str(record.__dict__) for record in caplog.records)


async def coordinator_views(coordinator, questionnaire_id: int) -> dict[str, str]:
    """Everything a coordinator can open about a questionnaire and its answers."""
    paths = [
        "/api/v1/questionnaires",
        f"/api/v1/questionnaires/{questionnaire_id}",
        f"/api/v1/questionnaires/{questionnaire_id}/results",
        "/api/v1/audit",
        "/api/v1/audit?format=csv",
        "/admin/questionnaires",
        f"/admin/questionnaires/{questionnaire_id}",
        f"/admin/questionnaires/{questionnaire_id}/results",
        "/admin/audit",
        "/api/v1/notifications",
        "/notifications",
        f"/channels/{await coordinator.server.channel_id('mentee_lounge')}",
        f"/channels/{await coordinator.server.channel_id('mentor_lounge')}",
    ]
    found = {}
    for path in paths:
        response = await coordinator.get(path)
        assert response.status == 200, path
        found[path] = await response.text()
    return found


async def test_an_anonymous_answer_is_tied_to_its_author_by_nothing(data_dir, every_log):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator, anonymous=True, title="Honestly")
        await assign(coordinator, made["id"], closes_in_days=2, all=True)
        markers = {}
        for n, handle in enumerate(PEOPLE):
            person = await server.client(handle)
            markers[handle] = f"anon{uuid.uuid4().hex[:12]}"
            given = full_answers(made, text=f"{markers[handle]} says it", scale=1 + n % 5)
            body = await answer(person, made["id"], given, 201)
            mine = body["questionnaire"]
            assert mine["answered"] is True and mine["answers"] is None
            assert mine["answered_at"] is None and mine["can_change"] is False
            again = await person.post(
                f"/api/v1/questionnaires/{made['id']}/answers", {"answers": given}
            )
            assert again.status == 409 and "cannot be changed" in await again.text()
            clock.advance(minutes=7)  # answered at different, known times

        # While it is open, the results show no answer at all (watching them come in would
        # tell whose is whose); only how many answered per role.
        early = await expect(
            await coordinator.get(f"/api/v1/questionnaires/{made['id']}/results"), 200
        )
        assert early["withheld"] and early["questions"] == [] and early["waiting"] == []
        assert {r["role"]: r["answered"] for r in early["rates"]} == {"mentor": 3, "mentee": 3}
        await expect(await coordinator.post(f"/api/v1/questionnaires/{made['id']}/close"), 200)

        views = await coordinator_views(coordinator, made["id"])
        results = await expect(
            await coordinator.get(f"/api/v1/questionnaires/{made['id']}/results"), 200
        )
        texts = [t for q in results["questions"] for t in q["texts"]]
        for question in results["questions"][3:]:  # the short and the long text answers
            written = sorted(t["text"].split()[0] for t in question["texts"])
            assert written == sorted(markers.values())
        assert all(t["author"] is None for t in texts) and results["waiting"] == []
        # Nothing a coordinator opens names anyone who answered next to what they answered:
        # the pages with the answers name none of them at all.
        for path in (
            f"/api/v1/questionnaires/{made['id']}/results",
            f"/admin/questionnaires/{made['id']}/results",
        ):
            for handle in PEOPLE:
                assert NAMES[handle] not in views[path], (path, handle)
                assert f"{handle}@{DEMO_DOMAIN}" not in views[path]
        for path, text in views.items():
            if "results" in path:
                continue
            for marker in markers.values():  # the answers appear nowhere else
                assert marker not in text, path
        # Free text is listed in the order of the answers' random keys, not the order people
        # answered in.
        tokens = rows(
            server,
            "SELECT token, answers FROM questionnaire_anonymous_answers WHERE questionnaire_id = ?",
            (made["id"],),
        )
        long_id = ids(made)[4]
        by_token = [
            marker
            for token, stored in sorted(tokens)
            for marker in markers.values()
            if marker in stored
        ]
        listed = [t["text"].split()[0] for t in results["questions"][4]["texts"]]
        assert listed == by_token
        assert all(len(token) == 32 and int(token, 16) >= 0 for token, _ in tokens)
        assert all(f'"{long_id}"' in stored for _, stored in tokens)

        # The log never has an answer.
        for marker in markers.values():
            assert marker not in logged(every_log)

        # The database: the answers have no person, no time, and no hidden order.
        data_dir = server.app[keys.CONFIG].data_dir
        columns = databases.columns(data_dir, "questionnaire_anonymous_answers")
        assert columns == ["questionnaire_id", "token", "answers"]
        respondent_columns = databases.columns(data_dir, "questionnaire_respondents")
        assert respondent_columns == ["questionnaire_id", "user_id", "role"]
        if not databases.database_url(data_dir):
            # SQLite: WITHOUT ROWID, no counter at all.  (PostgreSQL has no such table: a row's
            # ctid and xmin are a hidden order there, which the release in shuffled batches
            # makes say nothing: tests/test_questionnaire_release.py.)
            tables = (
                "questionnaire_anonymous_answers",
                "questionnaire_held_answers",
                "questionnaire_respondents",
            )
            for table in tables:
                with pytest.raises(sqlite3.OperationalError, match="no such column: rowid"):
                    rows(server, f"SELECT rowid FROM {table}")
        assert rows(server, "SELECT count(*) FROM questionnaire_answers") == [(0,)]
        for _, stored in tokens:  # no time, no person in what was stored either
            assert not re.search(r"\d{4}-\d{2}-\d{2}T", stored) and DEMO_DOMAIN not in stored


async def test_the_same_answers_are_stored_alike_whoever_gives_them_and_however(server):
    """Nothing of how an answer was sent (key order, a list's order, spaces) survives to mark
    whose it is (once released: three answers, then closed)."""
    coordinator = await server.client("coordinator")
    made = await create_questionnaire(coordinator, anonymous=True)
    await assign(coordinator, made["id"], all=True)
    single, multiple, scale, short, long = ids(made)
    await answer(
        await server.client("mentee1"),
        made["id"],
        {single: 1, multiple: [2, 0], scale: 3, short: "  fine  ", long: "ok"},
        201,
    )
    await answer(
        await server.client("mentor2"),
        made["id"],
        {long: "ok\n", short: "fine", scale: 3, multiple: [0, 2], single: 1},
        201,
    )
    await answer(await server.client("mentor3"), made["id"], full_answers(made), 201)
    await expect(await coordinator.post(f"/api/v1/questionnaires/{made['id']}/close"), 200)
    await expect(await coordinator.get(f"/api/v1/questionnaires/{made['id']}/results"), 200)
    stored = rows(server, "SELECT answers FROM questionnaire_anonymous_answers")
    assert len(stored) == 3 and Counter(stored).most_common(1)[0][1] == 2


async def test_free_text_reaches_coordinators_only_and_a_pair_card_says_nothing_of_the_pair(
    data_dir, every_log
):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        mentee1, mentor1 = await server.client("mentee1"), await server.client("mentor1")
        mentee2, mentor2 = await server.client("mentee2"), await server.client("mentor2")
        watchers = {c.user["name"]: await c.socket() for c in (mentor1, mentee2, mentor2)}
        pair = await server.pair_channel_id(1)
        pair_marker, text_marker = "paironlymarker7", "freetextmarker7"
        sent = await mentee1.post(
            f"/api/v1/channels/{pair}/messages", {"body": f"Between us: {pair_marker}"}
        )
        assert sent.status == 201

        made = await create_questionnaire(coordinator, title="Midway")
        await assign(
            coordinator, made["id"], pairs=[await pair_id(server, 1), await pair_id(server, 2)]
        )
        await answer(mentee1, made["id"], full_answers(made, text=text_marker), 201)
        for sock, channel in (
            (watchers["Maria Jensen"], pair),
            (watchers["Lene Madsen"], await server.pair_channel_id(2)),
            (watchers["Grete Holm"], await server.pair_channel_id(2)),
        ):
            await sock.barrier(channel)

        # The cards of the two pairs are the same card: nothing in them is about either pair.
        def card_of(history):
            (card,) = [m for m in history["messages"] if m["kind"] == "questionnaire"]
            return card

        one = card_of(await expect(await mentor1.get(f"/api/v1/channels/{pair}/messages"), 200))
        other_pair = await server.pair_channel_id(2)
        two = card_of(
            await expect(await mentor2.get(f"/api/v1/channels/{other_pair}/messages"), 200)
        )
        same = ("kind", "author", "body", "html", "questionnaire", "reactions", "attachments")
        assert {k: one[k] for k in same} == {k: two[k] for k in same}
        assert pair_marker not in str(one) and "Sara" not in str(one) and "Maria" not in str(one)

        # The free text: the coordinators' results, nowhere a participant looks.
        results = await expect(
            await coordinator.get(f"/api/v1/questionnaires/{made['id']}/results"), 200
        )
        texts = [t for q in results["questions"] for t in q["texts"]]
        assert {t["text"] for t in texts} == {text_marker}
        assert {t["author"]["name"] for t in texts} == {"Sara Nielsen"}
        assert [w["name"] for w in results["waiting"]] == [
            "Grete Holm",
            "Lene Madsen",
            "Maria Jensen",
        ]
        for person in (mentor1, mentee2, mentor2):
            for path in (
                "/",
                "/questionnaires",
                f"/questionnaires/{made['id']}",
                f"/channels/{pair}" if person is mentor1 else f"/channels/{other_pair}",
                "/api/v1/questionnaires/mine",
                f"/api/v1/questionnaires/{made['id']}/answers",
                "/api/v1/notifications",
            ):
                text = await (await person.get(path)).text()
                assert text_marker not in text, (person.user["name"], path)
        # Every log line so far, debug included (the search below logs the words it looks for).
        assert pair_marker not in logged(every_log) and text_marker not in logged(every_log)
        for person in (mentor1, mentee2, mentor2):
            found = await expect(await person.get(f"/api/v1/search?q={text_marker}"), 200)
            assert found["results"] == [] and found["files"] == []
            for path in (
                f"/api/v1/questionnaires/{made['id']}/results",
                f"/admin/questionnaires/{made['id']}/results",
            ):
                assert (await person.get(path)).status == 403
        for sock in watchers.values():
            assert text_marker not in str(sock.events)
        # Coordinators never see the pair's words, the questionnaire's pages included.
        for path, text in (await coordinator_views(coordinator, made["id"])).items():
            assert pair_marker not in text, path
