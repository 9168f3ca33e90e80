"""A whole programme copied from its SQLite database into an empty PostgreSQL one
(`mentorspace copy-data`).

- The source is read inside one read transaction: with WAL, a server may go on writing, and
  the copy is the database as it was at one commit (what is written later is not in it).
- The target is migrated to the source's schema version (the two must be the code's), then
  filled in ONE transaction: its tables locked against other writers, checked empty, every
  table copied in foreign-key order in batches of rows (binary COPY; memory holds one batch),
  the identity counters moved past the highest ids, and every table's row count and every
  channel's last seq compared with the source's.  Only then does it commit; anything that goes
  wrong before rolls the whole copy back, so the target stays empty.
- What PostgreSQL computes itself is not copied: the search index (a generated column of
  `messages`, migrations/postgres/0007_search.sql) is built as the rows go in; SQLite's FTS5
  tables are left behind.  Uploaded files are not in the database at all (DATA_DIR/files).

Table and column names are read from the two catalogs, never from input, and quoted.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from .backup import connect_existing, known_schema_version
from .postgres import migrate

BATCH_ROWS = 1000
MIGRATIONS_TABLE = "schema_migrations"  # each engine records its own migrations
# (table, rows in this batch, rows of every table): told after each batch is in the target.
Progress = Callable[[str, int, int], None]


class CopyRefused(Exception):
    """The copy cannot start as asked; the target was not written to."""


class CopyFailed(Exception):
    """The copy failed part way; its transaction was rolled back and the target holds none of it."""


@dataclass(frozen=True)
class CopyReport:
    schema_version: int
    rows: dict[str, int]  # table -> rows copied, each checked against the source
    channels: int  # channels whose last seq was checked
    left_behind: list[str]  # source tables PostgreSQL has no use for (SQLite's search index)


@dataclass(frozen=True)
class _Table:
    name: str
    columns: list[str]  # the columns copied (not those PostgreSQL generates)
    identity: list[str]  # columns whose counter must move past the copied ids
    parent_key: tuple[str, str] | None  # (column, referenced column) of a reference to itself


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def copy_to_postgres(
    sqlite_path: Path,
    url: str,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy the programme in the SQLite database at `sqlite_path` into the empty PostgreSQL
    database at `url`.  Raises CopyRefused (nothing written) or CopyFailed (rolled back)."""
    source = connect_existing(sqlite_path, read_only=True)
    try:
        version = _source_version(source)
        try:
            target = await asyncpg.connect(url)
        except (OSError, asyncpg.PostgresError) as error:
            raise CopyRefused(f"cannot connect to the target database: {error}") from None
        try:
            return await _copy(source, target, version, batch_rows, progress)
        finally:
            await target.close()
    finally:
        source.close()


def _source_version(source: sqlite3.Connection) -> int:
    known = known_schema_version()
    try:
        (version,) = source.execute(f"SELECT max(version) FROM {MIGRATIONS_TABLE}").fetchone()
    except sqlite3.OperationalError:
        version = None
    if version is None:
        raise CopyRefused("the source is not a Mentorspace database (it has no migrations).")
    if version > known:
        raise CopyRefused(
            f"the source was written by a newer Mentorspace (schema version {version}; this one"
            f" knows up to {known}): run copy-data from that version."
        )
    if version < known:
        raise CopyRefused(
            f"the source's schema (version {version}) is older than this Mentorspace's"
            f" ({known}): run `mentorspace migrate` on it first, so both databases get the same."
        )
    return version


async def _copy(
    source: sqlite3.Connection,
    target: asyncpg.Connection,
    version: int,
    batch_rows: int,
    progress: Progress | None,
) -> CopyReport:
    source_tables = _source_tables(source)
    await _check_before_migrating(target, source_tables)
    await migrate(target)
    tables = await _target_tables(target)
    left_behind = _check_same_schema(source, source_tables, tables)
    # One read transaction: every count and every row below is of the same moment.
    source.execute("BEGIN")
    try:
        counts = {t.name: _count(source, t.name) for t in tables}
        seqs = _channel_seqs(source)
        total = sum(counts.values())
        try:
            async with target.transaction():
                await _lock_and_check_empty(target, tables)
                for table in tables:
                    await _copy_table(source, target, table, batch_rows, total, progress)
                    await _reset_identity(target, table)
                await _verify(target, tables, counts, seqs)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, sqlite3.Error) as error:
            raise CopyFailed(str(error)) from error
    finally:
        source.execute("ROLLBACK")
    return CopyReport(
        schema_version=version, rows=counts, channels=len(seqs), left_behind=left_behind
    )


