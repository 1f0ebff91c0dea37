"""Disclosure under the CPIA 1996: schedules of unused material, as a fold over ledger events.

The disclosure officer lists the case's relevant material that will not be used as evidence on
one of two schedules: non-sensitive unused material (MG6C) or sensitive unused material (MG6D,
with the reason it is sensitive). Each item is described well enough for the prosecutor to
judge it, and each gets a recorded judgement: whether it might reasonably be considered capable
of undermining the prosecution's case or assisting the accused's (the disclosure test, CPIA
s.3 and s.7A), with the reason and who judged it.

Two events, both kept forever, so "what was known, when, and what was disclosed" replays:
    disclosure.item_scheduled   subject: the item id (DI-0001); body: case, document_id,
                                schedule, description, sensitivity_reason, revision. A later
                                event for the same item is a change (moved between schedules,
                                described again); the earlier ones stay in its history.
    disclosure.judged           subject: the item id; body: case, meets_test, reason.

Nothing here does IO; `casetrail.casework.disclosure` reads the events and records new ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from casetrail.model.casework import HistoryEntry
from casetrail.model.event import EventType

DISCLOSURE_EVENTS = frozenset({EventType.DISCLOSURE_ITEM_SCHEDULED, EventType.DISCLOSURE_JUDGED})


class Schedule(StrEnum):
    NON_SENSITIVE = "non_sensitive"  # MG6C: disclosed to the defence as a schedule
    SENSITIVE = "sensitive"  # MG6D: seen by the prosecutor only; a court may rule on it

    @property
    def form(self) -> str:
        return "MG6C" if self is Schedule.NON_SENSITIVE else "MG6D"


@dataclass(frozen=True)
class Judgement:
    meets_test: bool  # might undermine the prosecution or assist the defence
    reason: str
    by: str
    at: str
    leaf: int


@dataclass(frozen=True)
class Revision:
    """One scheduling of an item: the first, or a change."""

    schedule: Schedule
    description: str
    sensitivity_reason: str | None
    by: str
    at: str
    leaf: int


@dataclass
class Item:
    id: str
    case_id: str
    document_id: str
    revisions: list[Revision] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)

    @property
    def current(self) -> Revision:
        return self.revisions[-1]

    @property
    def judgement(self) -> Judgement | None:
        """The latest judgement; earlier ones stay in `judgements`."""
        return self.judgements[-1] if self.judgements else None

    @property
    def leaves(self) -> list[int]:
        return sorted([r.leaf for r in self.revisions] + [j.leaf for j in self.judgements])


@dataclass
class Disclosure:
    """Every schedule item of every case, as of some ledger size."""

    items: dict[str, Item] = field(default_factory=dict)

    def next_id(self) -> str:
        return f"DI-{len(self.items) + 1:04d}"

    def for_case(self, case_id: str) -> list[Item]:
        return [i for i in self.items.values() if i.case_id == case_id]

    def item_for(self, case_id: str, document_id: str) -> Item | None:
        return next((i for i in self.for_case(case_id) if i.document_id == document_id), None)

    def apply(self, entry: HistoryEntry) -> None:
        """Fold one event in; other events pass by."""
        if entry.type == EventType.DISCLOSURE_ITEM_SCHEDULED:
            self._scheduled(entry)
        elif entry.type == EventType.DISCLOSURE_JUDGED:
            self._judged(entry)

    def _scheduled(self, e: HistoryEntry) -> None:
        b = e.body
        item = self.items.get(e.subject)
        if item is None:
            item = self.items[e.subject] = Item(e.subject, str(b["case"]), str(b["document_id"]))
        reason = b.get("sensitivity_reason")
        item.revisions.append(
            Revision(
                Schedule(b["schedule"]),
                str(b["description"]),
                reason if isinstance(reason, str) else None,
                e.actor,
                e.at,
                e.leaf,
            )
        )

    def _judged(self, e: HistoryEntry) -> None:
        b = e.body
        self.items[e.subject].judgements.append(
            Judgement(bool(b["meets_test"]), str(b["reason"]), e.actor, e.at, e.leaf)
        )


def fold(entries: Iterable[HistoryEntry]) -> Disclosure:
    """The schedules as the events, in leaf order, make them."""
    book = Disclosure()
    for entry in entries:
        book.apply(entry)
    return book
