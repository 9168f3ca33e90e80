"""Library folders and what a person sees of them: the folders their role may see (a
subfolder only inside a folder they may see too), each with its resources in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Invalid, NotFound
from channels.input import check_changes, check_id, check_name, check_object, check_place
from channels.languages import N_
from channels.policy import FOLDER_AUDIENCES, check_coordinator, may_see_audience
from channels.programme.audit import record_action
from channels.words import Words, joined
from storage import Reads, Store, Tx
from storage.records import LibraryFolder, Resource, StoredFile, User

NO_FOLDER = N_("That folder does not exist.")
AUDIENCE_NAMES = {
    "everyone": N_("everyone"),
    "mentors": N_("mentors only"),
    "mentees": N_("mentees only"),
    "coordinators": N_("coordinators only"),
}


@dataclass(frozen=True)
class Shelf:
    """A folder as one person sees it: its resources and subfolders, in the order set."""

    folder: LibraryFolder
    resources: list[Resource]
    subfolders: list[Shelf]


@dataclass(frozen=True)
class Library:
    shelves: list[Shelf]
    new_ids: frozenset[int]  # resources added since the person last opened the library
    files: dict[str, StoredFile]  # the file of each file resource, by its public id

    def resources(self) -> list[Resource]:
        found = []
        for shelf in self.shelves:
            for inner in [shelf, *shelf.subfolders]:
                found.extend(inner.resources)
        return found


def visible_folder_ids(user: User, folders: list[LibraryFolder]) -> set[int]:
    """The folders `user` may see: their audience admits the role, and so does the parent's."""
    by_id = {f.id: f for f in folders}

    def visible(folder: LibraryFolder) -> bool:
        parent = by_id.get(folder.parent_id) if folder.parent_id is not None else None
        if folder.parent_id is not None and (parent is None or not visible(parent)):
            return False
        return may_see_audience(user, folder.audience)

    return {f.id for f in folders if visible(f)}


def roles_seeing(folder_id: int | None, folders: list[LibraryFolder]) -> frozenset[str]:
    """The roles that may see a folder: its audience's, within its parent's."""
    by_id = {f.id: f for f in folders}
    folder = by_id.get(folder_id) if folder_id is not None else None
    if folder is None:
        return frozenset()
    roles = FOLDER_AUDIENCES[folder.audience]
    if folder.parent_id is not None:
        roles &= roles_seeing(folder.parent_id, folders)
    return roles


async def load_library(store: Store, user: User) -> Library:
    folders = await store.list_folders()
    visible = visible_folder_ids(user, folders)
    resources = [r for r in await store.list_resources() if r.folder_id in visible]
    seen = await store.load_library_seen(user.id)
    new = await store.list_new_resources(sorted(visible), since=seen, limit=len(resources))
    new_ids = frozenset(r.id for r in new)

    def shelf(folder: LibraryFolder) -> Shelf:
        return Shelf(
            folder,
            [r for r in resources if r.folder_id == folder.id],
            [shelf(f) for f in folders if f.parent_id == folder.id and f.id in visible],
        )

    top = [f for f in folders if f.parent_id is None and f.id in visible]
    files = await store.load_files([r.file_id for r in resources if r.file_id is not None])
    return Library([shelf(f) for f in top], new_ids, {f.public_id: f for f in files})


async def count_new_resources(store: Store, user: User) -> int:
    """For the menu, on every page: one count, the same rule as `Library.new_ids`."""
    visible = visible_folder_ids(user, await store.list_folders())
    since = await store.load_library_seen(user.id)
    return await store.count_new_resources(sorted(visible), since=since)


async def mark_library_seen(store: Store, user: User, *, clock: Clock = SYSTEM_CLOCK) -> int:
    """The person opened the library: nothing in it is new to them any more, and what it
    notified them of is read.  Returns how many notifications that read."""
    now = iso(clock.now())

    async def write(tx: Tx) -> int:
        await tx.set_library_seen(user.id, now)
        return await tx.mark_resource_notifications_read(user.id, now)

    return await store.write(write)


def check_audience(value: object) -> str:
    if not isinstance(value, str) or value not in FOLDER_AUDIENCES:
        raise Invalid(N_("Who may see the folder: everyone, mentors, mentees or coordinators."))
    assert isinstance(value, str)
    return value


async def load_folder(store: Reads, folder_id: int) -> LibraryFolder:
    folder = await store.load_folder(folder_id)
    if folder is None:
        raise NotFound(NO_FOLDER)
    return folder


async def lock_folders(tx: Tx, *folder_ids: int | None) -> None:
    """Until the commit: no other write moves, fills or deletes these folders (each folder
    move locks the folder and its new parent, in id order, so two moves that touch a folder
    take turns and the second checks what the first wrote)."""
    for folder_id in sorted({i for i in folder_ids if i is not None}):
        await tx.lock_folder(folder_id)


