"""What analysis reads and concludes: mentions (what documents say), which pipeline read which
document, investigators' decisions, and the entities of the latest resolution run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from casetrail.model.casework import MentionRef
from casetrail.model.entity import NAME_FOLDING, Decision, DecisionKind, Entity, searchable_name
from casetrail.model.mention import Mention, MentionType
from casetrail.store.database import SQLITE, Database, Statements, as_list
from casetrail.store.ledger import JOIN_OPENED, OPENED

PEOPLE = "person_keys"  # the read_models row saying which rules filed the whole person index


class PersonKeys(Protocol):
    """What the person index files an entity under (casetrail.resolution.matching.PERSON_KEYS),
    given by the writer, so that the store knows where to file entities but not the rules that
    match them. `version` names the rules: an index filed under others is filed again."""

    version: str

    def __call__(self, entity: Entity) -> Iterable[str]: ...


MENTION_COLUMNS = 'id, document_id, start, "end", text, type, extractor, confidence, attributes'
DECISION_COLUMNS = "leaf_index, kind, left_ref, right_ref, author, reason, at"
MENTION_REFS = (
    'SELECT m.document_id, m.start, m."end", m.text, m.type, em.entity_id FROM entity_mentions em'
    " JOIN mentions m ON m.id = em.mention_id"
)
TRIGRAM = 3  # the shortest word a trigram index finds: shorter ones are checked by the caller only
IDS_PER_QUERY = 10_000  # ids bound to one statement: a case-sized list, never the corpus
STATEMENTS = Statements(
    {
        "to_extract": (
            "SELECT id, text FROM documents WHERE status != 'sealed' AND text IS NOT NULL"
            " AND id NOT IN (SELECT document_id FROM extractions WHERE pipeline = ?) ORDER BY seq"
        ),
        "add_mention": (
            'INSERT OR IGNORE INTO mentions (document_id, start, "end", text, type, extractor, confidence,'
            " attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        "mark_extracted": "INSERT OR IGNORE INTO extractions (document_id, pipeline, at) VALUES (?, ?, ?)",
        "mentions": f"SELECT {MENTION_COLUMNS} FROM mentions ORDER BY document_id, start, id",
        "mentions_in": f"SELECT {MENTION_COLUMNS} FROM mentions WHERE document_id = ? ORDER BY start, id",
        "mentions_by": (
            f"SELECT {MENTION_COLUMNS} FROM mentions WHERE extractor IN (SELECT value FROM json_each(?))"
            " ORDER BY document_id, start, id"
        ),
        "mentions_in_by": (
            f"SELECT {MENTION_COLUMNS} FROM mentions WHERE document_id = ?"
            " AND extractor IN (SELECT value FROM json_each(?)) ORDER BY start, id"
        ),
        "resolvable": (
            "SELECT id FROM documents WHERE status = 'active'"
            " AND id NOT IN (SELECT amends FROM documents WHERE amends IS NOT NULL) ORDER BY seq"
        ),
        "add_decision": f"INSERT INTO decisions ({DECISION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        "decision_entries": (
            f"SELECT e.idx, {OPENED} FROM decisions d JOIN entries e ON e.idx = d.leaf_index {JOIN_OPENED}"
            " ORDER BY e.idx"
        ),
        "decisions": f"SELECT {DECISION_COLUMNS} FROM decisions ORDER BY leaf_index",
        "decisions_naming": (
            f"SELECT {DECISION_COLUMNS} FROM decisions WHERE left_ref IN (SELECT value FROM json_each(?))"
            " OR right_ref IN (SELECT value FROM json_each(?)) ORDER BY leaf_index"
        ),
        "clear_entity_mentions": "DELETE FROM entity_mentions",
        "clear_entities": "DELETE FROM entities",
        "add_entity": "INSERT INTO entities (id, type, name, aliases, attributes) VALUES (?, ?, ?, ?, ?)",
        "add_entity_mention": (
            "INSERT OR IGNORE INTO entity_mentions (entity_id, mention_id, record_id) VALUES (?, ?, ?)"
        ),
        "entities": "SELECT id, type, name, aliases, attributes FROM entities ORDER BY id",
        "entity_ids": "SELECT id FROM entities ORDER BY id",
        "clear_person_keys": "DELETE FROM person_keys",
        "add_person_key": "INSERT INTO person_keys (key, entity_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        "forget_person_keys": "DELETE FROM person_keys WHERE entity_id = ?",
        "people_keyed": (
            "SELECT DISTINCT entity_id FROM person_keys WHERE key IN (SELECT value FROM json_each(?)) ORDER BY entity_id"
        ),
        "people_indexed": f"SELECT 1 FROM read_models WHERE name = '{PEOPLE}' AND stamp = ?",
        "mark_person_stale": "INSERT INTO person_keys_stale (entity_id) VALUES (?) ON CONFLICT DO NOTHING",
        "stale_people": "SELECT entity_id FROM person_keys_stale ORDER BY entity_id",
        "forget_stale_person": "DELETE FROM person_keys_stale WHERE entity_id = ?",
        "clear_stale_people": "DELETE FROM person_keys_stale",
        "mark_people_indexed": (
            f"INSERT INTO read_models (name, stamp, built_at) VALUES ('{PEOPLE}', ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp, built_at = excluded.built_at"
        ),
        # The name index (migration 0018): each entity's `searchable_name`, filed in Python.
        "clear_entity_names": "DELETE FROM entity_names",
        "file_entity_name": (
            "INSERT INTO entity_names (entity_id, folded) VALUES (?, ?)"
            " ON CONFLICT (entity_id) DO UPDATE SET folded = excluded.folded"
        ),
        "forget_entity_name": "DELETE FROM entity_names WHERE entity_id = ?",
        "names_filed": "SELECT 1 FROM entity_names_filed WHERE stamp = ?",
        "unmark_names_filed": "DELETE FROM entity_names_filed",
        "mark_names_filed": "INSERT INTO entity_names_filed (stamp) VALUES (?)",
        # FTS5 keeps a renamed entity's old trigrams in older segments until they are merged.
        "purge_entity_names": "INSERT INTO entity_names_search (entity_names_search) VALUES ('optimize')",
        "entity_records": "SELECT DISTINCT record_id, entity_id FROM entity_mentions",
        "mention_records": (
            "SELECT em.mention_id, em.entity_id, em.record_id FROM entity_mentions em"
            " JOIN mentions m ON m.id = em.mention_id WHERE m.document_id = ?"
        ),
        "entity_documents": (
            "SELECT em.entity_id, m.document_id, d.source_name, COUNT(*) FROM entity_mentions em"
            " JOIN mentions m ON m.id = em.mention_id JOIN documents d ON d.id = m.document_id"
            " GROUP BY em.entity_id, m.document_id, d.source_name, d.seq ORDER BY em.entity_id, d.seq"
        ),
        "entity_record_ids": "SELECT DISTINCT entity_id, record_id FROM entity_mentions ORDER BY 1, 2",
        "entity_mentions": "SELECT entity_id, mention_id FROM entity_mentions ORDER BY entity_id, mention_id",
        "mention_refs": f"{MENTION_REFS} ORDER BY m.document_id, m.start",
        "mention_refs_in": (
            f"{MENTION_REFS} WHERE m.document_id IN (SELECT value FROM json_each(?)) ORDER BY m.document_id, m.start"
        ),
        "mention_refs_of": (
            f"{MENTION_REFS} WHERE em.entity_id IN (SELECT value FROM json_each(?)) ORDER BY m.document_id, m.start"
        ),
        "mention_refs_at": (
            # driven by the pairs (a JSON array of [document, entity]), each through the documents'
            # index: a widely named entity's mentions are many, a document's are few. SQLite keeps
            # a CROSS JOIN's order, so the pairs drive whatever its estimates.
            'SELECT m.document_id, m.start, m."end", m.text, m.type, em.entity_id FROM json_each(?) p'
            " CROSS JOIN mentions m ON m.document_id = json_extract(p.value, '$[0]')"
            " CROSS JOIN entity_mentions em ON em.mention_id = m.id AND em.entity_id = json_extract(p.value, '$[1]')"
            " ORDER BY m.document_id, m.start"
        ),
        "documents_of_entities": (
            "SELECT em.entity_id, m.document_id, COUNT(*) FROM entity_mentions em JOIN mentions m ON m.id = em.mention_id"
            " WHERE em.entity_id IN (SELECT value FROM json_each(?))"
            " GROUP BY em.entity_id, m.document_id ORDER BY em.entity_id, m.document_id"
        ),
        "records_of": (
            "SELECT DISTINCT entity_id, record_id FROM entity_mentions"
            " WHERE entity_id IN (SELECT value FROM json_each(?)) ORDER BY 1, 2"
        ),
        "record_holders": (
            "SELECT DISTINCT record_id, entity_id FROM entity_mentions WHERE record_id IN (SELECT value FROM json_each(?))"
        ),
        "document_entity_counts": (
            "SELECT m.document_id, em.entity_id, COUNT(*) FROM entity_mentions em JOIN mentions m ON m.id = em.mention_id"
            " WHERE m.document_id IN (SELECT value FROM json_each(?)) GROUP BY m.document_id, em.entity_id"
        ),
        "detail_refs": (
            'SELECT document_id, start, "end", text, type FROM mentions WHERE type IN (SELECT value FROM json_each(?))'
            " AND substr(extractor, 1, length(?)) != ? ORDER BY document_id, start"
        ),
        # Sealing: what was read from the text goes, and the entities it named are renamed or removed.
        "entities_named_in": (
            "SELECT DISTINCT em.entity_id FROM entity_mentions em JOIN mentions m ON m.id = em.mention_id"
            " WHERE m.document_id = ?"
        ),
        "forget_entity_mentions": (
            "DELETE FROM entity_mentions WHERE mention_id IN (SELECT id FROM mentions WHERE document_id = ?)"
        ),
        "forget_mentions": "DELETE FROM mentions WHERE document_id = ?",
        "entity_said": (
            "SELECT m.text, COUNT(*) AS n FROM entity_mentions em JOIN mentions m ON m.id = em.mention_id"
            " WHERE em.entity_id = ? GROUP BY m.text ORDER BY n DESC, m.text"
        ),
        "entity_name": "SELECT name, aliases, attributes FROM entities WHERE id = ?",
        # Whether a document still naming the entity says this (sealing: what only the sealed text said goes).
        "entity_text_says": (
            "SELECT 1 FROM documents WHERE id IN (SELECT m.document_id FROM entity_mentions em"
            " JOIN mentions m ON m.id = em.mention_id WHERE em.entity_id = ?)"
            " AND instr(lower(text), lower(?)) > 0 LIMIT 1"
        ),
        "remove_entity": "DELETE FROM entities WHERE id = ?",
        "rename_entity": "UPDATE entities SET name = ?, aliases = ?, attributes = ? WHERE id = ?",
        # Incremental analysis (migration 0012): what a run keeps for the next one.
        "last_run": "SELECT id, kind, pipeline, decisions, documents, at FROM resolution_runs ORDER BY id DESC LIMIT 1",
        "last_model": "SELECT documents, model FROM resolution_runs WHERE model IS NOT NULL ORDER BY id DESC LIMIT 1",
        "resolved_count": "SELECT COUNT(*) FROM resolved_documents",
        "next_run": "SELECT COALESCE(MAX(id), 0) + 1 FROM resolution_runs",
        "add_run": (
            "INSERT INTO resolution_runs (id, kind, pipeline, decisions, documents, at, model)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
        ),
        "drop_models": "UPDATE resolution_runs SET model = NULL WHERE model IS NOT NULL",
        "forget_runs": "DELETE FROM resolution_runs",
        "newest_decision": "SELECT COALESCE(MAX(leaf_index), -1) FROM decisions",
        "unresolved": (
            "SELECT id FROM documents WHERE status = 'active'"
            " AND id NOT IN (SELECT amends FROM documents WHERE amends IS NOT NULL)"
            " AND id NOT IN (SELECT document_id FROM resolved_documents) ORDER BY seq"
        ),
        "resolved_gone": (
            "SELECT COUNT(*) FROM resolved_documents WHERE document_id NOT IN (SELECT id FROM documents"
            " WHERE status = 'active' AND id NOT IN (SELECT amends FROM documents WHERE amends IS NOT NULL))"
        ),
        "extracted_by": "SELECT document_id FROM extractions WHERE pipeline = ?",
        "extracted_among": (
            "SELECT document_id FROM extractions WHERE pipeline = ? AND document_id IN (SELECT value FROM json_each(?))"
        ),
        "mark_resolved": "INSERT OR IGNORE INTO resolved_documents (document_id, run) VALUES (?, ?)",
        "mentions_of_by": (
            f"SELECT {MENTION_COLUMNS} FROM mentions WHERE document_id IN (SELECT value FROM json_each(?))"
            " AND extractor IN (SELECT value FROM json_each(?)) ORDER BY document_id, start, id"
        ),
        "clear_resolved": "DELETE FROM resolved_documents",
        "clear_rows": "DELETE FROM resolution_rows",
        "clear_row_keys": "DELETE FROM resolution_row_keys",
        "clear_holdings": "DELETE FROM resolution_holdings",
        "clear_anchors": "DELETE FROM resolution_anchors",
        "clear_keyed": "DELETE FROM resolution_keyed",
        "clear_names": "DELETE FROM resolution_names",
        "add_name": (
            "INSERT INTO resolution_names (entity_id, name, records) VALUES (?, ?, ?)"
            " ON CONFLICT (entity_id, name) DO UPDATE SET records = resolution_names.records + excluded.records"
        ),
        "names_of": (
            "SELECT entity_id, name, records FROM resolution_names WHERE entity_id IN (SELECT value FROM json_each(?))"
        ),
        "rename_names": "UPDATE resolution_names SET entity_id = ? WHERE entity_id = ?",
        "add_row": "INSERT OR IGNORE INTO resolution_rows (digest, data) VALUES (?, ?)",
        "add_row_key": "INSERT OR IGNORE INTO resolution_row_keys (key, digest) VALUES (?, ?)",
        "add_holding": (
            "INSERT INTO resolution_holdings (digest, entity_id, records) VALUES (?, ?, ?)"
            " ON CONFLICT (digest, entity_id) DO UPDATE SET records = resolution_holdings.records + excluded.records"
        ),
        # (IN, not a join with DISTINCT: three times faster on 100,000 rows)
        "rows_by_keys": (
            "SELECT digest, data FROM resolution_rows WHERE digest IN"
            " (SELECT digest FROM resolution_row_keys WHERE key IN (SELECT value FROM json_each(?)))"
        ),
        "rows_by_digest": "SELECT digest, data FROM resolution_rows WHERE digest IN (SELECT value FROM json_each(?))",
        "holders_of": (
            "SELECT digest, entity_id, records FROM resolution_holdings WHERE digest IN (SELECT value FROM json_each(?))"
        ),
        "holdings_of": (
            "SELECT entity_id, digest, records FROM resolution_holdings"
            " WHERE entity_id IN (SELECT value FROM json_each(?))"
        ),
        "rehold": "UPDATE resolution_holdings SET entity_id = ? WHERE entity_id = ?",
        "anchors_of": "SELECT entity_id, anchor FROM resolution_anchors WHERE entity_id IN (SELECT value FROM json_each(?))",
        "set_anchor": (
            "INSERT INTO resolution_anchors (entity_id, anchor) VALUES (?, ?)"
            " ON CONFLICT (entity_id) DO UPDATE SET anchor = excluded.anchor"
        ),
        "drop_anchor": "DELETE FROM resolution_anchors WHERE entity_id = ?",
        "keyed_tails": (
            "SELECT key, record_id, entity_id FROM resolution_keyed WHERE kind = ?"
            " AND key IN (SELECT value FROM json_each(?))"
        ),
        "set_keyed": (
            "INSERT INTO resolution_keyed (kind, key, record_id, entity_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, key) DO UPDATE SET record_id = excluded.record_id, entity_id = excluded.entity_id"
        ),
        "record_entities": (
            "SELECT DISTINCT em.record_id, em.entity_id, e.type FROM entity_mentions em JOIN entities e"
            " ON e.id = em.entity_id WHERE em.record_id IN (SELECT value FROM json_each(?))"
        ),
        "entities_in": (
            "SELECT id, type, name, aliases, attributes FROM entities WHERE id IN (SELECT value FROM json_each(?))"
        ),
        # Through the trigram index: every word (three characters or more), each a quoted phrase.
        "entities_by_name": (
            "SELECT e.id, e.type, e.name, e.aliases FROM entity_names_search s"
            " JOIN entity_names n ON n.seq = s.rowid JOIN entities e ON e.id = n.entity_id"
            " WHERE entity_names_search MATCH ?"
        ),
        # Without the index (a read-only copy from before 0018), every entity is read. LIKE folds
        # ASCII case only: a row with any other character, or a JSON escape, always passes
        "entities_by_name_scan": (
            "SELECT id, type, name, aliases FROM entities WHERE (name || aliases) GLOB '*[^ -~]*'"
            " OR instr(aliases, '\\') > 0 OR NOT EXISTS (SELECT 1 FROM json_each(?) w"
            " WHERE (name || ' ' || aliases) NOT LIKE '%' || w.value || '%')"
        ),
        "update_entity": "UPDATE entities SET id = ?, type = ?, name = ?, aliases = ?, attributes = ? WHERE id = ?",
        "rekey_entity_mentions": "UPDATE entity_mentions SET entity_id = ? WHERE entity_id = ?",
        "entity_types": "SELECT type, COUNT(*) FROM entities GROUP BY type",
    },
    postgres={
        "add_mention": (
            'INSERT INTO mentions (document_id, start, "end", text, type, extractor, confidence, attributes)'
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
        ),
        "mark_extracted": (
            "INSERT INTO extractions (document_id, pipeline, at) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
        ),
        "mentions_by": f"SELECT {MENTION_COLUMNS} FROM mentions WHERE extractor = ANY(%s) ORDER BY document_id, start, id",
        "mentions_in_by": (
            f"SELECT {MENTION_COLUMNS} FROM mentions WHERE document_id = %s AND extractor = ANY(%s) ORDER BY start, id"
        ),
        "decisions_naming": (
            f"SELECT {DECISION_COLUMNS} FROM decisions WHERE left_ref = ANY(%s) OR right_ref = ANY(%s)"
            " ORDER BY leaf_index"
        ),
        "add_entity_mention": (
            "INSERT INTO entity_mentions (entity_id, mention_id, record_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
        ),
        "mention_refs_in": f"{MENTION_REFS} WHERE m.document_id = ANY(%s) ORDER BY m.document_id, m.start",
        "mention_refs_of": f"{MENTION_REFS} WHERE em.entity_id = ANY(%s) ORDER BY m.document_id, m.start",
        "document_entity_counts": (
            "SELECT m.document_id, em.entity_id, COUNT(*) FROM entity_mentions em JOIN mentions m ON m.id = em.mention_id"
            " WHERE m.document_id = ANY(%s) GROUP BY m.document_id, em.entity_id"
        ),
        "mention_refs_at": (
            # A nested loop driven by the pairs' documents whatever the planner estimates: each
            # document's mentions through the documents' index, each mention's entities through
            # entity_mentions' mention index, kept if the pairs name that entity with that document.
            # The entity is never an index key here: left to a join, the planner sometimes walked a
            # widely named entity's many mentions instead (2-3 s for 300 pairs at 10,000 documents,
            # 25-40 ms this way). OFFSET 0 keeps each LATERAL subquery from being flattened into such
            # a join, and keeps the entity test out of it.
            'SELECT m.document_id, m.start, m."end", m.text, m.type, em.entity_id FROM'
            " (SELECT p->>0 AS document_id, array_agg(p->>1) AS entities"
            " FROM jsonb_array_elements(%s::jsonb) p GROUP BY 1) d"
            ' CROSS JOIN LATERAL (SELECT id, document_id, start, "end", text, type FROM mentions'
            " WHERE document_id = d.document_id OFFSET 0) m"
            " CROSS JOIN LATERAL (SELECT entity_id FROM entity_mentions WHERE mention_id = m.id OFFSET 0) em"
            " WHERE em.entity_id = ANY(d.entities) ORDER BY m.document_id, m.start"
        ),
        "documents_of_entities": (
            "SELECT em.entity_id, m.document_id, COUNT(*) FROM entity_mentions em JOIN mentions m ON m.id = em.mention_id"
            " WHERE em.entity_id = ANY(%s) GROUP BY em.entity_id, m.document_id ORDER BY em.entity_id, m.document_id"
        ),
        "records_of": (
            "SELECT DISTINCT entity_id, record_id FROM entity_mentions WHERE entity_id = ANY(%s) ORDER BY 1, 2"
        ),
        "record_holders": "SELECT DISTINCT record_id, entity_id FROM entity_mentions WHERE record_id = ANY(%s)",
        "detail_refs": (
            'SELECT document_id, start, "end", text, type FROM mentions WHERE type = ANY(%s)'
            " AND substr(extractor, 1, length(%s)) != %s ORDER BY document_id, start"
        ),
        "mark_resolved": ("INSERT INTO resolved_documents (document_id, run) VALUES (%s, %s) ON CONFLICT DO NOTHING"),
        "mentions_of_by": (
            f"SELECT {MENTION_COLUMNS} FROM mentions WHERE document_id = ANY(%s) AND extractor = ANY(%s)"
            " ORDER BY document_id, start, id"
        ),
        "add_row": "INSERT INTO resolution_rows (digest, data) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        "add_row_key": "INSERT INTO resolution_row_keys (key, digest) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        "rows_by_keys": (
            "SELECT digest, data FROM resolution_rows WHERE digest IN"
            " (SELECT digest FROM resolution_row_keys WHERE key = ANY(%s))"
        ),
        "rows_by_digest": "SELECT digest, data FROM resolution_rows WHERE digest = ANY(%s)",
        "holders_of": "SELECT digest, entity_id, records FROM resolution_holdings WHERE digest = ANY(%s)",
        "holdings_of": "SELECT entity_id, digest, records FROM resolution_holdings WHERE entity_id = ANY(%s)",
        "anchors_of": "SELECT entity_id, anchor FROM resolution_anchors WHERE entity_id = ANY(%s)",
        "names_of": "SELECT entity_id, name, records FROM resolution_names WHERE entity_id = ANY(%s)",
        "keyed_tails": "SELECT key, record_id, entity_id FROM resolution_keyed WHERE kind = %s AND key = ANY(%s)",
        "record_entities": (
            "SELECT DISTINCT em.record_id, em.entity_id, e.type FROM entity_mentions em JOIN entities e"
            " ON e.id = em.entity_id WHERE em.record_id = ANY(%s)"
        ),
        "entities_in": "SELECT id, type, name, aliases, attributes FROM entities WHERE id = ANY(%s)",
        # The GIN index serves one LIKE: the longest word's (a LIKE ALL over an array it cannot
        # serve), and the rows it finds are checked against every word's pattern.
        "entities_by_name": (
            "SELECT e.id, e.type, e.name, e.aliases FROM entity_names n JOIN entities e ON e.id = n.entity_id"
            " WHERE n.folded LIKE %s AND n.folded LIKE ALL (%s::text[])"
        ),
        # Nothing to merge: dead rows wait for VACUUM like every table's (README, 'PostgreSQL').
        "purge_entity_names": "SELECT 1",
        "entities_by_name_scan": (
            "SELECT id, type, name, aliases FROM entities WHERE (name || aliases) ~ '[^ -~]'"
            " OR strpos(aliases, '\\') > 0 OR NOT EXISTS (SELECT 1 FROM unnest(%s::text[]) w"
            " WHERE (name || ' ' || aliases) NOT ILIKE '%%' || w || '%%')"
        ),
        "people_keyed": "SELECT DISTINCT entity_id FROM person_keys WHERE key = ANY(%s) ORDER BY entity_id",
        "entity_text_says": (
            "SELECT 1 FROM documents WHERE id IN (SELECT m.document_id FROM entity_mentions em"
            " JOIN mentions m ON m.id = em.mention_id WHERE em.entity_id = %s)"
            " AND strpos(lower(text), lower(%s)) > 0 LIMIT 1"
        ),
        "extracted_among": "SELECT document_id FROM extractions WHERE pipeline = %s AND document_id = ANY(%s)",
    },
)


class AnalysisTables:
    def __init__(self, db: Database, readonly: bool = False) -> None:
        """`readonly`: a copy that cannot file its name index, and so searches without it."""
        self.db = db
        self.readonly = readonly
        self.sql = STATEMENTS(db.dialect)

    def _list(self, values: Iterable[Any]) -> Any:
        return as_list(values, self.db.dialect)

    # -- mentions -----------------------------------------------------------------------------

    def documents_to_extract(self, pipeline: str) -> list[tuple[str, str]]:
        """(id, text) of readable documents this pipeline version has not read yet."""
        return [(doc_id, text) for doc_id, text in self.db.run(self.sql["to_extract"], (pipeline,))]

    def add_mentions(self, mentions: Iterable[Mention]) -> None:
        self.db.run_many(
            self.sql["add_mention"],
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
        self.db.run_many(self.sql["mark_extracted"], ((doc_id, pipeline, at) for doc_id in doc_ids))

    def iter_mentions(
        self, document_id: str | None = None, extractors: Iterable[str] | None = None
    ) -> Iterator[tuple[int, Mention]]:
        params: tuple[Any, ...] = () if document_id is None else (document_id,)
        if extractors is not None:
            params += (self._list(extractors),)
        name = "mentions" + ("_in" if document_id is not None else "") + ("_by" if extractors is not None else "")
        for row in self.db.run(self.sql[name], params):
            mid, doc_id, start, end, text, kind, extractor, confidence, attributes = row
            mention = Mention(
                doc_id, start, end, text, MentionType(kind), extractor, confidence, json.loads(attributes)
            )
            yield int(mid), mention

    def resolvable_documents(self) -> list[str]:
        """Documents whose mentions count: not sealed, not withdrawn, not superseded by an amendment."""
        return [row[0] for row in self.db.run(self.sql["resolvable"])]

    def forget_document(self, doc_id: str) -> None:
        """Sealing: a document's mentions and entity links go, and each entity they named is named
        only by what other documents say, or removed if nothing else names it, so no spelling from
        the sealed text survives the seal (the next resolution run rebuilds them anyway)."""
        touched = [str(row[0]) for row in self.db.run(self.sql["entities_named_in"], (doc_id,))]
        self.db.run(self.sql["forget_entity_mentions"], (doc_id,))
        self.db.run(self.sql["forget_mentions"], (doc_id,))
        for entity_id in touched:
            self._rename_from_what_remains(entity_id)  # and files its name again, or forgets it
            # Its keys may quote a surname only the sealed text gave: gone now, and the entity is
            # filed again from what remains by the index's next reader (`refile_stale_people`).
            self.db.run(self.sql["forget_person_keys"], (entity_id,))
            self.db.run(self.sql["mark_person_stale"], (entity_id,))
        if touched:  # the name index's old trigrams may spell what only the sealed text said
            self.db.run(self.sql["purge_entity_names"])
        # What resolution kept for incremental runs holds names and term frequencies from every
        # document: it goes too, so the next run is a full one, over what remains.
        self.clear_resolution_state()
        self.db.run(self.sql["forget_runs"])

    def _rename_from_what_remains(self, entity_id: str) -> None:
        said = [str(text) for text, _ in self.db.run(self.sql["entity_said"], (entity_id,))]
        if not said:
            self.db.run(self.sql["remove_entity"], (entity_id,))
            self.db.run(self.sql["forget_entity_name"], (entity_id,))
            return
        row = self.db.run(self.sql["entity_name"], (entity_id,)).fetchone()
        if row is None:
            return
        folded = {text.casefold() for text in said}
        name = row[0] if str(row[0]).casefold() in folded else said[0]
        aliases = [alias for alias in json.loads(row[1]) if str(alias).casefold() in folded]
        attributes = self._attributes_still_said(entity_id, json.loads(row[2]))
        self.db.run(self.sql["rename_entity"], (name, json.dumps(aliases), attributes, entity_id))
        self._file_name(entity_id, name, aliases)

    def _attributes_still_said(self, entity_id: str, attributes: dict[str, Any]) -> str:
        """The entity's attributes less each value (a collar number, a force) that no document still
        naming it says: such a value came only from the sealed text. The next resolution run, a
        full one, derives them all again from what remains."""
        kept: dict[str, Any] = {}
        for key, values in attributes.items():
            if not isinstance(values, list):
                kept[key] = values  # a flag (pseudonym), not text
                continue
            said = [v for v in values if self.db.run(self.sql["entity_text_says"], (entity_id, str(v))).fetchone()]
            if said:
                kept[key] = said
        return json.dumps(kept, sort_keys=True, default=str)

    # -- decisions ----------------------------------------------------------------------------

    def add_decision(self, leaf_index: int, decision: Decision) -> None:
        row = (leaf_index, decision.kind.value, decision.left, decision.right)
        self.db.run(self.sql["add_decision"], (*row, decision.author, decision.reason, decision.at))

    def decision_entries(self) -> list[tuple[int, bytes]]:
        """The ledger entries of recorded decisions, as recorded, oldest first."""
        return [(int(idx), bytes(data)) for idx, data in self.db.run(self.sql["decision_entries"])]

    def iter_decision_rows(self) -> Iterator[dict[str, Any]]:
        names = DECISION_COLUMNS.split(", ")
        for row in self.db.run(self.sql["decisions"]):
            yield dict(zip(names, row))

    def list_decisions(self) -> list[Decision]:
        return [
            Decision(DecisionKind(kind), left, right, author, reason, at)
            for _, kind, left, right, author, reason, at in self.db.run(self.sql["decisions"])
        ]

    def decisions_naming(self, refs: Iterable[str]) -> list[dict[str, Any]]:
        """Decisions whose left or right side is one of these records or entities, oldest first."""
        wanted = sorted(set(refs))
        if not wanted:
            return []
        names = ("leaf_index", "kind", "left", "right", "author", "reason", "at")
        listed = self._list(wanted)
        return [dict(zip(names, row)) for row in self.db.run(self.sql["decisions_naming"], (listed, listed))]

    # -- entities -----------------------------------------------------------------------------

    def replace_entities(
        self, entities: Iterable[tuple[Entity, list[tuple[int, str]]]], person_keys: PersonKeys, at: str
    ) -> None:
        """Swap in a resolution run's conclusions: (entity, [(mention id, record id)]), and the
        person index and the name index with them, which are then whole."""
        self.db.run(self.sql["clear_entity_mentions"])
        self.db.run(self.sql["clear_entities"])
        self.db.run(self.sql["clear_person_keys"])
        self.db.run(self.sql["clear_stale_people"])
        self.db.run(self.sql["clear_entity_names"])
        self.add_entities(entities, person_keys)
        self.db.run(self.sql["mark_people_indexed"], (person_keys.version, at))
        self._mark_names_filed()

    def add_entities(self, entities: Iterable[tuple[Entity, list[tuple[int, str]]]], person_keys: PersonKeys) -> None:
        """Add entities beside those stored (an incremental run's new ones), filed in the person
        index and the name index."""
        for entity, members in entities:
            aliases = json.dumps(list(entity.aliases))
            attributes = json.dumps(entity.attributes, sort_keys=True, default=str)
            self.db.run(self.sql["add_entity"], (entity.id, entity.type, entity.name, aliases, attributes))
            self.db.run_many(self.sql["add_entity_mention"], ((entity.id, mid, rid) for mid, rid in members))
            self._file_person(entity, person_keys)
            self._file_name(entity.id, entity.name, entity.aliases)

    def _file_person(self, entity: Entity, person_keys: PersonKeys) -> None:
        self.db.run_many(self.sql["add_person_key"], ((key, entity.id) for key in person_keys(entity)))

    # -- the person index (migration 0015) -----------------------------------------------------

    def people_indexed(self, person_keys: PersonKeys) -> bool:
        """Whether every entity was filed in the person index under these rules (not yet after an
        upgrade, or a change of the rules); a seal leaves some to file again (`stale_people`)."""
        return self.db.run(self.sql["people_indexed"], (person_keys.version,)).fetchone() is not None

    def reindex_people(self, person_keys: PersonKeys, at: str) -> None:
        """File every entity in the person index afresh, in one transaction (read in batches)."""
        with self.db.transaction():
            self.db.run(self.sql["clear_person_keys"])
            self.db.run(self.sql["clear_stale_people"])
            ids = [str(row[0]) for row in self.db.run(self.sql["entity_ids"])]
            for start in range(0, len(ids), 1000):
                for entity in self.entities_in(ids[start : start + 1000]).values():
                    self._file_person(entity, person_keys)
            self.db.run(self.sql["mark_people_indexed"], (person_keys.version, at))

    def stale_people(self) -> list[str]:
        """Entities a seal took keys from, not yet filed again (few: those one document named)."""
        return [str(row[0]) for row in self.db.run(self.sql["stale_people"])]

    def refile_stale_people(self, person_keys: PersonKeys) -> int:
        """File again, from what remains, the entities a seal took keys from; how many there were."""
        with self.db.transaction():
            stale = self.stale_people()
            for entity in self.entities_in(stale).values():
                self.db.run(self.sql["forget_person_keys"], (entity.id,))
                self._file_person(entity, person_keys)
            for entity_id in stale:  # one gone since (removed, renumbered) has nothing to file
                self.db.run(self.sql["forget_stale_person"], (entity_id,))
        return len(stale)

    def people_keyed(self, keys: Iterable[str]) -> list[str]:
        """Ids of the entities filed under any of these keys: the only ones a person can be."""
        wanted = sorted(set(keys))
        if not wanted:
            return []
        return [str(row[0]) for row in self.db.run(self.sql["people_keyed"], (self._list(wanted),))]

    def entity_rows(self) -> list[dict[str, Any]]:
        """Entities alone, without their documents (`list_entities` adds those, at a cost)."""
        return [
            {"id": eid, "type": kind, "name": name, "aliases": json.loads(aliases), "attributes": json.loads(attrs)}
            for eid, kind, name, aliases, attrs in self.db.run(self.sql["entities"])
        ]

    def entity_records(self) -> dict[str, str]:
        """Record id -> the entity that holds it."""
        return {str(rid): str(eid) for rid, eid in self.db.run(self.sql["entity_records"])}

    def mention_records(self, document_id: str) -> dict[int, tuple[str, str]]:
        """A document's resolved mentions: mention id -> (entity id, record id)."""
        rows = self.db.run(self.sql["mention_records"], (document_id,))
        return {int(mid): (eid, rid) for mid, eid, rid in rows}

    def list_entities(self) -> list[dict[str, Any]]:
        """Entities with their documents and mention counts, for listing and export."""
        entities = {
            row["id"]: {**row, "documents": [], "mention_count": 0, "records": []} for row in self.entity_rows()
        }
        for eid, doc_id, source, count in self.db.run(self.sql["entity_documents"]):
            entities[eid]["documents"].append({"id": doc_id, "source_name": source})
            entities[eid]["mention_count"] += int(count)
        for eid, rid in self.db.run(self.sql["entity_record_ids"]):
            entities[eid]["records"].append(rid)
        return list(entities.values())

    def entity_mentions(self) -> Iterator[tuple[str, int]]:
        for eid, mid in self.db.run(self.sql["entity_mentions"]):
            yield str(eid), int(mid)

    def entity_mention_refs(self, document_ids: Iterable[str] | None = None) -> list[MentionRef]:
        """Where documents name resolved entities; all documents when `document_ids` is None."""
        if document_ids is None:
            rows = self.db.run(self.sql["mention_refs"])
        else:
            ids = sorted(set(document_ids))
            if not ids:
                return []
            rows = self.db.run(self.sql["mention_refs_in"], (self._list(ids),))
        return [MentionRef(doc, int(start), int(end), text, kind, eid) for doc, start, end, text, kind, eid in rows]

    def entity_mention_refs_at(self, pairs: Iterable[tuple[str, str]]) -> list[MentionRef]:
        """Where each (document, entity) pair's document names its entity, in document and text order."""
        wanted = sorted(set(pairs))
        if not wanted:
            return []
        rows = self.db.run(self.sql["mention_refs_at"], (json.dumps(wanted),))
        return [MentionRef(doc, int(start), int(end), text, kind, eid) for doc, start, end, text, kind, eid in rows]

    def entity_refs_of(self, entity_ids: Iterable[str]) -> list[MentionRef]:
        """Where documents name these entities, in document and text order."""
        ids = sorted(set(entity_ids))
        if not ids:
            return []
        rows = self.db.run(self.sql["mention_refs_of"], (self._list(ids),))
        return [MentionRef(doc, int(start), int(end), text, kind, eid) for doc, start, end, text, kind, eid in rows]

    def entity_document_counts(self, entity_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Entity -> {document: how many times it names the entity}, documents in id order."""
        found: dict[str, dict[str, int]] = {}
        ids = sorted(set(entity_ids))
        if ids:
            for eid, doc, count in self.db.run(self.sql["documents_of_entities"], (self._list(ids),)):
                found.setdefault(str(eid), {})[str(doc)] = int(count)
        return found

    def records_of(self, entity_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Entity -> the records it holds, sorted (entities holding none are left out)."""
        found: dict[str, list[str]] = {}
        ids = sorted(set(entity_ids))
        if ids:
            for eid, rid in self.db.run(self.sql["records_of"], (self._list(ids),)):
                found.setdefault(str(eid), []).append(str(rid))
        return {eid: tuple(records) for eid, records in found.items()}

    def record_holders(self, record_ids: Iterable[str]) -> dict[str, str]:
        """Record id -> the entity that holds it now (records no entity holds are left out)."""
        ids = sorted(set(record_ids))
        if not ids:
            return {}
        return {str(rid): str(eid) for rid, eid in self.db.run(self.sql["record_holders"], (self._list(ids),))}

    def document_entity_counts(self, document_ids: Iterable[str]) -> Iterator[tuple[str, str, int]]:
        """(document, entity, mentions) for each of these documents that names a resolved entity."""
        ids = sorted(set(document_ids))
        for start in range(0, len(ids), IDS_PER_QUERY):
            chunk = self._list(ids[start : start + IDS_PER_QUERY])
            for doc, eid, count in self.db.run(self.sql["document_entity_counts"], (chunk,)):
                yield str(doc), str(eid), int(count)

    def detail_mention_refs(
        self, types: Iterable[str], exclude_extractor_prefix: str = "spacy_ner@"
    ) -> list[MentionRef]:
        """Mentions that name no entity but still identify an account (ages, dates, periods)."""
        kinds = self._list(sorted(set(types)))
        prefix = exclude_extractor_prefix
        rows = self.db.run(self.sql["detail_refs"], (kinds, prefix, prefix))
        return [MentionRef(doc, int(start), int(end), text, kind, "") for doc, start, end, text, kind in rows]

    # -- incremental analysis (migration 0012) ------------------------------------------------

    def last_run(self) -> dict[str, Any] | None:
        """The newest resolution run: id, kind ("full" or "incremental"), pipeline, decisions
        (the newest decision leaf it honoured, -1 for none), documents, at."""
        row = self.db.run(self.sql["last_run"]).fetchone()
        names = ("id", "kind", "pipeline", "decisions", "documents", "at")
        return None if row is None else dict(zip(names, row))

    def last_model(self) -> tuple[int, dict[str, Any]] | None:
        """The model the newest full run trained (JSON), if one is kept, and how many documents
        that run covered."""
        row = self.db.run(self.sql["last_model"]).fetchone()
        return None if row is None else (int(row[0]), json.loads(row[1]))

    def resolved_count(self) -> int:
        return int(self.db.run(self.sql["resolved_count"]).fetchone()[0])

    def add_run(
        self, kind: str, pipeline: str, decisions: int, documents: int, at: str, model: dict[str, Any] | None
    ) -> int:
        """Record a resolution run (a full run's model replaces the one kept); returns its id."""
        run = int(self.db.run(self.sql["next_run"]).fetchone()[0])
        if model is not None:
            self.db.run(self.sql["drop_models"])
        text = None if model is None else json.dumps(model, sort_keys=True, default=str)
        self.db.run(self.sql["add_run"], (run, kind, pipeline, decisions, documents, at, text))
        return run

    def newest_decision(self) -> int:
        return int(self.db.run(self.sql["newest_decision"]).fetchone()[0])

    def unresolved_documents(self) -> list[str]:
        """Resolvable documents the current entities do not cover yet, in intake order."""
        return [str(row[0]) for row in self.db.run(self.sql["unresolved"])]

    def resolved_but_gone(self) -> int:
        """Covered documents that no longer count (withdrawn, sealed or amended since)."""
        return int(self.db.run(self.sql["resolved_gone"]).fetchone()[0])

    def extracted_documents(self, pipeline: str, among: Iterable[str] | None = None) -> set[str]:
        """Documents this pipeline has read (of `among`, when given)."""
        if among is None:
            return {str(row[0]) for row in self.db.run(self.sql["extracted_by"], (pipeline,))}
        wanted = sorted(set(among))
        if not wanted:
            return set()
        return {str(row[0]) for row in self.db.run(self.sql["extracted_among"], (pipeline, self._list(wanted)))}

    def mark_resolved(self, doc_ids: Iterable[str], run: int) -> None:
        self.db.run_many(self.sql["mark_resolved"], ((doc_id, run) for doc_id in doc_ids))

    def iter_mentions_of(self, document_ids: Iterable[str], extractors: Iterable[str]) -> Iterator[tuple[int, Mention]]:
        """The mentions of these documents by these extractors."""
        ids = sorted(set(document_ids))
        if not ids:
            return
        params = (self._list(ids), self._list(extractors))
        for row in self.db.run(self.sql["mentions_of_by"], params):
            mid, doc_id, start, end, text, kind, extractor, confidence, attributes = row
            yield (
                int(mid),
                Mention(doc_id, start, end, text, MentionType(kind), extractor, confidence, json.loads(attributes)),
            )

    def clear_resolution_state(self) -> None:
        for name in (
            "clear_resolved",
            "clear_rows",
            "clear_row_keys",
            "clear_holdings",
            "clear_anchors",
            "clear_keyed",
            "clear_names",
        ):
            self.db.run(self.sql[name])

    def add_rows(self, rows: Iterable[tuple[str, Any, Iterable[str]]]) -> None:
        """Distinct record contents: (digest, row, lookup keys); rows already stored are kept."""
        rows = list(rows)
        self.db.run_many(self.sql["add_row"], ((digest, json.dumps(row, sort_keys=True)) for digest, row, _ in rows))
        self.db.run_many(self.sql["add_row_key"], ((key, digest) for digest, _, keys in rows for key in keys))

    def add_holdings(self, holdings: Iterable[tuple[str, str, int]]) -> None:
        """(digest, entity id, records): added to what the entity already holds of that row."""
        self.db.run_many(self.sql["add_holding"], holdings)

    def rows_by_keys(self, keys: Iterable[str]) -> dict[str, Any]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        return {str(d): json.loads(data) for d, data in self.db.run(self.sql["rows_by_keys"], (self._list(wanted),))}

    def rows_by_digest(self, digests: Iterable[str]) -> dict[str, Any]:
        wanted = sorted(set(digests))
        if not wanted:
            return {}
        return {str(d): json.loads(data) for d, data in self.db.run(self.sql["rows_by_digest"], (self._list(wanted),))}

    def holders(self, digests: Iterable[str]) -> dict[str, dict[str, int]]:
        """Row digest -> {entity id: how many of its records say that row}."""
        out: dict[str, dict[str, int]] = {}
        wanted = sorted(set(digests))
        if wanted:
            for digest, entity_id, records in self.db.run(self.sql["holders_of"], (self._list(wanted),)):
                out.setdefault(str(digest), {})[str(entity_id)] = int(records)
        return out

    def holdings(self, entity_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Entity id -> {row digest: records}."""
        out: dict[str, dict[str, int]] = {}
        wanted = sorted(set(entity_ids))
        if wanted:
            for entity_id, digest, records in self.db.run(self.sql["holdings_of"], (self._list(wanted),)):
                out.setdefault(str(entity_id), {})[str(digest)] = int(records)
        return out

    def add_names(self, names: Iterable[tuple[str, str, int]]) -> None:
        """(entity id, full name, records): added to the count of records giving that name."""
        self.db.run_many(self.sql["add_name"], names)

    def names(self, entity_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Entity id -> {full name its records give: how many give it}."""
        out: dict[str, dict[str, int]] = {}
        wanted = sorted(set(entity_ids))
        if wanted:
            for entity_id, name, records in self.db.run(self.sql["names_of"], (self._list(wanted),)):
                out.setdefault(str(entity_id), {})[str(name)] = int(records)
        return out

    def anchors(self, entity_ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(entity_ids))
        if not wanted:
            return {}
        return {str(e): str(a) for e, a in self.db.run(self.sql["anchors_of"], (self._list(wanted),))}

    def set_anchors(self, anchors: Iterable[tuple[str, str]]) -> None:
        self.db.run_many(self.sql["set_anchor"], anchors)

    def keyed_tails(self, kind: str, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Key -> (its newest record, the entity holding it), for one kind of keyed entity."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = self.db.run(self.sql["keyed_tails"], (kind, self._list(wanted)))
        return {str(key): (str(rid), str(eid)) for key, rid, eid in rows}

    def set_keyed_tails(self, tails: Iterable[tuple[str, str, str, str]]) -> None:
        """(kind, key, newest record, entity holding it)."""
        self.db.run_many(self.sql["set_keyed"], tails)

    def record_entities(self, record_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Record id -> (the entity holding it, that entity's type), for records resolved so far."""
        wanted = sorted(set(record_ids))
        if not wanted:
            return {}
        rows = self.db.run(self.sql["record_entities"], (self._list(wanted),))
        return {str(rid): (str(eid), str(kind)) for rid, eid, kind in rows}

    def entities_in(self, entity_ids: Iterable[str]) -> dict[str, Entity]:
        wanted = sorted(set(entity_ids))
        if not wanted:
            return {}
        return {
            str(eid): Entity(str(eid), kind, name, tuple(json.loads(aliases)), attributes=json.loads(attrs))
            for eid, kind, name, aliases, attrs in self.db.run(self.sql["entities_in"], (self._list(wanted),))
        }

    def entities_by_name(self, words: Iterable[str]) -> list[tuple[str, str, str, tuple[str, ...]]]:
        """(id, type, name, aliases) of every entity whose `searchable_name` may hold each of these
        casefolded words: a narrowing that can let through more, never fewer (the caller checks
        every word), so that a name search need not read every entity.

        The name index (migration 0018: SQLite's FTS5 trigram table, PostgreSQL's pg_trgm GIN
        index) finds the entities holding the words of three characters or more; shorter words are
        left to the caller. Only when every word is shorter, or on a read-only copy whose index is
        not filed, is every entity read (ASCII-only LIKE, letting through any row it cannot judge)."""
        words = list(words)
        indexed = [w for w in words if len(w) >= TRIGRAM]
        if indexed and self._names_ready():
            rows = self.db.run(self.sql["entities_by_name"], self._name_query(indexed))
        else:
            rows = self.db.run(self.sql["entities_by_name_scan"], (self._list([w for w in words if w.isascii()]),))
        return [(str(eid), kind, name, tuple(json.loads(aliases))) for eid, kind, name, aliases in rows]

    def _name_query(self, words: list[str]) -> tuple[Any, ...]:
        """The index statement's parameters: FTS5 phrases (quoted, so no query syntax reaches the
        engine), or LIKE patterns with their wildcards escaped, the longest word's first."""
        if self.db.dialect == SQLITE:
            return (" AND ".join('"{}"'.format(w.replace('"', '""')) for w in words),)
        patterns = ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]
        return (max(patterns, key=len), patterns)

    # -- the name index (migration 0018) -----------------------------------------------------

    def _file_name(self, entity_id: str, name: str, aliases: Iterable[str]) -> None:
        self.db.run(self.sql["file_entity_name"], (entity_id, searchable_name(name, aliases)))

    def _mark_names_filed(self) -> None:
        self.db.run(self.sql["unmark_names_filed"])
        self.db.run(self.sql["mark_names_filed"], (NAME_FOLDING,))

    def names_filed(self) -> bool:
        """Whether every entity is filed in the name index under this Python's casefolding (not
        yet in a store upgraded with entities, nor after an upgrade of Unicode's tables)."""
        return self.db.run(self.sql["names_filed"], (NAME_FOLDING,)).fetchone() is not None

    def refile_names(self) -> None:
        """File every entity in the name index afresh, in one transaction (read in batches)."""
        with self.db.transaction():
            if self.names_filed():  # another worker filed them while this one waited for the lock
                return
            self.db.run(self.sql["clear_entity_names"])
            ids = [str(row[0]) for row in self.db.run(self.sql["entity_ids"])]
            for start in range(0, len(ids), 1000):
                batch = self.entities_in(ids[start : start + 1000]).values()
                self.db.run_many(
                    self.sql["file_entity_name"], ((e.id, searchable_name(e.name, e.aliases)) for e in batch)
                )
            self._mark_names_filed()

    def _names_ready(self) -> bool:
        """Whether a search may use the name index: filed, or filed now by this, its first writable
        reader since the upgrade (a read-only copy searches without it)."""
        if self.names_filed():
            return True
        if self.readonly:
            return False
        self.refile_names()
        return True

    def update_entity(
        self, old_id: str, entity: Entity, person_keys: PersonKeys, members: Iterable[tuple[int, str]] = ()
    ) -> None:
        """An existing entity as an incremental run leaves it: renamed, perhaps re-identified (a
        person found to be an officer), with new mentions. Its holdings and anchor follow its id."""
        aliases = json.dumps(list(entity.aliases))
        attributes = json.dumps(entity.attributes, sort_keys=True, default=str)
        self.db.run(self.sql["update_entity"], (entity.id, entity.type, entity.name, aliases, attributes, old_id))
        if entity.id != old_id:
            self.db.run(self.sql["rekey_entity_mentions"], (entity.id, old_id))
            self.db.run(self.sql["rehold"], (entity.id, old_id))
            self.db.run(self.sql["rename_names"], (entity.id, old_id))
            self.db.run(self.sql["drop_anchor"], (old_id,))
            self.db.run(self.sql["forget_entity_name"], (old_id,))
        self.db.run_many(self.sql["add_entity_mention"], ((entity.id, mid, rid) for mid, rid in members))
        self.db.run(self.sql["forget_person_keys"], (old_id,))
        self._file_person(entity, person_keys)
        self._file_name(entity.id, entity.name, entity.aliases)

    def entity_counts(self) -> dict[str, int]:
        return {str(kind): int(n) for kind, n in self.db.run(self.sql["entity_types"])}
