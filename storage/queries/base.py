"""What every query mixin shares: a connection and three ways to run a statement."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite


class QueryBase:
    db: aiosqlite.Connection

    async def _all(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        return list(await self.db.execute_fetchall(sql, params))

    async def _one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> sqlite3.Row | None:
        rows = await self.db.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _value(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self._one(sql, params)
        return None if row is None else row[0]


def json_list(values: Iterable[Any]) -> str:
    """A list parameter for `IN (SELECT value FROM json_each(?))`: no SQL is ever formatted."""
    return json.dumps(list(values))
