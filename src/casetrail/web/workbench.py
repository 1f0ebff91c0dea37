"""What the workbench shows one person: every read goes through need-to-know and the read audit.

Pages and the HTTP API both call this module, so a rule cannot hold on one and leak on the other.
Every read of a case, document or identifying field is a `read.audited` ledger event: who, when,
what, and the reason given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from casetrail.casework import Casework
from casetrail.errors import CasetrailError
from casetrail.intake.register import utc_now
from casetrail.model.casework import Participant, StaffRole
from casetrail.model.event import Event, EventType
from casetrail.policy.access import (
    Action,
    Reach,
    Viewer,
    can_do,
    can_read_case,
    can_read_document,
    can_read_entity,
    filter_cases,
    filter_documents,
    filter_entities,
    may_reveal_identity,
    reach,
)


class AccessDenied(CasetrailError):
    """The viewer may not see this; the web layer answers 404 so existence is not revealed."""


class ReasonRequired(CasetrailError):
    """Opening identifying details needs a reason, which the read audit keeps."""


@dataclass(frozen=True)
class Session:
    viewer: Viewer
    reach: Reach
    username: str


class Workbench:
    def __init__(self, casework: Casework) -> None:
        self.casework = casework
        self.store = casework.store

    # -- who is looking -------------------------------------------------------------------

    def session_for(self, user_id: str, username: str, roles: frozenset[str], staff_id: str | None) -> Session:
        book = self.casework.book()
        entity_ids: frozenset[str] = frozenset()
        if staff_id and staff_id in book.staff:
            entity_ids = self.casework.candidate(book.staff[staff_id]).entity_ids
        viewer = Viewer(user_id, frozenset(StaffRole(r) for r in roles), staff_id, entity_ids)
        view = self.casework.entity_view()
        case_documents = {cid: set(case.documents) for cid, case in book.cases.items()}
        document_entities: dict[str, set[str]] = defaultdict(set)
        for ref in view.mentions:
            document_entities[ref.document_id].add(ref.entity_id)
        participants: dict[str, list[Participant]] = {}
        for cid in book.cases:
            participants[cid] = [
                *(Participant(cid, "subject", s.label, s.staff_id, view.current(s.entity), s.force, s.unit)
                  for s in book.case_subjects(cid)),
                *(Participant(cid, p.role.value, p.pseudonym, p.staff_id, view.current(p.entity))
                  for p in book.case_parties(cid)),
            ]  # fmt: skip
        return Session(viewer, reach(viewer, book, case_documents, document_entities, participants), username)

    # -- the audit ------------------------------------------------------------------------

    def audit(self, session: Session, what: str, kind: str, reason: str | None = None, fields: str | None = None) -> None:
        body = {"kind": kind, "reason": reason, "fields": fields, "username": session.username}
        event = Event(EventType.READ_AUDITED, what, utc_now(), session.viewer.user_id, body)
        self.casework.log.append([event.to_leaf()], also=lambda idx: self.store.add_casework_events(
            [(idx[0], EventType.READ_AUDITED.value, what)]))  # fmt: skip

    def audit_log(self, session: Session, query: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        if not can_do(session.viewer, Action.READ_AUDIT):
            raise AccessDenied("only auditors read the audit log")
        rows = []
        for leaf, data in self.store.audit_entries():
            entry = Event.from_leaf(data)
            row = {"leaf": leaf, "at": entry.at, "user": entry.actor, "what": entry.subject, **entry.body}
            if query and query.casefold() not in " ".join(str(v) for v in row.values()).casefold():
                continue
            rows.append(row)
            if len(rows) >= limit:
                break
        return rows

    # -- reads ----------------------------------------------------------------------------

    def cases(self, session: Session) -> list[dict[str, Any]]:
        book = self.casework.book()
        allowed = filter_cases(session.viewer, session.reach, list(book.cases))
        return [{"id": c.id, "title": c.title, "kind": c.kind.value, "opened_at": c.opened_at,
                 "documents": len(c.documents), "allegations": len(c.allegation_ids)}
                for c in (book.cases[i] for i in allowed)]  # fmt: skip

    def case(self, session: Session, case_id: str, reason: str | None = None) -> dict[str, Any]:
        if not can_read_case(session.viewer, session.reach, case_id):
            raise AccessDenied(case_id)
        view = self.casework.case_view(case_id)
        view["documents"] = [d for d in view["documents"]
                             if can_read_document(session.viewer, session.reach, d["id"])]  # fmt: skip
        view["identifying_details_available"] = may_reveal_identity(session.viewer, case_id, session.reach)
        for party in view["parties"]:
            party["entity"] = None  # identifying: only through `identity`, with a reason
        self.audit(session, case_id, "case", reason)
        return view

    def identity(self, session: Session, case_id: str, party_id: str, reason: str | None) -> dict[str, Any]:
        """A survivor's identifying details: only with reach, only with a reason, always audited."""
        if not can_read_case(session.viewer, session.reach, case_id) or not may_reveal_identity(
            session.viewer, case_id, session.reach
        ):
            raise AccessDenied(case_id)
        if not (reason or "").strip():
            raise ReasonRequired("opening identifying details needs a reason")
        party = self.casework.book().parties.get(party_id)
        if party is None or party.case_id != case_id:
            raise AccessDenied(party_id)
        self.audit(session, party_id, "identity", reason, fields="entity")
        return {"party": party.id, "pseudonym": party.pseudonym, "entity": party.entity.to_json() if party.entity else None}

    def documents(self, session: Session) -> list[dict[str, Any]]:
        rows = []
        for doc, status, leaf in self.store.iter_documents():
            rows.append((doc, status, leaf))
        allowed = set(filter_documents(session.viewer, session.reach, [d.id for d, _, _ in rows],
                                       {d.id: d.provenance.submitted_by for d, _, _ in rows}))  # fmt: skip
        return [{"id": d.id, "source_name": d.provenance.source_name, "kind": d.kind.value, "status": s,
                 "leaf_index": leaf, "received_at": d.provenance.received_at, "submitted_by": d.provenance.submitted_by}
                for d, s, leaf in rows if d.id in allowed]  # fmt: skip

    def document(self, session: Session, doc_id: str, reason: str | None = None) -> dict[str, Any]:
        found = self.store.get_document(doc_id)
        if found is None or not can_read_document(session.viewer, session.reach, doc_id, found[0].provenance.submitted_by):
            raise AccessDenied(doc_id)
        doc, status, leaf = found
        text = self.store.get_text(doc_id) if status != "sealed" else None
        entity_of = {(m.document_id, m.start, m.end): m.entity_id for m in self.store.entity_mention_refs([doc_id])}
        mentions = [
            {"id": mid, "start": m.start, "end": m.end, "text": m.text, "type": m.type.value,
             "extractor": m.extractor, "confidence": m.confidence,
             "entity_id": e if (e := entity_of.get((doc_id, m.start, m.end))) and
             can_read_entity(session.viewer, session.reach, e) else None}
            for mid, m in self.store.iter_mentions(document_id=doc_id)
        ]  # fmt: skip
        self.audit(session, doc_id, "document", reason)
        return {"id": doc.id, "source_name": doc.provenance.source_name, "kind": doc.kind.value, "status": status,
                "leaf_index": leaf, "media_type": doc.media_type, "received_at": doc.provenance.received_at,
                "submitted_by": doc.provenance.submitted_by, "text": text, "mentions": mentions}  # fmt: skip

    def entity(self, session: Session, entity_id: str) -> dict[str, Any]:
        if not can_read_entity(session.viewer, session.reach, entity_id):
            raise AccessDenied(entity_id)
        view = self.casework.entity_view()
        entity = view.entities.get(entity_id)
        if entity is None:
            raise AccessDenied(entity_id)
        readable = set(filter_documents(session.viewer, session.reach, sorted({m.document_id for m in view.mentions
                                                                            if m.entity_id == entity_id})))  # fmt: skip
        mentions = [m.to_json() for m in view.mentions if m.entity_id == entity_id and m.document_id in readable]
        book = self.casework.book()
        cases = [cid for cid in filter_cases(session.viewer, session.reach, list(book.cases))
                 if set(book.cases[cid].documents) & readable
                 or any(entity_id in view.current(s.entity) for s in book.case_subjects(cid))]  # fmt: skip
        self.audit(session, entity_id, "entity")
        return {"id": entity.id, "type": entity.type, "name": entity.name, "aliases": list(entity.aliases),
                "attributes": entity.attributes, "documents": sorted(readable), "mentions": mentions,
                "cases": cases, "graph": self.neighbourhood(session, entity_id, readable)}  # fmt: skip

    def neighbourhood(self, session: Session, entity_id: str, documents: set[str]) -> dict[str, Any]:
        """The link chart's data: entities that share readable documents with this one, and its cases."""
        view = self.casework.entity_view()
        weights: dict[str, int] = defaultdict(int)
        for m in view.mentions:
            if m.document_id in documents and m.entity_id != entity_id:
                weights[m.entity_id] += 1
        neighbours = [e for e in filter_entities(session.viewer, session.reach, list(weights)) if e in view.entities]
        neighbours = sorted(neighbours, key=lambda e: -weights[e])[:40]
        nodes = [{"id": entity_id, "label": view.entities[entity_id].name, "type": view.entities[entity_id].type}]
        nodes += [{"id": e, "label": view.entities[e].name, "type": view.entities[e].type} for e in neighbours]
        edges = [{"from": entity_id, "to": e, "weight": weights[e]} for e in neighbours]
        return {"nodes": nodes, "edges": edges}

    def oversight(self, session: Session) -> dict[str, Any]:
        if not can_do(session.viewer, Action.VIEW_OVERSIGHT):
            raise AccessDenied("oversight")
        book = self.casework.book()
        visible = set(filter_cases(session.viewer, session.reach, list(book.cases)))
        report = self.casework.report()
        for key in ("intelligence", "actions", "assignment_conflicts"):
            report[key] = [r for r in report.get(key, []) if r.get("case") is None or r.get("case") in visible]
        overdue = [o.to_json() for o in self.casework.overdue() if o.case_id is None or o.case_id in visible]
        # an alert names a subject: shown only to those who may read that entity (never the subject)
        alerts = [{"entity_id": a.key, "at": a.at, **a.detail} for a in book.alerts
                  if can_read_entity(session.viewer, session.reach, a.key)]  # fmt: skip
        return {"overdue": overdue, "report": report, "alerts": alerts,
                "escalations": [{"item": e.item_id, "reason": e.reason, "at": e.at, "case": e.case_id}
                                for e in book.escalations if e.case_id is None or e.case_id in visible]}  # fmt: skip
