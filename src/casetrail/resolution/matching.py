"""Which resolved entities a known person (a member of staff) is.

The independence rules need to know whether the officer proposed as interviewer is the
"Constable D. Whitlok" a complainant named. Both ways of getting this wrong matter, unequally:
a false match bars someone from cases for nothing (a nuisance a supervisor can see and query);
a missed match lets an officer investigate a complaint about themselves. So:

  * the surname must agree (any written form of the entity), or a collar number must;
  * when both sides carry a given name or an initial, they must agree: the name itself, a
    familiar form of it (Mick ~ Michael, from `given_names`), or its initial. "Sarah Hartley"
    is not "PC Darren Hartley", however many Hartleys the force has;
  * an entity known only by surname matches when it is an officer or has a rank ("DS Hartley"):
    nothing in it says it is someone else, and missing that bar is the worse error. A bare
    "Hartley" or "Mrs Hartley" with no rank does not;
  * a collar number on both sides that differs rules a match out; one that agrees is enough,
    unless the given names disagree.

Everything is judged per entity over all its written forms (its name and its aliases), never per
alias: "PC Darren Hartley" whose cluster also holds a bare "PC Hartley" still has a given name,
and that given name must agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from casetrail.model.entity import Entity
from casetrail.resolution.given_names import name_keys
from casetrail.resolution.person_name import PersonName, fold, parse_name

PERSON_KINDS = frozenset({"person", "officer"})


class Given(Enum):
    AGREE = "agree"
    CONFLICT = "conflict"
    UNKNOWN = "unknown"  # one side has neither a given name nor an initial


@dataclass(frozen=True)
class GivenNames:
    """The given names one person is written under, as comparison keys."""

    full: frozenset[str] = frozenset()  # folded given names and nicknames, with their formal equivalents
    initials: frozenset[str] = frozenset()  # written as an initial only ("D. Hartley")

    @property
    def known(self) -> bool:
        return bool(self.full or self.initials)

    @property
    def all_initials(self) -> frozenset[str]:
        return self.initials | {key[0] for key in self.full}

    @staticmethod
    def of(names: Iterable[PersonName]) -> GivenNames:
        full: set[str] = set()
        initials: set[str] = set()
        for name in names:
            for given in (name.given, name.nickname):
                full.update(fold(key) for key in name_keys(given) if fold(key))
            if name.given is None and name.initial:
                initials.add(name.initial)
        return GivenNames(frozenset(full), frozenset(initials))


@dataclass(frozen=True)
class Known:
    """One person or officer entity, over all its written forms."""

    id: str
    surnames: frozenset[str]  # folded
    given: GivenNames
    collars: frozenset[str]
    ranked: bool  # an officer, or written with a rank somewhere

    @staticmethod
    def of(entity: Entity) -> Known:
        forms = [parse_name(written) for written in {entity.name, *entity.aliases}]
        collars = frozenset(str(c) for c in entity.attributes.get("collar_number") or [])
        return Known(
            id=entity.id,
            surnames=frozenset(fold(f.surname) for f in forms if f.surname and fold(f.surname)),
            given=GivenNames.of(forms),
            collars=collars,
            ranked=entity.type == "officer" or bool(entity.attributes.get("rank")) or any(f.rank for f in forms),
        )


def given_agreement(wanted: GivenNames, known: GivenNames) -> Given:
    """Whether two people's given names say they may be one person."""
    if not (wanted.known and known.known):
        return Given.UNKNOWN
    if wanted.full & known.full:
        return Given.AGREE  # Michael ~ Mick
    # An initial on either side is compared with the other side's initials, familiar forms' too
    # (Bill Hartley may be written "W. Hartley").
    if wanted.all_initials & known.initials or wanted.initials & known.all_initials:
        return Given.AGREE
    return Given.CONFLICT


NAME, COLLAR = "name:", "collar:"  # the two kinds of key a person is found by


