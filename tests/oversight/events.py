"""Hand-made casework events for oversight tests: casebooks built as the ledger would build them."""

from __future__ import annotations

from datetime import datetime

from casetrail.model.casework import Casebook, replay
from casetrail.model.event import Event, EventType

RECORDER, OWNER = "S-0001", "S-0002"


def book(*events: Event) -> Casebook:
    return replay(enumerate(events, start=1))


def intelligence(
    item_id: str,
    received: str,
    due: str,
    *,
    case: str | None = "C-0001",
    summary: str = "A caller says an officer drove a girl home from a party",
    document: str | None = None,
    recorded: str | None = None,
) -> Event:
    body = {"case": case, "summary": summary, "document_id": document, "received_at": received, "action_due": due}
    return Event(EventType.INTELLIGENCE_RECORDED, item_id, recorded or received, RECORDER, body)


def action(
    action_id: str,
    raised: str,
    due: str,
    *,
    intelligence: str | None = None,
    case: str | None = "C-0001",
    owner: str = OWNER,
    description: str = "Trace the caller and take a statement",
) -> Event:
    body = {"case": case, "description": description, "owner": owner, "due": due, "intelligence": intelligence}
    return Event(EventType.ACTION_RAISED, action_id, raised, RECORDER, body)


def completed(action_id: str, at: str, result: str = "Statement taken and filed") -> Event:
    return Event(EventType.ACTION_COMPLETED, action_id, at, OWNER, {"result": result})


def escalation(item_id: str, reason: str, due: str, at: str, case: str | None = "C-0001") -> Event:
    body = {"reason": reason, "due": due, "case": case, "to": "overseer"}
    return Event(EventType.ESCALATION_RECORDED, item_id, at, "S-0900", body)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
