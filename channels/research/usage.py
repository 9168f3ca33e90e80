"""The usage record: how often participants use each feature, per week.  Never a word, a
name, a query, a channel or a time finer than the week: a row is (week, feature, role, cohort,
research id) and a count.  Only people whose research consent is yes at the time are
recorded (the storage checks it in the same statement); coordinators never are.

A use that is also a write (a message, a reaction, a task done) is recorded in that write's
transaction; a read (a download, a search, a login) records it in a write of its own."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from channels.clock import SYSTEM_CLOCK, Clock
from channels.languages import N_
from storage import Store, Tx
from storage.records import User

# Message features are 'message.<channel kind>' and 'reply.<channel kind>' (a thread reply).
# The labels are marked for the catalogues: the reports page shows them in the reader's words.
CHANNEL_KINDS = {
    "pair": N_("pair channel"),
    "mentor_lounge": N_("mentor lounge"),
    "mentee_lounge": N_("mentee lounge"),
    "announcements": N_("announcements"),
    "community": N_("communities"),
    "coordinator_line": N_("line to the coordinators"),
}
FEATURES: dict[str, str] = {
    **{f"message.{kind}": f"Messages in the {label}" for kind, label in CHANNEL_KINDS.items()},
    **{f"reply.{kind}": f"Thread replies in the {label}" for kind, label in CHANNEL_KINDS.items()},
    "reaction": N_("Reactions"),
    "file.upload": N_("Files uploaded"),
    "file.download": N_("Files downloaded"),
    "resource.open": N_("Library resources opened"),
    "search": N_("Searches"),
    "task.done": N_("Tasks done"),
    "questionnaire.answered": N_("Questionnaires answered"),
    "goal.changed": N_("Goals written or changed"),
    "login": N_("Logins"),
    "digest.opened": N_("Digests opened"),
    "digest.clicked": N_("Digests clicked"),
    "menu.home": N_("Menu: home"),
    "menu.pair": N_("Menu: pair channel"),
    "menu.announcements": N_("Menu: announcements"),
    "menu.lounge": N_("Menu: lounge"),
    "menu.communities": N_("Menu: communities"),
    "menu.library": N_("Menu: library"),
    "menu.questionnaires": N_("Menu: questionnaires"),
    "menu.coordinators": N_("Menu: ask the coordinators"),
    "menu.feedback": N_("Menu: feedback"),
    "menu.link": N_("Menu: the programme's own links"),
}


def week_of(moment: datetime | date | str) -> str:
    """The Monday of the moment's week (in UTC), as the record keeps it: '2026-03-30'."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    day = moment.date() if isinstance(moment, datetime) else moment
    return (day - timedelta(days=day.weekday())).isoformat()


async def count_use(tx: Tx, user_id: int, feature: str, now: str) -> None:
    """Inside the write of the use itself."""
    assert feature in FEATURES, feature
    await tx.add_use(user_id, feature, week_of(now))


async def record_use(
    store: Store, user: User, feature: str, *, clock: Clock = SYSTEM_CLOCK
) -> None:
    """A use that wrote nothing else (a read): recorded in a write of its own."""
    assert feature in FEATURES, feature
    if user.role == "coordinator":
        return  # not recorded: spare the write
    week = week_of(clock.now())
    await store.write(lambda tx: tx.add_use(user.id, feature, week))
