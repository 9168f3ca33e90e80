"""The demo programme: one coordinator, three mentors, three mentees, three pairs, and a few
messages in the lounges and announcements.  Only ever created on request (`mentorspace demo`,
or `make run` on an empty data directory)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from channels.chat.directory import set_up_programme
from channels.chat.messages import post_message
from channels.clock import SYSTEM_CLOCK, Clock
from channels.errors import Conflict
from channels.files.uploads import UploadLimits, receive_upload
from channels.languages import N_
from channels.library.folders import create_folder
from channels.library.resources import add_resource
from channels.people.accounts import create_user
from channels.people.passwords import passwords_for
from channels.programme.matching import pair_users
from storage import FileStore, Store, Tx
from storage.records import User

DEMO_PASSWORD = "mentorspace-demo"
DEMO_DOMAIN = "demo.mentorspace"

_PEOPLE = [
    ("coordinator", "Carla Coordinator", "coordinator", "Programme coordination"),
    ("mentor1", "Maria Jensen", "mentor", "Finance"),
    ("mentor2", "Grete Holm", "mentor", "Human resources"),
    ("mentor3", "Anne Berg", "mentor", "Public sector management"),
    ("mentee1", "Sara Nielsen", "mentee", "Finance"),
    ("mentee2", "Lene Madsen", "mentee", "Human resources"),
    ("mentee3", "Eva Larsen", "mentee", "Project management"),
]

_MESSAGES = {
    "announcements": [
        (
            "coordinator",
            "Welcome to the programme! Your pair channel is on your home page. "
            "Reply here in a thread if you have questions.",
        ),
    ],
    "mentor_lounge": [
        ("mentor2", "How do you all prepare for a first meeting? I send three questions ahead."),
        ("mentor1", "I ask my mentee to write down one goal for the next three months."),
    ],
    "mentee_lounge": [
        ("mentee1", "Hello everyone! I am rewriting my CV this week. Any tips?"),
        ("mentee2", "Keep it to two pages, and lead with what you achieved, not duties."),
    ],
}


async def seed_demo(
    store: Store, files: FileStore | None = None, *, clock: Clock = SYSTEM_CLOCK
) -> dict[str, User]:
    """Create the demo programme; refuse if any demo account exists already.  With a file
    store, the library gets its documents too (written here, not kept in the repository)."""
    await set_up_programme(store, clock=clock)
    password_hash = await passwords_for(store).hash(DEMO_PASSWORD)
    people: dict[str, User] = {}
    for handle, name, role, expertise in _PEOPLE:
        email = f"{handle}@{DEMO_DOMAIN}"
        if await store.load_user_by_email(email) is not None:
            raise Conflict(N_("The demo programme is already there."))
        people[handle] = await create_user(
            store, email=email, name=name, role=role, expertise=expertise, clock=clock
        )

    async def set_passwords(tx: Tx) -> None:
        for person in people.values():
            await tx.set_password_hash(person.id, password_hash)

    await store.write(set_passwords)
    for n in (1, 2, 3):
        pair = {"mentor_id": people[f"mentor{n}"].id, "mentee_id": people[f"mentee{n}"].id}
        await pair_users(store, people["coordinator"], pair, clock=clock)
    for kind, lines in _MESSAGES.items():
        channel = await store.load_channel_by_kind(kind)
        assert channel is not None  # set_up_programme made them
        for handle, body in lines:
            await post_message(
                store, people[handle], {"channel_id": channel.id, "body": body}, clock=clock
            )
    await _seed_library(store, files, people["coordinator"], clock=clock)
    return people


_GUIDE = """A guide to mentoring meetings
============================

Before the first meeting
- Agree how you will meet (here, by phone, in person) and how often: every two weeks works well.
- The mentee writes down one goal for the next three months, in her own words.

In each meeting
- Start with what happened since last time. Celebrate what went well.
- Spend most of the time on the mentee's goal: what is the next small step?
- The mentor listens more than she talks, and asks before she advises.
- End by writing down who does what before the next meeting.

Confidentiality
- What you say in your pair channel stays between the two of you. Coordinators see that you
  meet, never what you write.

When something is not working
- Say so early, kindly. If it does not get better, write to your coordinator.
"""

_CV_CHECKLIST = """CV checklist
============

[ ] Two pages at most; the most recent job first.
[ ] Under each job: two or three things you achieved, with numbers where you can.
[ ] A short profile at the top: who you are and what you are looking for.
[ ] Skills that match the jobs you apply for, in their words.
[ ] No photo, age or marital status unless the employer asks for them.
[ ] Spelling checked by someone else (your mentor!).
[ ] Saved as PDF, named "Firstname Lastname CV.pdf".
"""

_MENTOR_NOTES = """Notes for mentors
=================

- Your mentee sets the agenda; you help her keep it.
- Share your own setbacks, not only your successes.
- Open doors: one introduction can matter more than ten pieces of advice.
- Ask in the mentor lounge when you are unsure: experienced mentors are there to help.
"""

# folder name, audience, [(title, description, a link or (file name, text))]
_LIBRARY: list[tuple[str, str, list[tuple[str, str, str | tuple[str, str]]]]] = [
    (
        "Getting started",
        "everyone",
        [
            (
                "A guide to mentoring meetings",
                "How to prepare, what to talk about, and what to do when it is not working.",
                ("Mentoring meetings.txt", _GUIDE),
            ),
            (
                "What mentoring is, and is not",
                "A short introduction from the European Mentoring and Coaching Council.",
                "https://www.emccglobal.org/",
            ),
        ],
    ),
    (
        "For mentors",
        "mentors",
        [
            (
                "Notes for mentors",
                "Five habits of good mentors.",
                ("Mentor notes.txt", _MENTOR_NOTES),
            )
        ],
    ),
    (
        "For mentees",
        "mentees",
        [
            (
                "CV checklist",
                "Go through it before you send your CV to your mentor.",
                ("CV checklist.txt", _CV_CHECKLIST),
            )
        ],
    ),
]
_DEMO_LIMITS = UploadLimits(max_file_bytes=1024 * 1024, quota_bytes=64 * 1024 * 1024)


async def _seed_library(
    store: Store, files: FileStore | None, coordinator: User, *, clock: Clock
) -> None:
    for name, audience, entries in _LIBRARY:
        folder = await create_folder(
            store, coordinator, {"name": name, "audience": audience}, clock=clock
        )
        for title, description, content in entries:
            resource = {"folder_id": folder.id, "title": title, "description": description}
            if isinstance(content, str):
                resource["url"] = content
            elif files is None:
                continue  # no file store given (a test that needs no files)
            else:
                file_name, text = content
                upload = await receive_upload(
                    store,
                    files,
                    coordinator,
                    name=file_name,
                    chunks=_one_chunk(text.encode()),
                    limits=_DEMO_LIMITS,
                    clock=clock,
                )
                resource["file_id"] = upload.public_id
            await add_resource(store, coordinator, resource, clock=clock)


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data
