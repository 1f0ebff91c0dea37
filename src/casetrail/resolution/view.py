"""What a resolution run concluded, as readers consult it: entities and mentions, by key.

A 100,000-document inquiry names well over a hundred thousand entities in millions of mentions.
A reader reads both from the store when it asks for them, by id, by document or by entity,
through the store's indexes. A long-lived reader (each workbench worker) so holds no
inquiry-sized state, and keeps only the newest answers it gave (`Lookup`). Whole-inquiry batch
work (the CLI, the demo, the same-account proposals) reads everything now and keeps nothing.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from threading import Lock
from typing import Any, Protocol, TypeVar

from casetrail.model.casework import EntityRef, MentionRef
from casetrail.model.entity import Entity, searchable_name

V = TypeVar("V")
KEPT_ANSWERS = 4096  # per lookup: a page asks for tens of keys; a worker serves many pages
SCAN_BATCH = 2000  # entities per query when a pass reads many (`EntityView.scan`)
_MISSING = object()


class ResolvedSource(Protocol):
    """Where a view reads entities and mentions: the store's analysis tables (`store/analysis.py`)."""

    def entities_in(self, entity_ids: Iterable[str]) -> dict[str, Entity]: ...

    def entity_rows(self) -> list[dict[str, Any]]: ...

    def entities_by_name(self, words: Iterable[str]) -> list[tuple[str, str, str, tuple[str, ...]]]: ...

    def entity_mention_refs(self, document_ids: Iterable[str] | None = None) -> list[MentionRef]: ...

    def entity_mention_refs_at(self, pairs: Iterable[tuple[str, str]]) -> list[MentionRef]: ...

    def entity_refs_of(self, entity_ids: Iterable[str]) -> list[MentionRef]: ...

    def entity_document_counts(self, entity_ids: Iterable[str]) -> dict[str, dict[str, int]]: ...

    def records_of(self, entity_ids: Iterable[str]) -> dict[str, tuple[str, ...]]: ...

    def record_holders(self, record_ids: Iterable[str]) -> dict[str, str]: ...

    def document_entity_counts(self, document_ids: Iterable[str]) -> Iterator[tuple[str, str, int]]: ...


class Lookup(Mapping[str, V]):
    """A read through to the store by key, keeping the newest `size` answers (absent keys too).

    It is read by key (`get`, `[]`, `in`, `many`), never listed: listing would mean holding the
    whole table, which is what it exists to avoid."""

    def __init__(self, load: Callable[[list[str]], dict[str, V]], size: int = KEPT_ANSWERS) -> None:
        self._load = load
        self._size = size
        self._kept: OrderedDict[str, object] = OrderedDict()
        self._lock = Lock()  # workers answer requests on several threads

    def __getitem__(self, key: str) -> V:
        found = self.many([key]).get(key, _MISSING)
        if found is _MISSING:
            raise KeyError(key)
        return found  # type: ignore[return-value]

    def many(self, keys: Iterable[str]) -> dict[str, V]:
        """The answers for many keys, those not kept read in one query."""
        wanted = list(dict.fromkeys(keys))
        with self._lock:
            known = {k: self._kept[k] for k in wanted if k in self._kept}
            for k in known:
                self._kept.move_to_end(k)
        missing = [k for k in wanted if k not in known]
        if missing:
            loaded = self._load(missing)
            with self._lock:
                for k in missing:
                    known[k] = self._kept[k] = loaded.get(k, _MISSING)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return {k: v for k, v in known.items() if v is not _MISSING}  # type: ignore[misc]

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a stored lookup is read by key, not listed")

    def __len__(self) -> int:
        raise TypeError("a stored lookup is read by key, not counted")


class Field(Mapping[str, V]):
    """One field of each entity (its name, its kind), read by key through the entities' `Lookup`.

    A key whose entity is absent, or whose field `pick` gives as None, is not in it."""

    def __init__(self, entities: Lookup[Entity], pick: Callable[[Entity], V | None]) -> None:
        self._entities = entities
        self._pick = pick

    def __getitem__(self, key: str) -> V:
        found = self.many([key])
        if key not in found:
            raise KeyError(key)
        return found[key]

    def many(self, keys: Iterable[str]) -> dict[str, V]:
        picked = ((k, self._pick(e)) for k, e in self._entities.many(keys).items())
        return {k: v for k, v in picked if v is not None}

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a stored field is read by key, not listed")

    def __len__(self) -> int:
        raise TypeError("a stored field is read by key, not counted")


def _pseudonymous(entity: Entity) -> bool | None:
    return True if entity.attributes.get("pseudonym") else None


def _from_row(row: Mapping[str, Any]) -> Entity:
    return Entity(row["id"], row["type"], row["name"], tuple(row["aliases"]), attributes=row["attributes"])


def _grouped(refs: Iterable[MentionRef], key: Callable[[MentionRef], str]) -> dict[str, list[MentionRef]]:
    found: dict[str, list[MentionRef]] = {}
    for ref in refs:
        found.setdefault(key(ref), []).append(ref)
    return found


