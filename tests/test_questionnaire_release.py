"""Anonymous answers are held sealed, then released in shuffled batches of at least three (issue
14): on PostgreSQL a row's system columns (`xmin`, the transaction that wrote it; `ctid`, where
it lies) would otherwise tie an anonymous answer to the row recording who gave it.  Looked at
as someone with the database would: directly, with the system columns."""

from __future__ import annotations

import shutil
import uuid
from collections import Counter

import storage
from channels.demo import seed_demo
from channels.questionnaires import answering
from channels.questionnaires.releasing import BATCH
from channels.questionnaires.sealing import Seal
from server import keys
from storage import postgres as postgres_engine
from storage import sqlite as sqlite_engine

from . import databases
from .clocks import FakeClock
from .questionnaire_support import answer, assign, create_questionnaire, full_answers, rows
from .task_support import expect, running

PEOPLE = ("mentor1", "mentor2", "mentor3", "mentee1", "mentee2", "mentee3")
# Every table whose rows name a person that answering writes or changes, and the column that
# names them (the research counts name a research id, which the users table maps to a person).
NAMING = {
    "questionnaire_respondents": "user_id",
    "notifications": "user_id",
    "usage_counts": "person",
}


def on_postgresql(server) -> bool:
    return bool(databases.database_url(server.app[keys.CONFIG].data_dir))


def linked_by_transaction(server, questionnaire_id: int) -> list[tuple]:
    """(table, user) of every row naming a person written by the same transaction as an
    anonymous answer, held or released: what `xmin` tells anyone with database access."""
    found = []
    for answers in ("questionnaire_anonymous_answers", "questionnaire_held_answers"):
        for table, person in NAMING.items():
            found += rows(
                server,
                f"SELECT '{table}', n.{person} FROM {answers} a JOIN {table} n"
                " ON n.xmin = a.xmin WHERE a.questionnaire_id = ?",
                (questionnaire_id,),
            )
    return found


def stored_answers(server, questionnaire_id: int) -> list[str]:
    found = rows(
        server,
        "SELECT answers FROM questionnaire_anonymous_answers WHERE questionnaire_id = ?",
        (questionnaire_id,),
    )
    return [stored for (stored,) in found]


def held(server, questionnaire_id: int) -> list[tuple[str, str]]:
    return rows(
        server,
        "SELECT holder, sealed FROM questionnaire_held_answers WHERE questionnaire_id = ?",
        (questionnaire_id,),
    )


async def test_an_anonymous_answer_shares_no_transaction_and_no_order_with_its_author(data_dir):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator, anonymous=True, title="Honestly")
        await assign(coordinator, made["id"], closes_in_days=2, all=True)
        markers = {}
        for n, handle in enumerate(PEOPLE, start=1):
            person = await server.client(handle)
            markers[handle] = f"held{uuid.uuid4().hex[:12]}"
            given = full_answers(made, text=f"{markers[handle]} says it", scale=1 + n % 5)
            body = await answer(person, made["id"], given, 201)
            assert body["questionnaire"]["answered"] is True  # "your answer was received"
            # Nothing stored can be read next to who answered: the waiting answers are sealed,
            # and none is released until twice BATCH wait (then all but BATCH of them).
            released = stored_answers(server, made["id"])
            waiting = held(server, made["id"])
            assert len(released) == (n - BATCH if n >= 2 * BATCH else 0)
            assert len(released) + len(waiting) == n
            for marker in markers.values():
                assert all(marker not in sealed for _, sealed in waiting)
            if on_postgresql(server):
                assert linked_by_transaction(server, made["id"]) == []
            clock.advance(minutes=7)

        await expect(await coordinator.post(f"/api/v1/questionnaires/{made['id']}/close"), 200)
        results = await expect(
            await coordinator.get(f"/api/v1/questionnaires/{made['id']}/results"), 200
        )
        long_texts = results["questions"][4]["texts"]
        assert sorted(t["text"].split()[0] for t in long_texts) == sorted(markers.values())
        assert held(server, made["id"]) == [] and len(stored_answers(server, made["id"])) == 6
        if on_postgresql(server):
            assert linked_by_transaction(server, made["id"]) == []
            # Two batches of three, each written by one transaction of its own.
            batches = rows(
                server,
                "SELECT count(*) FROM questionnaire_anonymous_answers WHERE questionnaire_id = ?"
                " GROUP BY xmin",
                (made["id"],),
            )
            assert sorted(n for (n,) in batches) == [BATCH, BATCH]


