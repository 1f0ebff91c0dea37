"""The demo inquiry's casework: what an investigating team would record after intake and analysis.

Built only from what the pipeline found (documents, their kinds, resolved officer entities), never
from the generator's ground truth, so the demo shows what casetrail does with real input. Every
step goes through `Casework`, so every change is a ledger event and the rules apply as in use.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from casetrail.casework import Casework
from casetrail.errors import CaseworkError
from casetrail.model.casework import AssignmentRole, PartyRole, StaffRole

DEMO_ACTOR = "demo-lead"
# Fictional staff of an independent investigating body.
INDEPENDENT_STAFF = ("Owen Pryce", "Imogen Tait", "Farid Nasser", "Chloe Barraclough")
OVERSEER = "Ruth Calder"
SUPERVISOR = "Helen Marsh"
BODY = "Independent Office for Police Conduct"
CATEGORY_CUES = (
    ("evidence_destruction", ("torn up", "destroyed", "shredded", "lost the statement", "statement disappeared")),
    ("failure_to_record_crime", ("never recorded", "not recorded", "no crime number", "nobody took a statement")),
    ("intimidation", ("warned", "threatened", "told me to keep quiet")),
    ("abuse_of_position_sexual", ("abuse", "abused", "assault", "sexual")),
)


@dataclass
class DemoCasework:
    cases: list[str] = field(default_factory=list)
    refusals: int = 0
    assignments: int = 0
    escalations: int = 0
    alerts: int = 0
    intelligence: int = 0


def build_demo_casework(casework: Casework, max_cases: int = 25, now: datetime | None = None) -> DemoCasework:
    """Open cases for complaints, staff them under the independence rules, and let deadlines lapse."""
    now = now or datetime.now(UTC)
    result = DemoCasework()
    if casework.book().cases:
        return result  # already built: the demo is re-runnable
    view = casework.entity_view()
    entities = view.all_entities()  # batch work: every entity, read now
    officers_in: dict[str, list[str]] = defaultdict(list)
    for ref in view.all_mentions():
        entity = entities.get(ref.entity_id)
        if entity is not None and entity.type == "officer" and ref.entity_id not in officers_in[ref.document_id]:
            officers_in[ref.document_id].append(ref.entity_id)

    staff = [casework.register_staff(name, DEMO_ACTOR, force=BODY) for name in INDEPENDENT_STAFF]
    casework.register_staff(OVERSEER, DEMO_ACTOR, force=BODY, roles=(StaffRole.OVERSEER,))
    casework.register_staff(SUPERVISOR, DEMO_ACTOR, force=BODY, roles=(StaffRole.SUPERVISOR,))
    # Officers of the force under investigation are in the pool too, as they were when it investigated itself.
    named = sorted({e for ids in officers_in.values() for e in ids}, key=lambda e: -len(entities[e].aliases))
    for entity_id in named[:3]:
        entity = entities[entity_id]
        forces = entity.attributes.get("force") or ["the force under investigation"]
        force = next((f for f in forces if f.endswith(("Police", "Constabulary"))), forces[0])
        collar = (entity.attributes.get("collar_number") or [None])[0]
        staff.append(
            casework.register_staff(
                _plain_name(entity.name), DEMO_ACTOR, force=force, collar_number=collar, entity_id=entity_id
            )
        )

    documents = [(doc, status) for doc, status, _ in casework.store.documents.iter_documents()]
    complaints = [doc for doc, status in documents if status == "active" and doc.kind.value == "complaint"]
    for i, doc in enumerate(complaints[:max_cases]):
        case = casework.open_case(f"Complaint {doc.provenance.source_name}", DEMO_ACTOR)
        party = casework.add_party(case.id, PartyRole.COMPLAINANT, DEMO_ACTOR)
        casework.add_document(case.id, doc.id, DEMO_ACTOR, given_by=party.id)
        text = (casework.store.documents.get_text(doc.id) or "").casefold()
        category = next((code for code, cues in CATEGORY_CUES if any(c in text for c in cues)), "neglect_of_duty")
        allegation = casework.add_allegation(
            case.id, category, DEMO_ACTOR, summary=f"As set out in {doc.provenance.source_name}"
        )
        for entity_id in officers_in.get(doc.id, [])[:2]:
            casework.add_subject(allegation.id, DEMO_ACTOR, entity_id=entity_id)
        result.cases.append(case.id)
        for member in (
            staff[-1 - (i % 3)] if len(staff) > len(INDEPENDENT_STAFF) else None,
            staff[i % len(INDEPENDENT_STAFF)],
        ):
            if member is None:
                continue
            try:
                verdict = casework.assign(case.id, member.id, AssignmentRole.INVESTIGATOR, DEMO_ACTOR)
            except CaseworkError:
                continue  # already assigned in that role
            if verdict.allowed:
                result.assignments += 1
            else:
                result.refusals += 1

    intelligence = [doc for doc, status in documents if status == "active" and doc.kind.value == "intelligence"]
    owner = staff[0].id
    for i, doc in enumerate(intelligence[:max_cases]):
        received = (now - timedelta(days=40 - i)).isoformat(timespec="seconds")
        case_id = result.cases[i % len(result.cases)] if result.cases else None
        item = casework.record_intelligence(
            f"Intelligence in {doc.provenance.source_name}",
            DEMO_ACTOR,
            document_id=doc.id,
            case_id=case_id,
            received_at=received,
        )
        result.intelligence += 1
        if i % 3 == 0:  # a third are acted on; the rest lapse and escalate
            due = (now - timedelta(days=10 - i)).date().isoformat()
            casework.raise_action(f"Assess and develop {item.id}", owner, due, DEMO_ACTOR, intelligence_id=item.id)
    result.escalations = len(casework.escalate(DEMO_ACTOR, now))
    result.alerts = len(casework.raise_alerts(DEMO_ACTOR))
    return result


RANK_WORDS = frozenset(
    "pc wpc dc ds di dci sgt insp supt police constable detective sergeant inspector chief superintendent chief".split()
)


def _plain_name(name: str) -> str:
    """'Detective Sergeant John Hartley' -> 'John Hartley': staff are registered without rank."""
    words = name.split()
    while len(words) > 2 and words[0].casefold().strip(".") in RANK_WORDS:
        words = words[1:]
    return " ".join(words)
