"""What new human verdicts do to a kept accounts model, worked out without building it again.

The store keeps the accounts and the same-account proposals (`store.read_models`); a build reads
every mention in the inquiry (about 36 s at 30,000 documents). A verdict on a proposal changes
little of it, and `plan_verdicts` says what, as steps the store applies in one commit:

- "not the same" stops the proposals between two accounts: drop them;
- "the same" joins two accounts: drop the proposals between them, join them, and drop those
  between the joined account and every account a human has refused against either of its parts;
- a document given by a party that gave another (`given_joins`) joins their accounts the same way.

A join leaves every pair's shared details as they were, so each score stands unless a detail's
commonness changes (it counts accounts): `CommonCounts.after_join` rules that out, or the plan
is refused. Refused too: a "not the same" that undoes an earlier "the same" (it may split an
account, which only a build can say). A refused plan means a new build, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from casetrail.linking.accounts import CommonCounts
from casetrail.model.casework import Comparison

Step = tuple[Literal["drop", "join"], str, str]  # ("drop", account, account) | ("join", kept, joined)


@dataclass(frozen=True)
class VerdictChanges:
    """The steps that bring a kept model up to date with new verdicts, in order, and its counts after them."""

    steps: tuple[Step, ...]
    counts: CommonCounts


def plan_verdicts(
    comparisons: Sequence[Comparison],
    known: int,
    accounts: Mapping[str, str],
    counts: CommonCounts,
    structure: Iterable[tuple[str, str]] = (),
) -> VerdictChanges | None:
    """The steps for every verdict after the first `known` (in ledger order), and for the
    `structure` pairs newly joined by who gave them (`given_joins`), given the kept accounts
    (document -> account, for at least the live documents named; a document not in it is not live,
    and a verdict on it changes nothing) and the kept `counts`. None when only a build can say
    what they change."""
    ordered = sorted(comparisons, key=lambda c: c.leaf)
    latest = {frozenset((c.left, c.right)): c.same for c in ordered[:known] if c.left != c.right}
    joined: dict[str, str] = {}

    def find(account: str) -> str:
        while account in joined:
            account = joined[account]
        return account

    steps: list[Step] = []

    def join(left: str, right: str) -> bool:
        nonlocal counts
        after = counts.after_join()
        if after is None:
            return False
        counts = after
        kept, gone = min(left, right), max(left, right)
        joined[gone] = kept
        steps.extend((("drop", left, right), ("join", kept, gone)))
        steps.extend(("drop", kept, other) for other in _refused_against(kept, latest, accounts, find))
        return True

    # Joins and verdicts commute (a build groups by both, then proposes): structure first.
    for a, b in structure:
        if a in accounts and b in accounts and find(accounts[a]) != find(accounts[b]):
            if not join(find(accounts[a]), find(accounts[b])):
                return None
    for c in ordered[known:]:
        pair = frozenset((c.left, c.right))
        if c.left == c.right:
            continue
        if not c.same and latest.get(pair, False):
            return None  # undoes a join
        latest[pair] = c.same
        if c.left not in accounts or c.right not in accounts:
            continue
        left, right = find(accounts[c.left]), find(accounts[c.right])
        if left == right:
            continue
        if not c.same:
            steps.append(("drop", left, right))
        elif not join(left, right):
            return None
    return VerdictChanges(tuple(steps), counts)


def given_joins(
    before: Mapping[str, str], now: Mapping[str, str], live: Container[str]
) -> list[tuple[str, str]] | None:
    """The live documents to join because the same party now gave them (document -> party, as the
    casebook says before and now), or None when a document's party changed or went: that may
    split an account, which only a build can say."""
    if any(now.get(doc) != party for doc, party in before.items()):
        return None
    touched = {party for doc, party in now.items() if doc not in before}
    by_party: dict[str, list[str]] = {}
    for doc, party in sorted(now.items()):
        if party in touched and doc in live:
            by_party.setdefault(party, []).append(doc)
    return [(docs[0], doc) for docs in by_party.values() for doc in docs[1:]]


def _refused_against(
    account: str, latest: Mapping[frozenset[str], bool], accounts: Mapping[str, str], find: Callable[[str], str]
) -> list[str]:
    """The accounts a standing "not the same" sets apart from `account`."""
    others: set[str] = set()
    for pair, same in latest.items():
        if same or not pair <= accounts.keys():
            continue
        sides = {find(accounts[doc]) for doc in pair}
        if account in sides and len(sides) == 2:
            others |= sides - {account}
    return sorted(others)


def documents_named(comparisons: Iterable[Comparison]) -> set[str]:
    """Every document the verdicts name: the accounts `plan_verdicts` needs to be given."""
    return {doc for c in comparisons for doc in (c.left, c.right)}
