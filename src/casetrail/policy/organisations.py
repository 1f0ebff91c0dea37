"""When two written names of a force (or of a unit) mean the same organisation.

Staff records and accounts write forces as people do: "South Yorkshire Police", "the South
Yorkshire Police Force", "SYP", "S.Y.P.", "South Yorkshire Police (SYP)". The independence
rules must see these as one force, or an officer of the subject's own force slips through.

Folding (`fold_organisation`): case-fold; "&" becomes "and"; dots and apostrophes vanish
("S.Y.P." -> "syp"); other punctuation separates words; letters written apart ("S Y P") join;
a leading "the" goes; one trailing "police force", "police service", "constabulary" or
"police" goes (unless nothing would be left). A bracketed part, "(SYP)", is an alias, and the
fold is of the name without it.

Two names are the same when their folds are equal, or when one is written as an acronym (2 to 8
letters, all capitals, all lower case, or set apart by dots or spaces) that equals the initials
of the other: "SYP" = South Yorkshire Police, "PSNI" = Police Service of Northern Ireland
(words like "of" and "and" may be skipped). A capitalised word ("Kent") is never read as
initials. None or an empty name never matches anything, not even itself: unknown is not "the
same".
"""

from __future__ import annotations

import re

# Longest first, so "police force" goes whole rather than leaving "... police".
_SUFFIXES: tuple[tuple[str, ...], ...] = (("police", "force"), ("police", "service"), ("constabulary",), ("police",))
_CONNECTORS = frozenset({"of", "and", "for", "the", "in", "on", "at", "to"})
_BRACKETED = re.compile(r"\(([^()]*)\)")
# "S.Y.P.", "S.Y.P", "S Y P": single letters set apart by dots or spaces.
_SPELLED = re.compile(r"[A-Za-z](?:[.\s]+[A-Za-z]){1,7}\.?")


def _words(name: str) -> list[str]:
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"[.'’]", "", text)  # "S.Y.P." -> "syp"; "Queen's" -> "queens"
    words = re.sub(r"[^\w\s]|_", " ", text).split()
    if len(words) > 1 and all(len(w) == 1 for w in words):
        words = ["".join(words)]  # "S Y P" is an acronym written apart
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return words


def _strip_suffix(words: list[str]) -> list[str]:
    for suffix in _SUFFIXES:
        n = len(suffix)
        if len(words) > n and tuple(words[-n:]) == suffix:
            return words[:-n]
    return words


def fold_organisation(name: str | None) -> str:
    """The comparable form of an organisation's name ("" for None or a name with no words)."""
    # The first alias with words: in ":(0)" the outer part has none and the bracketed one has.
    return next((folded for alias in _aliases(name or "") if (folded := _fold(alias))), "")


def _fold(name: str) -> str:
    return " ".join(_strip_suffix(_words(name)))


def _aliases(name: str) -> list[str]:
    """The name without its bracketed parts, and each bracketed part: "X Police (XP)"."""
    inner = [part.strip() for part in _BRACKETED.findall(name)]
    outer = _BRACKETED.sub(" ", name).strip()
    return [n for n in (outer, *inner) if n]


def _initials(name: str) -> set[str]:
    """The acronyms a long name may be written as: with and without connectors and suffix."""
    found: set[str] = set()
    words = _words(name)
    # "the South Yorkshire Police Force" may be "SYPF", "SYP" or "SY".
    bare = words[:-1] if words and words[-1] in ("force", "service") else words
    for variant in (words, bare, _strip_suffix(words)):
        if len(variant) < 2:
            continue
        found.add("".join(w[0] for w in variant))
        found.add("".join(w[0] for w in variant if w not in _CONNECTORS))
    return {i for i in found if len(i) >= 2}


def _is_acronym(name: str) -> bool:
    # Only what is written as an acronym counts as one, so a capitalised word ("Kent") is never
    # read as initials. All-lower-case "syp" is: typed in haste, and a missed match here would
    # let an officer of the subject's own force through.
    text = name.strip()
    if _SPELLED.fullmatch(text):
        return True
    return text.isalpha() and 2 <= len(text) <= 8 and (text.isupper() or text.islower())


def _same_alias(a: str, b: str) -> bool:
    fa, fb = _fold(a), _fold(b)
    if not fa or not fb:
        return False
    if fa == fb:
        return True
    for short, long in ((a, b), (b, a)):
        if _is_acronym(short) and _fold(short) in _initials(long):
            return True
    return False


def same_organisation(a: str | None, b: str | None) -> bool:
    """Whether two written names mean the same organisation; unknown (None, "") never does."""
    if not a or not b or not a.strip() or not b.strip():
        return False
    return any(_same_alias(x, y) for x in _aliases(a) for y in _aliases(b))
