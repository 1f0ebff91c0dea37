"""UK phone numbers (including Ofcom drama ranges) and postcodes."""

from __future__ import annotations

import pytest

from casetrail.extraction import PhoneExtractor, PostcodeExtractor
from casetrail.model import MentionType

PHONES = PhoneExtractor()
POSTCODES = PostcodeExtractor()


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("07700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("07700-900-123", "+447700900123"),
        ("0114 496 0000", "+441144960000"),
        ("(0114) 496 0123", "+441144960123"),
        ("0114-4960123", "+441144960123"),
        ("+44 114 496 0123", "+441144960123"),
        ("020 7946 0000", "+442079460000"),
        ("0161 496 0999", "+441614960999"),
    ],
)
def test_phone_numbers(written: str, e164: str) -> None:
    found = PHONES.extract("doc", f"He gave me his number, {written}, and told me to ring.")
    assert [(m.type, m.text, m.attributes["e164"]) for m in found] == [(MentionType.PHONE, written, e164)]


def test_drama_mobile_is_kept_though_libphonenumber_calls_it_invalid() -> None:
    found = PHONES.extract("doc", "Ring 07700 900123.")
    assert found[0].attributes["valid"] is False and found[0].attributes["type"] == "mobile"


@pytest.mark.parametrize(
    "text",
    [
        "It happened in 1998.",
        "Case 1234567 was closed.",
        "On 12/03/1998 and 01/03/1998.",
        "PC 4521 Smith",
        "at least 1,400 children",
        "ref 2004-2006",
    ],
)
def test_not_phone_numbers(text: str) -> None:
    assert PHONES.extract("doc", text) == []


@pytest.mark.parametrize(
    ("written", "normalised", "area"),
    [
        ("S60 2TH", "S60 2TH", "S"),
        ("S602TH", "S60 2TH", "S"),
        ("SW1A 1AA", "SW1A 1AA", "SW"),
        ("EC1A 1BB", "EC1A 1BB", "EC"),
        ("M1 1AE", "M1 1AE", "M"),
        ("B33 8TH", "B33 8TH", "B"),
        ("CR2 6XH", "CR2 6XH", "CR"),
        ("DN55 1PT", "DN55 1PT", "DN"),
        ("GIR 0AA", "GIR 0AA", "GIR"),
    ],
)
def test_postcodes(written: str, normalised: str, area: str) -> None:
    found = POSTCODES.extract("doc", f"She lived at 4 Birks Lane, Rotherham {written}, until 1999.")
    assert [(m.type, m.text) for m in found] == [(MentionType.POSTCODE, written)]
    assert (found[0].attributes["postcode"], found[0].attributes["area"]) == (normalised, area)


@pytest.mark.parametrize(
    "text",
    [
        "QQ1 1AA has no such area.",  # Q never starts a postcode
        "XY1 2AB is not an area.",
        "S60 2CI has C and I in the inward code.",
        "s60 2th in lower case",
        "AB51 ABC is a number plate.",
        "R123 ABC is a number plate.",
    ],
)
def test_not_postcodes(text: str) -> None:
    assert POSTCODES.extract("doc", text) == []
