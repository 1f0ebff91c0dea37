"""A workbench worker reads entities by key through the store, in batches, and never lists them.

At 100,000 documents an inquiry names over a hundred thousand entities: a worker that loaded them
all would hold tens of megabytes and take seconds to start (issue 14). The spies sit at the store's
seam (`AnalysisTables`), so they see every read whatever path a page takes.
Everyone here is fictional.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casetrail.casework import Casework
from casetrail.intake.register import Register
from casetrail.model.entity import Entity
from casetrail.resolution.matching import PERSON_KEYS
from casetrail.resolution.view import EntityView
from casetrail.store.analysis import AnalysisTables
from casetrail.store.home import Home
from casetrail.web.app import create_app
from tests.web.world import ORIGIN, PASSWORD, analysed, documents_by_name, register_staff, sign_in

# The person index reads the few entities a member of staff may be, by key: its reads are its own,
# not a page's, and not counted in a page's batches.
PERSON_INDEX = "/casework/independence.py"
SEAM = ("/casetrail/store/", "/casetrail/resolution/view.py")


@dataclass
class World:
    home: Home
    ids: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = Home(tmp_path_factory.mktemp("entity-reads") / "home")
    register = analysed(home, "entity-reads")
    cw = Casework(register)
    doc = documents_by_name(register)
    officer = next(e for e in cw.entity_view().all_entities().values() if e.type == "officer")
    staff = register_staff(cw, "lead")
    first = cw.open_case("Statements about an officer", "lead")
    for name in ("statement-ash", "statement-cass", "statement-briar"):
        cw.add_document(first.id, doc[name], "lead")
    cw.add_subject(cw.add_allegation(first.id, "abuse_of_position_sexual", "lead").id, "lead", entity_id=officer.id)
    second = cw.open_case("The article", "lead")
    for name in ("statement-dell", "article-ash"):
        cw.add_document(second.id, doc[name], "lead")
    cw.warm()  # the same-account proposals are batch work, built and kept before any page
    sign_in(create_app(home, secure_cookies=False), register, {"marsh": (["supervisor"], staff.marsh.id)})
    ids = {"officer": officer.id, "case": first.id, "ash": doc["statement-ash"]}
    return World(home, ids)


def signed_in(world: World) -> TestClient:
    """A new worker (nothing kept yet) and the supervisor signed in to it."""
    client = TestClient(create_app(world.home, secure_cookies=False), headers=ORIGIN)
    signed = client.post("/login", data={"username": "marsh", "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    return client


def _asker() -> str:
    """The file that asked the store: the first frame outside the store and the entity view."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not frame.filename.endswith(SEAM[1]) and SEAM[0] not in frame.filename:
            return frame.filename
    return ""


def spy(monkeypatch: pytest.MonkeyPatch, method: str, exempt: str = "") -> list[tuple[str, ...]]:
    """The ids each call of `AnalysisTables.<method>` asked for (() when it takes none), except
    the calls `exempt` (a source file) made."""
    calls: list[tuple[str, ...]] = []
    real: Callable[..., Any] = getattr(AnalysisTables, method)

    def spied(self: AnalysisTables, *args: Iterable[str]) -> Any:
        asked = tuple(dict.fromkeys(args[0])) if args else ()
        if not exempt or not _asker().endswith(exempt):
            calls.append(asked)
        return real(self, list(asked)) if args else real(self)

    monkeypatch.setattr(AnalysisTables, method, spied)
    return calls


def pages(world: World) -> Iterator[str]:
    ids = world.ids
    yield from ("/", "/cases", f"/cases/{ids['case']}", f"/api/cases/{ids['case']}", f"/cases/{ids['case']}/work")
    yield from (f"/entities/{ids['officer']}", f"/api/entities/{ids['officer']}")
    yield from (f"/documents/{ids['ash']}", f"/api/documents/{ids['ash']}", "/search?q=a", "/api/search?q=a")
    yield from (f"/api/cases/{ids['case']}/subject-choices?q=a", "/proposals", "/intelligence", "/actions")


