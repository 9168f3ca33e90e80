"""Uploaded files: their rows (the bytes are in the file store, by sha256), attaching them to
a message, letting go of them, and what refers to a blob."""

from __future__ import annotations

import sqlite3

from ..records import StoredFile, Thumbnail
from .base import QueryBase, json_list, record


class FileQueries(QueryBase):
    async def insert_file(
        self,
        *,
        public_id: str,
        uploader_id: int,
        sha256: str,
        size: int,
        mime: str,
        name: str,
        now: str,
        width: int | None = None,
        height: int | None = None,
        thumbnail: Thumbnail | None = None,
    ) -> StoredFile:
        row = await self._one(
            "INSERT INTO files (public_id, uploader_id, sha256, size, mime, name, created_at,"
            " width, height, thumb_sha256, thumb_size, thumb_mime, thumb_width, thumb_height)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (
                public_id,
                uploader_id,
                sha256,
                size,
                mime,
                name,
                now,
                width,
                height,
                *(
                    (None,) * 5
                    if thumbnail is None
                    else (
                        thumbnail.sha256,
                        thumbnail.size,
                        thumbnail.mime,
                        thumbnail.width,
                        thumbnail.height,
                    )
                ),
            ),
        )
        assert row is not None
        return record(StoredFile, row)

    async def load_file(self, public_id: str) -> StoredFile | None:
        row = await self._one("SELECT * FROM files WHERE public_id = ?", (public_id,))
        return None if row is None else record(StoredFile, row)

    async def load_files(self, public_ids: list[str]) -> list[StoredFile]:
        rows = await self._all(
            "SELECT * FROM files WHERE public_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json_list(public_ids),),
        )
        return [record(StoredFile, row) for row in rows]

    async def count_file_bytes(self, uploader_id: int) -> int:
        """What a person's uploads take up, for their quota (shared bytes count for each)."""
        return await self._value(
            "SELECT coalesce(sum(size), 0) FROM files WHERE uploader_id = ?", (uploader_id,)
        )

    async def count_blob_references(self, sha256: str) -> int:
        """Rows that refer to a blob, as a file or as a thumbnail: 0 means it may go."""
        return await self._value(
            "SELECT (SELECT count(*) FROM files WHERE sha256 = :sha)"
            " + (SELECT count(*) FROM files WHERE thumb_sha256 = :sha)",
            {"sha": sha256},
        )

    async def list_referenced_blobs(self, shas: list[str]) -> set[str]:
        """Those of these blobs that a row refers to, as a file or as a thumbnail."""
        rows = await self._all(
            "SELECT sha256 FROM files WHERE sha256 IN (SELECT value FROM json_each(:shas))"
            " UNION SELECT thumb_sha256 FROM files"
            " WHERE thumb_sha256 IN (SELECT value FROM json_each(:shas))",
            {"shas": json_list(shas)},
        )
        return {row[0] for row in rows}

    async def attach_files(
        self, message_id: int | None, public_ids: list[str], *, uploader_id: int, now: str
    ) -> int:
        """Attach these uploads of `uploader_id`, not attached yet, to a message (None: to
        something else that refers to them, a library resource), in the order given; return
        how many were (fewer than asked means some were not the uploader's to attach)."""
        rows = await self._all(
            "UPDATE files SET message_id = :message, attached_at = :now,"
            " position = (SELECT key FROM json_each(:ids) WHERE value = files.public_id)"
            " WHERE public_id IN (SELECT value FROM json_each(:ids))"
            " AND uploader_id = :uploader AND attached_at IS NULL RETURNING id",
            {
                "message": message_id,
                "now": now,
                "ids": json_list(public_ids),
                "uploader": uploader_id,
            },
        )
        return len(rows)

    async def detach_message_files(self, message_id: int) -> list[str]:
        """Remove the rows of a message's files; return the blobs they referred to."""
        rows = await self._all(
            "DELETE FROM files WHERE message_id = ? RETURNING sha256, thumb_sha256",
            (message_id,),
        )
        return _blobs(rows)

    async def delete_file(self, public_id: str) -> list[str]:
        """Remove one file's row; return the blobs it referred to."""
        rows = await self._all(
            "DELETE FROM files WHERE public_id = ? RETURNING sha256, thumb_sha256", (public_id,)
        )
        return _blobs(rows)

    async def delete_stale_files(self, before: str, limit: int) -> list[str]:
        """Remove up to `limit` uploads never attached and created before `before`; return
        the blobs they referred to."""
        rows = await self._all(
            "DELETE FROM files WHERE id IN (SELECT id FROM files"
            " WHERE attached_at IS NULL AND created_at < ? ORDER BY created_at LIMIT ?)"
            " RETURNING sha256, thumb_sha256",
            (before, limit),
        )
        return _blobs(rows)

    async def claim_blob_sweep(self, day: str, now: str, stale_before: str) -> bool:
        """Claim the sweep of `day`: True when nobody had, or a claim before `stale_before`
        was never finished (its node died); False when another node has it or it is done."""
        rows = await self._all(
            "INSERT INTO blob_sweeps (day, claimed_at) VALUES (:day, :now)"
            " ON CONFLICT (day) DO UPDATE SET claimed_at = excluded.claimed_at"
            " WHERE blob_sweeps.finished_at IS NULL AND blob_sweeps.claimed_at < :stale"
            " RETURNING day",
            {"day": day, "now": now, "stale": stale_before},
        )
        return bool(rows)

    async def finish_blob_sweep(self, day: str, now: str, removed: int, removed_size: int) -> None:
        await self._all(
            "UPDATE blob_sweeps SET finished_at = ?, removed = ?, removed_size = ? WHERE day = ?",
            (now, removed, removed_size, day),
        )


def _blobs(rows: list[sqlite3.Row]) -> list[str]:
    found: dict[str, None] = {}
    for row in rows:
        found[row["sha256"]] = None
        if row["thumb_sha256"]:
            found[row["thumb_sha256"]] = None
    return list(found)


async def attachments_of(
    queries: QueryBase, message_ids: list[int]
) -> dict[int, tuple[StoredFile, ...]]:
    """The files attached to each of these messages, in their order (one query for all)."""
    if not message_ids:
        return {}
    rows = await queries._all(
        "SELECT * FROM files WHERE message_id IN (SELECT value FROM json_each(?))"
        " ORDER BY message_id, position",
        (json_list(message_ids),),
    )
    found: dict[int, list[StoredFile]] = {}
    for row in rows:
        found.setdefault(row["message_id"], []).append(record(StoredFile, row))
    return {message_id: tuple(files) for message_id, files in found.items()}
