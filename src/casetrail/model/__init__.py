"""Pure domain types. Nothing in here performs IO or imports another casetrail package."""

from casetrail.model.document import (
    Attachment,
    Document,
    DocumentKind,
    Provenance,
    ReadResult,
)
from casetrail.model.entity import Decision, DecisionKind, Entity, PersonRecord
from casetrail.model.event import Event, EventType, canonical_json
from casetrail.model.mention import Mention, MentionType

__all__ = [
    "Attachment",
    "Decision",
    "DecisionKind",
    "Document",
    "DocumentKind",
    "Entity",
    "Event",
    "EventType",
    "Mention",
    "MentionType",
    "PersonRecord",
    "Provenance",
    "ReadResult",
    "canonical_json",
]
