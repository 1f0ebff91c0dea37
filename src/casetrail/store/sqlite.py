"""The SQLite store: the embedded database under the store's tables (their SQL: store/ledger.py,
documents.py, analysis.py, casework.py, audit.py, data_keys.py, read_models.py, accounts.py).

WAL journal with synchronous=FULL, so a COMMIT that returned is on disk. Writers use
BEGIN IMMEDIATE so two processes never interleave half-batches.

An encrypted store (issue 12) is SQLCipher 4 under a raw 256-bit key (see store/keys.py): every
page of the database, its WAL and its full-text index is encrypted, temporary tables stay in memory,
and secure_delete zeroes what is removed. Without a key the same library opens a plaintext store
(one made before encryption, or with `init --plaintext`) exactly as SQLite would.

A store can also be opened read-only (a forensic copy, a read-only mount, a command that only
reads): then nothing is migrated and any write is refused with `ReadOnlyStore`. SQLite's own
operational errors (disk full, read-only file, lock held too long) become one-line store errors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# SQLCipher's build of SQLite with the sqlite3 module's API: one library for encrypted and plaintext stores.
from sqlcipher3 import dbapi2 as sqlite3

from casetrail.errors import DiskFull, ReadOnlyStore, StoreError, StoreLocked
from casetrail.store.analysis import AnalysisTables
from casetrail.store.audit import AuditTrail
from casetrail.store.casework import CaseworkIndex
from casetrail.store.data_keys import DataKeys
from casetrail.store.database import SQLITE
from casetrail.store.documents import DocumentTables
from casetrail.store.ledger import LedgerTables
from casetrail.store.read_models import ReadModels
from casetrail.store.schema import list_migrations, migrate

BUSY_SECONDS = 30.0
LOW_SPACE_BYTES = 256 * 1024  # below this much free space, an I/O error is taken to mean a full disk


def disk_is_full(folder: Path) -> bool:
    """Whether the file system holding `folder` has (next to) no room left."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < LOW_SPACE_BYTES


def store_error(path: Path, error: sqlite3.Error, doing: str, keyed: bool = False) -> StoreError:
    """SQLite's message turned into what an operator can act on. `keyed`: a key was given."""
    text = str(error)
    folder = path.parent
    if "file is not a database" in text:
        # SQLCipher cannot tell a wrong key from an encrypted file opened without one, or from garbage.
        if keyed:
            return StoreLocked(
                f"store is locked: the key given does not open {path} (a wrong key, or not a casetrail database)"
            )
        return StoreLocked(f"store is locked: {path} is encrypted (or not a database) and no key was given")
    if "database or disk is full" in text or (
        ("disk I/O error" in text or "unable to open" in text) and disk_is_full(folder)
    ):
        return DiskFull(
            f"the disk holding {folder} is full ({doing}): nothing in this step was recorded; "
            "free some space and run the command again (what was recorded before is safe)"
        )
    if "readonly database" in text:
        return ReadOnlyStore(f"{path} is read-only ({doing}): run this command on a writable copy of the store")
    if "database is locked" in text or "database is busy" in text:
        return StoreError(
            f"{path}: another casetrail process held the store for over {BUSY_SECONDS:.0f} s ({doing}); try again"
        )
    return StoreError(f"{path}: {doing}: {text}")


def _uri(path: Path, immutable: bool) -> str:
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def _wal_holds_data(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def _keyed(conn: sqlite3.Connection, key: str | None) -> sqlite3.Connection:
    """The key must be the first statement on a SQLCipher connection; then the hardening."""
    if key is not None:
        conn.execute(f'PRAGMA key = "{key}"')
    conn.execute("PRAGMA secure_delete = ON")  # removed content is zeroed, not left in free pages
    conn.execute("PRAGMA temp_store = MEMORY")  # sorts and temporary indices never touch the disk
    return conn


def connect(path: Path, key: str | None = None) -> sqlite3.Connection:
    """A bare connection for tools and tests (no migration, no checks), with the key applied."""
    return _keyed(sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS), key)


def connect_readonly(path: Path, key: str | None = None) -> sqlite3.Connection:
    """A read-only connection. SQLite needs to create the -shm file to read a WAL database;
    on a read-only mount (or a full disk) it cannot, and then, if no WAL content is waiting,
    the file is opened as immutable: nobody can change it under us there anyway."""
    if not path.is_file():
        raise StoreError(f"{path}: no such database file")
    conn = sqlite3.connect(
        _uri(path, False), uri=True, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS
    )
    try:
        _keyed(conn, key).execute("PRAGMA user_version").fetchone()
        return conn
    except sqlite3.OperationalError as err:
        conn.close()
        if _wal_holds_data(path) or "file is not a database" in str(err):
            raise
    return _keyed(sqlite3.connect(_uri(path, True), uri=True, isolation_level=None, check_same_thread=False), key)


