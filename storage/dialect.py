"""Where SQLite's SQL and PostgreSQL's differ: the one place that says how.

The queries in `storage/queries/` are written once, in SQLite's dialect, and run as they are on
SQLite.  For PostgreSQL, `to_postgres()` translates each statement with a few explicit rules:

- placeholders: `?` becomes `$1`, `$2` …; `:name` becomes one `$n` per name;
- a list given as JSON for `x IN (SELECT value FROM json_each(?))` becomes `x = ANY($n)` (and
  `NOT IN` becomes `<> ALL`), with the JSON decoded into the array PostgreSQL expects;
- a list given as JSON as rows, `FROM json_each(?)`, becomes `unnest()` of an array of the
  list's type (bigint, text, or jsonb for objects and lists), with its `value` and its `key`
  (counted from 0, as in SQLite); a statement whose rows come from an empty list does nothing,
  so it is not sent at all (PostgreSQL could not tell the type of an empty list);
- a parameter given as None is written NULL, one given as a str is cast to text and one
  given as an int (or a bool) to bigint (PostgreSQL cannot tell the type of `$1` in
  `$1 IS NULL OR x > $1`);
- `json_group_array(x)` is `coalesce(json_agg(x), '[]')`, a table's `rowid` is its `ctid`, and `CROSS JOIN t ON`
  (SQLite's hint to keep the join order) is a plain `JOIN t ON`;
- `date(x, 'weekday 0', '-6 days')`, the Monday of x's week, is PostgreSQL's `date_trunc`;
- `LIKE` is `ILIKE`: SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not.

A statement that no rule fits is written twice, side by side, with `differs(sqlite, postgres=…)`
in its query module; the translation then starts from the PostgreSQL text (the same rules
apply to it, so both texts keep the same parameters).

Migrations: `to_postgres_ddl()` maps SQLite's column types (`INTEGER PRIMARY KEY` is an identity
column; integers are 64-bit; `BLOB` is `bytea`; `WITHOUT ROWID` goes); a migration whose
statements differ beyond that has a file of its own in `migrations/postgres/`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any


class Differs(str):
    """A statement in SQLite's text (the str itself) with PostgreSQL's beside it."""

    postgres: str

    def __new__(cls, sqlite: str, *, postgres: str) -> Differs:
        text = super().__new__(cls, sqlite)
        text.postgres = postgres
        return text


def differs(sqlite: str, *, postgres: str) -> str:
    """One statement in both dialects, where no translation rule fits."""
    return Differs(sqlite, postgres=postgres)


_JSON_LIST = re.compile(
    r"(?P<not>\bNOT\s+)?\bIN\s*\(\s*SELECT\s+value\s+FROM\s+json_each\(\s*(?P<param>\?|:\w+)\s*\)\s*\)",
    re.IGNORECASE,
)
_JSON_ROWS = re.compile(
    r"\bjson_each\(\s*(?P<param>\?|:\w+)\s*\)"
    r"(?:\s+(?:AS\s+)?(?!(?:WHERE|ON|JOIN|LEFT|ORDER|GROUP|LIMIT)\b)(?P<alias>\w+))?",
    re.IGNORECASE,
)
# The Monday of a time's week, as the research reports count weeks.
_MONDAY = re.compile(r"\bdate\(([\w.]+), 'weekday 0', '-6 days'\)")
_WORDS = [
    (re.compile(r"\browid\b", re.IGNORECASE), "ctid"),
    # SQLite's way to fix the join order (a CROSS JOIN with ON); PostgreSQL plans it itself.
    (re.compile(r"\bCROSS JOIN (\w+(?: AS)?(?: \w+)?) ON\b", re.IGNORECASE), r"JOIN \1 ON"),
    (re.compile(r"\bLIKE\b", re.IGNORECASE), "ILIKE"),
]
_LIST_MARK = "\x00"  # after a placeholder: its value is a JSON list, to be passed as an array
_ROWS_MARK = "\x01"  # … and to be typed, as it is a list of rows
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|\?[\x00\x01]?|(?<![\w:]):(\w+)[\x00\x01]?")


class NothingToDo(Exception):
    """The statement's rows come from an empty list: it would change and return nothing."""


def _rows_of(match: re.Match[str]) -> str:
    alias = match["alias"] or "json_each"
    return (
        f"(SELECT e.value, e.n - 1 AS key FROM unnest({match['param']}{_ROWS_MARK})"
        f" WITH ORDINALITY AS e(value, n)) AS {alias}"
    )


def _typed_rows(values: list[Any]) -> tuple[str, list[Any]]:
    """An array type for a non-empty list from JSON, and the list as asyncpg sends it."""
    if not values:
        raise NothingToDo
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "bigint[]", values
    if all(isinstance(v, str) for v in values):
        return "text[]", values
    return "jsonb[]", [json.dumps(v) for v in values]


def to_postgres(sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> tuple[str, list[Any]]:
    """PostgreSQL's text of `sql` and its positional arguments; raises NothingToDo when the
    statement's rows come from an empty list.  The translation of a statement is kept for the
    next time with parameters of the same kinds (the text depends on which are None, str or
    int), except where a list of rows decides its array's type."""
    text = _rewritten(sql.postgres if isinstance(sql, Differs) else sql)
    named = isinstance(params, dict)
    values: Any = params if named else tuple(params)
    kinds = (
        tuple((name, _kind(value)) for name, value in values.items())
        if named
        else tuple(_kind(value) for value in values)
    )
    if _ROWS_MARK in text:
        placed, sources = _place(text, named, kinds, values)
    else:
        placed, sources = _place_kept(text, named, kinds)
    return placed, [_CONVERT[conversion](values[key]) for key, conversion in sources]


_NULL, _INT, _TEXT, _OTHER = range(4)
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "": lambda value: value,
    "int": int,  # bool too: stored as 0 and 1, as in SQLite
    "list": json.loads,
    "rows": lambda value: _typed_rows(json.loads(value))[1],
}


