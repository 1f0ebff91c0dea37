"""A long-lived `Casework` (the workbench keeps one per application) stays true to the store.

Its views are kept between calls and keyed on the store's generations (migration 0005) and the
casebook's newest leaf. These tests change the store from a second `Register` on the same home,
as another process would, and check the first one notices each kind of change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.errors import CaseworkError
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.store.home import Home

INQUIRY = Path(__file__).parent / "inquiry"
BY = "lead"


@pytest.fixture()
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    register = Register.create(home, "casetrail.test/views")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("statement-ash.txt", "statement-briar.txt"):
        shutil.copy(INQUIRY / name, corpus / name)
    register.ingest(iter_files([corpus]), Submission("intake", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    register.store.close()
    return home


def other_process(home: Home) -> Register:
    return Register.open(home)


def test_each_kind_of_change_moves_its_generation(home: Home, tmp_path: Path) -> None:
    register = Register.open(home)
    store = register.store
    start = store.generations()
    extra = tmp_path / "statement-cass.txt"
    shutil.copy(INQUIRY / "statement-cass.txt", extra)
    [outcome] = register.ingest([extra], Submission("intake", "test"))
    after_ingest = store.generations()
    assert after_ingest[0] > start[0] and after_ingest[1:] == start[1:]
    Analysis(register).extract()
    after_extract = store.generations()
    assert after_extract[1] > after_ingest[1] and after_extract[2] == after_ingest[2]
    Analysis(register).resolve()
    after_resolve = store.generations()
    assert after_resolve[2] > after_extract[2]
    assert outcome.document_id is not None
    register.seal(outcome.document_id, BY, "a court order")
    sealed = store.generations()
    assert all(now > before for now, before in zip(sealed, after_resolve))  # sealing drops mentions too


def test_a_long_lived_casework_sees_what_another_process_wrote(home: Home, tmp_path: Path) -> None:
    casework = Casework(Register.open(home))
    documents_before = {d.id for d, _, _ in casework.documents()}
    entities_before = set(casework.entity_view().all_entities())
    assert casework.book().cases == {}

    writer = other_process(home)
    Casework(writer).open_case("Opened elsewhere", BY)
    extra = tmp_path / "statement-cass.txt"
    shutil.copy(INQUIRY / "statement-cass.txt", extra)
    [outcome] = writer.ingest([extra], Submission("intake", "test"))
    Analysis(writer).extract()
    Analysis(writer).resolve()

    assert [c.title for c in casework.book().cases.values()] == ["Opened elsewhere"]
    assert {d.id for d, _, _ in casework.documents()} == documents_before | {outcome.document_id}
    view = casework.entity_view()
    assert set(view.all_entities()) != entities_before
    assert outcome.document_id in view.by_document  # the new statement's mentions are resolved and indexed


def test_a_stamp_ignores_read_audits_but_not_casework(home: Home) -> None:
    from casetrail.model.event import Event, EventType

    casework = Casework(Register.open(home))
    stamp = casework.stamp()
    audit = Event(EventType.READ_AUDITED, "D-000001", "2026-11-24T09:00:00Z", "U-1", {"kind": "document"})
    casework.log.append(
        [audit.to_leaf()],
        also=lambda idx: casework.store.casework.add_casework_events(
            [(idx[0], EventType.READ_AUDITED.value, "D-000001")]
        ),
    )
    assert casework.stamp() == stamp  # reading is not a change: sessions stay cached
    casework.open_case("A new case", BY)
    assert casework.stamp() != stamp


def test_adding_documents_is_all_or_nothing(home: Home) -> None:
    casework = Casework(Register.open(home))
    case = casework.open_case("Two statements", BY)
    first, second = sorted(d.id for d, _, _ in casework.documents())
    casework.add_documents(case.id, [first], BY)
    with pytest.raises(CaseworkError, match="already in"):
        casework.add_documents(case.id, [second, first], BY)
    assert list(casework.book().cases[case.id].documents) == [first]
    with pytest.raises(CaseworkError, match="no document"):
        casework.add_documents(case.id, [second, "D-999999"], BY)
    casework.add_documents(case.id, [second], BY)
    assert list(casework.book().cases[case.id].documents) == [first, second]


def test_refs_at_reads_only_the_pairs_asked_for(home: Home) -> None:
    view = Casework(Register.open(home)).entity_view()
    documents = [d for d, _ in Register.open(home).store.documents.listing()]
    everything = [ref for refs in view.by_document.many(documents).values() for ref in refs]
    pairs = sorted({(ref.document_id, ref.entity_id) for ref in everything})
    assert len({doc for doc, _ in pairs}) > 1 and len({e for _, e in pairs}) > 1, "the fixture names more"
    # a document with one of its entities, and another document with an entity the first names
    (doc, entity), other = pairs[0], next(p for p in pairs if p[0] != pairs[0][0])
    crossed = (other[0], entity)
    asked = [(doc, entity), other, crossed]
    expected = [r for r in everything if (r.document_id, r.entity_id) in asked]
    assert view.refs_at(asked) == expected
    assert 0 < len(expected) < len(everything)  # some asked for, and not all of it
    assert view.refs_at([]) == []
