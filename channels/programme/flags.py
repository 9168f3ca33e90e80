"""Report a message (issue 12): the one exception to a pair's confidentiality, and a member of
the pair chooses it.  Anyone who reads a message may report it (not their own; not a
coordinator, to whom reports go).  Nothing is stored or shared until they confirm; then, in
one write, a copy of that one message as it is now (its text, its author, where it was
written) and their note go on the coordinators' list, and arrive as a message in the
reporter's coordinator line, where the coordinators answer.  Nothing else of its channel goes
anywhere (not its thread, not its neighbours), and its author is told nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from channels.chat import lines
from channels.chat.messages import Changed, check_post, do_post
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.dates import Calendar
from channels.errors import Conflict, Forbidden, Invalid, NotFound
from channels.input import check_choice, check_object, check_text
from channels.languages import N_
from channels.notify.mentions import unlink_mentions
from channels.policy import Action, check_coordinator, check_message_allowed
from channels.programme.audit import record_action
from channels.render import escape_markdown
from channels.words import Words
from storage import Store, Tx
from storage.records import Channel, Message, MessageFlag, User

STATUSES = ("new", "handled")
_FLAG_MARKED = {
    "new": N_("Marked the message by %(author)s that %(reporter)s reported as new."),
    "handled": N_("Marked the message by %(author)s that %(reporter)s reported as handled."),
}
MAX_NOTE = 2_000
QUOTED = 2_000  # characters of the message quoted in the line; the list keeps it whole
NOT_FOR_COORDINATORS = N_(
    "Reports go to the coordinators. As a coordinator, remove the message yourself where you"
    " moderate, or disable its author's account under People."
)
NOT_CONFIRMED = N_(
    "Confirm that this message and your note will be shared with the programme's coordinators."
)
NO_FLAG = N_("That reported message does not exist.")


def describe_channel(kind: str, name: str) -> str:
    """Where a message was written, in words a coordinator reads: "the pair channel Maria
    Jensen & Sara Nielsen", "the Mentee lounge"."""
    if kind == "pair":
        return f"the pair channel {name}"
    if kind == "community":
        return f"the community {name}"
    if kind == "coordinator_line":
        return f"{name}'s line to the coordinators"
    return f"the {name}" if kind.endswith("lounge") else name


def may_report(user: User) -> bool:
    """Mentors and mentees report what they read; coordinators are whom reports go to."""
    return user.role in lines.PARTICIPANTS and not user.disabled


@dataclass(frozen=True)
class Reportable:
    """A message the person may report, checked: what the confirmation shows."""

    message: Message
    channel: Channel
    earlier: MessageFlag | None  # their report of it, if they made one already

    @property
    def author(self) -> str:
        return self.message.author_name or "Someone"

    @property
    def where(self) -> str:
        return describe_channel(self.channel.kind, self.channel.name)


async def check_reportable(store: Store, user: User, message_id: int) -> Reportable:
    """A message you cannot read does not exist, as everywhere; one you can read but may not
    report says why."""
    message, channel = await check_message_allowed(store, user, message_id, Action.READ)
    if not may_report(user):
        raise Forbidden(NOT_FOR_COORDINATORS)
    earlier = await store.load_flag_of(user.id, message.id)
    if earlier is None:
        if message.author_id == user.id:
            raise Invalid(N_("This is your own message: you can edit or delete it instead."))
        if message.deleted_at is not None:
            raise Invalid(N_("That message has been deleted."))
        if message.author_id is None or message.kind != "text" or message.goal is not None:
            raise Invalid(
                N_(
                    "Only a message someone wrote can be reported, not a card from the programme"
                    " or a goal."
                )
            )
    return Reportable(message, channel, earlier)


@dataclass(frozen=True)
class Reported:
    flag: MessageFlag
    created: bool  # False: reported before, and nothing changed now
    line: lines.OpenedLine | None = None
    posted: Changed | None = None  # the report in the line, to tell its readers


