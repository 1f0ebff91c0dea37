"""The case as one viewer may see it: the case page, `GET /api/cases/{id}` and the case file.

Built field by field from the casebook and the kept read models. What is never here: a party's
resolved identity (only `identity`, with a reason), entity record ids, documents or entities the
viewer may not open (their ids are left out, counts stay), linked cases they may not read, and
the full text of independence conflicts (see `conflicts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from casetrail.model.casework import Allegation, Casebook, Subject
from casetrail.views.conflicts import ConflictLine, conflict_lines
from casetrail.views.history import HistoryLine, case_history
from casetrail.views.sight import Sight

if TYPE_CHECKING:
    from casetrail.casework import Casework

LINKS_SHOWN = 25  # linked cases per page of the API, strongest first (`links_offset` pages on)
LINKS_MOST = 100  # the most one page of the API gives (`links_limit`)
PAGE_LINKS_SHOWN = 25  # on the case page, which points to the API for the rest


@dataclass(frozen=True)
class DocumentLine:
    id: str
    source_name: str
    kind: str
    status: str
    leaf_index: int
    received_at: str | None
    given_by: str | None


@dataclass(frozen=True)
class PartyLine:
    id: str
    role: str
    pseudonym: str


@dataclass(frozen=True)
class CorroborationLine:
    entity_id: str | None
    documents: int
    independent: int
    at_least: int


@dataclass(frozen=True)
class SubjectLine:
    id: str
    label: str
    kind: str  # "entity" | "staff" | "unknown"
    entity_ids: tuple[str, ...]  # the entities that are this subject now, those this viewer may open
    staff_id: str | None
    unknown: dict[str, Any] | None
    force: str | None
    unit: str | None
    corroboration: tuple[CorroborationLine, ...]


@dataclass(frozen=True)
class StatusLine:
    status: str
    reason: str
    at: str
    by: str
    leaf: int


@dataclass(frozen=True)
class AllegationLine:
    id: str
    category: str
    category_label: str
    summary: str
    period: dict[str, Any] | None
    place: str | None
    status: str
    status_history: tuple[StatusLine, ...]
    subjects: tuple[SubjectLine, ...]


@dataclass(frozen=True)
class AssignmentLine:
    staff_id: str
    name: str
    role: str
    at: str
    by: str
    waivers: tuple[str, ...]
    ended_at: str | None
    leaf: int
    conflicts_now: tuple[ConflictLine, ...]


@dataclass(frozen=True)
class RefusalLine:
    staff_id: str
    name: str
    role: str
    at: str
    by: str
    leaf: int
    conflicts: tuple[ConflictLine, ...]


@dataclass(frozen=True)
class WaiverLine:
    id: str
    staff_id: str
    rule: str
    reason: str
    by: str
    at: str
    leaf: int


@dataclass(frozen=True)
class ActionLine:
    id: str
    description: str
    owner: str
    due: str
    raised_at: str
    raised_by: str
    intelligence: str | None
    result: str | None
    completed_at: str | None
    completed_by: str | None
    leaf: int


@dataclass(frozen=True)
class IntelligenceLine:
    id: str
    summary: str
    document_id: str | None  # only when this viewer may read it
    received_at: str
    action_due: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class EscalationLine:
    item: str
    reason: str
    due: str
    at: str
    to: str
    leaf: int


@dataclass(frozen=True)
class EvidenceLine:
    document_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SharedLine:
    entity_id: str | None
    kind: str
    name: str
    cases_sharing: int
    evidence: tuple[EvidenceLine, ...]
    evidence_count: int


@dataclass(frozen=True)
class LinkLine:
    other: str
    shared: tuple[SharedLine, ...]
    shared_count: int
    recorded: tuple[str, ...]  # reasons given when the cases were linked by hand


@dataclass(frozen=True)
class WidelySharedLine:
    entity_id: str | None
    name: str
    kind: str
    cases_sharing: int


@dataclass(frozen=True)
class CaseView:
    id: str
    version: int  # the case's newest ledger leaf: a change made from an older page is refused
    title: str
    kind: str
    reference: str | None
    opened_at: str
    opened_by: str
    identifying_details_available: bool
    documents: tuple[DocumentLine, ...]
    parties: tuple[PartyLine, ...]
    allegations: tuple[AllegationLine, ...]
    assignments: tuple[AssignmentLine, ...]
    refusals: tuple[RefusalLine, ...]
    waivers: tuple[WaiverLine, ...]
    actions: tuple[ActionLine, ...]
    intelligence: tuple[IntelligenceLine, ...]
    escalations: tuple[EscalationLine, ...]
    links: tuple[LinkLine, ...]
    link_count: int
    links_offset: int  # how many stronger links come before `links`
    widely_shared: tuple[WidelySharedLine, ...]
    history: tuple[HistoryLine, ...]


def build_case_view(
    sight: Sight,
    casework: Casework,
    case_id: str,
    leaf_hashes: Mapping[int, str] | None = None,
    links_shown: int = LINKS_SHOWN,
    links_offset: int = 0,
) -> CaseView:
    """The case as `sight` may see it, with `links_shown` of its links, strongest first, after the
    `links_offset` strongest (all are counted); the caller has checked that `sight` may read the case."""
    book = casework.book()
    case = book.cases[case_id]
    return CaseView(
        id=case.id,
        version=case_version(book, case_id),
        title=case.title,
        kind=case.kind.value,
        reference=case.reference,
        opened_at=case.opened_at,
        opened_by=case.opened_by,
        identifying_details_available=sight.identity(case_id),
        documents=_documents(sight, casework, book, case_id),
        parties=tuple(PartyLine(p.id, p.role.value, p.pseudonym) for p in book.case_parties(case_id)),
        allegations=tuple(_allegation(sight, casework, book, book.allegations[a]) for a in case.allegation_ids),
        assignments=_assignments(sight, casework, book, case_id),
        refusals=tuple(
            RefusalLine(
                r.staff_id,
                book.staff[r.staff_id].name,
                r.role.value,
                r.at,
                r.by,
                r.leaf,
                conflict_lines(sight, case_id, r.conflicts),
            )
            for r in book.refusals
            if r.case_id == case_id
        ),
        waivers=tuple(
            WaiverLine(w.id, w.staff_id, w.rule.value, w.reason, w.by, w.at, w.leaf)
            for w in book.waivers.values()
            if w.case_id == case_id
        ),
        actions=tuple(
            ActionLine(
                a.id,
                a.description,
                a.owner,
                a.due,
                a.raised_at,
                a.raised_by,
                a.intelligence_id,
                a.result,
                a.completed_at,
                a.completed_by,
                a.leaf,
            )
            for a in book.actions.values()
            if a.case_id == case_id
        ),
        intelligence=tuple(
            IntelligenceLine(
                i.id,
                i.summary,
                i.document_id if sight.document(i.document_id) else None,
                i.received_at,
                i.action_due,
                tuple(a.id for a in book.actions_for(i.id)),
            )
            for i in book.intelligence.values()
            if i.case_id == case_id
        ),
        escalations=tuple(
            EscalationLine(e.item_id, e.reason, e.due, e.at, e.to, e.leaf)
            for e in book.escalations
            if e.case_id == case_id
        ),
        **_links(sight, casework, book, case_id, links_shown, links_offset),
        history=case_history(sight, book, case_id, leaf_hashes),
    )


def case_version(book: Casebook, case_id: str) -> int:
    """The leaf of the case's newest event (-1 for none): what a page was built from."""
    history = book.cases[case_id].history
    return history[-1].leaf if history else -1


