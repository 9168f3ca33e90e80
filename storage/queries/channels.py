"""Channels, their members, pairs and per-user read positions."""

from __future__ import annotations

import sqlite3

from ..records import Channel, ChannelSummary, Pair
from .base import QueryBase, json_list, record


def _channel(row: sqlite3.Row) -> Channel:
    return record(Channel, row, archived=bool(row["archived"]))


def _pair(row: sqlite3.Row) -> Pair:
    return record(Pair, row)


# Which channels a user reads (`c`, with `m` their membership row, if any): the kinds their role
# reads, and the kinds read by members where they are one.  The policy says which kinds.
_READ_BY = """(c.kind IN (SELECT value FROM json_each(:by_role))
    OR (m.user_id IS NOT NULL AND c.kind IN (SELECT value FROM json_each(:by_member))))"""


class ChannelQueries(QueryBase):
    async def insert_channel(self, *, kind: str, name: str, now: str, topic: str = "") -> Channel:
        row = await self._one(
            "INSERT INTO channels (kind, name, topic, created_at) VALUES (?, ?, ?, ?) RETURNING *",
            (kind, name, topic, now),
        )
        assert row is not None
        return _channel(row)

    async def load_channel(self, channel_id: int) -> Channel | None:
        row = await self._one("SELECT * FROM channels WHERE id = ?", (channel_id,))
        return None if row is None else _channel(row)

    async def load_coordinator_line(self, user_id: int) -> Channel | None:
        row = await self._one(
            "SELECT c.* FROM coordinator_lines l JOIN channels c ON c.id = l.channel_id"
            " WHERE l.user_id = ?",
            (user_id,),
        )
        return None if row is None else _channel(row)

    async def load_line_owner(self, channel_id: int) -> int | None:
        return await self._value(
            "SELECT user_id FROM coordinator_lines WHERE channel_id = ?", (channel_id,)
        )

    async def insert_coordinator_line(self, user_id: int, channel_id: int) -> None:
        await self._all(
            "INSERT INTO coordinator_lines (user_id, channel_id) VALUES (?, ?)",
            (user_id, channel_id),
        )

    async def load_channel_by_kind(self, kind: str) -> Channel | None:
        row = await self._one("SELECT * FROM channels WHERE kind = ? ORDER BY id LIMIT 1", (kind,))
        return None if row is None else _channel(row)

    async def set_channel_archived(self, channel_id: int, archived: bool) -> None:
        await self._all(
            "UPDATE channels SET archived = ? WHERE id = ?", (int(archived), channel_id)
        )

    async def next_seq(self, channel_id: int) -> int:
        """Take the channel's next change number.  Call inside a write: the row stays locked
        until the commit, so seq order is commit order."""
        seq = await self._value(
            "UPDATE channels SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq",
            (channel_id,),
        )
        assert seq is not None, f"no channel {channel_id}"
        return seq

    async def add_member(self, channel_id: int, user_id: int, now: str) -> None:
        await self._all(
            "INSERT INTO channel_members (channel_id, user_id, joined_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (channel_id, user_id, now),
        )

    async def remove_member(self, channel_id: int, user_id: int) -> None:
        await self._all(
            "DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?",
            (channel_id, user_id),
        )

    async def is_member(self, channel_id: int, user_id: int) -> bool:
        found = await self._value(
            "SELECT 1 FROM channel_members WHERE channel_id = ? AND user_id = ?",
            (channel_id, user_id),
        )
        return found is not None

    async def list_channels_for_user(
        self, user_id: int, *, by_role: list[str], by_membership: list[str]
    ) -> list[ChannelSummary]:
        """Channels whose kind the user reads by role, or reads by being a member; with
        unread counts (others' undeleted messages created after the user's read position)."""
        rows = await self._all(
            f"""
            SELECT c.*, m.user_id IS NOT NULL AS is_member,
                   coalesce(r.last_read_seq, 0) AS read_seq,
                   (SELECT count(*) FROM messages x
                     WHERE x.channel_id = c.id AND x.seq > coalesce(r.last_read_seq, 0)
                       AND x.created_seq > coalesce(r.last_read_seq, 0)
                       AND x.deleted_at IS NULL AND x.author_id IS DISTINCT FROM :user) AS unread,
                   coalesce(
                     (SELECT CASE WHEN p.mentor_id = :user THEN p.mentee_id ELSE p.mentor_id END
                        FROM pairs p WHERE p.channel_id = c.id),
                     (SELECT l.user_id FROM coordinator_lines l
                       WHERE l.channel_id = c.id AND l.user_id != :user)) AS partner_id
              FROM channels c
              LEFT JOIN channel_members m ON m.channel_id = c.id AND m.user_id = :user
              LEFT JOIN read_state r ON r.channel_id = c.id AND r.user_id = :user
             WHERE {_READ_BY}
             ORDER BY c.id
            """,
            {"user": user_id, "by_role": json_list(by_role), "by_member": json_list(by_membership)},
        )
        return [
            ChannelSummary(
                channel=_channel(row),
                is_member=bool(row["is_member"]),
                last_read_seq=row["read_seq"],
                unread=row["unread"],
                partner_id=row["partner_id"],
            )
            for row in rows
        ]

    async def list_readable_channel_ids(
        self, user_id: int, *, by_role: list[str], by_membership: list[str]
    ) -> list[int]:
        """The ids of the channels `list_channels_for_user` lists, without counting anything."""
        rows = await self._all(
            "SELECT c.id FROM channels c LEFT JOIN channel_members m"
            f"  ON m.channel_id = c.id AND m.user_id = :user WHERE {_READ_BY} ORDER BY c.id",
            {"user": user_id, "by_role": json_list(by_role), "by_member": json_list(by_membership)},
        )
        return [row["id"] for row in rows]

    async def list_channels_of_kind(self, kind: str) -> list[Channel]:
        rows = await self._all("SELECT * FROM channels WHERE kind = ? ORDER BY name, id", (kind,))
        return [_channel(row) for row in rows]

    # read positions

    async def advance_read_seq(self, user_id: int, channel_id: int, seq: int) -> int:
        """Move the read position forward (never back); return where it now is."""
        value = await self._value(
            "INSERT INTO read_state (user_id, channel_id, last_read_seq) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, channel_id) DO UPDATE"
            " SET last_read_seq = CASE WHEN excluded.last_read_seq > read_state.last_read_seq"
            "  THEN excluded.last_read_seq ELSE read_state.last_read_seq END"
            " RETURNING last_read_seq",
            (user_id, channel_id, seq),
        )
        return value

    # pairs

    async def insert_pair(
        self, *, mentor_id: int, mentee_id: int, channel_id: int, now: str
    ) -> Pair:
        row = await self._one(
            "INSERT INTO pairs (mentor_id, mentee_id, channel_id, started_at) VALUES (?, ?, ?, ?)"
            " RETURNING *",
            (mentor_id, mentee_id, channel_id, now),
        )
        assert row is not None
        return _pair(row)

    async def load_pair(self, pair_id: int) -> Pair | None:
        row = await self._one("SELECT * FROM pairs WHERE id = ?", (pair_id,))
        return None if row is None else _pair(row)

    async def load_pair_by_channel(self, channel_id: int) -> Pair | None:
        row = await self._one("SELECT * FROM pairs WHERE channel_id = ?", (channel_id,))
        return None if row is None else _pair(row)

    async def list_pairs(self, *, active_only: bool = False) -> list[Pair]:
        rows = await self._all(
            "SELECT * FROM pairs WHERE ? = 0 OR ended_at IS NULL ORDER BY id", (int(active_only),)
        )
        return [_pair(row) for row in rows]

    async def list_pairs_of(self, user_id: int) -> list[Pair]:
        """Every pair the person is or was in."""
        rows = await self._all(
            "SELECT * FROM pairs WHERE mentor_id = :user OR mentee_id = :user ORDER BY id",
            {"user": user_id},
        )
        return [_pair(row) for row in rows]

    async def end_pair(self, pair_id: int, now: str) -> bool:
        """False when it had ended already (ended a moment ago by someone else)."""
        rows = await self._all(
            "UPDATE pairs SET ended_at = ? WHERE id = ? AND ended_at IS NULL RETURNING id",
            (now, pair_id),
        )
        return bool(rows)

    async def reopen_pair(self, pair_id: int) -> bool:
        """An ended pair active again; False when it was not ended (reopened a moment ago)."""
        rows = await self._all(
            "UPDATE pairs SET ended_at = NULL WHERE id = ? AND ended_at IS NOT NULL RETURNING id",
            (pair_id,),
        )
        return bool(rows)
