"""Person names as they are written: titles, police ranks, initials, nicknames, SURNAME, Given.

`parse_name("Det Sgt J. Hartley")` -> PersonName(rank="DS", initial="j", surname="Hartley", ...).
Matching elsewhere is on whole tokens, compared case-folded, so "Jayne" never matches "Jay".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Police ranks, canonical abbreviation -> written forms (lower case, dots removed).
RANKS: dict[str, tuple[str, ...]] = {
    "PC": ("pc", "wpc", "police constable", "constable", "woman police constable", "p/c"),
    "DC": ("dc", "det con", "detective constable", "d/c", "tdc", "trainee detective constable"),
    "Sgt": ("sgt", "sergeant", "ps", "police sergeant", "p/s", "wps"),
    "DS": ("ds", "det sgt", "detective sergeant", "d/s", "d/sgt"),
    "Insp": ("insp", "inspector", "police inspector"),
    "DI": ("di", "det insp", "detective inspector", "d/i"),
    "Ch Insp": ("ch insp", "chief inspector", "ci"),
    "DCI": ("dci", "det ch insp", "detective chief inspector", "det chief insp"),
    "Supt": ("supt", "superintendent", "police superintendent"),
    "Det Supt": ("det supt", "detective superintendent", "dsu", "d/supt"),
    "Ch Supt": ("ch supt", "chief superintendent", "c/supt", "chief supt"),
    "Det Ch Supt": ("det ch supt", "detective chief superintendent", "dcs"),
    "ACC": ("acc", "assistant chief constable"),
    "DCC": ("dcc", "deputy chief constable"),
    "CC": ("chief constable", "cc"),
    "Cmdr": ("commander", "cmdr"),
    "Commissioner": ("commissioner",),
}
TITLES: dict[str, tuple[str, ...]] = {
    "Mr": ("mr", "mister"),
    "Mrs": ("mrs",),
    "Ms": ("ms",),
    "Miss": ("miss",),
    "Dr": ("dr", "doctor"),
    "Professor": ("prof", "professor"),
    "Sir": ("sir",),
    "Dame": ("dame",),
    "Lord": ("lord",),
    "Lady": ("lady",),
    "Rev": ("rev", "revd", "reverend"),
    "Cllr": ("cllr", "councillor"),
    # Offices written as titles: "Judge Simon Barlow" is Simon Barlow, a judge (not a man called Judge).
    "Judge": ("judge",),
    "Mayor": ("mayor",),
    "Coroner": ("coroner",),
    "Baroness": ("baroness",),
    "Baron": ("baron",),
    "Fr": ("fr", "father"),
}
# What a title says about a person that another record can contradict (issue 13: "Ms Wright" the
# barrister is not "Mr Wright" the chief constable).
TITLE_GENDER: dict[str, str] = {
    "Mr": "m",
    "Sir": "m",
    "Lord": "m",
    "Baron": "m",
    "Fr": "m",
    "Mrs": "f",
    "Ms": "f",
    "Miss": "f",
    "Dame": "f",
    "Lady": "f",
    "Baroness": "f",
}
# Titles that are civil offices: a police rank on another record contradicts them.
CIVIL_TITLES: frozenset[str] = frozenset({"Judge", "Mayor", "Coroner", "Cllr"})
# Tokens that open a surname: "van der Berg", "de Souza", "al Hassan".
PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "du",
        "le",
        "la",
        "al",
        "el",
        "bin",
        "ibn",
        "st",
        "mac",
    }
)

_RANK_INDEX: dict[tuple[str, ...], str] = {tuple(f.split()): k for k, forms in RANKS.items() for f in forms}
_TITLE_INDEX: dict[tuple[str, ...], str] = {tuple(f.split()): k for k, forms in TITLES.items() for f in forms}
_LONGEST = max(len(k) for k in list(_RANK_INDEX) + list(_TITLE_INDEX))
_QUOTED = re.compile(r"""['"‘’“”]([^'"‘’“”]+)['"‘’“”]""")
_TOKEN = re.compile(r"[^\s,]+")
_JOINED_INITIAL = re.compile(r"\b([A-Za-z])\.(?=[A-Za-z]{2})")


@dataclass(frozen=True)
class PersonName:
    """One written name, taken apart. Empty parts are None."""

    text: str
    rank: str | None = None  # canonical (a RANKS key)
    title: str | None = None  # canonical (a TITLES key)
    prefix: str | None = None  # rank and/or title as written, e.g. "Det Sgt"
    given: str | None = None  # a full given name, display case
    initial: str | None = None  # first letter of the given name, lower case
    surname: str | None = None  # display case
    nickname: str | None = None
    collar_number: str | None = None

    @property
    def has_full_name(self) -> bool:
        return self.surname is not None and (self.given is not None or self.initial is not None)


def fold(text: str) -> str:
    """Case- and accent-insensitive comparison key for one token."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).casefold()


