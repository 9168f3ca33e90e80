"""Checks that a write makes before it writes hold on PostgreSQL, where (unlike SQLite's one
writer) the writers of every node run at once under READ COMMITTED.  Each node runs its own
writes one batch at a time, so the two writers of a race are two nodes: `programme.store` and
`programme.other`, two stores on the same database.

Each test lines two writers up on purpose: the table they are about to write to is held
locked (reads go on, writes wait) until both wait on a lock, each having made its check or
waiting for the other's lock (storage/queries/locks.py); then both go at once.  Without the
lock each check was made before the other's write and both would pass.  These run on
PostgreSQL whatever engine the suite runs on."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import storage
from channels.chat import directory, lines, messages
from channels.clock import iso
from channels.dates import Calendar
from channels.demo import seed_demo
from channels.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
)
from channels.files.uploads import UploadLimits, receive_upload
from channels.goals import goals, satisfaction
from channels.library import folders, resources
from channels.notify import inbox
from channels.people import accounts, invitations, users
from channels.programme import communities, matching
from channels.questionnaires import answering, building
from channels.questionnaires.questions import MAX_QUESTIONS
from channels.questionnaires.sealing import Seal
from channels.tasks import planning, posting
from channels.tasks.rules import Settings
from server.config import Config
from server.runners.mailer import link_settings
from storage.queries.library import LibraryQueries

from . import databases
from .conftest import require_service
from .file_support import png
from .questionnaire_support import assign, create_questionnaire, full_answers
from .support import Server, email, eventually

SEAL = Seal(b"the secret the nodes share")


@pytest.fixture(scope="session")
def postgres_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo programme in a PostgreSQL database to copy (its name) and its data dir."""
    require_service("PostgreSQL", databases.postgres_reachable())
    data_dir = tmp_path_factory.mktemp("race-template")
    name, url = databases.create_database()

    async def seed() -> None:
        store = await storage.open_store(data_dir, url)
        try:
            await seed_demo(store, await storage.open_file_store(data_dir))
        finally:
            await store.close()

    try:
        asyncio.run(seed())
        yield name, data_dir
    finally:
        databases.drop_database(name)


class Programme:
    def __init__(self, url: str, data_dir: Path, store: Any, other: Any = None) -> None:
        self.url, self.data_dir, self.store = url, data_dir, store
        self.other = other  # a second node on the same database

    async def user(self, handle: str):
        return await self.store.load_user_by_email(email(handle))

    async def pair(self, n: int):
        mentor = await self.user(f"mentor{n}")
        return next(
            p for p in await self.store.list_pairs(active_only=True) if p.mentor_id == mentor.id
        )

    async def count(self, sql: str, *args: Any) -> int:
        conn = await asyncpg.connect(self.url)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    async def race(
        self, table: str, *writers: Awaitable[Any], may_finish: bool = False
    ) -> list[Any]:
        """Run the writers lined up (see the module's words), started in the order given,
        each once the one before waits; their results or errors.  With `may_finish`, a writer
        that nothing holds up (the bug, when the rule's lock is missing) may end at once."""
        conn = await asyncpg.connect(self.url)
        tasks: list[asyncio.Future[Any]] = []
        # The writers that ended while the table was still held: before any writer held up
        # by it could commit (with `may_finish`).
        self.ended_first: list[int] = []

        async def all_waiting() -> bool:
            # Statistics are read once a transaction unless cleared: read them anew.
            await conn.execute("SELECT pg_stat_clear_snapshot()")
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
            running = sum(not task.done() for task in tasks)
            if may_finish:
                return waiting >= running
            return waiting >= len(tasks) or any(task.done() for task in tasks)

        try:
            async with conn.transaction():
                await conn.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                for writer in writers:
                    tasks.append(asyncio.ensure_future(writer))
                    await eventually(all_waiting)
                    if not may_finish:
                        assert not any(task.done() for task in tasks), "a writer did not wait"
                self.ended_first = [i for i, task in enumerate(tasks) if task.done()]
            return await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await conn.close()


@pytest.fixture
async def programme(postgres_demo, tmp_path: Path) -> AsyncIterator[Programme]:
    template, template_dir = postgres_demo
    name, url = databases.create_database(template=template)
    data_dir = tmp_path / "data"
    shutil.copytree(template_dir, data_dir)
    store = await storage.open_store(data_dir, url)
    other = await storage.open_store(data_dir, url)
    try:
        yield Programme(url, data_dir, store, other)
    finally:
        await other.close()
        await store.close()
        databases.drop_later(name)


def failures(
    outcomes: list[Any], kind: type[BaseException] | tuple[type[BaseException], ...]
) -> int:
    unexpected = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, kind)]
    assert not unexpected, unexpected
    return sum(isinstance(o, kind) for o in outcomes)


