"""The casework index: which ledger leaves are casework events (migration 0003), so the casebook
folds only those, as recorded, and `verify` can hold the index to the log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from casetrail.store.database import Database, Statements
from casetrail.store.ledger import JOIN_OPENED, OPENED

STATEMENTS = Statements(
    {
        "add": "INSERT INTO casework_events (leaf_index, type, subject) VALUES (?, ?, ?)",
        "entries_after": (
            f"SELECT e.idx, {OPENED} FROM casework_events c JOIN entries e ON e.idx = c.leaf_index {JOIN_OPENED}"
            " WHERE c.type != 'read.audited' AND c.leaf_index > ? ORDER BY e.idx"
        ),
        "rows": "SELECT leaf_index, type, subject FROM casework_events ORDER BY leaf_index",
    }
)


class CaseworkIndex:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sql = STATEMENTS(db.dialect)

    def add_casework_events(self, rows: Iterable[tuple[int, str, str]]) -> None:
        """Index casework events: (leaf index, event type, subject)."""
        self.db.run_many(self.sql["add"], rows)

    def casework_entries(self, after: int = -1) -> list[tuple[int, bytes]]:
        """Casework events after leaf `after`, as recorded, oldest first (the read audit apart)."""
        return [(int(idx), bytes(data)) for idx, data in self.db.run(self.sql["entries_after"], (after,))]

    def iter_casework_rows(self) -> Iterator[tuple[int, str, str]]:
        for idx, kind, subject in self.db.run(self.sql["rows"]):
            yield int(idx), str(kind), str(subject)
