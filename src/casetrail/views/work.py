"""What the casework forms offer one viewer: choices built by inclusion, like every other view.

A subject picker lists only entities the viewer may read (an entity named only in a case they
may not read is no choice of theirs, and its name would say that case exists), and the staff
register, which is not case content: the assignment picker shows it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casetrail.views.sight import Sight

if TYPE_CHECKING:
    from casetrail.casework import Casework

CHOICES = 50  # entities, and staff, offered per search
WORD = re.compile(r"\w+")
# Entity kinds that can be a person accused: listed first, since a subject is someone.
PERSON_KINDS = ("officer", "person", "pseudonym", "described_person")


@dataclass(frozen=True)
class EntityChoice:
    id: str
    name: str
    type: str


@dataclass(frozen=True)
class StaffChoice:
    id: str
    name: str
    force: str | None
    unit: str | None


@dataclass(frozen=True)
class SubjectChoices:
    query: str
    entities: tuple[EntityChoice, ...]
    entity_count: int  # readable matches in all; `entities` holds the first CHOICES
    staff: tuple[StaffChoice, ...]


def subject_choices(sight: Sight, casework: Casework, query: str) -> SubjectChoices:
    """Readable entities and members of staff whose names hold every word of `query`."""
    words = WORD.findall(query.casefold())[:12]
    if not words:
        return SubjectChoices(query, (), 0, ())
    entities = _entities(sight, casework, words)
    return SubjectChoices(query, tuple(entities[:CHOICES]), len(entities), _staff(casework, words))


def _entities(sight: Sight, casework: Casework, words: list[str]) -> list[EntityChoice]:
    named = casework.entity_view().named(words)  # one narrowed read, not every entity reached
    found = [EntityChoice(eid, name, kind) for eid, kind, name in named if sight.entity(eid)]
    found.sort(key=lambda e: (e.type not in PERSON_KINDS, len(e.name), e.name, e.id))
    return found


def _staff(casework: Casework, words: list[str]) -> tuple[StaffChoice, ...]:
    found = []
    for member in casework.book().staff.values():
        text = " ".join(x for x in (member.name, member.force, member.unit, member.collar_number) if x).casefold()
        if all(w in text for w in words):
            found.append(StaffChoice(member.id, member.name, member.force, member.unit))
    return tuple(sorted(found, key=lambda s: (s.name, s.id))[:CHOICES])
