"""Single-use account links: invitations and resets (to set a password), and the link that
confirms a new e-mail address."""

from __future__ import annotations

import sqlite3

from storage.records import AccountToken

from .base import QueryBase, json_list, record


def _token(row: sqlite3.Row) -> AccountToken:
    return record(AccountToken, row)


class TokenQueries(QueryBase):
    async def insert_account_token(
        self,
        *,
        token_hash: str,
        user_id: int,
        purpose: str,
        now: str,
        expires_at: str,
        new_email: str | None = None,
    ) -> None:
        """Store a new link; older unused links of the same user and purpose stop working.
        `new_email`: the address an 'email' link confirms."""
        await self._all(
            "UPDATE account_tokens SET used_at = ?"
            " WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
            (now, user_id, purpose),
        )
        await self._all(
            "INSERT INTO account_tokens"
            " (token_hash, user_id, purpose, created_at, expires_at, new_email)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, user_id, purpose, now, expires_at, new_email),
        )

    async def load_account_token(self, token_hash: str) -> AccountToken | None:
        row = await self._one("SELECT * FROM account_tokens WHERE token_hash = ?", (token_hash,))
        return None if row is None else _token(row)

    async def use_account_token(
        self, token_hash: str, now: str, purposes: tuple[str, ...]
    ) -> AccountToken | None:
        """Spend a live link of one of `purposes` atomically: None if it is unknown, used,
        expired or for something else."""
        row = await self._one(
            "UPDATE account_tokens SET used_at = :now"
            " WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :now"
            " AND purpose IN (SELECT value FROM json_each(:purposes)) RETURNING *",
            {"now": now, "hash": token_hash, "purposes": json_list(purposes)},
        )
        return None if row is None else _token(row)

    async def retire_account_tokens(self, user_id: int, now: str) -> None:
        """Every unused link of the user stops working (password set, account disabled)."""
        await self._all(
            "UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
            (now, user_id),
        )
