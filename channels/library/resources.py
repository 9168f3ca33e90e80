"""Resources in the library: coordinators add, edit, move and remove them (each change in
the audit log); people open them and share them into conversations; each opening is counted
for its week and the opener's role, never for the person."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, TypeVar

from channels.chat import messages
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid, NotFound
from channels.files.uploads import attach_uploads, check_own_uploads
from channels.input import (
    check_changes,
    check_id,
    check_line,
    check_object,
    check_place,
    check_text,
    check_url,
)
from channels.languages import N_
from channels.library.folders import (
    check_folder_stays,
    load_folder,
    lock_folders,
    roles_seeing,
    visible_folder_ids,
)
from channels.policy import check_coordinator
from channels.programme.audit import record_action
from channels.render import escape_markdown
from channels.research.usage import count_use, week_of
from channels.words import Words
from storage import Reads, Store, Tx
from storage.records import Message, Resource, StoredFile, User

NO_RESOURCE = N_("That resource does not exist.")
MAX_TITLE = 200
MAX_DESCRIPTION = 1_000
USAGE_WEEKS = 12
T = TypeVar("T")


async def load_visible_resource(store: Store, user: User, resource_id: int) -> Resource:
    """A resource `user` may open now; one they may not is as missing as one never made."""
    resource = await store.load_resource(resource_id)
    if resource is None or resource.folder_id not in visible_folder_ids(
        user, await store.list_folders()
    ):
        raise NotFound(NO_RESOURCE)
    return resource


@dataclass(frozen=True)
class Opened:
    resource: Resource
    file: StoredFile | None  # a file resource's file; None for a link


async def open_resource(
    store: Store, user: User, resource_id: int, *, count: bool = True, clock: Clock = SYSTEM_CLOCK
) -> Opened:
    """Check `user` may open it, and (unless `count` is False: the rest of a download that
    is fetched in parts) count the opening for this week and their role."""
    resource = await load_visible_resource(store, user, resource_id)
    file = None
    if resource.file_id is not None:
        file = await store.load_file(resource.file_id)
        if file is None:
            raise NotFound(NO_RESOURCE)
    if not count:
        return Opened(resource, file)
    now = iso(clock.now())

    async def count_opening(tx: Tx) -> None:
        await tx.count_resource_use(resource.id, week=week_of(now), role=user.role)
        await count_use(tx, user.id, "resource.open", now)

    await store.write(count_opening)
    return Opened(resource, file)


def _check_title(payload: dict[str, Any]) -> str:
    return check_line(payload, "title", max_length=MAX_TITLE, what=N_("A title"))


def _check_description(payload: dict[str, Any]) -> str:
    description = check_text(
        payload, "description", max_length=MAX_DESCRIPTION, optional=True, allow_empty=True
    )
    return (description or "").strip()


async def add_resource(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Resource:
    """`payload`: {folder_id, title, description?} and either `url` (a link) or `file_id`
    (the coordinator's own upload, POST /api/v1/files, not sent anywhere yet); last in its
    folder.  Everyone whose role sees the folder is notified, in the same write."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    folder = await load_folder(store, check_id(payload, "folder_id"))
    title = _check_title(payload)
    description = _check_description(payload)
    url, file_id = None, None
    if (payload.get("url") is None) == (payload.get("file_id") is None):
        raise Invalid(N_("Give either a web address ('url') or an uploaded file ('file_id')."))
    if payload.get("url") is not None:
        url = check_url(payload["url"])
    else:
        file_id = check_text(payload, "file_id", max_length=64, what=N_("The file"))
        await check_own_uploads(store, user, (file_id,))
    now = iso(clock.now())

    async def insert(tx: Tx) -> Resource:
        await check_folder_stays(tx, folder.id)
        if file_id is not None:
            await attach_uploads(tx, user, None, (file_id,), now=now)
        resource = await tx.insert_resource(
            folder_id=folder.id,
            title=title,
            description=description,
            url=url,
            file_id=file_id,
            created_by=actor.id,
            now=now,
        )
        roles = roles_seeing(folder.id, await tx.list_folders())
        await tx.add_resource_notifications(
            sorted(roles), resource_id=resource.id, actor_id=actor.id, now=now
        )
        await record_action(
            tx,
            actor,
            "library.resource_added",
            target_type="library_resource",
            target_id=resource.id,
            summary=Words(
                N_("Added %(title)s to the library folder %(folder)s."),
                title=title,
                folder=folder.name,
            ),
            now=now,
        )
        return resource

    return await store.write(insert)


async def _touch_cards(tx: Tx, resource_id: int) -> list[int]:
    """Inside a write: every message sharing the resource takes its channel's next seq, so
    open pages and syncing clients redraw its card; returns their ids."""
    touched = []
    for message_id, channel_id in await tx.list_resource_shares(resource_id):
        await tx.touch_message(message_id, seq=await tx.next_seq(channel_id))
        touched.append(message_id)
    return touched


async def _load_resource(store: Reads, resource_id: int) -> Resource:
    resource = await store.load_resource(resource_id)
    if resource is None:
        raise NotFound(NO_RESOURCE)
    return resource


class _Moved(Exception):
    """The resource went to another folder between reading its folder and locking it."""


async def _lock_in_folder(tx: Tx, resource_id: int, *also: int) -> Resource:
    """Inside a write, first: lock the resource's folder (with `also`, in id order), then the
    resource, and return it as it is, still there (not removed since it was loaded).  The one
    order of locks of every write that renumbers a folder (adding, moving, changing, removing
    a resource in it): two such writes queue at the folder instead of each holding its own
    resource and waiting for the other's row (a deadlock on PostgreSQL)."""
    resource = await _load_resource(tx, resource_id)
    await lock_folders(tx, resource.folder_id, *also)
    await tx.lock_resource(resource_id)
    locked = await _load_resource(tx, resource_id)
    if locked.folder_id != resource.folder_id:
        raise _Moved  # moved meanwhile, into a folder not locked here
    return locked


async def _write_in_folder(store: Store, block: Callable[[Tx], Coroutine[Any, Any, T]]) -> T:
    """Run a block that starts with `_lock_in_folder`, again when the resource was moved
    to another folder between reading its folder and locking it."""
    while True:
        try:
            return await store.write(block)
        except _Moved:
            continue


@dataclass(frozen=True)
class ResourceChange:
    """A resource as changed, the messages whose cards show the change (to be sent to their
    channels), and the blobs of a removed file to let go of once nothing refers to them."""

    resource: Resource
    cards: list[Message]
    released: tuple[str, ...] = ()


async def update_resource(
    store: Store, user: User, resource_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> ResourceChange:
    """`payload`: any of {title, description, url (links only), folder_id, position (1 is
    first in its folder)}.  What is not given, and the folder's new order, are taken from
    the rows as they are inside the write, under the folder's lock."""
    actor = check_coordinator(user)
    payload = check_changes(payload, ["title", "description", "url", "folder_id", "position"])
    resource = await _load_resource(store, resource_id)
    title = _check_title(payload) if "title" in payload else None
    description = _check_description(payload) if "description" in payload else None
    url = None
    if "url" in payload:
        if resource.url is None:
            raise Invalid(N_("This resource is a file: add the new file as a resource of its own."))
        url = check_url(payload["url"])
    to_folder = None
    if "folder_id" in payload:
        to_folder = (await load_folder(store, check_id(payload, "folder_id"))).id
    now = iso(clock.now())

    async def update(tx: Tx) -> list[int]:
        current = await _lock_in_folder(
            tx, resource.id, *([] if to_folder is None else [to_folder])
        )
        folder_id = current.folder_id if to_folder is None else to_folder
        assert folder_id is not None
        moved = folder_id != current.folder_id
        if moved:
            await check_folder_stays(tx, folder_id)
        siblings = [r.id for r in await tx.list_resources() if r.folder_id == folder_id]
        order = check_place(payload, resource.id, siblings)
        new_title = current.title if title is None else title
        await tx.update_resource(
            resource.id,
            folder_id=folder_id,
            title=new_title,
            description=current.description if description is None else description,
            url=url,
            now=now,
        )
        await tx.reorder_resources(order)
        await record_action(
            tx,
            actor,
            "library.resource_changed",
            target_type="library_resource",
            target_id=resource.id,
            summary=Words(
                N_("Changed the library resource %(title)s and moved it to another folder.")
                if moved
                else N_("Changed the library resource %(title)s."),
                title=new_title,
            ),
            now=now,
        )
        return await _touch_cards(tx, resource.id)

    touched = await _write_in_folder(store, update)
    return ResourceChange(
        await _load_resource(store, resource.id), await store.load_messages(touched)
    )


async def remove_resource(
    store: Store, user: User, resource_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> ResourceChange:
    """Gone from the library (a file with it) and from every card that shared it; its usage
    figures stay."""
    actor = check_coordinator(user)
    resource = await _load_resource(store, resource_id)
    now = iso(clock.now())

    async def remove(tx: Tx) -> tuple[list[int], list[str]]:
        current = await _lock_in_folder(tx, resource.id)
        await tx.remove_resource(resource.id, now)
        released = [] if current.file_id is None else await tx.delete_file(current.file_id)
        await record_action(
            tx,
            actor,
            "library.resource_removed",
            target_type="library_resource",
            target_id=resource.id,
            summary=Words(N_("Removed %(title)s from the library."), title=current.title),
            now=now,
        )
        return await _touch_cards(tx, resource.id), released

    touched, released = await _write_in_folder(store, remove)
    return ResourceChange(resource, await store.load_messages(touched), tuple(released))


async def share_resource(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> messages.Changed:
    """`payload`: {resource_id, channel_id, thread_id?, client_id?}: a message in that channel
    that carries the resource as a card.  Whoever may post there may share what they may see;
    each reader opens it only if their own role may see its folder."""
    payload = check_object(payload)
    resource = await load_visible_resource(store, user, check_id(payload, "resource_id"))
    body = f"Shared from the library: {escape_markdown(resource.title)}"
    new = await messages.check_post(store, user, {**payload, "body": body}, what=N_("A share"))

    async def attach(tx: Tx, message_id: int) -> None:
        await tx.share_resource(message_id, resource.id)

    changed, _ = await messages.do_post(store, user, new, now=iso(clock.now()), also=attach)
    if not changed.created:
        return changed
    shared = await store.load_message(changed.message.id)
    assert shared is not None
    return replace(changed, message=shared, changes=[shared, *changed.changes[1:]])


@dataclass(frozen=True)
class UsageRow:
    resource_id: int
    title: str
    week: str
    role: str
    opened: int


async def library_usage(
    store: Store, user: User, *, weeks: int = USAGE_WEEKS, clock: Clock = SYSTEM_CLOCK
) -> list[UsageRow]:
    """How often each resource was opened, per week and role, over the last `weeks` weeks:
    for the coordinators and the research, never naming anyone."""
    check_coordinator(user)
    first = date.fromisoformat(week_of(clock.now())) - timedelta(weeks=weeks - 1)
    titles = await store.resource_titles()
    return [
        UsageRow(use.resource_id, titles.get(use.resource_id, ""), use.week, use.role, use.opened)
        for use in await store.list_resource_uses(first.isoformat())
    ]
