"""The resource library: folders, their links and files, how often each is opened (per week
and role), when each person last looked, and messages that share a resource."""

from __future__ import annotations

import sqlite3

from ..records import LibraryFolder, Resource, ResourceCard, ResourceUse
from .base import QueryBase, json_list, record

# A resource is new to someone when it is in a folder they see (:folders) and was added after
# they last opened the library (:since, NULL: never).
_NEW = (
    "removed_at IS NULL AND folder_id IN (SELECT value FROM json_each(:folders))"
    " AND (:since IS NULL OR created_at > :since)"
)


def _resource(row: sqlite3.Row) -> Resource:
    return record(Resource, row)


class LibraryQueries(QueryBase):
    async def list_folders(self) -> list[LibraryFolder]:
        rows = await self._all("SELECT * FROM library_folders ORDER BY position, id")
        return [record(LibraryFolder, row) for row in rows]

    async def load_folder(self, folder_id: int) -> LibraryFolder | None:
        row = await self._one("SELECT * FROM library_folders WHERE id = ?", (folder_id,))
        return None if row is None else record(LibraryFolder, row)

    async def list_resources(self) -> list[Resource]:
        """Every resource not removed, in each folder's order."""
        rows = await self._all(
            "SELECT * FROM library_resources WHERE removed_at IS NULL ORDER BY position, id"
        )
        return [_resource(row) for row in rows]

    async def load_resource(self, resource_id: int) -> Resource | None:
        row = await self._one(
            "SELECT * FROM library_resources WHERE id = ? AND removed_at IS NULL", (resource_id,)
        )
        return None if row is None else _resource(row)

    async def load_library_seen(self, user_id: int) -> str | None:
        return await self._value("SELECT seen_at FROM library_visits WHERE user_id = ?", (user_id,))

    async def list_new_resources(
        self, folder_ids: list[int], *, since: str | None, limit: int
    ) -> list[Resource]:
        """Resources in these folders added after `since` (None: ever), newest first."""
        rows = await self._all(
            "SELECT * FROM library_resources WHERE " + _NEW + " ORDER BY id DESC LIMIT :limit",
            {"folders": json_list(folder_ids), "since": since, "limit": limit},
        )
        return [_resource(row) for row in rows]

    async def count_new_resources(self, folder_ids: list[int], *, since: str | None) -> int:
        return await self._value(
            "SELECT count(*) FROM library_resources WHERE " + _NEW,
            {"folders": json_list(folder_ids), "since": since},
        )

    async def list_resource_uses(self, since_week: str) -> list[ResourceUse]:
        rows = await self._all(
            "SELECT * FROM library_uses WHERE week >= ? ORDER BY week, resource_id, role",
            (since_week,),
        )
        return [record(ResourceUse, row) for row in rows]

    async def list_resource_shares(self, resource_id: int) -> list[tuple[int, int]]:
        """(message id, channel id) of every message that shares the resource."""
        rows = await self._all(
            "SELECT m.id, m.channel_id FROM message_resources mr"
            " JOIN messages m ON m.id = mr.message_id WHERE mr.resource_id = ? ORDER BY m.id",
            (resource_id,),
        )
        return [(row["id"], row["channel_id"]) for row in rows]

    async def resource_titles(self) -> dict[int, str]:
        """Every resource's title, removed ones too (the usage figures name them)."""
        rows = await self._all("SELECT id, title FROM library_resources")
        return {row["id"]: row["title"] for row in rows}

    # writes

    async def insert_folder(
        self, *, parent_id: int | None, name: str, audience: str, now: str
    ) -> LibraryFolder:
        row = await self._one(
            "INSERT INTO library_folders (parent_id, name, audience, position, created_at)"
            " VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM library_folders"
            "  WHERE parent_id IS NOT DISTINCT FROM ?), ?) RETURNING *",
            (parent_id, name, audience, parent_id, now),
        )
        assert row is not None
        return record(LibraryFolder, row)

    async def update_folder(
        self, folder_id: int, *, parent_id: int | None, name: str, audience: str
    ) -> None:
        await self._all(
            "UPDATE library_folders SET parent_id = ?, name = ?, audience = ? WHERE id = ?",
            (parent_id, name, audience, folder_id),
        )

    async def delete_folder(self, folder_id: int) -> None:
        await self._all("DELETE FROM library_folders WHERE id = ?", (folder_id,))

    async def count_folder_contents(self, folder_id: int) -> int:
        """Subfolders and resources not removed."""
        return await self._value(
            "SELECT (SELECT count(*) FROM library_folders WHERE parent_id = :id)"
            " + (SELECT count(*) FROM library_resources"
            "    WHERE folder_id = :id AND removed_at IS NULL)",
            {"id": folder_id},
        )

    async def insert_resource(
        self,
        *,
        folder_id: int,
        title: str,
        description: str,
        url: str | None,
        file_id: str | None,
        created_by: int | None,
        now: str,
    ) -> Resource:
        row = await self._one(
            "INSERT INTO library_resources"
            " (folder_id, title, description, url, file_id, position, created_by,"
            "  created_at, updated_at)"
            " VALUES (:folder, :title, :description, :url, :file_id,"
            "  (SELECT coalesce(max(position), 0) + 1 FROM library_resources"
            "   WHERE folder_id = :folder), :by, :now, :now) RETURNING *",
            {
                "folder": folder_id,
                "title": title,
                "description": description,
                "url": url,
                "file_id": file_id,
                "by": created_by,
                "now": now,
            },
        )
        assert row is not None
        return _resource(row)

    async def update_resource(
        self,
        resource_id: int,
        *,
        folder_id: int,
        title: str,
        description: str,
        url: str | None,
        now: str,
    ) -> None:
        """Moving to another folder puts the resource last there."""
        await self._all(
            "UPDATE library_resources SET title = :title, description = :description,"
            " url = coalesce(:url, url), updated_at = :now,"
            " position = CASE WHEN folder_id = :folder THEN position ELSE"
            "  (SELECT coalesce(max(position), 0) + 1 FROM library_resources"
            "   WHERE folder_id = :folder) END,"
            " folder_id = :folder WHERE id = :id",
            {
                "id": resource_id,
                "folder": folder_id,
                "title": title,
                "description": description,
                "url": url,
                "now": now,
            },
        )

    async def remove_resource(self, resource_id: int, now: str) -> None:
        await self._all(
            "UPDATE library_resources SET removed_at = ? WHERE id = ?", (now, resource_id)
        )

    async def reorder_folders(self, folder_ids: list[int]) -> None:
        await self._all(
            "UPDATE library_folders SET position = j.key + 1"
            " FROM json_each(?) AS j WHERE library_folders.id = j.value",
            (json_list(folder_ids),),
        )

    async def reorder_resources(self, resource_ids: list[int]) -> None:
        await self._all(
            "UPDATE library_resources SET position = j.key + 1"
            " FROM json_each(?) AS j WHERE library_resources.id = j.value",
            (json_list(resource_ids),),
        )

    async def count_resource_use(self, resource_id: int, *, week: str, role: str) -> None:
        await self._all(
            "INSERT INTO library_uses (resource_id, week, role, opened) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (resource_id, week, role) DO UPDATE SET opened = library_uses.opened + 1",
            (resource_id, week, role),
        )

    async def set_library_seen(self, user_id: int, now: str) -> None:
        await self._all(
            "INSERT INTO library_visits (user_id, seen_at) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET seen_at = excluded.seen_at",
            (user_id, now),
        )

    async def share_resource(self, message_id: int, resource_id: int) -> None:
        await self._all(
            "INSERT INTO message_resources (message_id, resource_id) VALUES (?, ?)",
            (message_id, resource_id),
        )


async def resource_cards(queries: QueryBase, message_ids: list[int]) -> dict[int, ResourceCard]:
    """The resource card of each message among `message_ids` that shares one."""
    if not message_ids:
        return {}
    rows = await queries._all(
        "SELECT mr.message_id, r.id, r.title, r.description,"
        " coalesce(f.audience, 'coordinators') AS audience, r.removed_at IS NOT NULL AS removed"
        " FROM message_resources mr JOIN library_resources r ON r.id = mr.resource_id"
        " LEFT JOIN library_folders f ON f.id = r.folder_id"
        " WHERE mr.message_id IN (SELECT value FROM json_each(?))",
        (json_list(message_ids),),
    )
    return {
        row["message_id"]: ResourceCard(
            row["id"], row["title"], row["description"], row["audience"], bool(row["removed"])
        )
        for row in rows
    }
