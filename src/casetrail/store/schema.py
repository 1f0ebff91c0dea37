"""Schema migrations: numbered SQL files applied in order, tracked by PRAGMA user_version."""

from __future__ import annotations

from importlib import resources

from sqlcipher3 import dbapi2 as sqlite3  # the store's SQLite: SQLCipher (issue 12)


def list_migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) for every packaged migration, in order."""
    found = []
    for item in resources.files("casetrail.store.migrations").iterdir():
        if item.name.endswith(".sql"):
            found.append((int(item.name.split("_", 1)[0]), item.name, item.read_text("utf-8")))
    return sorted(found)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the newest schema; returns the version reached."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, _name, sql in list_migrations():
        if number <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        # Another process opening the same new file may have applied it meanwhile: read again under the lock.
        if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
            conn.execute("COMMIT")
            current = number
            continue
        try:
            for statement in _split(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = number
    return current


def _split(sql: str) -> list[str]:
    """Statements one by one; a trigger's body holds semicolons, so SQLite says where each ends."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    statements, pending = [], ""
    for part in "\n".join(lines).split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        raise ValueError(f"an unfinished statement in a migration: {pending.strip()[:80]!r}")
    return statements
