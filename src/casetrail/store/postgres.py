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

`PostgresStore` is the whole store on PostgreSQL (what `Home.open_store()` returns when a database
URL is set): the ledger as above, and every other concern's tables (store/documents.py, analysis.py,
casework.py, audit.py, data_keys.py, read_models.py, accounts.py) run through the same connection
as the `Database` of store/database.py, in PostgreSQL's dialect of their named statements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql as pg_sql

from casetrail.errors import DiskFull, ReadOnlyStore, StoreError
from casetrail.store.analysis import AnalysisTables
from casetrail.store.audit import AuditTrail
from casetrail.store.casework import CaseworkIndex
from casetrail.store.data_keys import DataKeys
from casetrail.store.database import POSTGRES
from casetrail.store.documents import DocumentTables
from casetrail.store.ledger import LedgerTables
from casetrail.store.postgres_schema import list_migrations, migrate, schema_version
from casetrail.store.read_models import ReadModels

Node = tuple[int, int]

STATEMENTS: dict[str, str] = {
    # Conflicts with itself and with INSERT/UPDATE/DELETE from anyone, not with SELECT.
    "lock_ledger": "LOCK TABLE entries IN SHARE ROW EXCLUSIVE MODE",
    "ledger_size": "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries",
    # COPY, not INSERT per row: a batch of thousands of leaves (and twice as many nodes) in one stream.
    "add_entries": "COPY entries (idx, data) FROM STDIN (FORMAT BINARY)",
    "add_nodes": "COPY nodes (level, idx, hash) FROM STDIN (FORMAT BINARY)",
    "add_opened_events": "COPY commitments (leaf_index, salt, opened) FROM STDIN (FORMAT BINARY)",
    "opened_event": "SELECT salt, opened FROM commitments WHERE leaf_index = %s AND opened IS NOT NULL",
    "iter_opened": (
        "SELECT leaf_index, salt, opened FROM commitments WHERE opened IS NOT NULL AND leaf_index >= %s"
        " ORDER BY leaf_index LIMIT %s"
    ),
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
    # For the implicit transaction it is sent in only: that commit returns before its WAL is flushed.
    "unsynced_commit": "SELECT set_config('synchronous_commit', 'off', true)",
    "fsync": "SHOW fsync",
    # A store opened read-only: the server refuses every write on this session, whatever issues it.
    "read_only": "SET default_transaction_read_only = on",
    "generations": "SELECT name, value FROM generations",
    # Which log a database holds: `init` writes the log's verifier key as a comment on `entries`.
    "log_of": "SELECT obj_description('entries'::regclass, 'pg_class')",
    "claim": "COMMENT ON TABLE entries IS {}",
}
CLAIM = "casetrail log "

PAGE = 10_000
NO_END = 2**63 - 1


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return _without_password(url, "***")