async def check_folder_stays(tx: Tx, folder_id: int) -> None:
    """Inside a write, before putting something into the folder: it was not deleted since
    it was checked, and is not until the commit (a deletion waits, or is seen here)."""
    await tx.lock_folder(folder_id)
    await load_folder(tx, folder_id)


async def _check_parent(tx: Tx, parent_id: int | None, moving: LibraryFolder | None = None) -> None:
    """Folders nest one level: a parent is a top-level folder, and a folder with subfolders
    stays at the top.  Inside the write, with both folders locked (`lock_folders`)."""
    if parent_id is None:
        return
    parent = await load_folder(tx, parent_id)
    if parent.parent_id is not None:
        raise Invalid(N_("Folders go one level deep: choose a top-level folder as the parent."))
    if moving is not None and parent.id == moving.id:
        raise Invalid(N_("A folder cannot be inside itself."))
    if moving is not None and any(f.parent_id == moving.id for f in await tx.list_folders()):
        raise Invalid(N_("This folder has folders inside it, so it stays at the top level."))


async def create_folder(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> LibraryFolder:
    """`payload`: {name, audience, parent_id?}."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    name = check_name(payload.get("name"), N_("Folder name"))
    audience = check_audience(payload.get("audience"))
    parent_id = check_id(payload, "parent_id", optional=True)
    now = iso(clock.now())

    async def insert(tx: Tx) -> LibraryFolder:
        await lock_folders(tx, parent_id)
        await _check_parent(tx, parent_id)
        folder = await tx.insert_folder(parent_id=parent_id, name=name, audience=audience, now=now)
        await record_action(
            tx,
            actor,
            "library.folder_created",
            target_type="library_folder",
            target_id=folder.id,
            summary=Words(
                N_("Created the library folder %(name)s (%(audience)s)."),
                name=name,
                audience=Words(AUDIENCE_NAMES[audience]),
            ),
            now=now,
        )
        return folder

    return await store.write(insert)


async def update_folder(
    store: Store, user: User, folder_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> LibraryFolder:
    """`payload`: any of {name, audience, parent_id (null for the top level), position (1 is
    first among the folders beside it)}."""
    actor = check_coordinator(user)
    payload = check_changes(payload, ["name", "audience", "parent_id", "position"])
    await load_folder(store, folder_id)
    name = check_name(payload["name"], N_("Folder name")) if "name" in payload else None
    audience = check_audience(payload["audience"]) if "audience" in payload else None
    new_parent_id = (
        check_id(payload, "parent_id", optional=True) if "parent_id" in payload else None
    )
    now = iso(clock.now())

    async def update(tx: Tx) -> None:
        # The folder as it is once no other move can touch it: what is checked is what stays.
        await lock_folders(tx, folder_id, new_parent_id)
        folder = await load_folder(tx, folder_id)
        parent_id = new_parent_id if "parent_id" in payload else folder.parent_id
        if parent_id != folder.parent_id:
            await _check_parent(tx, parent_id, moving=folder)
        siblings = [f.id for f in await tx.list_folders() if f.parent_id == parent_id]
        order = check_place(payload, folder.id, siblings)
        new_name = folder.name if name is None else name
        new_audience = folder.audience if audience is None else audience
        await tx.update_folder(folder.id, parent_id=parent_id, name=new_name, audience=new_audience)
        await tx.reorder_folders(order)
        changes = []
        if new_name != folder.name:
            changes.append(Words(N_("renamed it %(name)s"), name=new_name))
        if new_audience != folder.audience:
            changes.append(
                Words(
                    N_("made it visible to %(audience)s"),
                    audience=Words(AUDIENCE_NAMES[new_audience]),
                )
            )
        if parent_id != folder.parent_id:
            changes.append(Words(N_("moved it")))
        if not changes:
            changes.append(Words(N_("changed its place in the order")))
        await record_action(
            tx,
            actor,
            "library.folder_changed",
            target_type="library_folder",
            target_id=folder.id,
            summary=Words(
                N_("Library folder %(name)s: %(changes)s."),
                name=folder.name,
                changes=joined(changes, ", "),
            ),
            now=now,
        )

    await store.write(update)
    return await load_folder(store, folder_id)


async def delete_folder(
    store: Store, user: User, folder_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> None:
    actor = check_coordinator(user)
    folder = await load_folder(store, folder_id)
    now = iso(clock.now())

    async def delete(tx: Tx) -> None:
        await tx.lock_folder(folder.id)  # nothing is put into it between the count and the end
        if await tx.count_folder_contents(folder.id):
            raise Conflict(N_("This folder is not empty: move or remove what is in it first."))
        await tx.delete_folder(folder.id)
        await record_action(
            tx,
            actor,
            "library.folder_deleted",
            target_type="library_folder",
            target_id=folder.id,
            summary=Words(N_("Deleted the empty library folder %(name)s."), name=folder.name),
            now=now,
        )

    await store.write(delete)
