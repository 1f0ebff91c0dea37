"""Descriptions: unknown subjects (officers described but not named) compared across cases.

"A uniformed PC of SYP driving R12-something" in one complaint and "a police constable, South
Yorkshire Police, car R123 ABC" in another may be the same officer. Each field is compared on
its own terms: forces by name or acronym, ranks by their canonical form, registrations by the
characters both know, periods by overlap, free text by shared words. Agreements raise the score
(combined as a noisy-OR, so it stays in [0, 1]); disagreements lower it and are listed, so the
human who decides sees both sides.

Neutral by design: words for ethnicity, skin colour, religion or nationality (data file
`protected_terms.txt`) are removed from every free-text field before anything is compared, and
never appear in a reason or a difference. Two descriptions that agree only on such words score 0.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from itertools import combinations
from typing import Final

from casetrail.linking.accounts import latest_verdicts
from casetrail.model.casework import Comparison, Description, Subject

# What one agreement is worth (noisy-OR). Force, rank and period are shared by most officers a
# case is about, so they only help a match something else suggests.
W_FORCE: Final = 0.05
W_RANK: Final = 0.1
W_PERIOD: Final = 0.15  # scaled by how much of the two periods overlaps
W_ROLE: Final = 0.2  # scaled by word overlap (Jaccard), as are unit, place and vehicle words
W_UNIT: Final = 0.15
W_PLACE: Final = 0.25
W_PLATE_SAME: Final = 0.6  # the same full registration
W_PLATE_FITS: Final = 0.35  # a partial registration that fits the other
W_VEHICLE_WORDS: Final = 0.25
W_VEHICLE_COLOUR: Final = 0.1
W_MARK: Final = 0.3  # a distinctive physical feature: tattoo, scar, glasses ...
W_HEIGHT: Final = 0.2
W_FEATURE: Final = 0.1  # any other physical word: tall, slim, dark-haired ...

# What one disagreement multiplies the score by. Ranks change over a career and officers drive
# more than one car, so those are milder than a different force.
P_FORCE: Final = 0.5
P_RANK: Final = 0.6
P_PLATE: Final = 0.4
P_PERIOD: Final = 0.6
P_PHYSICAL: Final = 0.7
P_VEHICLE_COLOUR: Final = 0.8

# A same full registration (0.6), a partial one with the same force and rank (0.44) or two
# distinctive marks (0.51) are proposed; force + rank + period alone (at most 0.27) never are.
DEFAULT_MIN_SCORE: Final = 0.4
# The most force, rank and period can give together: above it, a pair needs a shared word or a
# fitting registration, so candidates can come from an index of those instead of all pairs.
WEAK_CEILING: Final = 1 - (1 - W_FORCE) * (1 - W_RANK) * (1 - W_PERIOD)


@dataclass(frozen=True)
class UnknownProposal:
    """Two unknown subjects, in different cases, who may be the same person."""

    left: str
    right: str
    score: float
    reasons: tuple[str, ...]
    differences: tuple[str, ...]


# -- protected terms ---------------------------------------------------------------------------


@cache
def protected_terms() -> frozenset[str]:
    """Every protected term (lower case, words separated by single spaces), from the data file."""
    raw = resources.files("casetrail.linking").joinpath("data", "protected_terms.txt").read_text(encoding="utf-8")
    terms = set()
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip().casefold()
        if line:
            terms.add(" ".join(_words(line)))
    return frozenset(terms)


@cache
def _phrases() -> tuple[frozenset[tuple[str, ...]], int]:
    phrases = frozenset(tuple(t.split()) for t in protected_terms())
    return phrases, max(len(p) for p in phrases)


_SKIN: Final = frozenset({"skin", "skinned", "complexion", "complexioned", "skintone"})


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold().replace("'", "").replace("’", ""))


def _protected_at(words: Sequence[str], i: int) -> int:
    """How many words from i form a protected term (0 if none); plurals in "-s" and "-ies" too."""
    phrases, longest = _phrases()
    for n in range(min(longest, len(words) - i), 0, -1):
        *head, last = words[i : i + n]
        singulars = [last]
        if last.endswith("ies"):
            singulars.append(last[:-3] + "y")
        if last.endswith("s"):
            singulars.append(last[:-1])
        if any((*head, s) in phrases for s in singulars):
            return n
    return 0


def _kept(words: Sequence[str]) -> list[int]:
    """Indices of the words that survive: protected terms, skin words and the word before go."""
    kept: list[int] = []
    i = 0
    while i < len(words):
        n = _protected_at(words, i)
        if n:
            i += n
            continue
        if words[i] in _SKIN:  # "dark skin", "olive-skinned": the colour goes with it
            if kept and kept[-1] == i - 1:
                kept.pop()
            i += 1
            continue
        kept.append(i)
        i += 1
    return kept


def neutral_words(text: str) -> list[str]:
    """The words of `text` (folded) with every protected term and skin description removed."""
    words = _words(text)
    return [words[i] for i in _kept(words)]


def _display(text: str) -> str:
    """`text` as written, without protected terms: what a reason may show."""
    tokens = re.findall(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?", text)
    folded = ["".join(_words(t)) for t in tokens]
    return " ".join(tokens[i] for i in _kept(folded) if folded[i])


# -- fields ---------------------------------------------------------------------------------------

_STOP: Final = frozenset(
    "a an the of in on at to and or with by from for his her their he she they him them was were is are be "
    "been had has have who which that this these those as very quite rather about around approximately approx "
    "some bit also like sort kind over under".split()
)
_ROLE_STOP: Final = _STOP | {"officer", "officers", "police", "policeman", "policewoman", "man", "woman", "cop"}
_UNIT_STOP: Final = _STOP | {"unit", "team", "department", "dept", "squad", "section", "police"}
_PLACE_STOP: Final = _STOP | {
    "road",
    "rd",
    "street",
    "st",
    "lane",
    "ln",
    "avenue",
    "ave",
    "way",
    "drive",
    "close",
    "place",
    "area",
    "near",
    "outside",
    "inside",
    "behind",
    "opposite",
    "next",
}
_VEHICLE_STOP: Final = _STOP | frozenset(
    "car vehicle reg registration number plate plates index mark driving drove drive driven possibly maybe partial "
    "starts starting start begins beginning ends ending ended".split()
)
_PHYSICAL_STOP: Final = _STOP | frozenset(
    "man men male female woman officer policeman police uniform uniformed person guy bloke looking looked look looks "
    "appearance build built hair haired eyes eyed face facial accent spoke speaks speaking language described "
    "description wore wearing dressed clothes aged age years year old medium average normal fairly well "
    "slightly little height tone".split()
)
_VEHICLE_COLOURS: Final = frozenset(
    "red blue green black white silver grey gray yellow orange purple maroon gold brown beige cream navy bronze "
    "burgundy".split()
)

_HAIR_COLOURS: Final = {
    "black": "dark",
    "dark": "dark",
    "brown": "dark",
    "brunette": "dark",
    "blond": "fair",
    "blonde": "fair",
    "fair": "fair",
    "light": "fair",
    "sandy": "fair",
    "ginger": "red",
    "red": "red",
    "auburn": "red",
    "grey": "grey",
    "gray": "grey",
    "white": "grey",
    "silver": "grey",
    "greying": "grey",
    "graying": "grey",
    "mousy": "mousy",
    "mousey": "mousy",
}
_HAIR_STYLES: Final = {
    "short": "short",
    "cropped": "short",
    "long": "long",
    "shaved": "shaved",
    "shaven": "shaved",
    "curly": "curly",
    "wavy": "wavy",
    "straight": "straight",
    "spiky": "spiky",
    "slicked": "slicked",
    "greasy": "greasy",
    "thinning": "thinning",
    "receding": "receding",
}
_EYE_COLOURS: Final = {
    "blue": "blue",
    "green": "green",
    "grey": "grey",
    "gray": "grey",
    "hazel": "hazel",
    "brown": "dark",
    "dark": "dark",
    "black": "dark",
}
# Colour words on their own ("he was dark") describe skin as often as hair: only these stand alone.
_HAIR_ALONE: Final = {
    "ginger": "red-haired",
    "blond": "fair-haired",
    "blonde": "fair-haired",
    "brunette": "dark-haired",
    "greying": "grey-haired",
}
_COLOUR_WORDS: Final = frozenset(_HAIR_COLOURS) | frozenset(_EYE_COLOURS) | {"pale", "olive", "tan"}
_PHYSICAL_SYNONYMS: Final = {
    "tattoos": "tattoo",
    "tattooed": "tattoo",
    "scars": "scar",
    "scarred": "scar",
    "spectacles": "glasses",
    "specs": "glasses",
    "bespectacled": "glasses",
    "mustache": "moustache",
    "moustached": "moustache",
    "tash": "moustache",
    "tache": "moustache",
    "bearded": "beard",
    "stubbly": "stubble",
    "thickset": "stocky",
    "heavyset": "stocky",
    "burly": "stocky",
    "thin": "slim",
    "skinny": "slim",
    "slender": "slim",
    "slight": "slim",
    "lanky": "slim",
    "wiry": "slim",
    "fat": "heavy",
    "overweight": "heavy",
    "chubby": "heavy",
    "plump": "heavy",
    "podgy": "heavy",
    "portly": "heavy",
    "obese": "heavy",
    "big": "heavy",
    "large": "heavy",
    "athletic": "muscular",
    "muscly": "muscular",
    "small": "short",
    "balding": "bald",
    "freckled": "freckles",
    "freckly": "freckles",
    "pierced": "piercing",
    "piercings": "piercing",
    "earrings": "earring",
    "limping": "limp",
    "limped": "limp",
    "stutter": "stammer",
    "stuttered": "stammer",
    "stammered": "stammer",
    "moles": "mole",
    "birthmarks": "birthmark",
    "warts": "wart",
}
_PHYSICAL_PAIRS: Final = {("well", "built"): "muscular", ("heavy", "set"): "stocky", ("thick", "set"): "stocky"}
_MARKS: Final = frozenset(
    "tattoo scar birthmark mole piercing earring limp glasses stammer lisp ponytail bald freckles goatee "
    "sideburns moustache beard wart squint red-haired".split()
)
# Physical words that cannot both be true of one person at one time.
_OPPOSITES: Final = (("tall", "short"), ("slim", "heavy"), ("slim", "stocky"))
_NUMBERS: Final = {
    w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten eleven".split())
}
_HEIGHT: Final = re.compile(
    r"\b(\d|four|five|six|seven)\s*(?:ft|foot|feet|')\s*"
    rf"(?:(\d{{1,2}}|(?:{'|'.join(_NUMBERS)})\b)\s*(?:in|ins|inches|\")?)?",
    re.I,
)
_HAIR_WORDS: Final = _HAIR_COLOURS | _HAIR_STYLES


def _height(m: re.Match[str]) -> str:
    """ "six foot two", "6' 2\"", "6ft 2in" -> "6ft2"."""
    feet, inches = m[1].lower(), (m[2] or "").lower()
    return f" {_NUMBERS.get(feet, feet)}ft{_NUMBERS.get(inches, inches)} "


def _hair_and_eyes(words: Sequence[str]) -> list[str]:
    """`words` with "short dark hair", "hair was blond", "blue eyes" made into one term per word
    ("short-haired", "dark-haired", "fair-haired", "blue-eyed"). Done before protected terms are
    removed, while "black hair" can still be told from a word for skin."""
    out: list[str] = []
    i = 0
    while i < len(words):
        noun = words[i]
        i += 1
        if noun not in ("hair", "haired", "eyes", "eyed"):
            out.append(noun)
            continue
        vocabulary = _HAIR_WORDS if noun.startswith("hair") else _EYE_COLOURS
        start = len(out)
        while start and out[start - 1] in vocabulary:
            start -= 1
        described, out = out[start:], out[:start]
        if noun == "hair" and words[i : i + 1] in (["was"], ["is"]):  # "his hair was short and dark"
            end = i + 1
            while end < len(words) and (words[end] in vocabulary or words[end] == "and"):
                end += 1
            described += [w for w in words[i + 1 : end] if w != "and"]
            i = end
        for n, word in enumerate(described):
            if word in ("light", "dark") and any(w in _HAIR_COLOURS for w in described[n + 1 :]):
                continue  # "light brown": the colour is what compares
            out.append(f"{_HAIR_WORDS[word]}-haired" if vocabulary is _HAIR_WORDS else f"{_EYE_COLOURS[word]}-eyed")
    return out


def _physical_terms(text: str) -> frozenset[str]:
    """Descriptive terms, canonical ("dark-haired", "glasses", "5ft10"), protected terms removed."""
    words = _hair_and_eyes(_words(_HEIGHT.sub(_height, text)))
    kept = [words[i] for i in _kept(words)]
    terms: set[str] = set()
    i = 0
    while i < len(kept):
        pair = (kept[i], kept[i + 1]) if i + 1 < len(kept) else None
        if pair in _PHYSICAL_PAIRS:  # "well built", "heavy set"
            terms.add(_PHYSICAL_PAIRS[pair])
            i += 2
            continue
        word = kept[i]
        i += 1
        if word in _HAIR_ALONE:
            terms.add(_HAIR_ALONE[word])
        elif word not in _COLOUR_WORDS and word not in _PHYSICAL_STOP and len(word) > 1:
            terms.add(_PHYSICAL_SYNONYMS.get(word, word))  # a bare colour may mean skin: never compared
    return frozenset(terms)


def _term_weight(term: str) -> float:
    if term in _MARKS:
        return W_MARK
    if re.fullmatch(r"\d+ft\d*", term):
        return W_HEIGHT
    return W_FEATURE


def _inches(term: str) -> int | None:
    m = re.fullmatch(r"(\d+)ft(\d*)", term)
    return int(m[1]) * 12 + int(m[2] or 0) if m else None


def _token_set(text: str | None, stop: frozenset[str]) -> frozenset[str]:
    return frozenset(w for w in neutral_words(text or "") if w not in stop and len(w) > 1)


# -- forces and ranks -----------------------------------------------------------------------------

_FORCE_SUFFIXES: Final = (("police", "force"), ("police", "service"), ("constabulary",), ("police",), ("force",))
_FORCE_ALIASES: Final = {"met": "metropolitan", "the met": "metropolitan"}


def _force_name(text: str) -> str:
    words = _words(text)
    if words and words[0] == "the":
        words = words[1:]
    for suffix in _FORCE_SUFFIXES:
        if len(words) > len(suffix) and tuple(words[-len(suffix) :]) == suffix:
            words = words[: -len(suffix)]
            break
    name = " ".join(words)
    return _FORCE_ALIASES.get(name, name)


def _is_acronym(short: str, name: str) -> bool:
    """ "syp" for "south yorkshire", "gmp" for "greater manchester", "mps" for "metropolitan"."""
    if " " in short or not short.isalpha() or len(short) > 6 or " " not in name and len(name) <= len(short):
        return False
    initials = "".join(w[0] for w in name.split())
    return short in {initials + s for s in ("", "p", "c", "ps", "pf", "cp")}


def same_force(a: str, b: str) -> bool:
    """True when two ways of writing a force name the same force."""
    na, nb = _force_name(a), _force_name(b)
    return bool(na and nb) and (na == nb or _is_acronym(na, nb) or _is_acronym(nb, na))


_RANK_FORMS: Final = {
    "PC": ("pc", "police constable", "constable", "wpc", "woman police constable", "w pc"),
    "Sgt": ("sgt", "sergeant", "ps", "police sergeant", "p sgt"),
    "Insp": ("insp", "inspector", "police inspector"),
    "Ch Insp": ("ch insp", "chief inspector", "chief insp", "c insp"),
    "Supt": ("supt", "superintendent"),
    "Ch Supt": ("ch supt", "chief superintendent", "chief supt", "c supt"),
    "ACC": ("acc", "assistant chief constable", "asst chief constable"),
    "DCC": ("dcc", "deputy chief constable"),
    "Chief Constable": ("chief constable",),
    "PCSO": ("pcso", "police community support officer"),
    "Special Constable": ("special constable", "special"),
    "DC": ("dc", "detective constable", "det constable", "det con", "d con", "tdc", "trainee detective constable"),
    "DS": ("ds", "detective sergeant", "det sgt", "det sergeant", "d sgt", "dsgt"),
    "DI": ("di", "detective inspector", "det insp", "det inspector", "d insp"),
    "DCI": ("dci", "detective chief inspector", "det ch insp", "det chief inspector", "d ch insp"),
    "Det Supt": ("dsupt", "d supt", "dsu", "detective superintendent", "det supt"),
    "Det Ch Supt": ("dcs", "detective chief superintendent", "det ch supt", "det chief supt"),
    "Det": ("detective", "det"),  # a detective of unstated rank
}
_RANK_OF: Final = {form: rank for rank, forms in _RANK_FORMS.items() for form in forms}
_RANK_RE: Final = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _RANK_OF), key=len, reverse=True)) + r")\b")
_DETECTIVE_RANKS: Final = frozenset({"DC", "DS", "DI", "DCI", "Det Supt", "Det Ch Supt"})


def canonical_rank(text: str) -> str | None:
    """ "Police Constable", "WPC", "P.C." -> "PC"; "Det. Sgt" -> "DS"; None if no rank is named."""
    m = _RANK_RE.search(" ".join(_words(text.replace(".", "").replace("/", " "))))
    return _RANK_OF[m[1]] if m else None


# -- registrations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plate:
    chars: str  # upper case, no spaces; "?" stands for one unknown character
    open_end: bool = False  # more may follow: "R12?", "starts with R12"
    from_end: bool = False  # only the end is known: "ends in ABC"

    @property
    def full(self) -> bool:
        return not self.open_end and not self.from_end and "?" not in self.chars

    def __str__(self) -> str:
        return ("..." if self.from_end else "") + self.chars + ("..." if self.open_end else "")


_PLATE_START: Final = re.compile(r"\b(?:STARTS?|STARTING|BEGINS?|BEGINNING)\s+(?:WITH\s+)?([A-Z0-9]+)")
_PLATE_END: Final = re.compile(r"\b(?:ENDS?|ENDING|ENDED)\s+(?:WITH|IN)\s+([A-Z0-9]{2,})")
_PLATE_FULL: Final = re.compile(
    r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}\s?[A-Z])\b(?![?*.…])"
)  # current, prefix and suffix formats
_PLATE_WILD: Final = re.compile(
    r"(?<![A-Z0-9?*])[A-Z0-9?*]*\d[A-Z0-9?*]*(?:[?*]|\.\.\.|…)[A-Z0-9?*]*|"
    r"(?<![A-Z0-9?*])[A-Z0-9]*[?*][A-Z0-9?*]*\d[A-Z0-9?*]*"
)
# A bare letters-and-digits token is a partial plate only after a cue: "Audi A4", "Escort Mk2" are models.
_PLATE_CUED: Final = re.compile(
    r"\b(?:REG|REGISTRATION|PLATE|INDEX)\b[\s:.]*(?:(?:NO|NUMBER|MARK)\b[\s:.]*)?(?:(?:WAS|IS)\s+)?"
    r"((?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{2,7})\b(?![?*.…])"
)


def _plates(text: str) -> tuple[list[_Plate], str]:
    """Registrations in a vehicle description, and the text left for make and colour."""
    rest = text.upper()
    plates: list[_Plate] = []

    def take(pattern: re.Pattern[str], build: Callable[[re.Match[str]], _Plate | None]) -> None:
        nonlocal rest
        for m in list(pattern.finditer(rest)):
            plate = build(m)
            if plate is not None:
                plates.append(plate)
                rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]

    take(_PLATE_START, lambda m: _Plate(m[1], open_end=True) if re.search(r"\d", m[1]) else None)
    take(_PLATE_END, lambda m: _Plate(m[1], from_end=True))
    take(_PLATE_FULL, lambda m: _Plate(m[0].replace(" ", "")))
    take(_PLATE_WILD, lambda m: _wild_plate(m[0]))
    take(_PLATE_CUED, lambda m: _Plate(m[1], open_end=True))
    return plates, rest


def _wild_plate(text: str) -> _Plate | None:
    text = text.replace("…", "...")
    open_end = bool(re.search(r"(?:[?*]|\.\.\.)$", text))
    chars = re.sub(r"(?:[?*]|\.\.\.)+$", "", text)
    if "*" in chars:  # an unknown number of characters inside: keep what comes before
        chars, open_end = chars.split("*", 1)[0], True
    from_end = chars.startswith("?") and "?" not in chars.lstrip("?") and not open_end
    if from_end:
        chars = chars.lstrip("?")
    chars = chars.replace(".", "")
    if len(chars.replace("?", "")) < 2:
        return None  # "?*1": too little to compare
    return _Plate(chars, open_end=open_end, from_end=from_end)


def _chars_fit(a: str, b: str) -> bool:
    return all(x == y or "?" in (x, y) for x, y in zip(a, b))


def _plate_match(a: _Plate, b: _Plate) -> str:
    """ "same" (one full registration), "fits", "differs" or "unknown"; symmetric."""
    if a.full and b.full:
        return "same" if a.chars == b.chars else "differs"
    if a.from_end and b.from_end:
        return "fits" if _chars_fit(a.chars[::-1], b.chars[::-1]) else "differs"
    if a.from_end or b.from_end:
        tail, other = (a, b) if a.from_end else (b, a)
        if other.open_end:
            return "unknown"  # "starts R12" and "ends ABC" can both be true
        fits = len(other.chars) >= len(tail.chars) and _chars_fit(other.chars[::-1], tail.chars[::-1])
        return "fits" if fits else "differs"
    if len(a.chars) != len(b.chars):
        shorter = a if len(a.chars) < len(b.chars) else b
        if not shorter.open_end:
            return "differs"
    return "fits" if _chars_fit(a.chars, b.chars) else "differs"


# -- features: a description parsed once, compared many times -------------------------------------


@dataclass(frozen=True)
class _Features:
    force: str | None
    rank: str | None
    role: frozenset[str]
    unit: frozenset[str]
    place: frozenset[str]
    plates: tuple[_Plate, ...]
    vehicle_words: frozenset[str]
    vehicle_colours: frozenset[str]
    years: tuple[int, int] | None
    physical: frozenset[str]


def _features(d: Description) -> _Features:
    plates, rest = _plates(d.vehicle or "")
    words = [w for w in _words(rest) if w not in _VEHICLE_STOP and len(w) > 1]
    colours = frozenset(w for w in words if w in _VEHICLE_COLOURS)  # paint, not people: compared
    others = frozenset(w for w in neutral_words(" ".join(w for w in words if w not in _VEHICLE_COLOURS)))
    return _Features(
        force=d.force if d.force and _force_name(d.force) else None,
        rank=canonical_rank(d.rank) if d.rank else None,
        role=_token_set(d.role, _ROLE_STOP),
        unit=_token_set(d.unit, _UNIT_STOP),
        place=_token_set(d.place, _PLACE_STOP),
        plates=tuple(plates),
        vehicle_words=others,
        vehicle_colours=colours,
        years=d.period.years() if d.period else None,
        physical=_physical_terms(d.physical or ""),
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _pair(x: str, y: str, joiner: str = " vs ") -> str:
    return joiner.join(sorted((x, y)))


def _span(lo: int, hi: int) -> str:
    if lo <= -10_000:
        return f"up to {hi}"
    if hi >= 10_000:
        return f"from {lo}"
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _colour_text(colours: Iterable[str]) -> str:
    named = sorted(c for c in colours if c not in protected_terms())
    return f" ({', '.join(named)})" if named else ""


# Each field adds (weight, reason) agreements and (factor, difference) disagreements.
_Found = list[tuple[float, str]]


def _compare_force_rank(a: _Features, b: _Features, agree: _Found, differ: _Found) -> None:
    if a.force and b.force:
        shown = sorted((_display(a.force), _display(b.force)), key=lambda s: (-len(s), s))
        if same_force(a.force, b.force):
            agree.append((W_FORCE, f"same force ({shown[0]})" if shown[0] else "same force"))
        else:
            differ.append((P_FORCE, f"different forces ({_pair(*shown)})"))
    if a.rank and b.rank:
        if a.rank == b.rank:
            agree.append((W_RANK, f"same rank ({a.rank})"))
        elif "Det" not in (a.rank, b.rank) or not {a.rank, b.rank} & _DETECTIVE_RANKS:
            differ.append((P_RANK, f"different ranks ({_pair(a.rank, b.rank)})"))


def _compare_words(a: _Features, b: _Features, agree: _Found) -> None:
    fields = (
        (W_ROLE, "similar role", a.role, b.role),
        (W_UNIT, "same unit", a.unit, b.unit),
        (W_PLACE, "similar place", a.place, b.place),
        (W_VEHICLE_WORDS, "similar vehicle", a.vehicle_words, b.vehicle_words),
    )
    for weight, label, x, y in fields:
        if x & y:
            agree.append((weight * _jaccard(x, y), f"{label}: {' '.join(sorted(x & y))}"))


def _compare_vehicle(a: _Features, b: _Features, agree: _Found, differ: _Found) -> None:
    if a.plates and b.plates:
        outcomes = sorted((_plate_match(p, q), *sorted((str(p), str(q)))) for p in a.plates for q in b.plates)
        verdicts = {verdict for verdict, _, _ in outcomes}
        if "same" in verdicts:
            plate = next(x for verdict, x, _ in outcomes if verdict == "same")
            agree.append((W_PLATE_SAME, f"same registration {plate}"))
        elif "fits" in verdicts:
            x, y = next((x, y) for verdict, x, y in outcomes if verdict == "fits")
            agree.append((W_PLATE_FITS, f"registrations could match ({x} / {y})"))
        elif verdicts == {"differs"}:  # every plate one gives rules out every plate the other gives
            _, x, y = outcomes[0]
            differ.append((P_PLATE, f"registrations differ ({x} vs {y})"))
    if a.vehicle_colours and b.vehicle_colours:
        common = a.vehicle_colours & b.vehicle_colours
        if common:
            agree.append((W_VEHICLE_COLOUR, "same vehicle colour" + _colour_text(common)))
        else:
            shown = _colour_text(a.vehicle_colours | b.vehicle_colours)
            differ.append((P_VEHICLE_COLOUR, "different vehicle colours" + shown))


def _compare_period(a: _Features, b: _Features, agree: _Found, differ: _Found) -> None:
    if a.years and b.years:
        lo, hi = max(a.years[0], b.years[0]), min(a.years[1], b.years[1])
        if lo <= hi:
            union = max(a.years[1], b.years[1]) - min(a.years[0], b.years[0]) + 1
            agree.append((W_PERIOD * (hi - lo + 1) / union, f"periods overlap ({_span(lo, hi)})"))
        else:
            differ.append((P_PERIOD, f"periods do not overlap ({_pair(_span(*a.years), _span(*b.years))})"))


def _compare_physical(a: _Features, b: _Features, agree: _Found, differ: _Found) -> None:
    shared = a.physical & b.physical
    if shared:
        miss = 1.0
        for term in sorted(shared):  # a fixed order: the rounded score never depends on set order
            miss *= 1.0 - _term_weight(term)
        agree.append((1.0 - miss, f"both described as {', '.join(sorted(shared))}"))
    for x, y in _OPPOSITES:
        sides = ({x, y} & a.physical, {x, y} & b.physical)
        if sides in (({x}, {y}), ({y}, {x})):  # a description that says both contradicts nothing
            differ.append((P_PHYSICAL, f"described differently: {_pair(x, y)}"))
    for suffix, colours in (("-haired", set(_HAIR_COLOURS.values())), ("-eyed", set(_EYE_COLOURS.values()))):
        ca, cb = ({t for t in f.physical if t.endswith(suffix) and t.removesuffix(suffix) in colours} for f in (a, b))
        if ca and cb and not ca & cb:
            differ.append((P_PHYSICAL, f"described differently: {_pair(', '.join(sorted(ca)), ', '.join(sorted(cb)))}"))
    heights = [[i for t in f.physical if (i := _inches(t)) is not None] for f in (a, b)]
    if heights[0] and heights[1] and min(abs(x - y) for x in heights[0] for y in heights[1]) >= 4:
        shown = [", ".join(sorted(t for t in f.physical if _inches(t) is not None)) for f in (a, b)]
        differ.append((P_PHYSICAL, f"described differently: {_pair(*shown)}"))


def _compare(a: _Features, b: _Features) -> tuple[float, list[str], list[str]]:
    agree: _Found = []
    differ: _Found = []
    _compare_force_rank(a, b, agree, differ)
    _compare_words(a, b, agree)
    _compare_vehicle(a, b, agree, differ)
    _compare_period(a, b, agree, differ)
    _compare_physical(a, b, agree, differ)
    miss = 1.0
    for weight, _ in agree:
        miss *= 1.0 - weight
    score = 1.0 - miss
    for factor, _ in differ:
        score *= factor
    return round(score, 4), [r for _, r in agree], [d for _, d in differ]


def compare_descriptions(a: Description, b: Description) -> tuple[float, list[str], list[str]]:
    """(score in [0, 1], agreements, disagreements) for two descriptions; symmetric."""
    return _compare(_features(a), _features(b))


def _description(s: Subject) -> Description:
    """The subject's description, with the force and unit recorded on the subject filled in."""
    d = s.unknown or Description()
    return replace(d, force=d.force or s.force, unit=d.unit or s.unit)


