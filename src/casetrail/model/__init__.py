"""Pure domain types. Nothing in here performs IO or imports another casetrail package."""

from casetrail.model.document import Document, DocumentKind, Provenance, ReadResult, Attachment
from casetrail.model.event import Event, EventType, canonical_json
from casetrail.model.mention import Mention, MentionType
from casetrail.model.entity import Entity, Decision, DecisionKind, PersonRecord

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