def person_keys(entity: Entity) -> list[str]:
    """The keys a member of staff may find this entity by. None for an entity that is not a person
    or an officer, or is a pseudonym: those are never matched. What the store indexes entities by
    (`casetrail.store.analysis`).

    A name key is a folded surname with one initial the entity's given names may start with
    ("name:hartley:d"), or with none when it has no given name ("name:hartley:"): given names that
    agree share an initial (a familiar form brings its formal name's initial), so a person is found
    under their own initials and the bare surname, not under every Hartley in the inquiry."""
    return _keys(Known.of(entity)) if _filed(entity) else []


def _filed(entity: Entity) -> bool:
    """Whether an entity is matched against staff at all: people and officers, never a pseudonym."""
    return entity.type in PERSON_KINDS and not entity.attributes.get("pseudonym")


def _keys(known: Known) -> list[str]:
    initials = sorted(known.given.all_initials) if known.given.known else [""]
    return sorted({f"{NAME}{s}:{i}" for s in known.surnames for i in initials} | {COLLAR + c for c in known.collars})


class PersonKeys:
    """`person_keys` as the store takes it: with the version of its rules, so that a store filed
    under other rules is filed again by its next reader. Change `version` with the rules."""

    version = "2 (surname and initial, collar number)"

    def __call__(self, entity: Entity) -> list[str]:
        return person_keys(entity)


PERSON_KEYS = PersonKeys()


@dataclass(frozen=True)
class Wanted:
    """A known person (a member of staff) as matching compares them."""

    surname: str  # folded; "" when the name has none
    given: GivenNames
    collar: str | None

    @staticmethod
    def of(name: str, collar_number: str | None = None) -> Wanted:
        parsed = parse_name(name, collar_number=collar_number)
        surname = fold(parsed.surname) if parsed.surname else ""
        return Wanted(surname, GivenNames.of([parsed]), parsed.collar_number)

    @property
    def keys(self) -> list[str]:
        """The keys of the only entities that can be this person (see `person_keys`)."""
        # Without a given name, a surname alone matches nobody (only a collar number can).
        named = self.surname and self.given.known
        initials = [*sorted(self.given.all_initials), ""] if named else []
        return [*(f"{NAME}{self.surname}:{i}" for i in initials), *([COLLAR + self.collar] if self.collar else [])]

    def matches(self, known: Known) -> bool:
        """Whether this person may be that entity (see the module's rules)."""
        if self.surname and self.surname in known.surnames and _same_by_name(known, self.given, self.collar):
            return True
        return bool(self.collar and self.collar in known.collars and _same_by_collar(known, self.surname, self.given))


def matching(wanted: Wanted, candidates: Iterable[Entity]) -> set[str]:
    """Ids of the candidates this person is: candidates found by `wanted.keys`, judged as they are now."""
    return {e.id for e in candidates if _filed(e) and wanted.matches(Known.of(e))}


class PersonIndex:
    """Person and officer entities indexed in memory by `person_keys` (the store keeps the same
    index for the workbench, which holds no inquiry-sized state)."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self._by_key: dict[str, list[Known]] = defaultdict(list)
        for entity in entities:
            if _filed(entity):
                known = Known.of(entity)  # parsed once, for its keys and for matching
                for key in _keys(known):
                    self._by_key[key].append(known)

    def match(self, name: str, collar_number: str | None = None) -> set[str]:
        """Ids of the entities this person is (see the module's rules)."""
        wanted = Wanted.of(name, collar_number)
        return {k.id for key in wanted.keys for k in self._by_key.get(key, []) if wanted.matches(k)}


def _same_by_name(known: Known, given: GivenNames, collar: str | None) -> bool:
    """The surname agrees; does the rest allow one person?"""
    if collar and known.collars and collar not in known.collars:
        return False  # two collar numbers: two officers
    agreement = given_agreement(given, known.given)
    if agreement is not Given.UNKNOWN:
        return agreement is Given.AGREE
    if collar and collar in known.collars:
        return True
    # Only a surname on the entity's side ("DS Hartley"): an officer is taken to be a possible
    # match. A staff member registered by surname alone matches nobody this way.
    return given.known and not known.given.known and known.ranked


def _same_by_collar(known: Known, surname: str, given: GivenNames) -> bool:
    """The collar number agrees; the surnames must not differ and the given names not conflict."""
    if surname and known.surnames and surname not in known.surnames:
        return False
    return given_agreement(given, known.given) is not Given.CONFLICT
