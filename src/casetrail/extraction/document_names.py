"""Names a document has already established, found again where it uses them bare (PERSON, PLACE).

A statement that names "Declan Bell" and later says "nobody arrested Bell" means the same man;
one that says "a flat at Kettleby" and later "a flat above Kettleby" means the same place: within
one document a name keeps one sense. This extractor runs after all the others on the same document
and reads what they found (`extract_after`); alone (`extract`) it finds nothing.

People's names are learned from
  * rule PERSON mentions of two or three words ("solicitor David Greenwood", "HARTLEY, Darren"), and
    single surnames given with a title ("Mrs Hartley");
  * OFFICER mentions' names ("DS John Hartley" -> "John Hartley"; "DS J.Hartley" -> "J. Hartley");
  * spaCy PERSON mentions of two or three name words, or initials and a surname ("Ngozi Wood",
    "D. Bell"), unless a rule mention of another type covers them (a place, a pseudonym).
From each full name the surname is learned, and the first word when it is a given name
(data/given_names.txt) or a rule said so. Places are learned from the place extractor's mentions
whose words are all capitalised ("Kettleby", "Copley Mill"). A word that a rule calls something
else in this document (a pseudonym, a body), or that would be both a person and a place, is not learned.

Every other capitalised use of a learned name that no rule extractor has claimed becomes a mention of
the learned type: PERSON {"name": as written, "learned_from": the full name, "learned": True}, taking in
initials or a given name just before a surname ("D. Bell", "Piotr Platt") and a name word just after a
given name ("Callum Yates"); PLACE {"kind", "source": "learned", "learned": True}. It beats what spaCy
said there ("Bell" ORG, "Sharma" GPE, "Millbeck" PERSON), as every rule does in `select`. A use is
skipped when
  * spaCy already gives it the learned type, or a longer spaCy entity contains it ("Bell Group" ORG);
  * it is part of a longer capitalised name: "Bell Street", "Wealdham Bell";
  * a determiner comes before it ("the Bell", "a Wood");
  * it opens a sentence and the document also uses the word in lower case ("Senior officers said"
    in a document that speaks of "senior officers").
Last, a capitalised word one edit (a letter added, dropped, changed or two swapped) away from exactly
one learned surname of five letters or more ("Mitcell", "Hartly" in a statement about "C. Mitchell"
and "DS Hartley") is taken for a misspelling of it, under the same checks: a PERSON with
{"spelling": "near"}. Statements are typed by hand; resolution decides whether it is the same person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import jellyfish

from casetrail.extraction.extractor import build_mention
from casetrail.extraction.lexicon import read_lines, read_sections
from casetrail.extraction.names import (
    GIVEN_NAMES,
    NAME_WORD,
    PLACE_AND_BUSINESS_WORDS,
    SENTENCE_OPENERS,
    STOP_CAPITALS,
)
from casetrail.extraction.organisations import BODY_WORDS
from casetrail.extraction.spacy_ner import COMMON_WORDS
from casetrail.model import Mention, MentionType

# Nationality, ethnicity and religion words ("Welsh" is one letter from "Walsh") and listed places
# ("Boston" from "Bolton"): never a misspelt name.
_IDENTITY_WORDS = frozenset(read_lines("excluded_descriptors.txt"))
_LISTED_PLACES = frozenset(name.rstrip("!") for names in read_sections("uk_places.txt").values() for name in names)

CONFIDENCE = 0.65
CONFIDENCE_NEAR = 0.6
STATISTICAL_EXTRACTORS = frozenset({"spacy_ner"})

_NAME_WORD_RE = re.compile(NAME_WORD)
_INITIAL = re.compile(r"[A-Z]\.?")
_GLUED_INITIALS = re.compile(r"(?<![\w.])((?:[A-Z]\.)+)(?=[A-Z][a-z])")  # "J.Hartley" -> "J. Hartley"
_NOT_NAME_ENDINGS = PLACE_AND_BUSINESS_WORDS | BODY_WORDS
_INITIALS_BEFORE = re.compile(r"(?<![\w.'’-])(?:[A-Z]\.[ \t]?){1,3}$")
_WORD_BEFORE = re.compile(r"(?<![\w'’-])(?P<word>[A-Za-zÀ-ÖØ-öø-ÿ'’-]+)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+(?P<word>[A-Z][\w'’-]*)")
_DETERMINERS = frozenset({"the", "a", "an"})  # not "that": "I heard that Bell had been arrested"
_SENTENCE_START = re.compile(r"(?:^|[.!?:;][\"'”’)]*\s+|\n\s*)$")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*")
_CAPITALISED = re.compile(r"[A-Z][\w'’-]*")
_TOKEN = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][\w'’-]*")
_POSSESSIVE_END = re.compile(r"['’]s?$")


@lru_cache(maxsize=64)
def _source(extractor: str) -> str:
    return extractor.split("@", 1)[0]


def _uses(text: str, keys: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, key) of every use of a learned key in `text`, longest key first, never overlapping.

    Keys are one to three words; words are joined by spaces or tabs; "Bell's" is a use of "Bell".
    """
    by_first: dict[str, list[list[str]]] = {}
    for key in keys:
        words = key.split()
        by_first.setdefault(words[0], []).append(words)
    for options in by_first.values():
        options.sort(key=len, reverse=True)
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        start, end, token = tokens[i]
        if token not in by_first:
            bare = _POSSESSIVE_END.sub("", token)
            if bare == token or bare not in by_first:
                i += 1
                continue
            token, end = bare, start + len(bare)
        for words in by_first[token]:
            n = len(words)
            if n == 1:
                yield start, end, token
                i += 1
                break
            if i + n <= len(tokens) and all(
                (tokens[i + k][2] if k < n - 1 else _POSSESSIVE_END.sub("", tokens[i + k][2])) == words[k]
                and not text[tokens[i + k - 1][1] : tokens[i + k][0]].strip(" \t")
                for k in range(1, n)
            ):
                last_start, _last_end, last = tokens[i + n - 1]
                yield start, last_start + len(_POSSESSIVE_END.sub("", last)), " ".join(words)
                i += n
                break
        else:
            i += 1


