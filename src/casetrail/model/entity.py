"""Conclusions about mentions: entities, and the investigators' decisions that shape them.

Kept apart from mentions on purpose: a mention is what a document says; an entity is what the
investigation concludes, and every conclusion can be revisited.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# How `searchable_name` folds, which the store's name index was filed under: Python's casefolding
# follows its Unicode version, so an index filed under another is filed again.
NAME_FOLDING = f"casefold, unicode {unicodedata.unidata_version}"


def searchable_name(name: str, aliases: Iterable[str]) -> str:
    """What a name search looks in: the name and aliases as one casefolded text ('Anna Strauß'
    holds 'strauss'), which holds a searched word if the word, casefolded, is a substring of it."""
    return " ".join((name, *aliases)).casefold()


@dataclass(frozen=True)
class PersonRecord:
    """Attributes gathered for one person mention, the unit cross-document linkage compares."""

    record_id: str  # unique per mention, e.g. "<document>:<start>"
    document_id: str
    type: str  # MentionType value: person, officer, pseudonym ...
    full_name: str | None = None
    given_name: str | None = None
    surname: str | None = None
    nickname: str | None = None
    rank: str | None = None
    collar_number: str | None = None
    force: str | None = None
    age: int | None = None
    date_of_birth: str | None = None
    phone: str | None = None
    vehicle: str | None = None


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    mention_keys: tuple[tuple[str, int, int], ...] = ()  # (document_id, start, end)
    attributes: dict[str, Any] = field(default_factory=dict)


class DecisionKind(StrEnum):
    CONFIRM = "confirm"  # these mentions/records are the same entity
    REJECT = "reject"  # these are not the same entity; keep apart
    SPLIT = "split"  # take these mentions out of the entity they are in


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    left: str  # a record id or entity id
    right: str | None
    author: str
    reason: str
    at: str
