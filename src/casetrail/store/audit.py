"""The audit trail: read audits and account events, as recorded, newest first (the auditor's page)."""

from __future__ import annotations

from collections.abc import Iterator

from casetrail.store.database import Database, Statements
from casetrail.store.ledger import JOIN_OPENED, OPENED

AUDITED = (
    f"SELECT e.idx, {OPENED} FROM casework_events c JOIN entries e ON e.idx = c.leaf_index {JOIN_OPENED}"
    " WHERE c.type IN ('read.audited', 'account.created', 'account.changed')"
)
STATEMENTS = Statements(
    {
        "entries": f"{AUDITED} ORDER BY e.idx DESC",
        "entries_containing": f"{AUDITED} AND instr(lower(CAST({OPENED} AS TEXT)), lower(?)) > 0 ORDER BY e.idx DESC",
    },
    postgres={
        "entries_containing": (
            f"{AUDITED} AND strpos(lower(convert_from({OPENED}, 'UTF8')), lower(%s)) > 0 ORDER BY e.idx DESC"
        ),
    },
)


class AuditTrail:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sql = STATEMENTS(db.dialect)

    def audit_entries(self, containing: str | None = None) -> Iterator[tuple[int, bytes]]:
        """Read-audit and account events (who could read, and who read), newest first, as a stream:
        a caller that wants a page stops reading there. `containing` keeps only entries whose
        recorded JSON holds that text (case-insensitively for ASCII; filtered by the database)."""
        if containing:
            cursor = self.db.run(self.sql["entries_containing"], (containing,))
        else:
            cursor = self.db.run(self.sql["entries"])
        for idx, data in cursor:
            yield int(idx), bytes(data)