class SqliteStore:
    """The embedded database, and its tables by concern: `ledger`, `documents`, `analysis`,
    `casework`, `audit`, `data_keys` and `read_models` (accounts: store/accounts.py over `conn`)."""

    dialect = SQLITE

    def __init__(self, path: Path, readonly: bool = False, refusal: str | None = None, key: str | None = None) -> None:
        """`refusal`: why a read-only store refuses writes, when it is not simply a read-only copy.
        `key`: SQLCipher's key (StoreKeys.sqlcipher_key()); None for a plaintext store."""
        self.path = path
        self.readonly = readonly
        self.refusal = refusal
        self.encrypted = key is not None
        try:
            if readonly:
                self.conn = connect_readonly(path, key)
                self.conn.execute("PRAGMA query_only=ON")
                self.version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
            else:
                self.conn = connect(path, key)
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=FULL")
                self.version = migrate(self.conn)
            self.conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as err:
            raise store_error(path, err, "cannot open the store", keyed=key is not None) from err
        newest = list_migrations()[-1][0]
        if self.version > newest:
            raise StoreError(f"{path}: schema version {self.version} is newer than this casetrail understands")
        if self.version < newest:
            raise StoreError(
                f"{path}: schema version {self.version} predates this casetrail ({newest}); "
                "open it writable once (any command that writes) to migrate it"
            )
        self._depth = 0
        self._after: list[Callable[[], None]] = []
        self.ledger = LedgerTables(self, path)
        self.documents = DocumentTables(self, _is_duplicate)
        self.analysis = AnalysisTables(self, readonly=self.readonly)
        self.casework = CaseworkIndex(self)
        self.audit = AuditTrail(self)
        self.data_keys = DataKeys(self, self.write_many_alone)
        self.read_models = ReadModels(self)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One durable commit; nested uses join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        if self.readonly:
            if self.refusal:
                raise DiskFull(self.refusal)
            raise ReadOnlyStore(
                f"{self.path} is open read-only (a read-only copy or mount): run this command on a writable store"
            )
        self._execute("BEGIN IMMEDIATE", "starting a write")
        self._depth = 1
        try:
            yield
        except sqlite3.OperationalError as err:
            self._abandon()
            raise store_error(self.path, err, "writing") from err
        except BaseException:
            self._abandon()
            raise
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as err:
            # A failed COMMIT (a full disk) may leave the transaction open: end it, then say why.
            self._abandon()
            raise store_error(self.path, err, "committing") from err
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
        self._depth = 0
        self._after = []
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.OperationalError:
                pass  # SQLite rolled back by itself (it does on some I/O errors)

    def _execute(self, sql: str, doing: str) -> None:
        try:
            self.conn.execute(sql)
        except sqlite3.OperationalError as err:
            raise store_error(self.path, err, doing) from err

    # -- the Database seam (store/database.py) ---------------------------------------------

    def run(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def write_many_alone(self, sql: str, rows: Sequence[Sequence[Any]], doing: str) -> None:
        """One statement for many rows, joining an open transaction, else one commit of their own
        without its own fsync: the WAL is written in order, so the next FULL commit makes it durable
        too. A crash before then loses only what that commit would have referred to (data keys for
        objects not yet recorded)."""
        if self._depth:
            self.conn.executemany(sql, rows)
            return
        try:
            with self._unsynced_commit():
                self.conn.executemany(sql, rows)
        except sqlite3.OperationalError as err:
            raise store_error(self.path, err, doing) from err

    @contextmanager
    def _unsynced_commit(self) -> Iterator[None]:
        # One transaction, not a commit per row (autocommit would make each row its own).
        self.conn.execute("PRAGMA synchronous=NORMAL")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException:
                self._abandon()
                raise
        finally:
            self.conn.execute("PRAGMA synchronous=FULL")

    # -- the whole store ----------------------------------------------------------------------

    def generations(self) -> tuple[int, int, int]:
        """(documents, mentions, entities): counters that rise with every change to each (migration 0005)."""
        values = dict(self.conn.execute("SELECT name, value FROM generations").fetchall())
        return int(values["documents"]), int(values["mentions"]), int(values["entities"])

    def integrity_problems(self) -> list[str]:
        rows = self.conn.execute("PRAGMA quick_check").fetchall()
        return [] if rows == [("ok",)] else [str(row[0]) for row in rows]

    def fold_wal(self) -> bool:
        """After a seal commits: copy the WAL into the database and truncate it, so the pages that
        held the removed content are overwritten and no WAL frame keeps them. False if a reader
        (another process) kept part of the WAL; its frames go at the next checkpoint."""
        try:
            busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:
            return False
        return busy == 0


def _is_duplicate(error: Exception) -> bool:
    return isinstance(error, sqlite3.IntegrityError) and "documents.sha256" in str(error)
