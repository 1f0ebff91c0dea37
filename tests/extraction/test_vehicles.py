"""Registration marks of every format, partial plates, make/model/colour, and joining them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.extraction import VehicleExtractor
from casetrail.extraction.vehicles import classify, issue_year
from casetrail.model import Mention

EXTRACTOR = VehicleExtractor()


def vehicles(text: str) -> list[Mention]:
    return EXTRACTOR.extract("doc", text)


@pytest.mark.parametrize(
    ("plate", "registration", "fmt", "year"),
    [
        ("ABC 123A", "ABC123A", "suffix", 1963),
        ("KDL 42P", "KDL42P", "suffix", 1975),
        ("ABC123A", "ABC123A", "suffix", 1963),
        ("A123 ABC", "A123ABC", "prefix", 1983),
        ("R123 ABC", "R123ABC", "prefix", 1997),
        ("P412KDL", "P412KDL", "prefix", 1996),
        ("Y7 HJK", "Y7HJK", "prefix", 2001),
        ("AB51 ABC", "AB51ABC", "current", 2001),
        ("YT02 XZA", "YT02XZA", "current", 2002),
        ("LN07ZXW", "LN07ZXW", "current", 2007),
    ],
)
def test_full_marks_alone(plate: str, registration: str, fmt: str, year: int) -> None:
    found = vehicles(f"The car, {plate}, was seen twice.")
    assert [m.text for m in found] == [plate]
    a = found[0].attributes
    assert (a["registration"], a["format"], a["year"], a["partial"]) == (registration, fmt, year, False)


@pytest.mark.parametrize(
    ("text", "span", "registration", "fmt"),
    [
        ("The reg was ab51 abc.", "ab51 abc", "AB51ABC", "current"),
        ("registration 1 ABC", "1 ABC", "1ABC", "dateless"),
        ("number plate ABC 1 on a Rolls", "ABC 1", "ABC1", "dateless"),
        ("reg no. K1 NGS", "K1 NGS", "K1NGS", "prefix"),
        ("registration number: r123 abc", "r123 abc", "R123ABC", "prefix"),
    ],
)
def test_marks_in_context(text: str, span: str, registration: str, fmt: str) -> None:
    found = vehicles(text)
    assert [(m.text, m.attributes["registration"], m.attributes["format"]) for m in found] == [
        (span, registration, fmt)
    ]


@pytest.mark.parametrize(
    ("text", "span", "position"),
    [
        ("She remembered a partial plate of R12.", "R12", "start"),
        ("a plate starting Y7", "Y7", "start"),
        ("a registration ending in 'KDL'", "KDL", "end"),
        ("with a plate starting P412", "P412", "start"),
    ],
)
def test_partial_plates(text: str, span: str, position: str) -> None:
    found = vehicles(text)
    assert [m.text for m in found] == [span]
    assert found[0].attributes["partial"] is True
    assert found[0].attributes["format"] == "partial"
    assert found[0].attributes["position"] == position


@pytest.mark.parametrize(
    "text",
    [
        "ABC alone is not a plate.",
        "He lived at 1 ABC Street.",  # dateless without a cue
        "I12 ABC uses I as the year letter.",
        "Q123 ABC is a Q plate.",
        "AB00 ABC has no age identifier 00.",
        "AB51 QBC has Q in the random letters.",
        "ab51 abc in lower case without a cue",
        "The M1 and A1 roads.",
        "room B52 and flight BA123",
    ],
)
def test_not_plates(text: str) -> None:
    assert [m.text for m in vehicles(text) if m.attributes.get("registration")] == []


def test_a_word_after_a_plate_cue_is_not_part_of_the_plate() -> None:
    found = [
        m.text for m in vehicles("a Ford Mondeo, registration NM52 and something") if m.attributes.get("registration")
    ]
    assert "NM52 and" not in found and all("and" not in t for t in found)


@pytest.mark.parametrize(
    ("text", "span", "make", "model", "colour"),
    [
        ("He drove a silver Vauxhall Astra.", "silver Vauxhall Astra", "Vauxhall", "Astra", "silver"),
        ("a black BMW pulled up", "black BMW", "BMW", None, "black"),
        ("a Ford Mondeo pulled up", "Ford Mondeo", "Ford", "Mondeo", None),
        ("a dark blue Peugeot 406", "dark blue Peugeot 406", "Peugeot", "406", "dark blue"),
        ("the BMW 3 Series was parked", "BMW 3 Series", "BMW", "3 Series", None),
        (
            "a metallic green Mercedes C-Class",
            "metallic green Mercedes C-Class",
            "Mercedes",
            "C-Class",
            "metallic green",
        ),
        ("a silver Astra", "silver Astra", "Vauxhall", "Astra", "silver"),
        ("a VW Golf", "VW Golf", "Volkswagen", "Golf", None),
        ("a black Mercedes", "black Mercedes", "Mercedes", None, "black"),
    ],
)
def test_make_model_colour(text: str, span: str, make: str, model: str | None, colour: str | None) -> None:
    found = vehicles(text)
    assert [m.text for m in found] == [span]
    a = found[0].attributes
    assert (a["make"], a["model"], a["colour"], a["registration"]) == (make, model, colour, None)


@pytest.mark.parametrize("text", ["Harrison Ford starred.", "Mercedes said hello.", "He played golf."])
def test_makes_that_are_names(text: str) -> None:
    assert vehicles(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "a red Ford Escort, registration R123 ABC, was seen",
        "a red Ford Escort (R123 ABC) was seen",
        "a red Ford Escort with the registration R123 ABC",
        "R123 ABC, a red Ford Escort, was seen",
    ],
)
def test_description_and_plate_are_joined(text: str) -> None:
    found = vehicles(text)
    assert sorted(m.text for m in found) == ["R123 ABC", "red Ford Escort"]
    for m in found:
        a = m.attributes
        assert (a["make"], a["model"], a["colour"], a["registration"], a["format"], a["joined"]) == (
            "Ford",
            "Escort",
            "red",
            "R123ABC",
            "prefix",
            True,
        )


def test_distant_plate_is_not_joined() -> None:
    text = "He had a red Ford Escort. Months later I saw R123 ABC outside the school."
    assert not any(m.attributes.get("joined") for m in vehicles(text))


def test_issue_years() -> None:
    assert classify("ab51abc") == ("AB51ABC", "current")
    assert issue_year("AB51ABC", "current") == 2001
    assert issue_year("AB02ABC", "current") == 2002
    assert issue_year("AB75ABC", "current") == 2025
    assert issue_year("ABC123Y", "suffix") == 1982
    assert issue_year("Y123ABC", "prefix") == 2001


_ALLOWED_YEAR = "ABCDEFGHJKLMNPRSTVWXY"
_ALLOWED_SERIAL = "ABCDEFGHJKLMNOPRSTUVWXY"


@given(
    year=st.sampled_from(_ALLOWED_YEAR),
    number=st.integers(1, 999),
    letters=st.text(alphabet=_ALLOWED_SERIAL, min_size=3, max_size=3),
    space=st.booleans(),
)
def test_any_valid_prefix_mark_is_found(year: str, number: int, letters: str, space: bool) -> None:
    plate = f"{year}{number}{' ' if space else ''}{letters}"
    found = vehicles(f"Seen in {plate} twice.")
    assert [(m.text, m.attributes["format"]) for m in found] == [(plate, "prefix")]
