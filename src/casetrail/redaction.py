"""Redaction: a redacted copy of a document, recorded as a new version of it, never an overlay.

Spans are character offsets into the document's extracted text (as mentions are). They are
suggested from the document's mentions (survivors' and other people's names and pseudonyms,
places and postcodes, phone numbers, vehicles and their plates), and a person accepts them,
adds to them or gives their own. The copy is made from the text with each span replaced by
`MARK` (a fixed mark, so the length of what was removed does not show):

- a PDF becomes a new PDF re-rendered from the redacted text, one page per original page;
  nothing of the original file (content streams, fonts, images, metadata) is carried over;
- anything else becomes UTF-8 text, the redacted text itself.

The copy is recorded through the register's amend path, so it is a new version that `amends`
the original, with a reason naming the redaction. In the same commit a `document.redacted`
event records the original and new ids, each span's offsets and kind, the reason and who
redacted: never the removed text. The original is not touched: it stays on record, readable
only by those who may read it (need-to-know), and is not sealed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from casetrail.errors import RedactionError
from casetrail.intake.pdf import PAGE_BREAK
from casetrail.intake.reading import NO_TEXT
from casetrail.intake.register import Register, Submission, utc_now
from casetrail.model.document import Document
from casetrail.model.event import Event, EventType
from casetrail.model.mention import MentionType
from casetrail.pdfwriter import text_pages

MARK = "[REDACTED]"
PDF = "application/pdf"
MANUAL = "manual"  # the kind of a span a person gave by its offsets

# The kinds a person names on the command line, and the mention types each covers.
KINDS: dict[str, frozenset[MentionType]] = {
    "person": frozenset({MentionType.PERSON, MentionType.PSEUDONYM}),
    "place": frozenset({MentionType.PLACE, MentionType.POSTCODE}),
    "phone": frozenset({MentionType.PHONE}),
    "plate": frozenset({MentionType.VEHICLE}),
    "officer": frozenset({MentionType.OFFICER, MentionType.COLLAR_NUMBER}),
    "described": frozenset({MentionType.DESCRIBED_PERSON}),
    "organisation": frozenset({MentionType.ORGANISATION}),
    "date": frozenset({MentionType.DATE, MentionType.PERIOD}),
    "age": frozenset({MentionType.AGE}),
}
# What an experienced disclosure officer removes by default: who the survivors are and how to
# find them. Officers, bodies and dates usually stay: the schedule's reader needs them.
DEFAULT_KINDS = ("person", "place", "phone", "plate")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # a mention type ("person", "postcode", ...), several joined by "+", or "manual"

    def to_json(self) -> dict[str, int | str]:
        return {"start": self.start, "end": self.end, "kind": self.kind}


@dataclass(frozen=True)
class Redaction:
    original: str
    version: str
    leaf: int  # the new version's amended leaf; the redacted event follows it
    spans: tuple[Span, ...]
    receipt: object | None = None


def parse_kinds(value: str | None) -> tuple[str, ...]:
    """`person,phone` -> ("person", "phone"); None -> the default kinds."""
    if value is None or not value.strip():
        return DEFAULT_KINDS
    kinds = tuple(dict.fromkeys(k.strip().casefold() for k in value.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise RedactionError(f"unknown kind {unknown[0]!r}: choose from {', '.join(KINDS)}")
    return kinds


def parse_span(value: str) -> Span:
    """`START:END` -> a manual span (checked against the text later)."""
    start, sep, end = value.partition(":")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit():
        raise RedactionError(f"span {value!r} is not START:END (character offsets into the text)")
    return Span(int(start), int(end), MANUAL)


def suggest(register: Register, doc_id: str, kinds: Sequence[str] = DEFAULT_KINDS) -> list[Span]:
    """Spans to redact, from the document's mentions of the chosen kinds.

    Each mention's words are also suggested wherever else they stand in the text as whole
    words, so a name the extractor found once is not left in plain view further down."""
    text = _text(register, doc_id)[1]
    wanted = frozenset().union(*(KINDS[k] for k in kinds)) if kinds else frozenset()
    found: list[Span] = []
    words: dict[str, str] = {}
    for _, mention in register.store.analysis.iter_mentions(doc_id):
        if mention.type not in wanted or not (0 <= mention.start < mention.end <= len(text)):
            continue
        found.append(Span(mention.start, mention.end, mention.type.value))
        said = text[mention.start : mention.end].strip()
        if len(said) >= 2:
            words.setdefault(said, mention.type.value)
    for said, kind in words.items():
        for match in re.finditer(rf"(?<!\w){re.escape(said)}(?!\w)", text):
            found.append(Span(match.start(), match.end(), kind))
    return merge(found)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans as one, their kinds joined."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            kinds = last.kind.split("+")
            kind = last.kind if span.kind in kinds else "+".join(sorted({*kinds, span.kind}))
            merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
    return merged


def check_spans(doc_id: str, text: str, spans: Sequence[Span]) -> list[Span]:
    """The spans merged, each checked to lie inside the text; one line said about the first that does not."""
    if not spans:
        raise RedactionError(f"nothing to redact in {doc_id}: give --span START:END or --suggest (and --kinds)")
    for span in spans:
        if not 0 <= span.start < span.end <= len(text):
            raise RedactionError(
                f"span {span.start}:{span.end} is outside {doc_id}'s text (characters 0:{len(text)}) or empty"
            )
    return merge(spans)


def redact_text(text: str, spans: Sequence[Span]) -> str:
    """The text with each span replaced by MARK; page breaks inside a span are kept, so pages stay pages."""
    parts: list[str] = []
    at = 0
    for span in merge(spans):
        removed = text[span.start : span.end]
        parts.append(text[at : span.start])
        parts.append(MARK + PAGE_BREAK * removed.count("\f"))
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def redacted_copy(doc: Document, text: str, spans: Sequence[Span]) -> tuple[str, bytes]:
    """(file name, bytes) of the redacted copy of `doc`."""
    redacted = redact_text(text, spans)
    if doc.media_type == PDF:
        return f"{doc.id}-redacted.pdf", text_pages(redacted.split(PAGE_BREAK), f"{doc.id} (redacted)")
    return f"{doc.id}-redacted.txt", redacted.encode("utf-8")


def redact(register: Register, doc_id: str, spans: Sequence[Span], reason: str, by: str) -> Redaction:
    """Record the redacted copy as a new version of `doc_id`, with its `document.redacted` event."""
    reason = reason.strip()
    if not reason:
        raise RedactionError("a redaction needs its reason (--reason)")
    register.require_writable()
    doc, text = _text(register, doc_id)
    spans = check_spans(doc_id, text, spans)
    name, data = redacted_copy(doc, text, spans)

    def redacted_event(version: Document) -> list[Event]:
        body = {
            "original": doc_id,
            "original_sha256": doc.sha256,
            "version": version.id,
            "sha256": version.sha256,
            "reason": reason,
            "mark": MARK,
            "spans": [span.to_json() for span in spans],
        }
        return [Event(EventType.DOCUMENT_REDACTED, doc_id, utc_now(), by, body)]

    outcome = register.amend_bytes(
        doc_id,
        name,
        data,
        Submission(by, "redaction", doc.kind),
        f"redacted copy of {doc_id} ({len(spans)} span(s)): {reason}",
        follow=redacted_event,
    )
    if outcome.status == "duplicate":
        raise RedactionError(f"this redacted copy of {doc_id} is already on record as {outcome.document_id}")
    if outcome.status != "recorded" or outcome.document_id is None or outcome.leaf_index is None:
        raise RedactionError(f"the redacted copy of {doc_id} was not recorded: {outcome.reason}")
    return Redaction(doc_id, outcome.document_id, outcome.leaf_index, tuple(spans), outcome.receipt)


def _text(register: Register, doc_id: str) -> tuple[Document, str]:
    found = register.store.documents.get_document(doc_id)
    if found is None:
        raise RedactionError(f"no document {doc_id}")
    doc, status, _ = found
    if status != "active":
        raise RedactionError(f"{doc_id} is {status}: only an active document can be redacted")
    if doc.text_status == NO_TEXT:
        raise RedactionError(f"{doc_id} has no text to redact ({doc.text_reason})")
    text = register.store.documents.get_text(doc_id)
    if text is None:
        raise RedactionError(f"{doc_id} has no text in the store")
    return doc, text


__all__ = ["DEFAULT_KINDS", "KINDS", "MARK", "Redaction", "Span", "parse_kinds", "parse_span", "redact", "suggest"]