async def test_two_uploads_at_once_never_go_past_the_quota(programme: Programme):
    files = await storage.open_file_store(programme.data_dir)
    mentee = await programme.user("mentee3")
    red, blue = png(color=(200, 0, 0)), png(color=(0, 0, 200))
    used = await programme.store.count_file_bytes(mentee.id)
    limits = UploadLimits(max_file_bytes=10_000, quota_bytes=used + len(red) + len(blue) - 1)

    async def upload(store: Any, data: bytes, name: str):
        async def chunks():
            yield data

        return await receive_upload(store, files, mentee, name=name, chunks=chunks(), limits=limits)

    outcomes = await programme.race(
        "files",
        upload(programme.store, red, "red.png"),
        upload(programme.other, blue, "blue.png"),
    )
    assert failures(outcomes, TooLarge) == 1
    assert await programme.store.count_file_bytes(mentee.id) <= limits.quota_bytes


async def test_two_milestones_added_at_once_keep_a_goal_at_the_most(programme: Programme):
    mentee = await programme.user("mentee1")
    pair = await programme.pair(1)
    nine = [f"step {n}" for n in range(goals.MAX_MILESTONES - 1)]
    made = await goals.add_goal(
        programme.store, mentee, pair.channel_id, {"title": "A job", "milestones": nine}
    )
    goal_id = made.goal.id
    outcomes = await programme.race(
        "goal_milestones",
        goals.add_milestone(programme.store, mentee, goal_id, {"title": "one more"}),
        goals.add_milestone(programme.other, mentee, goal_id, {"title": "and another"}),
    )
    assert failures(outcomes, Invalid) == 1
    count = "SELECT count(*) FROM goal_milestones WHERE goal_id = $1"
    assert await programme.count(count, goal_id) == goals.MAX_MILESTONES


async def test_two_asks_at_once_open_one_satisfaction_form(programme: Programme):
    coordinator = await programme.user("coordinator")
    pair = await programme.pair(1)
    outcomes = await programme.race(
        "satisfaction_requests",
        satisfaction.request_satisfaction(programme.store, coordinator, pair.id),
        satisfaction.request_satisfaction(programme.other, coordinator, pair.id),
    )
    assert failures(outcomes, Conflict) == 1
    count = "SELECT count(*) FROM satisfaction_requests WHERE pair_id = $1"
    assert await programme.count(count, pair.id) == 1


async def test_parallel_guesses_are_counted_one_by_one_against_the_limit(programme: Programme):
    address, who = "203.0.113.9", email("mentee1")
    key = accounts._attempt_keys(who, address)["account_address"]
    for _ in range(accounts.FAILURE_LIMITS["account_address"] - 1):  # one guess left
        await programme.store.write(
            lambda tx: tx.add_login_failure([key], "2999-01-01T00:00:00Z", forget_before="")
        )

    def guess(store: Any):
        return accounts.log_in(store, email=who, password="wrong guess", address=address)

    outcomes = await programme.race(
        "login_failures", guess(programme.store), guess(programme.other)
    )
    print(
        "OUT",
        outcomes,
        await programme.count("SELECT count(*) FROM login_failures WHERE key = $1", key),
    )
    assert failures(outcomes, (RateLimited, Unauthenticated)) == 2
    assert sum(isinstance(o, RateLimited) for o in outcomes) == 1  # one guess, not two
    count = "SELECT count(*) FROM login_failures WHERE key = $1"
    assert await programme.count(count, key) == accounts.FAILURE_LIMITS["account_address"]


async def test_two_nodes_starting_at_once_make_each_programme_channel_once(
    programme: Programme,
):
    name, url = databases.create_database()
    databases.drop_later(name)
    first = await storage.open_store(programme.data_dir, url)  # an empty programme
    second = await storage.open_store(programme.data_dir, url)
    try:
        empty = Programme(url, programme.data_dir, first)
        outcomes = await empty.race(
            "channels", directory.set_up_programme(first), directory.set_up_programme(second)
        )
        assert failures(outcomes, BaseException) == 0
        kinds = "SELECT count(*) FROM channels WHERE kind = ANY($1)"
        assert await empty.count(kinds, list(directory.PROGRAMME_CHANNELS)) == len(
            directory.PROGRAMME_CHANNELS
        )
    finally:
        await first.close()
        await second.close()


async def test_two_toggles_of_one_reaction_at_once_take_turns(programme: Programme):
    mentee = await programme.user("mentee1")
    pair = await programme.pair(1)
    posted = await messages.post_message(
        programme.store, mentee, {"channel_id": pair.channel_id, "body": "react to me"}
    )
    toggle = {"message_id": posted.message.id, "emoji": "👍"}
    outcomes = await programme.race(
        "reactions",
        messages.toggle_reaction(programme.store, mentee, toggle),
        messages.toggle_reaction(programme.other, mentee, toggle),
    )
    assert failures(outcomes, BaseException) == 0  # on, then off again
    count = "SELECT count(*) FROM reactions WHERE message_id = $1"
    assert await programme.count(count, posted.message.id) == 0


