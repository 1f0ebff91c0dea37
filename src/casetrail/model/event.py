"""Ledger events: each is serialised canonically and becomes one Merkle leaf."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    DOCUMENT_RECEIVED = "document.received"
    DOCUMENT_AMENDED = "document.amended"
    DOCUMENT_WITHDRAWN = "document.withdrawn"
    DOCUMENT_SEALED = "document.sealed"
    # A redacted copy recorded as an amendment: original and version ids, span offsets and kinds,
    # the reason; never the removed text (casetrail.redaction).
    DOCUMENT_REDACTED = "document.redacted"
    DECISION_RECORDED = "decision.recorded"
    # Casework (see casetrail.model.casework): every change to a case is one of these.
    STAFF_REGISTERED = "staff.registered"
    CASE_OPENED = "case.opened"
    CASE_DOCUMENT_ADDED = "case.document_added"
    CASE_PARTY_ADDED = "case.party_added"
    CASE_LINKED = "case.linked"
    ALLEGATION_RECORDED = "allegation.recorded"
    ALLEGATION_STATUS_CHANGED = "allegation.status_changed"
    SUBJECT_ADDED = "subject.added"
    UNKNOWN_SUBJECTS_COMPARED = "unknown_subjects.compared"
    ACCOUNTS_COMPARED = "accounts.compared"
    ASSIGNMENT_CHECKED = "assignment.checked"
    ASSIGNMENT_REFUSED = "assignment.refused"
    ASSIGNMENT_MADE = "assignment.made"
    ASSIGNMENT_ENDED = "assignment.ended"
    WAIVER_RECORDED = "waiver.recorded"
    ACTION_RAISED = "action.raised"
    ACTION_COMPLETED = "action.completed"
    INTELLIGENCE_RECORDED = "intelligence.recorded"
    ESCALATION_RECORDED = "escalation.recorded"
    ALERT_RAISED = "alert.raised"
    READ_AUDITED = "read.audited"  # who read what, when and why: the read audit
    ACCOUNT_CREATED = "account.created"  # a workbench account, its roles and staff link (never a secret)
    ACCOUNT_CHANGED = "account.changed"  # password replaced, disabled, enabled, second factor enrolled
    PUBLICATION_RELEASED = "publication.released"  # aggregate tables released: threshold, shapes, file hashes
    # Disclosure under the CPIA (see casetrail.model.disclosure): schedule entries and judgements.
    DISCLOSURE_ITEM_SCHEDULED = "disclosure.item_scheduled"
    DISCLOSURE_JUDGED = "disclosure.judged"
    # Key custody (issue 12): the store's key-encryption key replaced; a plaintext store encrypted.
    # Bodies name key ids (HMACs of keys) and counts, never a key.
    KEYS_ROTATED = "keys.rotated"
    STORE_ENCRYPTED = "store.encrypted"


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8 (no ASCII escaping)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Event:
    type: EventType
    subject: str  # the document or entity the event is about
    at: str  # ISO 8601 UTC
    actor: str
    body: dict[str, Any] = field(default_factory=dict)

    def to_leaf(self) -> bytes:
        return canonical_json(
            {"type": self.type.value, "subject": self.subject, "at": self.at, "actor": self.actor, "body": self.body}
        )

    @classmethod
    def from_leaf(cls, data: bytes) -> Event:
        raw = json.loads(data)
        return cls(EventType(raw["type"]), raw["subject"], raw["at"], raw["actor"], raw.get("body", {}))


def document_event(kind: EventType, document_metadata: dict[str, Any], sha256: str, text_sha256: str) -> dict[str, Any]:
    """The body a received/amended event commits to: metadata plus both content hashes."""
    assert kind in (EventType.DOCUMENT_RECEIVED, EventType.DOCUMENT_AMENDED)
    return {"document": document_metadata, "sha256": sha256, "text_sha256": text_sha256}