async def test_fewer_than_three_answers_stay_sealed_and_nothing_is_lost(data_dir):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator, anonymous=True, title="Few")
        await assign(coordinator, made["id"], closes_in_days=2, all=True)
        for handle in ("mentee1", "mentor1"):
            await answer(await server.client(handle), made["id"], full_answers(made), 201)
        clock.advance(days=3)
        found = await expect(
            await coordinator.get(f"/api/v1/questionnaires/{made['id']}/results"), 200
        )
        assert "Fewer than 3" in found["withheld"]
        await server.app[keys.QUESTIONNAIRES].run_once()
        # Never released as a batch of two, and kept: sealed under the server's secret.
        assert stored_answers(server, made["id"]) == []
        seal = Seal(server.app[keys.SECRET])
        kept = [seal.open(made["id"], sealed) for _, sealed in held(server, made["id"])]
        assert kept == [full_answers(made)] * 2


async def test_a_crash_between_the_writes_loses_nothing_and_counts_nothing_twice(data_dir):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        store, seal = server.app[keys.STORE], Seal(server.app[keys.SECRET])
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator, anonymous=True, title="Crashes")
        await assign(coordinator, made["id"], closes_in_days=2, all=True)
        qid = made["id"]
        people = {h: await server.client(h) for h in ("mentee1", "mentee2", "mentor1", "mentor2")}

        # mentee1's answer was held, then the server died before recording her: she was told
        # nothing, sees the questionnaire unanswered, and answers again (which replaces it).
        first = full_answers(made, scale=1)
        mentee1 = people["mentee1"].user["id"]

        async def held_only(tx):
            await tx.hold_anonymous_answers(qid, seal.holder(qid, mentee1), seal.seal(qid, first))

        await store.write(held_only)
        mine = await expect(
            await people["mentee1"].get(f"/api/v1/questionnaires/{qid}/answers"), 200
        )
        assert mine["questionnaire"]["answered"] is False
        await answer(people["mentee1"], qid, full_answers(made, scale=2), 201)

        # mentee2 was recorded and told, then the server died before any release: her answer
        # waits and is released with the others.
        mentee2 = people["mentee2"].user["id"]

        async def recorded(tx):
            await tx.hold_anonymous_answers(
                qid, seal.holder(qid, mentee2), seal.seal(qid, full_answers(made, scale=3))
            )

        async def respondent(tx):
            await tx.add_respondent(qid, mentee2, "mentee")

        await store.write(recorded)
        await store.write(respondent)

        # mentor2's answer was held but never recorded (the server died and she never came
        # back): never counted, and dropped once the questionnaire closes.
        mentor2 = people["mentor2"].user["id"]

        async def orphan(tx):
            await tx.hold_anonymous_answers(
                qid, seal.holder(qid, mentor2), seal.seal(qid, full_answers(made, scale=5))
            )

        await store.write(orphan)
        await answer(people["mentor1"], qid, full_answers(made, scale=4), 201)
        assert len(held(server, qid)) == 4 and stored_answers(server, qid) == []

        clock.advance(days=3)
        await server.app[keys.QUESTIONNAIRES].run_once()
        assert held(server, qid) == []
        found = await expect(await coordinator.get(f"/api/v1/questionnaires/{qid}/results"), 200)
        scale = {q["prompt"]: [c["count"] for c in q["counts"]] for q in found["questions"]}
        assert scale["How is it going?"] == [0, 1, 1, 1, 0]
        assert Counter(r["role"] for r in found["rates"] for _ in range(r["answered"])) == {
            "mentee": 2,
            "mentor": 1,
        }


