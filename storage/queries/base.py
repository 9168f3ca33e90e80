"""What every query mixin shares: a connection and three ways to run a statement."""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Params = Sequence[Any] | dict[str, Any]


class Connection(Protocol):
    """What the queries need of a connection: an aiosqlite one, or the writer thread's."""

    async def execute_fetchall(self, sql: str, params: Params, /) -> Iterable[sqlite3.Row]: ...


class QueryBase(ABC):
    @property
    @abstractmethod
    def db(self) -> Connection:
        """The connection the queries run on: each engine's store and transaction say which."""

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


R = TypeVar("R", bound="DataclassInstance")


def record(cls: type[R], row: sqlite3.Row, **converted: Any) -> R:
    """A records dataclass from a row: each field from the column of its name (fields with no
    such column keep their defaults), except those given already `converted`."""
    columns = set(row.keys())  # a list on SQLite, an iterator on PostgreSQL
    values = {f.name: row[f.name] for f in fields(cls) if f.name in columns}
    return cls(**(values | converted))
