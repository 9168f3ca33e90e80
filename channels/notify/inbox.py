"""A person's notifications: listed (newest first, only in channels they may read now),
counted, marked read; the settings they keep; and which people have a socket open anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from channels.chat.directory import readable_channel_ids
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid
from channels.input import check_bool, check_count, check_id, check_object
from channels.languages import N_
from channels.library.folders import visible_folder_ids
from channels.notify.notifications import DIGEST_FREQUENCIES, KINDS
from storage import Store, Tx
from storage.records import Notification, NotificationPrefs, User

PAGE = 30


@dataclass(frozen=True)
class NotificationList:
    notifications: list[Notification]
    unread: int
    more: bool


@dataclass(frozen=True)
class Scope:
    """What a person may be told about now: the channels they may read and the library
    folders their role sees.  A notification outside it is not listed, counted or opened."""

    channel_ids: list[int]
    folder_ids: list[int]


async def scope_of(store: Store, user: User) -> Scope:
    folders = visible_folder_ids(user, await store.list_folders())
    return Scope(await readable_channel_ids(store, user), sorted(folders))


async def list_notifications(store: Store, user: User, payload: Any) -> NotificationList:
    """`payload`: {before_id?, limit?}.  Newest first, only about what the person may read now."""
    payload = check_object(payload)
    before_id = check_id(payload, "before_id", optional=True)
    limit = check_count(payload, "limit", default=PAGE, low=1, high=100)
    scope = await scope_of(store, user)
    found = await store.list_notifications(
        user.id,
        channel_ids=scope.channel_ids,
        folder_ids=scope.folder_ids,
        before_id=before_id,
        limit=limit + 1,
    )
    unread = await store.count_unread_notifications(
        user.id, channel_ids=scope.channel_ids, folder_ids=scope.folder_ids
    )
    return NotificationList(found[:limit], unread, len(found) > limit)


async def count_unread(store: Store, user: User) -> int:
    scope = await scope_of(store, user)
    return await store.count_unread_notifications(
        user.id, channel_ids=scope.channel_ids, folder_ids=scope.folder_ids
    )


async def mark_read(store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK) -> int:
    """`payload`: {ids: [..]} or {all: true}.  Only the person's own; returns the unread left."""
    payload = check_object(payload)
    every = check_bool(payload, "all", default=False)
    ids = payload.get("ids")
    if not every:
        if (
            not isinstance(ids, list)
            or not 0 < len(ids) <= 500
            or not all(type(i) is int and 0 < i < 2**53 for i in ids)
        ):
            raise Invalid(N_("Send 'ids', a list of notification ids, or 'all': true."))
    now = iso(clock.now())
    await store.write(lambda tx: tx.mark_notifications_read(user.id, None if every else ids, now))
    return await count_unread(store, user)


async def load_prefs(store: Store, user: User) -> NotificationPrefs:
    return await store.load_notification_prefs(user.id)


async def save_prefs(store: Store, user: User, payload: Any) -> NotificationPrefs:
    """`payload`: {kinds: {kind: bool, ...}?, digest?: daily|weekly|never, away_mail?: bool}.
    Left-out fields keep their value: the one they have when the save is written, under the
    person's lock, so two saves at once take turns and neither writes back what it read
    before the other's."""
    payload = check_object(payload)
    kinds = payload.get("kinds", {})
    if (
        not isinstance(kinds, dict)
        or not set(kinds) <= set(KINDS)
        or not all(isinstance(on, bool) for on in kinds.values())
    ):
        raise Invalid(
            N_("'kinds' maps each of %(kinds)s to true or false."), kinds=", ".join(KINDS)
        )
    if "digest" in payload and payload["digest"] not in DIGEST_FREQUENCIES:
        raise Invalid(N_("'digest' is daily, weekly or never."))
    if "away_mail" in payload:
        check_bool(payload, "away_mail")

    async def save(tx: Tx) -> None:
        await tx.lock_user(user.id)  # one save of a person's settings at a time
        current = await tx.load_notification_prefs(user.id)
        muted = set(current.muted)
        for kind, on in kinds.items():
            (muted.discard if on else muted.add)(kind)
        await tx.save_notification_prefs(
            user.id,
            muted=sorted(muted),
            digest=payload.get("digest", current.digest),
            away_mail=payload.get("away_mail", current.away_mail),
        )

    await store.write(save)
    return await store.load_notification_prefs(user.id)


ONLINE_FRESH = timedelta(minutes=3)  # a process refreshes its presence rows well within this


async def set_online(store: Store, user_id: int, node: str, *, online: bool, now: datetime) -> None:
    await store.write(lambda tx: tx.set_presence(user_id, node, online=online, now=iso(now)))


async def refresh_presence(store: Store, node: str, user_ids: list[int], now: datetime) -> None:
    """This process still has sockets of `user_ids`; rows of processes that stopped refreshing
    theirs (they died) are dropped."""
    await store.write(
        lambda tx: tx.refresh_presence(
            node, user_ids, iso(now), stale_before=iso(now - ONLINE_FRESH)
        )
    )
