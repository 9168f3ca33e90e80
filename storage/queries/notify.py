"""Mentions, notifications, presence across processes, away e-mails and digest claims."""

from __future__ import annotations

import json
import sqlite3

from ..records import PRIVATE_CHANNEL_KINDS, DigestThread, Notification, NotificationPrefs
from .base import QueryBase, json_list, record

_UNMUTED = (
    "NOT EXISTS (SELECT 1 FROM notification_muted x WHERE x.user_id = {who} AND x.kind = {kind})"
)

_PRIVATE = "(" + ", ".join(f"'{kind}'" for kind in sorted(PRIVATE_CHANNEL_KINDS)) + ")"

# A notification with the names it is said with.  A private channel's message body is never
# selected.
_LISTED = f"""
    SELECT n.*, c.kind AS channel_kind, c.name AS channel_name, a.name AS actor_name,
           CASE WHEN c.kind NOT IN {_PRIVATE} AND m.deleted_at IS NULL
                THEN substr(m.body, 1, 400) END AS excerpt,
           r.title AS resource_title,
           (SELECT l.user_id FROM coordinator_lines l WHERE l.channel_id = n.channel_id)
               AS line_owner_id,
           qn.title AS questionnaire_title
    FROM notifications n
    LEFT JOIN channels c ON c.id = n.channel_id
    LEFT JOIN users a ON a.id = n.actor_id
    LEFT JOIN messages m ON m.id = n.message_id
    LEFT JOIN library_resources r ON r.id = n.resource_id
    LEFT JOIN questionnaires qn ON qn.id = n.questionnaire_id
"""

# What a person may be told about now: a channel they read, or a resource (not removed) in a
# folder their role sees.  Parameters :channels and :folders (JSON lists of ids).
_IN_SCOPE = """
    (n.channel_id IN (SELECT value FROM json_each(:channels))
     OR n.resource_id IN (SELECT id FROM library_resources WHERE removed_at IS NULL
                          AND folder_id IN (SELECT value FROM json_each(:folders))))
"""


def _notification(row: sqlite3.Row) -> Notification:
    return record(Notification, row)


