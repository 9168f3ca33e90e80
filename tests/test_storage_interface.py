"""The contracts in storage/interface.py list every query once, as a read or a write, and the
SQL agrees.  (mypy checks the signatures: `make test` type-checks `storage/sqlite.py` against
the protocols.)"""

from __future__ import annotations

import inspect
import re

from storage import SQLiteStore, Store, Tx
from storage.interface import Reads, Writes
from storage.postgres import PostgresStore, PostgresTx
from storage.queries import Queries

CHANGES_DATA = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b")


def _methods(cls: type) -> set[str]:
    """Public methods (not the `db` connection property of the SQLite classes)."""
    return {
        name
        for name in dir(cls)
        if not name.startswith("_") and inspect.isfunction(getattr(cls, name))
    }


def _listed(protocol: type) -> set[str]:
    return {name for name in vars(protocol) if not name.startswith("_")}


def test_every_query_is_listed_once_as_a_read_or_a_write():
    reads, writes = _listed(Reads), _listed(Writes)
    assert not reads & writes
    assert reads | writes == _methods(Queries)


def test_a_store_offers_the_reads_and_write_and_a_tx_offers_every_query():
    assert _methods(Store) == _listed(Reads) | {"write", "hold_blobs"}
    assert _methods(Tx) == _methods(Queries)
    assert _methods(Store) <= _methods(SQLiteStore)
    assert _methods(Store) <= _methods(PostgresStore)
    assert _methods(Tx) <= _methods(PostgresTx)


def test_the_reads_change_nothing_and_the_writes_change_something():
    for name in _listed(Reads):
        assert not CHANGES_DATA.search(inspect.getsource(getattr(Queries, name))), name
    for name in _listed(Writes):
        if name.startswith("lock_"):  # locks for a check before a write: only inside one
            continue
        assert CHANGES_DATA.search(inspect.getsource(getattr(Queries, name))), name