def display(token: str) -> str:
    """'HARTLEY' -> 'Hartley' (intelligence records shout surnames); other cases untouched."""
    if token.isupper() and len(token) > 1:
        return "-".join("'".join(p.capitalize() for p in part.split("'")) for part in token.split("-"))
    return token


def canonical_rank(written: str | None) -> str | None:
    """'Det Sgt' -> 'DS'; an unknown string comes back as None."""
    if not written:
        return None
    key = tuple(written.replace(".", "").casefold().split())
    return _RANK_INDEX.get(key) or (written if written in RANKS else None)


def _strip_prefixes(tokens: list[str]) -> tuple[str | None, str | None, int]:
    """Longest rank/title prefixes at the start of `tokens`: (rank, title, tokens used)."""
    rank = title = None
    i = 0
    while i < len(tokens):
        for n in range(min(_LONGEST, len(tokens) - i), 0, -1):
            key = tuple(t.replace(".", "").casefold() for t in tokens[i : i + n])
            if key in _RANK_INDEX and rank is None:
                rank = _RANK_INDEX[key]
                i += n
                break
            if key in _TITLE_INDEX and title is None:
                title = _TITLE_INDEX[key]
                i += n
                break
        else:
            break
    return rank, title, i


def _is_initial(token: str) -> bool:
    bare = token.rstrip(".")
    return len(bare) == 1 and bare.isalpha()


def parse_name(text: str, rank: str | None = None, collar_number: str | None = None) -> PersonName:
    """Take a written name apart. `rank`/`collar_number` from an extractor win over the text."""
    nickname = None
    source = text
    text = _JOINED_INITIAL.sub(r"\1. ", text)  # "G.Waterhouse" -> "G. Waterhouse"
    m = _QUOTED.search(text)
    if m:
        nickname = m.group(1).strip()
        text_wo = (text[: m.start()] + " " + text[m.end() :]).strip()
    else:
        text_wo = text
    comma_form = "," in text_wo
    if comma_form:
        # "BOLTON, Mark": the surname comes first.
        head, _, tail = text_wo.partition(",")
        head_tokens, tail_tokens = _TOKEN.findall(head), _TOKEN.findall(tail)
        r, t, used = _strip_prefixes(head_tokens)
        tokens = tail_tokens + head_tokens[used:]
    else:
        tokens = _TOKEN.findall(text_wo)
        r, t, used = _strip_prefixes(tokens)
        tokens = tokens[used:]
    prefix_tokens = _TOKEN.findall(text_wo)[:used] if not comma_form else []
    collar = collar_number
    words: list[str] = []
    for tok in tokens:
        if tok.isdigit():
            collar = collar or tok  # "PC 4521 Ali"
        elif any(c.isalpha() for c in tok):
            words.append(tok.strip(".()"))
    rank_c = canonical_rank(rank) or r
    given = initial = surname = None
    if words:
        if len(words) == 1:
            if _is_initial(words[0]):
                initial = words[0][0].casefold()
            else:
                surname = display(words[0])
        else:
            # Surname: last word, or from a particle onwards ("van der Berg").
            start = len(words) - 1
            for i in range(0, len(words) - 1):
                if words[i].casefold() in PARTICLES and (i > 0 or words[i].islower()):
                    start = i
                    break
            surname = display(" ".join(words[start:]))
            first = words[0]
            if start == 0:
                pass
            elif _is_initial(first) or (first.isupper() and len(first) <= 3 and "." in first):
                initial = first[0].casefold()
            else:
                given = display(first)
                initial = first[0].casefold()
    if nickname is not None and not words:
        surname = None
    return PersonName(
        text=source,
        rank=rank_c,
        title=t,
        prefix=" ".join(prefix_tokens) or (rank if rank else None),
        given=given,
        initial=initial,
        surname=surname,
        nickname=nickname,
        collar_number=collar,
    )
