"""Data keys get a commit of their own that does not wait for the WAL flush (as on SQLite): the
batch's durable commit that follows flushes them with it. That must never leak: every other commit
of the session stays durable, and the keys' rows land all together or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from casetrail.errors import StoreError
from casetrail.store.postgres import PostgresStore


@pytest.fixture
def store(postgres_url: str) -> Iterator[PostgresStore]:
    opened = PostgresStore(postgres_url)
    yield opened
    opened.close()


def key_rows(count: int, tag: str) -> list[tuple[str, str, str, bytes]]:
    return [(f"{tag}{i:060d}", f"name-{tag}{i}", "kek-1", os.urandom(40)) for i in range(count)]


def synchronous_commit(store: PostgresStore) -> str:
    return str(store.conn.execute(b"SHOW synchronous_commit").fetchone()[0])  # type: ignore[index]


def test_the_keys_commit_leaves_the_session_durable(store: PostgresStore) -> None:
    rows = key_rows(5, "a")
    store.data_keys.add_data_keys(rows)
    assert set(store.data_keys.data_keys(r[0] for r in rows)) == {r[0] for r in rows}
    assert synchronous_commit(store) == "on"
    with store.transaction():  # the batch's commit after the keys': durable, as every commit is
        assert synchronous_commit(store) == "on"


def test_a_failed_keys_commit_writes_none_and_leaves_the_session_durable(store: PostgresStore) -> None:
    rows = key_rows(4, "b")
    broken = [*rows[:3], (rows[3][0], rows[3][1], None, rows[3][3])]  # kek_id may not be NULL
    with pytest.raises(StoreError, match="storing documents' data keys"):
        store.data_keys.add_data_keys(broken)  # type: ignore[arg-type]
    assert store.data_keys.data_keys(r[0] for r in rows) == {}
    assert synchronous_commit(store) == "on"
    store.data_keys.add_data_keys(rows)  # the connection is usable after the failure
    assert len(store.data_keys.data_keys(r[0] for r in rows)) == 4


def test_keys_added_in_a_transaction_go_with_it(store: PostgresStore) -> None:
    rows = key_rows(2, "c")
    with pytest.raises(RuntimeError), store.transaction():
        store.data_keys.add_data_keys(rows)
        raise RuntimeError("the batch fails")
    assert store.data_keys.data_keys(r[0] for r in rows) == {}
