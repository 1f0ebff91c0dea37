"""Mentions: what a document says, span by span. Recorded once, never rewritten."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class MentionType(StrEnum):
    PERSON = "person"
    OFFICER = "officer"  # a person named with a police rank or collar number
    DESCRIBED_PERSON = "described_person"  # "another unnamed officer": the description is the mention
    PSEUDONYM = "pseudonym"  # "given the pseudonym Willow"
    ORGANISATION = "organisation"
    PLACE = "place"
    POSTCODE = "postcode"
    DATE = "date"
    PERIOD = "period"  # "late 1990s", "between 1997 and 2013"
    AGE = "age"  # "aged 11"
    VEHICLE = "vehicle"  # registration mark and/or make and model
    PHONE = "phone"
    COLLAR_NUMBER = "collar_number"


@dataclass(frozen=True)
class Mention:
    """A span of one document's text that names someone or something.

    `start`/`end` are character offsets into the document's extracted text.
    `attributes` holds what the extractor normalised: e.g. {"rank": "PC", "name": "Hassan Ali"},
    {"registration": "R123ABC", "format": "prefix"}, {"e164": "+441142000000"}.
    """

    document_id: str
    start: int
    end: int
    text: str
    type: MentionType
    extractor: str  # "name@version", so a re-run with a newer extractor is a new version
    confidence: float
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int, int, str, str]:
        return (self.document_id, self.start, self.end, self.type.value, self.extractor)
