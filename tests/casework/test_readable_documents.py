"""Which documents one viewer may list, read from the store by what could pass (their reach and
their own uploads), never from the inquiry's whole listing: the same documents, in the same order,
as the one check over every document gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.casework import Casework
from casetrail.casework.reads import WEB_CHANNEL
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import AssignmentRole
from casetrail.policy.access import filter_documents
from casetrail.store.home import Home
from casetrail.views.sight import Sight, sight_for

INQUIRY = Path(__file__).parent / "inquiry"
VIEWERS = [  # (user id, roles, staff name): fictional staff
    ("u-quist", frozenset({"investigator"}), "Mabel Quist"),
    ("u-hale", frozenset({"supervisor"}), "Idris Hale"),
    ("u-intake", frozenset({"intake"}), None),
    ("u-other", frozenset({"intake"}), None),
    ("u-audit", frozenset({"auditor"}), None),
]


@pytest.fixture
def casework(tmp_path: Path) -> Casework:
    register = Register.create(Home(tmp_path / "home"), "casetrail.test/readable")
    statements = sorted(INQUIRY.glob("statement-*.txt"))
    register.ingest(iter_files(statements[:2]), Submission("u-batch", "upload"))
    register.ingest(iter_files(statements[2:]), Submission("u-intake", WEB_CHANNEL))  # the intake queue
    casework = Casework(register)
    staff = {
        name: casework.register_staff(name, "lead", force="Independent Office for Police Conduct")
        for name in ("Mabel Quist", "Idris Hale")
    }
    case = casework.open_case("A complaint", "lead")
    first = register.store.documents.listing()[0][0]
    casework.add_document(case.id, first, "lead")
    assert casework.assign(case.id, staff["Mabel Quist"].id, AssignmentRole.INVESTIGATOR, "lead").allowed
    return Casework(register)


def staff_id(casework: Casework, name: str | None) -> str | None:
    return next((s.id for s in casework.book().staff.values() if s.name == name), None) if name else None


def whole_listing(casework: Casework, sight: Sight) -> list[str]:
    listing = casework.store.documents.listing()
    return filter_documents(sight.viewer, sight.reach, (d for d, _ in listing), dict(listing))


def test_a_viewer_lists_what_the_check_over_every_document_allows(casework: Casework) -> None:
    sights = {user: sight_for(casework, user, user, roles, staff_id(casework, name)) for user, roles, name in VIEWERS}
    expected = {user: whole_listing(casework, sight) for user, sight in sights.items()}
    assert expected["u-intake"] and expected["u-hale"] and expected["u-other"] == [] and expected["u-audit"] == []
    assert expected["u-intake"] != expected["u-hale"]  # own uploads against reach: both ways are exercised

    tables = type(casework.store.documents)

    def listing(self: object) -> None:
        raise AssertionError("a viewer's list read the whole listing")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "listing", listing)
        found = {user: casework.readable_documents(sight.viewer, sight.reach) for user, sight in sights.items()}
    assert found == expected
