"""The independence rules, one by one, the waivers, and the picker that must agree with `check`.

Every person here is fictional.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.model.casework import (
    WAIVABLE_RULES,
    AssignmentContext,
    Candidate,
    Conflict,
    MentionRef,
    Participant,
    Rule,
    StaffMember,
    StaffRole,
    Waiver,
)
from casetrail.policy.independence import RULES, check, eligible, may_waive, search
from casetrail.policy.organisations import same_organisation

CASE, LINKED, UNRELATED = "C-0001", "C-0002", "C-0009"
CAPACITIES = ("subject", "complainant", "witness")
WHITLOCK = "PC Darren Whitlock (SU-0001, AL-0002)"


def staff(
    id: str = "S-0002",
    name: str = "DS Priya Anand",
    force: str | None = "Northmoor Police",
    unit: str | None = "Professional Standards",
    roles: Iterable[StaffRole] = (StaffRole.INVESTIGATOR,),
    collar: str | None = None,
) -> StaffMember:
    return StaffMember(id, name, force, unit, tuple(roles), collar)


def candidate(member: StaffMember | None = None, entities: Iterable[str] = ()) -> Candidate:
    return Candidate(member or staff(), frozenset(entities))


def participant(
    capacity: str = "subject",
    case: str = CASE,
    label: str = WHITLOCK,
    staff_id: str | None = None,
    entities: Iterable[str] = (),
    force: str | None = "South Calder Police",
    unit: str | None = "Child Protection Unit",
) -> Participant:
    return Participant(case, capacity, label, staff_id, frozenset(entities), force, unit)


def context(
    *participants: Participant,
    linked: Iterable[str] = (LINKED,),
    named: Mapping[str, tuple[MentionRef, ...]] | None = None,
    waivers: Iterable[Waiver] = (),
) -> AssignmentContext:
    return AssignmentContext(CASE, tuple(participants), frozenset(linked), dict(named or {}), tuple(waivers))


def waiver(rule: Rule, staff_id: str = "S-0002", case: str = CASE, id: str = "W-0001", by: str = "S-0900") -> Waiver:
    return Waiver(
        id, case, staff_id, rule, "no other investigator with the skills is available", by, "2025-02-01T10:00:00Z", 7
    )


def mention(
    entity: str, document: str = "D-000004", start: int = 120, end: int = 135, text: str = "PC Darren Whitlock"
) -> MentionRef:
    return MentionRef(document, start, end, text, "officer", entity)


def rules(conflicts: Iterable[Conflict]) -> set[Rule]:
    return {c.rule for c in conflicts}


# -- the table ---------------------------------------------------------------------------------


def test_every_rule_has_one_function() -> None:
    assert set(RULES) == set(Rule)


# -- party in case -----------------------------------------------------------------------------


def test_party_in_case_by_staff_id() -> None:
    verdict = check(candidate(staff("S-0007", "PC Darren Whitlock")), context(participant(staff_id="S-0007")))
    assert not verdict.allowed
    [conflict] = [c for c in verdict.conflicts if c.rule is Rule.PARTY_IN_CASE]
    assert conflict.detail == f"PC Darren Whitlock is a subject in {CASE}: {WHITLOCK}"
    assert conflict.evidence == ("staff S-0007",)
    assert not conflict.waivable


def test_party_in_case_by_entity() -> None:
    ctx = context(participant("complainant", entities={"E-000012"}))
    verdict = check(candidate(entities={"E-000012", "E-000013"}), ctx)
    assert rules(verdict.conflicts) == {Rule.PARTY_IN_CASE}
    assert verdict.conflicts[0].evidence == ("entity E-000012",)
    assert "is a complainant in C-0001" in verdict.conflicts[0].detail


def test_party_in_case_not_refused_for_someone_else() -> None:
    ctx = context(participant("witness", staff_id="S-0007", entities={"E-000012"}, force=None, unit=None))
    assert check(candidate(entities={"E-000099"}), ctx).allowed


def test_party_in_an_unlinked_case_does_not_count() -> None:
    ctx = context(participant(case=UNRELATED, staff_id="S-0002", entities={"E-000012"}))
    assert check(candidate(entities={"E-000012"}), ctx).allowed


# -- party in a linked case --------------------------------------------------------------------


def test_party_in_linked_case() -> None:
    verdict = check(candidate(), context(participant("witness", case=LINKED, staff_id="S-0002", force=None)))
    assert rules(verdict.conflicts) == {Rule.PARTY_IN_LINKED_CASE}
    assert f"is a witness in linked case {LINKED}" in verdict.conflicts[0].detail
    assert not verdict.conflicts[0].waivable


def test_party_in_linked_case_by_entity() -> None:
    verdict = check(candidate(entities={"E-000031"}), context(participant(case=LINKED, entities={"E-000031"})))
    assert rules(verdict.conflicts) == {Rule.PARTY_IN_LINKED_CASE}


def test_party_in_linked_case_not_refused_once_unlinked() -> None:
    ctx = context(participant("witness", case=LINKED, staff_id="S-0002"), linked=())
    assert check(candidate(), ctx).allowed


def test_subjects_of_linked_cases_do_not_bring_their_force() -> None:
    # same_force is about whom this case investigates, not the linked one.
    ctx = context(participant(case=LINKED, force="Northmoor Police", unit="Professional Standards"))
    assert check(candidate(), ctx).allowed


# -- named in the documents --------------------------------------------------------------------


def test_named_in_documents() -> None:
    named = {"E-000012": (mention("E-000012"), mention("E-000012", "D-000002", 5, 12, "Whitlock"))}
    verdict = check(candidate(entities={"E-000012"}), context(named=named))
    [conflict] = verdict.conflicts
    assert conflict.rule is Rule.NAMED_IN_DOCUMENTS and not conflict.waivable
    assert conflict.evidence == ("D-000002 chars 5-12 'Whitlock'", "D-000004 chars 120-135 'PC Darren Whitlock'")
    assert "2 mention(s) in 2 document(s)" in conflict.detail


def test_not_named_in_documents() -> None:
    named = {"E-000012": (mention("E-000012"),)}
    assert check(candidate(entities={"E-000099"}), context(named=named)).allowed


# -- same force --------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["South Calder Police", "the South Calder Police Force", "SCP", "S.C.P."])
def test_same_force(written: str) -> None:
    verdict = check(candidate(staff(force=written, unit=None)), context(participant()))
    [conflict] = verdict.conflicts
    assert conflict.rule is Rule.SAME_FORCE and conflict.waivable
    assert conflict.detail.startswith(f"DS Priya Anand serves in {written}, the force of subject {WHITLOCK}")


def test_other_force_is_not_refused() -> None:
    assert check(candidate(staff(force="Northmoor Constabulary")), context(participant())).allowed


def test_unknown_forces_never_match() -> None:
    assert check(candidate(staff(force=None, unit=None)), context(participant(force=None))).allowed
    assert check(candidate(staff(force="South Calder Police", unit=None)), context(participant(force=None))).allowed


def test_only_subjects_bring_their_force() -> None:
    for capacity in ("complainant", "witness"):
        assert check(candidate(staff(force="South Calder Police")), context(participant(capacity))).allowed


# -- same unit ---------------------------------------------------------------------------------


def test_same_unit_in_the_same_force() -> None:
    member = staff(force="South Calder Police", unit="the Child Protection Unit")
    verdict = check(candidate(member), context(participant()))
    assert rules(verdict.conflicts) == {Rule.SAME_FORCE, Rule.SAME_UNIT}
    assert all(c.waivable for c in verdict.conflicts)


@pytest.mark.parametrize(
    ("staff_force", "subject_force"), [(None, "South Calder Police"), ("Northmoor Police", None), (None, None)]
)
def test_same_unit_when_a_force_is_unknown(staff_force: str | None, subject_force: str | None) -> None:
    verdict = check(
        candidate(staff(force=staff_force, unit="CID")),
        context(participant(force=subject_force, unit="Criminal Investigation Department")),
    )
    assert rules(verdict.conflicts) == {Rule.SAME_UNIT}


def test_same_unit_name_in_another_force_is_another_unit() -> None:
    verdict = check(candidate(staff(force="Northmoor Police", unit="CID")), context(participant(unit="CID")))
    assert verdict.allowed


def test_unknown_units_never_match() -> None:
    assert check(candidate(staff(force=None, unit=None)), context(participant(force=None, unit=None))).allowed


# -- waivers -----------------------------------------------------------------------------------


AFFILIATED = staff(force="South Calder Police", unit="Traffic")  # same force, another unit


def test_waiver_lifts_a_waivable_conflict() -> None:
    verdict = check(candidate(AFFILIATED), context(participant(), waivers=[waiver(Rule.SAME_FORCE)]))
    assert verdict.allowed
    [(conflict, waiver_id)] = verdict.waived
    assert conflict.rule is Rule.SAME_FORCE and waiver_id == "W-0001"


@pytest.mark.parametrize(
    "row",
    [
        waiver(Rule.SAME_FORCE, staff_id="S-0003"),  # another member of staff
        waiver(Rule.SAME_FORCE, case=UNRELATED),  # another case
        waiver(Rule.SAME_UNIT),  # another rule
        waiver(Rule.SAME_FORCE, by="S-0002"),  # waived by the very person it would help
    ],
)
def test_waiver_applies_only_to_its_staff_case_and_rule(row: Waiver) -> None:
    verdict = check(candidate(AFFILIATED), context(participant(), waivers=[row]))
    assert not verdict.allowed and not verdict.waived
    assert rules(verdict.conflicts) == {Rule.SAME_FORCE}


def test_one_waiver_does_not_lift_another_rule() -> None:
    member = staff(force="South Calder Police", unit="Child Protection Unit")
    verdict = check(candidate(member), context(participant(), waivers=[waiver(Rule.SAME_FORCE)]))
    assert rules(verdict.conflicts) == {Rule.SAME_UNIT}
    assert rules(c for c, _ in verdict.waived) == {Rule.SAME_FORCE}
    both = context(participant(), waivers=[waiver(Rule.SAME_FORCE), waiver(Rule.SAME_UNIT, id="W-0002")])
    assert check(candidate(member), both).allowed


@pytest.mark.parametrize("rule", [Rule.PARTY_IN_CASE, Rule.PARTY_IN_LINKED_CASE, Rule.NAMED_IN_DOCUMENTS])
def test_conflicts_of_interest_are_never_waived(rule: Rule) -> None:
    ctx = context(
        participant(staff_id="S-0002"),
        participant(case=LINKED, staff_id="S-0002"),
        named={"E-000012": (mention("E-000012"),)},
        waivers=[waiver(rule)],
    )
    verdict = check(candidate(entities={"E-000012"}), ctx)
    assert not verdict.allowed and not verdict.waived
    assert rule in rules(verdict.conflicts)


def test_waivable_flag_follows_the_model() -> None:
    member = staff("S-0007", force="South Calder Police", unit="Child Protection Unit")
    ctx = context(
        participant(staff_id="S-0007"), participant(case=LINKED, staff_id="S-0007"), named={"E-1": (mention("E-1"),)}
    )
    verdict = check(candidate(member, {"E-1"}), ctx)
    assert rules(verdict.conflicts) == set(Rule)
    assert all(c.waivable == (c.rule in WAIVABLE_RULES) for c in verdict.conflicts)


# -- a matrix over roles and capacities --------------------------------------------------------


@pytest.mark.parametrize("role", list(StaffRole))
@pytest.mark.parametrize("capacity", CAPACITIES)
@pytest.mark.parametrize("by", ["staff_id", "entity"])
@pytest.mark.parametrize(("case", "rule"), [(CASE, Rule.PARTY_IN_CASE), (LINKED, Rule.PARTY_IN_LINKED_CASE)])
def test_matrix_no_role_exempts_a_party(role: StaffRole, capacity: str, by: str, case: str, rule: Rule) -> None:
    member = staff(roles=[role], force=None, unit=None)
    who = {"staff_id": "S-0002"} if by == "staff_id" else {"entities": {"E-000012"}}
    ctx = context(participant(capacity, case=case, **who), waivers=[waiver(rule)])
    verdict = check(candidate(member, {"E-000012"}), ctx)
    assert rules(verdict.conflicts) == {rule}
    assert not eligible([candidate(member, {"E-000012"})], ctx)


@pytest.mark.parametrize("role", list(StaffRole))
@pytest.mark.parametrize("capacity", CAPACITIES)
def test_matrix_affiliation_counts_only_for_subjects(role: StaffRole, capacity: str) -> None:
    member = staff(roles=[role], force="SCP", unit="Child Protection Unit")
    verdict = check(candidate(member), context(participant(capacity)))
    expected = {Rule.SAME_FORCE, Rule.SAME_UNIT} if capacity == "subject" else set()
    assert rules(verdict.conflicts) == expected


# -- the picker --------------------------------------------------------------------------------


def roster() -> list[Candidate]:
    return [
        candidate(staff("S-0002", "DS Priya Anand", "Northmoor Police", "Professional Standards", collar="NP4471")),
        candidate(staff("S-0003", "DC Tomasz Wilk", "South Calder Police", "CID", collar="SC2093")),
        candidate(staff("S-0004", "Ms Helen Orrin", None, None, roles=[StaffRole.SUPERVISOR])),
        candidate(staff("S-0007", "PC Darren Whitlock", "Northmoor Police", "Response", collar="NP0815"), {"E-000012"}),
    ]


def test_eligible_keeps_order_and_drops_the_refused() -> None:
    ctx = context(participant(entities={"E-000012"}))
    assert [c.staff.id for c in eligible(roster(), ctx)] == ["S-0002", "S-0004"]


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("anand", ["S-0002"]),
        ("NORTHMOOR", ["S-0002"]),
        ("standards", ["S-0002"]),
        ("np4471", ["S-0002"]),
        ("orrin", ["S-0004"]),
        ("", ["S-0002", "S-0004"]),
        ("wilk", []),
        ("nobody", []),
    ],
)
def test_search(query: str, ids: list[str]) -> None:
    ctx = context(participant(entities={"E-000012"}))
    assert [c.staff.id for c in search(roster(), ctx, query)] == ids


@pytest.mark.parametrize("how", ["staff_id", "entity", "named"])
def test_a_subject_never_appears_in_the_picker_for_their_own_case(how: str) -> None:
    whitlock = roster()[3]
    if how == "staff_id":
        ctx = context(participant(staff_id="S-0007", force=None, unit=None))
    elif how == "entity":
        ctx = context(participant(entities={"E-000012"}, force=None, unit=None))
    else:
        ctx = context(named={"E-000012": (mention("E-000012"),)})
    # Even a waiver row naming him for every rule (which should never exist) does not help.
    ctx = AssignmentContext(
        ctx.case_id,
        ctx.participants,
        ctx.linked_case_ids,
        ctx.named,
        tuple(waiver(r, staff_id="S-0007", id=f"W-{i}") for i, r in enumerate(Rule)),
    )
    assert not check(whitlock, ctx).allowed
    assert "S-0007" not in [c.staff.id for c in eligible(roster(), ctx)]
    for query in ("", "whitlock", "Darren", "NP0815", "northmoor", "response", "PC"):
        assert "S-0007" not in [c.staff.id for c in search(roster(), ctx, query)]
    assert "S-0002" in [c.staff.id for c in eligible(roster(), ctx)]  # the picker still offers others


# -- who may waive -----------------------------------------------------------------------------


OVERSEER = staff("S-0900", "Ms Ruth Calloway", "Independent Office", "Oversight", roles=[StaffRole.OVERSEER])


def test_an_independent_overseer_may_waive() -> None:
    assert may_waive(candidate(OVERSEER), context(participant())) == []


def test_only_overseers_may_waive() -> None:
    member = staff("S-0901", "Mr Ben Tarrant", "Independent Office", "Oversight", roles=[StaffRole.SUPERVISOR])
    [reason] = may_waive(candidate(member), context(participant()))
    assert "does not hold the overseer role" in reason


def test_an_overseer_from_the_subjects_force_may_not_waive() -> None:
    member = staff("S-0902", "Ms Ada Pell", "South Calder Police", "Audit", roles=[StaffRole.OVERSEER])
    ctx = context(participant(), waivers=[waiver(Rule.SAME_FORCE, staff_id="S-0902")])  # even if already waived
    [reason] = may_waive(candidate(member), ctx)
    assert reason.startswith("same_force: ")


def test_an_overseer_named_in_the_case_may_not_waive() -> None:
    ctx = context(participant(), named={"E-000050": (mention("E-000050", text="Ruth Calloway"),)})
    reasons = may_waive(candidate(OVERSEER, {"E-000050"}), ctx)
    assert [r.split(":")[0] for r in reasons] == ["named_in_documents"]


# -- the picker can never disagree with check: a property over random contexts ------------------

STAFF_IDS = ["S-0001", "S-0002", "S-0003", "S-0004"]
ENTITIES = [f"E-{i}" for i in range(1, 9)]
FORCES = [
    None,
    "",
    "South Calder Police",
    "SCP",
    "S.C.P.",
    "the South Calder Police Force",
    "Northmoor Constabulary",
    "Northmoor Police",
    "NP",
]
UNITS = [None, "CID", "Criminal Investigation Department", "Child Protection Unit", "Traffic"]
NAMES = ["DS Priya Anand", "DC Tomasz Wilk", "Ms Helen Orrin", "PC Darren Whitlock"]
# Weighted so that every rule, alone and waived, turns up often (the case itself and its subjects
# above all): uniform choices almost always refuse for a conflict of interest first.
CASES = [CASE, CASE, CASE, LINKED, UNRELATED]
WAIVER_RULES = [Rule.SAME_FORCE, Rule.SAME_UNIT] * 3 + [r for r in Rule if r not in WAIVABLE_RULES]

mentions = st.builds(
    mention,
    st.sampled_from(ENTITIES),
    st.sampled_from(["D-000001", "D-000002"]),
    st.integers(0, 50),
    st.integers(51, 99),
    st.sampled_from(["Whitlock", "DC Wilk"]),
)
participants = st.builds(
    Participant,
    st.sampled_from(CASES),
    st.sampled_from(["subject", "subject", "complainant", "witness"]),
    st.sampled_from(NAMES),
    st.none() | st.none() | st.sampled_from(STAFF_IDS),
    st.frozensets(st.sampled_from(ENTITIES), max_size=2),
    st.sampled_from(FORCES),
    st.sampled_from(UNITS),
)
waivers = st.builds(
    Waiver,
    st.sampled_from(["W-0001", "W-0002"]),
    st.sampled_from([CASE, CASE, LINKED]),
    st.sampled_from(STAFF_IDS),
    st.sampled_from(WAIVER_RULES),
    st.just("reason"),
    st.sampled_from(["S-0900", "S-0900", *STAFF_IDS]),
    st.just("2025-01-01T00:00:00Z"),
    st.just(1),
)
contexts = st.builds(
    AssignmentContext,
    st.just(CASE),
    st.lists(participants, max_size=5).map(tuple),
    st.frozensets(st.sampled_from([LINKED]), max_size=1),
    st.dictionaries(st.sampled_from(ENTITIES), st.lists(mentions, max_size=2).map(tuple), max_size=2),
    st.lists(waivers, max_size=8).map(tuple),
)
members = st.builds(
    StaffMember,
    st.sampled_from(STAFF_IDS),
    st.sampled_from(NAMES),
    st.sampled_from(FORCES),
    st.sampled_from(UNITS),
    st.lists(st.sampled_from(list(StaffRole)), min_size=1, max_size=2).map(tuple),
    st.none() | st.sampled_from(["NP4471", "SC2093"]),
)
candidates = st.lists(st.builds(Candidate, members, st.frozensets(st.sampled_from(ENTITIES), max_size=1)), max_size=6)


def oracle_refuses(c: Candidate, ctx: AssignmentContext) -> bool:
    """The rules restated from their description, independently of the implementation."""

    def waived(rule: Rule) -> bool:
        return any(
            w.rule == rule and w.staff_id == c.staff.id and w.case_id == CASE and w.by != c.staff.id
            for w in ctx.waivers
        )

    for p in ctx.participants:
        if p.case_id == CASE or p.case_id in ctx.linked_case_ids:
            if p.staff_id == c.staff.id or p.entity_ids & c.entity_ids:
                return True
    if any(e in ctx.named for e in c.entity_ids):
        return True
    subjects = [p for p in ctx.participants if p.case_id == CASE and p.capacity == "subject"]
    if not waived(Rule.SAME_FORCE) and any(same_organisation(c.staff.force, p.force) for p in subjects):
        return True
    same_unit = any(
        same_organisation(c.staff.unit, p.unit)
        and (not c.staff.force or not p.force or same_organisation(c.staff.force, p.force))
        for p in subjects
    )
    return same_unit and not waived(Rule.SAME_UNIT)


@settings(max_examples=400, deadline=None)
@given(candidates, contexts)
def test_eligible_is_exactly_what_check_allows(pool: list[Candidate], ctx: AssignmentContext) -> None:
    chosen = eligible(pool, ctx)
    assert [id(c) for c in chosen] == [id(c) for c in pool if check(c, ctx).allowed]
    assert [id(c) for c in chosen] == [id(c) for c in pool if not oracle_refuses(c, ctx)]


@settings(max_examples=400, deadline=None)
@given(candidates, contexts, st.sampled_from(["", "a", "whitlock", "SOUTH", "cid", "np", "s-0002", "Traffic"]))
def test_search_never_offers_anyone_check_refuses(pool: list[Candidate], ctx: AssignmentContext, query: str) -> None:
    found = search(pool, ctx, query)
    assert all(check(c, ctx).allowed and not oracle_refuses(c, ctx) for c in found)
    allowed = {id(c) for c in eligible(pool, ctx)}
    assert {id(c) for c in found} <= allowed
