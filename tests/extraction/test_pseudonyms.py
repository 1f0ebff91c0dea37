"""Pseudonyms from cues and quotes, codes, learned later uses; nicknames as PERSON."""

from __future__ import annotations

import pytest

from casetrail.extraction import PseudonymExtractor
from casetrail.model import MentionType

EXTRACTOR = PseudonymExtractor()


def found(text: str) -> list[tuple[MentionType, str]]:
    return [(m.type, m.text) for m in EXTRACTOR.extract("doc", text)]


P = MentionType.PSEUDONYM


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('One survivor, "Willow," says she was raped.', "Willow"),
        ("One survivor, “Willow,” says she was raped.", "Willow"),
        ("Another victim, 'Emma', who was in care, said.", "Emma"),
        ("Another victim, ‘Emma’, who was in care, said.", "Emma"),
        ("One victim given the pseudonym Willow told the broadcaster.", "Willow"),
        ('a girl known as "Jo" said', "Jo"),
        ("the witness, 'Rose Ann', told us", "Rose Ann"),
        ("'Poppy', a survivor, said", "Poppy"),
        ("Poppy (not her real name) said", "Poppy"),
        ("My name for this inquiry is Hazel.", "Hazel"),
        ("I have been given the pseudonym Rowan for this statement.", "Rowan"),
        ("I am known in this inquiry as Ivy, which is not my real name.", "Ivy"),
        ("For the purposes of this statement I will be called Linnet.", "Linnet"),
        ("I am happy to be contacted, using the name Fern.", "Fern"),
        ("I was placed there with Child K17 and Girl A.", "Child K17"),
    ],
)
def test_pseudonyms(text: str, name: str) -> None:
    assert (P, name) in found(text)


def test_name_changed_to_protect_anonymity() -> None:
    text = (
        "Darren Jones, whose name we changed to protect his anonymity, served during the same period. "
        "Jones is keen to stress that lessons were learned, Jones says."
    )
    mentions = EXTRACTOR.extract("doc", text)
    assert [(m.type, m.text) for m in mentions] == [(P, "Darren Jones"), (P, "Jones"), (P, "Jones")]
    assert all(m.attributes["name"] == "Darren Jones" for m in mentions)
    assert [m.attributes.get("learned", False) for m in mentions] == [False, True, True]


def test_later_bare_uses_are_learned() -> None:
    text = 'One survivor, "Willow," says. Another survivor, "Emma," says. Girls like Willow and Emma are witnesses.'
    assert found(text) == [(P, "Willow"), (P, "Emma"), (P, "Willow"), (P, "Emma")]


@pytest.mark.parametrize(
    "text",
    [
        '"Yes," she said.',
        "the 'direction and control' of the IOPC",
        'they were "handed back" to the gang',
        'the report, "Rotherham," was published',
        "its main report, known as Operation Linden, did not",
        "also known as Operation Linden.",
        "Jay's report found police ignored abuse",
        'She told the BBC: "Nothing was done."',
    ],
)
def test_no_pseudonym(text: str) -> None:
    assert [t for t, _ in found(text) if t is P] == []


def test_nicknames_are_people() -> None:
    text = "A man known as 'Tiny' drove. Mark 'Tiny' Bolton was there. Asif Khan ('Shifty') too. Tiny laughed."
    mentions = EXTRACTOR.extract("doc", text)
    assert [(m.type, m.text) for m in mentions] == [
        (MentionType.PERSON, "Tiny"),
        (MentionType.PERSON, "Mark 'Tiny' Bolton"),
        (MentionType.PERSON, "Shifty"),
        (MentionType.PERSON, "Tiny"),
    ]
    assert mentions[1].attributes == {"name": "Mark Bolton", "nickname": "Tiny"}
    assert mentions[3].attributes["learned"] is True


def test_nickname_context_is_the_sentence() -> None:
    text = "A girl known as \"Jo\" said so. A man known as 'Tiny' drove."
    assert found(text) == [(P, "Jo"), (MentionType.PERSON, "Tiny")]


def test_register_finds_uncued_uses_and_changes_the_version() -> None:
    plain = PseudonymExtractor()
    registered = PseudonymExtractor(["Willow", "Child K17"])
    text = "Me and Willow went with Child K17, not Willowby."
    assert plain.extract("doc", text) == [m for m in plain.extract("doc", text) if m.text == "Child K17"]
    assert [m.text for m in registered.extract("doc", text)] == ["Willow", "Child K17"]
    assert plain.version == "1.2.0"
    assert registered.version.startswith("1.2.0+reg.") and registered.version != PseudonymExtractor(["Willow"]).version


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("I am making this complaint as Finchley. I have", "Finchley"),
        ("I am giving this statement as Child K4.", "Child K4"),
        ("Nothing was done.\n\nSigned, Skylark.", "Skylark"),
        ("Signed: Child B7\n", "Child B7"),
    ],
)
def test_the_writer_named_with_one_word(text: str, name: str) -> None:
    assert (P, name) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Signed, Jo Quarmby.",  # a full name is a real name
        "I am making this complaint as Sarah Quarmby.",
        "I am making this complaint as a mother.",
        "It was signed off by Quarmby.",
    ],
)
def test_not_the_writer_named_with_one_word(text: str) -> None:
    assert [t for t, _ in found(text) if t is P] == []


def test_a_nickname_after_a_name_or_a_man_is_a_nickname_even_beside_a_survivor() -> None:
    text = "Child S6 told me later that Bilal Quarmby (known as 'Slim') had done the same to her."
    assert found(text) == [(P, "Child S6"), (MentionType.PERSON, "Slim")]
    text = "Another survivor was in a car with a man known as 'Tinker' and Child T9."
    assert (MentionType.PERSON, "Tinker") in found(text)
    text = "Another survivor, a girl known as 'Jo', said so."  # a girl: still a pseudonym
    assert (P, "Jo") in found(text)


def test_we_are_calling_introduces_a_pseudonym() -> None:
    found = PseudonymExtractor().extract("doc", "A woman we are calling 'Ash' says she was 14.")
    assert [(m.text, m.type.value) for m in found] == [("Ash", "pseudonym")]
