"""Described-but-unnamed people; neutrality (no ethnicity/religion/nationality descriptors)."""

from __future__ import annotations

import pytest

from casetrail.extraction import DescriptorExtractor
from casetrail.model import MentionType

EXTRACTOR = DescriptorExtractor()


def described(text: str) -> list[tuple[str, str]]:
    out = []
    for m in EXTRACTOR.extract("doc", text):
        assert m.type is MentionType.DESCRIBED_PERSON
        assert m.attributes["description"] == m.text
        out.append((m.text, m.attributes["role"]))
    return out


@pytest.mark.parametrize(
    ("text", "span", "role"),
    [
        ("she was raped by a uniformed officer in a marked car.", "a uniformed officer in a marked car", "officer"),
        ("Among them was another unnamed officer.", "another unnamed officer", "officer"),
        ("It was an unknown officer.", "an unknown officer", "officer"),
        ("hearing a police officer having sex", "a police officer", "officer"),
        ("Then a sergeant came in.", "a sergeant", "sergeant"),
        ("a youth worker contacted social services", "a youth worker", "youth worker"),
        ("the driver of a silver car waved", "the driver of a silver car", "driver"),
        ("an older detective in a grey suit", "an older detective in a grey suit", "detective"),
        ("the sergeant on the front desk laughed", "the sergeant on the front desk", "sergeant"),
        ("a tall officer with ginger hair", "a tall officer with ginger hair", "officer"),
        ("a plain-clothes officer", "a plain-clothes officer", "officer"),
        ("a vulnerable kid in care", "a vulnerable kid in care", "child"),
        (
            "a serving South Yorkshire Police officer in a marked car",
            "a serving South Yorkshire Police officer in a marked car",
            "officer",
        ),
        ("a man in his thirties", "a man in his thirties", "man"),
        ("The ex-cop claims", "The ex-cop", "officer"),
        ("the Chief Constable apologised", "the Chief Constable", "chief constable"),
        ("her social worker came", "her social worker", "social worker"),
    ],
)
def test_descriptors(text: str, span: str, role: str) -> None:
    assert described(text) == [(span, role)]


def test_unnamed_is_recorded() -> None:
    (m,) = EXTRACTOR.extract("doc", "another unnamed officer")
    assert m.attributes["unnamed"] is True and m.attributes["category"] == "police"


@pytest.mark.parametrize(
    ("text", "span", "count"),
    [
        ("complaints against 42 named police officers", "42 named police officers", 42),
        ("Three former South Yorkshire officers have been arrested", "Three former South Yorkshire officers", 3),
        ("two officers in a patrol car", "two officers in a patrol car", 2),
        ("one of the officers who had been abusing her", "one of the officers", 1),
    ],
)
def test_counted_groups(text: str, span: str, count: int) -> None:
    (m,) = EXTRACTOR.extract("doc", text)
    assert (m.text, m.attributes["count"]) == (span, count)


@pytest.mark.parametrize(
    "text",
    [
        "an Asian man in his thirties",
        "a white officer",
        "a Pakistani-heritage man",
        "a Muslim youth worker",
        "a Polish driver",
        "at least 1,400 children were abused",  # a group of victims, not a person to resolve
        "the officers ignored it",  # no count: a group
        "the officer Hassan Ali said",  # named
        "David Greenwood, a solicitor representing victims",  # named
        'One survivor, "Willow," says',  # named by pseudonym
        "the official narrative",
        "I have been given the pseudonym Child A4.",
        "protect the child victims",
    ],
)
def test_not_described(text: str) -> None:
    assert described(text) == []


@pytest.mark.parametrize(
    ("text", "span", "unnamed"),
    [
        ("A detective who said he was from CID came", "A detective who said he was from CID", False),
        ("an officer who worked at the police station said", "an officer who worked at the police station", False),
        ("Once another officer I didn't know stopped the car", "another officer I didn't know", True),
        ("a policewoman I never knew laughed", "a policewoman I never knew", True),
    ],
)
def test_relative_clause_qualifiers(text: str, span: str, unnamed: bool) -> None:
    (m,) = EXTRACTOR.extract("doc", text)
    assert m.text == span
    assert m.attributes.get("unnamed", False) is unnamed


@pytest.mark.parametrize(
    "text",
    [
        "I saw him drinking with a man known as 'Biggie' at the club",  # named by a nickname
        "A man known locally as 'Jonno' had a flat",
        "a man (known as 'Tiny') drove",
        "my social worker was Dr Quarmby.",  # named through "was"
        "the driver was Declan Quarmby",
        "Coral told me later that Big Man had done the same",  # a nickname written as a role
    ],
)
def test_named_after_the_role(text: str) -> None:
    assert described(text) == []


def test_a_role_that_was_not_named_is_still_described() -> None:
    assert described("the officer was rude to me") == [("the officer", "officer")]
    assert described("a man called me a liar") == [("a man", "man")]
