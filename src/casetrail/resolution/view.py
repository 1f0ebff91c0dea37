"""What a resolution run concluded, as readers consult it: entities, records, mentions and their indexes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from casetrail.model.casework import EntityRef, MentionRef
from casetrail.model.entity import Entity


@dataclass(frozen=True)
class EntityView:
    """The entities and mentions a resolution run concluded, loaded once per resolution run.

    The indexes are built on first use and kept: a long-lived reader (the workbench) asks for one
    document's or one entity's mentions on every request, and must not scan them all each time.
    """

    entities: dict[str, Entity]
    records: dict[str, str]  # record id -> entity id
    mentions: list[MentionRef]
    _current: dict[EntityRef, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def build_indexes(self) -> None:
        """Build every index now rather than on first use (a server does, before its first request)."""
        for name in (
            "by_document",
            "by_entity",
            "document_entities",
            "entity_documents",
            "kinds",
            "names",
            "pseudonymous",
            "records_of",
        ):
            getattr(self, name)

    @cached_property
    def by_document(self) -> dict[str, list[MentionRef]]:
        found: dict[str, list[MentionRef]] = defaultdict(list)
        for ref in self.mentions:
            found[ref.document_id].append(ref)
        return dict(found)

    @cached_property
    def by_entity(self) -> dict[str, list[MentionRef]]:
        found: dict[str, list[MentionRef]] = defaultdict(list)
        for ref in self.mentions:
            found[ref.entity_id].append(ref)
        return dict(found)

    @cached_property
    def document_entities(self) -> dict[str, frozenset[str]]:
        return {doc: frozenset(r.entity_id for r in refs) for doc, refs in self.by_document.items()}

    @cached_property
    def entity_documents(self) -> dict[str, list[str]]:
        """Each entity's documents, once each, in document order."""
        return {eid: list(dict.fromkeys(r.document_id for r in refs)) for eid, refs in self.by_entity.items()}

    @cached_property
    def kinds(self) -> dict[str, str]:
        return {eid: e.type for eid, e in self.entities.items()}

    @cached_property
    def names(self) -> dict[str, str]:
        return {eid: e.name for eid, e in self.entities.items()}

    @cached_property
    def pseudonymous(self) -> frozenset[str]:
        return frozenset(eid for eid, e in self.entities.items() if e.attributes.get("pseudonym"))

    @cached_property
    def records_of(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = defaultdict(list)
        for record, eid in self.records.items():
            found[eid].append(record)
        return {eid: tuple(sorted(records)) for eid, records in found.items()}

    def current(self, ref: EntityRef | None) -> frozenset[str]:
        """The entity ids that hold the records a reference was made with (renumbering-proof).

        Kept per reference: a subject named across a large inquiry holds tens of thousands of
        records, and every request that asks who a subject is now would otherwise walk them."""
        if ref is None:
            return frozenset()
        found = self._current.get(ref)
        if found is None:
            now = {self.records[r] for r in ref.records if r in self.records}
            if not now and ref.entity_id in self.entities:
                now = {ref.entity_id}
            found = self._current[ref] = frozenset(now)
        return found