async def test_a_message_deleted_while_it_is_edited_stays_without_its_words(
    programme: Programme,
):
    """The deletion first (waiting to write), the edit second: the edit waits for it and
    then finds the message deleted."""
    mentee = await programme.user("mentee1")
    pair = await programme.pair(1)
    posted = await messages.post_message(
        programme.store, mentee, {"channel_id": pair.channel_id, "body": "SECRET-FIRST"}
    )
    message_id = posted.message.id
    outcomes = await programme.race(
        "messages",
        messages.delete_message(programme.store, mentee, {"message_id": message_id}),
        messages.edit_message(
            programme.other, mentee, {"message_id": message_id, "body": "SECRET-EDITED"}
        ),
    )
    assert failures(outcomes, Invalid) == 1
    after = await programme.store.load_message(message_id)
    assert after.deleted_at is not None and after.body == after.html == ""


async def test_two_new_kinds_of_reaction_at_once_keep_a_message_within_the_limit(
    programme: Programme,
):
    mentee, mentor = await programme.user("mentee1"), await programme.user("mentor1")
    pair = await programme.pair(1)
    posted = await messages.post_message(
        programme.store, mentee, {"channel_id": pair.channel_id, "body": "react to me"}
    )
    faces = [chr(0x1F600 + n) for n in range(messages.MAX_REACTION_KINDS + 1)]
    for face in faces[: messages.MAX_REACTION_KINDS - 1]:  # room for one kind more
        await messages.toggle_reaction(
            programme.store, mentee, {"message_id": posted.message.id, "emoji": face}
        )
    last, another = faces[-2:]
    outcomes = await programme.race(
        "reactions",
        messages.toggle_reaction(
            programme.store, mentee, {"message_id": posted.message.id, "emoji": last}
        ),
        messages.toggle_reaction(
            programme.other, mentor, {"message_id": posted.message.id, "emoji": another}
        ),
    )
    assert failures(outcomes, Invalid) == 1
    kinds = "SELECT count(DISTINCT emoji) FROM reactions WHERE message_id = $1"
    assert await programme.count(kinds, posted.message.id) == messages.MAX_REACTION_KINDS


# Folders inside a folder that is itself inside one (a loop is that too): never any.
NESTED_TWICE = (
    "SELECT count(*) FROM library_folders AS folder"
    " JOIN library_folders AS parent ON parent.id = folder.parent_id"
    " WHERE parent.parent_id IS NOT NULL"
)


async def test_two_folders_moved_into_each_other_at_once_make_no_loop(programme: Programme):
    coordinator = await programme.user("coordinator")
    first, second = [
        await folders.create_folder(
            programme.store, coordinator, {"name": name, "audience": "everyone"}
        )
        for name in ("First", "Second")
    ]
    outcomes = await programme.race(
        "library_folders",
        folders.update_folder(programme.store, coordinator, first.id, {"parent_id": second.id}),
        folders.update_folder(programme.other, coordinator, second.id, {"parent_id": first.id}),
    )
    assert failures(outcomes, Invalid) == 1
    assert await programme.count(NESTED_TWICE) == 0


async def test_a_folder_made_inside_one_moved_meanwhile_stays_one_level_deep(
    programme: Programme,
):
    coordinator = await programme.user("coordinator")
    first, second = [
        await folders.create_folder(
            programme.store, coordinator, {"name": name, "audience": "everyone"}
        )
        for name in ("First", "Second")
    ]
    outcomes = await programme.race(
        "library_folders",
        folders.update_folder(programme.store, coordinator, first.id, {"parent_id": second.id}),
        folders.create_folder(
            programme.other,
            coordinator,
            {"name": "Inside", "audience": "everyone", "parent_id": first.id},
        ),
    )
    assert failures(outcomes, Invalid) == 1
    assert await programme.count(NESTED_TWICE) == 0


async def test_a_folder_deleted_while_a_resource_is_added_to_it_keeps_the_resource(
    programme: Programme,
):
    """The resource first (waiting to be stored), the deletion second: the deletion waits
    for it and finds the folder not empty.  (Without the folder's lock the deletion found
    it empty, and the resource then failed on the database's foreign key.)"""
    coordinator = await programme.user("coordinator")
    folder = await folders.create_folder(
        programme.store, coordinator, {"name": "Soon gone", "audience": "everyone"}
    )
    link = {"folder_id": folder.id, "title": "A guide", "url": "https://example.org/guide"}
    outcomes = await programme.race(
        "library_resources",
        resources.add_resource(programme.store, coordinator, link),
        folders.delete_folder(programme.other, coordinator, folder.id),
        may_finish=True,
    )
    assert failures(outcomes, Conflict) == 1 and isinstance(outcomes[1], Conflict)
    assert await programme.store.load_folder(folder.id) is not None
    count = "SELECT count(*) FROM library_resources WHERE folder_id = $1"
    assert await programme.count(count, folder.id) == 1


