"""The independence rules: who may not investigate, interview, review or decide a case.

A member of staff is refused for a case when:

  party_in_case         they are a subject, complainant or witness in the case itself, by
                        their staff record or by an entity resolution ties them to.
                        (Rotherham: an accused officer interviewed his own accuser.)
  party_in_linked_case  they are a subject, complainant or witness in a case linked to it.
  named_in_documents    the case's documents mention them (an entity tied to them).
  same_force            they serve in the force of one of the case's subjects.
                        (A force must not investigate itself.)
  same_unit             they serve in the unit of one of the case's subjects, when the forces
                        are the same or one of them is not known.

The first three are conflicts of interest and can never be waived. The last two are conflicts
of affiliation: an independent overseer, who has no conflict of their own in the case (not even
a waivable one), may waive them for one member of staff on one case. A waiver names the rule,
the staff member and the case, and covers nothing else.

`check` is the one place the rules are applied; the assignee picker (`eligible`, `search`) and
the waiver gate (`may_waive`) go through it, so a list can never offer someone a check refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from casetrail.model.casework import (
    WAIVABLE_RULES,
    AssignmentContext,
    Candidate,
    Conflict,
    MentionRef,
    Participant,
    Rule,
    StaffRole,
    Verdict,
    Waiver,
)
from casetrail.policy.organisations import same_organisation

RuleCheck = Callable[[Candidate, AssignmentContext], list[Conflict]]
SUBJECT = "subject"


def _conflict(rule: Rule, case_id: str, detail: str, evidence: Iterable[str] = ()) -> Conflict:
    # Waivability comes from the model's one list, never from the rule function's say-so.
    return Conflict(rule, detail, tuple(evidence), rule in WAIVABLE_RULES, case_id)


def _article(capacity: str) -> str:
    return "an" if capacity[:1] in "aeiou" else "a"


def _party_conflicts(
    rule: Rule, candidate: Candidate, participants: Iterable[Participant], linked: bool
) -> list[Conflict]:
    """One conflict per participant the candidate is, by staff id or by a shared entity."""
    conflicts = []
    for p in participants:
        evidence = []
        if p.staff_id is not None and p.staff_id == candidate.staff.id:
            evidence.append(f"staff {p.staff_id}")
        evidence += [f"entity {e}" for e in sorted(p.entity_ids & candidate.entity_ids)]
        if evidence:
            where = f"linked case {p.case_id}" if linked else p.case_id
            detail = f"{candidate.staff.name} is {_article(p.capacity)} {p.capacity} in {where}: {p.label}"
            conflicts.append(_conflict(rule, p.case_id, detail, evidence))
    return conflicts


def party_in_case(candidate: Candidate, context: AssignmentContext) -> list[Conflict]:
    """The candidate is a subject, complainant or witness in this case."""
    here = [p for p in context.participants if p.case_id == context.case_id]
    return _party_conflicts(Rule.PARTY_IN_CASE, candidate, here, linked=False)


def party_in_linked_case(candidate: Candidate, context: AssignmentContext) -> list[Conflict]:
    """The candidate is a subject, complainant or witness in a case linked to this one."""
    # The case itself is excluded even if a link points back at it: that is party_in_case.
    linked = [p for p in context.participants if p.case_id in context.linked_case_ids and p.case_id != context.case_id]
    return _party_conflicts(Rule.PARTY_IN_LINKED_CASE, candidate, linked, linked=True)


def _cite(m: MentionRef) -> str:
    return f"{m.document_id} chars {m.start}-{m.end} '{m.text}'"


def named_in_documents(candidate: Candidate, context: AssignmentContext) -> list[Conflict]:
    """An entity tied to the candidate is mentioned in the case's documents."""
    conflicts = []
    for entity_id in sorted(candidate.entity_ids & context.named.keys()):
        mentions = sorted(context.named[entity_id], key=lambda m: (m.document_id, m.start, m.end))
        documents = sorted({m.document_id for m in mentions})
        detail = (
            f"{candidate.staff.name} is named in the case's documents as entity {entity_id} "
            f"({len(mentions)} mention(s) in {len(documents)} document(s))"
        )
        conflicts.append(_conflict(Rule.NAMED_IN_DOCUMENTS, context.case_id, detail, [_cite(m) for m in mentions]))
    return conflicts


