"""What the workbench shows one person: every read goes through need-to-know and the read audit.

Pages and the HTTP API both call this module, so a rule cannot hold on one and leak on the other.
Every read of a case, document or identifying field is a `read.audited` ledger event: who, when,
what, and the reason given.
"""

from __future__ import annotations

import atexit
import gc
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.errors import CasetrailError
from casetrail.inquiry import Inquiry
from casetrail.model.casework import AssignmentRole
from casetrail.model.document import NO_TEXT, Document
from casetrail.model.entity import DecisionKind
from casetrail.model.event import Event
from casetrail.policy.access import (
    Action,
    filter_cases,
    filter_documents,
    filter_entities,
)
from casetrail.views.case import LINKS_SHOWN, CaseView, build_case_view
from casetrail.views.conflicts import VerdictView, refused, verdict_view
from casetrail.views.export import export_case
from casetrail.views.oversight import OversightView, build_oversight_view
from casetrail.views.sight import Sight, sight_for


class AccessDenied(CasetrailError):
    """The viewer may not see this; the web layer answers 404 so existence is not revealed."""


class ReasonRequired(CasetrailError):
    """Opening identifying details needs a reason, which the read audit keeps."""


Session = Sight  # a signed-in person's sight, kept between their requests


PAGE = 200  # list items per page; the API takes `limit` and `offset`
CHART_DOCUMENTS = 500  # the link chart is drawn from at most this many of an entity's documents, newest first
CHART_NEIGHBOURS = 40
CHART_CASES = 12
SEARCH_SCAN = 5000  # text hits looked at per search, best first, before need-to-know filters them
WORD = re.compile(r"\w+")
# What an auditor sees of a read-audit or account event: who, what kind, why, which fields, what changed.
AUDIT_FIELDS = ("kind", "reason", "fields", "username", "account", "change", "roles", "staff_id")


@dataclass(frozen=True)
class Window:
    """One page of a long list: which slice, out of how many."""

    offset: int = 0
    limit: int = PAGE

    def __post_init__(self) -> None:
        if self.offset < 0 or not 1 <= self.limit <= 5 * PAGE:
            raise ValueError(f"offset must be 0 or more and limit between 1 and {5 * PAGE}")

    def cut(self, items: list[Any]) -> list[Any]:
        return items[self.offset : self.offset + self.limit]


