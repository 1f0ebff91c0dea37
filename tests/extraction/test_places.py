"""Places from the gazetteer and street/venue patterns; surname-like places need a locative cue."""

from __future__ import annotations

import pytest

from casetrail.extraction import PlaceExtractor
from casetrail.model import MentionType

EXTRACTOR = PlaceExtractor()


def places(text: str) -> list[str]:
    out = []
    for m in EXTRACTOR.extract("doc", text):
        assert m.type is MentionType.PLACE
        out.append(m.text)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("victims in Rotherham were failed", ["Rotherham"]),
        ("Rotherham grooming gangs", ["Rotherham"]),
        ("the Yorkshire town", ["Yorkshire"]),
        ("in South Yorkshire", ["South Yorkshire"]),
        ("she grew up in Bolton", ["Bolton"]),
        ("I met him on Wharf Street", ["Wharf Street"]),
        ("a flat on Hatherley Road", ["Hatherley Road"]),
        ("the Crown Inn on Mill Lane", ["Crown Inn", "Mill Lane"]),
        ("at Northmoor bus station", ["Northmoor bus station"]),
        ("the Greenhill flats", ["Greenhill flats"]),
        ("we went to Slade Hill", ["Slade Hill"]),
        ("I was placed at Kettleby", ["Kettleby"]),
    ],
)
def test_places(text: str, expected: list[str]) -> None:
    assert places(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mark Bolton drove",
        "Benny Hill was on",
        "I spoke to Hartley",
        "at Christmas",
        "in March 1998",
        "in Hartley's car",
    ],
)
def test_not_places(text: str) -> None:
    assert places(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a flat above Kettlewick where", ["Kettlewick"]),
        ("known to frequent Kettlewick.", ["Kettlewick"]),
        ("officers attended Kettlewick and", ["Kettlewick"]),
        ("When I went to Kettlewick to report it", ["Kettlewick"]),
        ("He took me back to Kettlewick in a car", ["Kettlewick"]),
        ("Quarmby picked me up from Kettlewick.", ["Kettlewick"]),
        ("stopped the car on Copley Mill and", ["Copley Mill"]),
        ("known to frequent Ashby Bridge.", ["Ashby Bridge"]),
    ],
)
def test_more_locative_cues(text: str, expected: list[str]) -> None:
    assert places(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Quarmby introduced me to Ngozi Wood, who",  # a given name: a person
        "I went to Callum for help",  # a given name
        "I went to Quarmby for help. DS Quarmby laughed.",  # the text names a person Quarmby
        "I went to Mass every week",  # not a place name
        "a call from Quarmby came",  # "from" alone is not a cue
    ],
)
def test_not_places_after_new_cues(text: str) -> None:
    assert places(text) == []
