"""Links: cases joined through the entities they share, and links recorded by hand.

Two cases link when the same subject, phone, vehicle, person, place or organisation appears in
both, whether named in their documents or recorded as an allegation's subject. The work goes
through an entity -> cases index, so its cost follows the number of links found, never the number
of pairs of cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Final

from casetrail.model.casework import MentionRef

# Most specific first: a shared subject or phone number says more than a shared town or force.
KIND_ORDER: Final = {
    "subject": 0,
    "phone": 1,
    "vehicle": 2,
    "person": 3,
    "officer": 3,
    "pseudonym": 3,
    "place": 4,
    "organisation": 5,
}


@dataclass(frozen=True)
class SharedEntity:
    entity_id: str
    kind: str  # "subject", "pseudonym", or the entity's type
    name: str
    evidence: tuple[MentionRef, ...]  # its mentions in the documents of either case
    subject_in: tuple[str, ...]  # which of the two cases hold it as an allegation's subject
    cases_sharing: int  # how many cases in the whole book hold it

    def to_json(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "kind": self.kind,
            "name": self.name,
            "evidence": [m.to_json() for m in self.evidence],
            "subject_in": list(self.subject_in),
            "cases_sharing": self.cases_sharing,
        }


@dataclass(frozen=True)
class CaseLinkage:
    left: str
    right: str
    shared: tuple[SharedEntity, ...]  # most specific first
    recorded: tuple[str, ...] = ()  # reasons given for links recorded by hand

    def to_json(self) -> dict[str, Any]:
        return {
            "left": self.left,
            "right": self.right,
            "shared": [s.to_json() for s in self.shared],
            "recorded": list(self.recorded),
        }


def link_cases(
    case_documents: Mapping[str, set[str]],
    mentions: Sequence[MentionRef],
    entity_kinds: Mapping[str, str],
    entity_names: Mapping[str, str],
    case_subjects: Mapping[str, set[str]],
    recorded: Sequence[tuple[str, str, str]] = (),
    pseudonymous: Container[str] = frozenset(),
    max_cases_sharing: int | None = None,
) -> list[CaseLinkage]:
    """Every pair of cases that shares an entity or was linked by hand, ordered by case ids.

    Only resolved entities link: a mention's entity must have a kind in `entity_kinds`, be a
    pseudonymous survivor, or be some case's subject (ages and dates are not entities).
    `max_cases_sharing`, when given, stops an entity held by more cases than that from linking
    cases by itself (a force every case names would link them all); it is still listed on links
    that something rarer makes. `None` keeps every link.
    """
    cases_of_doc: dict[str, list[str]] = defaultdict(list)
    for case_id in sorted(case_documents):
        for doc in case_documents[case_id]:
            cases_of_doc[doc].append(case_id)
    subject_cases: dict[str, set[str]] = defaultdict(set)
    for case_id, subjects in case_subjects.items():
        for entity in subjects:
            subject_cases[entity].add(case_id)

    entity_cases: dict[str, set[str]] = defaultdict(set)
    evidence: dict[str, dict[str, list[MentionRef]]] = defaultdict(lambda: defaultdict(list))  # entity -> doc
    for m in mentions:
        e = m.entity_id
        if not e or not (e in entity_kinds or e in pseudonymous or e in subject_cases):
            continue
        if m.document_id in cases_of_doc:
            evidence[e][m.document_id].append(m)
            entity_cases[e].update(cases_of_doc[m.document_id])
    for e, cases in subject_cases.items():
        entity_cases[e].update(cases)

    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    common_of_case: dict[str, set[str]] = defaultdict(set)
    for e, cases in entity_cases.items():
        if len(cases) < 2:
            continue
        if max_cases_sharing is not None and len(cases) > max_cases_sharing:
            for case_id in cases:
                common_of_case[case_id].add(e)
            continue
        for pair in combinations(sorted(cases), 2):
            shared[pair].append(e)

    reasons: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a, b, reason in recorded:
        if a != b:
            pair = (min(a, b), max(a, b))
            if reason not in reasons[pair]:
                reasons[pair].append(reason)

    def entry(e: str, pair: tuple[str, str]) -> SharedEntity:
        left, right = case_documents.get(pair[0], set()), case_documents.get(pair[1], set())
        # the entity's own documents, not the pair's: an entity is named in few of a case's documents
        found = sorted(
            (m for d, ms in evidence[e].items() if d in left or d in right for m in ms),
            key=lambda m: (m.document_id, m.start, m.end),
        )
        subject_in = tuple(c for c in pair if c in subject_cases.get(e, ()))
        kind = "subject" if subject_in else "pseudonym" if e in pseudonymous else entity_kinds.get(e, "other")
        name = entity_names.get(e) or (found[0].text if found else e)
        return SharedEntity(e, kind, name, tuple(found), subject_in, len(entity_cases[e]))

    linkages = []
    for pair in sorted(shared.keys() | reasons.keys()):
        entities = shared.get(pair, []) + sorted(common_of_case[pair[0]] & common_of_case[pair[1]])
        items = sorted((entry(e, pair) for e in entities), key=_specificity)
        linkages.append(CaseLinkage(pair[0], pair[1], tuple(items), tuple(reasons.get(pair, ()))))
    return linkages


def _specificity(s: SharedEntity) -> tuple[int, int, str, str]:
    """Most specific kind first; within a kind, the entity fewer cases share."""
    return KIND_ORDER.get(s.kind, len(KIND_ORDER)), s.cases_sharing, s.name, s.entity_id


def linked_cases(linkages: Iterable[CaseLinkage], case_id: str) -> set[str]:
    """The cases linked to one case, by shared entities or by hand."""
    return {k.right if k.left == case_id else k.left for k in linkages if case_id in (k.left, k.right)}
