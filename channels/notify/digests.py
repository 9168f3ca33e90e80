"""Digest e-mails: daily or weekly (the default) per person, at a local hour of the programme's
time zone, skipped when there is nothing they have not read.

Contents are only what the person may read and has not read: the liveliest new threads of
their lounge and communities (by replies and reactions, with a short excerpt unless the
programme turns excerpts off), new announcements, new library resources for their role (added
since the period began and since they last opened the library), their pair's tasks that are
due or overdue, and for their pair channel ONLY a count ("4 new messages from Maria").

Exactly once per person and period, across restarts and any number of processes: the digest
is claimed by inserting (person, period) into `digest_claims`, whose key is unique, in the
transaction that queues its mail (or records that it was skipped).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from channels.chat.directory import channel_title, list_channels
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.dates import Calendar
from channels.languages import N_
from channels.library.folders import visible_folder_ids
from channels.notify.wire import excerpt
from channels.people.mail import Mail, MailSettings
from channels.readers import Reader
from channels.research.usage import count_use
from storage import Store, Tx
from storage.records import Channel, User

FREQUENCIES = ("daily", "weekly")
MAX_THREADS = 6
MAX_ANNOUNCEMENTS = 5
MAX_RESOURCES = 5
TASKS_AHEAD = timedelta(days=2)  # "due" = due within this, or overdue


@dataclass(frozen=True)
class DigestSettings:
    calendar: Calendar  # the programme's locale and time zone
    hour: int
    weekday: int  # 0 = Monday
    mail: MailSettings
    secret: bytes
    excerpts: bool = True

    @property
    def zone(self) -> ZoneInfo:
        return self.calendar.zone

    def reader(self, user: User) -> Reader:
        """What `user`'s digest is written in: their language, else the programme's."""
        return Reader.of(user.language, self.calendar)


@dataclass(frozen=True)
class Period:
    frequency: str
    key: str  # 'day:2026-03-29' or 'week:2026-03-30' (the local date of its start)
    starts: datetime  # when its digests fall due (UTC)
    length: timedelta


def current_period(frequency: str, now: datetime, settings: DigestSettings) -> Period:
    """The latest period of `frequency` that has begun by `now`: it begins at `hour` local time
    (each day, or on `weekday`), whatever the offset from UTC is that day."""
    local = now.astimezone(settings.zone)
    day = local.date()
    if frequency == "weekly":
        day -= timedelta(days=(day.weekday() - settings.weekday) % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    starts = _at_hour(day, settings)
    if starts > now:
        day -= step
        starts = _at_hour(day, settings)
    prefix = "week" if frequency == "weekly" else "day"
    return Period(frequency, f"{prefix}:{day.isoformat()}", starts, step)


def _at_hour(day: date, settings: DigestSettings) -> datetime:
    return datetime.combine(day, time(settings.hour), tzinfo=settings.zone)


def next_start(now: datetime, settings: DigestSettings) -> datetime:
    """When the next period of any frequency begins."""
    local_day = now.astimezone(settings.zone).date()
    for ahead in range(0, 9):
        moment = _at_hour(local_day + timedelta(days=ahead), settings)
        if moment > now:
            return moment
    raise AssertionError("a day has an hour")


# Signed links: unsubscribe (per person); open and click counters, per period and per digest:
# each digest carries a random token of its own (so reading it twice counts once), which names
# nobody.


def sign(secret: bytes, *parts: object) -> str:
    text = "|".join(str(p) for p in parts)
    return hmac.new(secret, f"digest|{text}".encode(), hashlib.sha256).hexdigest()[:32]


def check_signed(secret: bytes, signature: str, *parts: object) -> bool:
    return hmac.compare_digest(sign(secret, *parts), signature or "")


def unsubscribe_path(secret: bytes, user_id: int) -> str:
    return f"/digests/unsubscribe/{user_id}/{sign(secret, 'unsubscribe', user_id)}"


def click_path(secret: bytes, period: str, token: str, to: str) -> str:
    signature = sign(secret, "click", period, token, to)
    return "/digests/click?" + urlencode({"p": period, "t": token, "to": to, "s": signature})


def open_path(secret: bytes, period: str, token: str) -> str:
    signature = sign(secret, "open", period, token)
    return "/digests/open.gif?" + urlencode({"p": period, "t": token, "s": signature})


# what a digest holds


@dataclass(frozen=True)
class DigestItem:
    title: str  # "Mentor lounge", "Maria Jensen" ...
    text: str  # a sentence or an excerpt
    link: str  # a full URL (through the click counter)


@dataclass(frozen=True)
class Digest:
    user: User
    period: Period
    token: str  # this one digest's, in its counted links
    threads: list[DigestItem] = field(default_factory=list)
    announcements: list[DigestItem] = field(default_factory=list)
    pair: list[DigestItem] = field(default_factory=list)
    tasks: list[DigestItem] = field(default_factory=list)
    resources: list[DigestItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.threads or self.announcements or self.pair or self.tasks or self.resources)

    def links(self, settings: DigestSettings) -> dict[str, str]:
        mail, secret = settings.mail, settings.secret
        return {
            "unsubscribe": mail.link(unsubscribe_path(secret, self.user.id)),
            "settings": mail.link("/profile#notifications-title"),
            "open": mail.link(open_path(secret, self.period.key, self.token)),
            "home": mail.link("/"),
        }


async def build_digest(
    store: Store,
    user: User,
    period: Period,
    now: datetime,
    settings: DigestSettings,
    *,
    sample_pair: bool = False,
) -> Digest:
    """What `user` may read and has not read since the period before this one began.
    `sample_pair`: a coordinator's preview for a role (no real pair): one example line."""
    since = iso(period.starts - period.length)
    token = secrets.token_urlsafe(12)
    words = settings.reader(user)
    _, ngettext = words.gettext, words.ngettext

    def tracked(path: str) -> str:  # through the click counter
        return settings.mail.link(click_path(settings.secret, period.key, token, path))

    summaries = await list_channels(store, user)
    channels: dict[int, Channel] = {s.channel.id: s.channel for s in summaries}
    talk = [
        c.id for c in channels.values() if c.kind in ("mentor_lounge", "mentee_lounge", "community")
    ]
    news = [c.id for c in channels.values() if c.kind == "announcements"]

    def quoted(body: str) -> str:
        return (excerpt(body, 200) or "") if settings.excerpts else _("A new conversation")

    def where(channel_id: int, name: str) -> str:
        channel = channels.get(channel_id)
        return channel_title(channel.kind, name, words) if channel else name

    threads = [
        DigestItem(
            title=f"{where(t.channel_id, t.channel_name)}: {t.author_name or 'Mentorspace'}",
            text=quoted(t.body),
            link=tracked(f"/channels/{t.channel_id}#m-{t.message_id}"),
        )
        for t in await store.list_lively_threads(
            talk, user_id=user.id, since=since, limit=MAX_THREADS
        )
    ]
    announcements = [
        DigestItem(
            title=t.author_name or _("Announcement"),
            text=quoted(t.body),
            link=tracked(f"/channels/{t.channel_id}#m-{t.message_id}"),
        )
        for t in await store.list_lively_threads(
            news, user_id=user.id, since=since, limit=MAX_ANNOUNCEMENTS
        )
    ]
    seen = await store.load_library_seen(user.id)
    folders = visible_folder_ids(user, await store.list_folders())
    resources = [
        DigestItem(
            title=r.title,
            text=excerpt(r.description, 200) or (_("A link") if r.url else _("A document")),
            link=tracked(f"/resources#resource-{r.id}"),
        )
        for r in await store.list_new_resources(
            sorted(folders), since=max(since, seen or since), limit=MAX_RESOURCES
        )
    ]
    pair_items, tasks = [], []
    if sample_pair:
        pair_items.append(
            DigestItem(
                _("Open your mentoring channel"), _("4 new messages from (their partner)"), "#"
            )
        )
    for summary in summaries:
        channel = summary.channel
        if channel.kind != "pair" or summary.partner_id is None:
            continue
        partner = await store.load_user(summary.partner_id)
        count = await store.count_unread_from(
            channel.id, user_id=user.id, author_id=summary.partner_id
        )
        if partner is not None and count:
            many = ngettext(
                "%(count)s new message from %(name)s", "%(count)s new messages from %(name)s", count
            )
            pair_items.append(
                DigestItem(
                    _("Open your mentoring channel"),
                    many % {"count": count, "name": partner.name},
                    tracked(f"/channels/{channel.id}"),
                )
            )
        if channel.archived:
            continue
        pair = await store.load_pair_by_channel(channel.id)
        if pair is None:
            continue
        for task in await store.list_pair_occurrences(pair.id):
            if task.done_at is not None or task.due_at is None:
                continue
            due = datetime.fromisoformat(task.due_at)
            if due > now + TASKS_AHEAD:
                continue
            when = {"day": words.calendar.day(due)}
            tasks.append(
                DigestItem(
                    task.title,
                    (_("overdue since %(day)s") if due <= now else _("due on %(day)s")) % when,
                    tracked(f"/channels/{channel.id}#m-{task.message_id}"),
                )
            )
    return Digest(user, period, token, threads, announcements, pair_items, tasks, resources)


