"""The pipeline's contract: all mentions kept, `select` picks a non-overlapping best set."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.extraction import (
    PIPELINE_VERSION,
    BatchExtractor,
    ExtractionPipeline,
    Extractor,
    rule_extractors,
    select,
)
from casetrail.model import Mention, MentionType


def mention(
    start: int, end: int, kind: MentionType, extractor: str, confidence: float = 0.8, document_id: str = "d"
) -> Mention:
    return Mention(document_id, start, end, "x" * (end - start), kind, extractor, confidence)


def test_rules_beat_spacy_even_when_shorter() -> None:
    spacy_org = mention(0, 45, MentionType.ORGANISATION, "spacy_ner@1", 0.7)  # "the Independent ... (IOPC"
    rule_org = mention(4, 41, MentionType.ORGANISATION, "organisations@1", 0.95)
    assert select([spacy_org, rule_org]) == [rule_org]


def test_officer_beats_the_person_inside_it() -> None:
    person = mention(3, 13, MentionType.PERSON, "spacy_ner@1", 0.7)  # "Hassan Ali"
    officer = mention(0, 13, MentionType.OFFICER, "police@1", 0.9)  # "PC Hassan Ali"
    collar = mention(3, 7, MentionType.COLLAR_NUMBER, "police@1", 0.85)
    assert select([person, collar, officer]) == [officer]


def test_longer_beats_shorter_among_rules_then_confidence() -> None:
    short = mention(10, 20, MentionType.PLACE, "places@1", 0.85)
    long = mention(5, 30, MentionType.ORGANISATION, "organisations@1", 0.75)
    same_len_low = mention(40, 50, MentionType.PLACE, "places@1", 0.55)
    same_len_high = mention(40, 50, MentionType.PERSON, "persons@1", 0.85)
    assert select([short, long, same_len_low, same_len_high]) == [long, same_len_high]


def test_documents_do_not_compete() -> None:
    a = mention(0, 10, MentionType.PERSON, "persons@1", document_id="a")
    b = mention(0, 10, MentionType.PERSON, "persons@1", document_id="b")
    assert select([a, b]) == [a, b]


spans = st.tuples(
    st.integers(0, 60),
    st.integers(1, 15),
    st.sampled_from(list(MentionType)),
    st.sampled_from(["spacy_ner@1", "police@1", "dates@1"]),
    st.floats(0.1, 1.0),
)


@settings(max_examples=200)
@given(st.lists(spans, max_size=40))
def test_select_is_a_non_overlapping_subset_that_covers_every_mention(raw: list[tuple]) -> None:
    mentions = [mention(s, s + n, kind, ex, conf) for s, n, kind, ex, conf in raw]
    chosen = select(mentions)
    assert all(m in mentions for m in chosen)
    for left, right in zip(chosen, chosen[1:]):
        assert left.end <= right.start
    # maximality: every dropped mention overlaps something chosen
    for m in mentions:
        assert m in chosen or any(c.start < m.end and m.start < c.end for c in chosen)
    # a rule mention is never dropped for a spaCy one
    for m in mentions:
        if m not in chosen and not m.extractor.startswith("spacy_ner"):
            blockers = [c for c in chosen if c.start < m.end and m.start < c.end]
            assert any(not c.extractor.startswith("spacy_ner") for c in blockers)


def test_every_extractor_meets_the_protocol(pipeline: ExtractionPipeline) -> None:
    names = [e.name for e in pipeline.extractors]
    assert len(names) == len(set(names))
    assert "spacy_ner" in names
    for extractor in pipeline.extractors:
        assert isinstance(extractor, Extractor)
    assert any(isinstance(e, BatchExtractor) for e in pipeline.extractors)
    assert PIPELINE_VERSION


def test_mentions_are_exact_spans_and_stamped(pipeline: ExtractionPipeline) -> None:
    text = (
        "On 12 March 1998 PC 4521 Smith and another unnamed officer stopped a red Ford Escort, registration "
        "R123 ABC, near S60 2TH. 'Emma', a survivor, was aged 14. Ring 0114 496 0000. South Yorkshire Police (SYP)."
    )
    mentions = pipeline.extract("doc-9", text)
    assert mentions == sorted(mentions, key=lambda m: (m.start, m.end, m.type.value, m.extractor))
    versions = {e.name: e.version for e in pipeline.extractors}
    for m in mentions:
        assert m.document_id == "doc-9"
        assert text[m.start : m.end] == m.text
        name, _, version = m.extractor.partition("@")
        assert versions[name] == version
    kinds = {m.type for m in select(mentions)}
    assert kinds >= {
        MentionType.DATE,
        MentionType.OFFICER,
        MentionType.DESCRIBED_PERSON,
        MentionType.VEHICLE,
        MentionType.POSTCODE,
        MentionType.PSEUDONYM,
        MentionType.AGE,
        MentionType.PHONE,
        MentionType.ORGANISATION,
    }


def test_extract_many_equals_one_by_one(pipeline: ExtractionPipeline) -> None:
    items = [
        (f"doc-{i}", f"PC {100 + i} Hartley met Professor Alexis Jay in Sheffield in {1990 + i}.") for i in range(70)
    ]  # more than one batch
    together = pipeline.extract_many(items)
    alone = [m for doc_id, text in items for m in pipeline.extract(doc_id, text)]
    assert together == alone
    assert [d for d, _ in pipeline.stream(items)] == [d for d, _ in items]


def test_rules_only_pipeline_needs_no_model() -> None:
    rules = ExtractionPipeline(spacy_model=None)
    assert len(rules.extractors) == len(rule_extractors())
    assert all(not m.extractor.startswith("spacy_ner") for m in rules.extract("d", "PC Hassan Ali in 1998."))


def test_a_name_never_starts_inside_a_word(pipeline: ExtractionPipeline) -> None:
    text = "He drove off in a silver Vauxhall Astra, registration R192 KDL. Willow, which is not her real name, saw it."
    chosen = [(m.type, m.text) for m in select(pipeline.extract("d", text))]
    assert (MentionType.VEHICLE, "R192 KDL") in chosen
    assert (MentionType.PSEUDONYM, "Willow") in chosen
    assert not any(t.startswith("L.") for _k, t in chosen)


class _Counter:
    """Sees what the other extractors found in each document (an `extract_after` extractor)."""

    name = "counter"
    version = "1"

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def extract(self, document_id: str, text: str) -> list[Mention]:
        return []

    def extract_after(self, document_id: str, text: str, found: list[Mention]) -> list[Mention]:
        self.seen[document_id] = len(found)
        return []


def test_extract_after_runs_last_with_the_other_mentions() -> None:
    counter = _Counter()
    rules = rule_extractors()
    pipeline = ExtractionPipeline([counter, *rules])  # listed first, still runs after the others
    mentions = pipeline.extract("d", "PC 4521 Smith met Declan Quarmby. Nobody arrested Quarmby.")
    assert counter.seen["d"] == len([m for m in mentions if not m.extractor.startswith("document_names")])
    assert rules[-1].name == "document_names"
    assert any(m.extractor.startswith("document_names") and m.text == "Quarmby" for m in mentions)