def test_a_worker_never_lists_the_entities(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = spy(monkeypatch, "entity_rows")
    read = spy(monkeypatch, "entities_in", exempt=PERSON_INDEX)
    client = signed_in(world)
    for page in pages(world):
        assert client.get(page).status_code == 200, page
    assert listed == []
    assert read, "entities are read from the store by key"


def _entity_page(body: dict[str, Any]) -> int:
    return len(body["graph"]["nodes"]) - len(body["cases"])


def _document_page(body: dict[str, Any]) -> int:
    return len({m["entity_id"] for m in body["mentions"] if m["entity_id"]})


@pytest.mark.parametrize(
    ("page", "shown", "reads"),
    [
        # the entity itself, then its chart's neighbours together
        ("/api/entities/{officer}", _entity_page, 2),
        ("/api/documents/{ash}", _document_page, 1),
    ],
)
def test_a_page_reads_its_entities_in_batches(
    world: World, monkeypatch: pytest.MonkeyPatch, page: str, shown: Callable[[dict[str, Any]], int], reads: int
) -> None:
    client = signed_in(world)
    calls = spy(monkeypatch, "entities_in", exempt=PERSON_INDEX)
    response = client.get(page.format(**world.ids))
    assert response.status_code == 200
    entities = shown(response.json())
    assert entities >= 5, "the page shows enough entities to tell a batch from a read each"
    assert 1 <= len(calls) <= reads, calls
    assert len({e for asked in calls for e in asked}) >= entities - 1  # the page's entities, each once


def test_a_case_page_reads_its_entities_in_a_few_batches(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client = signed_in(world)
    calls = spy(monkeypatch, "entities_in", exempt=PERSON_INDEX)
    assert client.get(f"/api/cases/{world.ids['case']}").status_code == 200
    asked = [e for batch in calls for e in batch]
    assert len(asked) >= 5
    # its subjects, the entities its links share, those too widely shared to link: a read each at most
    assert 1 <= len(calls) <= 3, calls


@pytest.mark.parametrize("page", ["/api/search?q=whitlock", "/api/cases/{case}/subject-choices?q=whitlock"])
def test_a_name_search_is_one_narrowed_read(world: World, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    client = signed_in(world)
    narrowed, read = spy(monkeypatch, "entities_by_name"), spy(monkeypatch, "entities_in", exempt=PERSON_INDEX)
    body = client.get(page.format(**world.ids)).json()
    assert [e["id"] for e in body["entities"]] == [world.ids["officer"]]
    assert narrowed == [("whitlock",)] and read == []


# Names whose casefolding SQL's ASCII-only folding would miss, and JSON's escapes in aliases.
UNUSUAL = [
    ("E-strauss", "person", "Anna Strauß", []),
    ("E-zoe", "person", "ZOË KENT", ["Zoë"]),
    ("E-dazza", "officer", "DS Whitlock", ['Darren "Dazza" Whitlock']),
    ("E-kelvin", "person", "\u212aelvin Moss", []),
    ("E-ann", "person", "Ann_Lee", ["O'Brien"]),
]
QUERIES = [["strauss"], ["zoë"], ["zoe"], ["kent"], ["dazza"], ["whitlock"], ["kelvin"], ["ann_lee"], ["brien"], ["a"]]


def test_a_name_search_finds_what_reading_every_entity_would(world: World) -> None:
    store = Register.open(world.home).store
    with store.transaction():  # as an incremental run adds them: filed in the name index too
        added = [(Entity(eid, kind, name, tuple(aliases)), []) for eid, kind, name, aliases in UNUSUAL]
        store.analysis.add_entities(added, PERSON_KEYS)
    assert store.analysis.names_filed()  # the search below reads the index, not every entity
    view = EntityView(store.analysis)
    every = view.all_entities().values()
    for words in QUERIES:
        expected = sorted(
            (e.id, e.type, e.name) for e in every if all(w in " ".join((e.name, *e.aliases)).casefold() for w in words)
        )
        assert view.named(words) == expected, words
    assert {e for e, _, _ in view.named(["strauss"])} == {"E-strauss"}  # the check is not vacuous