async def test_answers_written_before_the_release_are_rewritten_apart_from_their_authors(
    tmp_path, monkeypatch
):
    """Migration 0022 writes every anonymous answer given before it again, in one transaction
    and a random order: on PostgreSQL none shares its xmin with its author's rows any more, and
    on both engines every answer survives as it was."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    url = ""
    if databases.ENGINE == "postgresql":
        name, url = databases.create_database()
        databases.use_database(data_dir, url)
    try:
        with monkeypatch.context() as patched:
            if url:
                every = list(postgres_engine.migration_texts())
                older = [text for text in every if text[0] < 22]
                patched.setattr(postgres_engine, "migration_texts", lambda: older)
            else:
                before = tmp_path / "migrations-before"
                before.mkdir()
                for path in sorted(sqlite_engine.MIGRATIONS_DIR.glob("*.sql")):
                    if int(path.name.split("_", 1)[0]) < 22:
                        shutil.copy(path, before / path.name)
                patched.setattr(sqlite_engine, "MIGRATIONS_DIR", before)
            store = await storage.open_store(data_dir, url)
            try:
                await seed_demo(store, await storage.open_file_store(data_dir))
                people = await store.list_users()
                coordinator = next(u for u in people if u.role == "coordinator")
                asked = [u for u in people if u.role in ("mentor", "mentee")][:4]
                made = await store.write(
                    lambda tx: tx.insert_questionnaire(
                        title="Before",
                        intro="",
                        anonymous=True,
                        created_by=coordinator.id,
                        now="2026-03-01T10:00:00.000000+00:00",
                    )
                )
                for n, person in enumerate(asked):

                    async def as_it_was(tx, person=person, n=n):  # one write, as before 0022
                        await tx.add_respondent(made.id, person.id, person.role)
                        await tx.insert_anonymous_answers(made.id, uuid.uuid4().hex, {"1": n})

                    await store.write(as_it_was)
            finally:
                await store.close()
            given = sorted(
                databases.rows(data_dir, "SELECT * FROM questionnaire_anonymous_answers")
            )
            assert len(given) == 4
            if url:  # what the migration is for: each answer shared its author's transaction
                assert len(databases.rows(data_dir, LINKED, (made.id,))) == 4
        store = await storage.open_store(data_dir, url)  # today's migrations: 0022 applies
        await store.close()
        assert (
            sorted(databases.rows(data_dir, "SELECT * FROM questionnaire_anonymous_answers"))
            == given
        )
        if url:
            assert databases.rows(data_dir, LINKED, (made.id,)) == []
    finally:
        if url:
            databases.forget_database(data_dir)
            databases.drop_database(name)


LINKED = (
    "SELECT r.user_id FROM questionnaire_anonymous_answers a JOIN questionnaire_respondents r"
    " ON r.xmin = a.xmin WHERE a.questionnaire_id = ?"
)


async def test_a_failed_release_tells_the_person_her_answer_was_received_and_keeps_it(
    data_dir, monkeypatch
):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator, anonymous=True, title="Unlucky")
        await assign(coordinator, made["id"], closes_in_days=2, all=True)

        async def broken(*args, **kwargs):
            raise ConnectionResetError("the database went away for a moment")

        with monkeypatch.context() as patched:
            patched.setattr(answering, "release_due", broken)
            for handle in ("mentee1", "mentee2", "mentee3"):
                body = await answer(
                    await server.client(handle), made["id"], full_answers(made), 201
                )
                assert body["questionnaire"]["answered"] is True
        assert len(held(server, made["id"])) == 3
        clock.advance(days=3)
        await server.app[keys.QUESTIONNAIRES].run_once()
        assert held(server, made["id"]) == [] and len(stored_answers(server, made["id"])) == 3


async def test_an_answer_that_leaves_nothing_to_release_costs_no_release_write(
    data_dir, monkeypatch
):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator, anonymous=True, title="Quiet")
        await assign(coordinator, made["id"], closes_in_days=2, all=True)
        store = server.app[keys.STORE]
        write, blocks = store.write, []

        async def counted(block, *args, **kwargs):
            blocks.append(block.__name__)
            return await write(block, *args, **kwargs)

        monkeypatch.setattr(store, "write", counted)
        for n, handle in enumerate(PEOPLE, start=1):
            await answer(await server.client(handle), made["id"], full_answers(made), 201)
            # Due from twice BATCH recorded answers on: all but BATCH of them.
            assert blocks.count("release") == (1 if n >= 2 * BATCH else 0), (n, blocks)
            blocks.clear()
        assert len(stored_answers(server, made["id"])) == len(PEOPLE) - BATCH
