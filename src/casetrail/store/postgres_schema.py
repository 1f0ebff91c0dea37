"""PostgreSQL schema migrations: store/migrations_postgres, numbered as store/migrations.

SQLite tracks its version in PRAGMA user_version; PostgreSQL has no such slot, so a one-row
`schema_version` table does. Several workers may start on one database at once: each migration
runs under a transaction-scoped advisory lock, so one of them migrates and the others then find
the work done. DDL is transactional here, so a failed migration leaves nothing half-applied.
"""

from __future__ import annotations

from importlib import resources

import psycopg

# Any fixed 64-bit number serves; this one is "casetrail" in ASCII, to be recognisable in pg_locks.
MIGRATION_LOCK = 0x636173657472616C

STATEMENTS = {
    "lock": "SELECT pg_advisory_xact_lock(%s)",
    "create_version_table": "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    "read_version": "SELECT version FROM schema_version",
    "first_version": "INSERT INTO schema_version (version) VALUES (0)",
    "set_version": "UPDATE schema_version SET version = %s",
}


def list_migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) for every packaged PostgreSQL migration, in order."""
    found = []
    for item in resources.files("casetrail.store.migrations_postgres").iterdir():
        if item.name.endswith(".sql"):
            found.append((int(item.name.split("_", 1)[0]), item.name, item.read_text("utf-8")))
    return sorted(found)


def schema_version(conn: psycopg.Connection) -> int:
    """The version a database is at; 0 when casetrail has never migrated it."""
    exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute(STATEMENTS["read_version"]).fetchone()
    return int(row[0]) if row else 0


def migrate(conn: psycopg.Connection) -> int:
    """Bring the database to the newest schema; returns the version reached."""
    current = 0
    for number, _name, sql in list_migrations():
        with conn.transaction():
            current = _locked_version(conn)
            if number <= current:
                continue
            conn.execute(sql.encode())  # no parameters: the file's statements go as one script
            conn.execute(STATEMENTS["set_version"], (number,))
            current = number
    with conn.transaction():
        return _locked_version(conn)


def _locked_version(conn: psycopg.Connection) -> int:
    conn.execute(STATEMENTS["lock"], (MIGRATION_LOCK,))
    conn.execute(STATEMENTS["create_version_table"])
    row = conn.execute(STATEMENTS["read_version"]).fetchone()
    if row is None:
        conn.execute(STATEMENTS["first_version"])
        return 0
    return int(row[0])
