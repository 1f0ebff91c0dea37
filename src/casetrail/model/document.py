"""Documents as registered: what came in, from whom, and what text was read from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DocumentKind(StrEnum):
    STATEMENT = "statement"
    COMPLAINT = "complaint"
    INTELLIGENCE = "intelligence"
    PUBLIC = "public_document"
    OTHER = "other"


@dataclass(frozen=True)
class Provenance:
    """Who handed the document over, how, and when it was received (ISO 8601, UTC)."""

    submitted_by: str
    channel: str
    received_at: str
    source_name: str  # the file name as submitted, e.g. "statement-014.pdf"


@dataclass(frozen=True)
class Attachment:
    """A file found inside another (e-mail attachment); it becomes a document of its own."""

    name: str
    data: bytes


@dataclass(frozen=True)
class ReadResult:
    """What a format reader extracted from a file's bytes."""

    text: str
    media_type: str
    title: str | None = None
    pages: int | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Document:
    """A registered document. `id` is its register number (D-000001, ...)."""

    id: str
    sha256: str  # of the original bytes
    text_sha256: str  # of the extracted text, UTF-8
    size: int
    media_type: str
    kind: DocumentKind
    provenance: Provenance
    title: str | None = None
    parent_id: str | None = None  # the e-mail an attachment came in
    amends: str | None = None  # the document this one is a new version of

    def metadata(self) -> dict[str, object]:
        """The fields the ledger commits to, besides the two content hashes."""
        return {
            "id": self.id,
            "size": self.size,
            "media_type": self.media_type,
            "kind": self.kind.value,
            "submitted_by": self.provenance.submitted_by,
            "channel": self.provenance.channel,
            "received_at": self.provenance.received_at,
            "source_name": self.provenance.source_name,
            "title": self.title,
            "parent_id": self.parent_id,
            "amends": self.amends,
        }