@dataclass(frozen=True)
class EntityView:
    """The entities a resolution run concluded and their mentions, read from `source` by key.

    Built once per resolution run (the store's entities generation); what it reads from the store
    is what that run wrote, since a run replaces entities and their mentions in one transaction.
    A page that reads many entities asks `entities.many` (or `names.many` ...) once, not each.
    """

    source: ResolvedSource
    _current: dict[EntityRef, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def entities(self) -> Lookup[Entity]:
        """Entity id -> the entity (a name, a type, aliases, attributes)."""
        return Lookup(self.source.entities_in)

    @cached_property
    def names(self) -> Field[str]:
        return Field(self.entities, lambda e: e.name)

    @cached_property
    def kinds(self) -> Field[str]:
        return Field(self.entities, lambda e: e.type)

    @cached_property
    def pseudonymous(self) -> Field[bool]:
        """Holds the ids of entities that are a survivor's pseudonym (`e in view.pseudonymous`)."""
        return Field(self.entities, _pseudonymous)

    def scan(self, entity_ids: Iterable[str]) -> Iterator[Entity]:
        """These entities in id order, read now `SCAN_BATCH` at a time and not kept: for a pass
        over many (a name search over what a viewer can reach) that should neither hold them all
        at once nor push a page's entities out of `entities`."""
        ids = sorted(set(entity_ids))
        for start in range(0, len(ids), SCAN_BATCH):
            batch = ids[start : start + SCAN_BATCH]
            found = self.source.entities_in(batch)
            yield from (found[e] for e in batch if e in found)

    def named(self, words: Sequence[str]) -> list[tuple[str, str, str]]:
        """(id, type, name) of the entities whose name and aliases, casefolded, hold every one of
        these (casefolded) words, in id order, read now: the store narrows through its name index,
        in one query, and every word is checked here (the index skips words under three letters)."""
        found = []
        for eid, kind, name, aliases in self.source.entities_by_name(words):
            if all(w in searchable_name(name, aliases) for w in words):
                found.append((eid, kind, name))
        return sorted(found)

    def all_entities(self) -> dict[str, Entity]:
        """Every entity, read now: for whole-inquiry batch work (the CLI, the demo, the
        same-account proposals), never kept by the view."""
        return {row["id"]: _from_row(row) for row in self.source.entity_rows()}

    @cached_property
    def by_document(self) -> Lookup[list[MentionRef]]:
        """Document -> where it names resolved entities, in text order."""
        return Lookup(lambda docs: _grouped(self.source.entity_mention_refs(docs), lambda r: r.document_id))

    def refs_at(self, pairs: Iterable[tuple[str, str]]) -> list[MentionRef]:
        """Where each (document, entity) pair's document names its entity, in document and text
        order (read now, not kept)."""
        return self.source.entity_mention_refs_at(pairs)

    @cached_property
    def by_entity(self) -> Lookup[list[MentionRef]]:
        """Entity -> its mentions, in document and text order. A notorious subject's run to tens of
        thousands: few are kept, and pages that list an entity's documents use `entity_documents`."""
        return Lookup(lambda ids: _grouped(self.source.entity_refs_of(ids), lambda r: r.entity_id), size=64)

    @cached_property
    def entity_documents(self) -> Lookup[dict[str, int]]:
        """Entity -> {document: how many times it names the entity}, in document order."""
        return Lookup(self.source.entity_document_counts, size=256)

    @cached_property
    def records_of(self) -> Lookup[tuple[str, ...]]:
        return Lookup(self.source.records_of)

    def document_entities(self, document_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Document -> the entities it names, with how often, for these documents (read now: the
        caller keeps what it needs, `CaseReads.document_entities`). Pairs of ids and a count, not
        mentions; each entity id is one string however many documents name it."""
        found: dict[str, dict[str, int]] = {}
        for doc, eid, count in self.source.document_entity_counts(document_ids):
            # one copy of each id, so that kept indexes share it (no read of the entity for it)
            found.setdefault(doc, {})[sys.intern(eid)] = count
        return found

    def all_mentions(self) -> list[MentionRef]:
        """Every resolved mention, read now: for whole-inquiry batch work (the CLI, the demo, the
        same-account proposals), never kept by the view."""
        return self.source.entity_mention_refs()

    def current(self, ref: EntityRef | None) -> frozenset[str]:
        """The entity ids that hold the records a reference was made with (renumbering-proof).

        Kept per reference: a subject named across a large inquiry holds tens of thousands of
        records, and every request that asks who a subject is now would otherwise look them up."""
        if ref is None:
            return frozenset()
        found = self._current.get(ref)
        if found is None:
            now = set(self.source.record_holders(ref.records).values()) if ref.records else set()
            if not now and ref.entity_id in self.entities:
                now = {ref.entity_id}
            found = self._current[ref] = frozenset(now)
        return found