def _subjects(context: AssignmentContext) -> list[Participant]:
    """The case's own subjects: affiliation rules look at whom this case is about."""
    return [p for p in context.participants if p.case_id == context.case_id and p.capacity == SUBJECT]


def same_force(candidate: Candidate, context: AssignmentContext) -> list[Conflict]:
    """The candidate serves in the force of one of the case's subjects."""
    force = candidate.staff.force
    return [
        _conflict(
            Rule.SAME_FORCE,
            p.case_id,
            f"{candidate.staff.name} serves in {force}, the force of subject {p.label} ({p.force}) in {p.case_id}",
            [f"subject {p.label}: force {p.force}"],
        )
        for p in _subjects(context)
        if same_organisation(force, p.force)
    ]


def same_unit(candidate: Candidate, context: AssignmentContext) -> list[Conflict]:
    """The candidate serves in the unit of one of the case's subjects (forces same or unknown)."""
    staff = candidate.staff
    conflicts = []
    for p in _subjects(context):
        # "CID" in two different forces is two different units; unknown force cannot rule it out.
        forces_compatible = not staff.force or not p.force or same_organisation(staff.force, p.force)
        if forces_compatible and same_organisation(staff.unit, p.unit):
            detail = f"{staff.name} serves in {staff.unit}, the unit of subject {p.label} ({p.unit}) in {p.case_id}"
            evidence = [f"subject {p.label}: unit {p.unit}, force {p.force or 'unknown'}"]
            conflicts.append(_conflict(Rule.SAME_UNIT, p.case_id, detail, evidence))
    return conflicts


RULES: dict[Rule, RuleCheck] = {
    Rule.PARTY_IN_CASE: party_in_case,
    Rule.PARTY_IN_LINKED_CASE: party_in_linked_case,
    Rule.NAMED_IN_DOCUMENTS: named_in_documents,
    Rule.SAME_FORCE: same_force,
    Rule.SAME_UNIT: same_unit,
}


def _waiver_for(conflict: Conflict, candidate: Candidate, context: AssignmentContext) -> Waiver | None:
    if conflict.rule not in WAIVABLE_RULES:
        return None  # a conflict of interest stays, whatever a waiver row says
    for waiver in context.waivers:
        if (
            waiver.rule == conflict.rule
            and waiver.staff_id == candidate.staff.id
            and waiver.case_id == context.case_id
            and waiver.by != candidate.staff.id
        ):
            return waiver  # nobody waives a rule for themselves
    return None


def check(candidate: Candidate, context: AssignmentContext) -> Verdict:
    """Apply every rule; waivable conflicts with a matching waiver move to `waived`."""
    conflicts: list[Conflict] = []
    waived: list[tuple[Conflict, str]] = []
    for rule in Rule:  # every rule in the model, in its order; a rule missing from RULES fails loudly
        for conflict in RULES[rule](candidate, context):
            waiver = _waiver_for(conflict, candidate, context)
            if waiver is None:
                conflicts.append(conflict)
            else:
                waived.append((conflict, waiver.id))
    return Verdict(tuple(conflicts), tuple(waived))


def eligible(candidates: Iterable[Candidate], context: AssignmentContext) -> list[Candidate]:
    """The candidates `check` allows, in the order given."""
    return [c for c in candidates if check(c, context).allowed]


def _matches(candidate: Candidate, needle: str) -> bool:
    staff = candidate.staff
    return any(
        needle in field.casefold() for field in (staff.name, staff.force, staff.unit, staff.collar_number) if field
    )


def search(candidates: Iterable[Candidate], context: AssignmentContext, query: str) -> list[Candidate]:
    """The eligible candidates whose name, force, unit or collar number contains `query`."""
    needle = query.strip().casefold()
    return eligible((c for c in candidates if _matches(c, needle)), context)


def may_waive(overseer: Candidate, context: AssignmentContext) -> list[str]:
    """Why this member of staff may not record a waiver for this case; empty means they may."""
    reasons = []
    if StaffRole.OVERSEER not in overseer.staff.roles:
        reasons.append(f"{overseer.staff.name} does not hold the {StaffRole.OVERSEER.value} role")
    verdict = check(overseer, context)
    # Waivable conflicts count too, waived or not: an overseer from the subject's force cannot
    # judge whether that force may investigate.
    for conflict in [*verdict.conflicts, *(c for c, _ in verdict.waived)]:
        reasons.append(f"{conflict.rule.value}: {conflict.detail}")
    return reasons
