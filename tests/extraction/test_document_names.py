"""Names a document establishes, recognised where it later uses them bare (one sense per document).

Every name here is fictional.
"""

from __future__ import annotations

import pytest

from casetrail.extraction import DocumentNameExtractor, ExtractionPipeline, select
from casetrail.extraction.extractor import build_mention
from casetrail.model import Mention, MentionType

EXTRACTOR = DocumentNameExtractor()
RULES = ExtractionPipeline(spacy_model=None)  # every rule extractor, document names last
P, PL, ORG = MentionType.PERSON, MentionType.PLACE, MentionType.ORGANISATION


def learned(text: str, extra: list[Mention] = ()) -> list[tuple[MentionType, str]]:
    """What DocumentNameExtractor adds after the rule extractors (and any spaCy-like mentions given)."""
    found = [m for m in RULES.extract("d", text) if not m.extractor.startswith("document_names")] + list(extra)
    return [(m.type, m.text) for m in EXTRACTOR.extract_after("d", text, found)]


def spacy(text: str, span: str, kind: MentionType, occurrence: int = 0) -> Mention:
    """A mention as spaCy would have made it, over the `occurrence`-th `span` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(span, start + 1)
    return build_mention("spacy_ner@test", "d", text, start, start + len(span), kind, 0.7, {"label": kind.name})


def test_alone_it_finds_nothing() -> None:
    assert EXTRACTOR.extract("d", "Declan Quarmby hit me. Nobody arrested Quarmby.") == []


def test_a_surname_learned_from_a_rule_name() -> None:
    text = "I first met Declan Quarmby at the park. Nobody arrested Quarmby. Quarmby's car was red."
    assert learned(text) == [(P, "Quarmby"), (P, "Quarmby")]
    m = EXTRACTOR.extract_after("d", text, RULES.extract("d", text))[0]
    assert m.attributes == {"name": "Quarmby", "learned_from": "Declan Quarmby", "learned": True}


def test_surnames_from_officers_titles_and_initials() -> None:
    assert learned("DS J.Quarmby laughed. I told Quarmby what happened.") == [(P, "Quarmby")]
    assert learned("Mrs Ollerenshaw came. Later Ollerenshaw rang.") == [(P, "Ollerenshaw")]
    assert learned("D. Quarmby gave us vodka. Then Quarmby drove off.") == [(P, "Quarmby")]


def test_a_lone_surname_from_spacy_teaches_nothing() -> None:
    text = "Quarmby hit me. Nobody arrested Quarmby."
    assert learned(text, [spacy(text, "Quarmby", P)]) == []


def test_a_spacy_full_name_teaches_and_its_wrong_labels_are_corrected() -> None:
    text = "Zoltan Quarmby hit me. Nobody arrested Quarmby."
    extra = [spacy(text, "Zoltan Quarmby", P), spacy(text, "Quarmby", ORG, 1)]
    assert learned(text, extra) == [(P, "Quarmby")]
    chosen = select(RULES.extract("d", text) + extra + EXTRACTOR.extract_after("d", text, extra))
    assert [(m.type, m.text) for m in chosen] == [(P, "Zoltan Quarmby"), (P, "Quarmby")]


def test_initials_and_given_names_are_taken_in() -> None:
    text = "Zoltan Quarmby hit me. I saw Z.Quarmby later."
    extra = [spacy(text, "Zoltan Quarmby", P)]
    assert learned(text, extra) == []  # "Z.Quarmby" is the persons extractor's already
    text = "Callum Quarmby hit me. Callum laughed. Callum Ibbotsley came."
    assert learned(text) == [(P, "Callum")]  # "Callum Ibbotsley" is the given-name rule's


def test_a_given_name_takes_in_the_name_word_after_it() -> None:
    text = "Zoltan Quarmby hit me. Then Zoltan Ibbotsley came, and Zoltan laughed."
    extra = [spacy(text, "Zoltan Quarmby", P)]
    assert learned(text, extra) == []  # "Zoltan" is not a known given name: learned only from a rule
    text = "solicitor Zoltan Quarmby said so. Then Zoltan Ibbotsley came, and Zoltan laughed."
    assert learned(text) == [(P, "Zoltan Ibbotsley"), (P, "Zoltan")]


@pytest.mark.parametrize(
    "text",
    [
        "Declan Quarmby hit me. We met at the Quarmby.",  # a determiner: a thing, not the man
        "Declan Quarmby hit me. He lived on Quarmby Street.",  # part of a longer name
        "Declan Quarmby hit me. The Wealdham Quarmby is a pub.",  # part of a longer name
        "Jo Senior hit me. Senior officers did nothing. The senior officers knew.",  # a word opening a sentence
    ],
)
def test_not_learned_uses(text: str) -> None:
    assert learned(text) == []


def test_a_name_a_rule_calls_something_else_is_not_learned() -> None:
    # "Juniper" is a pseudonym here, so "Juniper Quarmby" from spaCy teaches nothing about "Juniper"
    text = "I will be called Juniper. Juniper Quarmby is not a name I know. Juniper cried."
    assert (P, "Juniper") not in learned(text, [spacy(text, "Juniper Quarmby", P)])


def test_spacy_persons_that_are_places_teach_nothing() -> None:
    text = "We went to Slade Hill. Later Hill came."
    assert learned(text, [spacy(text, "Slade Hill", P)]) == []


def test_places_are_learned_too() -> None:
    text = "I was placed at Kettlewick. The flat in Kettlewick was cold. Kettlewick is where it began."
    extra = [spacy(text, "Kettlewick", ORG, 2)]
    assert learned(text, extra) == [(PL, "Kettlewick")]


def test_a_word_that_is_both_a_person_and_a_place_is_left_alone() -> None:
    text = "Darren Kettlewick hit me at Kettlewick. Kettlewick was cold."
    assert learned(text, [spacy(text, "Kettlewick", ORG, 2)]) == []


def test_a_misspelt_surname_is_the_person() -> None:
    text = "DS John Quarmbey laughed. Later Quarmby wrote something down."
    assert learned(text) == [(P, "Quarmby")]
    m = EXTRACTOR.extract_after("d", text, RULES.extract("d", text))[0]
    assert m.attributes["spelling"] == "near" and m.attributes["learned_from"] == "John Quarmbey"


def test_one_edit_of_any_kind_is_a_misspelling() -> None:
    text = "DS John Quarmby laughed. Later Quarnby, Quarbmy and Quarmbys came."
    assert learned(text) == [(P, "Quarnby"), (P, "Quarbmy"), (P, "Quarmbys")]


@pytest.mark.parametrize(
    "text",
    [
        "DS John Walsh laughed. He spoke Welsh to me.",  # a nationality word is never a misspelt name
        "DS John Bolton laughed. He moved to Boston.",  # nor a listed place
        "DS John Platt laughed. Later Plat came.",  # under five letters
        "DS John Quarmby laughed. Later Quarnbe came.",  # two edits away
        "DS John Quarmby and DS Anne Quarmbe laughed. Later Quarmbi came.",  # near two surnames: which?
    ],
)
def test_not_misspellings(text: str) -> None:
    assert [t for t in learned(text) if t[1] not in ("Quarmby", "Quarmbe")] == []


def test_the_pipeline_runs_it_after_the_others(pipeline: ExtractionPipeline) -> None:
    text = "I was aged 14 when Declan Quarmby started on me. I later heard that Quarmby had been arrested."
    chosen = [(m.type, m.text, m.extractor.split("@")[0]) for m in select(pipeline.extract("d", text))]
    assert (P, "Quarmby", "document_names") in chosen