def _is_name_word(word: str) -> bool:
    return bool(_NAME_WORD_RE.fullmatch(word)) and word not in STOP_CAPITALS


class DocumentNameExtractor:
    """PERSON and PLACE mentions for bare uses of names the document has established."""

    name = "document_names"
    version = "1.1.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        """Nothing: this extractor needs the other extractors' mentions (see `extract_after`)."""
        return []

    def extract_after(self, document_id: str, text: str, found: Iterable[Mention]) -> list[Mention]:
        """PERSON and PLACE mentions implied by `found`, the other extractors' mentions of this document."""
        found = [m for m in found if m.document_id == document_id and _source(m.extractor) != self.name]
        rules = [m for m in found if _source(m.extractor) not in STATISTICAL_EXTRACTORS]
        statistical = [m for m in found if _source(m.extractor) in STATISTICAL_EXTRACTORS]
        people, places, weak = _learn(rules, statistical)
        if not people and not places:
            return []
        scan = _Scan(text, rules, statistical)
        out: list[Mention] = []
        for start, end, word in _uses(text, {*people, *places}):
            if word in people:
                span = scan.person_span(start, end, word, people[word])
                if word in weak and not scan.mistyped(start, end):
                    continue
                if span is not None and scan.free(*span, MentionType.PERSON, people):
                    written = " ".join(text[span[0] : span[1]].split())
                    out.append(
                        build_mention(
                            self.id,
                            document_id,
                            text,
                            *span,
                            MentionType.PERSON,
                            CONFIDENCE,
                            {"name": written, "learned_from": people[word], "learned": True},
                        )
                    )
            elif scan.place_span(start, end, word) and scan.free(start, end, MentionType.PLACE, places):
                out.append(
                    build_mention(
                        self.id,
                        document_id,
                        text,
                        start,
                        end,
                        MentionType.PLACE,
                        CONFIDENCE,
                        {"kind": places[word], "source": "learned", "learned": True},
                    )
                )
        out.extend(self._misspelt(document_id, text, scan, out, people, places))
        return out

    def _misspelt(
        self,
        document_id: str,
        text: str,
        scan: _Scan,
        taken: list[Mention],
        people: dict[str, str],
        places: dict[str, str],
    ) -> list[Mention]:
        """Words one edit away from a learned surname of five letters or more: that person, misspelt."""
        surnames: dict[str, list[str]] = {}
        for w, full in people.items():
            if " " not in w and len(w) >= 5 and full.split()[-1] == w:
                surnames.setdefault(w[0], []).append(w)
        if not surnames:
            return []
        out: list[Mention] = []
        for m in _TOKEN.finditer(text):
            word = _POSSESSIVE_END.sub("", m.group())
            options = surnames.get(word[0])
            if (
                not options
                or len(word) < 5
                or word in people
                or word in places
                or word in STOP_CAPITALS
                or word in GIVEN_NAMES
                or word.lower() in _IDENTITY_WORDS
                or word in _LISTED_PLACES
                or not _is_name_word(word)
            ):
                continue
            near = [
                w
                for w in options
                if abs(len(w) - len(word)) <= 1 and jellyfish.damerau_levenshtein_distance(w, word) == 1
            ]
            if len(near) != 1:
                continue
            start, end = m.start(), m.start() + len(word)
            if any(t.start < end and start < t.end for t in taken):
                continue
            if scan.person_span(start, end, word, word) != (start, end) or not scan.free(
                start, end, MentionType.PERSON, people
            ):
                continue
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    start,
                    end,
                    MentionType.PERSON,
                    CONFIDENCE_NEAR,
                    {"name": word, "learned_from": people[near[0]], "learned": True, "spelling": "near"},
                )
            )
        return out


