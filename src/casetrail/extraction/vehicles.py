"""Vehicles: UK registration marks, partial plates, and make/model/colour descriptions.

Registration formats (DVLA), upper case, with or without the space:
  * suffix  (1963-1982) "ABC 123A": year letter last;
  * prefix  (1983-2001) "A123 ABC": year letter first;
  * current (2001-)     "AB51 ABC": two memory-tag letters, two-digit age identifier, three random letters;
  * dateless (any year) "1 ABC", "ABC 1": only after a cue such as "reg", "registration" or "plate",
    because on its own "A 1" or "ABC 12" is everywhere.
After a cue, lower case is accepted too ("reg ab51 abc").

Letter rules kept (a reasonable, documented subset of the DVLA's):
  * year letters (prefix and suffix) exclude I, O, Q, U and Z;
  * the three serial/area letters of prefix and suffix marks exclude I, Q and Z (Z is Northern Irish);
  * current memory-tag letters exclude I, Q and Z; random letters exclude I and Q;
  * current age identifiers are 02-29 (March issues) and 51-79 (September issues).
Q plates (vehicles of unknown age) are therefore not recognised as prefix marks.

A description ("a silver Vauxhall Astra", "black BMW", "Ford Mondeo") and a plate are separate
VEHICLE mentions, each with {"make", "model", "colour", "registration", "format", "partial"}; when they
are written together ("a red Ford Escort, registration R123 ABC") both carry the joined attributes
and "joined": True, so either span tells the whole story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from casetrail.extraction.extractor import build_mention
from casetrail.extraction.lexicon import read_lines
from casetrail.model import Mention, MentionType

_YEAR_LETTER = "A-HJ-NPR-TV-Y"  # no I, O, Q, U, Z
_SERIAL = "A-HJ-PR-Y"  # no I, Q, Z
_TAG = "A-HJ-PR-Y"  # no I, Q, Z
_RANDOM = "A-HJ-PR-Z"  # no I, Q
_AGE = r"(?:0[2-9]|[12]\d|5[1-9]|[67]\d)"

_CURRENT = rf"[{_TAG}]{{2}}{_AGE} ?[{_RANDOM}]{{3}}"
_PREFIX = rf"[{_YEAR_LETTER}][1-9]\d{{0,2}} ?[{_SERIAL}]{{3}}"
_SUFFIX = rf"[{_SERIAL}]{{3}} ?[1-9]\d{{0,2}} ?[{_YEAR_LETTER}]"
_DATELESS = r"[A-Z]{1,3} ?[1-9]\d{0,3}|[1-9]\d{0,3} ?[A-Z]{1,3}"

_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("current", re.compile(_CURRENT)),
    ("prefix", re.compile(_PREFIX)),
    ("suffix", re.compile(_SUFFIX)),
    ("dateless", re.compile(_DATELESS)),
)

_EDGE_BEFORE = r"(?<![\w\-/£$€#])"
_EDGE_AFTER = r"(?![\w\-/%])"

_BARE = re.compile(rf"{_EDGE_BEFORE}(?:{_CURRENT}|{_PREFIX}|{_SUFFIX}){_EDGE_AFTER}")

_CUE = (
    r"(?:vehicle[ \t]+)?(?:registration|reg)(?:[ \t]+(?:no\.?|number|mark|plate))?\.?"
    r"|(?:number|registration|licen[cs]e|index)[ \t]+plate|plate|index(?:[ \t]+(?:no\.?|number|mark))?|VRM|VRN"
)
_AFTER_CUE = r"[ \t]*(?:(?:was|is|of|reading|number|no\.?)[ \t]+|:[ \t]*)?['\"“‘]?"

# Lower-case plates are accepted after a cue, but not a word of prose ("registration NM52 and ...").
_PROSE = (
    r"(?:and|or|but|the|was|were|had|has|his|her|she|who|for|with|not|then|that|this|when|near|from|into|onto|out|off)"
)
_IN_CONTEXT = re.compile(
    rf"(?i:\b(?:{_CUE})){_AFTER_CUE}(?P<plate>[A-Za-z0-9]{{1,4}}(?: (?!{_PROSE}\b)[A-Za-z0-9]{{1,4}})?){_EDGE_AFTER}"
)

_PARTIAL = re.compile(
    r"(?i:\b(?:partial[ \t]+(?:reg(?:istration)?|(?:number[ \t]+)?plate|index)(?:[ \t]+(?:number|mark))?"
    r"(?:[ \t]+(?:of|was|reading|:))?"
    r"|(?:plate|reg(?:istration)?|number)[ \t]+(?P<where>start(?:ing|s|ed)?|begin(?:ning|s)?|end(?:ing|s|ed)?)"
    r"(?:[ \t]+(?:with|in))?))"
    r"[ \t]*:?[ \t]*['\"“‘]?(?P<plate>[A-Z0-9]{1,4}(?: [A-Z0-9]{1,3})?)['\"”’]?(?![\w\-])"
)

# Prefix/suffix year letter -> first year of issue; current age identifier -> year.
_PREFIX_YEARS = dict(
    zip(
        "ABCDEFGHJKLMNPRSTVWXY",
        (
            1983,
            1984,
            1985,
            1986,
            1987,
            1988,
            1989,
            1990,
            1991,
            1992,
            1993,
            1994,
            1995,
            1996,
            1997,
            1998,
            1999,
            1999,
            2000,
            2000,
            2001,
        ),
    )
)
_SUFFIX_YEARS = dict(
    zip(
        "ABCDEFGHJKLMNPRSTVWXY",
        (
            1963,
            1964,
            1965,
            1966,
            1967,
            1967,
            1968,
            1969,
            1970,
            1971,
            1972,
            1973,
            1974,
            1975,
            1976,
            1977,
            1978,
            1979,
            1980,
            1981,
            1982,
        ),
    )
)

CONFIDENCE_PLATE = 0.9
CONFIDENCE_PLATE_IN_CONTEXT = 0.95
CONFIDENCE_DATELESS = 0.75
CONFIDENCE_PARTIAL = 0.6
CONFIDENCE_MAKE_MODEL = 0.85
CONFIDENCE_MAKE_ONLY = 0.7

# Words allowed between a description and its plate ("a red Ford Escort, registration R123 ABC").
_JOIN_WORDS = frozenset(
    "registration reg plate number no mark index with bearing a the partial starting "
    "beginning ending in of was is reading vrm its".split()
)
_JOIN_GAP = re.compile(r"[\s,(:'\"“‘.]*(?:[A-Za-z]+[\s,(:'\"“‘.]*){0,6}")
_WORD = re.compile(r"[A-Za-z]+")


def classify(plate: str) -> tuple[str, str] | None:
    """(normalised registration, format) for a full or dateless mark, or None."""
    upper = plate.upper()
    for fmt, pattern in _FORMATS:
        if pattern.fullmatch(upper):
            return upper.replace(" ", ""), fmt
    return None


def issue_year(registration: str, fmt: str) -> int | None:
    """The first year a mark of this format and age letter/identifier was issued."""
    if fmt == "current":
        age = int(registration[2:4])
        return 2000 + (age if age < 50 else age - 50)
    if fmt == "prefix":
        return _PREFIX_YEARS.get(registration[0])
    if fmt == "suffix":
        return _SUFFIX_YEARS.get(registration[-1])
    return None


@dataclass(frozen=True)
class _Catalogue:
    makes: dict[str, str]  # written make -> canonical make
    models: dict[str, dict[str, str]]  # canonical make -> {model lower -> model}
    model_makes: dict[str, str | None]  # model -> its only make (None when several makes share it)
    needs_model: frozenset[str]
    colours: tuple[str, ...]


def _load_catalogue() -> _Catalogue:
    makes: dict[str, str] = {}
    models: dict[str, dict[str, str]] = {}
    needs: set[str] = set()
    for line in read_lines("vehicle_makes.txt"):
        head, _, rest = line.partition(":")
        names = [n.strip() for n in head.split("|")]
        canonical = names[0].rstrip("!").strip()
        if names[0].endswith("!"):
            needs.add(canonical)
        for written in names:
            makes[written.rstrip("!").strip()] = canonical
        for model in (m.strip() for m in rest.split(",")):
            if model:
                models.setdefault(canonical, {})[model.lower()] = model
    owners: dict[str, set[str]] = {}
    for make, by_lower in models.items():
        for model in by_lower.values():
            owners.setdefault(model, set()).add(make)
    model_makes = {m: (next(iter(o)) if len(o) == 1 else None) for m, o in owners.items()}
    return _Catalogue(makes, models, model_makes, frozenset(needs), read_lines("vehicle_colours.txt"))


_CATALOGUE = _load_catalogue()


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _capitalisable(words: tuple[str, ...]) -> str:
    # colours are matched in either case of the first letter ("Silver Ford Focus" opening a sentence)
    return "|".join(f"[{w[0]}{w[0].upper()}]{re.escape(w[1:])}" for w in sorted(words, key=len, reverse=True))


_COLOUR = (
    rf"(?:(?:[Dd]ark|[Ll]ight|[Pp]ale|[Bb]right|[Mm]etallic)[ \t-]+)?(?:{_capitalisable(_CATALOGUE.colours)})"
    rf"(?:[ \t]+(?:and|&)[ \t]+(?:{_capitalisable(_CATALOGUE.colours)}))?"
)
_MAKE = _alternation(_CATALOGUE.makes)
_ANY_MODEL = _alternation({m for by_lower in _CATALOGUE.models.values() for m in by_lower.values()})
# Models recognised alone after a colour: capitalised, alphabetic, at least four letters, one make.
_LONE_MODELS = _alternation(
    {m for m, make in _CATALOGUE.model_makes.items() if make and m[0].isupper() and m.isalpha() and len(m) >= 4}
)

_DESCRIPTION = re.compile(
    rf"(?P<det>\b(?i:a|an|the|his|her|their|my|our|your|that|this)[ \t]+)?"
    rf"(?:(?P<colour>\b{_COLOUR})[ \t]+)?"
    rf"(?:(?P<make>\b(?:{_MAKE}))(?:[ \t]+(?P<model>(?:{_ANY_MODEL})))?(?![\w-])"
    rf"|(?<=[a-z][ \t])(?P<lone>(?:{_LONE_MODELS}))(?![\w-]))"
)


@dataclass
class _Vehicle:
    start: int
    end: int
    confidence: float
    attributes: dict[str, Any] = field(default_factory=dict)
    is_plate: bool = False


class VehicleExtractor:
    """Registration marks (full, dateless in context, partial in context) and make/model descriptions."""

    name = "vehicles"
    version = "1.0.1"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        plates = self._plates(text)
        descriptions = self._descriptions(text, plates)
        self._join(text, descriptions, plates)
        found = sorted(plates + descriptions, key=lambda v: (v.start, v.end))
        return [
            build_mention(self.id, document_id, text, v.start, v.end, MentionType.VEHICLE, v.confidence, v.attributes)
            for v in found
        ]

    # -- plates
    def _plates(self, text: str) -> list[_Vehicle]:
        by_span: dict[tuple[int, int], _Vehicle] = {}
        # Partial first: "a partial plate of R12" must not read as the dateless mark "R12".
        for m in _PARTIAL.finditer(text):
            got = classify(m.group("plate"))
            if got is not None and got[1] != "dateless":
                continue  # a full mark after "plate starting": recorded below as a full mark
            where = (m.group("where") or "").lower()
            by_span[m.span("plate")] = _Vehicle(
                *m.span("plate"),
                CONFIDENCE_PARTIAL,
                {
                    "make": None,
                    "model": None,
                    "colour": None,
                    "registration": m.group("plate").replace(" ", ""),
                    "format": "partial",
                    "partial": True,
                    "position": "end" if where.startswith("end") else "start",
                },
                is_plate=True,
            )
        partial_spans = list(by_span)
        for pattern in (_IN_CONTEXT, _BARE):
            for m in pattern.finditer(text):
                span = m.span("plate") if pattern is _IN_CONTEXT else m.span()
                if span in by_span or any(s < span[1] and span[0] < e for s, e in partial_spans):
                    continue
                got = classify(text[span[0] : span[1]])
                if got is None:
                    continue
                registration, fmt = got
                if pattern is _BARE:
                    confidence = CONFIDENCE_PLATE
                else:
                    confidence = CONFIDENCE_DATELESS if fmt == "dateless" else CONFIDENCE_PLATE_IN_CONTEXT
                by_span[span] = self._plate(*span, registration, fmt, confidence)
        return list(by_span.values())

    @staticmethod
    def _plate(start: int, end: int, registration: str, fmt: str, confidence: float) -> _Vehicle:
        return _Vehicle(
            start,
            end,
            confidence,
            {
                "make": None,
                "model": None,
                "colour": None,
                "registration": registration,
                "format": fmt,
                "partial": False,
                "year": issue_year(registration, fmt),
            },
            is_plate=True,
        )

    # -- descriptions
    def _descriptions(self, text: str, plates: list[_Vehicle]) -> list[_Vehicle]:
        out: list[_Vehicle] = []
        plate_spans = [(p.start, p.end) for p in plates]
        for m in _DESCRIPTION.finditer(text):
            colour = m.group("colour")
            if m.group("lone"):
                if colour is None:
                    continue
                model = m.group("lone")
                make = _CATALOGUE.model_makes.get(model)
                start, end = m.start("colour"), m.end("lone")
            else:
                make = _CATALOGUE.makes[m.group("make")]
                model = m.group("model")
                end = m.end("make")
                if model is not None:
                    known = _CATALOGUE.models.get(make, {}).get(model.lower())
                    if known is None:
                        model = None
                    else:
                        end = m.end("model")
                if model is None and make in _CATALOGUE.needs_model and colour is None and m.group("det") is None:
                    continue  # "Ford" alone is as likely a surname
                start = m.start("colour") if colour else m.start("make")
            if any(s < end and start < e for s, e in plate_spans):
                continue
            out.append(
                _Vehicle(
                    start,
                    end,
                    CONFIDENCE_MAKE_MODEL if model else CONFIDENCE_MAKE_ONLY,
                    {
                        "make": make,
                        "model": model,
                        "colour": colour.lower() if colour else None,
                        "registration": None,
                        "format": None,
                        "partial": None,
                    },
                )
            )
        return out

    @staticmethod
    def _join(text: str, descriptions: list[_Vehicle], plates: list[_Vehicle]) -> None:
        """Share attributes between a description and the plate written right after (or before) it."""
        if not descriptions or not plates:
            return
        plates_sorted = sorted(plates, key=lambda p: p.start)
        for d in descriptions:
            after = next((p for p in plates_sorted if p.start >= d.end), None)
            before = next((p for p in reversed(plates_sorted) if p.end <= d.start), None)
            partner = None
            if after is not None and after.start - d.end <= 45 and _joinable(text[d.end : after.start]):
                partner = after
            elif before is not None and d.start - before.end <= 12 and _joinable(text[before.end : d.start]):
                partner = before
            if partner is None or partner.attributes.get("joined"):
                continue
            for key in ("make", "model", "colour"):
                partner.attributes[key] = d.attributes[key]
            for key in ("registration", "format", "partial", "year", "position"):
                if key in partner.attributes:
                    d.attributes[key] = partner.attributes[key]
            d.attributes["joined"] = partner.attributes["joined"] = True


def _joinable(gap: str) -> bool:
    if "\n\n" in gap or not _JOIN_GAP.fullmatch(gap):
        return False
    if re.search(r"[.!?](?:\s|$)", gap) and not re.search(r"\bno\.\s*$", gap, re.IGNORECASE):
        return False
    return all(w.lower() in _JOIN_WORDS for w in _WORD.findall(gap))
