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
    ["Mark Bolton drove", "Benny Hill was on", "I spoke to Hartley", "at Christmas", "in March 1998",
     "in Hartley's car"],
)
def test_not_places(text: str) -> None:
    assert places(text) == []