class _Scan:
    """The checks every candidate use of a learned name goes through, over one document."""

    def __init__(self, text: str, rules: list[Mention], statistical: list[Mention]) -> None:
        self.text = text
        self.rules = rules
        self.statistical = statistical
        self._lower_words: set[str] | None = None

    def person_span(self, start: int, end: int, word: str, full: str) -> tuple[int, int] | None:
        """The span of a use of learned `word` (from the name `full`), or None when the use is skipped."""
        text = self.text
        span = (start, end)
        is_given = word in GIVEN_NAMES or (word != full and full.split()[0] == word)
        # a surname takes in the initials or given name before it: "D. Bell", "Piotr Platt"
        initials = _INITIALS_BEFORE.search(text, max(0, start - 10), start)
        if initials:
            start = initials.start()
        elif not self._clear_before(start):
            previous = _WORD_BEFORE.search(text, max(0, start - 40), start)
            word_before = previous.group("word") if previous else ""
            if is_given or word_before not in GIVEN_NAMES or not _is_name_word(word_before):
                return None
            start = previous.start("word") if previous else start
        after = _WORD_AFTER.match(text, end)
        if after and after.group("word") not in STOP_CAPITALS:
            following = after.group("word")
            if not is_given or following in _NOT_NAME_ENDINGS or not _is_name_word(following):
                return None  # "Bell Street", "Victoria Park"
            end = after.end("word")  # "Callum Yates"
        if (start, end) == span and self._common_word_opening_sentence(start, word):
            return None
        return start, end

    def place_span(self, start: int, end: int, word: str) -> bool:
        after = _WORD_AFTER.match(self.text, end)
        if after and after.group("word") not in STOP_CAPITALS:
            return False  # "Kettleby Road" is another place
        return self._clear_before(start) and not self._common_word_opening_sentence(start, word)

    def free(self, start: int, end: int, kind: MentionType, learned: dict[str, str]) -> bool:
        """No rule mention overlaps, spaCy has not already said `kind`, and no longer spaCy entity holds it."""
        if any(r.start < end and start < r.end for r in self.rules):
            return False
        for s in self.statistical:
            if not (s.start < end and start < s.end):
                continue
            if s.type is kind:
                return False
            if (
                s.start <= start
                and end <= s.end
                and s.end - s.start > end - start
                and not _all_learned(s.text, learned)
            ):
                return False
        return True

    def mistyped(self, start: int, end: int) -> bool:
        """True when spaCy gives exactly this span a type other than PERSON ("Shabir" ORG)."""
        return any(s.start == start and s.end == end and s.type is not MentionType.PERSON for s in self.statistical)

    def _clear_before(self, start: int) -> bool:
        """True unless a determiner or another capitalised word comes just before `start`."""
        previous = _WORD_BEFORE.search(self.text, max(0, start - 40), start)
        if previous is None:
            return True
        word = previous.group("word")
        if word.lower() in _DETERMINERS:
            return False
        return not word[:1].isupper() or word in STOP_CAPITALS or word in SENTENCE_OPENERS

    def _common_word_opening_sentence(self, start: int, word: str) -> bool:
        if not _SENTENCE_START.search(self.text, max(0, start - 6), start):
            return False
        if self._lower_words is None:
            self._lower_words = set(_LOWER_WORD.findall(self.text))
        return word.lower() in self._lower_words


