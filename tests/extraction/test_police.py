"""Officers by rank and name, collar/warrant numbers, bare ranks; negatives such as "PC World"."""

from __future__ import annotations

import pytest

from casetrail.extraction import PoliceExtractor
from casetrail.model import Mention, MentionType

EXTRACTOR = PoliceExtractor()


def officers(text: str) -> list[Mention]:
    return [m for m in EXTRACTOR.extract("doc", text) if m.type is MentionType.OFFICER]


def only_officer(text: str) -> Mention:
    found = officers(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("written", "rank"),
    [
        ("PC", "PC"),
        ("P.C.", "PC"),
        ("Police Constable", "PC"),
        ("Constable", "PC"),
        ("WPC", "WPC"),
        ("Woman Police Constable", "WPC"),
        ("DC", "DC"),
        ("D.C.", "DC"),
        ("Det Con", "DC"),
        ("Det. Con.", "DC"),
        ("Detective Constable", "DC"),
        ("Sgt", "Sgt"),
        ("Sgt.", "Sgt"),
        ("Sergeant", "Sgt"),
        ("PS", "Sgt"),
        ("Police Sergeant", "Sgt"),
        ("DS", "DS"),
        ("Det Sgt", "DS"),
        ("Det. Sgt.", "DS"),
        ("Detective Sergeant", "DS"),
        ("Insp", "Insp"),
        ("Inspector", "Insp"),
        ("DI", "DI"),
        ("Det Insp", "DI"),
        ("Detective Inspector", "DI"),
        ("Ch Insp", "Ch Insp"),
        ("Ch. Insp.", "Ch Insp"),
        ("Chief Inspector", "Ch Insp"),
        ("DCI", "DCI"),
        ("D.C.I.", "DCI"),
        ("Det Ch Insp", "DCI"),
        ("Detective Chief Inspector", "DCI"),
        ("Supt", "Supt"),
        ("Superintendent", "Supt"),
        ("Det Supt", "Det Supt"),
        ("Det. Supt.", "Det Supt"),
        ("Detective Superintendent", "Det Supt"),
        ("Ch Supt", "Ch Supt"),
        ("Chief Superintendent", "Ch Supt"),
        ("Det Ch Supt", "Det Ch Supt"),
        ("DCS", "Det Ch Supt"),
        ("Detective Chief Superintendent", "Det Ch Supt"),
        ("ACC", "ACC"),
        ("Assistant Chief Constable", "ACC"),
        ("DCC", "DCC"),
        ("Deputy Chief Constable", "DCC"),
        ("Chief Constable", "Chief Constable"),
        ("PCSO", "PCSO"),
        ("Special Constable", "Special Constable"),
        ("Detective", "Det"),
        ("detective superintendent", "Det Supt"),
        ("police constable", "PC"),
    ],
)
def test_every_rank_with_a_name(written: str, rank: str) -> None:
    text = f"The statement was taken by {written} Gareth Thewlis at the station."
    m = only_officer(text)
    assert m.text == f"{written} Gareth Thewlis"
    assert m.attributes["rank"] == rank
    assert m.attributes["name"] == "Gareth Thewlis"
    assert m.attributes["collar_number"] is None
    assert m.extractor == "police@" + EXTRACTOR.version


@pytest.mark.parametrize(
    ("text", "span", "name"),
    [
        ("She names PC Hassan Ali, an officer.", "PC Hassan Ali", "Hassan Ali"),
        ("It was P.C. J. Smith who came.", "P.C. J. Smith", "J. Smith"),
        ("It was PC J Smith who came.", "PC J Smith", "J Smith"),
        ("DS A.B. Jones took notes.", "DS A.B. Jones", "A.B. Jones"),
        ("DCI O'Neill arrived.", "DCI O'Neill", "O'Neill"),
        ("DS Smith-Jones arrived.", "DS Smith-Jones", "Smith-Jones"),
        ("Sgt McDonald arrived.", "Sgt McDonald", "McDonald"),
        ("PC Hassan Ali Khan arrived.", "PC Hassan Ali Khan", "Hassan Ali Khan"),
        ("Insp Piet van der Merwe arrived.", "Insp Piet van der Merwe", "Piet van der Merwe"),
        ("PC Smith In 1998 said nothing.", "PC Smith", "Smith"),
        ("Reporting officer: DS Hartley.", "DS Hartley", "Hartley"),
    ],
)
def test_names_after_ranks(text: str, span: str, name: str) -> None:
    m = only_officer(text)
    assert (m.text, m.attributes["name"]) == (span, name)


