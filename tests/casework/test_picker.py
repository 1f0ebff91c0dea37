"""The assignee picker and search obey the same independence check as a single assignment.

This is where such rules usually leak, so it is tested on its own, through the casework service
over a real store: a subject never appears for a case that names them, however they are sought.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.linking.links import KIND_ORDER
from casetrail.model.casework import AssignmentRole, PartyRole, Rule, StaffRole
from casetrail.policy.independence import check
from casetrail.store.home import Home

INQUIRY = Path(__file__).parent / "inquiry"
BY = "lead"


@pytest.fixture(scope="module")
def casework(tmp_path_factory: pytest.TempPathFactory) -> Casework:
    home = Home(tmp_path_factory.mktemp("picker") / "home")
    register = Register.create(home, "casetrail.test/picker")
    register.ingest(iter_files([INQUIRY]), Submission("intake", "test"))
    analysis = Analysis(register)
    analysis.extract()
    analysis.resolve()
    return Casework(register)


def doc(casework: Casework, stem: str) -> str:
    return next(
        d.id
        for d, _, _ in casework.store.documents.iter_documents()
        if d.provenance.source_name.endswith(f"{stem}.txt")
    )


def test_picker_and_search_never_offer_anyone_the_check_refuses(casework: Casework) -> None:
    whitlock = casework.register_staff("Darren Whitlock", BY, force="Northmoor Police", collar_number="4471")
    initial_only = casework.register_staff("D. Whitlock", BY, force="Elsewhere Constabulary")
    namesake = casework.register_staff("Karen Whitlock", BY, force="Elsewhere Constabulary")
    pryce = casework.register_staff("Owen Pryce", BY, force="Independent Office for Police Conduct")
    marsh = casework.register_staff("Helen Marsh", BY, force="Northmoor Police", unit="Professional Standards")
    complainant_staff = casework.register_staff("Nadia Frost", BY, force="Elsewhere Constabulary")
    overseer = casework.register_staff(
        "Ruth Calder", BY, force="Independent Office for Police Conduct", roles=(StaffRole.OVERSEER,)
    )

    # C1 names Whitlock only in a document (no subject recorded): he is still refused.
    c1 = casework.open_case("Briar's complaint", BY)
    casework.add_document(c1.id, doc(casework, "statement-briar"), BY)
    # C2 has him as a subject, a complainant who is staff, and a same-force unknown subject.
    c2 = casework.open_case("Cass's complaint", BY)
    casework.add_document(c2.id, doc(casework, "statement-cass"), BY)
    officer = next(e for e in casework.entity_view().all_entities().values() if e.type == "officer")
    allegation = casework.add_allegation(c2.id, "abuse_of_position_sexual", BY)
    casework.add_subject(allegation.id, BY, entity_id=officer.id)
    casework.add_party(c2.id, PartyRole.COMPLAINANT, BY, staff_id=complainant_staff.id)
    c3 = casework.open_case("Unrelated complaint", BY)
    casework.link_cases(c3.id, c2.id, "same address", BY)
    casework.record_waiver(c2.id, marsh.id, Rule.SAME_FORCE, "records review only", overseer.id)

    # C1 and C2 share the officer, so they are linked: C2's parties are refused on C1 as well.
    # "D. Whitlock" may be the officer (initial and surname agree): refusing is the safe side.
    expected = {
        c1.id: {namesake.id, pryce.id, marsh.id},
        c2.id: {namesake.id, pryce.id, marsh.id},  # Marsh under waiver
        c3.id: {namesake.id, pryce.id, marsh.id},  # linked to C2: its parties are refused here too
    }
    rules = {c.rule for c in casework.independence.check(c1.id, whitlock.id, AssignmentRole.INTERVIEWER).conflicts}
    assert rules == {Rule.NAMED_IN_DOCUMENTS, Rule.PARTY_IN_LINKED_CASE}
    assert initial_only.id not in {c.staff.id for c in casework.independence.assignable(c1.id)}
    for case_id, allowed in expected.items():
        book = casework.book()
        context = casework.independence.context(book, case_id)
        accepted = {
            s.id
            for s in book.staff.values()
            if check(casework.independence.candidate(s), context).allowed and StaffRole.INVESTIGATOR in s.roles
        }
        assert accepted == allowed, case_id
        assert {c.staff.id for c in casework.independence.assignable(case_id)} == allowed, case_id
        for query in ("Whitlock", "whitlock", "4471", "Northmoor", "Darren", "D.", "Elsewhere", "Frost", "o"):
            found = {c.staff.id for c in casework.independence.assignable(case_id, query)}
            assert found <= allowed, (case_id, query)
        assert whitlock.id not in {c.staff.id for c in casework.independence.assignable(case_id, "Darren Whitlock")}
    # the namesake is offered by search (she is not the officer), the officer never is
    assert [c.staff.id for c in casework.independence.assignable(c2.id, "Whitlock")] == [namesake.id]


def test_linked_cases_index_agrees_with_the_full_linkage(casework: Casework) -> None:
    """The fast entity index behind the policy gives the same linked cases as computing every link."""
    book = casework.book()
    linkages = casework.links.pairs(book)
    kinds = {"subject", "person", "officer", "pseudonym", "vehicle", "phone"}
    for case_id in book.cases:
        slow = set()
        for linkage in linkages:
            if case_id in (linkage.left, linkage.right) and (
                linkage.recorded or any(s.kind in kinds or s.subject_in for s in linkage.shared)
            ):
                slow.add(linkage.right if linkage.left == case_id else linkage.left)
        assert casework.links.linked_cases(book, case_id) == slow, case_id
        one = {(l.left, l.right, tuple(s.entity_id for s in l.shared)) for l in casework.links.pairs(book, case_id)}
        every = {
            (l.left, l.right, tuple(s.entity_id for s in l.shared)) for l in linkages if case_id in (l.left, l.right)
        }
        assert one == every, case_id


def test_link_summaries_agree_with_the_links(casework: Casework) -> None:
    """The workbench's fast summary of one case's links says what the full linkage says."""
    book = casework.book()
    assert len(book.cases) >= 3, "runs after the picker test, which opens the cases"
    for case_id in book.cases:
        full = {(l.left, l.right): l for l in casework.links.pairs(book, case_id)}
        count, listed = casework.links.summaries(case_id, None, book)
        summary = {(s["left"], s["right"]): s for s in listed}
        assert summary.keys() == full.keys() and count == len(listed), case_id
        # strongest first: made by hand, then by the most specific shared entity
        strength = [
            (-1, 0) if s["recorded"] else (KIND_ORDER[s["shared"][0]["kind"]], s["shared"][0]["cases_sharing"])
            for s in listed
        ]
        assert strength == sorted(strength), case_id
        assert casework.links.summaries(case_id, None, book, limit=1) == (count, listed[:1])
        hidden = {s["other"] for s in listed[::2]}
        assert {
            s["other"] for s in casework.links.summaries(case_id, None, book, visible=lambda c: c not in hidden)[1]
        } == ({s["other"] for s in listed} - hidden)
        for pair, link in full.items():
            got, shown = summary[pair], link.shared[:10]
            assert got["shared_count"] == len(link.shared), pair
            assert [s["entity_id"] for s in got["shared"]] == [s.entity_id for s in shown], pair
            assert [s["kind"] for s in got["shared"]] == [s.kind for s in shown], pair
            assert [s["evidence_count"] for s in got["shared"]] == [len(s.evidence) for s in shown], pair
            assert [s["evidence"] for s in got["shared"]] == [[m.to_json() for m in s.evidence[:3]] for s in shown]
            assert sorted(got["recorded"]) == sorted(link.recorded), pair
        # with a cap, an entity more cases hold links nothing by itself; a link made by hand always shows
        for cap in (1, 2):
            capped = {(s["left"], s["right"]) for s in casework.links.summaries(case_id, cap, book)[1]}
            expected = {
                pair for pair, link in full.items() if link.recorded or any(s.cases_sharing <= cap for s in link.shared)
            }
            assert capped == expected, (case_id, cap)
    assert any(l.recorded for l in casework.links.pairs(book)), "the picker test records a link by hand"