def _learn(rules: list[Mention], statistical: list[Mention]) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """({person word or full name: the full name it was learned from}, {place name: its kind}, the
    weakly learned given names)."""
    claimed: set[str] = set()  # words a rule calls something other than a person here
    for m in rules:
        if m.type is MentionType.PSEUDONYM:
            claimed.update(m.text.split())
            claimed.update(str(m.attributes.get("name", "")).split())
        elif m.type is MentionType.ORGANISATION and " " not in m.text.strip():
            claimed.add(m.text.strip())
    people: dict[str, str] = {}
    weak: set[str] = set()

    def learn(name: str, *, trusted: bool) -> None:
        words = _GLUED_INITIALS.sub(r"\1 ", name).split()
        if not words or len(words) > 3:
            return
        surname = words[-1]
        if not _is_name_word(surname) or len(surname) < 2:
            return
        parts = words[:-1]
        if len(words) == 1 or all(_INITIAL.fullmatch(w) for w in parts):
            if (trusted or parts) and surname not in claimed:  # a lone surname only from a rule
                people.setdefault(surname, " ".join(words))
            return
        if not all(_is_name_word(w) for w in parts):
            return
        if surname in _NOT_NAME_ENDINGS and parts[0] not in GIVEN_NAMES:
            return  # "Slade Hill", "Copley Mill": spaCy's PERSON is a place
        full = " ".join(words)
        people.setdefault(full, full)
        if surname not in claimed:
            people.setdefault(surname, full)
        given = words[0]
        if (trusted or given in GIVEN_NAMES) and given not in claimed and len(given) >= 3:
            people.setdefault(given, full)
        elif _plausible_given(given) and given not in claimed and len(given) >= 3 and given not in people:
            # An unlisted given name from spaCy's full name ("Shabir Iqbal"): only where spaCy itself
            # saw a name but mistyped it ("Shabir" ORG), see _Scan.free (issue 13).
            people[given] = full
            weak.add(given)

    places: dict[str, str] = {}
    for m in rules:
        if m.type is MentionType.OFFICER:
            if m.attributes.get("name"):
                learn(str(m.attributes["name"]), trusted=True)
        elif m.type is MentionType.PERSON and not m.attributes.get("learned"):
            name = m.attributes.get("name")
            if name and (len(str(name).split()) >= 2 or m.attributes.get("title")):
                learn(str(name), trusted=True)
        elif m.type is MentionType.PLACE and _source(m.extractor) == "places":
            words = m.text.split()
            if all(_CAPITALISED.fullmatch(w) for w in words) and not any(w in STOP_CAPITALS for w in words):
                places.setdefault(" ".join(words), str(m.attributes.get("kind", "locality")))
    not_people = [r for r in rules if r.type is not MentionType.PERSON]
    for m in statistical:
        if m.type is not MentionType.PERSON or len(m.text.split()) < 2:
            continue
        if any(r.start < m.end and m.start < r.end for r in not_people):
            continue  # "Darren Jones" that a rule calls a pseudonym, "Slade Hill" that a rule calls a place
        learn(m.text, trusted=False)
    for word in set(people) & set(places):
        people.pop(word, None)
        places.pop(word, None)
    for word in claimed:
        places.pop(word, None)
    return people, places, weak & set(people)


def _plausible_given(word: str) -> bool:
    return (
        word not in _LISTED_PLACES
        and word not in _NOT_NAME_ENDINGS
        and word.lower() not in _IDENTITY_WORDS
        and word.lower() not in COMMON_WORDS
        and word not in SENTENCE_OPENERS
    )


def _all_learned(span: str, learned: dict[str, str]) -> bool:
    """True when every capitalised word of a spaCy entity is a learned name ("Platt and Mark" ORG)."""
    words = _CAPITALISED.findall(span)
    return bool(words) and all(w in learned or w in GIVEN_NAMES for w in words)
