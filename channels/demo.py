"""The demo programme: one coordinator, three mentors, three mentees, three pairs, and a few
messages in the lounges and announcements.  Only ever created on request (`mentorspace demo`,
or `make run` on an empty data directory)."""

from __future__ import annotations

from channels.chat.directory import set_up_programme
from channels.chat.messages import post_message
from channels.clock import SYSTEM_CLOCK, Clock
from channels.errors import Conflict
from channels.library.folders import create_folder
from channels.library.resources import add_resource
from channels.people.accounts import create_user
from channels.people.passwords import passwords_for
from channels.programme.matching import pair_users
from storage import Store, Tx
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


async def seed_demo(store: Store, *, clock: Clock = SYSTEM_CLOCK) -> dict[str, User]:
    """Create the demo programme; refuse if any demo account exists already."""
    await set_up_programme(store, clock=clock)
    password_hash = await passwords_for(store).hash(DEMO_PASSWORD)
    people: dict[str, User] = {}
    for handle, name, role, expertise in _PEOPLE:
        email = f"{handle}@{DEMO_DOMAIN}"
        if await store.load_user_by_email(email) is not None:
            raise Conflict("The demo programme is already there.")
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
    await _seed_library(store, people["coordinator"], clock=clock)
    return people


# folder name, audience, [(title, description, url)]
_LIBRARY = [
    (
        "Getting started",
        "everyone",
        [
            (
                "What mentoring is, and is not",
                "A short introduction from the European Mentoring and Coaching Council.",
                "https://www.emccglobal.org/",
            ),
        ],
    ),
    ("For mentors", "mentors", []),
    ("For mentees", "mentees", []),
]


async def _seed_library(store: Store, coordinator: User, *, clock: Clock) -> None:
    for name, audience, links in _LIBRARY:
        folder = await create_folder(
            store, coordinator, {"name": name, "audience": audience}, clock=clock
        )
        for title, description, url in links:
            await add_resource(
                store,
                coordinator,
                {"folder_id": folder.id, "title": title, "description": description, "url": url},
                clock=clock,
            )