def digest_subject(digest: Digest, settings: DigestSettings) -> str:
    """The mail's subject, in its reader's language."""
    _ = settings.reader(digest.user).gettext
    programme = {"programme": settings.mail.programme}
    if digest.period.frequency == "weekly":
        return _("Your weekly summary from %(programme)s") % programme
    return _("Your daily summary from %(programme)s") % programme


Render = Callable[[Digest], Mail]


@dataclass(frozen=True)
class SendRun:
    sent: int = 0
    skipped: int = 0


async def send_due(
    store: Store,
    now: datetime,
    settings: DigestSettings,
    render: Render,
    *,
    moment: datetime | None = None,
) -> SendRun:
    """Queue every digest whose period has begun by `moment` (default `now`) and that nobody
    has claimed: one per person and period, whichever process gets there first.  A person
    whose account is younger than the period waits for the next one."""
    sent = skipped = 0
    for frequency in FREQUENCIES:
        period = current_period(frequency, moment or now, settings)
        claimed = await store.list_digest_claimed(period.key)
        for user_id in await store.list_digest_people(frequency):
            if user_id in claimed:
                continue
            outcome = await send_one(store, user_id, period, now, settings, render)
            sent += outcome == "sent"
            skipped += outcome == "skipped"
    return SendRun(sent, skipped)


