"""Which resolved entities a known person (a member of staff) is.

The independence rules need to know whether the officer proposed as interviewer is the
"Constable D. Whitlok" a complainant named. A name alone is weak evidence, so a bare surname
never matches: the given name (or its initial) must agree too, and a differing collar number
rules a match out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from casetrail.model.entity import Entity
from casetrail.resolution.given_names import name_keys
from casetrail.resolution.person_name import PersonName, fold, parse_name

PERSON_KINDS = frozenset({"person", "officer"})


class PersonIndex:
    """Person and officer entities indexed by folded surname, built once for many lookups."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self._by_surname: dict[str, list[tuple[Entity, PersonName]]] = defaultdict(list)
        for entity in entities:
            if entity.type not in PERSON_KINDS or entity.attributes.get("pseudonym"):
                continue
            collars = entity.attributes.get("collar_number") or []
            for written in {entity.name, *entity.aliases}:
                name = parse_name(written)
                if name.surname:
                    self._by_surname[fold(name.surname)].append((entity, name))
            for collar in collars:
                self._by_surname[f"#{collar}"].append((entity, parse_name(entity.name)))

    def match(self, name: str, collar_number: str | None = None) -> set[str]:
        """Ids of the entities this person is, by name (given name agreeing) or collar number."""
        wanted = parse_name(name, collar_number=collar_number)
        found: set[str] = set()
        if wanted.surname:
            for entity, written in self._by_surname.get(fold(wanted.surname), []):
                if _given_agrees(wanted, written) and not _collars_differ(wanted, entity):
                    found.add(entity.id)
        if collar_number:
            for entity, written in self._by_surname.get(f"#{collar_number}", []):
                if written.surname is None or wanted.surname is None or fold(written.surname) == fold(wanted.surname):
                    found.add(entity.id)
        return found


def _given_agrees(wanted: PersonName, written: PersonName) -> bool:
    if wanted.given and written.given:
        return bool(set(name_keys(wanted.given)) & set(name_keys(written.given)))
    if wanted.initial and written.initial:
        return wanted.initial == written.initial
    return False  # a bare surname on either side is not enough


def _collars_differ(wanted: PersonName, entity: Entity) -> bool:
    collars: Sequence[str] = entity.attributes.get("collar_number") or []
    return bool(wanted.collar_number and collars and wanted.collar_number not in collars)
