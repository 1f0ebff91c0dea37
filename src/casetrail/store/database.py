"""The seam between the store's tables and the engine under them (issue 14).

Each concern of the store (ledger.py, documents.py, analysis.py, casework.py, audit.py,
data_keys.py) keeps its SQL as named statements in a `Statements` table, written once in
SQLite's dialect with `?` placeholders, with another engine's text given only where it differs.
The concern classes run them through a `Database`: one connection, one transaction at a time.
`SqliteStore` (sqlite.py) is one such database; PostgreSQL (postgres.py) is the other.

Lists are passed as one parameter, never spliced into the text: `IN (SELECT value FROM
json_each(?))` in SQLite, `= ANY(%s)` in PostgreSQL, so every statement is fixed text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

SQLITE = "sqlite"
POSTGRES = "postgres"


class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Any: ...


class Database(Protocol):
    """What a concern's tables need from the engine."""

    dialect: str

    def run(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def after_commit(self, action: Callable[[], None]) -> None: ...


class Statements:
    """Named SQL for one concern: SQLite's text, and another dialect's where it differs.

    PostgreSQL's text is SQLite's with `%s` for `?` unless given; a statement holding `%` (a
    LIKE pattern, say) must be given for PostgreSQL, since psycopg reads `%` as a placeholder."""

    def __init__(self, sqlite: Mapping[str, str], postgres: Mapping[str, str] | None = None) -> None:
        self.sqlite = dict(sqlite)
        self.postgres = {name: sql.replace("?", "%s") for name, sql in self.sqlite.items()}
        self.postgres.update(postgres or {})

    def __call__(self, dialect: str) -> dict[str, str]:
        return self.postgres if dialect == POSTGRES else self.sqlite


def as_list(values: Iterable[Any], dialect: str) -> Any:
    """A list as one statement parameter: JSON text for SQLite's json_each, a list for PostgreSQL."""
    items = list(values)
    return items if dialect == POSTGRES else json.dumps(items)
