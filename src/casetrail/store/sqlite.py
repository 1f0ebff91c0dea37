"""The SQLite store: the only module that speaks SQL to the embedded database.

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

import dataclasses
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# SQLCipher's build of SQLite with the sqlite3 module's API: one library for encrypted and plaintext stores.
from sqlcipher3 import dbapi2 as sqlite3

from casetrail.errors import (
    DiskFull,
    DuplicateContent,
    ReadOnlyStore,
    StoreError,
    StoreLocked,
)
from casetrail.model.casework import MentionRef
from casetrail.model.document import (
    NO_TEXT,
    Document,
    DocumentKind,
    Provenance,
    TextSource,
    page_sources_sha256,
)
from casetrail.model.entity import Decision, DecisionKind, Entity
from casetrail.model.mention import Mention, MentionType
from casetrail.store.schema import list_migrations, migrate

DOCUMENT_COLUMNS = (
    "id, sha256, text_sha256, size, media_type, kind, submitted_by, channel, received_at, "
    "source_name, title, parent_id, amends, status, leaf_index"
)
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

    # -- ledger -----------------------------------------------------------------------------

    def ledger_size(self) -> int:
        row = self.conn.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries").fetchone()
        return int(row[0])

    def generations(self) -> tuple[int, int, int]:
        """(documents, mentions, entities): counters that rise with every change to each (migration 0005)."""
        values = dict(self.conn.execute("SELECT name, value FROM generations").fetchall())
        return int(values["documents"]), int(values["mentions"]), int(values["entities"])

    def add_entries(self, rows: Iterable[tuple[int, bytes]]) -> None:
        self.conn.executemany("INSERT INTO entries (idx, data) VALUES (?, ?)", rows)

    def add_nodes(self, rows: Iterable[tuple[int, int, bytes]]) -> None:
        self.conn.executemany("INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)", rows)

    def get_nodes(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        # Point lookups on the primary key: a proof needs ~2 log2(n) of them, each microseconds.
        found: dict[tuple[int, int], bytes] = {}
        execute = self.conn.execute
        for key in keys:
            row = execute("SELECT hash FROM nodes WHERE level = ? AND idx = ?", key).fetchone()
            if row is not None:
                found[key] = bytes(row[0])
        return found

    def iter_entries(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        if end is None:
            cursor = self.conn.execute("SELECT idx, data FROM entries WHERE idx >= ? ORDER BY idx", (start,))
        else:
            cursor = self.conn.execute(
                "SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end)
            )
        for idx, data in cursor:
            yield idx, bytes(data)

    def get_entry(self, idx: int) -> bytes | None:
        row = self.conn.execute("SELECT data FROM entries WHERE idx = ?", (idx,)).fetchone()
        return bytes(row[0]) if row else None

    def iter_nodes(self) -> Iterator[tuple[int, int, bytes]]:
        for level, idx, digest in self.conn.execute("SELECT level, idx, hash FROM nodes ORDER BY level, idx"):
            yield level, idx, bytes(digest)

    def add_checkpoint(self, size: int, note: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?, ?)", (size, note))

    def latest_checkpoint(self) -> tuple[int, str] | None:
        row = self.conn.execute("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1").fetchone()
        return (int(row[0]), row[1]) if row else None

    def checkpoint_at(self, size: int) -> str | None:
        row = self.conn.execute("SELECT note FROM checkpoints WHERE size = ?", (size,)).fetchone()
        return row[0] if row else None

    def checkpoint_covering(self, leaf_index: int) -> tuple[int, str] | None:
        """The first checkpoint whose tree contains this leaf."""
        row = self.conn.execute(
            "SELECT size, note FROM checkpoints WHERE size > ? ORDER BY size LIMIT 1", (leaf_index,)
        ).fetchone()
        return (int(row[0]), row[1]) if row else None

    def iter_nodes_at(self, level: int) -> Iterator[tuple[int, int, bytes]]:
        """The stored subtree hashes of one level, in order: (level, idx, hash)."""
        for lvl, idx, digest in self.conn.execute(
            "SELECT level, idx, hash FROM nodes WHERE level = ? ORDER BY idx", (level,)
        ):
            yield int(lvl), int(idx), bytes(digest)

    def iter_checkpoints(self) -> Iterator[tuple[int, str]]:
        for size, note in self.conn.execute("SELECT size, note FROM checkpoints ORDER BY size"):
            yield int(size), note

    # -- documents ------------------------------------------------------------------------

    def next_document_seq(self) -> int:
        row = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()
        return int(row[0])

    def add_document(self, doc: Document, text: str, leaf_index: int) -> None:
        try:
            self._insert_document(doc, text, leaf_index)
        except sqlite3.IntegrityError as err:
            if "documents.sha256" in str(err):
                raise DuplicateContent(f"{doc.sha256} is already recorded") from err
            raise

    def _insert_document(self, doc: Document, text: str, leaf_index: int) -> None:
        meta = doc.metadata()
        self.conn.execute(
            "INSERT INTO documents (seq, id, sha256, text_sha256, size, media_type, kind, submitted_by,"
            " channel, received_at, source_name, title, parent_id, amends, text, leaf_index)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                int(doc.id.split("-")[1]),
                doc.id,
                doc.sha256,
                doc.text_sha256,
                meta["size"],
                meta["media_type"],
                meta["kind"],
                meta["submitted_by"],
                meta["channel"],
                meta["received_at"],
                meta["source_name"],
                meta["title"],
                meta["parent_id"],
                meta["amends"],
                text,
                leaf_index,
            ),
        )

    def find_document_by_sha(self, sha256: str) -> tuple[Document, str, int] | None:
        row = self.conn.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return _document_row(row) if row else None

    def get_document(self, doc_id: str) -> tuple[Document, str, int] | None:
        """(document, status, leaf_index) or None."""
        row = self.conn.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _document_row(row) if row else None

    def get_text(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def iter_documents(self) -> Iterator[tuple[Document, str, int]]:
        for row in self.conn.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY seq"):
            yield _document_row(row)

    def iter_texts(self, statuses: tuple[str, ...] = ("active",)) -> Iterator[tuple[str, str]]:
        marks = ",".join("?" for _ in statuses)
        sql = f"SELECT id, text FROM documents WHERE status IN ({marks}) AND text IS NOT NULL ORDER BY seq"
        yield from self.conn.execute(sql, statuses)

    def iter_document_rows(self) -> Iterator[dict[str, Any]]:
        """Raw rows, exactly as stored, for verification (no parsing that could hide tampering)."""
        cursor = self.conn.execute(f"SELECT {DOCUMENT_COLUMNS}, text FROM documents ORDER BY seq")
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

    def set_document_status(self, doc_id: str, status: str) -> None:
        self.conn.execute("UPDATE documents SET status = ? WHERE id = ?", (status, doc_id))

    def clear_document_text(self, doc_id: str) -> None:
        """Sealing: the text goes, and so does everything read from it."""
        self.conn.execute("UPDATE documents SET text = NULL WHERE id = ?", (doc_id,))
        self.conn.execute(
            "DELETE FROM entity_mentions WHERE mention_id IN (SELECT id FROM mentions WHERE document_id = ?)",
            (doc_id,),
        )
        self.conn.execute("DELETE FROM mentions WHERE document_id = ?", (doc_id,))

    def search_documents(self, words: Iterable[str], limit: int) -> list[tuple[str, str]]:
        """(document id, snippet) for documents holding every word, best first; at most `limit`.

        Each word is quoted, so no query syntax reaches FTS5. The snippet marks each hit with
        \x02 ... \x03, for the caller to highlight without trusting any markup."""
        terms = [w.replace('"', '""') for w in words if w.strip()]
        if not terms:
            return []
        query = " ".join(f'"{t}"' for t in terms)
        rows = self.conn.execute(
            "SELECT d.id, snippet(documents_search, 0, char(2), char(3), ' … ', 16) FROM documents_search"
            " JOIN documents d ON d.seq = documents_search.rowid WHERE documents_search MATCH ?"
            " ORDER BY rank LIMIT ?",
            (query, limit),
        )
        return [(doc_id, snippet) for doc_id, snippet in rows]

    def count_documents(self) -> Mapping[str, int]:
        rows = self.conn.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall()
        return {status: int(n) for status, n in rows}

    def integrity_problems(self) -> list[str]:
        rows = self.conn.execute("PRAGMA quick_check").fetchall()
        return [] if rows == [("ok",)] else [str(row[0]) for row in rows]

    # -- how text was read (migration 0008) ------------------------------------------------

    def add_reading(self, doc_id: str, status: str, reason: str | None, sources: Iterable[TextSource]) -> None:
        """How a document's text was read; called in the transaction that records the document."""
        self.conn.execute(
            "INSERT INTO document_readings (document_id, status, reason) VALUES (?, ?, ?)", (doc_id, status, reason)
        )
        self.conn.executemany(
            'INSERT INTO page_sources (document_id, page, start, "end", method, confidence, words)'
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((doc_id, s.page, s.start, s.end, s.method, s.confidence, s.words) for s in sources),
        )

    def reading(self, doc_id: str) -> tuple[str, str | None]:
        """(status, reason); a document recorded before readings were kept counts as read."""
        row = self.conn.execute(
            "SELECT status, reason FROM document_readings WHERE document_id = ?", (doc_id,)
        ).fetchone()
        return (row[0], row[1]) if row else ("read", None)

    def no_text_documents(self) -> dict[str, str | None]:
        """Documents not sealed from which no text was read: id -> reason (None if recorded before
        casetrail kept one), in register order."""
        rows = self.conn.execute(
            "SELECT r.document_id, r.reason FROM document_readings r JOIN documents d ON d.id = r.document_id"
            " WHERE r.status = ? AND d.status != 'sealed' ORDER BY d.seq",
            (NO_TEXT,),
        )
        return {doc_id: reason for doc_id, reason in rows}

    def page_sources(self, doc_id: str) -> list[TextSource]:
        rows = self.conn.execute(
            'SELECT page, start, "end", method, confidence, words FROM page_sources WHERE document_id = ? ORDER BY page',
            (doc_id,),
        )
        return [TextSource(*row) for row in rows]

    def ocr_sources(self, doc_id: str) -> dict[int, TextSource]:
        """Mention id -> the OCR page its span overlaps; of two pages, the less sure one."""
        rows = self.conn.execute(
            'SELECT m.id, p.page, p.start, p."end", p.method, p.confidence, p.words FROM mentions m'
            " JOIN page_sources p ON p.document_id = m.document_id AND p.method = 'ocr'"
            '  AND p.start < m."end" AND m.start < p."end"'
            " WHERE m.document_id = ? ORDER BY m.id, p.confidence DESC",
            (doc_id,),
        )
        return {int(row[0]): TextSource(*row[1:]) for row in rows}  # later (less sure) rows win

    def with_reading(self, doc: Document) -> Document:
        """`doc` with the reading fields its ledger event committed to, rebuilt from the side tables."""
        status, reason = self.reading(doc.id)
        sources = self.page_sources(doc.id)
        return dataclasses.replace(
            doc,
            text_status=status if status == NO_TEXT else None,
            text_reason=reason if status == NO_TEXT else None,
            page_sources_sha256=page_sources_sha256(sources) if sources else None,
        )

    # -- commitment salts (issue 12, migration 0010) ----------------------------------------

    def add_commitment(self, leaf_index: int, salt: bytes, held: Mapping[str, Any]) -> None:
        """The salt of a version-2 event at `leaf_index`, and the committed values kept nowhere else;
        called in the transaction that appends the event."""
        self.conn.execute(
            "INSERT INTO commitments (leaf_index, salt, held) VALUES (?, ?, ?)",
            (leaf_index, salt, json.dumps(dict(held), sort_keys=True, ensure_ascii=False)),
        )

    def commitment(self, leaf_index: int) -> tuple[bytes, dict[str, Any]] | None:
        """(salt, held values) of the version-2 event at `leaf_index`; None if none is held."""
        row = self.conn.execute("SELECT salt, held FROM commitments WHERE leaf_index = ?", (leaf_index,)).fetchone()
        return (bytes(row[0]), json.loads(row[1])) if row else None

    # -- mentions, decisions, entities ----------------------------------------------------

    def documents_to_extract(self, pipeline: str) -> list[tuple[str, str]]:
        """(id, text) of readable documents this pipeline version has not read yet."""
        rows = self.conn.execute(
            "SELECT id, text FROM documents WHERE status != 'sealed' AND text IS NOT NULL"
            " AND id NOT IN (SELECT document_id FROM extractions WHERE pipeline = ?) ORDER BY seq",
            (pipeline,),
        )
        return [(doc_id, text) for doc_id, text in rows]

    def add_mentions(self, mentions: Iterable[Mention]) -> None:
        self.conn.executemany(
            'INSERT OR IGNORE INTO mentions (document_id, start, "end", text, type, extractor, confidence,'
            " attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    m.document_id,
                    m.start,
                    m.end,
                    m.text,
                    m.type.value,
                    m.extractor,
                    m.confidence,
                    json.dumps(m.attributes, sort_keys=True),
                )
                for m in mentions
            ),
        )

    def mark_extracted(self, doc_ids: Iterable[str], pipeline: str, at: str) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO extractions (document_id, pipeline, at) VALUES (?, ?, ?)",
            ((doc_id, pipeline, at) for doc_id in doc_ids),
        )

    def iter_mentions(
        self, document_id: str | None = None, extractors: Iterable[str] | None = None
    ) -> Iterator[tuple[int, Mention]]:
        sql = 'SELECT id, document_id, start, "end", text, type, extractor, confidence, attributes FROM mentions'
        clauses, params = [], []
        if document_id is not None:
            clauses.append("document_id = ?")
            params.append(document_id)
        if extractors is not None:
            names = list(extractors)
            clauses.append(f"extractor IN ({','.join('?' for _ in names)})")
            params.extend(names)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        for row in self.conn.execute(sql + " ORDER BY document_id, start, id", params):
            mid, doc_id, start, end, text, kind, extractor, confidence, attributes = row
            yield (
                mid,
                Mention(doc_id, start, end, text, MentionType(kind), extractor, confidence, json.loads(attributes)),
            )

    def resolvable_documents(self) -> list[str]:
        """Documents whose mentions count: not sealed, not withdrawn, not superseded by an amendment."""
        rows = self.conn.execute(
            "SELECT id FROM documents WHERE status = 'active'"
            " AND id NOT IN (SELECT amends FROM documents WHERE amends IS NOT NULL) ORDER BY seq"
        )
        return [row[0] for row in rows]

    def add_decision(self, leaf_index: int, decision: Decision) -> None:
        self.conn.execute(
            "INSERT INTO decisions (leaf_index, kind, left_ref, right_ref, author, reason, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                leaf_index,
                decision.kind.value,
                decision.left,
                decision.right,
                decision.author,
                decision.reason,
                decision.at,
            ),
        )

    def decision_entries(self) -> list[tuple[int, bytes]]:
        """The ledger entries of recorded decisions, oldest first."""
        rows = self.conn.execute(
            "SELECT e.idx, e.data FROM decisions d JOIN entries e ON e.idx = d.leaf_index ORDER BY e.idx"
        )
        return [(int(idx), bytes(data)) for idx, data in rows]

    def iter_decision_rows(self) -> Iterator[dict[str, Any]]:
        cursor = self.conn.execute(
            "SELECT leaf_index, kind, left_ref, right_ref, author, reason, at FROM decisions ORDER BY leaf_index"
        )
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

    def list_decisions(self) -> list[Decision]:
        rows = self.conn.execute(
            "SELECT kind, left_ref, right_ref, author, reason, at FROM decisions ORDER BY leaf_index"
        )
        return [
            Decision(DecisionKind(kind), left, right, author, reason, at)
            for kind, left, right, author, reason, at in rows
        ]

    def replace_entities(self, entities: Iterable[tuple[Entity, list[tuple[int, str]]]]) -> None:
        """Swap in a resolution run's conclusions: (entity, [(mention id, record id)])."""
        self.conn.execute("DELETE FROM entity_mentions")
        self.conn.execute("DELETE FROM entities")
        for entity, members in entities:
            self.conn.execute(
                "INSERT INTO entities (id, type, name, aliases, attributes) VALUES (?, ?, ?, ?, ?)",
                (
                    entity.id,
                    entity.type,
                    entity.name,
                    json.dumps(list(entity.aliases)),
                    json.dumps(entity.attributes, sort_keys=True, default=str),
                ),
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO entity_mentions (entity_id, mention_id, record_id) VALUES (?, ?, ?)",
                ((entity.id, mid, rid) for mid, rid in members),
            )

    def entity_rows(self) -> list[dict[str, Any]]:
        """Entities alone, without their documents (`list_entities` adds those, at a cost)."""
        return [
            {"id": eid, "type": kind, "name": name, "aliases": json.loads(aliases), "attributes": json.loads(attrs)}
            for eid, kind, name, aliases, attrs in self.conn.execute(
                "SELECT id, type, name, aliases, attributes FROM entities ORDER BY id"
            )
        ]

    def entity_records(self) -> dict[str, str]:
        """Record id -> the entity that holds it."""
        return dict(self.conn.execute("SELECT DISTINCT record_id, entity_id FROM entity_mentions"))

    def mention_records(self, document_id: str) -> dict[int, tuple[str, str]]:
        """A document's resolved mentions: mention id -> (entity id, record id)."""
        rows = self.conn.execute(
            "SELECT em.mention_id, em.entity_id, em.record_id FROM entity_mentions em"
            " JOIN mentions m ON m.id = em.mention_id WHERE m.document_id = ?",
            (document_id,),
        )
        return {int(mid): (eid, rid) for mid, eid, rid in rows}

    def decisions_naming(self, refs: Iterable[str]) -> list[dict[str, Any]]:
        """Decisions whose left or right side is one of these records or entities, oldest first."""
        wanted = sorted(set(refs))
        if not wanted:
            return []
        marks = ",".join("?" for _ in wanted)
        rows = self.conn.execute(
            f"SELECT leaf_index, kind, left_ref, right_ref, author, reason, at FROM decisions"
            f" WHERE left_ref IN ({marks}) OR right_ref IN ({marks}) ORDER BY leaf_index",
            (*wanted, *wanted),
        )
        names = ("leaf_index", "kind", "left", "right", "author", "reason", "at")
        return [dict(zip(names, row)) for row in rows]

    def list_entities(self) -> list[dict[str, Any]]:
        """Entities with their documents and mention counts, for listing and export."""
        entities = {
            eid: {
                "id": eid,
                "type": kind,
                "name": name,
                "aliases": json.loads(aliases),
                "attributes": json.loads(attrs),
                "documents": [],
                "mention_count": 0,
                "records": [],
            }
            for eid, kind, name, aliases, attrs in self.conn.execute(
                "SELECT id, type, name, aliases, attributes FROM entities ORDER BY id"
            )
        }
        rows = self.conn.execute(
            "SELECT em.entity_id, m.document_id, d.source_name, COUNT(*) FROM entity_mentions em"
            " JOIN mentions m ON m.id = em.mention_id JOIN documents d ON d.id = m.document_id"
            " GROUP BY em.entity_id, m.document_id ORDER BY em.entity_id, d.seq"
        )
        for eid, doc_id, source, count in rows:
            entities[eid]["documents"].append({"id": doc_id, "source_name": source})
            entities[eid]["mention_count"] += int(count)
        for eid, rid in self.conn.execute("SELECT DISTINCT entity_id, record_id FROM entity_mentions ORDER BY 1, 2"):
            entities[eid]["records"].append(rid)
        return list(entities.values())

    def entity_mentions(self) -> Iterator[tuple[str, int]]:
        yield from self.conn.execute("SELECT entity_id, mention_id FROM entity_mentions ORDER BY entity_id, mention_id")

    def entity_mention_refs(self, document_ids: Iterable[str] | None = None) -> list[MentionRef]:
        """Where documents name resolved entities; all documents when `document_ids` is None."""
        sql = (
            'SELECT m.document_id, m.start, m."end", m.text, m.type, em.entity_id FROM entity_mentions em'
            " JOIN mentions m ON m.id = em.mention_id"
        )
        if document_ids is None:
            rows = self.conn.execute(sql + " ORDER BY m.document_id, m.start")
        else:
            ids = sorted(set(document_ids))
            if not ids:
                return []
            marks = ",".join("?" for _ in ids)
            rows = self.conn.execute(sql + f" WHERE m.document_id IN ({marks}) ORDER BY m.document_id, m.start", ids)
        return [MentionRef(doc, int(start), int(end), text, kind, eid) for doc, start, end, text, kind, eid in rows]

    def detail_mention_refs(
        self, types: Iterable[str], exclude_extractor_prefix: str = "spacy_ner@"
    ) -> list[MentionRef]:
        """Mentions that name no entity but still identify an account (ages, dates, periods)."""
        kinds = sorted(set(types))
        marks = ",".join("?" for _ in kinds)
        rows = self.conn.execute(
            f'SELECT document_id, start, "end", text, type FROM mentions WHERE type IN ({marks})'
            " AND extractor NOT LIKE ? ORDER BY document_id, start",
            (*kinds, exclude_extractor_prefix + "%"),
        )
        return [MentionRef(doc, int(start), int(end), text, kind, "") for doc, start, end, text, kind in rows]

    # -- casework -------------------------------------------------------------------------

    def add_casework_events(self, rows: Iterable[tuple[int, str, str]]) -> None:
        """Index casework events: (leaf index, event type, subject)."""
        self.conn.executemany("INSERT INTO casework_events (leaf_index, type, subject) VALUES (?, ?, ?)", rows)

    def casework_entries(self, after: int = -1) -> list[tuple[int, bytes]]:
        """The ledger entries of casework events after leaf `after`, oldest first (the read audit apart)."""
        rows = self.conn.execute(
            "SELECT e.idx, e.data FROM casework_events c JOIN entries e ON e.idx = c.leaf_index"
            " WHERE c.type != 'read.audited' AND c.leaf_index > ? ORDER BY e.idx",
            (after,),
        )
        return [(int(idx), bytes(data)) for idx, data in rows]

    def audit_entries(self, containing: str | None = None) -> Iterator[tuple[int, bytes]]:
        """Read-audit and account events (who could read, and who read), newest first, as a stream:
        a caller that wants a page stops reading there. `containing` keeps only entries whose
        recorded JSON holds that text (case-insensitively for ASCII; filtered by the database)."""
        sql = (
            "SELECT e.idx, e.data FROM casework_events c JOIN entries e ON e.idx = c.leaf_index"
            " WHERE c.type IN ('read.audited', 'account.created', 'account.changed')"
        )
        params: tuple[Any, ...] = ()
        if containing:
            sql += " AND instr(lower(CAST(e.data AS TEXT)), lower(?)) > 0"
            params = (containing,)
        for idx, data in self.conn.execute(sql + " ORDER BY e.idx DESC", params):
            yield int(idx), bytes(data)

    def iter_casework_rows(self) -> Iterator[tuple[int, str, str]]:
        for idx, kind, subject in self.conn.execute(
            "SELECT leaf_index, type, subject FROM casework_events ORDER BY leaf_index"
        ):
            yield int(idx), kind, subject

    # -- data keys and scrubbing (issue 12, migration 0009) -----------------------------------

    def data_key(self, sha256: str) -> tuple[str, str, bytes] | None:
        """(object name, KEK id, wrapped key) of one original's data key; None once sealed."""
        row = self.conn.execute("SELECT name, kek_id, wrapped FROM data_keys WHERE sha256 = ?", (sha256,)).fetchone()
        return (row[0], row[1], bytes(row[2])) if row else None

    def add_data_key(self, sha256: str, name: str, kek_id: str, wrapped: bytes) -> None:
        """OR IGNORE: of two writers racing with the same bytes the first key stands, and both use it.
        Usually its own small commit, before the object is written (outside the batch's transaction)."""
        insert = "INSERT OR IGNORE INTO data_keys (sha256, name, kek_id, wrapped) VALUES (?, ?, ?, ?)"
        if self._depth:
            self.conn.execute(insert, (sha256, name, kek_id, wrapped))
            return
        # Without its own fsync: the WAL is written in order, so the batch's FULL commit that follows
        # makes this row durable too. A crash before it loses only the key of an unreferenced object,
        # and ObjectStore.put rewrites an object whose key it had to make again.
        try:
            self.conn.execute("PRAGMA synchronous=NORMAL")
            try:
                self.conn.execute(insert, (sha256, name, kek_id, wrapped))
            finally:
                self.conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.OperationalError as err:
            raise store_error(self.path, err, "storing a document's data key") from err

    def destroy_data_key(self, sha256: str) -> None:
        """Crypto-shredding: with secure_delete on, the wrapped key is zeroed in the page, not freed."""
        self.conn.execute("DELETE FROM data_keys WHERE sha256 = ?", (sha256,))

    def iter_data_keys(self) -> list[tuple[str, str, bytes]]:
        """(sha256, KEK id, wrapped key) of every data key: a rotation re-wraps them."""
        rows = self.conn.execute("SELECT sha256, kek_id, wrapped FROM data_keys ORDER BY sha256").fetchall()
        return [(sha, kek, bytes(wrapped)) for sha, kek, wrapped in rows]

    def rewrap_data_key(self, sha256: str, kek_id: str, wrapped: bytes) -> None:
        self.conn.execute("UPDATE data_keys SET kek_id = ?, wrapped = ? WHERE sha256 = ?", (kek_id, wrapped, sha256))

    def object_names(self) -> dict[str, str]:
        """Object file name -> the SHA-256 of its content, for every data key held."""
        return dict(self.conn.execute("SELECT name, sha256 FROM data_keys"))

    def purge_search_index(self) -> None:
        """FTS5 keeps a removed document's terms in older index segments until they are merged:
        merge them all now (in the sealing transaction), so the terms are gone, not just hidden."""
        self.conn.execute("INSERT INTO documents_search (documents_search) VALUES ('optimize')")

    def fold_wal(self) -> bool:
        """After a seal commits: copy the WAL into the database and truncate it, so the pages that
        held the removed content are overwritten and no WAL frame keeps them. False if a reader
        (another process) kept part of the WAL; its frames go at the next checkpoint."""
        try:
            busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:
            return False
        return busy == 0


def _document_row(row: Any) -> tuple[Document, str, int]:
    (
        doc_id,
        sha,
        text_sha,
        size,
        media_type,
        kind,
        submitted_by,
        channel,
        received_at,
        source_name,
        title,
        parent_id,
        amends,
        status,
        leaf_index,
    ) = row
    doc = Document(
        id=doc_id,
        sha256=sha,
        text_sha256=text_sha,
        size=int(size),
        media_type=media_type,
        kind=DocumentKind(kind),
        provenance=Provenance(submitted_by, channel, received_at, source_name),
        title=title,
        parent_id=parent_id,
        amends=amends,
    )
    return doc, status, int(leaf_index)
