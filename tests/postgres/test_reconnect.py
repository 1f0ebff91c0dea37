"""A long-lived store outlives a lost connection (a server restart, a dropped link).

The call that meets the loss fails with one StoreError and commits nothing; the next call opens a
new connection, with the session's settings (read-only) as before. Here the server ends the
store's session itself (pg_terminate_backend), as a restart would.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from casetrail.errors import ReadOnlyStore, StoreError
from casetrail.store.postgres import PostgresStore


def end_sessions_of(store: PostgresStore, url: str) -> None:
    pid = store.conn.info.backend_pid
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.fixture
def store(postgres_url: str) -> Iterator[PostgresStore]:
    opened = PostgresStore(postgres_url)
    yield opened
    opened.close()


def test_the_next_call_after_a_lost_connection_works(store: PostgresStore, postgres_url: str) -> None:
    before = store.generations()
    end_sessions_of(store, postgres_url)
    with pytest.raises(StoreError):
        store.generations()  # the call that meets the loss says so, in one line
    assert store.generations() == before
    assert store.ledger_size() == 0


def test_a_transaction_after_a_lost_connection_commits(store: PostgresStore, postgres_url: str) -> None:
    end_sessions_of(store, postgres_url)
    with pytest.raises(StoreError):
        store.ledger_size()
    with store.transaction():
        store.read_models.release("accounts")  # a write, through the new connection
    assert store.read_models.stamp("building:accounts") is None


def test_a_transaction_that_meets_the_loss_commits_nothing(store: PostgresStore, postgres_url: str) -> None:
    with pytest.raises(StoreError), store.transaction():
        store.read_models.claim("accounts", "2026-01-01T00:00:00+00:00", "2025-12-31T00:00:00+00:00")
        end_sessions_of(store, postgres_url)
        store.ledger_size()
    assert store.read_models.stamp("building:accounts") is None


def test_a_read_only_store_stays_read_only_on_its_new_connection(postgres_url: str) -> None:
    PostgresStore(postgres_url).close()  # migrate the new database
    reader = PostgresStore(postgres_url, readonly=True)
    try:
        end_sessions_of(reader, postgres_url)
        with pytest.raises(StoreError):
            reader.generations()
        assert reader.generations() == (0, 0, 0)
        with pytest.raises(StoreError, match="read-only"):
            reader.run("INSERT INTO read_models (name, stamp, built_at) VALUES ('x', 'y', 'z')")
        with pytest.raises(ReadOnlyStore):
            with reader.transaction():
                pass
    finally:
        reader.close()