async def test_two_questions_added_at_once_keep_a_questionnaire_at_the_most(
    programme: Programme,
):
    coordinator = await programme.user("coordinator")
    almost = [{"kind": "short_text", "prompt": f"Question {n}"} for n in range(MAX_QUESTIONS - 1)]
    draft = await building.create_questionnaire(
        programme.store, coordinator, {"title": "Long", "questions": almost}
    )

    def add(store, prompt: str):
        question = {"kind": "short_text", "prompt": prompt}
        return building.add_question(store, coordinator, draft.id, question)

    outcomes = await programme.race(
        "questionnaire_questions",
        add(programme.store, "one more"),
        add(programme.other, "and another"),
    )
    assert failures(outcomes, Invalid) == 1
    count = "SELECT count(*) FROM questionnaire_questions WHERE questionnaire_id = $1"
    assert await programme.count(count, draft.id) == MAX_QUESTIONS


async def test_two_coordinators_ending_a_pair_at_once_end_it_once(programme: Programme):
    coordinator = await programme.user("coordinator")
    pair = await programme.pair(2)
    outcomes = await programme.race(
        "audit_log",
        matching.end_pair(programme.store, coordinator, pair.id),
        matching.end_pair(programme.other, coordinator, pair.id),
    )
    assert failures(outcomes, Conflict) == 1
    notices = "SELECT count(*) FROM messages WHERE channel_id = $1 AND body = $2"
    assert await programme.count(notices, pair.channel_id, matching.ENDED_NOTICE.body) == 1


async def test_a_line_opened_twice_at_once_is_one_line(programme: Programme):
    mentee = await programme.user("mentee2")
    outcomes = await programme.race(
        "channels",
        lines.open_line(programme.store, mentee),
        lines.open_line(programme.other, mentee),
    )
    assert failures(outcomes, BaseException) == 0
    assert outcomes[0].channel.id == outcomes[1].channel.id
    count = "SELECT count(*) FROM channels WHERE kind = 'coordinator_line'"
    assert await programme.count(count) == 1


async def test_a_coordinator_never_changes_the_address_of_an_account_activated_meanwhile(
    programme: Programme,
):
    """Accepting the invitation (its link spent, then the password set) first; the
    coordinator's change of the address, made on the account as it was before, second."""
    coordinator = await programme.user("coordinator")
    links = link_settings(Config(data_dir=programme.data_dir))
    person = await users.create_user(
        programme.store,
        coordinator,
        {"email": "new.mentee@example.org", "name": "New Mentee", "role": "mentee"},
        links=links,
    )
    token = "a-link-of-the-invitation-for-this-test-0123456789"
    now = datetime.now(UTC)

    async def store_link(tx):
        await tx.insert_account_token(
            token_hash=accounts.token_hash(token),
            user_id=person.id,
            purpose="invitation",
            now=iso(now),
            expires_at=iso(now + timedelta(days=1)),
        )

    await programme.store.write(store_link)
    outcomes = await programme.race(
        "users",
        invitations.set_password_with_link(
            programme.store, {"token": token, "password": "her own password 1"}
        ),
        users.update_user(
            programme.other, coordinator, person.id, {"email": "x@example.org"}, links=links
        ),
    )
    assert failures(outcomes, Forbidden) == 1
    after = await programme.store.load_user(person.id)
    assert after.password_hash is not None and after.email == "new.mentee@example.org"


async def test_a_named_answer_sent_twice_at_once_is_kept_once(programme: Programme):
    server = Server(programme.data_dir, config_changes={"database_url": programme.url})
    await server.start()
    coordinator = await server.client("coordinator")
    try:
        made = await create_questionnaire(coordinator, title="How is it going?")
        await assign(coordinator, made["id"])
    finally:
        await coordinator.close()
        await server.stop()
    mentee = await programme.user("mentee1")
    payload = {"answers": full_answers(made, text="fine")}
    outcomes = await programme.race(
        "questionnaire_answers",
        answering.submit_answers(programme.store, mentee, made["id"], payload, seal=SEAL),
        answering.submit_answers(programme.other, mentee, made["id"], payload, seal=SEAL),
    )
    assert failures(outcomes, BaseException) == 0
    assert [o.first for o in outcomes] == [True, False]  # the second replaced the first
    count = "SELECT count(*) FROM questionnaire_answers WHERE questionnaire_id = $1"
    assert await programme.count(count, made["id"]) == 1


async def test_an_anonymous_answer_sent_twice_at_once_is_held_once_and_counted_once(
    programme: Programme,
):
    server = Server(programme.data_dir, config_changes={"database_url": programme.url})
    await server.start()
    coordinator = await server.client("coordinator")
    try:
        made = await create_questionnaire(coordinator, title="Honestly", anonymous=True)
        await assign(coordinator, made["id"])
    finally:
        await coordinator.close()
        await server.stop()
    mentee = await programme.user("mentee1")
    payload = {"answers": full_answers(made, text="fine")}
    outcomes = await programme.race(
        "questionnaire_held_answers",
        answering.submit_answers(programme.store, mentee, made["id"], payload, seal=SEAL),
        answering.submit_answers(programme.other, mentee, made["id"], payload, seal=SEAL),
    )
    assert failures(outcomes, Conflict) == 1  # "you have answered already"
    for table in ("questionnaire_held_answers", "questionnaire_respondents"):
        count = f"SELECT count(*) FROM {table} WHERE questionnaire_id = $1"
        assert await programme.count(count, made["id"]) == 1, table


