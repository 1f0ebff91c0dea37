"""A case as the operator's CLI and its JSON give it: everything the casebook holds.

The operator holds the store's files; this rendering is for them (`casetrail case show`). The
workbench never uses it: its pages and API are built per viewer in `casetrail.views`.
"""

from __future__ import annotations

from typing import Any

from casetrail.casework.reads import CaseReads
from casetrail.linking.corroboration import Corroboration
from casetrail.model.casework import (
    Action,
)
from casetrail.policy.independence import check


def case_json(self: CaseReads, case_id: str, full: bool = True) -> dict[str, Any]:
    """A case as `case show --format json` and the case file give it.

    `full=False` is the workbench's summary: corroboration as counts, and no links (it asks
    `links.summaries` for those it may show). A subject named in most of a large inquiry would
    otherwise put every document id in every page of every case naming them.
    """
    book = self.book()
    case = self._case(book, case_id)
    view = self.entity_view()
    corroboration = self.accounts.subject_corroboration(book, case_id)
    documents = []
    for doc_id, given_by in case.documents.items():
        found = self.document(doc_id)
        assert found is not None
        doc, status, leaf = found
        documents.append(
            {
                "id": doc_id,
                "source_name": doc.provenance.source_name,
                "kind": doc.kind.value,
                "status": status,
                "leaf_index": leaf,
                "given_by": given_by,
                "received_at": doc.provenance.received_at,
            }
        )
    allegations = []
    for aid in case.allegation_ids:
        a = book.allegations[aid]
        subjects = []
        for sid in a.subject_ids:
            s = book.subjects[sid]
            current = sorted(view.current(s.entity))
            subjects.append(
                {
                    "id": s.id,
                    "label": s.label,
                    "entity": s.entity.to_json() if s.entity else None,
                    "current_entities": current,
                    "staff_id": s.staff_id,
                    "unknown": s.unknown.to_json() if s.unknown else None,
                    "force": s.force,
                    "unit": s.unit,
                    "corroboration": [
                        _corroboration_json(corroboration[e], full) for e in current if e in corroboration
                    ],
                }
            )
        allegations.append(
            {
                "id": a.id,
                "category": a.category,
                "category_label": self.category_label(a.category),
                "summary": a.summary,
                "period": a.period.to_json() if a.period else None,
                "place": a.place,
                "status": a.status.value,
                "status_history": [
                    {"status": s.status.value, "reason": s.reason, "at": s.at, "by": s.actor, "leaf": s.leaf}
                    for s in a.statuses
                ],
                "subjects": subjects,
            }
        )
    links = [l.to_json() for l in self.links.pairs(book, case_id)] if full else []
    context = self.independence.context(book, case_id)
    conflicts_now = {
        (a.staff_id, a.role): check(self.independence.candidate(book.staff[a.staff_id]), context)
        for a in book.current_assignments(case_id)
    }
    return {
        "id": case.id,
        "title": case.title,
        "kind": case.kind.value,
        "reference": case.reference,
        "opened_at": case.opened_at,
        "opened_by": case.opened_by,
        "documents": documents,
        "parties": [
            {
                "id": p.id,
                "role": p.role.value,
                "pseudonym": p.pseudonym,
                "entity": p.entity.to_json() if p.entity else None,
            }
            for p in book.case_parties(case_id)
        ],
        "allegations": allegations,
        "assignments": [
            {
                "staff_id": a.staff_id,
                "name": book.staff[a.staff_id].name,
                "role": a.role.value,
                "at": a.at,
                "by": a.by,
                "waivers": list(a.waivers),
                "ended_at": a.ended_at,
                "leaf": a.leaf,
                "conflicts_now": [c.to_json() for c in conflicts_now[(a.staff_id, a.role)].conflicts]
                if (a.staff_id, a.role) in conflicts_now and a.ended_at is None
                else [],
            }
            for a in book.assignments
            if a.case_id == case_id
        ],
        "refusals": [
            {
                "staff_id": r.staff_id,
                "name": book.staff[r.staff_id].name,
                "role": r.role.value,
                "at": r.at,
                "by": r.by,
                "leaf": r.leaf,
                "conflicts": [c.to_json() for c in r.conflicts],
            }
            for r in book.refusals
            if r.case_id == case_id
        ],
        "waivers": [
            {
                "id": w.id,
                "staff_id": w.staff_id,
                "rule": w.rule.value,
                "reason": w.reason,
                "by": w.by,
                "at": w.at,
                "leaf": w.leaf,
            }
            for w in book.waivers.values()
            if w.case_id == case_id
        ],
        "actions": [_action_json(a) for a in book.actions.values() if a.case_id == case_id],
        "intelligence": [
            {
                "id": i.id,
                "summary": i.summary,
                "document_id": i.document_id,
                "received_at": i.received_at,
                "action_due": i.action_due,
                "actions": [a.id for a in book.actions_for(i.id)],
            }
            for i in book.intelligence.values()
            if i.case_id == case_id
        ],
        "escalations": [
            {"item": e.item_id, "reason": e.reason, "due": e.due, "at": e.at, "to": e.to, "leaf": e.leaf}
            for e in book.escalations
            if e.case_id == case_id
        ],
        "links": links,
        "history": [entry.to_json() for entry in case.history],
    }


def _corroboration_json(found: Corroboration, full: bool) -> dict[str, Any]:
    if full:
        return found.to_json()
    return {
        "entity_id": found.entity_id,
        "name": found.name,
        "documents": len(found.documents),
        "independent": found.independent,
        "at_least": found.at_least,
    }


def _action_json(a: Action) -> dict[str, Any]:
    return {
        "id": a.id,
        "description": a.description,
        "owner": a.owner,
        "due": a.due,
        "raised_at": a.raised_at,
        "raised_by": a.raised_by,
        "intelligence": a.intelligence_id,
        "result": a.result,
        "completed_at": a.completed_at,
        "completed_by": a.completed_by,
        "leaf": a.leaf,
    }
