"""The ledger's store on PostgreSQL (issue 14): the first concern split off today's SqliteStore.

It provides casetrail.ledger.storage.LedgerStorage, so a Log runs on it unchanged. Its SQL is a
table of named statements, executed by name (in the spirit of tessera's storage/mysql), so all
of it can be read, reviewed and tuned in one place.

Concurrent writers on many connections and in many processes: every write transaction starts by
taking a SHARE ROW EXCLUSIVE lock on `entries`, a mode that conflicts with itself and with every
other writer of the table, but not with readers. The Log then reads the ledger's size inside
that transaction, under READ COMMITTED (each statement sees everything committed before it), so
it always sees the previous writer's whole batch and numbers its own leaves after it: one tree,
no index taken twice and none skipped. Readers never wait, and see whole batches or nothing.
A transaction returns only once COMMIT has returned, and with fsync and synchronous_commit on (the
server's defaults; a store refuses to open with either off) that means the batch is durable on the
server before the Log acknowledges any of its leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors

from casetrail.errors import DiskFull, StoreError
from casetrail.store.postgres_schema import list_migrations, migrate, schema_version

Node = tuple[int, int]

STATEMENTS: dict[str, str] = {
    # Conflicts with itself and with INSERT/UPDATE/DELETE from anyone, not with SELECT.
    "lock_ledger": "LOCK TABLE entries IN SHARE ROW EXCLUSIVE MODE",
    "ledger_size": "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries",
    # COPY, not INSERT per row: a batch of thousands of leaves (and twice as many nodes) in one stream.
    "add_entries": "COPY entries (idx, data) FROM STDIN (FORMAT BINARY)",
    "add_nodes": "COPY nodes (level, idx, hash) FROM STDIN (FORMAT BINARY)",
    # One round trip for every node a proof needs, however many (merkle.py asks for them at once).
    "get_nodes": (
        "SELECT n.level, n.idx, n.hash FROM nodes AS n"
        " JOIN unnest(%s::integer[], %s::bigint[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx"
    ),
    "get_entry": "SELECT data FROM entries WHERE idx = %s",
    # Keyset pages: a verifier walking millions of entries holds one page at a time, and sees gaps.
    "iter_entries": "SELECT idx, data FROM entries WHERE idx >= %s AND idx < %s ORDER BY idx LIMIT %s",
    "iter_nodes": "SELECT level, idx, hash FROM nodes ORDER BY level, idx",
    # INSERT OR REPLACE in SQLite: a re-signed checkpoint of the same size replaces the old one.
    "add_checkpoint": (
        "INSERT INTO checkpoints (size, note) VALUES (%s, %s) ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note"
    ),
    "latest_checkpoint": "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
    "checkpoint_at": "SELECT note FROM checkpoints WHERE size = %s",
    "checkpoint_covering": "SELECT size, note FROM checkpoints WHERE size > %s ORDER BY size LIMIT 1",
    "iter_checkpoints": "SELECT size, note FROM checkpoints ORDER BY size",
    "synchronous_commit": "SHOW synchronous_commit",
    "fsync": "SHOW fsync",
}

PAGE = 10_000
NO_END = 2**63 - 1


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def store_error(where: str, error: psycopg.Error, doing: str) -> StoreError:
    """PostgreSQL's error turned into what an operator can act on."""
    if isinstance(error, pg_errors.DiskFull):
        return DiskFull(
            f"the PostgreSQL server at {where} has no room left ({doing}): nothing in this step was "
            "recorded; free some space on the server and run the command again"
        )
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return StoreError(f"{where}: {doing}: {first_line}")