async def test_a_pair_ended_while_a_task_is_posted_to_it_gets_it_before_the_end_or_never(
    programme: Programme,
):
    """The task's post first (waiting to claim), the pair's end second.  (Without the pair's
    lock the claim still waits for its table and then sees the end, so this interleaving
    passes either way; the one the lock closes, an end committed between the claim and the
    card's seq, is too narrow to line up with a table lock.)"""
    coordinator = await programme.user("coordinator")
    pair = await programme.pair(1)
    template = await planning.create_template(programme.store, coordinator, {"title": "CV"})
    settings = Settings(Calendar.of("en_GB"), 366)
    outcomes = await programme.race(
        "task_occurrences",
        planning.post_now(
            programme.store, coordinator, template.id, {"pairs": [pair.id]}, settings=settings
        ),
        matching.end_pair(programme.other, coordinator, pair.id),
        may_finish=True,
    )
    assert failures(outcomes, BaseException) == 0
    order = await programme.count(
        "SELECT string_agg(kind, ' ' ORDER BY seq) FROM messages"
        " WHERE channel_id = $1 AND (kind = 'task' OR body = $2)",
        pair.channel_id,
        matching.ENDED_NOTICE.body,
    )
    # The task, then the end; or no task at all (the pair had ended when it was claimed):
    # never a task card after the notice that the pair ended.
    assert order in ("task system", "system")


async def test_a_schedule_cancelled_while_its_tasks_are_posted_posts_nothing_after(
    programme: Programme,
):
    """The scheduler's post first (waiting to claim), the cancel second: the cancel waits
    for the post, or (without the schedule's lock) ends first and the post sees it."""
    coordinator = await programme.user("coordinator")
    template = await planning.create_template(programme.store, coordinator, {"title": "CV"})
    settings = Settings(Calendar.of("en_GB"), 366)
    due = datetime.now(UTC) + timedelta(hours=1)
    schedule = await planning.create_schedule(
        programme.store,
        coordinator,
        template.id,
        {"at": iso(due), "all": True},
        settings=settings,
    )
    outcomes = await programme.race(
        "task_occurrences",
        posting.run_due(programme.store, due + timedelta(minutes=1), settings),
        planning.cancel_schedule(programme.other, coordinator, schedule.id),
        may_finish=True,
    )
    assert failures(outcomes, BaseException) == 0
    posted = await programme.count(
        "SELECT count(*) FROM task_occurrences WHERE schedule_id = $1", schedule.id
    )
    if programme.ended_first == [1]:  # cancelled while the post waited: it posts nothing
        assert posted == 0
    else:  # the cancel waited for the post
        assert programme.ended_first == []
        assert posted == len(await programme.store.list_pairs(active_only=True))


async def test_a_task_completed_while_its_template_is_deleted_stays_done(programme: Programme):
    """Deleting a task (its template) leaves the tasks already posted with the pairs, so a
    completion made at the same time is kept, whichever goes first, and the template is
    deleted once: the completion's write (its occurrence row) waits for the table, the
    deletion's does not."""
    coordinator, mentee = await programme.user("coordinator"), await programme.user("mentee1")
    pair = await programme.pair(1)
    template = await planning.create_template(programme.store, coordinator, {"title": "CV"})
    settings = Settings(Calendar.of("en_GB"), 366)
    await planning.post_now(
        programme.store, coordinator, template.id, {"pairs": [pair.id]}, settings=settings
    )
    card_id = await programme.count(
        "SELECT message_id FROM task_occurrences o JOIN task_schedules s ON s.id = o.schedule_id"
        " WHERE s.template_id = $1",
        template.id,
    )
    outcomes = await programme.race(
        "task_occurrences",
        posting.complete_task(programme.store, mentee, {"message_id": card_id, "done": True}),
        planning.delete_template(programme.other, coordinator, template.id),
        may_finish=True,
    )
    assert failures(outcomes, BaseException) == 0
    assert outcomes[0].message.task is not None and outcomes[0].message.task.done_at
    done = "SELECT count(*) FROM task_occurrences WHERE message_id = $1 AND done_by = $2"
    assert await programme.count(done, card_id, mentee.id) == 1
    deleted = "SELECT count(*) FROM audit_log WHERE action = 'task.deleted' AND target_id = $1"
    assert await programme.count(deleted, template.id) == 1


async def test_a_task_posted_now_while_its_template_is_deleted_is_posted_before_or_never(
    programme: Programme,
):
    """The post first (waiting to claim), the deletion second.  Without the template's lock
    the deletion found no schedule of the post's to cancel and ended at once, and the post
    then put the deleted task into the pair."""
    coordinator = await programme.user("coordinator")
    pair = await programme.pair(1)
    template = await planning.create_template(programme.store, coordinator, {"title": "CV"})
    settings = Settings(Calendar.of("en_GB"), 366)
    outcomes = await programme.race(
        "task_occurrences",
        planning.post_now(
            programme.store, coordinator, template.id, {"pairs": [pair.id]}, settings=settings
        ),
        planning.delete_template(programme.other, coordinator, template.id),
        may_finish=True,
    )
    posted = await programme.count(
        "SELECT count(*) FROM task_occurrences o JOIN task_schedules s ON s.id = o.schedule_id"
        " WHERE s.template_id = $1",
        template.id,
    )
    if programme.ended_first == [1]:  # deleted while the post waited: it posts nothing
        assert failures(outcomes, NotFound) == 1 and isinstance(outcomes[0], NotFound)
        assert posted == 0
    else:  # the deletion waited for the post
        assert programme.ended_first == []
        assert failures(outcomes, BaseException) == 0 and posted == 1