def _source_tables(source: sqlite3.Connection) -> dict[str, str]:
    """name -> CREATE statement of every table of the source."""
    return dict(
        source.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    )


async def _check_before_migrating(target: asyncpg.Connection, source_tables: dict) -> None:
    """Refuse a target that holds rows, or tables that are not a Mentorspace schema's."""
    names = [
        row["table_name"]
        for row in await target.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name"
        )
    ]
    foreign = [name for name in names if name not in source_tables]
    if foreign:
        raise CopyRefused(
            "the target database is not empty: it has tables that are not Mentorspace's"
            f" ({', '.join(foreign[:5])}). Give it a new, empty database."
        )
    await _refuse_rows(target, [name for name in names if name != MIGRATIONS_TABLE])
    known = known_schema_version()
    if MIGRATIONS_TABLE in names:
        newest = await target.fetchval(f"SELECT max(version) FROM {MIGRATIONS_TABLE}")
        if newest is not None and newest > known:
            raise CopyRefused(
                f"the target database has a newer schema (version {newest}) than this"
                f" Mentorspace ({known}). Give it a new, empty database."
            )


async def _refuse_rows(target: asyncpg.Connection, names: list[str]) -> None:
    holding = [
        name
        for name in names
        if await target.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_quote(name)})")
    ]
    if holding:
        raise CopyRefused(
            "the target database is not empty: it already holds a programme (rows in"
            f" {', '.join(holding[:5])}{' …' if len(holding) > 5 else ''}). copy-data only"
            " fills an empty database, so nothing was written; give it a new one."
        )


async def _target_tables(target: asyncpg.Connection) -> list[_Table]:
    """The target's tables (without its migrations record), parents before children."""
    columns: dict[str, list[str]] = {}
    identity: dict[str, list[str]] = {}
    for row in await target.fetch(
        "SELECT table_name, column_name, is_identity, is_generated"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name IN (SELECT table_name FROM information_schema.tables"
        "  WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')"
        " ORDER BY table_name, ordinal_position"
    ):
        if row["table_name"] == MIGRATIONS_TABLE or row["is_generated"] == "ALWAYS":
            continue
        columns.setdefault(row["table_name"], []).append(row["column_name"])
        if row["is_identity"] == "YES":
            identity.setdefault(row["table_name"], []).append(row["column_name"])
    parents: dict[str, set[str]] = {name: set() for name in columns}
    parent_key: dict[str, tuple[str, str]] = {}
    for row in await target.fetch(
        "SELECT child.relname AS child, parent.relname AS parent,"
        " (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY"
        "   AS k(attnum, n) JOIN pg_attribute a"
        "   ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,"
        " (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY"
        "   AS k(attnum, n) JOIN pg_attribute a"
        "   ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS referenced"
        " FROM pg_constraint c"
        " JOIN pg_class child ON child.oid = c.conrelid"
        " JOIN pg_class parent ON parent.oid = c.confrelid"
        " WHERE c.contype = 'f' AND child.relnamespace = current_schema()::regnamespace"
        " ORDER BY 1, 2"
    ):
        child, parent = row["child"], row["parent"]
        if child not in parents:
            continue
        if child != parent:
            parents[child].add(parent)
        elif len(row["columns"]) == 1 and child not in parent_key:
            parent_key[child] = (row["columns"][0], row["referenced"][0])
        else:
            raise CopyFailed(f"{child} refers to itself in a way copy-data cannot order")
    ordered: list[_Table] = []
    placed: set[str] = set()
    while len(placed) < len(parents):
        ready = sorted(n for n, ps in parents.items() if n not in placed and ps <= placed)
        if not ready:
            raise CopyFailed("the tables' foreign keys go round in a circle")
        for name in ready:
            placed.add(name)
            ordered.append(
                _Table(name, columns[name], identity.get(name, []), parent_key.get(name))
            )
    return ordered


def _check_same_schema(
    source: sqlite3.Connection, source_tables: dict[str, str], tables: list[_Table]
) -> list[str]:
    """Refuse unless every target table is in the source with the same columns; return the
    source tables left behind (only SQLite's full-text index and its own tables may be)."""
    for table in tables:
        if table.name not in source_tables:
            raise CopyFailed(f"the source has no table {table.name}")
        have = {
            name
            for (name,) in source.execute("SELECT name FROM pragma_table_info(?)", (table.name,))
        }
        if have != set(table.columns):
            raise CopyFailed(
                f"the columns of {table.name} differ: source {sorted(have)},"
                f" target {sorted(table.columns)}"
            )
    virtual = [
        name for name, sql in source_tables.items() if sql.upper().startswith("CREATE VIRTUAL")
    ]
    copied = {table.name for table in tables}
    left = sorted(set(source_tables) - copied - {MIGRATIONS_TABLE})
    unknown = [n for n in left if not any(n == v or n.startswith(v + "_") for v in virtual)]
    if unknown:
        raise CopyFailed(f"the target has no table {', '.join(unknown)}")
    return left


def _count(source: sqlite3.Connection, name: str) -> int:
    return source.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]


