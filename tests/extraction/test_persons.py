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
    text = "whistleblower Ottoline Senior said so. “Nothing was done.” – Ottoline Senior."
    mentions = EXTRACTOR.extract("doc", text)
    assert [(m.text, m.attributes.get("learned", False)) for m in mentions] == [
        ("Ottoline Senior", False),
        ("Ottoline Senior", True),
    ]


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nobody arrested D. Quarmby, but", ["D. Quarmby"]),
        ("I told J.R. Quarmby and J.Ibbotsley", ["J.R. Quarmby", "J.Ibbotsley"]),
        ("I first met Piotr Quarmby at the park", ["Piotr Quarmby"]),
        ("Later Ngozi Ibbotsley-Quarmby rang", ["Ngozi Ibbotsley-Quarmby"]),
        ("I was scared of Quarmby. Declan Quarmby hit me.", ["Declan Quarmby"]),  # after a sentence end
        ("When Callum Quarmby came", ["Callum Quarmby"]),
    ],
)
def test_initials_and_given_names(text: str, expected: list[str]) -> None:
    assert people(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Vehicle ENY 281N is linked to him",  # a registration after a field label
        "funded by the U.S. Army then",  # dotted country abbreviations
        "I am Child A. Quarmby said it",  # a code's letter ending a sentence
        "we met at Victoria Park and Albert Hall",  # places named after people
        "Stanley Motors sold the car",
        "Ross Quarmby Agency said",  # a body
        "he wore a Ted Baker jacket",  # a determiner: a brand
        "Det. Supt. Pete Quinn said",  # the police extractor's
        "the Chelsea Flower Show",
        "Zoltan Quarmby said",  # not a known given name
    ],
)
def test_not_initials_or_given_names(text: str) -> None:
    assert people(text) == []
