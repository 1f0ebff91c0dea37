"""Accounts: one person's first-hand account, however many documents report it.

A survivor quoted in two news articles, a statement and its amendment, a letter and its attachment:
each is one account in several documents, and corroboration must count it once. `group_accounts`
applies the rules that need no judgement (and the verdicts humans have already given);
`propose_same_accounts` finds documents that look like reports of the same account, for a human to
confirm, from the details they share: a pseudonym, an officer's name, an age, a year.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from types import MappingProxyType
from typing import Final, NamedTuple

# AccountProposal lives in the model, so the store can keep proposals (store.read_models); it is
# still importable from here, where it is made.
from casetrail.model.casework import AccountProposal, Comparison, DocumentFacts, MentionRef
from casetrail.model.words import MONTH_NAMES, MONTHS, NUMBER_WORDS, TENS

# How much one shared detail says two documents report the same account, combined as a noisy-OR
# (1 - Π(1 - w)) so several modest details add up while the score stays below 1. A pseudonym is
# given to one survivor, so sharing one is close to proof; an officer's name, an age or a year is
# shared by many survivors of the same abuse, so each counts for little on its own.
WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "pseudonym": 0.9,
        "phone": 0.5,
        "vehicle": 0.45,
        "collar": 0.45,
        "date": 0.45,  # a day
        "officer": 0.35,
        "person": 0.35,
        "month": 0.3,
        "age": 0.3,
        "year": 0.25,
        "place": 0.15,
        "decade": 0.1,
        "organisation": 0.03,
    }
)

# A detail named in more than half of the accounts (and in more than two) describes the corpus,
# not an account: "between 1997 and 2013" is in nearly every article about Rotherham.
COMMON_FACTOR: Final = 0.2
# Each further shared detail of one kind counts this much of the one before (see `_score`).
REPEAT_FACTOR: Final = 0.5
# Officer + age + year (0.66) is proposed; officer + age (0.55) is not; a shared pseudonym always is.
DEFAULT_MIN_SCORE: Final = 0.6
# Details held by more documents than this do not generate candidate pairs (they still add to the
# score of pairs found through rarer details), which keeps the proposer near O(documents × details).
PAIR_CAP: Final = 50
# Float products taken in another order may differ in the last bits: the ceiling errs upwards.
_SLACK: Final = 1e-9

_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})

# Mention types that identify an entity, and the weight class of each (most telling first).
_ENTITY_CLASSES: Final = ("pseudonym", "phone", "vehicle", "officer", "person", "place", "organisation")
_CLASS_OF_TYPE: Final = {
    "pseudonym": "pseudonym",
    "phone": "phone",
    "vehicle": "vehicle",
    "officer": "officer",
    "person": "person",
    "place": "place",
    "postcode": "place",
    "organisation": "organisation",
}

_REASONS: Final = {
    "pseudonym": "both use the pseudonym {}",
    "phone": "both give the phone number {}",
    "vehicle": "both mention the vehicle {}",
    "collar": "both give collar number {}",
    "officer": "both name {}",
    "person": "both name {}",
    "place": "both name the place {}",
    "organisation": "both name {}",
    "date": "both give the date {}",
    "month": "both give {}",
    "year": "both give {}",
    "decade": "both give the {}",
    "age": "both give the age {}",
}


def latest_verdicts(comparisons: Iterable[Comparison]) -> dict[frozenset[str], bool]:
    """The newest human verdict on each pair (by ledger leaf): a later comparison overrides."""
    verdicts: dict[frozenset[str], bool] = {}
    for c in sorted(comparisons, key=lambda c: c.leaf):
        if c.left != c.right:
            verdicts[frozenset((c.left, c.right))] = c.same
    return verdicts


def group_accounts(documents: Sequence[DocumentFacts], comparisons: Sequence[Comparison]) -> dict[str, str]:
    """Document id -> account id (the smallest document id of its account).

    Structural rules always hold: an amendment and what it amends, an attachment and its parent,
    documents given by the same party. A human's "same" joins two accounts; a human's "not the
    same" only stops a proposal, it never splits what the structure joins.
    """
    ids = {d.id for d in documents}
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:  # the smaller id stays the root, so the root is the account id
            parent[max(ra, rb)] = min(ra, rb)

    first_of_party: dict[str, str] = {}
    for d in documents:
        for other in (d.amends, d.parent_id):
            if other is not None and other in ids:
                union(d.id, other)
        if d.given_by is not None:
            union(first_of_party.setdefault(d.given_by, d.id), d.id)
    for pair, same in latest_verdicts(comparisons).items():
        if same and pair <= ids:
            union(*pair)
    return {i: find(i) for i in sorted(ids)}


# -- details: what a mention says that another report of the same account would say too ----------


class _Detail(NamedTuple):  # a tuple: hashed and compared in C, millions of times per build
    kind: str  # a key of WEIGHTS
    key: str


_MONTH_RE: Final = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO_DATE: Final = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")
_UK_DATE: Final = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DAY_MONTH: Final = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY: Final = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_MONTH_YEAR: Final = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_YEAR: Final = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_SHORT_RANGE_END: Final = re.compile(r"\b(1[89]|20)(\d\d)\s*[-–/]\s*(\d\d)\b")  # "1997-98"
_DECADE: Final = re.compile(r"(?:\b(early|mid|late)[\s-]+)?(?:the\s+)?'?\b(1[89]|20)?(\d)0'?s\b", re.I)


def _fold(text: str) -> str:
    text = re.sub(r"^the\s+", "", text.strip(), flags=re.I)
    return re.sub(r"[^\w]+", " ", text).strip().casefold()


def _date_details(text: str) -> list[tuple[_Detail, str]]:
    """A day, a month, and the year of each date the text gives (UK day/month order)."""
    found: list[tuple[int, int | None, int | None]] = []
    for m in _ISO_DATE.finditer(text):
        found.append((int(m[1]), int(m[2]), int(m[3]) if m[3] else None))
    for m in _UK_DATE.finditer(text):
        found.append((int(m[3]), int(m[2]), int(m[1])))
    for m in _DAY_MONTH.finditer(text):
        found.append((int(m[3]), MONTHS[m[2].lower()], int(m[1])))
    for m in _MONTH_DAY.finditer(text):
        found.append((int(m[3]), MONTHS[m[1].lower()], int(m[2])))
    if not found:  # "March 1998" only when no fuller form matched the same words
        for m in _MONTH_YEAR.finditer(text):
            found.append((int(m[2]), MONTHS[m[1].lower()], None))
    details: list[tuple[_Detail, str]] = []
    for year, month, day in found:
        if month is not None and 1 <= month <= 12:
            if day is not None and 1 <= day <= 31:
                details.append(
                    (_Detail("date", f"{year:04d}-{month:02d}-{day:02d}"), f"{day} {MONTH_NAMES[month - 1]} {year}")
                )
            details.append((_Detail("month", f"{year:04d}-{month:02d}"), f"{MONTH_NAMES[month - 1]} {year}"))
        details.append((_Detail("year", f"{year:04d}"), str(year)))
    return details + _year_details(text)


def _year_details(text: str) -> list[tuple[_Detail, str]]:
    """Each year a date or period names, and each decade ("the late 1990s")."""
    years = {int(y) for y in _YEAR.findall(text)}
    for m in _SHORT_RANGE_END.finditer(text):
        years.add(int(m[1] + m[3]))
    details = [(_Detail("year", f"{y:04d}"), str(y)) for y in sorted(years)]
    for m in _DECADE.finditer(text):
        digit = int(m[3])
        century = m[2] or ("19" if digit >= 3 else "20")  # "90s" is the 1990s, "00s" the 2000s
        label = " ".join(p for p in ((m[1] or "").lower(), f"{century}{digit}0s") if p)
        details.append((_Detail("decade", label), label))
    return details


def _ages(text: str) -> set[int]:
    """Exact ages in a mention: "aged 11", "a 14-year-old", "eleven"; "in her teens" gives none."""
    ages = {int(n) for n in re.findall(r"\b(\d{1,3})\b", text) if 0 < int(n) < 120}
    words = re.findall(r"[a-z]+", text.lower())
    for i, w in enumerate(words):
        if w in TENS:
            unit = NUMBER_WORDS.get(words[i + 1], 0) if i + 1 < len(words) else 0
            ages.add(TENS[w] + (unit if unit < 10 else 0))
        elif w in NUMBER_WORDS and w != "zero" and not (i and words[i - 1] in TENS):
            ages.add(NUMBER_WORDS[w])
    return ages


def _entity_classes(mentions: Iterable[MentionRef]) -> dict[str, str]:
    """Entity id -> weight class: the most telling type any of its mentions has."""
    seen: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        cls = _CLASS_OF_TYPE.get(m.type)
        if cls and m.entity_id:
            seen[m.entity_id].add(cls)
    return {e: next(c for c in _ENTITY_CLASSES if c in classes) for e, classes in seen.items()}


def _details_of(
    m: MentionRef, classes: Mapping[str, str], entity_names: Mapping[str, str]
) -> list[tuple[_Detail, str]]:
    cls = _CLASS_OF_TYPE.get(m.type)
    if cls is not None:
        if m.entity_id:  # resolution already decided which mentions are the same entity
            return [
                (
                    _Detail(classes.get(m.entity_id, cls), f"entity:{m.entity_id}"),
                    entity_names.get(m.entity_id) or m.text,
                )
            ]
        folded = _fold(m.text)
        return [(_Detail(cls, f"text:{m.type}:{folded}"), m.text)] if folded else []
    if m.type == "age":
        return [(_Detail("age", str(n)), str(n)) for n in sorted(_ages(m.text))]
    if m.type == "date":
        return _date_details(m.text)
    if m.type == "period":
        return _year_details(m.text)
    if m.type == "collar_number":
        digits = "".join(re.findall(r"\d+", m.text))
        return [(_Detail("collar", digits), digits)] if digits else []
    return []  # described persons and the rest: too vague to tell one account from another


def _covered(detail: _Detail, shared: set[_Detail]) -> bool:
    """A shared year adds nothing when the same shared day or month already counts it."""
    if detail.kind not in ("year", "month"):
        return False
    return any(o.kind in ("date", "month") and o != detail and o.key.startswith(detail.key) for o in shared)


def _score(
    shared: set[_Detail], df: Mapping[_Detail, int], n: int, labels: Mapping[_Detail, str]
) -> tuple[float, tuple[str, ...]]:
    """Noisy-OR of the shared details' weights, and their reasons, strongest first.

    Within a kind each further detail counts half the one before: three years two articles both
    give ("2014", "2015", "2022") are mostly the context of one story, not three facts of an account.
    """
    by_kind: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for d in shared:
        if _covered(d, shared):
            continue
        weight = WEIGHTS[d.kind]
        reason = _REASONS[d.kind].format(labels[d])
        if _is_common(d, df[d], n):
            weight *= COMMON_FACTOR
            # no count here: it would move with every account added or joined, and a kept
            # proposal's reasons would have to be rewritten for each (linking.account_changes)
            reason += " (common to most accounts)"
        by_kind[d.kind].append((weight, reason))
    weighted = [
        (w * REPEAT_FACTOR**i, r)
        for found in by_kind.values()
        for i, (w, r) in enumerate(sorted(found, key=lambda wr: (-wr[0], wr[1])))
    ]
    weighted.sort(key=lambda wr: (-wr[0], wr[1]))  # also a fixed order for the float product
    miss = 1.0
    for weight, _ in weighted:
        miss *= 1.0 - weight
    return round(1.0 - miss, 4), tuple(r for _, r in weighted)


def _ceiling(shared: set[_Detail]) -> float:
    """The most `_score` could give these shared details: every weight whole (commonness, repeats
    and covered years only lower it), rounded as the score is, so a pair below it is never scored."""
    miss = 1.0
    for detail in shared:
        miss *= 1.0 - WEIGHTS[detail.kind]
    return round(1.0 - miss + _SLACK, 4)


def _is_common(detail: _Detail, count: int, n: int) -> bool:
    return detail.kind != "pseudonym" and count > 2 and count * 2 > n


class CommonCounts(NamedTuple):
    """How many accounts hold each detail that is, or might become, common to most of them: what a
    kept model needs to tell whether joining two accounts changes any detail's weight
    (`linking.account_changes`). Of `accounts` accounts, a detail not in `held` is held by at most
    `bound`; one in `held` by between its low and high count (a join lowers a count by one or not
    at all, and only a build says which). A tuple, as the store keeps it (store.read_models)."""

    accounts: int
    bound: int
    held: Mapping[tuple[str, str], tuple[int, int]]

    @classmethod
    def of(cls, df: Mapping[_Detail, int], n: int) -> CommonCounts:
        bound = n // 4  # far enough from half that many joins pass before one could become common
        held = {(d.kind, d.key): (c, c) for d, c in df.items() if c > bound and d.kind != "pseudonym"}
        return cls(n, bound, held)

    def after_join(self) -> CommonCounts | None:
        """The counts once two accounts are one, if no detail's commonness can have changed; None
        if one might have (or a detail not held could now be common): only a build can tell."""
        n = self.accounts - 1
        if 2 * self.bound > n:
            return None
        held: dict[tuple[str, str], tuple[int, int]] = {}
        for (kind, key), (low, high) in self.held.items():
            detail = _Detail(kind, key)
            was = _is_common(detail, low, self.accounts)
            lowest = max(low - 1, 0)
            if _is_common(detail, lowest, n) != was or _is_common(detail, high, n) != was:
                return None
            held[(kind, key)] = (lowest, high)
        return CommonCounts(n, self.bound, held)


def propose_same_accounts(
    documents: Sequence[DocumentFacts],
    mentions: Sequence[MentionRef],
    comparisons: Sequence[Comparison],
    entity_names: Mapping[str, str] = _EMPTY,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[AccountProposal]:
    """Pairs of documents, in different accounts, that look like reports of the same account.

    Candidates come from an inverted index of details -> documents, never from all pairs. A pair
    whose accounts a human has said are different (the latest verdict on any two of their
    documents) is not proposed. Best first.
    """
    return propose_and_count(documents, mentions, comparisons, entity_names, min_score)[0]


def propose_and_count(
    documents: Sequence[DocumentFacts],
    mentions: Sequence[MentionRef],
    comparisons: Sequence[Comparison],
    entity_names: Mapping[str, str] = _EMPTY,
    min_score: float = DEFAULT_MIN_SCORE,
) -> tuple[list[AccountProposal], CommonCounts]:
    """`propose_same_accounts`, and the counts a kept model needs to take later joins in place."""
    accounts = group_accounts(documents, comparisons)
    classes = _entity_classes(m for m in mentions if m.document_id in accounts)
    details: dict[str, set[_Detail]] = defaultdict(set)
    labels: dict[_Detail, str] = {}
    for m in sorted(mentions, key=lambda m: (m.document_id, m.start, m.end)):
        if m.document_id not in accounts:
            continue
        for detail, label in _details_of(m, classes, entity_names):
            details[m.document_id].add(detail)
            labels.setdefault(detail, label)
    postings: dict[_Detail, list[str]] = defaultdict(list)
    for doc_id in sorted(details):
        for detail in details[doc_id]:
            postings[detail].append(doc_id)
    # Commonness counts accounts, not documents: ten reprints of one story do not make it common.
    df = {d: len({accounts[doc] for doc in docs}) for d, docs in postings.items()}
    n = len(set(accounts.values()))

    # A human's "not the same" on any two documents covers their whole accounts.
    verdicts = latest_verdicts(comparisons)
    different = {
        frozenset(accounts[x] for x in pair) for pair, same in verdicts.items() if not same and pair <= accounts.keys()
    }
    candidates: set[tuple[str, str]] = set()
    for detail, docs in postings.items():
        if len(docs) < 2:
            continue
        if detail.kind == "pseudonym" and len(docs) > PAIR_CAP:
            pairs: Iterable[tuple[str, str]] = ((docs[0], d) for d in docs[1:])  # a star still joins them all
        elif len(docs) <= PAIR_CAP and not _is_common(detail, df[detail], n):
            pairs = combinations(docs, 2)
        else:
            continue
        for a, b in pairs:
            if accounts[a] != accounts[b] and not (different and frozenset((accounts[a], accounts[b])) in different):
                candidates.add((a, b))

    proposals = []
    for a, b in candidates:
        shared = details[a] & details[b]
        if _ceiling(shared) < min_score:
            continue  # most candidates share a place or a year: too little to be proposed, whatever df says
        score, reasons = _score(shared, df, n, labels)
        if score >= min_score:
            proposals.append(AccountProposal(a, b, score, reasons))
    proposals.sort(key=lambda p: (-p.score, p.left, p.right))
    return proposals, CommonCounts.of(df, n)