class NotifyQueries(QueryBase):
    # mentions

    async def insert_mentions(self, message_id: int, user_ids: list[int]) -> None:
        await self._all(
            "INSERT INTO message_mentions (message_id, user_id)"
            " SELECT ?, value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
            (message_id, json_list(user_ids)),
        )

    async def list_mentioned(self, message_id: int) -> list[int]:
        rows = await self._all(
            "SELECT user_id FROM message_mentions WHERE message_id = ? ORDER BY user_id",
            (message_id,),
        )
        return [row[0] for row in rows]

    async def list_messages_mentioning(self, user_id: int) -> list[int]:
        rows = await self._all(
            "SELECT message_id FROM message_mentions WHERE user_id = ? ORDER BY message_id",
            (user_id,),
        )
        return [row[0] for row in rows]

    async def update_message_html(self, message_id: int, *, html: str, seq: int) -> None:
        """A re-rendering (a mentioned person was renamed): a change, not an edit."""
        await self._all(
            "UPDATE messages SET html = ?, seq = ? WHERE id = ?", (html, seq, message_id)
        )

    # who to tell

    async def list_member_ids(self, channel_id: int) -> list[int]:
        rows = await self._all(
            "SELECT user_id FROM channel_members WHERE channel_id = ? ORDER BY user_id",
            (channel_id,),
        )
        return [row[0] for row in rows]

    async def list_thread_participants(self, root_id: int) -> list[int]:
        """Who started the thread or replied in it."""
        rows = await self._all(
            "SELECT DISTINCT author_id FROM messages WHERE (id = :root OR thread_id = :root)"
            " AND author_id IS NOT NULL ORDER BY author_id",
            {"root": root_id},
        )
        return [row[0] for row in rows]

    async def list_online(self, user_ids: list[int]) -> set[int]:
        """Those of `user_ids` with an open socket on some server process."""
        rows = await self._all(
            "SELECT DISTINCT user_id FROM presence WHERE user_id IN (SELECT value FROM json_each(?))",
            (json_list(user_ids),),
        )
        return {row[0] for row in rows}

    # notifications

    async def add_notifications(
        self,
        user_ids: list[int],
        *,
        kind: str,
        channel_id: int | None,
        message_id: int | None,
        thread_id: int | None,
        actor_id: int | None,
        now: str,
    ) -> int:
        """One notification of `kind` for each of `user_ids` who has not turned it off."""
        rows = await self._all(
            "INSERT INTO notifications (user_id, kind, channel_id, message_id, thread_id,"
            " actor_id, created_at, updated_at)"
            " SELECT value, :kind, :channel, :message, :thread, :actor, :now, :now"
            " FROM (SELECT DISTINCT value FROM json_each(:users)) AS u WHERE "
            + _UNMUTED.format(who="value", kind=":kind")
            + " RETURNING id",
            {
                "kind": kind,
                "channel": channel_id,
                "message": message_id,
                "thread": thread_id,
                "actor": actor_id,
                "now": now,
                "users": json_list(user_ids),
            },
        )
        return len(rows)

    async def add_notifications_to_everyone(
        self, *, kind: str, channel_id: int, message_id: int, actor_id: int | None, now: str
    ) -> int:
        """An announcement: everyone enabled but its author."""
        rows = await self._all(
            "INSERT INTO notifications (user_id, kind, channel_id, message_id, actor_id,"
            " created_at, updated_at)"
            " SELECT u.id, :kind, :channel, :message, :actor, :now, :now FROM users u"
            " WHERE u.disabled = 0 AND u.id IS DISTINCT FROM :actor AND "
            + _UNMUTED.format(who="u.id", kind=":kind")
            + " RETURNING id",
            {
                "kind": kind,
                "channel": channel_id,
                "message": message_id,
                "actor": actor_id,
                "now": now,
            },
        )
        return len(rows)

    async def add_resource_notifications(
        self, roles: list[str], *, resource_id: int, actor_id: int | None, now: str
    ) -> int:
        """A new library resource: everyone enabled of `roles` but its author."""
        rows = await self._all(
            "INSERT INTO notifications (user_id, kind, resource_id, actor_id, created_at,"
            " updated_at) SELECT u.id, 'resource', :resource, :actor, :now, :now FROM users u"
            " WHERE u.disabled = 0 AND u.id IS DISTINCT FROM :actor"
            " AND u.role IN (SELECT value FROM json_each(:roles)) AND "
            + _UNMUTED.format(who="u.id", kind="'resource'")
            + " RETURNING id",
            {"resource": resource_id, "actor": actor_id, "now": now, "roles": json_list(roles)},
        )
        return len(rows)

    async def add_questionnaire_notifications(
        self, questionnaire_id: int, places: list[tuple[int, int, int]], now: str
    ) -> list[int]:
        """A questionnaire waits for these people: for each (user id, channel id, message id of
        the questionnaire's card there), one notification, unless they turned the kind off.
        Returns the ids made."""
        rows = await self._all(
            "INSERT INTO notifications (user_id, kind, channel_id, message_id, questionnaire_id,"
            " created_at, updated_at) SELECT CAST(value ->> 0 AS INTEGER), 'questionnaire',"
            " CAST(value ->> 1 AS INTEGER), CAST(value ->> 2 AS INTEGER), :questionnaire, :now,"
            " :now FROM json_each(:places) WHERE "
            + _UNMUTED.format(who="CAST(value ->> 0 AS INTEGER)", kind="'questionnaire'")
            + " RETURNING id",
            {"questionnaire": questionnaire_id, "now": now, "places": json_list(places)},
        )
        return sorted(row[0] for row in rows)

    async def mark_questionnaire_notifications_read(
        self, user_id: int, questionnaire_id: int, now: str
    ) -> int:
        """The person answered: what told them about the questionnaire is read."""
        rows = await self._all(
            "UPDATE notifications SET read_at = ? WHERE user_id = ? AND questionnaire_id = ?"
            " AND read_at IS NULL RETURNING id",
            (now, user_id, questionnaire_id),
        )
        return len(rows)

    async def mark_resource_notifications_read(self, user_id: int, now: str) -> int:
        """The person opened the library: what it notified them of is read."""
        rows = await self._all(
            "UPDATE notifications SET read_at = ? WHERE user_id = ? AND kind = 'resource'"
            " AND read_at IS NULL RETURNING id",
            (now, user_id),
        )
        return len(rows)

    async def add_satisfaction_notifications(
        self,
        user_ids: list[int],
        *,
        request_id: int,
        channel_id: int,
        actor_id: int | None,
        now: str,
    ) -> int:
        """A satisfaction request: each person asked who has not turned these off.  About
        the pair channel, so it is listed only while they may read it."""
        rows = await self._all(
            "INSERT INTO notifications (user_id, kind, channel_id, satisfaction_id, actor_id,"
            " created_at, updated_at)"
            " SELECT value, 'satisfaction', :channel, :request, :actor, :now, :now"
            " FROM (SELECT DISTINCT value FROM json_each(:users)) AS u WHERE "
            + _UNMUTED.format(who="value", kind="'satisfaction'")
            + " RETURNING id",
            {
                "channel": channel_id,
                "request": request_id,
                "actor": actor_id,
                "now": now,
                "users": json_list(user_ids),
            },
        )
        return len(rows)

    async def mark_satisfaction_notifications_read(
        self, user_id: int, request_id: int, now: str
    ) -> int:
        """The person answered: what asked them to is read."""
        rows = await self._all(
            "UPDATE notifications SET read_at = ? WHERE user_id = ? AND satisfaction_id = ?"
            " AND read_at IS NULL RETURNING id",
            (now, user_id, request_id),
        )
        return len(rows)

    async def add_batched_notification(
        self, user_id: int, *, kind: str, channel_id: int, message_id: int, actor_id: int, now: str
    ) -> None:
        """One more new message in a pair channel or a coordinator line ('pair_message',
        'line'): added to the person's open notification of that channel (unread and not yet
        e-mailed), or a new one."""
        await self._all(
            "INSERT INTO notifications (user_id, kind, channel_id, message_id, actor_id,"
            " created_at, updated_at)"
            " SELECT :user, :kind, :channel, :message, :actor, :now, :now WHERE "
            + _UNMUTED.format(who=":user", kind=":kind")
            + " ON CONFLICT (user_id, channel_id) WHERE kind IN ('pair_message', 'line')"
            " AND read_at IS NULL AND mailed_at IS NULL"
            " DO UPDATE SET count = notifications.count + 1, message_id = excluded.message_id,"
            " actor_id = excluded.actor_id, updated_at = excluded.updated_at",
            {
                "user": user_id,
                "kind": kind,
                "channel": channel_id,
                "message": message_id,
                "actor": actor_id,
                "now": now,
            },
        )

    async def list_notifications(
        self,
        user_id: int,
        *,
        channel_ids: list[int],
        folder_ids: list[int],
        before_id: int | None,
        limit: int,
    ) -> list[Notification]:
        """Newest first; only about channels in `channel_ids` and resources in `folder_ids`
        (what the person may read now)."""
        rows = await self._all(
            _LISTED + " WHERE n.user_id = :user AND (:before IS NULL OR n.id < :before)"
            " AND " + _IN_SCOPE + " ORDER BY n.id DESC LIMIT :limit",
            {
                "user": user_id,
                "before": before_id,
                "channels": json_list(channel_ids),
                "folders": json_list(folder_ids),
                "limit": limit,
            },
        )
        return [_notification(row) for row in rows]

    async def load_notifications(self, ids: list[int]) -> list[Notification]:
        rows = await self._all(
            _LISTED + " WHERE n.id IN (SELECT value FROM json_each(?)) ORDER BY n.id",
            (json_list(ids),),
        )
        return [_notification(row) for row in rows]

    async def list_message_notifications(self, message_id: int) -> list[Notification]:
        """Those a message just made or added to (to tell their recipients, after commit)."""
        rows = await self._all(_LISTED + " WHERE n.message_id = ? ORDER BY n.id", (message_id,))
        return [_notification(row) for row in rows]

    async def list_resource_notifications(self, resource_id: int) -> list[Notification]:
        """Those a new resource made (to tell their recipients, after commit)."""
        rows = await self._all(_LISTED + " WHERE n.resource_id = ? ORDER BY n.id", (resource_id,))
        return [_notification(row) for row in rows]

    async def list_satisfaction_notifications(self, request_id: int) -> list[Notification]:
        """Those a satisfaction request made (to tell their recipients, after commit)."""
        rows = await self._all(
            _LISTED + " WHERE n.satisfaction_id = ? ORDER BY n.id", (request_id,)
        )
        return [_notification(row) for row in rows]

    async def count_unread_notifications(
        self, user_id: int, *, channel_ids: list[int], folder_ids: list[int]
    ) -> int:
        return await self._value(
            "SELECT count(*) FROM notifications n WHERE n.user_id = :user"
            " AND n.read_at IS NULL AND " + _IN_SCOPE,
            {"user": user_id, "channels": json_list(channel_ids), "folders": json_list(folder_ids)},
        )

    async def mark_notifications_read(self, user_id: int, ids: list[int] | None, now: str) -> int:
        """The person's notifications `ids` (None: all) are read; returns how many changed."""
        rows = await self._all(
            "UPDATE notifications SET read_at = :now WHERE user_id = :user AND read_at IS NULL"
            " AND (:all = 1 OR id IN (SELECT value FROM json_each(:ids))) RETURNING id",
            {"now": now, "user": user_id, "all": int(ids is None), "ids": json_list(ids or [])},
        )
        return len(rows)

    async def mark_channel_notifications_read(
        self, user_id: int, channel_id: int, seq: int, now: str
    ) -> int:
        """Reading a channel up to `seq` reads what its messages up to there notified."""
        rows = await self._all(
            "UPDATE notifications SET read_at = :now WHERE user_id = :user"
            " AND channel_id = :channel AND read_at IS NULL AND message_id IN"
            " (SELECT id FROM messages WHERE channel_id = :channel AND created_seq <= :seq)"
            " RETURNING id",
            {"now": now, "user": user_id, "channel": channel_id, "seq": seq},
        )
        return len(rows)

    # settings

    async def load_notification_prefs(self, user_id: int) -> NotificationPrefs:
        row = await self._one(
            "SELECT u.id AS user_id, coalesce(p.digest, 'weekly') AS digest,"
            " coalesce(p.away_mail, 1) AS away_mail, p.unsubscribed_at, p.last_seen_at,"
            " (SELECT json_group_array(kind) FROM notification_muted WHERE user_id = u.id)"
            " AS muted FROM users u LEFT JOIN notification_people p ON p.user_id = u.id"
            " WHERE u.id = ?",
            (user_id,),
        )
        assert row is not None, f"no user {user_id}"
        return record(
            NotificationPrefs,
            row,
            muted=frozenset(json.loads(row["muted"])),
            away_mail=bool(row["away_mail"]),
        )

    async def save_notification_prefs(
        self, user_id: int, *, muted: list[str], digest: str, away_mail: bool
    ) -> None:
        await self._all("DELETE FROM notification_muted WHERE user_id = ?", (user_id,))
        await self._all(
            "INSERT INTO notification_muted (user_id, kind)"
            " SELECT ?, value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
            (user_id, json_list(muted)),
        )
        await self._all(
            "INSERT INTO notification_people (user_id, digest, away_mail) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest,"
            " away_mail = excluded.away_mail",
            (user_id, digest, int(away_mail)),
        )

    async def unsubscribe_digest(self, user_id: int, now: str) -> None:
        await self._all(
            "INSERT INTO notification_people (user_id, digest, unsubscribed_at)"
            " VALUES (?, 'never', ?) ON CONFLICT (user_id) DO UPDATE SET digest = 'never',"
            " unsubscribed_at = excluded.unsubscribed_at",
            (user_id, now),
        )

    async def count_unsubscribed(self) -> int:
        return await self._value(
            "SELECT count(*) FROM notification_people WHERE unsubscribed_at IS NOT NULL"
        )

    # presence across processes

    async def set_presence(self, user_id: int, node: str, *, online: bool, now: str) -> None:
        """The person's first socket on `node` opened, or their last one there closed."""
        if online:
            await self._all(
                "INSERT INTO presence (user_id, node, seen_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id, node) DO UPDATE SET seen_at = excluded.seen_at",
                (user_id, node, now),
            )
            return
        await self._all("DELETE FROM presence WHERE user_id = ? AND node = ?", (user_id, node))
        await self._all(
            "INSERT INTO notification_people (user_id, last_seen_at) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            (user_id, now),
        )

    async def refresh_presence(
        self, node: str, user_ids: list[int], now: str, *, stale_before: str
    ) -> None:
        """`node` still has sockets of exactly these people: refresh them, forget the rest,
        and the rows of processes that stopped refreshing theirs before `stale_before`."""
        await self._all(
            "DELETE FROM presence WHERE (node = ? AND user_id NOT IN"
            " (SELECT value FROM json_each(?))) OR (node != ? AND seen_at < ?)",
            (node, json_list(user_ids), node, stale_before),
        )
        await self._all(
            "INSERT INTO presence (user_id, node, seen_at)"
            " SELECT value, ?, ? FROM json_each(?) WHERE true"
            " ON CONFLICT (user_id, node) DO UPDATE SET seen_at = excluded.seen_at",
            (node, now, json_list(user_ids)),
        )

    # e-mail when away

    async def list_away_pending(self, *, kinds: list[str]) -> list[Notification]:
        """Unread notifications of `kinds` no away mail has taken, of people with away mail
        on and no open socket; by person, oldest first."""
        rows = await self._all(
            _LISTED + " LEFT JOIN notification_people p ON p.user_id = n.user_id"
            " WHERE n.read_at IS NULL AND n.mailed_at IS NULL"
            " AND n.kind IN (SELECT value FROM json_each(:kinds))"
            " AND coalesce(p.away_mail, 1) = 1"
            " AND NOT EXISTS (SELECT 1 FROM presence s WHERE s.user_id = n.user_id)"
            " ORDER BY n.user_id, n.id",
            {"kinds": json_list(kinds)},
        )
        return [_notification(row) for row in rows]

    async def claim_away_mail(self, user_id: int, ids: list[int], now: str) -> list[int]:
        """Take these notifications for one e-mail, unless read or taken meanwhile."""
        rows = await self._all(
            "UPDATE notifications SET mailed_at = :now WHERE user_id = :user"
            " AND read_at IS NULL AND mailed_at IS NULL"
            " AND id IN (SELECT value FROM json_each(:ids)) RETURNING id",
            {"now": now, "user": user_id, "ids": json_list(ids)},
        )
        return sorted(row[0] for row in rows)

    # digests

    async def list_digest_people(self, frequency: str) -> list[int]:
        """Enabled people with a password whose digest frequency is `frequency`."""
        rows = await self._all(
            "SELECT u.id FROM users u LEFT JOIN notification_people p ON p.user_id = u.id"
            " WHERE u.disabled = 0 AND u.password_hash IS NOT NULL"
            " AND coalesce(p.digest, 'weekly') = ? ORDER BY u.id",
            (frequency,),
        )
        return [row[0] for row in rows]

    async def list_digest_claimed(self, period: str) -> set[int]:
        rows = await self._all("SELECT user_id FROM digest_claims WHERE period = ?", (period,))
        return {row[0] for row in rows}

    async def claim_digest(
        self, user_id: int, period: str, outcome: str, now: str, token: str | None = None
    ) -> bool:
        """Claim the person's digest of `period` (sent with `token` in its links); False when
        it was claimed before."""
        rows = await self._all(
            "INSERT INTO digest_claims (user_id, period, outcome, claimed_at, token)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING user_id",
            (user_id, period, outcome, now, token),
        )
        return bool(rows)

    async def list_lively_threads(
        self, channel_ids: list[int], *, user_id: int, since: str, limit: int
    ) -> list[DigestThread]:
        """Top-level messages since `since` in these channels that the person has not read
        (created after their read position) and did not write, liveliest first."""
        rows = await self._all(
            """
            SELECT m.id AS message_id, m.channel_id, c.name AS channel_name,
                   a.name AS author_name, substr(m.body, 1, 600) AS body,
                   m.reply_count AS replies,
                   (SELECT count(*) FROM reactions r WHERE r.message_id = m.id) AS reactions,
                   m.created_at
            FROM messages m JOIN channels c ON c.id = m.channel_id
            LEFT JOIN users a ON a.id = m.author_id
            LEFT JOIN read_state rs ON rs.user_id = :user AND rs.channel_id = m.channel_id
            WHERE m.channel_id IN (SELECT value FROM json_each(:channels))
              AND c.kind NOT IN """
            + _PRIVATE
            + """
              AND m.thread_id IS NULL AND m.deleted_at IS NULL AND m.kind = 'text'
              AND m.created_at >= :since AND m.author_id IS DISTINCT FROM :user
              AND m.created_seq > coalesce(rs.last_read_seq, 0)
            ORDER BY m.reply_count
                     + (SELECT count(*) FROM reactions r WHERE r.message_id = m.id) DESC,
                     m.id DESC LIMIT :limit
            """,
            {"user": user_id, "channels": json_list(channel_ids), "since": since, "limit": limit},
        )
        return [record(DigestThread, row) for row in rows]

    async def count_unread_from(self, channel_id: int, *, user_id: int, author_id: int) -> int:
        """How many messages `author_id` wrote in the channel after the person's read
        position: a number, never what they said."""
        return await self._value(
            "SELECT count(*) FROM messages m LEFT JOIN read_state rs ON rs.user_id = :user"
            " AND rs.channel_id = m.channel_id WHERE m.channel_id = :channel"
            " AND m.author_id = :author AND m.deleted_at IS NULL"
            " AND m.created_seq > coalesce(rs.last_read_seq, 0)",
            {"user": user_id, "channel": channel_id, "author": author_id},
        )

    async def count_digests(self) -> list[tuple[str, int, int, int]]:
        """Per period: digests sent, opened and clicked (numbers only; a digest opened or
        clicked twice counts once)."""
        rows = await self._all(
            "SELECT p.period, (SELECT count(*) FROM digest_claims d WHERE d.period = p.period"
            " AND d.outcome = 'sent') AS sent,"
            " coalesce(k.opened, 0) + (SELECT count(*) FROM digest_reads r"
            " WHERE r.period = p.period),"
            " coalesce(k.clicked, 0) + (SELECT count(*) FROM digest_reads r"
            " WHERE r.period = p.period AND r.clicked = 1)"
            " FROM (SELECT period FROM digest_claims UNION SELECT period FROM digest_reads"
            " UNION SELECT period FROM digest_counts) p"
            " LEFT JOIN digest_counts k ON k.period = p.period ORDER BY p.period DESC LIMIT 60"
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    async def count_digest_read(self, period: str, token: str, *, clicked: bool) -> list[str]:
        """One digest (its token) was opened, or clicked (which is also opening it).  Returns
        what this made true for the first time: 'opened', 'clicked', both or neither."""
        before = await self._one(
            "SELECT clicked FROM digest_reads WHERE period = ? AND token = ?", (period, token)
        )
        await self._all(
            "INSERT INTO digest_reads (period, token, clicked) VALUES (?, ?, ?)"
            " ON CONFLICT (period, token) DO UPDATE SET clicked = CASE WHEN excluded.clicked > digest_reads.clicked THEN excluded.clicked ELSE digest_reads.clicked END",
            (period, token, int(clicked)),
        )
        firsts = ["opened"] if before is None else []
        return firsts + (["clicked"] if clicked and not (before and before[0]) else [])

    async def load_digest_reader(self, period: str, token: str) -> int | None:
        """Whose digest of `period` carried `token` (for the usage record, by research id)."""
        return await self._value(
            "SELECT user_id FROM digest_claims WHERE period = ? AND token = ?", (period, token)
        )
