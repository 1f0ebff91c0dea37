"""The person index in the store: which entities a member of staff may be, without any worker
holding every entity. It must find exactly what matching over every entity in memory finds, after
a full run, after an incremental one, and after an upgrade that left it empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import StaffMember, StaffRole
from casetrail.model.entity import Entity
from casetrail.resolution.matching import PERSON_KEYS, PERSON_KINDS, Wanted, matching
from casetrail.store.home import Home
from tests.conftest import run_sql

INQUIRY = Path(__file__).parent / "inquiry"
LATE = (
    "Statement of a witness. In 2005 I saw PC 4471 Darren Whitlock and DS Gareth Hollins at the Kelham Arms,"
    " and Sergeant Hollins told me that PC Ruth Okafor had stopped asking questions.\n"
)
# Fictional staff: some are people the statements name, some only share a surname or a collar.
STAFF = [
    ("Darren Whitlock", None),
    ("D. Whitlok", None),
    ("Sarah Whitlock", None),
    ("Gareth Hollins", None),
    ("Gary Hollins", "4471"),
    ("Ruth Okafor", None),
    ("Owen Pryce", None),
    ("Mabel Quist", "4471"),
    ("Nobody Atall", None),
]


def staff(name: str, collar: str | None) -> StaffMember:
    return StaffMember(f"S-{name}", name, None, None, (StaffRole.INVESTIGATOR,), collar_number=collar)


def every_entity(register: Register) -> list[Entity]:
    return list(Casework(register).entity_view().all_entities().values())


def answers(register: Register) -> dict[str, frozenset[str]]:
    """Who each member of staff may be, as a workbench worker finds it (a fresh view each time)."""
    independence = Casework(register).independence
    return {name: independence.candidate(staff(name, collar)).entity_ids for name, collar in STAFF}


def expected(register: Register) -> dict[str, frozenset[str]]:
    """Who each member of staff may be, judging every entity (no index narrowing the candidates)."""
    known = every_entity(register)
    return {name: frozenset(matching(Wanted.of(name, collar), known)) for name, collar in STAFF}


@pytest.fixture
def register(tmp_path: Path) -> Register:
    register = Register.create(Home(tmp_path / "home"), "casetrail.test/person-index")
    register.ingest(iter_files(sorted(INQUIRY.glob("statement-*.txt"))), Submission("intake", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    return register


def test_the_stored_index_finds_what_matching_every_entity_finds(register: Register) -> None:
    found = answers(register)
    assert found == expected(register)
    assert sum(bool(ids) for ids in found.values()) >= 2  # the statements name Whitlok and others
    assert found["Nobody Atall"] == frozenset()


def test_an_incremental_run_files_its_new_and_grown_entities(register: Register, tmp_path: Path) -> None:
    late = tmp_path / "late.txt"
    late.write_text(LATE)
    register.ingest(iter_files([late]), Submission("intake", "test"))
    analysis = Analysis(register)
    analysis.extract()
    analysis.resolve(incremental=True)
    assert register.store.analysis.last_run()["kind"] == "incremental"
    found = answers(register)
    assert found == expected(register)
    assert found["Gareth Hollins"], "the late statement's sergeant is found by the index"


def test_a_store_upgraded_with_entities_is_indexed_by_its_next_reader(register: Register) -> None:
    before = answers(register)
    run_sql(register.store, "DELETE FROM person_keys")
    run_sql(register.store, "DELETE FROM read_models WHERE name = 'person_keys'")
    assert not register.store.analysis.people_indexed(PERSON_KEYS)
    assert answers(register) == before
    assert register.store.analysis.people_indexed(PERSON_KEYS)


def test_an_index_filed_under_other_rules_is_filed_again(register: Register) -> None:
    before = answers(register)
    run_sql(register.store, "DELETE FROM person_keys")
    run_sql(register.store, "INSERT INTO person_keys (key, entity_id) VALUES ('surname:whitlock', 'E-gone')")
    run_sql(register.store, "UPDATE read_models SET stamp = 'rules of old' WHERE name = 'person_keys'")
    assert not register.store.analysis.people_indexed(PERSON_KEYS)
    assert answers(register) == before
    keys = {str(key) for (key,) in run_sql(register.store, "SELECT key FROM person_keys")}
    assert "surname:whitlock" not in keys and keys


def test_a_worker_never_reads_every_entity_to_match_staff(register: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    want = expected(register)
    tables = type(register.store.analysis)

    def listing(self: object) -> None:
        raise AssertionError("the person index read every entity")

    monkeypatch.setattr(tables, "entity_rows", listing)
    assert answers(register) == want


def test_only_people_are_filed(register: Register) -> None:
    kinds = {
        str(kind)
        for (kind,) in run_sql(
            register.store, "SELECT DISTINCT e.type FROM person_keys k JOIN entities e ON e.id = k.entity_id"
        )
    }
    assert kinds and kinds <= PERSON_KINDS


def test_sealing_takes_the_keys_only_the_sealed_text_gave(register: Register, tmp_path: Path) -> None:
    late = tmp_path / "late.txt"
    late.write_text(LATE)
    doc_id = register.ingest(iter_files([late]), Submission("intake", "test"))[0].document_id
    Analysis(register).extract()
    Analysis(register).resolve()
    assert answers(register)["Ruth Okafor"], "only the late statement names her"
    assert any(k.startswith("name:okafor:") for k in keys(register))  # the control

    register.seal(doc_id, "lead", "a court order")
    assert not any(k.startswith("name:okafor:") for k in keys(register))  # in the sealing commit
    tables = register.store.analysis
    assert tables.stale_people() and tables.people_indexed(PERSON_KEYS)  # to file again, not all
    assert answers(register) == expected(register)
    assert answers(register)["Ruth Okafor"] == frozenset()
    assert tables.stale_people() == []


def keys(register: Register) -> set[str]:
    return {str(key) for (key,) in run_sql(register.store, "SELECT key FROM person_keys")}
