"""Documents as registered: what came in, from whom, and what text was read from it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
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


NO_TEXT = "no_text"  # the file was read faithfully and holds no text (intake.reading.NO_TEXT)
OCR_METHOD = "ocr"  # text recognised from pixels (intake.reading.OCR)


@dataclass(frozen=True)
class TextSource:
    """Where one page of a document's text came from, as stored (the twin of intake.reading.PageSource,
    which the model cannot import). `start`/`end` are offsets into the document's text."""

    page: int
    start: int
    end: int
    method: str  # "text" (the file's own characters) or "ocr"
    confidence: float | None = None  # Tesseract's mean word confidence, 0-100; None for text pages
    words: int = 0

    @property
    def label(self) -> str:
        """How a reader is told a passage was recognised, e.g. "OCR p.2, 91%"."""
        if self.method != OCR_METHOD:
            return f"text p.{self.page}"
        sure = f", {self.confidence:.0f}%" if self.confidence is not None else ""
        return f"OCR p.{self.page}{sure}"


def page_sources_sha256(sources: Iterable[TextSource]) -> str:
    """A digest of the page sources, for the ledger: the per-page rows live in a side table, and this
    lets a verifier hold them to the event without putting hundreds of pages in one leaf."""
    rows = [[s.page, s.start, s.end, s.method, s.confidence, s.words] for s in sources]
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode("utf-8")).hexdigest()


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
    # How the text was read. Set only when there is something to say (no text, or per-page
    # sources), so documents recorded before these existed keep the metadata their events hold.
    text_status: str | None = None  # NO_TEXT, or None for a document whose text was read
    text_reason: str | None = None  # one line when NO_TEXT ("no text found: ...")
    page_sources_sha256: str | None = None  # page_sources_sha256() of the stored page sources

    def metadata(self) -> dict[str, object]:
        """The fields the ledger commits to, besides the two content hashes."""
        meta: dict[str, object] = {
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
        if self.text_status is not None:
            meta["text_status"] = self.text_status
            meta["text_reason"] = self.text_reason
        if self.page_sources_sha256 is not None:
            meta["page_sources_sha256"] = self.page_sources_sha256
        return meta