async def test_a_reply_posted_while_its_thread_is_deleted_is_refused(programme: Programme):
    """The deletion of the root first (waiting to write it), the reply second: the reply waits
    for the channel's seq and then finds its root deleted.  (Without the check inside the
    write the reply went into the deleted thread and counted on its root.)"""
    mentee, mentor = await programme.user("mentee1"), await programme.user("mentor1")
    pair = await programme.pair(1)
    root = await messages.post_message(
        programme.store, mentee, {"channel_id": pair.channel_id, "body": "SECRET-ROOT"}
    )
    root_id = root.message.id
    outcomes = await programme.race(
        "messages",
        messages.delete_message(programme.store, mentee, {"message_id": root_id}),
        messages.post_message(
            programme.other,
            mentor,
            {"channel_id": pair.channel_id, "thread_id": root_id, "body": "SECRET-REPLY"},
        ),
    )
    assert failures(outcomes, Invalid) == 1 and isinstance(outcomes[1], Invalid)
    replies = "SELECT count(*) FROM messages WHERE thread_id = $1"
    assert await programme.count(replies, root_id) == 0
    after = await programme.store.load_message(root_id)
    assert after.deleted_at is not None and after.reply_count == 0


async def test_a_community_archived_while_someone_joins_it_has_them_before_or_never(
    programme: Programme,
):
    """The join first (waiting to add the member), the archiving second.  Without the
    community's lock the archiving ended at once and the join then made her a member of an
    archived community; now the archiving waits for the join, or the join finds it archived."""
    coordinator, mentee = await programme.user("coordinator"), await programme.user("mentee1")
    community = await communities.create_community(
        programme.store, coordinator, {"name": "Soon closed"}
    )
    outcomes = await programme.race(
        "channel_members",
        communities.join_community(programme.store, mentee, community.id),
        communities.update_community(
            programme.other, coordinator, community.id, {"archived": True}
        ),
        may_finish=True,
    )
    members = "SELECT count(*) FROM channel_members WHERE channel_id = $1 AND user_id = $2"
    joined = await programme.count(members, community.id, mentee.id)
    assert (await programme.store.load_channel(community.id)).archived
    if programme.ended_first == [1]:  # archived while the join waited: she never joins
        assert failures(outcomes, Forbidden) == 1 and isinstance(outcomes[0], Forbidden)
        assert joined == 0
    else:  # the archiving waited for the join
        assert programme.ended_first == []
        assert failures(outcomes, BaseException) == 0 and joined == 1


async def test_two_saves_of_notification_settings_at_once_keep_the_last_whole(
    programme: Programme,
):
    mentee = await programme.user("mentee1")
    everything_on = {kind: True for kind in inbox.KINDS}
    first, second = sorted(inbox.KINDS)[:2]
    saves = [
        {"kinds": everything_on | {first: False}, "digest": "daily", "away_mail": False},
        {"kinds": everything_on | {second: False}, "digest": "never", "away_mail": True},
    ]
    outcomes = await programme.race(
        "notification_muted",
        inbox.save_prefs(programme.store, mentee, saves[0]),
        inbox.save_prefs(programme.other, mentee, saves[1]),
    )
    assert failures(outcomes, BaseException) == 0
    after = await programme.store.load_notification_prefs(mentee.id)
    # The two took turns (the first waited for nothing): the second's, whole.
    assert (after.muted, after.digest, after.away_mail) == ({second}, "never", True)


async def test_two_partial_saves_of_notification_settings_at_once_keep_both(
    programme: Programme,
):
    """Left-out fields keep their value: as it is when the save is written, so a save that
    changes only the digest does not write back the kinds read before another's change."""
    mentee = await programme.user("mentee1")
    kind = sorted(inbox.KINDS)[0]
    outcomes = await programme.race(
        "notification_muted",
        inbox.save_prefs(programme.store, mentee, {"kinds": {kind: False}}),
        inbox.save_prefs(programme.other, mentee, {"digest": "daily"}),
    )
    assert failures(outcomes, BaseException) == 0
    after = await programme.store.load_notification_prefs(mentee.id)
    assert (after.muted, after.digest) == ({kind}, "daily")