async def report_message(
    store: Store,
    user: User,
    message_id: int,
    payload: Any,
    *,
    calendar: Calendar,
    clock: Clock = SYSTEM_CLOCK,
) -> Reported:
    """`payload`: {confirmed: true, note?}.  Reporting a message again returns the first report
    and changes nothing.  Everything is checked before the line is opened."""
    found = await check_reportable(store, user, message_id)
    payload = check_object(payload)
    note = check_text(
        payload, "note", max_length=MAX_NOTE, optional=True, allow_empty=True, what=N_("Your note")
    )
    if payload.get("confirmed") is not True:
        raise Invalid(NOT_CONFIRMED)
    if found.earlier is not None:
        return Reported(found.earlier, created=False)
    note = (note or "").strip()
    message, channel = found.message, found.channel
    assert message.author_id is not None
    author_id = message.author_id
    line = await lines.open_line(store, user, clock=clock)
    new = await check_post(
        store,
        user,
        {
            "channel_id": line.channel.id,
            "body": line_text(found, note, calendar),
            # One per message and reporter: a retry, or a race of two confirmations, returns
            # the first post (do_post) and records nothing more.
            "client_id": f"report:{message.id}",
        },
    )
    now = iso(clock.now())

    async def record(tx: Tx, line_message_id: int) -> int:
        return await tx.insert_flag(
            reporter_id=user.id,
            message_id=message.id,
            channel_id=channel.id,
            channel_kind=channel.kind,
            channel_name=channel.name,
            author_id=author_id,
            author_name=found.author,
            body=message.body,
            html=message.html,
            written_at=message.created_at,
            note=note,
            line_message_id=line_message_id,
            now=now,
        )

    posted, _ = await do_post(store, user, new, now=now, also=record)
    flag = await store.load_flag_of(user.id, message.id)
    if flag is None:  # not posted: a message of theirs already had this report's client_id
        raise Conflict(
            N_("A message of yours already uses this report's client_id: nothing was reported.")
        )
    return Reported(flag, created=posted.created, line=line, posted=posted)


def line_text(found: Reportable, note: str, calendar: Calendar) -> str:
    """The report as it reads in the reporter's coordinator line: who wrote what, where, and
    the note.  Mentions become plain names there: a quote notifies nobody."""
    source = unlink_mentions(found.message.body).strip()
    note = unlink_mentions(note)
    excerpt = source if len(source) <= QUOTED else source[:QUOTED].rstrip() + " …"
    quoted = "\n".join(f"> {row}" if row.strip() else ">" for row in excerpt.splitlines())
    written = calendar.moment(found.message.created_at)
    return (
        f"**Reported message** by {escape_markdown(found.author)} in"
        f" {escape_markdown(found.where)}, written {written}:\n\n"
        f"{quoted or '> (no text, only files: they are not shared)'}\n\n"
        + (f"**My note:** {note}" if note else "No note.")
    )


async def list_flags(store: Store, user: User, *, status: str | None = None) -> list[MessageFlag]:
    check_coordinator(user)
    if status is not None:
        check_choice({"status": status}, "status", STATUSES, what=N_("The status"))
    return await store.list_flags(status=status, limit=200)


async def set_status(
    store: Store, user: User, flag_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> MessageFlag:
    """`payload`: {status}.  Coordinators only; audited, without a word of the message."""
    actor = check_coordinator(user)
    status = check_choice(check_object(payload), "status", STATUSES, what=N_("The status"))
    found = await store.load_flag(flag_id)
    if found is None:
        raise NotFound(NO_FLAG)
    now = iso(clock.now())

    async def write(tx: Tx) -> None:
        await tx.set_flag_status(found.id, status, now)
        await record_action(
            tx,
            actor,
            "message_flag.status_changed",
            target_type="message_flag",
            target_id=found.id,
            summary=Words(
                _FLAG_MARKED[status], author=found.author_name, reporter=found.reporter_name
            ),
            now=now,
        )

    await store.write(write)
    changed = await store.load_flag(found.id)
    assert changed is not None
    return changed
