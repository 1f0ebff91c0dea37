"""The entity view reads entities by key through its source, in batches, and never lists them
unless asked to for batch work (`all_entities`). The source here is a stand-in that counts.
Everyone here is fictional.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from casetrail.model.entity import Entity
from casetrail.resolution import view as view_module
from casetrail.resolution.view import EntityView

ENTITIES = {
    e.id: e
    for e in (
        Entity("E-ash", "person", "Ash Rowe"),
        Entity("E-rowan", "person", "Rowan", attributes={"pseudonym": True}),
        Entity("E-whitlock", "officer", "Darren Whitlock", ("DS Whitlock",)),
        Entity("E-car", "vehicle", "AB51 ABC"),
    )
}


class Counting:
    """Entities by key, counting the reads; the mention reads a view also has are not needed here."""

    def __init__(self) -> None:
        self.reads: list[list[str]] = []
        self.listed = 0

    def entities_in(self, entity_ids: Iterable[str]) -> dict[str, Entity]:
        asked = list(entity_ids)
        self.reads.append(asked)
        return {e: ENTITIES[e] for e in asked if e in ENTITIES}

    def entity_rows(self) -> list[dict[str, Any]]:
        self.listed += 1
        return [
            {"id": e.id, "type": e.type, "name": e.name, "aliases": list(e.aliases), "attributes": e.attributes}
            for e in ENTITIES.values()
        ]


@pytest.fixture
def source() -> Counting:
    return Counting()


@pytest.fixture
def view(source: Counting) -> EntityView:
    return EntityView(source)  # type: ignore[arg-type]


def test_names_kinds_and_pseudonyms_are_read_by_key(source: Counting, view: EntityView) -> None:
    assert view.names.get("E-ash", "E-ash") == "Ash Rowe"
    assert view.names.get("E-gone", "E-gone") == "E-gone"
    assert view.kinds.get("E-whitlock", "other") == "officer"
    assert view.kinds.get("E-gone", "other") == "other"
    assert "E-rowan" in view.pseudonymous and "E-ash" not in view.pseudonymous
    assert "E-gone" not in view.entities
    assert view.entities["E-car"].name == "AB51 ABC"
    assert source.listed == 0
    assert len(source.reads) == 5  # one per new key, absent keys too; the rest were kept
    view.names.get("E-gone")
    assert len(source.reads) == 5


def test_many_keys_are_one_read(source: Counting, view: EntityView) -> None:
    found = view.names.many(["E-ash", "E-whitlock", "E-gone", "E-ash"])
    assert found == {"E-ash": "Ash Rowe", "E-whitlock": "Darren Whitlock"}
    assert source.reads == [["E-ash", "E-whitlock", "E-gone"]]
    assert view.kinds.many(["E-ash", "E-car"]) == {"E-ash": "person", "E-car": "vehicle"}
    assert source.reads[1:] == [["E-car"]]  # what the names read is kept for the kinds too


def test_the_view_is_never_listed(view: EntityView) -> None:
    for stored in (view.entities, view.names, view.kinds, view.pseudonymous):
        with pytest.raises(TypeError):
            list(stored)
        with pytest.raises(TypeError):
            len(stored)


def test_a_scan_reads_in_batches_and_keeps_nothing(
    source: Counting, view: EntityView, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(view_module, "SCAN_BATCH", 2)
    scanned = [e.id for e in view.scan(["E-whitlock", "E-gone", "E-ash", "E-car", "E-rowan", "E-ash"])]
    assert scanned == ["E-ash", "E-car", "E-rowan", "E-whitlock"]
    assert [len(r) for r in source.reads] == [2, 2, 1]
    view.entities.get("E-ash")
    assert len(source.reads) == 4  # the scan kept nothing


def test_batch_work_lists_every_entity_when_it_asks(source: Counting, view: EntityView) -> None:
    assert view.all_entities() == ENTITIES
    assert source.listed == 1 and source.reads == []
