"""A case's ledger history, one line per event, each rendered from what that event may show.

No event body goes out. Each event type has a renderer that picks the facts it may state from
the casebook (which already folded the event in) and words them; a document, case or entity
this viewer may not read is mentioned only as "a document" or "another case". An event type
with no renderer shows its type alone: a new event type can add a line, never a leak.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from casetrail.model.casework import Casebook, Conflict, HistoryEntry
from casetrail.model.event import EventType
from casetrail.views.conflicts import KINDS
from casetrail.views.sight import Sight


@dataclass(frozen=True)
class HistoryLine:
    leaf: int
    at: str
    type: str
    actor: str
    summary: str
    leaf_hash: str | None = None  # base64 RFC 9162 leaf hash; given in case files, for their proofs


Render = Callable[[Sight, Casebook, HistoryEntry], str]


def _str(entry: HistoryEntry, key: str) -> str:
    value = entry.body.get(key)
    return value if isinstance(value, str) else ""


def _staff(book: Casebook, staff_id: str) -> str:
    staff = book.staff.get(staff_id)
    return f"{staff.name} ({staff_id})" if staff else staff_id


def _opened(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    return f"case opened: {_str(e, 'title')}"


def _document(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    doc = _str(e, "document_id")
    return f"document {doc} added" if sight.document(doc) else "a document added"


def _party(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    party = book.parties.get(_str(e, "party_id"))
    if party is None:
        return "a party added"
    return f"{party.role.value} {party.pseudonym} ({party.id}) added"


def _linked(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    other = _str(e, "other")
    if sight.case(other):
        return f"linked by hand to {other}: {_str(e, 'reason')}"
    return "linked by hand to another case"


def _allegation(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    return f"allegation {e.subject} recorded ({_str(e, 'category')})"


def _status(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    return f"allegation {e.subject} now {_str(e, 'status')}: {_str(e, 'reason')}"


def _subject(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    subject = book.subjects.get(_str(e, "subject_id"))
    label = subject.label if subject else "a subject"
    return f"subject {_str(e, 'subject_id')} added to {e.subject}: {label}"


def _checked(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    verdict = e.body.get("verdict")
    allowed = isinstance(verdict, dict) and verdict.get("allowed") is True
    outcome = "independent" if allowed else "not independent"
    return f"independence check: {_staff(book, _str(e, 'staff_id'))} as {_str(e, 'role')}: {outcome}"


def _refused(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    raw = e.body.get("conflicts")
    kinds = []
    for item in raw if isinstance(raw, list) else []:
        try:
            kinds.append(KINDS[Conflict.from_json(item).rule])
        except (KeyError, ValueError, TypeError):
            kinds.append("a conflict")
    return f"assignment refused: {_staff(book, _str(e, 'staff_id'))} as {_str(e, 'role')} ({'; '.join(dict.fromkeys(kinds))})"


def _made(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    waivers = e.body.get("waivers") or []
    relying = f", relying on waiver {', '.join(str(w) for w in waivers)}" if waivers else ""
    return f"{_staff(book, _str(e, 'staff_id'))} assigned as {_str(e, 'role')}{relying}"


def _ended(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    return f"assignment ended: {_staff(book, _str(e, 'staff_id'))} as {_str(e, 'role')}: {_str(e, 'reason')}"


def _waiver(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    return f"waiver {_str(e, 'waiver_id')} of {_str(e, 'rule')} for {_staff(book, _str(e, 'staff_id'))}: {_str(e, 'reason')}"


def _action(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    return f"action {e.subject} raised for {_staff(book, _str(e, 'owner'))}, due {_str(e, 'due')}"


def _completed(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    return f"action {e.subject} completed: {_str(e, 'result')}"


def _intelligence(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    doc = _str(e, "document_id")
    source = f" from {doc}" if doc and sight.document(doc) else ""
    return f"intelligence {e.subject} recorded{source}, action due {_str(e, 'action_due')}"


def _escalation(sight: Sight, book: Casebook, e: HistoryEntry) -> str:
    return f"{e.subject} escalated to the {_str(e, 'to') or 'overseer'}: {_str(e, 'reason').replace('_', ' ')}"


RENDERERS: Mapping[EventType, Render] = {
    EventType.CASE_OPENED: _opened,
    EventType.CASE_DOCUMENT_ADDED: _document,
    EventType.CASE_PARTY_ADDED: _party,
    EventType.CASE_LINKED: _linked,
    EventType.ALLEGATION_RECORDED: _allegation,
    EventType.ALLEGATION_STATUS_CHANGED: _status,
    EventType.SUBJECT_ADDED: _subject,
    EventType.ASSIGNMENT_CHECKED: _checked,
    EventType.ASSIGNMENT_REFUSED: _refused,
    EventType.ASSIGNMENT_MADE: _made,
    EventType.ASSIGNMENT_ENDED: _ended,
    EventType.WAIVER_RECORDED: _waiver,
    EventType.ACTION_RAISED: _action,
    EventType.ACTION_COMPLETED: _completed,
    EventType.INTELLIGENCE_RECORDED: _intelligence,
    EventType.ESCALATION_RECORDED: _escalation,
}


def history_line(sight: Sight, book: Casebook, entry: HistoryEntry, leaf_hash: str | None = None) -> HistoryLine:
    render = RENDERERS.get(entry.type)
    summary = render(sight, book, entry) if render else entry.type.value
    return HistoryLine(entry.leaf, entry.at, entry.type.value, entry.actor, summary, leaf_hash)


def case_history(
    sight: Sight, book: Casebook, case_id: str, leaf_hashes: Mapping[int, str] | None = None
) -> tuple[HistoryLine, ...]:
    hashes = leaf_hashes or {}
    return tuple(history_line(sight, book, e, hashes.get(e.leaf)) for e in book.cases[case_id].history)