def _block_keys(f: _Features) -> set[tuple[str, str]]:
    """Keys two descriptions must share to score above WEAK_CEILING (a plate's first character)."""
    keys = {("physical", t) for t in f.physical} | {("role", t) for t in f.role} | {("unit", t) for t in f.unit}
    keys |= {("place", t) for t in f.place} | {("vehicle", t) for t in f.vehicle_words | f.vehicle_colours}
    for p in f.plates:
        keys.add(("plate", "*" if p.from_end or p.chars[:1] in ("", "?") else p.chars[0]))
    return keys


def propose_unknown_matches(
    subjects: Sequence[Subject],
    comparisons: Sequence[Comparison],
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[UnknownProposal]:
    """Unknown subjects in different cases whose descriptions agree, best first.

    Pairs a human has already decided (either way: the latest comparison wins) are not proposed.
    Candidates come from an index of shared words and registration characters; only a threshold
    at or below WEAK_CEILING (where force, rank and period alone could qualify) compares all pairs.
    """
    unknown = sorted((s for s in subjects if s.unknown is not None), key=lambda s: s.id)
    features = {s.id: _features(_description(s)) for s in unknown}
    case_of = {s.id: s.case_id for s in unknown}
    decided = latest_verdicts(comparisons).keys()

    candidates: set[tuple[str, str]] = set()
    if min_score <= WEAK_CEILING:
        candidates = set(combinations([s.id for s in unknown], 2))
    else:
        index: dict[tuple[str, str], list[str]] = defaultdict(list)
        for s in unknown:
            for key in _block_keys(features[s.id]):
                index[key].append(s.id)
        wildcard = index.pop(("plate", "*"), [])
        holders = sorted({sid for key, ids in index.items() if key[0] == "plate" for sid in ids} | set(wildcard))
        for ids in index.values():
            candidates.update(combinations(ids, 2))
        candidates.update((min(w, h), max(w, h)) for w in wildcard for h in holders if w != h)

    proposals = []
    for left, right in candidates:
        if case_of[left] == case_of[right] or frozenset((left, right)) in decided:
            continue
        score, reasons, differences = _compare(features[left], features[right])
        if score >= min_score and score > 0:
            proposals.append(UnknownProposal(left, right, score, tuple(reasons), tuple(differences)))
    proposals.sort(key=lambda p: (-p.score, p.left, p.right))
    return proposals
