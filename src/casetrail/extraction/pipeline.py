"""All extractors over many documents, and the choice of one best mention per stretch of text.

`ExtractionPipeline.extract_many` returns every mention every extractor found: the store records
them all, overlapping or not, so nothing an extractor said is lost. Resolution works on
`select(mentions)`: a non-overlapping subset where
  1. a rule extractor beats a statistical one (spaCy) whatever the lengths: the rules encode what an
     investigator knows ("PC Hassan Ali" is an OFFICER; spaCy sees PERSON "Hassan Ali");
  2. then the longer span wins ("South Yorkshire Police" over "Yorkshire Police");
  3. then the higher confidence, then the earlier start, then the mention type's name (for stability).

Extractors with an `extract_after(document_id, text, found)` method (`AfterExtractor`, such as
DocumentNameExtractor) run after all the others on each document and read their mentions: a name the
document establishes ("Declan Bell") is then recognised where it is used bare ("nobody arrested Bell").
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import islice

from casetrail.extraction.dates import DateExtractor
from casetrail.extraction.descriptors import DescriptorExtractor
from casetrail.extraction.document_names import DocumentNameExtractor
from casetrail.extraction.extractor import AfterExtractor, Extractor
from casetrail.extraction.organisations import OrganisationExtractor
from casetrail.extraction.persons import PersonExtractor
from casetrail.extraction.phones import PhoneExtractor, PostcodeExtractor
from casetrail.extraction.places import PlaceExtractor
from casetrail.extraction.police import PoliceExtractor
from casetrail.extraction.pseudonyms import PseudonymExtractor
from casetrail.extraction.spacy_ner import DEFAULT_MODEL, SpacyNerExtractor
from casetrail.extraction.vehicles import VehicleExtractor
from casetrail.model import Mention

# Bump whenever an extractor, a data list or the selection rule changes.
PIPELINE_VERSION = "1.2.0"

# Extractor names whose mentions lose to any overlapping rule mention.
STATISTICAL: frozenset[str] = frozenset({SpacyNerExtractor.name})


def rule_extractors(pseudonym_register: Iterable[str] = ()) -> list[Extractor]:
    """The rule-based extractors, in the order they run (DocumentNameExtractor after all the others)."""
    return [
        PoliceExtractor(),
        PersonExtractor(),
        PseudonymExtractor(pseudonym_register),
        DescriptorExtractor(),
        OrganisationExtractor(),
        PlaceExtractor(),
        VehicleExtractor(),
        PhoneExtractor(),
        PostcodeExtractor(),
        DateExtractor(),
        DocumentNameExtractor(),
    ]


class ExtractionPipeline:
    """Runs rule extractors and spaCy NER over (document_id, text) items."""

    version = PIPELINE_VERSION

    def __init__(
        self,
        extractors: Sequence[Extractor] | None = None,
        *,
        spacy_model: str | None = DEFAULT_MODEL,
        batch_size: int = 32,
        pseudonym_register: Iterable[str] = (),
    ) -> None:
        """`extractors` replaces the default set (rules + spaCy); `spacy_model=None` runs rules only;
        `pseudonym_register` lists the pseudonyms the inquiry has assigned (see PseudonymExtractor)."""
        if extractors is None:
            extractors = rule_extractors(pseudonym_register)
            if spacy_model is not None:
                extractors.append(SpacyNerExtractor(spacy_model, batch_size=batch_size))
        self.extractors: list[Extractor] = list(extractors)
        self.batch_size = batch_size

    def extract(self, document_id: str, text: str) -> list[Mention]:
        return next(self.stream([(document_id, text)]))[1]

    def extract_many(self, items: Iterable[tuple[str, str]]) -> list[Mention]:
        """Every mention of every item, grouped by item in input order, each group sorted by position."""
        return [m for _doc_id, mentions in self.stream(items) for m in mentions]

    def stream(self, items: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[Mention]]]:
        """(document_id, mentions) per item, in input order, batch by batch: memory stays bounded."""
        iterator = iter(items)
        while batch := list(islice(iterator, self.batch_size)):
            found: list[list[Mention]] = [[] for _ in batch]
            after = [e for e in self.extractors if isinstance(e, AfterExtractor)]
            for extractor in self.extractors:
                if extractor in after:
                    continue
                each = getattr(extractor, "extract_each", None)
                if each is not None:  # batched (spaCy's nlp.pipe)
                    for index, mentions in enumerate(each(batch)):
                        found[index].extend(mentions)
                else:
                    for index, (document_id, text) in enumerate(batch):
                        found[index].extend(extractor.extract(document_id, text))
            for extractor in after:  # they read what the others found
                for index, (document_id, text) in enumerate(batch):
                    found[index].extend(extractor.extract_after(document_id, text, found[index]))
            for (document_id, _text), mentions in zip(batch, found):
                mentions.sort(key=lambda m: (m.start, m.end, m.type.value, m.extractor))
                yield document_id, mentions

    @staticmethod
    def select(mentions: Iterable[Mention]) -> list[Mention]:
        return select(mentions)


def _rank(mention: Mention, statistical: Collection[str]) -> tuple[int, int, float, int, str]:
    is_statistical = mention.extractor.split("@", 1)[0] in statistical
    return (
        1 if is_statistical else 0,
        -(mention.end - mention.start),
        -mention.confidence,
        mention.start,
        mention.type.value,
    )


def select(mentions: Iterable[Mention], statistical: Collection[str] = STATISTICAL) -> list[Mention]:
    """The best non-overlapping mentions per document (see module docstring), by document then position."""
    by_document: dict[str, list[Mention]] = {}
    for m in mentions:
        if m.end > m.start:
            by_document.setdefault(m.document_id, []).append(m)
    out: list[Mention] = []
    for group in by_document.values():
        starts: list[int] = []  # accepted spans, sorted by start; they never overlap
        ends: list[int] = []
        chosen: list[Mention] = []
        for m in sorted(group, key=lambda m: _rank(m, statistical)):
            i = bisect.bisect_left(starts, m.start)
            if i > 0 and ends[i - 1] > m.start:
                continue  # overlaps the accepted span starting before it
            if i < len(starts) and starts[i] < m.end:
                continue  # overlaps the accepted span starting at or after it
            starts.insert(i, m.start)
            ends.insert(i, m.end)
            chosen.append(m)
        chosen.sort(key=lambda m: (m.start, m.end))
        out.extend(chosen)
    return out
