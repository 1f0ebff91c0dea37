"""The name index (migration 0018): entity name search reads the few entities a trigram index finds
instead of every entity, and finds exactly what checking every entity finds, after a full run, an
incremental one, a seal, and an upgrade that left it empty. Everyone here is fictional."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casetrail.analysis import Analysis
from casetrail.intake.register import Register, Submission, iter_files, utc_now
from casetrail.model.entity import Entity, searchable_name
from casetrail.resolution.matching import PERSON_KEYS
from casetrail.resolution.view import EntityView
from casetrail.store.analysis import AnalysisTables
from casetrail.store.database import POSTGRES, SQLITE
from casetrail.store.home import Home
from tests.conftest import run_sql

INQUIRY = Path(__file__).parent.parent / "casework" / "inquiry"
LATE = (
    "Statement of a witness. In 2005 I saw PC 4471 Darren Whitlock and DS Gareth Hollins at the Kelham Arms,"
    " and Sergeant Hollins told me that PC Ruth Okafor had stopped asking questions.\n"
)
# Names SQL's ASCII-only folding would miss, JSON's escapes, and LIKE's and FTS5's own syntax.
UNUSUAL = [
    Entity("E-strauss", "person", "Anna Strauß"),
    Entity("E-zoe", "person", "ZOË KENT", ("Zoë",)),
    Entity("E-dazza", "officer", "DS Whitlock", ('Darren "Dazza" Whitlock',)),
    Entity("E-kelvin", "person", "\u212aelvin Moss"),
    Entity("E-ann", "person", "Ann_Lee", ("O'Brien",)),
    Entity("E-annalee", "person", "Annalee Ward"),
    Entity("E-sale", "organisation", "50%_off Deals", ("C:\\Temp\\Deals", "NOT OR AND*")),
]
QUERIES = [
    ["strauss"],
    ["zoë"],
    ["zoe"],
    ["kent"],
    ["dazza"],
    ['"dazza"'],
    ["whitlock", "ds"],
    ["kelvin"],
    ["ann_lee"],
    ["n_l"],
    ["brien"],
    ["a"],  # under three characters, the index cannot find it: every entity is read
    ["ds"],
    ["an", "le"],
    ["50%_off"],
    ["%_o"],
    ["c:\\temp\\"],
    ["not", "and*"],
    ["deals", "nobody"],
]


@pytest.fixture
def register(tmp_path: Path) -> Register:
    register = Register.create(Home(tmp_path / "home"), "casetrail.test/name-index")
    with register.store.transaction():
        register.store.analysis.replace_entities([(e, []) for e in UNUSUAL], PERSON_KEYS, utc_now())
    return register


@pytest.fixture
def analysed(tmp_path: Path) -> Register:
    register = Register.create(Home(tmp_path / "home"), "casetrail.test/name-index")
    register.ingest(iter_files(sorted(INQUIRY.glob("statement-*.txt"))), Submission("intake", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    return register


def checked(tables: AnalysisTables, words: list[str]) -> list[tuple[str, str, str]]:
    """What a name search must find: every entity checked, none narrowed by an index."""
    every = EntityView(tables).all_entities().values()
    return sorted((e.id, e.type, e.name) for e in every if all(w in searchable_name(e.name, e.aliases) for w in words))


def filed(tables: AnalysisTables) -> dict[str, str]:
    return {str(eid): str(text) for eid, text in run_sql(tables.db, "SELECT entity_id, folded FROM entity_names")}


def in_step(tables: AnalysisTables) -> None:
    """The index files every entity as it is now, and nothing else; SQLite's FTS5 table agrees
    with its rows (its integrity check compares them when given rank 1)."""
    every = EntityView(tables).all_entities().values()
    assert filed(tables) == {e.id: searchable_name(e.name, e.aliases) for e in every}
    assert tables.names_filed()
    if tables.db.dialect == SQLITE:
        run_sql(tables.db, "INSERT INTO entity_names_search (entity_names_search, rank) VALUES ('integrity-check', 1)")


def test_a_search_finds_what_checking_every_entity_finds(register: Register) -> None:
    tables = register.store.analysis
    in_step(tables)
    view = EntityView(tables)
    for words in QUERIES:
        assert view.named(words) == checked(tables, words), words
    assert {e for e, _, _ in view.named(["strauss"])} == {"E-strauss"}  # the check is not vacuous
    assert {e for e, _, _ in view.named(["c:\\temp\\"])} == {"E-sale"}


def test_the_store_narrows_by_the_index(register: Register) -> None:
    """Its answer holds each entity with every long word, and none without: words under three
    characters are left to the caller, who checks every word."""
    tables = register.store.analysis
    found = {eid for eid, _, _, _ in tables.entities_by_name(["lee", "an"])}
    assert found == {"E-ann", "E-annalee"}
    assert {eid for eid, _, _, _ in tables.entities_by_name(["n_l"])} == {"E-ann"}  # `_` is no wildcard
    assert {eid for eid, _, _, _ in tables.entities_by_name(["%_o"])} == {"E-sale"}


def plan(tables: AnalysisTables, words: list[str]) -> str:
    """How the engine runs the store's name search for these words."""
    sql, params = tables.sql["entities_by_name"], tables._name_query(words)
    if tables.db.dialect == POSTGRES:
        # A few rows are cheaper to read than an index: forbid that, to see what the index can serve.
        with tables.db.transaction():
            tables.db.run("SET LOCAL enable_seqscan = off")
            return "\n".join(str(row[0]) for row in tables.db.run("EXPLAIN " + sql, params))
    return "\n".join(str(row[3]) for row in tables.db.run("EXPLAIN QUERY PLAN " + sql, params))


