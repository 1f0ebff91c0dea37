"""Organisations: bodies from an editable list, abbreviations the text defines, and name patterns.

Three sources, in order of precedence when they overlap:
  1. data/uk_bodies.txt (IOPC, IPCC, NCA, CPS, HMIC ... with full names and aliases) and abbreviations
     the document defines itself: "South Yorkshire Police (SYP)", "the National Crime Agency (NCA)".
     A definition is accepted when the abbreviation's letters are the initials of the capitalised
     words just before the bracket (hyphenated words give one initial per part; "of", "for", "and",
     "&", "the", "into", "on", "in", "to" are skipped; a plural "s" is allowed: "SNTs"). A definition
     in the text overrides the list for that document. Every use of the abbreviation in the
     document, before or after the definition, then carries the canonical name.
  2. "Operation Linden", "Operation Stovewood" (kind "operation": an investigation's name).
  3. capitalised names ending in a body word: "Northmoor Police", "South Calder Constabulary",
     "Rotherham Metropolitan Borough Council", "the Child Protection Unit", "Ross Parry Agency".
  4. (issue 13) names joining places with "and" ("Telford and Wrekin Council", "England and Wales High
     Court"), a listed place or force area with a lower-case body word ("Northumbria police",
     "Rotherham council" -> the listed council), the Met by its short forms ("the Met", "Met Police",
     "Scotland Yard"), football clubs ("Hull City", kind "club"), and bare uses of an operation's
     name after "Operation Bullfinch" ("Bullfinch identified 27 victims", source "learned").
Attributes: {"canonical", "abbreviation", "kind": "body" | "police_force" | "council" | "operation" | "club",
"source": "list" | "defined" | "pattern"}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from casetrail.extraction.extractor import build_mention
from casetrail.extraction.lexicon import read_lines, read_sections
from casetrail.model import Mention, MentionType

CONFIDENCE_LIST = 0.95
CONFIDENCE_DEFINED = 0.9
CONFIDENCE_OPERATION = 0.85
CONFIDENCE_PATTERN = 0.75
CONFIDENCE_LOWER = 0.7
CONFIDENCE_CLUB = 0.8

# Abbreviations in brackets that are not bodies: titles, honours, topics.
NOT_BODIES = frozenset(
    {
        "MP",
        "MPs",
        "MEP",
        "MSP",
        "AM",
        "PCC",
        "QC",
        "KC",
        "OBE",
        "MBE",
        "CBE",
        "CSE",
        "CSA",
        "DEI",
        "DOB",
        "ID",
        "CEO",
        "UK",
        "US",
        "EU",
        "PC",
        "DC",
        "DS",
        "DI",
        "DCI",
        "SIO",
        "OIC",
        "CCTV",
        "ABE",
        "PTSD",
        "GP",
        "FGM",
        "NFA",
        "RIP",
    }
)
_CONNECTORS = frozenset({"of", "for", "and", "&", "the", "into", "on", "in", "to", "at"})
_BODY_WORDS = (
    "Agency|Commission|Service|Services|Office|Trust|Authority|Inspectorate|Solicitors|Department|Unit|"
    "Team|Squad|Court|Association|Foundation|Project|Partnership|Board|Hub|Ministry|Committee|Federation|"
    "Society|Institute|Bureau|Directorate|Panel|Council|Police|Constabulary|CID"
)
# Words that end a body's name ("... Police", "... Agency"): what makes a capitalised phrase a body.
BODY_WORDS: frozenset[str] = frozenset(_BODY_WORDS.split("|"))
_NOT_FIRST = (
    "The|A|An|This|That|These|Those|Senior|Former|Retired|Serving|Local|Our|Their|His|Her|Its|My|Your|"
    "In|On|At|By|For|From|With|And|Of|When|While|After|Before|During|But|Some|Many|Most|Other|All|Every|"
    "Each|No|Both|If|As|Then|So|Said|Says|Told|Yesterday|Today|British|English|Only|Even|Also|Including"
)
_CAPWORD = r"(?:(?:Children|Women|Men|People)['’]s|[A-Z][A-Za-z]*(?:-[A-Za-z]+)*(?![\w'’]))"
_PATTERN = re.compile(
    rf"(?<![\w'’])(?!(?:{_NOT_FIRST})\b)(?P<name>{_CAPWORD}(?:[ \t]+{_CAPWORD}){{0,3}}?[ \t]+"
    rf"(?P<suffix>{_BODY_WORDS}))(?!-?\w)(?!['’](?!s\b))"
)
_OPERATION = re.compile(r"\bOperation[ \t]+(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w-])")
# Capitalised words that never name an operation on their own ("Operation Today" is a headline).
_NOT_OPERATION_NAMES = frozenset({"The", "A", "An", "This", "That", "Today", "Police", "Team", "Unit"})

# Places and force areas, for bodies written with a lower-case "police" or "council" ("Northumbria
# police", "Rotherham council") and for football clubs ("Hull City"). A capitalised word that is not
# a known place is left alone: "She told Hartley police were coming" names a man.
_AREAS = frozenset(n.rstrip("!") for names in read_sections("uk_places.txt").values() for n in names) | frozenset(
    read_lines("force_areas.txt")
)
_LOWER_BODY = re.compile(
    r"(?<=[A-Za-z])[ \t]+(?P<suffix>police|constabulary|(?:city[ \t]+|borough[ \t]+|county[ \t]+)?council)"
    r"(?![\w'’-])"
)
_AREA_WORDS = re.compile(r"(?:[A-Z][\w'’-]*[ \t]+(?:and[ \t]+)?){0,3}[A-Z][\w'’-]*$")
_CLUB = re.compile(
    r"(?<![\w'’-])(?P<place>[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?)[ \t]+(?P<club>United|City|Town|Rovers|Wanderers|"
    r"Athletic|Albion|County|Villa|Hotspur|Rangers|FC|Football[ \t]+Club)(?![\w'’-])(?![ \t]+[A-Z])"
)
# "X and Y Council", "England and Wales High Court": a body whose name joins two places with "and".
_AND_BODY = re.compile(
    rf"(?<![\w'’])(?!(?:{_NOT_FIRST})\b)(?P<first>{_CAPWORD}(?:[ \t]+{_CAPWORD})?)[ \t]+(?:and|&)[ \t]+"
    rf"(?P<rest>{_CAPWORD}(?:[ \t]+{_CAPWORD}){{0,2}}?[ \t]+(?P<suffix>{_BODY_WORDS}))(?!-?\w)(?!['’](?!s\b))"
)
_WORD_BEFORE = re.compile(r"(?P<word>[\w'’-]+)[ \t]+$")
# The Metropolitan Police by its short form: "the Met", "Met officers", "the Met's" (not "Met at the station").
_MET = re.compile(
    r"(?:(?<=\b[Tt]he[ \t])Met|(?<![\w'’-])Met(?=['’]s[ \t]|[ \t]+(?:officers?|detectives?|police|"
    r"Commissioner|commissioner|chief|commander|said|says|has|have|had|was|is|spokes\w+)\b))(?![\w-])"
)
_BRACKETED = re.compile(r"\([ \t]*(?P<abbr>[A-Z][A-Za-z&]*[A-Z][A-Za-z&]*?)(?P<plural>s?)[ \t]*\)")
_WORD = re.compile(r"[\w'’&-]+")


@dataclass(frozen=True)
class Body:
    canonical: str
    abbreviation: str | None
    names: tuple[str, ...]  # canonical first, then aliases


def _normalise(name: str) -> str:
    return " ".join(name.replace("’", "'").replace("&", "and").split()).lower()


def _name_pattern(name: str) -> str:
    parts = []
    for token in name.split():
        if token in ("&", "and"):
            parts.append("(?:&|and)")
        else:
            parts.append(re.escape(token).replace("'", "['’]"))
    return r"\s+".join(parts)


def _load_bodies() -> tuple[Body, ...]:
    bodies = []
    for line in read_lines("uk_bodies.txt"):
        fields = [f.strip() for f in line.split("|")]
        abbreviation = None if fields[0] == "-" else fields[0]
        aliases = tuple(a.strip() for f in fields[2:] for a in f.split(";") if a.strip())
        bodies.append(Body(fields[1], abbreviation, (fields[1], *aliases)))
    return tuple(bodies)


BODIES = _load_bodies()
_BY_NAME = {_normalise(n): b for b in BODIES for n in b.names}
_BY_ABBREVIATION = {b.abbreviation: b for b in BODIES if b.abbreviation}
_KNOWN_NAMES = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(_name_pattern(n) for n in sorted({x for b in BODIES for x in b.names}, key=len, reverse=True))
    + r")(?!-?\w)(?!['’](?!s\b))"
)


@lru_cache(maxsize=512)
def _abbreviation_pattern(abbreviations: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(a) for a in sorted(abbreviations, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})s?(?![\w-]|['’][a-rt-z])")


@lru_cache(maxsize=512)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w'’-])(?:"
        + "|".join(_name_pattern(n) for n in sorted(names, key=len, reverse=True))
        + r")(?!-?\w)(?!['’](?!s\b))"
    )


def _initials(words: list[str]) -> str:
    out = []
    for word in words:
        if word.lower() in _CONNECTORS:
            continue
        for part in word.split("-"):
            if part[:1].isupper():
                out.append(part[0])
    return "".join(out)


def _kind(name: str) -> str:
    last = name.split()[-1] if name.split() else ""
    if (last in ("Police", "Constabulary") or name.endswith("Police Service")) and " of " not in name:
        return "police_force"
    if last == "Council":
        return "council"
    return "body"


def _operations(text: str) -> list[_Org]:
    """ "Operation Bullfinch", and every bare "Bullfinch" after it in the document: one operation, not a person."""
    out: list[_Org] = []
    names: dict[str, str] = {}
    for m in _OPERATION.finditer(text):
        canonical = " ".join(m.group().split())
        out.append(
            _Org(
                m.start(),
                m.end(),
                2,
                CONFIDENCE_OPERATION,
                {"canonical": canonical, "abbreviation": None, "kind": "operation", "source": "pattern"},
            )
        )
        if m.group("name") not in _NOT_OPERATION_NAMES:
            names.setdefault(m.group("name"), canonical)
    if names:
        taken = [(o.start, o.end) for o in out]
        for m in _names_pattern(tuple(sorted(names))).finditer(text):
            if not any(s <= m.start() < e for s, e in taken):
                out.append(
                    _Org(
                        m.start(),
                        m.end(),
                        2,
                        CONFIDENCE_OPERATION - 0.1,
                        {"canonical": names[m.group()], "abbreviation": None, "kind": "operation", "source": "learned"},
                    )
                )
    return out


def _joined_by_and(text: str, abbreviations: dict[str, str]) -> list[_Org]:
    """ "Telford and Wrekin Council", "Avon and Somerset Police": not when the first part is a person or a
    body already ("Karen Doyle and Northmoor Police", "Rotherham Council and South Yorkshire Police")."""
    from casetrail.extraction.names import (  # names imports nothing from here
        GIVEN_NAMES,
        STOP_CAPITALS,
    )

    out: list[_Org] = []
    for m in _AND_BODY.finditer(text):
        first = m.group("first").split()
        if any(w in GIVEN_NAMES or w in STOP_CAPITALS or w in BODY_WORDS or w in _NOT_FIRST.split("|") for w in first):
            continue
        before = _WORD_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if before and before.group("word")[:1].isupper() and before.group("word") not in STOP_CAPITALS:
            continue  # "Karen Doyle and ...": the first part is the end of a longer name
        name = " ".join(m.group().split())
        known = _BY_NAME.get(_normalise(name))
        canonical = known.canonical if known else name
        out.append(
            _Org(
                m.start(),
                m.end(),
                1,
                CONFIDENCE_PATTERN,
                {
                    "canonical": canonical,
                    "abbreviation": abbreviations.get(canonical),
                    "kind": _kind(canonical),
                    "source": "pattern",
                },
            )
        )
    return out


def _lower_case_bodies(text: str, abbreviations: dict[str, str]) -> list[_Org]:
    """ "Northumbria police", "Rotherham council": a known place or force area and a lower-case body word."""
    out: list[_Org] = []
    for m in _LOWER_BODY.finditer(text):
        words = _AREA_WORDS.search(text, max(0, m.start() - 60), m.start())
        if words is None:
            continue
        tokens = list(re.finditer(r"\S+", words.group()))
        for i in range(len(tokens)):  # the longest known area ending at the body word
            area = " ".join(t.group() for t in tokens[i:])
            if area in _AREAS:
                start = words.start() + tokens[i].start()
                suffix = " ".join(w.capitalize() for w in m.group("suffix").split())
                canonical = f"{area} {suffix}"
                known = _BY_NAME.get(_normalise(canonical))
                canonical = known.canonical if known else canonical
                out.append(
                    _Org(
                        start,
                        m.end(),
                        1,
                        CONFIDENCE_LOWER,
                        {
                            "canonical": canonical,
                            "abbreviation": abbreviations.get(canonical),
                            "kind": _kind(canonical),
                            "source": "pattern",
                        },
                    )
                )
                break
    return out


def _clubs(text: str) -> list[_Org]:
    """Football clubs named after their town: "Newcastle United", "Hull City", "Huddersfield Town"."""
    out: list[_Org] = []
    for m in _CLUB.finditer(text):
        if m.group("place") in _AREAS:
            name = " ".join(m.group().split())
            out.append(
                _Org(
                    m.start(),
                    m.end(),
                    2,
                    CONFIDENCE_CLUB,
                    {"canonical": name, "abbreviation": None, "kind": "club", "source": "pattern"},
                )
            )
    return out


@dataclass
class _Org:
    start: int
    end: int
    priority: int
    confidence: float
    attributes: dict[str, Any]


class OrganisationExtractor:
    """ORGANISATION mentions, normalised to a canonical name."""

    name = "organisations"
    version = "1.1.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        defined = self._definitions(text)  # abbreviation -> (canonical, full-name span)
        found: list[_Org] = []
        abbreviations: dict[str, tuple[str, str]] = {a: (b.canonical, "list") for a, b in _BY_ABBREVIATION.items()}
        for abbreviation, (canonical, _span) in defined.items():
            abbreviations[abbreviation] = (canonical, "defined")

        canonical_abbreviation = {c: a for a, (c, _s) in abbreviations.items()}
        for m in _KNOWN_NAMES.finditer(text):
            body = _BY_NAME[_normalise(m.group())]
            found.append(
                _Org(
                    m.start(),
                    m.end(),
                    3,
                    CONFIDENCE_LIST,
                    {
                        "canonical": body.canonical,
                        "abbreviation": canonical_abbreviation.get(body.canonical, body.abbreviation),
                        "kind": _kind(body.canonical),
                        "source": "list",
                    },
                )
            )
        learned_names = tuple(sorted({c for c, _s in defined.values() if _normalise(c) not in _BY_NAME}))
        if learned_names:
            for m in _names_pattern(learned_names).finditer(text):
                canonical = next(c for c in learned_names if _normalise(c) == _normalise(m.group()))
                found.append(
                    _Org(
                        m.start(),
                        m.end(),
                        3,
                        CONFIDENCE_DEFINED,
                        {
                            "canonical": canonical,
                            "abbreviation": canonical_abbreviation.get(canonical),
                            "kind": _kind(canonical),
                            "source": "defined",
                        },
                    )
                )
        present = tuple(sorted(a for a in abbreviations if a in text))
        if present:
            for m in _abbreviation_pattern(present).finditer(text):
                written = m.group()
                abbreviation = written if written in abbreviations else written[:-1]  # "SNTs"
                canonical, source = abbreviations[abbreviation]
                found.append(
                    _Org(
                        m.start(),
                        m.end(),
                        3,
                        CONFIDENCE_LIST if source == "list" else CONFIDENCE_DEFINED,
                        {
                            "canonical": canonical,
                            "abbreviation": abbreviation,
                            "kind": _kind(canonical),
                            "source": source,
                        },
                    )
                )
        found.extend(_operations(text))
        for m in _PATTERN.finditer(text):
            name = " ".join(m.group("name").split())
            found.append(
                _Org(
                    m.start("name"),
                    m.end("name"),
                    1,
                    CONFIDENCE_PATTERN,
                    {
                        "canonical": name,
                        "abbreviation": canonical_abbreviation.get(name),
                        "kind": _kind(name),
                        "source": "pattern",
                    },
                )
            )
        found.extend(_joined_by_and(text, canonical_abbreviation))
        found.extend(_lower_case_bodies(text, canonical_abbreviation))
        found.extend(_clubs(text))
        if "Met" in text:
            met = _BY_ABBREVIATION["MPS"]
            found.extend(
                _Org(
                    m.start(),
                    m.end(),
                    3,
                    CONFIDENCE_DEFINED,
                    {
                        "canonical": met.canonical,
                        "abbreviation": canonical_abbreviation.get(met.canonical, "MPS"),
                        "kind": "police_force",
                        "source": "short form",
                    },
                )
                for m in _MET.finditer(text)
            )

        kept: list[_Org] = []
        for org in sorted(found, key=lambda o: (-o.priority, -(o.end - o.start), o.start)):
            if all(org.end <= k.start or k.end <= org.start for k in kept):
                kept.append(org)
        kept.sort(key=lambda o: o.start)
        return [
            build_mention(
                self.id, document_id, text, o.start, o.end, MentionType.ORGANISATION, o.confidence, o.attributes
            )
            for o in kept
        ]

    @staticmethod
    def _definitions(text: str) -> dict[str, tuple[str, tuple[int, int]]]:
        """Abbreviations defined in this text: {"SYP": ("South Yorkshire Police", span of the full name)}."""
        out: dict[str, tuple[str, tuple[int, int]]] = {}
        for m in _BRACKETED.finditer(text):
            abbreviation = m.group("abbr")
            if abbreviation in NOT_BODIES or len(abbreviation) < 2:
                continue
            window_start = max(0, m.start() - 160)
            words = list(_WORD.finditer(text, window_start, m.start()))
            if not words or text[words[-1].end() : m.start()].strip():
                continue  # "(SYP)" must follow the name directly
            chain: list[re.Match[str]] = []
            for w in reversed(words):
                token = w.group()
                if token[:1].isupper() or token.lower() in _CONNECTORS:
                    if chain and text[w.end() : chain[0].start()].strip(" \t"):
                        break  # punctuation between words ends the name
                    chain.insert(0, w)
                else:
                    break
            target = abbreviation.upper()
            for i in range(len(chain)):
                if chain[i].group().lower() in _CONNECTORS:
                    continue
                if _initials([w.group() for w in chain[i:]]).upper() == target:
                    start, end = chain[i].start(), chain[-1].end()
                    full = " ".join(text[start:end].split())
                    known = _BY_NAME.get(_normalise(full))
                    out.setdefault(abbreviation, (known.canonical if known else full, (start, end)))
                    break
        return out
