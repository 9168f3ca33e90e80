"""Single-use links to set a password: invitations and resets."""

from __future__ import annotations

import sqlite3

from ..records import AccountToken
from .base import QueryBase, record


def _token(row: sqlite3.Row) -> AccountToken:
    return record(AccountToken, row)


class TokenQueries(QueryBase):
    async def insert_account_token(
        self, *, token_hash: str, user_id: int, purpose: str, now: str, expires_at: str
    ) -> None:
        """Store a new link; older unused links of the same user and purpose stop working."""
        await self._all(
            "UPDATE account_tokens SET used_at = ?"
            " WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
            (now, user_id, purpose),
        )
        await self._all(
            "INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_hash, user_id, purpose, now, expires_at),
        )

    async def load_account_token(self, token_hash: str) -> AccountToken | None:
        row = await self._one("SELECT * FROM account_tokens WHERE token_hash = ?", (token_hash,))
        return None if row is None else _token(row)

    async def use_account_token(self, token_hash: str, now: str) -> AccountToken | None:
        """Spend a live link atomically: None if it is unknown, used or expired."""
        row = await self._one(
            "UPDATE account_tokens SET used_at = :now"
            " WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :now RETURNING *",
            {"now": now, "hash": token_hash},
        )
        return None if row is None else _token(row)

    async def retire_account_tokens(self, user_id: int, now: str) -> None:
        """Every unused link of the user stops working (password set, account disabled)."""
        await self._all(
            "UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
            (now, user_id),
        )