def test_acting_and_temporary_ranks() -> None:
    acting = only_officer("A/Sgt Pollard and nobody else.")
    assert acting.attributes["rank"] == "Sgt" and acting.attributes["acting"] is True
    temporary = only_officer("Temporary Detective Inspector Mary Kitchen said.")
    assert temporary.attributes["rank"] == "DI" and temporary.attributes["temporary"] is True


@pytest.mark.parametrize(
    ("text", "span", "name", "collar"),
    [
        ("PC 1234 Smith drove.", "PC 1234 Smith", "Smith", "1234"),
        ("PC Smith 1234 drove.", "PC Smith 1234", "Smith", "1234"),
        ("Sgt 4521 Ali drove.", "Sgt 4521 Ali", "Ali", "4521"),
        ("It was PC 812 at the door.", "PC 812", None, "812"),
    ],
)
def test_collar_numbers_inside_the_officer(text: str, span: str, name: str | None, collar: str) -> None:
    found = EXTRACTOR.extract("doc", text)
    officer = only_officer(text)
    assert (officer.text, officer.attributes["name"], officer.attributes["collar_number"]) == (span, name, collar)
    numbers = [m for m in found if m.type is MentionType.COLLAR_NUMBER]
    assert [m.text for m in numbers] == [collar]
    assert numbers[0].attributes["number"] == collar


@pytest.mark.parametrize(
    ("text", "number", "kind"),
    [
        ("His collar number was 4521.", "4521", "collar"),
        ("collar number 4521", "4521", "collar"),
        ("shoulder number 812 on his uniform", "812", "collar"),
        ("warrant no. 12345 was shown", "12345", "warrant"),
        ("warrant number 67890", "67890", "warrant"),
        ("I think his number was 812.", "812", "collar"),
    ],
)
def test_collar_numbers_by_cue(text: str, number: str, kind: str) -> None:
    found = EXTRACTOR.extract("doc", text)
    assert [(m.type, m.text, m.attributes["kind"]) for m in found] == [(MentionType.COLLAR_NUMBER, number, kind)]


def test_collar_number_attaches_to_the_officer_just_named() -> None:
    text = "DS Kelly (collar number 812) came in. Later DC Ward, collar number 4521, drove me home."
    by_name = {m.attributes["name"]: m for m in officers(text)}
    assert by_name["Kelly"].attributes["collar_number"] == "812"
    assert by_name["Ward"].attributes["collar_number"] == "4521"
    numbers = [m for m in EXTRACTOR.extract("doc", text) if m.type is MentionType.COLLAR_NUMBER]
    assert {m.text: m.attributes["officer_name"] for m in numbers} == {"812": "Kelly", "4521": "Ward"}


def test_a_phone_number_is_not_a_collar_number() -> None:
    assert EXTRACTOR.extract("doc", "He said his number was 07700 900123.") == []


@pytest.mark.parametrize(
    "text",
    [
        "I bought it at PC World last week.",
        "The PC was slow and the PC crashed.",
        "She sat at her PC all night.",
        "a police constable came to the door",  # a description: the descriptor extractor's
        "He flew to Washington DC on Monday.",
        "The Inspectorate of Constabulary reported.",
        "John Constable painted the Hay Wain.",
        "Superintendents' pay rose.",
    ],
)
def test_no_officer(text: str) -> None:
    assert officers(text) == []


def test_bare_capitalised_rank_is_a_described_person() -> None:
    text = "The update defines senior officers as those ranked Chief Superintendent and above."
    found = EXTRACTOR.extract("doc", text)
    assert [(m.type, m.text) for m in found] == [(MentionType.DESCRIBED_PERSON, "Chief Superintendent")]
    assert found[0].attributes["rank"] == "Ch Supt"


def test_a_rank_after_an_article_is_left_to_descriptors() -> None:
    assert EXTRACTOR.extract("doc", "Then the Chief Constable apologised.") == []


def test_later_bare_surname_of_an_officer_is_a_person() -> None:
    text = "DS John Hartley took my statement. Later Hartley said I was lying, and John Hartley laughed."
    people = [
        (m.text, m.attributes["officer_name"]) for m in EXTRACTOR.extract("doc", text) if m.type is MentionType.PERSON
    ]
    assert people == [("Hartley", "John Hartley"), ("John Hartley", "John Hartley")]