async def test_a_resource_changed_while_it_is_removed_stays_removed_unchanged(
    programme: Programme,
):
    """The removal first (waiting to log itself), the change second: the change waits for it
    and then finds the resource gone.  (Without the resource's lock the change was written into
    the removed resource and logged after its removal, and its caller was told it was not
    found.)"""
    coordinator = await programme.user("coordinator")
    folder = await folders.create_folder(
        programme.store, coordinator, {"name": "Guides", "audience": "everyone"}
    )
    link = {"folder_id": folder.id, "title": "A guide", "url": "https://example.org/guide"}
    resource = await resources.add_resource(programme.store, coordinator, link)
    outcomes = await programme.race(
        "audit_log",  # the removal logs it last, holding the resource's row meanwhile
        resources.remove_resource(programme.store, coordinator, resource.id),
        resources.update_resource(
            programme.other, coordinator, resource.id, {"title": "A changed guide"}
        ),
    )
    assert failures(outcomes, NotFound) == 1 and isinstance(outcomes[1], NotFound)
    title = "SELECT title FROM library_resources WHERE id = $1"
    assert await programme.count(title, resource.id) == "A guide"
    changed = (
        "SELECT count(*) FROM audit_log WHERE action = 'library.resource_changed'"
        " AND target_id = $1"
    )
    assert await programme.count(changed, resource.id) == 0


async def test_a_resource_removed_twice_at_once_is_removed_once(programme: Programme):
    coordinator = await programme.user("coordinator")
    folder = await folders.create_folder(
        programme.store, coordinator, {"name": "Guides", "audience": "everyone"}
    )
    link = {"folder_id": folder.id, "title": "A guide", "url": "https://example.org/guide"}
    resource = await resources.add_resource(programme.store, coordinator, link)
    outcomes = await programme.race(
        "audit_log",  # the first removal logs it last, holding the resource's row meanwhile
        resources.remove_resource(programme.store, coordinator, resource.id),
        resources.remove_resource(programme.other, coordinator, resource.id),
    )
    assert failures(outcomes, NotFound) == 1
    removed = (
        "SELECT count(*) FROM audit_log WHERE action = 'library.resource_removed'"
        " AND target_id = $1"
    )
    assert await programme.count(removed, resource.id) == 1


async def test_a_deadlock_between_two_nodes_runs_its_victim_again_alone_and_once(
    programme: Programme,
):
    """Two nodes each run a batch of two blocks.  The first block of each locks two accounts
    in opposite orders, taking its second once the other holds its first (the events are the
    barrier): a real deadlock, which PostgreSQL ends by failing one of the two.  That victim
    is rolled back to its savepoint while the rest of its batch commits, then run again
    alone; it is committed once, and its caller gets its answer as if nothing happened."""
    one, two = (await programme.user("mentee1")).id, (await programme.user("mentor1")).id
    holding = {"first": asyncio.Event(), "second": asyncio.Event()}
    runs: Counter[str] = Counter()
    victims: list[str] = []
    batches: list[int] = []
    committed = {"first": asyncio.Event(), "second": asyncio.Event()}
    for name, store in (("first", programme.store), ("second", programme.other)):
        store.observe_commits(
            lambda blocks, seconds, name=name: (batches.append(blocks), committed[name].set())
        )

    async def mark(tx: Any, name: str) -> None:
        runs[name] += 1
        await tx.insert_audit(
            actor_id=None,
            actor_name="race",
            action=f"race.{name}",
            target_type="test",
            target_id=None,
            summary=name,
            now=iso(datetime.now(UTC)),
        )

    def crossing(name: str, other: str, first: int, second: int):
        async def block(tx: Any) -> str:
            await mark(tx, name)  # undone with the victim's savepoint, or committed once
            if runs[name] > 1:
                # Run again alone, once the other node has committed: until its backend has
                # taken the row the victim let go of, this retry could take it first and
                # deadlock again (seen on a loaded machine), which is no longer the batch's doing.
                await committed[other].wait()
            await tx.lock_user(first)
            holding[name].set()
            await holding[other].wait()
            try:
                await tx.lock_user(second)
            except asyncpg.DeadlockDetectedError:
                victims.append(name)
                raise
            return name

        return block

    def beside(name: str):
        async def block(tx: Any) -> str:
            await mark(tx, name)
            return name

        return block

    outcomes = await asyncio.gather(
        programme.store.write(crossing("first", "second", one, two)),
        programme.store.write(beside("first's neighbour")),
        programme.other.write(crossing("second", "first", two, one)),
        programme.other.write(beside("second's neighbour")),
    )
    assert outcomes == ["first", "first's neighbour", "second", "second's neighbour"]
    assert len(victims) == 1, victims  # a real deadlock, and one victim
    assert sorted(batches)[-2:] == [2, 2]  # each node ran its two blocks as one batch
    assert runs == {name: 1 for name in outcomes} | {victims[0]: 2}
    for name in outcomes:
        count = "SELECT count(*) FROM audit_log WHERE action = $1"
        assert await programme.count(count, f"race.{name}") == 1, name