def _documents(sight: Sight, casework: Casework, book: Casebook, case_id: str) -> tuple[DocumentLine, ...]:
    lines = []
    for doc_id, given_by in book.cases[case_id].documents.items():
        found = casework.document(doc_id)
        if found is None or not sight.document(doc_id, found[0].provenance.submitted_by):
            continue
        doc, status, leaf = found
        lines.append(
            DocumentLine(
                doc_id, doc.provenance.source_name, doc.kind.value, status, leaf, doc.provenance.received_at, given_by
            )
        )
    return tuple(lines)


def _allegation(sight: Sight, casework: Casework, book: Casebook, a: Allegation) -> AllegationLine:
    return AllegationLine(
        a.id,
        a.category,
        casework.category_label(a.category),
        a.summary,
        a.period.to_json() if a.period else None,
        a.place,
        a.status.value,
        tuple(StatusLine(s.status.value, s.reason, s.at, s.actor, s.leaf) for s in a.statuses),
        tuple(_subject(sight, casework, book, book.subjects[s]) for s in a.subject_ids),
    )


def _subject(sight: Sight, casework: Casework, book: Casebook, s: Subject) -> SubjectLine:
    current = sorted(casework.entity_view().current(s.entity))
    found = casework.accounts.subject_corroboration(book, s.case_id)
    corroboration = tuple(
        CorroborationLine(sight.shown(e), len(found[e].documents), found[e].independent, found[e].at_least)
        for e in current
        if e in found
    )
    kind = "entity" if s.entity else "staff" if s.staff_id else "unknown"
    return SubjectLine(
        s.id,
        s.label,
        kind,
        tuple(e for e in current if sight.entity(e)),
        s.staff_id,
        s.unknown.to_json() if s.unknown else None,
        s.force,
        s.unit,
        corroboration,
    )


def _assignments(sight: Sight, casework: Casework, book: Casebook, case_id: str) -> tuple[AssignmentLine, ...]:
    lines = []
    for a in book.assignments:
        if a.case_id != case_id:
            continue
        now = casework.independence.conflicts_now(book, a) if a.ended_at is None else ()
        lines.append(
            AssignmentLine(
                a.staff_id,
                book.staff[a.staff_id].name,
                a.role.value,
                a.at,
                a.by,
                tuple(a.waivers),
                a.ended_at,
                a.leaf,
                conflict_lines(sight, case_id, now),
            )
        )
    return tuple(lines)


def _links(sight: Sight, casework: Casework, book: Casebook, case_id: str, shown: int, offset: int) -> dict[str, Any]:
    """Links to cases this viewer may read, with evidence from documents they may read."""
    cap = int(casework.settings["case_link_max_sharing"])
    count, summaries = casework.links.summaries(case_id, cap, book, visible=sight.case, limit=shown, offset=offset)
    links = tuple(
        LinkLine(
            s["other"], tuple(_shared(sight, shared) for shared in s["shared"]), s["shared_count"], tuple(s["recorded"])
        )
        for s in summaries
    )
    widely = tuple(
        WidelySharedLine(sight.shown(w["entity_id"]), w["name"], w["kind"], w["cases_sharing"])
        for w in casework.links.widely_shared(case_id, cap, book)
    )
    return {"links": links, "link_count": count, "links_offset": offset, "widely_shared": widely}


def _shared(sight: Sight, shared: dict[str, Any]) -> SharedLine:
    evidence = tuple(
        EvidenceLine(m["document_id"], m["start"], m["end"], m["text"])
        for m in shared["evidence"]
        if sight.document(m["document_id"])
    )
    return SharedLine(
        sight.shown(shared["entity_id"]),
        shared["kind"],
        shared["name"],
        shared["cases_sharing"],
        evidence,
        shared["evidence_count"],
    )