class PostgresLedgerStore:
    """The ledger's tables (entries, nodes, checkpoints) on one PostgreSQL connection.

    One connection is used by one thread at a time, as SqliteStore's is: the Log serialises
    its own appends, and a process wanting parallel appends opens a store per writer.
    """

    def __init__(self, url: str, migrate_schema: bool = True) -> None:
        self.url = url
        self._where = redacted(url)
        self.conn = self._connect()
        self.version = self._check_schema(migrate_schema)
        self._check_durable()
        self._depth = 0
        self._after: list[Callable[[], None]] = []

    @property
    def path(self) -> str:
        return self._where

    def _connect(self) -> psycopg.Connection:
        try:
            # autocommit: a read outside `transaction()` is its own statement, holding no snapshot
            # or lock between calls; READ COMMITTED is what the append discipline above relies on.
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=30)
        except psycopg.Error as err:
            raise store_error(self._where, err, "cannot connect to the store") from err
        conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
        return conn

    def _check_schema(self, migrate_schema: bool) -> int:
        try:
            version = migrate(self.conn) if migrate_schema else schema_version(self.conn)
        except psycopg.Error as err:
            raise store_error(self._where, err, "migrating the schema") from err
        newest = list_migrations()[-1][0]
        if version > newest:
            raise StoreError(f"{self._where}: schema version {version} is newer than this casetrail understands")
        if version < newest:
            raise StoreError(f"{self._where}: schema version {version} predates this casetrail ({newest}); migrate it")
        return version

    def _check_durable(self) -> None:
        # With synchronous_commit or fsync off a COMMIT returns before the WAL is on disk, so the Log
        # would acknowledge leaves a server crash could still lose: refuse rather than weaken a receipt.
        for name in ("synchronous_commit", "fsync"):
            row = self._one(name)
            if row is None or row[0] == "off":
                raise StoreError(
                    f"{self._where}: the server's {name} is off; the ledger acknowledges only durable "
                    f"commits, so turn {name} on for this database"
                )

    def close(self) -> None:
        self.conn.close()

    # -- transactions -----------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One durable commit holding the ledger's write lock; nested uses join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            with self.conn.transaction():
                self._depth = 1
                self._run("lock_ledger")
                yield
        except psycopg.Error as err:
            self._abandon()
            raise store_error(self._where, err, "writing") from err
        except BaseException:
            self._abandon()
            raise
        self._depth = 0
        self._run_after_commit()

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once the outermost transaction has committed (never if it rolls back)."""
        if self._depth:
            self._after.append(action)
        else:
            action()

    def _run_after_commit(self) -> None:
        actions, self._after = self._after, []
        for action in actions:
            action()

    def _abandon(self) -> None:
        # psycopg has already rolled back when the `with conn.transaction()` block raised.
        self._depth = 0
        self._after = []

    # -- statements -------------------------------------------------------------------------------

    def _run(self, name: str, params: tuple[Any, ...] | None = None) -> psycopg.Cursor[Any]:
        try:
            return self.conn.execute(STATEMENTS[name].encode(), params)
        except psycopg.Error as err:
            raise store_error(self._where, err, name.replace("_", " ")) from err

    def _one(self, name: str, params: tuple[Any, ...] | None = None) -> tuple[Any, ...] | None:
        return self._run(name, params).fetchone()

    def _copy(self, name: str, types: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
        try:
            with self.conn.cursor() as cursor, cursor.copy(STATEMENTS[name].encode()) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as err:
            raise store_error(self._where, err, name.replace("_", " ")) from err

    # -- the ledger (LedgerStorage) ----------------------------------------------------------------

    def ledger_size(self) -> int:
        row = self._one("ledger_size")
        return int(row[0]) if row else 0

    def add_entries(self, rows: Iterable[tuple[int, bytes]]) -> None:
        self._copy("add_entries", ["int8", "bytea"], rows)

    def add_nodes(self, rows: Iterable[tuple[int, int, bytes]]) -> None:
        self._copy("add_nodes", ["int4", "int8", "bytea"], rows)

    def get_nodes(self, keys: Iterable[Node]) -> dict[Node, bytes]:
        wanted = list(keys)
        if not wanted:
            return {}
        levels, indices = [level for level, _ in wanted], [idx for _, idx in wanted]
        rows = self._run("get_nodes", (levels, indices)).fetchall()
        return {(int(level), int(idx)): bytes(digest) for level, idx, digest in rows}

    def get_entry(self, idx: int) -> bytes | None:
        row = self._one("get_entry", (idx,))
        return bytes(row[0]) if row else None

    def add_checkpoint(self, size: int, note: str) -> None:
        self._run("add_checkpoint", (size, note))

    def latest_checkpoint(self) -> tuple[int, str] | None:
        row = self._one("latest_checkpoint")
        return (int(row[0]), str(row[1])) if row else None

    def checkpoint_at(self, size: int) -> str | None:
        row = self._one("checkpoint_at", (size,))
        return str(row[0]) if row else None

    # -- what a verifier or an export reads (beyond the Log's needs) --------------------------------

    def iter_entries(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        stop = NO_END if end is None else end
        while True:
            rows = self._run("iter_entries", (start, stop, PAGE)).fetchall()
            for idx, data in rows:
                yield int(idx), bytes(data)
            if len(rows) < PAGE:
                return
            start = int(rows[-1][0]) + 1

    def iter_nodes(self) -> Iterator[tuple[int, int, bytes]]:
        for level, idx, digest in self._run("iter_nodes"):
            yield int(level), int(idx), bytes(digest)

    def checkpoint_covering(self, leaf_index: int) -> tuple[int, str] | None:
        """The first checkpoint whose tree contains this leaf."""
        row = self._one("checkpoint_covering", (leaf_index,))
        return (int(row[0]), str(row[1])) if row else None

    def iter_checkpoints(self) -> Iterator[tuple[int, str]]:
        for size, note in self._run("iter_checkpoints"):
            yield int(size), str(note)
