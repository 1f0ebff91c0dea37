"""People named with titles or roles, and intelligence-style upper-case surnames."""

from __future__ import annotations

import pytest

from casetrail.extraction import PersonExtractor
from casetrail.model import MentionType

EXTRACTOR = PersonExtractor()


def people(text: str) -> list[str]:
    out = []
    for m in EXTRACTOR.extract("doc", text):
        assert m.type is MentionType.PERSON
        out.append(m.text)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in Professor Alexis Jay's 2014 report", ["Professor Alexis Jay"]),
        ("Prof Jay today said", ["Prof Jay"]),
        ("Dr Alan Billings said", ["Dr Alan Billings"]),
        ("South Yorkshire Mayor Oliver Coppard.", ["Mayor Oliver Coppard"]),
        ("Mrs. Hartley (social worker) sat in", ["Mrs. Hartley"]),
        ("whistleblowers Jayne Senior and Angie Heal, and", ["Jayne Senior", "Angie Heal"]),
        ("Whistleblower Jayne Senior said", ["Jayne Senior"]),
        ("fellow blogger, Richard Miller. Allegations", ["Richard Miller"]),
        ("solicitor David Greenwood said", ["David Greenwood"]),
        ("HARTLEY, Darren is known to frequent", ["HARTLEY, Darren"]),
        ("Darren HARTLEY is known to frequent", ["Darren HARTLEY"]),
    ],
)
def test_people(text: str, expected: list[str]) -> None:
    assert people(text) == expected


def test_full_name_repeats_are_learned() -> None:
    text = "whistleblower Jayne Senior said so. “Nothing was done.” – Jayne Senior."
    mentions = EXTRACTOR.extract("doc", text)
    assert [(m.text, m.attributes.get("learned", False)) for m in mentions] == [("Jayne Senior", False),
                                                                             ("Jayne Senior", True)]


@pytest.mark.parametrize(
    "text",
    [
        "Police Constable Hassan Ali and another",  # an officer: the police extractor's
        "Detective Superintendent Pete Quinn said",
        "officers, South Yorkshire Police said",
        "the solicitor South Yorkshire Police instructed",
        "Northmoor CID and the IOPC",
        "REVEALED: The five ways",
        "Dr. and Mrs. are titles",
    ],
)
def test_not_people(text: str) -> None:
    assert people(text) == []