def test_a_search_reads_the_index_not_every_entity(register: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = register.store.analysis
    shown = plan(tables, ["whitlock", "dazza"])
    if tables.db.dialect == POSTGRES:
        assert "Index Scan on entity_names_folded" in shown, shown
    else:
        assert "VIRTUAL TABLE INDEX" in shown, shown  # the FTS5 table, found by its MATCH
        scans = [line for line in shown.splitlines() if line.startswith("SCAN") and "VIRTUAL TABLE" not in line]
        assert scans == [], shown  # entities and entity_names are read by key, never scanned
    # The search itself never runs the statement that reads every entity.
    seen: list[str] = []
    run = tables.db.run

    def spy(sql: str, params: object = ()) -> object:
        seen.append(sql)
        return run(sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(tables.db, "run", spy)
    assert [e for e, _, _ in EntityView(tables).named(["whitlock"])] == ["E-dazza"]
    assert tables.sql["entities_by_name"] in seen and tables.sql["entities_by_name_scan"] not in seen


def test_a_store_upgraded_with_entities_is_filed_by_its_first_search(register: Register, tmp_path: Path) -> None:
    tables = register.store.analysis
    run_sql(tables.db, "DELETE FROM entity_names")  # as migration 0018 leaves a store with entities
    run_sql(tables.db, "DELETE FROM entity_names_filed")
    assert not tables.names_filed()
    readonly = Home(tmp_path / "home").open_store(readonly=True)
    try:  # a read-only copy cannot file it: it reads every entity, and finds the same
        assert EntityView(readonly.analysis).named(["strauss"]) == [("E-strauss", "person", "Anna Strauß")]
        assert not readonly.analysis.names_filed()
    finally:
        readonly.close()
    assert EntityView(tables).named(["strauss"]) == [("E-strauss", "person", "Anna Strauß")]
    in_step(tables)


def test_an_index_filed_under_another_folding_is_filed_again(register: Register) -> None:
    tables = register.store.analysis
    run_sql(tables.db, "UPDATE entity_names SET folded = 'stale' WHERE entity_id = 'E-zoe'")
    run_sql(tables.db, "UPDATE entity_names_filed SET stamp = 'casefold, unicode 1.0'")
    assert EntityView(tables).named(["zoë"]) == [("E-zoe", "person", "ZOË KENT")]
    in_step(tables)


def test_an_update_that_renumbers_an_entity_files_it_under_its_new_id(register: Register) -> None:
    tables = register.store.analysis
    renamed = Entity("E-dazza-officer", "officer", "DS Darren Whitlock", ("Dazza",))
    with register.store.transaction():
        tables.update_entity("E-dazza", renamed, PERSON_KEYS)
        tables.add_entities([(Entity("E-new", "person", "Gareth Hollins"), [])], PERSON_KEYS)
    in_step(tables)
    view = EntityView(tables)
    assert [e for e, _, _ in view.named(["dazza"])] == ["E-dazza-officer"]
    assert [e for e, _, _ in view.named(["hollins"])] == ["E-new"]


def test_runs_and_seals_keep_the_index_in_step(analysed: Register, tmp_path: Path) -> None:
    tables = analysed.store.analysis
    in_step(tables)
    late = tmp_path / "late.txt"
    late.write_text(LATE)
    doc_id = analysed.ingest(iter_files([late]), Submission("intake", "test"))[0].document_id
    assert doc_id is not None
    Analysis(analysed).extract()
    Analysis(analysed).resolve(incremental=True)
    last = tables.last_run()
    assert last is not None and last["kind"] == "incremental"
    in_step(tables)
    view = EntityView(tables)
    assert view.named(["okafor"]), "only the late statement names her"
    assert view.named(["hollins"]) == checked(tables, ["hollins"])

    analysed.seal(doc_id, "lead", "a court order")
    in_step(tables)  # in the sealing commit: no reader has filed anything since
    assert EntityView(tables).named(["okafor"]) == []
    assert not any("okafor" in text for text in filed(tables).values())
    assert json.dumps(filed(tables)).count("whitlock") >= 1  # the control: other names stay
