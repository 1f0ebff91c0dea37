"""An assignment that was independent when made, and is not any more, escalates to the overseer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from casetrail.analysis import Analysis
from casetrail.casework import ASSIGNMENT_CONFLICT, Casework
from casetrail.casework.presentation import case_json
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.ledger.verification import verify_store
from casetrail.model.casework import AssignmentRole, Rule
from casetrail.store.home import Home

INQUIRY = Path(__file__).parent / "inquiry"


def test_a_new_document_naming_the_investigator_escalates(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    register = Register.create(home, "casetrail.test/later")
    register.ingest(iter_files([INQUIRY / "statement-ash.txt"]), Submission("intake", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    casework = Casework(register)
    pryce = casework.register_staff("Owen Pryce", "lead", force="Independent Office for Police Conduct")
    case = casework.open_case("Ash's complaint", "lead")
    first = next(d.id for d, _, _ in register.store.documents.iter_documents())
    casework.add_document(case.id, first, "lead")
    assert casework.assign(case.id, pryce.id, AssignmentRole.INVESTIGATOR, "lead").allowed
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    assert casework.escalate("overseer-bot", moment) == []

    late = tmp_path / "late.txt"
    late.write_text(
        "Statement of a witness. In 2004 I saw DC Owen Pryce of Northmoor Police drinking with "
        "PC Darren Whitlock at the Kelham Arms on Kelham Street.\n"
    )
    outcome = register.ingest(iter_files([late]), Submission("intake", "test"))[0]
    analysis = Analysis(register)
    analysis.extract()
    analysis.resolve()
    casework = Casework(register)  # a fresh view of the resolved entities
    casework.add_document(case.id, outcome.document_id, "lead")

    view = case_json(casework, case.id)
    now = [c["rule"] for a in view["assignments"] for c in a["conflicts_now"]]
    assert now == [Rule.NAMED_IN_DOCUMENTS.value]
    made = casework.escalate("overseer-bot", moment)
    assert [(e.reason, e.item_id) for e in made] == [(ASSIGNMENT_CONFLICT, f"{case.id}/{pryce.id}/investigator")]
    assert casework.escalate("overseer-bot", moment) == []  # once
    assert verify_store(register.store, register.objects, NoteVerifier.from_text(home.verifier_key())).ok
