"""Corroboration: how many independent accounts name an entity.

Ten articles quoting one survivor are one account, not ten. An entity's documents are grouped by
account; `independent` counts the accounts as they stand, `at_least` counts them as if every
pending proposal that two of those accounts are one were confirmed, so a reader sees the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casetrail.linking.accounts import AccountProposal
from casetrail.model.casework import MentionRef


@dataclass(frozen=True)
class Corroboration:
    entity_id: str
    name: str
    documents: tuple[str, ...]
    accounts: tuple[tuple[str, ...], ...]  # document ids per independent account, sorted
    possibly_same: tuple[AccountProposal, ...] = ()  # pending proposals among these documents

    @property
    def independent(self) -> int:
        return len(self.accounts)

    @property
    def at_least(self) -> int:
        """Accounts left if every pending proposal among them were confirmed."""
        index = {doc: i for i, docs in enumerate(self.accounts) for doc in docs}
        parent = list(range(len(self.accounts)))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        merged = 0
        for p in self.possibly_same:
            if p.left in index and p.right in index:
                a, b = find(index[p.left]), find(index[p.right])
                if a != b:
                    parent[max(a, b)] = min(a, b)
                    merged += 1
        return len(self.accounts) - merged

    def to_json(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "name": self.name,
            "documents": list(self.documents),
            "accounts": [list(a) for a in self.accounts],
            "independent": self.independent,
            "at_least": self.at_least,
            "possibly_same": [p.to_json() for p in self.possibly_same],
        }


def corroborate(
    entity_id: str,
    name: str,
    mentions: Sequence[MentionRef],
    accounts: Mapping[str, str],
    proposals: Sequence[AccountProposal],
) -> Corroboration:
    """Group the documents that mention an entity by account.

    `mentions` are the entity's mentions; `accounts` maps document id -> account id (a document it
    does not hold is an account of its own); `proposals` may cover the whole corpus: only those
    between two of these documents, in different accounts, are kept.
    """
    documents = sorted({m.document_id for m in mentions})
    groups: dict[str, list[str]] = {}
    for doc in documents:
        groups.setdefault(accounts.get(doc, doc), []).append(doc)
    held = set(documents)

    def account(doc: str) -> str:
        return accounts.get(doc, doc)

    pending = tuple(p for p in proposals if p.left in held and p.right in held and account(p.left) != account(p.right))
    return Corroboration(entity_id, name, tuple(documents), tuple(sorted(tuple(g) for g in groups.values())), pending)


def repeat_subjects(corroborations: Iterable[Corroboration], threshold: int) -> list[Corroboration]:
    """Entities named by at least `threshold` independent accounts, most corroborated first."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    found = [c for c in corroborations if c.independent >= threshold]
    found.sort(key=lambda c: (-c.independent, -c.at_least, c.name, c.entity_id))
    return found
