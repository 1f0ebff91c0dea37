"""Disclosure commands: put a case document on a CPIA schedule, and record the disclosure test.

Each is a ledger event (`model.disclosure` folds them), written in the casework's own write
transaction so item numbers cannot race. The schedules are read back from the log every time:
they are small, and nothing is kept that could fall behind another process's writes.
"""

from __future__ import annotations

from casetrail.casework.commands import Casework
from casetrail.errors import CaseworkError
from casetrail.model.casework import HistoryEntry
from casetrail.model.disclosure import (
    DISCLOSURE_EVENTS,
    Disclosure,
    Item,
    Schedule,
    fold,
)
from casetrail.model.event import Event, EventType


def read_disclosure(casework: Casework) -> Disclosure:
    """Every schedule item, from the log."""
    entries = []
    for leaf, data in casework.store.casework.casework_entries():
        event = Event.from_leaf(data)
        if event.type in DISCLOSURE_EVENTS:
            entries.append(HistoryEntry(leaf, event.type, event.subject, event.at, event.actor, event.body))
    return fold(entries)


def schedule_item(
    casework: Casework,
    case_id: str,
    document_id: str,
    schedule: Schedule,
    description: str,
    by: str,
    *,
    sensitivity_reason: str | None = None,
) -> Item:
    """Schedule a case document as unused material, or change how it is scheduled.

    A sensitive item (MG6D) must say why it is sensitive; a non-sensitive one (MG6C) must not
    carry a reason, which would itself be disclosed to the defence with the schedule."""
    schedule = Schedule(schedule)
    description, reason = description.strip(), (sensitivity_reason or "").strip() or None
    if not description:
        raise CaseworkError("describe the item well enough for the prosecutor to judge it")
    if schedule is Schedule.SENSITIVE and reason is None:
        raise CaseworkError("a sensitive item needs the reason it is sensitive (--reason)")
    if schedule is Schedule.NON_SENSITIVE and reason is not None:
        raise CaseworkError("only sensitive items carry a sensitivity reason; the MG6C schedule goes to the defence")
    with casework._writing() as book:
        case = casework._case(book, case_id)
        if document_id not in case.documents:
            raise CaseworkError(
                f"{document_id} is not a document of {case_id}; add it with `casetrail case add-document`"
            )
        disclosure = read_disclosure(casework)
        item = disclosure.item_for(case_id, document_id)
        if item is not None and (item.current.schedule, item.current.description, item.current.sensitivity_reason) == (
            schedule,
            description,
            reason,
        ):
            raise CaseworkError(f"{document_id} is already scheduled so, as {item.id}")
        item_id = item.id if item is not None else disclosure.next_id()
        body = {
            "case": case_id,
            "document_id": document_id,
            "schedule": schedule.value,
            "description": description,
            "sensitivity_reason": reason,
            "revision": len(item.revisions) + 1 if item else 1,
        }
        casework._record([casework._event(EventType.DISCLOSURE_ITEM_SCHEDULED, item_id, by, body)])
    return read_disclosure(casework).items[item_id]


def judge_item(casework: Casework, item_id: str, meets_test: bool, reason: str, by: str) -> Item:
    """Record whether an item might undermine the prosecution or assist the defence, and why."""
    if not reason.strip():
        raise CaseworkError("a disclosure judgement needs its reason")
    with casework._writing():
        item = read_disclosure(casework).items.get(item_id)
        if item is None:
            raise CaseworkError(f"no schedule item {item_id!r}; see `casetrail disclosure show CASE`")
        body = {"case": item.case_id, "meets_test": bool(meets_test), "reason": reason.strip()}
        casework._record([casework._event(EventType.DISCLOSURE_JUDGED, item_id, by, body)])
    return read_disclosure(casework).items[item_id]
