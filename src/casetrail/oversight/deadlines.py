"""Deadlines: intelligence nobody acted on, and actions nobody finished, in time.

Two things fall due (dates are ISO, and a bare date means by the end of that day, UTC):
  intelligence_without_action  an intelligence item whose `action_due` has passed with no
                               action raised for it. Once any action is raised, even a late
                               one, it is no longer overdue here; the report shows it as late.
  action_overdue               an action still open after its `due`.

`due_escalations` is what the escalation run still has to send: the overdue items not already
escalated for the same reason, so each lapse is escalated once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from casetrail.model.casework import Casebook, parse_instant

INTELLIGENCE_WITHOUT_ACTION = "intelligence_without_action"
ACTION_OVERDUE = "action_overdue"
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Overdue:
    item_id: str
    reason: str  # INTELLIGENCE_WITHOUT_ACTION | ACTION_OVERDUE
    due: str
    case_id: str | None
    owner: str | None  # the action's owner; an intelligence item has none until an action is raised
    days_overdue: int
    description: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def has_passed(due: str, now: datetime) -> bool:
    """Whether `due` (a date: the end of that day) has passed at `now`."""
    return as_utc(now) > parse_instant(due)


def count_days_late(due: str, moment: datetime) -> int:
    """Whole or part days from `due` to `moment`: 1 at any time on the day after a due date."""
    return max(0, -((parse_instant(due) - as_utc(moment)) // _DAY))


def find_overdue(book: Casebook, now: datetime) -> list[Overdue]:
    """Everything overdue at `now`: most days overdue first, then by id."""
    found = []
    for item in book.intelligence.values():
        if not book.actions_for(item.id) and has_passed(item.action_due, now):
            found.append(
                Overdue(
                    item.id,
                    INTELLIGENCE_WITHOUT_ACTION,
                    item.action_due,
                    item.case_id,
                    None,
                    count_days_late(item.action_due, now),
                    item.summary,
                )
            )
    for action in book.actions.values():
        if action.is_open and has_passed(action.due, now):
            found.append(
                Overdue(
                    action.id,
                    ACTION_OVERDUE,
                    action.due,
                    action.case_id,
                    action.owner,
                    count_days_late(action.due, now),
                    action.description,
                )
            )
    return sorted(found, key=lambda o: (-o.days_overdue, o.item_id))


def due_escalations(book: Casebook, now: datetime) -> list[Overdue]:
    """The overdue items not yet escalated for the same reason."""
    return [o for o in find_overdue(book, now) if not book.escalated(o.item_id, o.reason)]
