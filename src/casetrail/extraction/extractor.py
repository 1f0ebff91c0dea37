"""The contract every extractor meets, and the one way they build mentions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol, runtime_checkable

from casetrail.model import Mention, MentionType


@runtime_checkable
class Extractor(Protocol):
    """Turns one document's text into mentions.

    `Mention.extractor` is f"{name}@{version}", so bumping `version` whenever the rules change
    makes a re-run a new, separately recorded set of mentions instead of a silent rewrite.
    """

    name: str
    version: str

    def extract(self, document_id: str, text: str) -> list[Mention]: ...


@runtime_checkable
class BatchExtractor(Extractor, Protocol):
    """An extractor that is faster over many documents at once (spaCy's nlp.pipe)."""

    def extract_many(self, items: Iterable[tuple[str, str]]) -> list[Mention]: ...

    def extract_each(self, items: Iterable[tuple[str, str]]) -> Iterator[list[Mention]]:
        """Mentions per item, in input order (what the pipeline batches with)."""
        ...


@runtime_checkable
class AfterExtractor(Extractor, Protocol):
    """An extractor that reads what the others found in a document; the pipeline runs it after them."""

    def extract_after(self, document_id: str, text: str, found: list[Mention]) -> list[Mention]:
        """Mentions that follow from `found`, the other extractors' mentions of this document."""
        ...


def extractor_id(extractor: Extractor) -> str:
    return f"{extractor.name}@{extractor.version}"


def build_mention(
    extractor: str,
    document_id: str,
    text: str,
    start: int,
    end: int,
    type: MentionType,
    confidence: float,
    attributes: dict[str, Any] | None = None,
) -> Mention:
    """A mention whose `text` is always exactly `text[start:end]` of the document."""
    return Mention(document_id, start, end, text[start:end], type, extractor, confidence, attributes or {})