async def send_one(
    store: Store,
    user_id: int,
    period: Period,
    now: datetime,
    settings: DigestSettings,
    render: Render,
) -> str | None:
    """Claim and queue (or skip) one person's digest; None when someone else claimed it."""
    user = await store.load_user(user_id)
    if user is None or user.disabled:
        return None
    if datetime.fromisoformat(user.created_at) > period.starts:
        return None  # a person's first digest is for the first period after they joined
    digest = await build_digest(store, user, period, now, settings)
    mail = None if digest.empty else render(digest)
    outcome = "skipped" if mail is None else "sent"

    async def claim(tx: Tx) -> bool:
        if not await tx.claim_digest(user.id, period.key, outcome, iso(now), digest.token):
            return False
        if mail is not None:
            await tx.enqueue_mail([mail.as_row()], iso(now))
        return True

    return outcome if await store.write(claim) else None


PREVIEW_NAMES = {
    "mentee": N_("A mentee"),
    "mentor": N_("A mentor"),
    "coordinator": N_("A coordinator"),
}


async def preview_for_role(
    store: Store, role: str, now: datetime, settings: DigestSettings
) -> Digest:
    """A coordinator's preview: what someone of `role` with no memberships and nothing read
    would get this week, with an example pair line (no real pair's data at all).  In the
    programme's language: what everyone who has not chosen a language gets."""
    name = Reader.of("", settings.calendar).gettext(PREVIEW_NAMES.get(role, role))
    someone = User(0, "someone@example.org", name, role, None, "", "", False, iso(now))
    period = current_period("weekly", now, settings)
    return await build_digest(
        store, someone, period, now, settings, sample_pair=role != "coordinator"
    )


async def unsubscribe(
    store: Store, user_id: int, signature: str, settings: DigestSettings, now: datetime
) -> User | None:
    """One click, no login: the signed link turns the person's digests off, recorded."""
    if not check_signed(settings.secret, signature, "unsubscribe", user_id):
        return None
    user = await store.load_user(user_id)
    if user is None:
        return None
    await store.write(lambda tx: tx.unsubscribe_digest(user_id, iso(now)))
    return user


async def count_event(
    store: Store,
    period: str,
    token: str,
    signature: str,
    settings: DigestSettings,
    *,
    clicked: bool,
    to: str = "",
    clock: Clock = SYSTEM_CLOCK,
) -> bool:
    """An open (the pixel) or a click (the redirect) of one digest, counted once each for its
    period, never who; and, once each, in its reader's usage record (by research id)."""
    parts = ("click", period, token, to) if clicked else ("open", period, token)
    if not check_signed(settings.secret, signature, *parts):
        return False
    now = iso(clock.now())

    async def count(tx: Tx) -> None:
        firsts = await tx.count_digest_read(period, token, clicked=clicked)
        reader = await tx.load_digest_reader(period, token) if firsts else None
        if reader is not None:
            for first in firsts:
                await count_use(tx, reader, f"digest.{first}", now)

    await store.write(count)
    return True