async def _folder_of_two(programme: Programme, name: str) -> tuple[Any, Any, list[Any]]:
    coordinator = await programme.user("coordinator")
    folder = await folders.create_folder(
        programme.store, coordinator, {"name": name, "audience": "everyone"}
    )
    made = [
        await resources.add_resource(
            programme.store,
            coordinator,
            {"folder_id": folder.id, "title": title, "url": f"https://example.org/{title}"},
        )
        for title in ("first", "second")
    ]
    return coordinator, folder, made


async def _folder_order(programme: Programme, folder_id: int) -> list[tuple[int, int]]:
    """(position, id) of the folder's resources not removed, in the folder's order."""
    conn = await asyncpg.connect(programme.url)
    try:
        rows = await conn.fetch(
            "SELECT position, id FROM library_resources"
            " WHERE folder_id = $1 AND removed_at IS NULL ORDER BY position, id",
            folder_id,
        )
        return [(row["position"], row["id"]) for row in rows]
    finally:
        await conn.close()


async def test_two_resources_of_one_folder_changed_at_once_take_turns_without_a_deadlock(
    programme: Programme, monkeypatch: pytest.MonkeyPatch
):
    """Each change renumbers the whole folder.  The barrier: a change about to renumber goes
    on once the other one is about to renumber too, or is seen waiting for a lock.  (Without
    the folder's lock first, each held its own resource and then wanted the other's row to
    renumber it: a deadlock, and one of the two callers got its error.)"""
    coordinator, folder, (first, second) = await _folder_of_two(programme, "Guides")
    original = LibraryQueries.reorder_resources
    arrived: list[int] = []
    conn = await asyncpg.connect(programme.url)

    async def other_waits() -> bool:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        return bool(
            await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
        )

    async def renumber(self: Any, resource_ids: list[int]) -> None:
        arrived.append(len(arrived))
        await eventually(lambda: len(arrived) >= 2 or other_waits())
        await original(self, resource_ids)

    monkeypatch.setattr(LibraryQueries, "reorder_resources", renumber)
    try:
        outcomes = await asyncio.gather(
            resources.update_resource(
                programme.store, coordinator, first.id, {"title": "First, changed"}
            ),
            resources.update_resource(
                programme.other, coordinator, second.id, {"title": "Second, changed", "position": 1}
            ),
            return_exceptions=True,
        )
    finally:
        await conn.close()
    assert failures(outcomes, ()) == 0
    title = "SELECT title FROM library_resources WHERE id = $1"
    assert await programme.count(title, first.id) == "First, changed"
    assert await programme.count(title, second.id) == "Second, changed"
    # Whichever went first, the second resource was put first and the first stayed after it.
    assert await _folder_order(programme, folder.id) == [(1, second.id), (2, first.id)]


async def test_a_resource_moved_into_a_folder_while_one_is_added_there_gets_a_place_of_its_own(
    programme: Programme,
):
    """The addition first (holding the folder, waiting to be stored), the move second: the
    move waits for the folder and puts its resource in the order as it is after the
    addition.  (The order worked out before the write left the added resource out, and the
    moved one took its place: two resources at position 3.)"""
    coordinator, folder, (first, second) = await _folder_of_two(programme, "Guides")
    elsewhere = await folders.create_folder(
        programme.store, coordinator, {"name": "Elsewhere", "audience": "everyone"}
    )
    moving = await resources.add_resource(
        programme.store,
        coordinator,
        {"folder_id": elsewhere.id, "title": "moving", "url": "https://example.org/moving"},
    )
    link = {"folder_id": folder.id, "title": "added", "url": "https://example.org/added"}
    outcomes = await programme.race(
        "library_resources",
        resources.add_resource(programme.store, coordinator, link),
        resources.update_resource(
            programme.other, coordinator, moving.id, {"folder_id": folder.id}
        ),
    )
    assert failures(outcomes, ()) == 0
    added = outcomes[0]
    assert await _folder_order(programme, folder.id) == [
        (1, first.id),
        (2, second.id),
        (3, added.id),
        (4, moving.id),
    ]


async def test_a_resource_changed_while_it_is_moved_to_another_folder_is_changed_there(
    programme: Programme,
):
    """The move first (holding both folders and the resource, waiting to log itself), the
    change second, which read the resource in its old folder: it waits for that folder, then
    finds the resource gone from it and runs again in its new folder.  (The change must never
    renumber the old folder with the resource in it, nor move it back.)"""
    coordinator, folder, (first, second) = await _folder_of_two(programme, "Guides")
    elsewhere = await folders.create_folder(
        programme.store, coordinator, {"name": "Elsewhere", "audience": "everyone"}
    )
    outcomes = await programme.race(
        "audit_log",
        resources.update_resource(
            programme.store, coordinator, second.id, {"folder_id": elsewhere.id}
        ),
        resources.update_resource(
            programme.other, coordinator, second.id, {"title": "Changed", "position": 1}
        ),
    )
    assert failures(outcomes, ()) == 0
    assert await _folder_order(programme, folder.id) == [(1, first.id)]
    assert await _folder_order(programme, elsewhere.id) == [(1, second.id)]
    title = "SELECT title FROM library_resources WHERE id = $1"
    assert await programme.count(title, second.id) == "Changed"
