"""Need-to-know access: the role matrix, the subject bar, and lists that agree with single checks.

The casebooks are built the way the ledger builds them, by replaying hand-made events. Every
expected allow or deny is written out below by hand; none is computed by the code under test.
Every person here is fictional.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.model.casework import Casebook, Participant, StaffRole
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
from tests.oversight.events import book as replay_book

AT = "2025-03-01T09:00:00Z"
LEAD = "S-0001"  # Insp. Marion Feld, who records the casework events
VIEWER_STAFF, VIEWER_USER, VIEWER_ENTITY = "S-0100", "u-viewer", "E-000100"
CASE, OTHER = "C-0001", "C-0002"
DOC, OTHER_DOC = "D-000001", "D-000002"
ENTITY, OTHER_ENTITY = "E-000001", "E-000002"  # named in DOC only; named in OTHER_DOC only


# -- events, as casework records them -------------------------------------------------------


def staff(staff_id: str, name: str, *roles: StaffRole) -> Event:
    body = {"name": name, "roles": [r.value for r in roles], "force": "Northmoor Police", "unit": None}
    return Event(EventType.STAFF_REGISTERED, staff_id, AT, LEAD, body)


def case(case_id: str, title: str) -> Event:
    return Event(EventType.CASE_OPENED, case_id, AT, LEAD, {"title": title, "kind": "complaint"})


def document(case_id: str, document_id: str) -> Event:
    return Event(EventType.CASE_DOCUMENT_ADDED, case_id, AT, LEAD, {"document_id": document_id, "given_by": None})


def allegation(allegation_id: str, case_id: str) -> Event:
    body = {
        "case": case_id,
        "category": "abuse_of_position_sexual",
        "summary": "Offered lifts home in exchange for silence",
    }
    return Event(EventType.ALLEGATION_RECORDED, allegation_id, AT, LEAD, body)


def ref(entity_id: str, name: str) -> dict[str, Any]:
    return {"entity_id": entity_id, "name": name, "records": []}


def subject(
    allegation_id: str, subject_id: str, *, staff_id: str | None = None, entity: dict[str, Any] | None = None
) -> Event:
    body = {"subject_id": subject_id, "staff_id": staff_id, "entity": entity}
    return Event(EventType.SUBJECT_ADDED, allegation_id, AT, LEAD, body)


def party(
    case_id: str,
    party_id: str,
    role: str,
    pseudonym: str,
    *,
    staff_id: str | None = None,
    entity: dict[str, Any] | None = None,
) -> Event:
    body = {"party_id": party_id, "role": role, "pseudonym": pseudonym, "staff_id": staff_id, "entity": entity}
    return Event(EventType.CASE_PARTY_ADDED, case_id, AT, LEAD, body)


def assigned(case_id: str, staff_id: str, role: str = "investigator") -> Event:
    return Event(EventType.ASSIGNMENT_MADE, case_id, AT, LEAD, {"staff_id": staff_id, "role": role})


def ended(case_id: str, staff_id: str, role: str = "investigator") -> Event:
    return Event(EventType.ASSIGNMENT_ENDED, case_id, AT, LEAD, {"staff_id": staff_id, "role": role, "reason": "moved"})


# -- what the caller computes: each case's documents and participants ---------------------------


def participants_of(book: Casebook) -> dict[str, list[Participant]]:
    """As the workbench gathers them (no resolution run here, so the recorded entity id is current)."""

    def ids(entity: Any) -> frozenset[str]:
        return frozenset({entity.entity_id}) if entity else frozenset()

    return {
        cid: [
            *(Participant(cid, "subject", s.label, s.staff_id, ids(s.entity)) for s in book.case_subjects(cid)),
            *(Participant(cid, p.role.value, p.pseudonym, p.staff_id, ids(p.entity)) for p in book.case_parties(cid)),
        ]
        for cid in book.cases
    }


def reach_in(
    book: Casebook,
    viewer: Viewer,
    document_entities: Mapping[str, set[str]],
    participants: Mapping[str, list[Participant]] | None = None,
) -> Reach:
    documents = {cid: set(c.documents) for cid, c in book.cases.items()}
    return reach(
        viewer, book, documents, document_entities, participants_of(book) if participants is None else participants
    )


def viewer(
    *roles: StaffRole, staff_id: str | None = VIEWER_STAFF, entities: Iterable[str] = (), user_id: str = VIEWER_USER
) -> Viewer:
    return Viewer(user_id, frozenset(roles), staff_id, frozenset(entities))


# -- the full matrix ------------------------------------------------------------------------------

# Two cases. CASE holds DOC, which names ENTITY; OTHER holds OTHER_DOC, which names OTHER_ENTITY.
# The viewer (S-0100) holds one role and is, towards CASE:
#   assigned    assigned to CASE as investigator
#   unassigned  assigned to nothing
#   subject     assigned to CASE, and then named as the subject of an allegation in it (a later
#               conflict: the assignment is still current)
# Nobody in the viewer's seat is ever assigned to OTHER.
#
# Columns: the case, the document in it, the entity in that document, the document in the other
# case, the entity only in the other case, and may_reveal_identity for the case.
MATRIX = """
role           situation   case  document  entity  other_document  other_entity  identity
administrator  assigned    no    no        no      no              no            no
administrator  unassigned  no    no        no      no              no            no
administrator  subject     no    no        no      no              no            no
auditor        assigned    no    no        no      no              no            no
auditor        unassigned  no    no        no      no              no            no
auditor        subject     no    no        no      no              no            no
intake         assigned    no    no        no      no              no            no
intake         unassigned  no    no        no      no              no            no
intake         subject     no    no        no      no              no            no
investigator   assigned    yes   yes       yes     no              no            yes
investigator   unassigned  no    no        no      no              no            no
investigator   subject     no    no        no      no              no            no
supervisor     assigned    yes   yes       yes     yes             yes           yes
supervisor     unassigned  yes   yes       yes     yes             yes           yes
supervisor     subject     no    no        no      yes             yes           no
overseer       assigned    yes   yes       yes     yes             yes           yes
overseer       unassigned  yes   yes       yes     yes             yes           yes
overseer       subject     no    no        no      yes             yes           no
"""


def matrix_rows() -> list[tuple[str, str, dict[str, bool]]]:
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    columns = header[2:]
    return [
        (role, situation, {c: v == "yes" for c, v in zip(columns, values, strict=True)})
        for role, situation, *values in rows
    ]


def matrix_book(role: StaffRole, situation: str) -> Casebook:
    events = [
        staff(LEAD, "Insp. Marion Feld", StaffRole.SUPERVISOR),
        staff("S-0002", "DS Priya Anand", StaffRole.INVESTIGATOR),
        staff("S-0050", "PC Darren Whitlock", StaffRole.INVESTIGATOR),
        staff(VIEWER_STAFF, "Sgt Colm Brannigan", role),
        case(CASE, "Complaint of Bryony"),
        case(OTHER, "Complaint of Ashling"),
        document(CASE, DOC),
        document(OTHER, OTHER_DOC),
        allegation("AL-0001", CASE),
        subject("AL-0001", "SU-0001", staff_id="S-0050"),
        assigned(OTHER, "S-0002"),
    ]
    if situation in ("assigned", "subject"):
        events.append(assigned(CASE, VIEWER_STAFF))
    if situation == "subject":
        events += [allegation("AL-0002", CASE), subject("AL-0002", "SU-0002", staff_id=VIEWER_STAFF)]
    return replay_book(*events)


MATRIX_ENTITIES = {DOC: {ENTITY}, OTHER_DOC: {OTHER_ENTITY}}


def test_the_matrix_covers_every_role_and_situation() -> None:
    cells = {(role, situation) for role, situation, _ in matrix_rows()}
    assert cells == {(r.value, s) for r in StaffRole for s in ("assigned", "unassigned", "subject")}


@pytest.mark.parametrize(
    ("role", "situation", "expected"), matrix_rows(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_role_matrix(role: str, situation: str, expected: dict[str, bool]) -> None:
    who = viewer(StaffRole(role))
    book = matrix_book(StaffRole(role), situation)
    can = reach_in(book, who, MATRIX_ENTITIES)
    actual = {
        "case": can_read_case(who, can, CASE),
        "document": can_read_document(who, can, DOC),
        "entity": can_read_entity(who, can, ENTITY),
        "other_document": can_read_document(who, can, OTHER_DOC),
        "other_entity": can_read_entity(who, can, OTHER_ENTITY),
        "identity": may_reveal_identity(who, CASE, can),
    }
    assert actual == expected
    # The lists say the same as the single checks.
    assert filter_documents(who, can, [DOC, OTHER_DOC]) == [
        d for d, k in ((DOC, "document"), (OTHER_DOC, "other_document")) if expected[k]
    ]
    assert filter_entities(who, can, [ENTITY, OTHER_ENTITY]) == [
        e for e, k in ((ENTITY, "entity"), (OTHER_ENTITY, "other_entity")) if expected[k]
    ]
    assert (CASE in filter_cases(who, can, [CASE, OTHER])) is expected["case"]


# -- a subject never sees their case ------------------------------------------------------------

# CASE holds ONLY_HERE (naming ENTITY_HERE and ENTITY_BOTH) and SHARED; OTHER holds SHARED and
# ELSEWHERE (naming ENTITY_BOTH). SHARED names ENTITY_SHARED.
ONLY_HERE, SHARED, ELSEWHERE = "D-000011", "D-000012", "D-000013"
ENTITY_HERE, ENTITY_BOTH, ENTITY_SHARED = "E-000011", "E-000012", "E-000013"
SUBJECT_ENTITIES = {ONLY_HERE: {ENTITY_HERE, ENTITY_BOTH}, SHARED: {ENTITY_SHARED}, ELSEWHERE: {ENTITY_BOTH}}
EVERY_DOCUMENT = [ONLY_HERE, SHARED, ELSEWHERE]
EVERY_ENTITY = [ENTITY_HERE, ENTITY_BOTH, ENTITY_SHARED]


def subject_book(*roles: StaffRole, how: str = "staff", assigned_to: Iterable[str] = (CASE, OTHER)) -> Casebook:
    """The viewer is the subject of an allegation in CASE, recorded after they were assigned."""
    named = (
        subject("AL-0001", "SU-0001", staff_id=VIEWER_STAFF)
        if how == "staff"
        else subject("AL-0001", "SU-0001", entity=ref(VIEWER_ENTITY, "Colm Brannigan"))
    )
    return replay_book(
        staff(LEAD, "Insp. Marion Feld", StaffRole.SUPERVISOR),
        staff(VIEWER_STAFF, "Sgt Colm Brannigan", *roles),
        case(CASE, "Complaint of Bryony"),
        case(OTHER, "Complaint of Ashling"),
        document(CASE, ONLY_HERE),
        document(CASE, SHARED),
        document(OTHER, SHARED),
        document(OTHER, ELSEWHERE),
        *(assigned(c, VIEWER_STAFF) for c in assigned_to),
        allegation("AL-0001", CASE),
        named,
    )


SEATS = {
    "supervisor": (StaffRole.SUPERVISOR,),
    "overseer": (StaffRole.OVERSEER,),
    "assigned investigator": (StaffRole.INVESTIGATOR,),
    "all three": (StaffRole.SUPERVISOR, StaffRole.OVERSEER, StaffRole.INVESTIGATOR),
}


@pytest.mark.parametrize("how", ["staff", "entity"])
@pytest.mark.parametrize("seat", list(SEATS))
def test_a_subject_never_sees_their_case(seat: str, how: str) -> None:
    roles = SEATS[seat]
    book = subject_book(*roles, how=how)
    # Matched by entity: the viewer's account carries the resolved entity, not a staff-id match.
    who = viewer(*roles, entities=[VIEWER_ENTITY] if how == "entity" else [])
    can = reach_in(book, who, SUBJECT_ENTITIES)

    assert can.subject_of == {CASE}
    assert not can_read_case(who, can, CASE)
    assert not may_reveal_identity(who, CASE, can)
    assert not can_read_document(who, can, ONLY_HERE)  # reachable only through CASE
    assert not can_read_entity(who, can, ENTITY_HERE)  # named only in ONLY_HERE
    # What the viewer can also reach through OTHER stays readable.
    assert can_read_case(who, can, OTHER)
    assert can_read_document(who, can, SHARED) and can_read_document(who, can, ELSEWHERE)
    assert can_read_entity(who, can, ENTITY_BOTH) and can_read_entity(who, can, ENTITY_SHARED)
    # Lists and search give the same answer.
    assert filter_cases(who, can, [CASE, OTHER]) == [OTHER]
    assert filter_documents(who, can, EVERY_DOCUMENT) == [SHARED, ELSEWHERE]
    assert filter_entities(who, can, EVERY_ENTITY) == [ENTITY_BOTH, ENTITY_SHARED]


def test_a_subject_assigned_only_to_their_case_sees_nothing_of_it() -> None:
    book = subject_book(StaffRole.INVESTIGATOR, assigned_to=[CASE])
    who = viewer(StaffRole.INVESTIGATOR)
    can = reach_in(book, who, SUBJECT_ENTITIES)
    assert filter_cases(who, can, [CASE, OTHER]) == []
    assert filter_documents(who, can, EVERY_DOCUMENT) == []  # SHARED too: OTHER is not theirs
    assert filter_entities(who, can, EVERY_ENTITY) == []


def test_the_bar_holds_even_when_the_caller_leaves_the_case_out_of_the_participants() -> None:
    book = subject_book(StaffRole.SUPERVISOR)
    who = viewer(StaffRole.SUPERVISOR)
    can = reach_in(book, who, SUBJECT_ENTITIES, participants={})
    assert not can_read_case(who, can, CASE)
    assert not can_read_document(who, can, ONLY_HERE)


def test_a_hand_built_reach_cannot_open_a_barred_case() -> None:
    who = viewer(StaffRole.SUPERVISOR)
    stale = Reach(frozenset({CASE}), frozenset(), frozenset(), subject_of=frozenset({CASE}))
    assert not can_read_case(who, stale, CASE)
    assert filter_cases(who, stale, [CASE]) == []


@pytest.mark.parametrize("capacity", ["complainant", "witness"])
@pytest.mark.parametrize("seat", list(SEATS))
def test_a_member_of_staff_who_is_a_party_does_not_see_the_case(seat: str, capacity: str) -> None:
    roles = SEATS[seat]
    book = replay_book(
        staff(VIEWER_STAFF, "DC Nessa Quinlan", *roles),
        case(CASE, "Complaint of Bryony"),
        document(CASE, DOC),
        assigned(CASE, VIEWER_STAFF),
        party(CASE, "P-0001", capacity, "Officer Q", staff_id=VIEWER_STAFF),
    )
    who = viewer(*roles)
    can = reach_in(book, who, {DOC: {ENTITY}})
    assert can.party_to == {CASE} and can.subject_of == frozenset()
    assert not can_read_case(who, can, CASE)
    assert not can_read_document(who, can, DOC)
    assert not can_read_entity(who, can, ENTITY)


def test_a_party_matched_by_entity_is_barred_too() -> None:
    book = replay_book(
        staff(VIEWER_STAFF, "DC Nessa Quinlan", StaffRole.SUPERVISOR),
        case(CASE, "Complaint of Bryony"),
        document(CASE, DOC),
        party(CASE, "P-0001", "witness", "Witness W", entity=ref(VIEWER_ENTITY, "Nessa Quinlan")),
    )
    who = viewer(StaffRole.SUPERVISOR, entities=[VIEWER_ENTITY])
    can = reach_in(book, who, {DOC: {ENTITY}})
    assert can.party_to == {CASE}
    assert filter_cases(who, can, [CASE]) == []


# -- assignments, people on record, separation of duties ---------------------------------------


def test_an_ended_assignment_opens_nothing() -> None:
    book = replay_book(
        staff(VIEWER_STAFF, "DS Priya Anand", StaffRole.INVESTIGATOR),
        case(CASE, "Complaint of Bryony"),
        document(CASE, DOC),
        assigned(CASE, VIEWER_STAFF),
        ended(CASE, VIEWER_STAFF),
    )
    who = viewer(StaffRole.INVESTIGATOR)
    can = reach_in(book, who, {DOC: {ENTITY}})
    assert (can.cases, can.documents, can.entities) == (frozenset(), frozenset(), frozenset())


@pytest.mark.parametrize("role", ["interviewer", "reviewer", "decision_maker"])
def test_every_assignment_role_opens_the_case_to_an_investigator(role: str) -> None:
    book = replay_book(
        staff(VIEWER_STAFF, "DS Priya Anand", StaffRole.INVESTIGATOR),
        case(CASE, "Complaint of Bryony"),
        document(CASE, DOC),
        assigned(CASE, VIEWER_STAFF, role),
    )
    who = viewer(StaffRole.INVESTIGATOR)
    assert can_read_document(who, reach_in(book, who, {DOC: {ENTITY}}), DOC)


@pytest.mark.parametrize("staff_id", [None, "S-0999"])
def test_a_supervisor_account_that_is_nobody_on_record_reads_nothing(staff_id: str | None) -> None:
    book = matrix_book(StaffRole.SUPERVISOR, "unassigned")
    who = viewer(StaffRole.SUPERVISOR, staff_id=staff_id)
    can = reach_in(book, who, MATRIX_ENTITIES)
    assert filter_cases(who, can, [CASE, OTHER]) == []
    assert filter_documents(who, can, [DOC, OTHER_DOC]) == []


@pytest.mark.parametrize("keyholder", [StaffRole.ADMINISTRATOR, StaffRole.AUDITOR])
def test_an_administrator_or_auditor_reads_no_content_whatever_else_they_hold(keyholder: StaffRole) -> None:
    book = matrix_book(StaffRole.SUPERVISOR, "assigned")
    who = viewer(keyholder, StaffRole.SUPERVISOR, StaffRole.INVESTIGATOR, StaffRole.OVERSEER)
    can = reach_in(book, who, MATRIX_ENTITIES)
    assert filter_cases(who, can, [CASE, OTHER]) == []
    assert filter_documents(who, can, [DOC, OTHER_DOC]) == []
    assert filter_entities(who, can, [ENTITY, OTHER_ENTITY]) == []
    assert not may_reveal_identity(who, CASE, can)


# -- intake: the inbox of their own uploads ----------------------------------------------------


def test_intake_sees_only_what_they_submitted() -> None:
    book = matrix_book(StaffRole.INTAKE, "unassigned")
    who = viewer(StaffRole.INTAKE)
    can = reach_in(book, who, MATRIX_ENTITIES)
    submitted_by = {DOC: VIEWER_USER, OTHER_DOC: "u-someone-else", "D-000009": VIEWER_USER}
    assert filter_documents(who, can, [DOC, OTHER_DOC, "D-000009"], submitted_by) == [DOC, "D-000009"]
    assert can_read_document(who, can, DOC, submitted_by=VIEWER_USER)
    assert not can_read_document(who, can, DOC)  # without the submitter it is case content
    assert not can_read_document(who, can, OTHER_DOC, submitted_by="u-someone-else")
    assert filter_cases(who, can, [CASE, OTHER]) == []
    assert filter_entities(who, can, [ENTITY, OTHER_ENTITY]) == []  # not through their own upload either


def test_own_upload_needs_a_role_that_uploads() -> None:
    book = matrix_book(StaffRole.ADMINISTRATOR, "unassigned")
    who = viewer(StaffRole.ADMINISTRATOR)
    assert not can_read_document(who, reach_in(book, who, MATRIX_ENTITIES), DOC, submitted_by=VIEWER_USER)


def test_intake_still_sees_their_upload_once_it_is_in_a_case_about_them() -> None:
    # They hold the bytes already; hiding the file would tip them off that the case exists.
    book = subject_book(StaffRole.INTAKE)
    who = viewer(StaffRole.INTAKE)
    can = reach_in(book, who, SUBJECT_ENTITIES)
    assert can.subject_of == {CASE}
    assert can_read_document(who, can, ONLY_HERE, submitted_by=VIEWER_USER)
    assert not can_read_case(who, can, CASE)


# -- actions -------------------------------------------------------------------------------------

ACTIONS_TABLE = """
action          administrator  auditor  intake  investigator  supervisor  overseer
upload          no             no       yes     no            no          no
analyse         no             no       no      yes           yes         no
manage_cases    no             no       no      no            yes         no
assign          no             no       no      no            yes         no
record_waiver   no             no       no      no            no          yes
raise_action    no             no       no      yes           yes         no
escalate        yes            yes      yes     yes           yes         yes
read_audit      no             yes      no      no            no          no
manage_users    yes            no       no      no            no          no
view_integrity  no             yes      no      no            no          no
view_oversight  no             no       no      no            no          yes
"""


def test_actions_table() -> None:
    header, *rows = [line.split() for line in ACTIONS_TABLE.strip().splitlines()]
    assert {r[0] for r in rows} == {a.value for a in Action}
    for action, *answers in rows:
        for role, answer in zip(header[1:], answers, strict=True):
            assert can_do(viewer(StaffRole(role)), Action(action)) is (answer == "yes"), (role, action)


def test_actions_take_the_union_of_roles_and_nothing_without_one() -> None:
    both = viewer(StaffRole.AUDITOR, StaffRole.OVERSEER)
    assert can_do(both, Action.READ_AUDIT) and can_do(both, Action.RECORD_WAIVER)
    assert not any(can_do(viewer(), action) for action in Action)


# -- lists and search are exactly the single checks ------------------------------------------

CASE_IDS = [f"C-{n:04d}" for n in range(1, 5)]
DOC_IDS = [f"D-{n:06d}" for n in range(1, 7)]
ENTITY_IDS = [f"E-{n:06d}" for n in range(1, 7)]
USERS = ["u-viewer", "u-other"]


def subsets(pool: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(pool))


viewers = st.builds(
    Viewer,
    st.sampled_from(USERS),
    st.frozensets(st.sampled_from(list(StaffRole))),
    st.sampled_from([None, "S-0100", "S-0200"]),
    subsets(ENTITY_IDS),
)
reaches = st.builds(
    Reach, subsets(CASE_IDS), subsets(DOC_IDS), subsets(ENTITY_IDS), subsets(CASE_IDS), subsets(CASE_IDS)
)


@settings(max_examples=300, deadline=None)
@given(
    who=viewers,
    can=reaches,
    cases=st.lists(st.sampled_from(CASE_IDS)),
    documents=st.lists(st.sampled_from(DOC_IDS)),
    entities=st.lists(st.sampled_from(ENTITY_IDS)),
    submitters=st.dictionaries(st.sampled_from(DOC_IDS), st.one_of(st.none(), st.sampled_from(USERS))),
)
def test_filters_are_the_single_checks_element_by_element(
    who: Viewer,
    can: Reach,
    cases: list[str],
    documents: list[str],
    entities: list[str],
    submitters: dict[str, str | None],
) -> None:
    assert filter_cases(who, can, cases) == [c for c in cases if can_read_case(who, can, c)]
    assert filter_documents(who, can, documents, submitters) == [
        d for d in documents if can_read_document(who, can, d, submitters.get(d))
    ]
    assert filter_documents(who, can, documents) == [d for d in documents if can_read_document(who, can, d)]
    assert filter_entities(who, can, entities) == [e for e in entities if can_read_entity(who, can, e)]


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Casebook, Viewer, dict[str, set[str]], set[str], set[str]]:
    """A random casebook around one viewer: returns it, the viewer, document entities, and the
    cases the viewer is assigned to and barred from."""
    roles = draw(st.frozensets(st.sampled_from(list(StaffRole))))
    by_entity = draw(st.booleans())
    events = [staff(VIEWER_STAFF, "Sgt Colm Brannigan", *sorted(roles)), *(case(c, f"Case {c}") for c in CASE_IDS)]
    for d in DOC_IDS:
        events += [document(c, d) for c in sorted(draw(subsets(CASE_IDS)))]
    assigned_to = draw(subsets(CASE_IDS))
    events += [assigned(c, VIEWER_STAFF) for c in sorted(assigned_to)]
    barred = draw(subsets(CASE_IDS))
    for n, c in enumerate(sorted(barred), start=1):
        capacity = draw(st.sampled_from(["subject", "complainant", "witness"]))
        who_is_it = {"entity": ref(VIEWER_ENTITY, "Colm Brannigan")} if by_entity else {"staff_id": VIEWER_STAFF}
        if capacity == "subject":
            events += [allegation(f"AL-{n:04d}", c), subject(f"AL-{n:04d}", f"SU-{n:04d}", **who_is_it)]
        else:
            events.append(party(c, f"P-{n:04d}", capacity, f"Party {n}", **who_is_it))
    entities = {d: set(draw(subsets(ENTITY_IDS))) for d in DOC_IDS}
    who = viewer(*roles, entities=[VIEWER_ENTITY] if by_entity else [])
    return replay_book(*events), who, entities, set(assigned_to), set(barred)


@settings(max_examples=200, deadline=None)
@given(world=worlds())
def test_in_any_casebook_the_bars_hold_and_lists_agree(
    world: tuple[Casebook, Viewer, dict[str, set[str]], set[str], set[str]],
) -> None:
    book, who, entities, assigned_to, barred = world
    can = reach_in(book, who, entities)
    readable_cases = filter_cases(who, can, CASE_IDS)
    readable_documents = filter_documents(who, can, DOC_IDS)
    readable_entities = filter_entities(who, can, ENTITY_IDS)
    assert readable_cases == [c for c in CASE_IDS if can_read_case(who, can, c)]
    assert readable_documents == [d for d in DOC_IDS if can_read_document(who, can, d)]
    assert readable_entities == [e for e in ENTITY_IDS if can_read_entity(who, can, e)]

    assert not set(readable_cases) & barred  # a subject or party never sees the case
    for d in readable_documents:  # every readable document is reachable through a readable case
        assert any(d in book.cases[c].documents for c in readable_cases)
    for e in readable_entities:  # every readable entity is named in a readable document
        assert any(e in entities[d] for d in readable_documents)
    if who.roles & {StaffRole.ADMINISTRATOR, StaffRole.AUDITOR} or not who.roles & {
        StaffRole.INVESTIGATOR,
        StaffRole.SUPERVISOR,
        StaffRole.OVERSEER,
    }:
        assert (readable_cases, readable_documents, readable_entities) == ([], [], [])
    elif not who.roles & {StaffRole.SUPERVISOR, StaffRole.OVERSEER}:
        assert set(readable_cases) == assigned_to - barred  # an investigator: assigned cases only
    else:
        assert set(readable_cases) == set(CASE_IDS) - barred