def _without_password(url: str, mask: str | None) -> str:
    """The URL with its password (user:password@ or ?password=) masked, or dropped when `mask` is None."""
    parts = urlsplit(url)
    netloc, query = parts.netloc, parts.query
    if parts.password is not None:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}" if mask is None else f"{user}:{mask}@{host}"
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(k == "password" for k, _ in pairs):
        kept = [(k, v) for k, v in pairs if k != "password"] if mask is None else pairs
        query = urlencode([(k, mask if k == "password" else v) for k, v in kept], safe="/*")
    # Built by hand: urlunsplit drops the `//` of a URL with no host (postgresql:///db?host=/run/...).
    return (
        f"{parts.scheme}://{netloc}{parts.path}"
        + (f"?{query}" if query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


SCHEMES = ("postgresql", "postgres")


def url_problem(url: str) -> str | None:
    """Why `url` cannot name a store's database (None if it can): only postgresql:// URLs do."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        return "a database URL must start with postgresql:// (e.g. postgresql://casetrail@db.example/casetrail)"
    return None


def without_password(url: str) -> str:
    """The URL with no password in it (neither user:password@ nor ?password=), to be written down:
    the password then comes from the environment's URL, PGPASSWORD or ~/.pgpass, as libpq finds it."""
    return _without_password(url, None)


def same_database(one: str, other: str) -> bool:
    """Whether two URLs name the same database (user, host, port and name; passwords aside)."""
    a, b = urlsplit(without_password(one)), urlsplit(without_password(other))
    return (a.username, a.hostname, a.port or 5432, a.path.strip("/")) == (
        b.username,
        b.hostname,
        b.port or 5432,
        b.path.strip("/"),
    )


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
        self._depth = 0
        self._after: list[Callable[[], None]] = []
        self.conn = self._connect()
        self.version = self._check_schema(migrate_schema)
        self._check_durable()

    @property
    def path(self) -> str:
        return self._where

    def _connect(self) -> psycopg.Connection:
        try:
            # autocommit: a read outside `transaction()` is its own statement, holding no snapshot
            # or lock between calls; READ COMMITTED is what the append discipline above relies on.
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=30)
        except psycopg.Error as err:
            if "no password supplied" in str(err):
                raise StoreError(
                    f"{self._where}: cannot connect to the store: the server wants a password; give it in "
                    "CASETRAIL_DATABASE_URL, PGPASSWORD or ~/.pgpass (casetrail never writes one down)"
                ) from err
            raise store_error(self._where, err, "cannot connect to the store") from err
        conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
        return conn

    def _usable(self) -> psycopg.Connection:
        """The connection, opened afresh if the last one was lost (the server restarted, a link
        dropped) and no transaction was open on it. The call that met the loss failed with a
        StoreError, and nothing it began was committed; the next call works, so a long-lived
        workbench outlives a server restart."""
        if not self._depth and (self.conn.closed or self.conn.broken):
            self.conn = self._connect()
        return self.conn

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
            with self._usable().transaction():
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
            return self._usable().execute(STATEMENTS[name].encode(), params)
        except psycopg.Error as err:
            raise store_error(self._where, err, name.replace("_", " ")) from err

    def _one(self, name: str, params: tuple[Any, ...] | None = None) -> tuple[Any, ...] | None:
        return self._run(name, params).fetchone()

    def _copy(self, name: str, types: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
        try:
            with self._usable().cursor() as cursor, cursor.copy(STATEMENTS[name].encode()) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as err:
            raise store_error(self._where, err, name.replace("_", " ")) from err

    # -- the ledger (LedgerStorage) ----------------------------------------------------------------

    @property
    def ledger(self) -> PostgresLedgerStore:
        """A store that holds only the ledger is its own ledger (SqliteStore's is one of its concerns)."""
        return self

    def ledger_size(self) -> int:
        row = self._one("ledger_size")
        return int(row[0]) if row else 0

    def add_entries(self, rows: Iterable[tuple[int, bytes]]) -> None:
        self._copy("add_entries", ["int8", "bytea"], rows)

    def add_nodes(self, rows: Iterable[tuple[int, int, bytes]]) -> None:
        self._copy("add_nodes", ["int4", "int8", "bytea"], rows)

    def add_opened_events(self, rows: Iterable[tuple[int, bytes, bytes]]) -> None:
        self._copy("add_opened_events", ["int8", "bytea", "bytea"], rows)

    def opened_event(self, leaf_index: int) -> tuple[bytes, bytes] | None:
        row = self._one("opened_event", (leaf_index,))
        return (bytes(row[0]), bytes(row[1])) if row else None

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

    def iter_opened(self) -> Iterator[tuple[int, bytes, bytes]]:
        """(leaf index, salt, event as recorded) of every whole-committed event, in leaf order, a page at a time."""
        start = 0
        while True:
            rows = self._run("iter_opened", (start, PAGE)).fetchall()
            for idx, salt, opened in rows:
                yield int(idx), bytes(salt), bytes(opened)
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


class PostgresStore(PostgresLedgerStore):
    """The whole store on PostgreSQL: the ledger (this class's own methods, as above) and the other
    concerns as attributes, `.documents .analysis .casework .audit .data_keys .read_models`, as SqliteStore
    has them.

    What SQLite's file gives SqliteStore, the server gives here or does not need: there is no
    SQLCipher key (`encrypted` is False: encrypting the server's data directory, WAL and backups is
    the server's job, see README), no WAL file to fold after a seal, and no page check the server
    does not already make. Opened `readonly`, nothing is migrated and the server refuses any write
    on the session, so a command that only reads cannot change the store by mistake.
    """

    dialect = POSTGRES
    encrypted = False
    refusal: str | None = None  # SqliteStore's reason for refusing writes on a full disk; never here

    def __init__(self, url: str, readonly: bool = False) -> None:
        self.readonly = readonly
        super().__init__(url, migrate_schema=not readonly)
        self._ledger_tables = LedgerTables(self, self.path)
        self.documents = DocumentTables(self, _is_duplicate)
        self.analysis = AnalysisTables(self, readonly=self.readonly)
        self.casework = CaseworkIndex(self)
        self.audit = AuditTrail(self)
        self.data_keys = DataKeys(self, self.write_many_alone)
        self.read_models = ReadModels(self)

    def _connect(self) -> psycopg.Connection:
        conn = super()._connect()
        if self.readonly:  # on every connection, a reconnection too
            try:
                conn.execute(STATEMENTS["read_only"].encode())
            except psycopg.Error as err:
                raise store_error(self._where, err, "opening the store read-only") from err
        return conn

    def transaction(self) -> AbstractContextManager[None]:
        if self.readonly and not self._depth:
            raise ReadOnlyStore(f"{self.path} was opened read-only by this command: nothing can be written through it")
        return super().transaction()

    # -- the Database seam (store/database.py) ---------------------------------------------------

    def run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """One statement, inside the open transaction if there is one, else committed by itself."""
        try:
            return self._usable().execute(sql.encode(), _nul_free(sql, params) if params else None)
        except psycopg.Error as err:
            raise store_error(self._where, err, _doing(sql)) from err

    def run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One statement for many rows, pipelined (one round trip per batch, not per row)."""
        try:
            with self._usable().cursor() as cursor:
                cursor.executemany(sql.encode(), rows)
        except psycopg.Error as err:
            raise store_error(self._where, err, _doing(sql)) from err

    def write_many_alone(self, sql: str, rows: Sequence[Sequence[Any]], doing: str) -> None:
        """One statement for many rows, in one round trip: joining the open transaction, else one
        commit of their own. psycopg pipelines executemany and ends it with a single Sync, and the
        server runs everything before a Sync as one implicit transaction: all rows or none, one
        commit (an explicit BEGIN would cost two more round trips).

        That commit of their own does not wait for the WAL to reach the disk, as SQLite's does not
        (sqlite.py): the WAL is flushed in order, so the next durable commit, which is the one that
        refers to these rows, makes them durable too. A crash before it loses only rows nothing
        recorded refers to yet (data keys of objects not yet recorded, which are made again)."""
        try:
            conn = self._usable()
            with conn.cursor() as cursor:
                if self._depth:
                    cursor.executemany(sql.encode(), rows)
                    return
                with conn.pipeline():
                    cursor.execute(STATEMENTS["unsynced_commit"].encode())
                    cursor.executemany(sql.encode(), rows)
        except psycopg.Error as err:
            raise store_error(self._where, err, doing) from err

    # -- what the app reads of the ledger beyond the Log's needs (as LedgerTables, store/ledger.py) --

    def iter_recorded(self, start: int = 0) -> Iterator[tuple[int, bytes]]:
        """Every event from leaf `start` as recorded: a committed leaf's opened copy, else the leaf."""
        return self._ledger_tables.iter_recorded(start)

    def iter_nodes_at(self, level: int) -> Iterator[tuple[int, int, bytes]]:
        return self._ledger_tables.iter_nodes_at(level)

    def add_commitment(self, leaf_index: int, salt: bytes, held: Mapping[str, Any]) -> None:
        self._ledger_tables.add_commitment(leaf_index, salt, held)

    def add_commitments(self, rows: Iterable[tuple[int, bytes, Mapping[str, Any]]]) -> None:
        self._ledger_tables.add_commitments(rows)

    def commitment(self, leaf_index: int) -> tuple[bytes, dict[str, Any]] | None:
        return self._ledger_tables.commitment(leaf_index)

    # -- the whole store --------------------------------------------------------------------------

    def log_of(self) -> str | None:
        """The verifier key of the log this database holds, as `init` recorded it; None before that."""
        row = self._one("log_of")
        text = str(row[0]) if row and row[0] else ""
        return text.removeprefix(CLAIM) if text.startswith(CLAIM) else None

    def claim(self, verifier_key: str) -> None:
        """Record which log this database holds (`init`); refused if it holds a log already, so two
        homes can never append to one ledger under different keys. Under the ledger's write lock, so
        two `init`s racing on one database take turns and the second is refused."""
        with self.transaction():
            held, size = self.log_of(), self.ledger_size()
            if held is not None or size:
                raise StoreError(
                    f"{self.path} already holds a casetrail log ({held or f'{size} entries'}); init never joins "
                    "or replaces one: give it an empty database of its own"
                )
            statement = pg_sql.SQL(STATEMENTS["claim"]).format(pg_sql.Literal(CLAIM + verifier_key))  # type: ignore[arg-type]
            try:
                self.conn.execute(statement)
            except psycopg.Error as err:
                raise store_error(self._where, err, "recording which log the database holds") from err

    def generations(self) -> tuple[int, int, int]:
        """(documents, mentions, entities): counters that rise with every change to each (migration 0005)."""
        values = {str(name): int(value) for name, value in self._run("generations").fetchall()}
        return values["documents"], values["mentions"], values["entities"]

    def integrity_problems(self) -> list[str]:
        """None to report from here: the server checks its own pages (data checksums, if the cluster
        was initialised with them); `verify` still recomputes every record against the log."""
        return []

    def fold_wal(self) -> bool:
        """Nothing to fold: the server's WAL is its own, recycled at its checkpoints. Sealing does not
        run VACUUM FULL (it would lock the tables it rewrites); see README, 'PostgreSQL'."""
        return True


def _nul_free(sql: str, params: Sequence[Any]) -> list[Any]:
    """PostgreSQL's text cannot hold NUL (psycopg refuses to send one), so no stored text has one and
    a lookup by a value holding one (`/api/documents/%00`) should find nothing, as on SQLite, not fail:
    in a read each NUL becomes U+FFFD, which no identifier holds. A write holding one is refused, in one line."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return list(params)
    return [_nul_replaced(p) for p in params]


def _nul_replaced(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_nul_replaced(item) for item in value]
    return value


def _doing(sql: str) -> str:
    words = sql.split()
    return f"running {words[0].upper() if words else 'a statement'}"


def _is_duplicate(error: Exception) -> bool:
    """A second row with a recorded document's SHA-256 (another writer recorded the same bytes)."""
    cause = error if isinstance(error, psycopg.Error) else error.__cause__
    return isinstance(cause, pg_errors.UniqueViolation) and cause.diag.constraint_name == "documents_sha256_key"
