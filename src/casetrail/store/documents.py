"""The documents' tables: each document's metadata, extracted text and status; how its text was
read (migration 0008); and the full-text index over it (migration 0006)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from casetrail.errors import DuplicateContent
from casetrail.model.document import (
    NO_TEXT,
    Document,
    DocumentKind,
    Provenance,
    TextSource,
    page_sources_sha256,
)
from casetrail.store.database import Database, Statements, as_list

COLUMNS = (
    "id, sha256, text_sha256, size, media_type, kind, submitted_by, channel, received_at, "
    "source_name, title, parent_id, amends, status, leaf_index"
)
STATEMENTS = Statements(
    {
        "next_seq": "SELECT COALESCE(MAX(seq), 0) + 1 FROM documents",
        "add": (
            "INSERT INTO documents (seq, id, sha256, text_sha256, size, media_type, kind, submitted_by,"
            " channel, received_at, source_name, title, parent_id, amends, text, leaf_index)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        "by_sha": f"SELECT {COLUMNS} FROM documents WHERE sha256 = ?",
        "by_id": f"SELECT {COLUMNS} FROM documents WHERE id = ?",
        "by_ids": f"SELECT {COLUMNS} FROM documents WHERE id IN (SELECT value FROM json_each(?))",
        "statuses": "SELECT id, status FROM documents WHERE id IN (SELECT value FROM json_each(?))",
        "by_shas": f"SELECT {COLUMNS} FROM documents WHERE sha256 IN (SELECT value FROM json_each(?))",
        "listing": "SELECT id, submitted_by FROM documents ORDER BY seq",
        # Two index reads, by id and by submitter (migration 0016), never a scan of the table.
        "listing_among": (
            "SELECT seq, id, submitted_by FROM documents WHERE id IN (SELECT value FROM json_each(?))"
            " UNION SELECT seq, id, submitted_by FROM documents WHERE submitted_by = ? ORDER BY 1"
        ),
        "amendments": "SELECT amends, id FROM documents WHERE amends IS NOT NULL ORDER BY seq",
        "from_channel": "SELECT id FROM documents WHERE channel = ? ORDER BY seq",
        "text": "SELECT text FROM documents WHERE id = ?",
        "all": f"SELECT {COLUMNS} FROM documents ORDER BY seq",
        "texts": (
            "SELECT id, text FROM documents WHERE status IN (SELECT value FROM json_each(?))"
            " AND text IS NOT NULL ORDER BY seq"
        ),
        "rows": f"SELECT {COLUMNS}, text FROM documents ORDER BY seq",
        "set_status": "UPDATE documents SET status = ? WHERE id = ?",
        "clear_text": "UPDATE documents SET text = NULL WHERE id = ?",
        # Ranked ids first, snippets after for the few shown: a snippet costs as much as the ranking.
        "search": (
            "SELECT d.id FROM documents_search JOIN documents d ON d.seq = documents_search.rowid"
            " WHERE documents_search MATCH ? ORDER BY rank LIMIT ?"
        ),
        "snippets": (
            "SELECT d.id, snippet(documents_search, 0, char(2), char(3), ' … ', 16) FROM documents_search"
            " JOIN documents d ON d.seq = documents_search.rowid WHERE documents_search MATCH ?"
            " AND documents_search.rowid IN (SELECT seq FROM documents WHERE id IN (SELECT value FROM json_each(?)))"
        ),
        # FTS5 keeps a removed document's terms in older segments until they are merged.
        "purge_search": "INSERT INTO documents_search (documents_search) VALUES ('optimize')",
        "count": "SELECT status, COUNT(*) FROM documents GROUP BY status",
        "add_reading": "INSERT INTO document_readings (document_id, status, reason) VALUES (?, ?, ?)",
        "add_page_source": (
            'INSERT INTO page_sources (document_id, page, start, "end", method, confidence, words)'
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
        ),
        "reading": "SELECT status, reason FROM document_readings WHERE document_id = ?",
        "no_text": (
            "SELECT r.document_id, r.reason FROM document_readings r JOIN documents d ON d.id = r.document_id"
            " WHERE r.status = ? AND d.status != 'sealed' ORDER BY d.seq"
        ),
        "page_sources": (
            'SELECT page, start, "end", method, confidence, words FROM page_sources WHERE document_id = ? ORDER BY page'
        ),
        "ocr_sources": (
            'SELECT m.id, p.page, p.start, p."end", p.method, p.confidence, p.words FROM mentions m'
            " JOIN page_sources p ON p.document_id = m.document_id AND p.method = 'ocr'"
            '  AND p.start < m."end" AND m.start < p."end"'
            " WHERE m.document_id = ? ORDER BY m.id, p.confidence DESC"
        ),
    },
    postgres={
        "listing_among": (
            "SELECT seq, id, submitted_by FROM documents WHERE id = ANY(%s)"
            " UNION SELECT seq, id, submitted_by FROM documents WHERE submitted_by = %s ORDER BY 1"
        ),
        "texts": "SELECT id, text FROM documents WHERE status = ANY(%s) AND text IS NOT NULL ORDER BY seq",
        "by_ids": f"SELECT {COLUMNS} FROM documents WHERE id = ANY(%s)",
        "statuses": "SELECT id, status FROM documents WHERE id = ANY(%s)",
        "by_shas": f"SELECT {COLUMNS} FROM documents WHERE sha256 = ANY(%s)",
        # Every word must match (plainto_tsquery ANDs them), accents folded on both sides as the
        # stored vector is (migrations_postgres/0017); the headline marks hits as FTS5's snippet does, in
        # the text as written (a word matched only once folded is shown but not marked).
        "search": (
            "SELECT id FROM documents, plainto_tsquery('simple', casetrail_fold(%s)) AS q"
            " WHERE search_vector @@ q ORDER BY ts_rank(search_vector, q) DESC LIMIT %s"
        ),
        "snippets": (
            "SELECT id, ts_headline('simple', text, q, 'StartSel=\x02, StopSel=\x03, MaxFragments=1, MaxWords=16')"
            " FROM documents, plainto_tsquery('simple', casetrail_fold(%s)) AS q"
            " WHERE id = ANY(%s) AND text IS NOT NULL AND search_vector @@ q"
        ),
        # The GIN index is over the stored vector of the folded text (migrations_postgres/0017): sealing's
        # NULL empties it.
        "purge_search": "SELECT 1",
    },
)


class DocumentTables:
    def __init__(self, db: Database, is_duplicate: Callable[[Exception], bool]) -> None:
        """`is_duplicate(error)`: whether an insert failed on the unique sha256 (engines word it differently)."""
        self.db = db
        self.sql = STATEMENTS(db.dialect)
        self._is_duplicate = is_duplicate

    def next_document_seq(self) -> int:
        return int(self.db.run(self.sql["next_seq"]).fetchone()[0])

    def add_document(self, doc: Document, text: str, leaf_index: int) -> None:
        self.add_documents([(doc, text, leaf_index)])

    def add_documents(self, documents: Sequence[tuple[Document, str, int]]) -> None:
        """Many documents in one statement (one round trip to a server, not one each)."""
        try:
            self.db.run_many(self.sql["add"], [_document_values(*found) for found in documents])
        except Exception as err:
            if self._is_duplicate(err):
                shas = ", ".join(doc.sha256 for doc, _, _ in documents)
                raise DuplicateContent(f"one of {shas} is already recorded") from err
            raise

    def find_document_by_sha(self, sha256: str) -> tuple[Document, str, int] | None:
        row = self.db.run(self.sql["by_sha"], (sha256,)).fetchone()
        return document_row(row) if row else None

    def find_documents_by_sha(self, shas: Iterable[str]) -> dict[str, tuple[Document, str, int]]:
        """sha256 -> (document, status, leaf_index), for those of `shas` recorded: one query."""
        wanted = sorted(set(shas))
        if not wanted:
            return {}
        found = (document_row(row) for row in self.db.run(self.sql["by_shas"], (as_list(wanted, self.db.dialect),)))
        return {doc.sha256: (doc, status, leaf) for doc, status, leaf in found}

    def get_document(self, doc_id: str) -> tuple[Document, str, int] | None:
        """(document, status, leaf_index) or None."""
        row = self.db.run(self.sql["by_id"], (doc_id,)).fetchone()
        return document_row(row) if row else None

    def get_documents(self, doc_ids: Iterable[str]) -> dict[str, tuple[Document, str, int]]:
        """Document id -> (document, status, leaf_index), for those of `doc_ids` recorded."""
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        found = (document_row(row) for row in self.db.run(self.sql["by_ids"], (as_list(ids, self.db.dialect),)))
        return {doc.id: (doc, status, leaf) for doc, status, leaf in found}

    def statuses(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """Document id -> its status (active, withdrawn, amended, sealed), for those recorded."""
        return self._by_id("statuses", doc_ids)

    def _by_id(self, statement: str, doc_ids: Iterable[str]) -> dict[str, str]:
        """Document id -> one column, by a statement selecting (id, column) for a list of ids."""
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        return {str(i): str(value) for i, value in self.db.run(self.sql[statement], (as_list(ids, self.db.dialect),))}

    def listing(self) -> list[tuple[str, str]]:
        """(id, submitted_by) of every document in the order received: what a list of them is
        filtered and paged by, without holding the documents themselves."""
        submitters: dict[str, str] = {}  # a few people submit thousands of documents: one string each
        return [(str(doc_id), submitters.setdefault(by, by)) for doc_id, by in self.db.run(self.sql["listing"])]

    def listing_among(self, ids: Iterable[str], submitted_by: str) -> list[tuple[str, str]]:
        """(id, submitted_by) of these documents and of those `submitted_by` gave, in the order
        received: what one viewer's list is filtered from, read without the rest of the inquiry's."""
        rows = self.db.run(self.sql["listing_among"], (as_list(sorted(ids), self.db.dialect), submitted_by))
        return [(str(doc_id), str(by)) for _, doc_id, by in rows]

    def amendments(self) -> list[tuple[str, str]]:
        """(amended document, its amendment), in the order received."""
        return [(str(old), str(new)) for old, new in self.db.run(self.sql["amendments"])]

    def from_channel(self, channel: str) -> list[str]:
        """The documents received through `channel` (the workbench's uploads: "web"), in order."""
        return [str(row[0]) for row in self.db.run(self.sql["from_channel"], (channel,))]

    def get_text(self, doc_id: str) -> str | None:
        row = self.db.run(self.sql["text"], (doc_id,)).fetchone()
        return row[0] if row else None

    def iter_documents(self) -> Iterator[tuple[Document, str, int]]:
        for row in self.db.run(self.sql["all"]):
            yield document_row(row)

    def iter_texts(self, statuses: tuple[str, ...] = ("active",)) -> Iterator[tuple[str, str]]:
        yield from self.db.run(self.sql["texts"], (as_list(statuses, self.db.dialect),))

    def iter_document_rows(self) -> Iterator[dict[str, Any]]:
        """Raw rows, exactly as stored, for verification (no parsing that could hide tampering)."""
        names = [*COLUMNS.split(", "), "text"]
        for row in self.db.run(self.sql["rows"]):
            yield dict(zip(names, row))

    def set_document_status(self, doc_id: str, status: str) -> None:
        self.db.run(self.sql["set_status"], (status, doc_id))

    def clear_text(self, doc_id: str) -> None:
        """Sealing: the text goes (what was read from it goes with AnalysisTables.forget_document)."""
        self.db.run(self.sql["clear_text"], (doc_id,))

    def search_documents(self, words: Iterable[str], limit: int) -> list[tuple[str, str]]:
        """(document id, snippet) for documents holding every word, best first; at most `limit`."""
        hits = self.search_hits(words, limit)
        snippets = self.snippets(words, hits)
        return [(doc_id, snippets.get(doc_id, "")) for doc_id in hits]

    def search_hits(self, words: Iterable[str], limit: int) -> list[str]:
        """The ids of documents holding every word, best first; at most `limit`.

        Each word is quoted, so no query syntax reaches the engine."""
        query = self._query(words)
        return [str(doc_id) for (doc_id,) in self.db.run(self.sql["search"], (query, limit))] if query else []

    def snippets(self, words: Iterable[str], document_ids: Iterable[str]) -> dict[str, str]:
        """Document id -> a snippet of its text around the words, each hit marked with \x02 ... \x03
        for the caller to highlight without trusting any markup (for the documents holding them)."""
        query, wanted = self._query(words), sorted(set(document_ids))
        if not query or not wanted:
            return {}
        return {
            str(d): str(snippet)
            for d, snippet in self.db.run(self.sql["snippets"], (query, as_list(wanted, self.db.dialect)))
        }

    def _query(self, words: Iterable[str]) -> str:
        terms = [w for w in words if w.strip()]
        if self.db.dialect == "sqlite":
            return " ".join('"{}"'.format(t.replace('"', '""')) for t in terms)
        return " ".join(terms)

    def purge_search_index(self) -> None:
        """Merge the index in the sealing transaction, so a sealed text's terms are gone, not just hidden."""
        self.db.run(self.sql["purge_search"])

    def count_documents(self) -> Mapping[str, int]:
        return {status: int(n) for status, n in self.db.run(self.sql["count"]).fetchall()}

    # -- how text was read (migration 0008) --------------------------------------------------

    def add_reading(self, doc_id: str, status: str, reason: str | None, sources: Iterable[TextSource]) -> None:
        """How a document's text was read; called in the transaction that records the document."""
        self.add_readings([(doc_id, status, reason, sources)])

    def add_readings(self, readings: Sequence[tuple[str, str, str | None, Iterable[TextSource]]]) -> None:
        """Many documents' readings: (id, status, reason, page sources), in two statements."""
        self.db.run_many(self.sql["add_reading"], [(doc_id, status, reason) for doc_id, status, reason, _ in readings])
        self.db.run_many(
            self.sql["add_page_source"],
            [
                (doc_id, s.page, s.start, s.end, s.method, s.confidence, s.words)
                for doc_id, _, _, sources in readings
                for s in sources
            ],
        )

    def reading(self, doc_id: str) -> tuple[str, str | None]:
        """(status, reason); a document recorded before readings were kept counts as read."""
        row = self.db.run(self.sql["reading"], (doc_id,)).fetchone()
        return (row[0], row[1]) if row else ("read", None)

    def no_text_documents(self) -> dict[str, str | None]:
        """Documents not sealed from which no text was read: id -> reason (None if recorded before
        casetrail kept one), in register order."""
        return {doc_id: reason for doc_id, reason in self.db.run(self.sql["no_text"], (NO_TEXT,))}

    def page_sources(self, doc_id: str) -> list[TextSource]:
        return [TextSource(*row) for row in self.db.run(self.sql["page_sources"], (doc_id,))]

    def ocr_sources(self, doc_id: str) -> dict[int, TextSource]:
        """Mention id -> the OCR page its span overlaps; of two pages, the less sure one."""
        rows = self.db.run(self.sql["ocr_sources"], (doc_id,))
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


def document_row(row: Any) -> tuple[Document, str, int]:
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


def _document_values(doc: Document, text: str, leaf_index: int) -> tuple[Any, ...]:
    """A document's row, in the order of the "add" statement's columns."""
    meta = doc.metadata()
    return (
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
    )
