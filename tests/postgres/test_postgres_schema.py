"""The PostgreSQL migrations are SQLite's in another dialect: same numbers, tables, columns, NULLs."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg

from casetrail.store import postgres_schema, schema
from casetrail.store.postgres import PostgresLedgerStore
from casetrail.store.sqlite import SqliteStore

# SQLite's full-text indexes are virtual tables with shadow tables; PostgreSQL's are indexes (0006, 0018).
SQLITE_ONLY_PREFIX = ("documents_search", "entity_names_search")
# The rowid SQLite's name index refers to rows by (0018); PostgreSQL's GIN index needs none.
SQLITE_ONLY_COLUMNS = {("entity_names", "seq", True)}
POSTGRES_ONLY = {"schema_version"}  # PostgreSQL has no PRAGMA user_version
# What PostgreSQL's search ranks by, stored beside the text (SQLite's is in its FTS5 tables).
POSTGRES_ONLY_COLUMNS = {("documents", "search_vector", False)}


def test_the_same_numbered_migrations_in_both_dialects() -> None:
    sqlite = [(number, name) for number, name, _ in schema.list_migrations()]
    postgres = [(number, name) for number, name, _ in postgres_schema.list_migrations()]
    assert postgres == sqlite


def _sqlite_columns(path: Path) -> set[tuple[str, str, bool]]:
    store = SqliteStore(path)
    tables = [row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = set()
    for table in tables:
        if table.startswith(("sqlite_", *SQLITE_ONLY_PREFIX)):
            continue
        for _cid, column, _type, notnull, _default, primary in store.conn.execute(f'PRAGMA table_info("{table}")'):
            # SQLite lets a non-INTEGER primary key column hold NULL unless told otherwise;
            # PostgreSQL never does, and neither does casetrail write one.
            found.add((table, column, bool(notnull or primary)))
    store.close()
    return found - SQLITE_ONLY_COLUMNS


def _postgres_columns(url: str) -> set[tuple[str, str, bool]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'"
        ).fetchall()
    found = {(table, column, nullable == "NO") for table, column, nullable in rows if table not in POSTGRES_ONLY}
    return found - POSTGRES_ONLY_COLUMNS


def test_both_dialects_make_the_same_tables_and_columns(tmp_path: Path, postgres_url: str) -> None:
    PostgresLedgerStore(postgres_url).close()
    sqlite, postgres = _sqlite_columns(tmp_path / "schema.db"), _postgres_columns(postgres_url)
    assert ("entries", "data", True) in postgres and ("users", "totp_last_step", False) in postgres
    assert postgres == sqlite, (
        f"only in SQLite: {sorted(sqlite - postgres)}; only in PostgreSQL: {sorted(postgres - sqlite)}"
    )


def test_workers_starting_together_migrate_once(postgres_url: str) -> None:
    versions: list[int] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                versions.append(postgres_schema.migrate(conn))
        except BaseException as err:  # reported below, with the others
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    newest = postgres_schema.list_migrations()[-1][0]
    assert not errors and versions == [newest] * 4
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)


def test_generations_rise_on_postgresql_as_on_sqlite(postgres_url: str) -> None:
    """The triggers of 0005 in plpgsql: a document added bumps one counter, a change bumps all three."""
    PostgresLedgerStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO documents (seq, id, sha256, text_sha256, size, media_type, kind, submitted_by, channel,"
            " received_at, source_name, text, leaf_index) VALUES (1, 'D-0001', 'a', 'b', 3, 'text/plain', 'statement',"
            " 'S-0001', 'upload', '2025-01-01T00:00:00Z', 'a.txt', 'Some words here', 0)"
        )
        assert dict(conn.execute("SELECT name, value FROM generations").fetchall()) == {
            "documents": 1,
            "mentions": 0,
            "entities": 0,
        }
        conn.execute("UPDATE documents SET text = NULL WHERE id = 'D-0001'")  # sealing
        assert dict(conn.execute("SELECT name, value FROM generations").fetchall()) == {
            "documents": 2,
            "mentions": 1,
            "entities": 1,
        }
