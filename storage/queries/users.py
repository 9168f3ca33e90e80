"""Users, sessions and failed-login records."""

from __future__ import annotations

import sqlite3

from ..dialect import differs
from ..records import Session, User
from .base import QueryBase, json_list, record


def _user(row: sqlite3.Row) -> User:
    return record(User, row, disabled=bool(row["disabled"]))


# A session stands while neither its absolute nor its idle deadline has passed and its user is
# enabled: the one rule for a request, a socket event and the sweep of open sockets.
_LIVE = "s.expires_at > ? AND s.idle_expires_at > ? AND u.disabled = 0"


class UserQueries(QueryBase):
    async def insert_user(
        self,
        *,
        email: str,
        name: str,
        role: str,
        password_hash: str | None,
        now: str,
        expertise: str = "",
        bio: str = "",
    ) -> User:
        row = await self._one(
            "INSERT INTO users (email, name, role, password_hash, expertise, bio, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (email, name, role, password_hash, expertise, bio, now),
        )
        assert row is not None
        return _user(row)

    async def set_user_language(self, user_id: int, language: str) -> User:
        row = await self._one(
            "UPDATE users SET language = ? WHERE id = ? RETURNING *", (language, user_id)
        )
        assert row is not None
        return _user(row)

    async def load_welcome_seen(self, user_id: int) -> bool:
        """Whether the person has read the first-login welcome."""
        return await self._one("SELECT 1 FROM welcomes WHERE user_id = ?", (user_id,)) is not None

    async def insert_welcome_seen(self, user_id: int, now: str) -> None:
        await self._all(
            "INSERT INTO welcomes (user_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (user_id, now),
        )

    async def load_photo(self, user_id: int) -> tuple[bytes, str] | None:
        """A person's photo and when it was last changed (its version), or None."""
        row = await self._one(
            "SELECT image, updated_at FROM profile_photos WHERE user_id = ?", (user_id,)
        )
        return None if row is None else (bytes(row[0]), row[1])

    async def load_photo_versions(self, user_ids: list[int]) -> dict[int, str]:
        """Whose photo there is among `user_ids`, and its version: for the avatars of a page."""
        if not user_ids:
            return {}
        rows = await self._all(
            "SELECT user_id, updated_at FROM profile_photos WHERE user_id IN"
            " (SELECT value FROM json_each(?))",
            (json_list(user_ids),),
        )
        return {row[0]: row[1] for row in rows}

    async def save_photo(self, user_id: int, image: bytes, now: str) -> None:
        await self._all(
            "INSERT INTO profile_photos (user_id, image, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET image = excluded.image,"
            " updated_at = excluded.updated_at",
            (user_id, image, now),
        )

    async def delete_photo(self, user_id: int) -> None:
        await self._all("DELETE FROM profile_photos WHERE user_id = ?", (user_id,))

    async def load_user(self, user_id: int) -> User | None:
        row = await self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else _user(row)

    async def load_user_by_email(self, email: str) -> User | None:
        row = await self._one("SELECT * FROM users WHERE email = ?", (email,))
        return None if row is None else _user(row)

    async def list_users(self, role: str | None = None) -> list[User]:
        rows = await self._all(
            "SELECT * FROM users WHERE role = coalesce(:role, role) ORDER BY name, id",
            {"role": role},
        )
        return [_user(row) for row in rows]

    async def list_enabled_ids(self, role: str) -> list[int]:
        rows = await self._all(
            "SELECT id FROM users WHERE role = ? AND disabled = 0 ORDER BY id", (role,)
        )
        return [row[0] for row in rows]

    async def load_users(self, user_ids: list[int]) -> dict[int, User]:
        rows = await self._all(
            "SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?))",
            (json_list(user_ids),),
        )
        return {row["id"]: _user(row) for row in rows}

    async def update_profile(self, user_id: int, *, name: str, expertise: str, bio: str) -> User:
        row = await self._one(
            "UPDATE users SET name = ?, expertise = ?, bio = ? WHERE id = ? RETURNING *",
            (name, expertise, bio, user_id),
        )
        assert row is not None
        return _user(row)

    async def set_user_email(self, user_id: int, email: str) -> None:
        await self._all("UPDATE users SET email = ? WHERE id = ?", (email, user_id))

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        await self._all("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    async def set_user_disabled(self, user_id: int, disabled: bool) -> None:
        await self._all("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))

    async def set_user_role(self, user_id: int, role: str) -> None:
        await self._all("UPDATE users SET role = ? WHERE id = ?", (role, user_id))

    async def replace_password_hash(self, user_id: int, old: str, new: str) -> None:
        """Set a new hash only if the old one is still there (a change in between wins)."""
        await self._all(
            "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
            (new, user_id, old),
        )

    # sessions

    async def insert_session(
        self, *, token_hash: str, user_id: int, now: str, expires_at: str, idle_expires_at: str
    ) -> None:
        await self._all(
            "INSERT INTO sessions"
            " (token_hash, user_id, created_at, expires_at, last_used_at, idle_expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, user_id, now, expires_at, now, idle_expires_at),
        )

    async def load_session_user(self, token_hash: str, now: str) -> tuple[Session, User] | None:
        """The live session (neither expired nor idle too long) and its enabled user, or None."""
        row = await self._one(
            "SELECT s.token_hash, s.created_at AS s_created_at, s.expires_at, s.last_used_at,"
            " s.idle_expires_at, u.*"
            f" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND {_LIVE}",
            (token_hash, now, now),
        )
        if row is None:
            return None
        session = Session(
            row["token_hash"],
            row["id"],
            row["s_created_at"],
            row["expires_at"],
            row["last_used_at"],
            row["idle_expires_at"],
        )
        return session, _user(row)

    async def touch_session(
        self, token_hash: str, *, last_used_at: str, now: str, idle_expires_at: str
    ) -> None:
        """Move a session's idle deadline on, unless another request did since `last_used_at`."""
        await self._all(
            "UPDATE sessions SET last_used_at = ?, idle_expires_at = ?"
            " WHERE token_hash = ? AND last_used_at = ?",
            (now, idle_expires_at, token_hash, last_used_at),
        )

    async def delete_session(self, token_hash: str) -> int | None:
        """End one session; the id of its user, or None if there was no such session."""
        return await self._value(
            "DELETE FROM sessions WHERE token_hash = ? RETURNING user_id", (token_hash,)
        )

    async def live_session_hashes(self, token_hashes: list[str], now: str) -> set[str]:
        """Which of these sessions still stand (by the same rule as `load_session_user`, and
        without counting as a use): one query for all."""
        rows = await self._all(
            "SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id"
            f" WHERE s.token_hash IN (SELECT value FROM json_each(?)) AND {_LIVE}",
            (json_list(token_hashes), now, now),
        )
        return {row["token_hash"] for row in rows}

    async def delete_user_sessions(self, user_id: int, *, keep: str | None = None) -> None:
        await self._all(
            "DELETE FROM sessions WHERE user_id = ? AND token_hash IS DISTINCT FROM ?",
            (user_id, keep),
        )

    async def delete_expired_sessions(self, now: str) -> None:
        """Purge sessions past their absolute expiry or their idle deadline."""
        await self._all(
            "DELETE FROM sessions WHERE expires_at <= ? OR idle_expires_at <= ?", (now, now)
        )

    # failed logins (and reset requests): each attempt is a row per key it counts against

    async def _serialize_keys(self, keys: list[str]) -> None:
        """Inside a write, before counting: wait for other writes counting these keys.  SQLite
        runs one write at a time; PostgreSQL runs several nodes' at once, and a count taken
        before another's new row commits would let both through (an advisory lock per key,
        in key order, held until the commit; a read outside a write lets it go at once)."""
        await self._all(
            differs(
                "SELECT 1",
                postgres="SELECT pg_advisory_xact_lock(hashtext(value))"
                " FROM (SELECT value FROM json_each(:keys) ORDER BY value) AS k",
            ),
            {"keys": json_list(keys)},
        )

    async def count_login_failures(self, keys: list[str], since: str) -> int:
        """The most failures any one of `keys` has had since `since`."""
        await self._serialize_keys(keys)
        value = await self._value(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM login_failures"
            " WHERE key IN (SELECT value FROM json_each(?)) AND failed_at > ? GROUP BY key) AS f",
            (json_list(keys), since),
        )
        return value or 0

    async def list_login_failures(self, key: str, since: str) -> list[str]:
        """When `key` failed since `since`, oldest first."""
        await self._serialize_keys([key])
        rows = await self._all(
            "SELECT failed_at FROM login_failures WHERE key = ? AND failed_at > ?"
            " ORDER BY failed_at",
            (key, since),
        )
        return [row[0] for row in rows]

    async def add_login_failure(self, keys: list[str], now: str, *, forget_before: str) -> None:
        await self._all("DELETE FROM login_failures WHERE failed_at <= ?", (forget_before,))
        await self._all(
            "INSERT INTO login_failures (key, failed_at) SELECT value, ? FROM json_each(?)",
            (now, json_list(keys)),
        )

    async def forget_login_failure(self, key: str, failed_at: str) -> None:
        """Take back one attempt of `key` (an attempt that turned out to succeed)."""
        await self._all(
            "DELETE FROM login_failures WHERE rowid ="
            " (SELECT rowid FROM login_failures WHERE key = ? AND failed_at = ? LIMIT 1)",
            (key, failed_at),
        )

    async def clear_login_failures(self, key: str) -> None:
        await self._all("DELETE FROM login_failures WHERE key = ?", (key,))
