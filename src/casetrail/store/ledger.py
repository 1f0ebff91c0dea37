"""The ledger's tables: entries, subtree hashes, checkpoints, and each committed event's salt and
opened copy (issue 12). What `Log` needs (ledger/storage.py `LedgerStorage`) and what a verifier reads."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from casetrail.store.database import Database, Statements

# An event as recorded: its opened copy where the leaf holds commitments, else the leaf itself.
OPENED = "COALESCE(o.opened, e.data)"
JOIN_OPENED = "LEFT JOIN commitments o ON o.leaf_index = e.idx"

STATEMENTS = Statements(
    {
        "ledger_size": "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries",
        "add_entry": "INSERT INTO entries (idx, data) VALUES (?, ?)",
        "add_node": "INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)",
        "get_node": "SELECT hash FROM nodes WHERE level = ? AND idx = ?",
        "entries_from": "SELECT idx, data FROM entries WHERE idx >= ? ORDER BY idx",
        "entries_between": "SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx",
        "recorded_from": f"SELECT e.idx, {OPENED} FROM entries e {JOIN_OPENED} WHERE e.idx >= ? ORDER BY e.idx",
        "get_entry": "SELECT data FROM entries WHERE idx = ?",
        "nodes": "SELECT level, idx, hash FROM nodes ORDER BY level, idx",
        "nodes_at": "SELECT level, idx, hash FROM nodes WHERE level = ? ORDER BY idx",
        "add_checkpoint": "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (?, ?)",
        "latest_checkpoint": "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
        "checkpoint_at": "SELECT note FROM checkpoints WHERE size = ?",
        "checkpoint_covering": "SELECT size, note FROM checkpoints WHERE size > ? ORDER BY size LIMIT 1",
        "checkpoints": "SELECT size, note FROM checkpoints ORDER BY size",
        "add_commitment": "INSERT INTO commitments (leaf_index, salt, held) VALUES (?, ?, ?)",
        "add_opened_event": "INSERT INTO commitments (leaf_index, salt, opened) VALUES (?, ?, ?)",
        "opened_event": "SELECT salt, opened FROM commitments WHERE leaf_index = ? AND opened IS NOT NULL",
        "commitment": "SELECT salt, held FROM commitments WHERE leaf_index = ?",
        "opened_events": "SELECT leaf_index, salt, opened FROM commitments WHERE opened IS NOT NULL ORDER BY leaf_index",
    },
    postgres={
        "add_checkpoint": (
            "INSERT INTO checkpoints (size, note) VALUES (%s, %s) ON CONFLICT (size) DO UPDATE SET note = EXCLUDED.note"
        ),
    },
)


class LedgerTables:
    def __init__(self, db: Database, path: Path | str) -> None:
        self.db = db
        self.sql = STATEMENTS(db.dialect)
        self.path = path

    # -- what Log needs (LedgerStorage) -----------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        return self.db.transaction()

    def after_commit(self, action: Callable[[], None]) -> None:
        self.db.after_commit(action)

    def ledger_size(self) -> int:
        return int(self.db.run(self.sql["ledger_size"]).fetchone()[0])

    def add_entries(self, rows: Iterable[tuple[int, bytes]]) -> None:
        self.db.run_many(self.sql["add_entry"], rows)

    def add_nodes(self, rows: Iterable[tuple[int, int, bytes]]) -> None:
        self.db.run_many(self.sql["add_node"], rows)

    def get_nodes(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        # Point lookups on the primary key: a proof needs ~2 log2(n) of them, each microseconds.
        found: dict[tuple[int, int], bytes] = {}
        for key in keys:
            row = self.db.run(self.sql["get_node"], key).fetchone()
            if row is not None:
                found[key] = bytes(row[0])
        return found

    def get_entry(self, idx: int) -> bytes | None:
        row = self.db.run(self.sql["get_entry"], (idx,)).fetchone()
        return bytes(row[0]) if row else None

    def add_checkpoint(self, size: int, note: str) -> None:
        self.db.run(self.sql["add_checkpoint"], (size, note))

    def latest_checkpoint(self) -> tuple[int, str] | None:
        row = self.db.run(self.sql["latest_checkpoint"]).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def checkpoint_at(self, size: int) -> str | None:
        row = self.db.run(self.sql["checkpoint_at"], (size,)).fetchone()
        return str(row[0]) if row else None

    def add_opened_events(self, rows: Iterable[tuple[int, bytes, bytes]]) -> None:
        """Committed events as recorded (migration 0011), beside their salts; in the appending transaction."""
        self.db.run_many(self.sql["add_opened_event"], rows)

    def opened_event(self, leaf_index: int) -> tuple[bytes, bytes] | None:
        row = self.db.run(self.sql["opened_event"], (leaf_index,)).fetchone()
        return (bytes(row[0]), bytes(row[1])) if row else None

    # -- what a verifier, an export or a reader of the record reads -------------------------

    def iter_opened(self) -> Iterator[tuple[int, bytes, bytes]]:
        """(leaf index, salt, event as recorded) of every whole-committed event, in leaf order."""
        for idx, salt, opened in self.db.run(self.sql["opened_events"]):
            yield int(idx), bytes(salt), bytes(opened)

    def iter_entries(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        if end is None:
            cursor = self.db.run(self.sql["entries_from"], (start,))
        else:
            cursor = self.db.run(self.sql["entries_between"], (start, end))
        for idx, data in cursor:
            yield int(idx), bytes(data)

    def iter_recorded(self, start: int = 0) -> Iterator[tuple[int, bytes]]:
        """Every event from leaf `start` as recorded, in log order: a committed leaf's opened copy
        (issue 12), else the leaf itself."""
        for idx, data in self.db.run(self.sql["recorded_from"], (start,)):
            yield int(idx), bytes(data)

    def iter_nodes(self) -> Iterator[tuple[int, int, bytes]]:
        for level, idx, digest in self.db.run(self.sql["nodes"]):
            yield int(level), int(idx), bytes(digest)

    def iter_nodes_at(self, level: int) -> Iterator[tuple[int, int, bytes]]:
        """The stored subtree hashes of one level, in order: (level, idx, hash)."""
        for lvl, idx, digest in self.db.run(self.sql["nodes_at"], (level,)):
            yield int(lvl), int(idx), bytes(digest)

    def checkpoint_covering(self, leaf_index: int) -> tuple[int, str] | None:
        """The first checkpoint whose tree contains this leaf."""
        row = self.db.run(self.sql["checkpoint_covering"], (leaf_index,)).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def iter_checkpoints(self) -> Iterator[tuple[int, str]]:
        for size, note in self.db.run(self.sql["checkpoints"]):
            yield int(size), str(note)

    # -- document events' commitment salts (issue 12, migration 0010) -----------------------

    def add_commitment(self, leaf_index: int, salt: bytes, held: Mapping[str, Any]) -> None:
        """The salt of a version-2 event at `leaf_index`, and the committed values kept nowhere else;
        called in the transaction that appends the event."""
        self.add_commitments([(leaf_index, salt, held)])

    def add_commitments(self, rows: Iterable[tuple[int, bytes, Mapping[str, Any]]]) -> None:
        """Many events' salts and committed values, in one statement."""
        self.db.run_many(
            self.sql["add_commitment"],
            [(index, salt, json.dumps(dict(held), sort_keys=True, ensure_ascii=False)) for index, salt, held in rows],
        )

    def commitment(self, leaf_index: int) -> tuple[bytes, dict[str, Any]] | None:
        """(salt, held values) of the version-2 event at `leaf_index`; None if none is held."""
        row = self.db.run(self.sql["commitment"], (leaf_index,)).fetchone()
        return (bytes(row[0]), json.loads(row[1])) if row else None