def _channel_seqs(source: sqlite3.Connection) -> dict[int, tuple[int, int | None]]:
    """channel id -> (its last seq, the highest seq of its messages)."""
    return {
        row[0]: (row[1], row[2])
        for row in source.execute(
            "SELECT id, last_seq, (SELECT max(seq) FROM messages WHERE channel_id = channels.id)"
            " FROM channels"
        )
    }


async def _lock_and_check_empty(target: asyncpg.Connection, tables: list[_Table]) -> None:
    """Hold off every other writer until the commit (a server started on the target too
    early), then check again, inside the transaction, that no table holds a row."""
    names = ", ".join(_quote(t.name) for t in tables)
    await target.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")
    await _refuse_rows(target, [t.name for t in tables])


def _select(table: _Table) -> str:
    columns = ", ".join(f"t.{_quote(c)}" for c in table.columns)
    name = _quote(table.name)
    if table.parent_key is None:
        return f"SELECT {columns} FROM {name} AS t"
    # Rows that refer to rows of their own table (a thread's replies, a folder's folders):
    # every row after the one it refers to, whatever their ids.
    ref, key = (_quote(c) for c in table.parent_key)
    return (
        f"WITH RECURSIVE tree(key, depth) AS ("
        f" SELECT {key}, 0 FROM {name} WHERE {ref} IS NULL"
        f" UNION ALL SELECT child.{key}, tree.depth + 1 FROM {name} AS child"
        f"  JOIN tree ON child.{ref} = tree.key)"
        f" SELECT {columns} FROM {name} AS t JOIN tree ON t.{key} = tree.key"
        f" ORDER BY tree.depth, t.{key}"
    )


async def _copy_table(
    source: sqlite3.Connection,
    target: asyncpg.Connection,
    table: _Table,
    batch_rows: int,
    total: int,
    progress: Progress | None,
) -> None:
    rows = source.execute(_select(table))
    while batch := await asyncio.to_thread(rows.fetchmany, batch_rows):
        try:
            await target.copy_records_to_table(table.name, records=batch, columns=table.columns)
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            raise CopyFailed(f"copying {table.name}: {error}") from error
        if progress is not None:
            progress(table.name, len(batch), total)


async def _reset_identity(target: asyncpg.Connection, table: _Table) -> None:
    """New rows get ids after the copied ones (setval with is_called false: the next is N)."""
    for column in table.identity:
        await target.execute(
            f"SELECT setval(pg_get_serial_sequence($1, $2),"
            f" coalesce((SELECT max({_quote(column)}) FROM {_quote(table.name)}), 0) + 1, false)",
            _quote(table.name),
            column,
        )


async def _verify(
    target: asyncpg.Connection,
    tables: list[_Table],
    counts: dict[str, int],
    seqs: dict[int, tuple[int, int | None]],
) -> None:
    for table in tables:
        copied = await target.fetchval(f"SELECT count(*) FROM {_quote(table.name)}")
        if copied != counts[table.name]:
            raise CopyFailed(
                f"{table.name} has {copied} rows in the target, {counts[table.name]} in the source"
            )
    found = {
        row[0]: (row[1], row[2])
        for row in await target.fetch(
            "SELECT id, last_seq, (SELECT max(seq) FROM messages WHERE channel_id = channels.id)"
            " FROM channels"
        )
    }
    if found != seqs:
        wrong = sorted(k for k in seqs.keys() | found.keys() if seqs.get(k) != found.get(k))
        raise CopyFailed(f"the last seq of {len(wrong)} channels differs (first: {wrong[0]})")
