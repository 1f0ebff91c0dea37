"""Sealing a document leaves no value that only its text gave on the entities it named: a collar
number or a unit the sealed statement alone gave goes from the entity, in the sealing commit, while
what the remaining documents still say stays."""

from __future__ import annotations

from pathlib import Path

from casetrail.analysis import Analysis
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.store.home import Home

INQUIRY = Path(__file__).parent / "inquiry"
SEALED = "Statement of a witness. In 2005 I saw PC 5093 Darren Whitlock of the Vice Squad at the Kelham Arms.\n"


def whitlock(register: Register) -> dict[str, object]:
    rows = [r for r in register.store.analysis.entity_rows() if "whitlo" in r["name"].casefold()]
    assert len(rows) == 1, rows
    return rows[0]["attributes"]


def test_sealing_takes_the_attributes_only_the_sealed_text_gave(tmp_path: Path) -> None:
    register = Register.create(Home(tmp_path / "home"), "casetrail.test/sealed-attributes")
    register.ingest(iter_files(sorted(INQUIRY.glob("statement-*.txt"))), Submission("intake", "test"))
    sealed = tmp_path / "sealed.txt"
    sealed.write_text(SEALED)
    doc_id = register.ingest(iter_files([sealed]), Submission("intake", "test"))[0].document_id
    Analysis(register).extract()
    Analysis(register).resolve()
    before = whitlock(register)
    assert "5093" in before["collar_number"] and "Vice Squad" in before["force"]  # the control

    register.seal(doc_id, "lead", "a court order")
    after = whitlock(register)
    assert "5093" not in after["collar_number"] and "Vice Squad" not in after["force"]
    assert after["collar_number"] == ["4471"] and after["force"] == ["Northmoor Police"]  # still said elsewhere
    assert after["rank"] == before["rank"]
