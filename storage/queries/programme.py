"""What coordinators look at and shape: pair activity as numbers, mentor load, communities,
the menu, and account fields only a coordinator changes."""

from __future__ import annotations

import json

from ..dialect import differs
from ..records import CommunityListing, MenuItem, Pair, PairActivity, User
from .base import QueryBase
from .channels import _pair
from .users import _user


class ProgrammeQueries(QueryBase):
    # pairs

    async def load_active_pair_of_mentee(self, mentee_id: int) -> Pair | None:
        row = await self._one(
            "SELECT * FROM pairs WHERE mentee_id = ? AND ended_at IS NULL", (mentee_id,)
        )
        return None if row is None else _pair(row)

    async def count_active_pairs_of(self, user_id: int) -> int:
        return await self._value(
            "SELECT count(*) FROM pairs WHERE ended_at IS NULL AND (mentor_id = ? OR mentee_id = ?)",
            (user_id, user_id),
        )

    async def count_mentees_by_mentor(self) -> dict[int, int]:
        rows = await self._all(
            "SELECT mentor_id, count(*) AS n FROM pairs WHERE ended_at IS NULL GROUP BY mentor_id"
        )
        return {row["mentor_id"]: row["n"] for row in rows}

    async def list_pair_activity(
        self, *, now: str, weeks: int, since: str
    ) -> dict[int, PairActivity]:
        """Per pair: authored messages in all, per week for the last `weeks` weeks (`since` is
        the start of the oldest), and the time of the last one.  Counts only, never content."""
        totals = await self._all(
            "SELECT p.id AS pair_id, count(m.id) AS total, max(m.created_at) AS last_at"
            " FROM pairs p LEFT JOIN messages m"
            "   ON m.channel_id = p.channel_id AND m.author_id IS NOT NULL"
            " GROUP BY p.id"
        )
        weeks_ago = "(julianday(:now) - julianday(m.created_at)) / 7"
        weekly_sql = (
            "SELECT p.id AS pair_id, {week} AS week, count(*) AS n"
            " FROM pairs p JOIN messages m ON m.channel_id = p.channel_id"
            " WHERE m.author_id IS NOT NULL AND m.created_at >= :since AND m.created_at <= :now"
            " GROUP BY p.id, week"
        )
        weekly = await self._all(
            # Whole weeks ago: SQLite's CAST truncates, PostgreSQL's rounds.
            differs(
                weekly_sql.format(week=f"CAST({weeks_ago} AS INTEGER)"),
                postgres=weekly_sql.format(week=f"CAST(floor({weeks_ago}) AS INTEGER)"),
            ),
            {"now": now, "since": since},
        )
        per_week: dict[int, list[int]] = {}
        for row in weekly:
            if 0 <= row["week"] < weeks:
                per_week.setdefault(row["pair_id"], [0] * weeks)[row["week"]] += row["n"]
        return {
            row["pair_id"]: PairActivity(
                pair_id=row["pair_id"],
                messages_total=row["total"],
                weekly=tuple(per_week.get(row["pair_id"], [0] * weeks)),
                last_activity_at=row["last_at"],
            )
            for row in totals
        }

    async def list_quiet_pair_ids(self, since: str) -> list[int]:
        """Active pairs started before `since` with no message written since then: only the
        times of the messages are read, never what they say."""
        rows = await self._all(
            "SELECT p.id FROM pairs p WHERE p.ended_at IS NULL AND p.started_at < :since"
            " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.channel_id = p.channel_id"
            "  AND m.author_id IS NOT NULL AND m.created_at >= :since)"
            " ORDER BY p.id",
            {"since": since},
        )
        return [row["id"] for row in rows]

    # people

    async def count_people_by_role(self) -> dict[str, tuple[int, int]]:
        """Per role, accounts that are not disabled: (all of them, those still invited)."""
        rows = await self._all(
            "SELECT role, count(*) AS n, count(*) FILTER (WHERE password_hash IS NULL) AS invited"
            " FROM users WHERE disabled = 0 GROUP BY role"
        )
        return {row["role"]: (row["n"], row["invited"]) for row in rows}

    # communities

    async def list_communities(
        self, user_id: int, *, include_archived: bool
    ) -> list[CommunityListing]:
        rows = await self._all(
            "SELECT c.id, c.name, c.topic, c.archived,"
            " (SELECT count(*) FROM channel_members m WHERE m.channel_id = c.id) AS members,"
            " EXISTS (SELECT 1 FROM channel_members m"
            "         WHERE m.channel_id = c.id AND m.user_id = :user) AS is_member"
            " FROM channels c WHERE c.kind = 'community' AND (:archived = 1 OR c.archived = 0)"
            " ORDER BY c.archived, lower(c.name), c.id",
            {"user": user_id, "archived": int(include_archived)},
        )
        return [
            CommunityListing(
                channel_id=row["id"],
                name=row["name"],
                topic=row["topic"],
                archived=bool(row["archived"]),
                member_count=row["members"],
                is_member=bool(row["is_member"]),
            )
            for row in rows
        ]

    async def update_channel_name(self, channel_id: int, *, name: str, topic: str) -> None:
        await self._all(
            "UPDATE channels SET name = ?, topic = ? WHERE id = ?", (name, topic, channel_id)
        )

    async def load_menu_items(self, role: str) -> list[MenuItem]:
        rows = await self._all("SELECT * FROM menu_items WHERE role = ? ORDER BY position", (role,))
        return [
            MenuItem(
                item=row["item"], label=row["label"], url=row["url"], visible=bool(row["visible"])
            )
            for row in rows
        ]

    async def replace_menu_items(self, role: str, items: list[MenuItem]) -> None:
        await self._all("DELETE FROM menu_items WHERE role = ?", (role,))
        await self._all(
            "INSERT INTO menu_items (role, position, item, label, url, visible)"
            " SELECT :role, key, value ->> 'item', value ->> 'label', value ->> 'url',"
            "        CAST(value ->> 'visible' AS INTEGER)"
            " FROM json_each(:items)",
            {
                "role": role,
                "items": json.dumps(
                    [
                        {"item": i.item, "label": i.label, "url": i.url, "visible": int(i.visible)}
                        for i in items
                    ]
                ),
            },
        )

    # accounts, as a coordinator changes them

    async def update_account(
        self, user_id: int, *, email: str, name: str, expertise: str, bio: str
    ) -> User:
        row = await self._one(
            "UPDATE users SET email = ?, name = ?, expertise = ?, bio = ? WHERE id = ? RETURNING *",
            (email, name, expertise, bio, user_id),
        )
        assert row is not None
        return _user(row)

    async def count_enabled_coordinators(self) -> int:
        return await self._value(
            "SELECT count(*) FROM users WHERE role = 'coordinator' AND disabled = 0"
        )

    async def load_users_by_emails(self, emails: list[str]) -> dict[str, User]:
        rows = await self._all(
            "SELECT * FROM users WHERE email IN (SELECT value FROM json_each(?))",
            (json.dumps(emails),),
        )
        return {row["email"]: _user(row) for row in rows}