class Workbench:
    """One per application: it keeps the casework's views, and each viewer's reach, between requests.

    A session's reach is recomputed when the casebook gains an event or the store's generations
    move (new documents, a resolution run), whichever process wrote them; read audits move neither.
    """

    def __init__(self, inquiry: Inquiry) -> None:
        self.inquiry = inquiry
        self.casework: Casework = inquiry.casework
        self.store = inquiry.store
        # The kept views hold millions of objects at 100,000 documents. Left to the cyclic
        # collector, every full collection would walk them all (hundreds of milliseconds, in
        # whichever request it lands). Freezing moves what exists out of its sight; reference
        # counting still frees a view when a newer one replaces it.
        self.casework.on_computed = gc.freeze
        _unfreeze_at_exit()
        self._sessions: dict[tuple[str, str, frozenset[str], str | None], Session] = {}
        self._stamp: Any = None

    def warm(self) -> None:
        """Load what the first pages would (`CaseReads.warm`), then put it out of the collector's sight."""
        self.casework.warm()
        gc.freeze()

    # -- who is looking -------------------------------------------------------------------

    def session_for(self, user_id: str, username: str, roles: frozenset[str], staff_id: str | None) -> Session:
        stamp = self.casework.stamp()
        if stamp != self._stamp:
            self._sessions.clear()
            self._stamp = stamp
        key = (user_id, username, frozenset(roles), staff_id)
        if key not in self._sessions:
            self._sessions[key] = sight_for(self.casework, user_id, username, roles, staff_id)
        return self._sessions[key]

    # -- the audit ------------------------------------------------------------------------

    def audit(
        self, session: Session, what: str, kind: str, reason: str | None = None, fields: str | None = None
    ) -> None:
        """One `read.audited` event per response that showed content: who, what, when and why."""
        body = {"kind": kind, "reason": reason, "fields": fields, "username": session.username}
        self.inquiry.audit(session.viewer.user_id, what, body)

    def audit_log(self, session: Session, query: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        if not session.may(Action.READ_AUDIT):
            raise AccessDenied("only auditors read the audit log")
        rows = []
        # The database narrows by the recorded JSON when that cannot lose a match (ASCII, nothing
        # JSON escapes, not a bare leaf number); the check below decides on the fields as shown.
        narrow = query if query and query.isascii() and not query.isdigit() and not set(query) & set('"\\') else None
        for leaf, data in self.store.audit.audit_entries(containing=narrow):
            entry = Event.from_leaf(data)
            shown = {key: entry.body.get(key) for key in AUDIT_FIELDS}  # chosen fields, never the raw body
            row = {"leaf": leaf, "at": entry.at, "user": entry.actor, "what": entry.subject, **shown}
            row["username"] = row["username"] or entry.actor  # account events: who made the change
            if query and query.casefold() not in " ".join(str(v) for v in row.values()).casefold():
                continue
            rows.append(row)
            if len(rows) >= limit:
                break
        # Recorded after the search, and without the query, so the audit log's own reads do not
        # fill the results of the next search for the same words.
        self.audit(session, "audit log", "audit")
        return rows

    # -- reads ----------------------------------------------------------------------------

    def cases(self, session: Session) -> list[dict[str, Any]]:
        book = self.casework.book()
        allowed = filter_cases(session.viewer, session.reach, list(book.cases))
        self.audit(session, "case list", "cases")
        return [
            {
                "id": c.id,
                "title": c.title,
                "kind": c.kind.value,
                "opened_at": c.opened_at,
                "documents": len(c.documents),
                "allegations": len(c.allegation_ids),
            }
            for c in (book.cases[i] for i in allowed)
        ]

    def require_case(self, session: Session, case_id: str) -> None:
        """Act on a case only if you may read it (the read itself is not audited: nothing is shown)."""
        if not session.case(case_id):
            raise AccessDenied(case_id)

    def case(
        self,
        session: Session,
        case_id: str,
        reason: str | None = None,
        links_shown: int = LINKS_SHOWN,
        links_offset: int = 0,
    ) -> CaseView:
        """The case as this viewer may see it (audited), with `links_shown` of its links, strongest
        first, after the `links_offset` strongest."""
        self.require_case(session, case_id)
        view = build_case_view(session, self.casework, case_id, links_shown=links_shown, links_offset=links_offset)
        self.audit(session, case_id, "case", reason)
        return view

    def picker(self, session: Session, case_id: str, query: str | None = None) -> list[dict[str, Any]]:
        """Whom this viewer may assign to the case: only people the independence check accepts."""
        self.require_case(session, case_id)
        if not session.may(Action.ASSIGN):
            raise AccessDenied(case_id)
        found = [
            {"id": c.staff.id, "name": c.staff.name, "force": c.staff.force}
            for c in self.casework.independence.assignable(case_id, query)
        ]
        self.audit(session, case_id, "picker", query)
        return found

    def assign(self, session: Session, case_id: str, staff_id: str, role: str) -> VerdictView:
        """Check and, if independent, assign; the verdict says what kind of conflict, never where."""
        self.require_case(session, case_id)
        if not session.may(Action.ASSIGN):
            raise AccessDenied(case_id)
        try:
            verdict = self.casework.assign(case_id, staff_id, AssignmentRole(role), session.username)
        except (CasetrailError, ValueError) as error:
            return refused(str(error))
        self.audit(session, case_id, "verdict", fields=staff_id)
        return verdict_view(session, case_id, verdict)

    def identity(self, session: Session, case_id: str, party_id: str, reason: str | None) -> dict[str, Any]:
        """A survivor's identifying details: only with reach, only with a reason, always audited."""
        if not session.identity(case_id):
            raise AccessDenied(case_id)
        if not (reason or "").strip():
            raise ReasonRequired("opening identifying details needs a reason")
        party = self.casework.book().parties.get(party_id)
        if party is None or party.case_id != case_id:
            raise AccessDenied(party_id)
        self.audit(session, party_id, "identity", reason, fields="entity")
        # The name is what was asked for, with a reason; record ids (which name documents) never go out.
        entity = (
            {"entity_id": session.shown(party.entity.entity_id), "name": party.entity.name} if party.entity else None
        )
        return {"party": party.id, "pseudonym": party.pseudonym, "entity": entity}

    def export(self, session: Session, case_id: str, reason: str | None) -> bytes:
        """A case file (zip) that verifies offline, made from exactly this viewer's case view plus
        receipts; it needs a reason, which the read audit keeps."""
        self.require_case(session, case_id)
        if not (reason or "").strip():
            raise ReasonRequired("exporting a case file needs a reason")
        # Built in memory: the case file's plaintext never touches a filesystem.
        data = export_case(session, self.casework, case_id, io.BytesIO()).getvalue()
        self.audit(session, case_id, "export", reason, fields="case file")
        return data

    def documents(self, session: Session, window: Window = Window()) -> tuple[int, list[dict[str, Any]]]:
        """The documents this viewer may see, newest first: how many, and one page of them."""
        visible = self.casework.readable_documents(session.viewer, session.reach)[::-1]
        self.audit(session, "document list", "documents", fields=f"offset {window.offset}")
        empty = self.store.documents.no_text_documents()  # flagged on the inbox: recorded, but nothing to read
        page = window.cut(visible)
        found = self.casework.documents_of(page)
        return len(visible), [_document_row(*found[doc_id], empty) for doc_id in page if doc_id in found]

    def _readable_document(self, session: Session, doc_id: str) -> tuple[Document, str, int]:
        """The document's record, if this viewer may read it; the one check before showing or acting on one."""
        found = self.store.documents.get_document(doc_id)
        if found is None or not session.document(doc_id, found[0].provenance.submitted_by):
            raise AccessDenied(doc_id)
        return found

    def document(self, session: Session, doc_id: str, reason: str | None = None) -> dict[str, Any]:
        doc, status, leaf = self._readable_document(session, doc_id)
        text = self.store.documents.get_text(doc_id) if status != "sealed" else None
        resolved = self.store.analysis.mention_records(doc_id)
        names = self.casework.entity_view().names.many({e for e, _ in resolved.values()})  # one read
        ocr = self.store.documents.ocr_sources(doc_id)  # a name read from pixels may be misread: say so beside it
        mentions: list[dict[str, Any]] = []
        for mid, m in self.store.analysis.iter_mentions(document_id=doc_id):
            entity_id, record_id = resolved.get(mid, (None, None))
            if entity_id is not None and not session.entity(entity_id):
                entity_id = record_id = None  # named, but not to this viewer
            mentions.append(
                {
                    "id": mid,
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    "type": m.type.value,
                    "extractor": m.extractor,
                    "confidence": m.confidence,
                    "entity_id": entity_id,
                    "entity_name": names.get(entity_id) if entity_id else None,
                    "record_id": record_id,
                    "read_by": ocr[mid].label if mid in ocr else None,
                }
            )
        records = {m["record_id"] for m in mentions if m["record_id"]}
        decisions = [_decision_line(session, d) for d in self.store.analysis.decisions_naming(records)]
        self.audit(session, doc_id, "document", reason)
        text_status, text_reason = self.store.documents.reading(doc_id)
        pages = [
            {"page": p.page, "method": p.method, "confidence": p.confidence, "words": p.words, "label": p.label}
            for p in self.store.documents.page_sources(doc_id)
        ]
        return {
            **_document_row(doc, status, leaf, {doc_id: text_reason} if text_status == NO_TEXT else {}),
            "media_type": doc.media_type,
            "text": text,
            "mentions": mentions,
            "decisions": decisions,
            "page_sources": pages,
        }

    def decide_mention(
        self, session: Session, doc_id: str, mention_id: int, verdict: str, reason: str
    ) -> dict[str, Any]:
        """Confirm that a mention is its entity, or reject it (take its record out): a ledger event
        that binds every later resolution run. The change shows after the next run (`casetrail analyse`)."""
        if not session.may(Action.ANALYSE):
            raise AccessDenied(doc_id)
        self._readable_document(session, doc_id)
        entity_id, record_id = self.store.analysis.mention_records(doc_id).get(mention_id, (None, None))
        if entity_id is None or record_id is None or not session.entity(entity_id):
            raise AccessDenied(f"{doc_id}/{mention_id}")
        if verdict not in ("confirm", "reject"):
            raise ValueError("the verdict is confirm or reject")
        analysis = Analysis(self.casework.register)
        if verdict == "confirm":
            commit = analysis.decide(DecisionKind.CONFIRM, record_id, entity_id, session.username, reason)
        else:
            commit = analysis.decide(DecisionKind.SPLIT, record_id, None, session.username, reason)
        return {
            "document": doc_id,
            "mention": mention_id,
            "record": record_id,
            "entity": entity_id,
            "verdict": verdict,
            "leaf_index": commit.indices[0],
            "applies": "at the next resolution run (casetrail analyse)",
        }

    def entity(self, session: Session, entity_id: str, window: Window = Window()) -> dict[str, Any]:
        """An entity as this viewer may see it: its documents newest first (one page), their mentions, cases, chart."""
        if not session.entity(entity_id):
            raise AccessDenied(entity_id)
        view = self.casework.entity_view()
        entity = view.entities.get(entity_id)
        if entity is None:
            raise AccessDenied(entity_id)
        named_in = view.entity_documents.get(entity_id, {})
        readable = filter_documents(session.viewer, session.reach, reversed(list(named_in)))  # newest first
        page = window.cut(readable)
        counts = {doc: named_in[doc] for doc in readable}
        on_page = view.by_document.many(page)
        mentions = [m.to_json() for doc in sorted(on_page) for m in on_page[doc] if m.entity_id == entity_id]
        timeline = []
        for doc_id in page:
            found = self.casework.document(doc_id)
            if found is not None:
                timeline.append({**_document_row(*found), "mentions": counts[doc_id]})
        timeline.sort(key=lambda d: (d["received_at"] or "", d["id"]))
        book = self.casework.book()
        document_cases = self.casework.document_cases(book)
        held = {c for d in readable for c in document_cases.get(d, ())}
        held |= self.casework.links.subject_cases(book).get(entity_id, set())
        cases = [
            {"id": c, "title": book.cases[c].title} for c in filter_cases(session.viewer, session.reach, sorted(held))
        ]
        self.audit(session, entity_id, "entity")
        return {
            "id": entity.id,
            "type": entity.type,
            "name": entity.name,
            "aliases": list(entity.aliases),
            "attributes": entity.attributes,
            "document_count": len(readable),
            "mention_count": sum(counts.values()),
            "offset": window.offset,
            "limit": window.limit,
            "documents": page,
            "timeline": timeline,
            "mentions": mentions,
            "cases": cases,
            "graph": self.neighbourhood(session, entity_id, readable[:CHART_DOCUMENTS], cases),
        }

    def neighbourhood(
        self, session: Session, entity_id: str, documents: list[str], cases: Sequence[dict[str, Any]] = ()
    ) -> dict[str, Any]:
        """The link chart's data: entities that share these (readable) documents with this one, and
        the (readable) cases it is in, up to `CHART_CASES` of them.

        A notorious officer can be named in tens of thousands of documents; the chart is drawn from
        the newest `CHART_DOCUMENTS` of them and says so (`from_documents`)."""
        view = self.casework.entity_view()
        weights: dict[str, int] = defaultdict(int)
        for doc in documents:
            for m in view.by_document.get(doc, ()):
                if m.entity_id != entity_id:
                    weights[m.entity_id] += 1
        # the entity and its readable neighbours in one read, not one each
        entities = view.entities.many([entity_id, *filter_entities(session.viewer, session.reach, list(weights))])
        neighbours = sorted((e for e in entities if e != entity_id), key=lambda e: (-weights[e], e))[:CHART_NEIGHBOURS]

        def node(e: str) -> dict[str, Any]:
            return {"id": e, "label": entities[e].name, "type": entities[e].type, "href": f"/entities/{e}"}

        nodes = [node(entity_id), *(node(e) for e in neighbours)]
        edges = [{"from": entity_id, "to": e, "weight": weights[e]} for e in neighbours]
        for case in list(cases)[:CHART_CASES]:
            nodes.append(
                {
                    "id": case["id"],
                    "label": f"{case['id']} {case['title']}",
                    "type": "case",
                    "href": f"/cases/{case['id']}",
                }
            )
            edges.append({"from": entity_id, "to": case["id"], "weight": None})
        return {"nodes": nodes, "edges": edges, "from_documents": len(documents)}

    def search(self, session: Session, query: str, window: Window = Window()) -> dict[str, Any]:
        """Entities by name and documents by text, only those this viewer may read; the search is audited.

        Hits are filtered by need-to-know before they are counted or paged, so neither the count
        nor a page says anything about what the viewer may not see."""
        words = WORD.findall(query.casefold())[:12]
        if not words:
            return {
                "query": query,
                "entities": [],
                "documents": [],
                "document_count": 0,
                "more": False,
                "offset": window.offset,
                "limit": window.limit,
            }
        named = self.casework.entity_view().named(words)  # one narrowed read, not every entity reached
        entities = [{"id": eid, "name": name, "type": kind} for eid, kind, name in named if session.entity(eid)]
        entities.sort(key=lambda e: (len(e["name"]), e["name"], e["id"]))
        hits = self.store.documents.search_hits(words, SEARCH_SCAN)
        may_read = self.casework.readable_set(session.viewer, session.reach)  # the one check, kept
        readable = [d for d in hits if d in may_read]
        page = window.cut(readable)
        held = self.casework.documents_of(page)
        snippets = self.store.documents.snippets(words, page)  # for the page's documents only
        documents = []
        for doc_id in page:
            found = held.get(doc_id)
            row = _document_row(*found) if found else {"id": doc_id}
            documents.append({**row, "snippet": _marked(snippets.get(doc_id, ""))})
        self.audit(session, query[:200], "search")
        return {
            "query": query,
            "entities": entities[:PAGE],
            "entity_count": len(entities),
            "documents": documents,
            "document_count": len(readable),
            "more": len(hits) >= SEARCH_SCAN,
            "offset": window.offset,
            "limit": window.limit,
        }

    def oversight(self, session: Session) -> OversightView:
        if not session.may(Action.VIEW_OVERSIGHT):
            raise AccessDenied("oversight")
        view = build_oversight_view(session, self.casework)
        self.audit(session, "oversight", "oversight")
        return view


def _marked(snippet: str) -> list[dict[str, Any]]:
    """A snippet as plain-text pieces, each saying whether it is a hit: the template escapes them all."""
    pieces, hit = [], False
    for part in re.split("([\x02\x03])", snippet):
        if part in ("\x02", "\x03"):
            hit = part == "\x02"
        elif part:
            pieces.append({"text": part, "hit": hit})
    return pieces


@cache
def _unfreeze_at_exit() -> None:
    """At exit, let the last collections see everything again (extension modules check for leaks)."""
    atexit.register(gc.unfreeze)


def _document_row(
    doc: Document, status: str, leaf: int, no_text: Mapping[str, str | None] | None = None
) -> dict[str, Any]:
    """`no_text`: the ids of documents no text was read from, with the reason (store.documents.no_text_documents)."""
    empty = no_text is not None and doc.id in no_text
    reason = ((no_text or {}).get(doc.id) or "no text found") if empty else None
    return {
        "id": doc.id,
        "source_name": doc.provenance.source_name,
        "kind": doc.kind.value,
        "status": status,
        "leaf_index": leaf,
        "received_at": doc.provenance.received_at,
        "submitted_by": doc.provenance.submitted_by,
        "text_status": NO_TEXT if empty else "read",
        "text_reason": reason,
    }


def _ref_shown(session: Session, ref: str | None) -> str | None:
    """A decision's side as this viewer may see it: a record of a readable document, or a readable entity."""
    if ref is None:
        return None
    doc_id = ref.split(":", 1)[0] if ":" in ref else None
    if (doc_id is not None and session.document(doc_id)) or session.entity(ref):
        return ref
    return "another record"


def _decision_line(session: Session, decision: dict[str, Any]) -> dict[str, Any]:
    return {
        "leaf_index": decision["leaf_index"],
        "kind": decision["kind"],
        "left": _ref_shown(session, decision["left"]),
        "right": _ref_shown(session, decision["right"]),
        "author": decision["author"],
        "reason": decision["reason"],
        "at": decision["at"],
    }