def _kind(value: Any) -> int:
    if value is None:
        return _NULL
    if isinstance(value, int):
        return _INT
    return _TEXT if isinstance(value, str) else _OTHER


@functools.lru_cache(maxsize=2048)
def _rewritten(text: str) -> str:
    """The rules that depend on the statement's text alone."""
    text = _MONDAY.sub(
        r"to_char(date_trunc('week', CAST(\1 AS timestamptz) AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
        text,
    )
    text = _JSON_LIST.sub(
        lambda m: ("<> ALL(" if m["not"] else "= ANY(") + m["param"] + _LIST_MARK + ")", text
    )
    text = _JSON_ROWS.sub(_rows_of, text)
    text = _json_arrays(text)
    for pattern, replacement in _WORDS:
        text = _split_replace(text, pattern, replacement)
    return text


Sources = tuple[tuple[int | str, str], ...]  # each argument: its parameter, how it converts


@functools.lru_cache(maxsize=4096)
def _place_kept(text: str, named: bool, kinds: tuple[Any, ...]) -> tuple[str, Sources]:
    return _place(text, named, kinds, None)


def _place(text: str, named: bool, kinds: tuple[Any, ...], values: Any) -> tuple[str, Sources]:
    """The placeholders as `$n` (cast as their kind says) and where each argument comes from;
    `values` are needed only for a list of rows (its array's type)."""
    sources: list[tuple[int | str, str]] = []
    names: dict[str, int] = {}
    kind_of: dict[Any, int] = dict(kinds) if named else dict(enumerate(kinds))
    taken = 0

    def placeholder(match: re.Match[str]) -> str:
        nonlocal taken
        token = match[0]
        if token.startswith(("'", '"')) or token == "::":
            return token
        key: int | str
        if token.startswith("?"):
            if taken >= len(kinds):
                raise ValueError(f"fewer parameters than placeholders in: {text}")
            key, taken = taken, taken + 1
        else:
            key = match[1]
        kind = kind_of[key]
        conversion, cast = "", ""
        if kind == _NULL and not token.endswith((_ROWS_MARK, _LIST_MARK)):
            # NULL itself: PostgreSQL could not tell the type of `$1 IS NULL` from a null.
            return "NULL"
        if token.endswith(_ROWS_MARK):
            conversion = "rows"
            cast = "::" + _typed_rows(json.loads(values[key]))[0]
        elif token.endswith(_LIST_MARK):
            conversion = "list"
        elif kind == _TEXT:
            cast = "::text"  # the type of `$1 IS NULL OR x > $1`, which PostgreSQL cannot tell
        elif kind == _INT:
            conversion, cast = "int", "::bigint"
        if isinstance(key, str):
            if key in names:
                return f"${names[key]}{cast}"
            names[key] = len(sources) + 1
        sources.append((key, conversion))
        return f"${len(sources)}{cast}"

    placed = _TOKENS.sub(placeholder, text)
    if not named and taken < len(kinds):
        raise ValueError(f"more parameters than placeholders in: {text}")
    return placed, tuple(sources)


def _json_arrays(text: str) -> str:
    """`json_group_array(x)` as `coalesce(json_agg(x), '[]')`: SQLite's is `[]` over no rows."""
    while (at := text.find("json_group_array(")) >= 0:
        depth, opened = 0, at + len("json_group_array")
        end = opened
        for end in range(opened, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        inner = text[at + len("json_group_array(") : end]
        text = f"{text[:at]}coalesce(json_agg({inner}), '[]'){text[end + 1 :]}"
    return text


def _split_replace(text: str, pattern: re.Pattern[str], replacement: str) -> str:
    """Replace outside string literals only."""
    parts = re.split(r"('(?:[^']|'')*')", text)
    return "".join(
        part if part.startswith("'") else pattern.sub(replacement, part) for part in parts
    )


# SQLite's date functions that the queries use, as PostgreSQL functions of the same name and
# meaning; made (again) before every migration run.  Times are ISO 8601 text on both engines.
COMPATIBILITY_FUNCTIONS = """
CREATE OR REPLACE FUNCTION julianday(moment TEXT) RETURNS DOUBLE PRECISION
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT CAST(extract(epoch FROM CAST(moment AS timestamptz)) AS DOUBLE PRECISION)
                 / 86400.0 + 2440587.5 $$;
"""

_DDL = [
    (
        re.compile(r"\bINTEGER PRIMARY KEY\b(?!\s+REFERENCES)"),
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\)\s*WITHOUT ROWID\s*;"), ");"),
]


def to_postgres_ddl(script: str) -> str:
    """A migration in SQLite's dialect, as PostgreSQL's."""
    lines = []
    for line in script.splitlines():
        code, dashes, comment = line.partition("--")
        for pattern, replacement in _DDL[:3]:
            code = pattern.sub(replacement, code)
        lines.append(code + dashes + comment)
    text = "\n".join(lines)
    return _DDL[3][0].sub(_DDL[3][1], text)
