"""Case links as casework reads them: which cases share a subject, a person, a vehicle or a
phone, and the evidence each link stands on, computed from the per-case entity counts the
reads keep (`CaseReads.memo`) and linking's rules (`casetrail.linking.links`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from casetrail.linking.links import KIND_ORDER, CaseLinkage, link_cases
from casetrail.model.casework import Casebook, MentionRef
from casetrail.model.entity import Entity

if TYPE_CHECKING:
    from casetrail.casework.reads import CaseReads

# Entity kinds through which two cases count as linked for the independence rules. Forces and
# towns are shared by nearly every case in an inquiry; linking through them would make every
# case "linked" and the rule meaningless.
POLICY_LINK_KINDS = frozenset({"subject", "person", "officer", "pseudonym", "vehicle", "phone"})
EVIDENCE_SHOWN = 3  # mentions per shared entity in a case's link summary
SHARED_SHOWN = 10  # shared entities per link in that summary, most specific first


class CaseLinks:
    """One job of the casework reads: what links cases, and how strongly."""

    def __init__(self, reads: CaseReads) -> None:
        self.reads = reads

    def _entity_cases(self, book: Casebook) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """Entity -> cases naming it (policy kinds only), and case -> those entities."""

        def compute() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
            view = self.reads.entity_view()
            held = self.reads.document_cases(book)
            named = self.reads.document_entities(held)
            # every case's entities in a few reads, not one each, and not kept
            linking = {
                e.id for e in view.scan(e for doc in held for e in named.get(doc, ())) if _kind(e) in POLICY_LINK_KINDS
            }
            by_entity: dict[str, set[str]] = defaultdict(set)
            for doc, cases in held.items():
                for eid in named.get(doc, ()):
                    if eid in linking:
                        by_entity[eid] |= cases
            for subject in book.subjects.values():
                for eid in view.current(subject.entity):
                    by_entity[eid].add(subject.case_id)
            by_case: dict[str, set[str]] = defaultdict(set)
            for eid, cases in by_entity.items():
                for cid in cases:
                    by_case[cid].add(eid)
            return by_entity, by_case

        return self.reads.memo("entity_cases", self.reads.shape_key(book), compute)

    def linked_cases(self, book: Casebook, case_id: str) -> set[str]:
        """Cases linked to this one by hand, or through a shared person, subject, vehicle or phone."""
        by_entity, by_case = self._entity_cases(book)
        linked = {link.other for link in book.cases[case_id].links}
        for eid in by_case.get(case_id, ()):
            linked |= by_entity[eid]
        linked.discard(case_id)
        return linked

    def pairs(self, book: Casebook | None = None, case_id: str | None = None) -> list[CaseLinkage]:
        """Case links with their evidence; with `case_id`, only that case's links.

        One case's links are computed pair by pair over the two cases' documents: an entity named
        in most cases (a force, a notorious officer) would otherwise make it every pair of cases.
        The workbench's summary of the same links is `summaries`.
        """
        book = book or self.reads.book()
        view = self.reads.entity_view()
        case_documents = {cid: set(docs) for cid, docs in self.reads.live(book).items()}
        subjects = self._case_subject_entities(book)
        recorded = [
            (cid, link.other, link.reason) for cid, c in book.cases.items() for link in c.links if cid < link.other
        ]
        if case_id is None:
            kinds, names, pseudonymous = _labels(view.all_entities().values())
            return link_cases(case_documents, view.all_mentions(), kinds, names, subjects, recorded, pseudonymous)
        named = self.case_entity_counts(book)
        sharing = self._count_sharing(book)
        mine = named.get(case_id, {}).keys() | subjects[case_id]
        others = {c for c, held in named.items() if c != case_id and not mine.isdisjoint(held.keys())}
        others |= {c for c, s in subjects.items() if s & mine} | {link.other for link in book.cases[case_id].links}
        others.discard(case_id)
        shares = {other: mine & (named.get(other, {}).keys() | subjects[other]) for other in sorted(others)}
        kinds, names, pseudonymous = _labels(view.entities.many(set().union(*shares.values())).values())
        result = []
        for other, shared in shares.items():
            pair = {case_id: case_documents[case_id], other: case_documents[other]}
            # only the shared entities' mentions: the rest cannot make or show this link
            refs = [ref for c in pair for ref in self._case_refs(book, c) if ref.entity_id in shared]
            pair_recorded = [r for r in recorded if {r[0], r[1]} == {case_id, other}]
            for linkage in link_cases(
                pair, refs, kinds, names, {c: subjects[c] for c in pair}, pair_recorded, pseudonymous
            ):
                held = tuple(
                    replace(s, cases_sharing=sharing.get(s.entity_id) or s.cases_sharing) for s in linkage.shared
                )
                result.append(replace(linkage, shared=held))
        return result

    def case_entity_counts(self, book: Casebook) -> dict[str, dict[str, int]]:
        """Case -> entity -> how many mentions of it the case's live documents hold (counts, not
        the mentions: those are read for the one case a page shows, `_case_refs`)."""

        def compute() -> dict[str, dict[str, int]]:
            live = self.reads.live(book)
            held = self.reads.document_entities(d for docs in live.values() for d in docs)
            found: dict[str, dict[str, int]] = {}
            for cid, docs in live.items():
                counts: dict[str, int] = defaultdict(int)
                for doc in docs:
                    for eid, count in held.get(doc, {}).items():
                        counts[eid] += count
                found[cid] = dict(counts)
            return found

        return self.reads.memo("case_entity_counts", self.reads.shape_key(book), compute)

    def _case_refs(self, book: Casebook, case_id: str) -> list[MentionRef]:
        """Where one case's live documents name resolved entities, read from the store's index."""
        refs = self.reads.entity_view().by_document.many(self.reads.live(book)[case_id])
        return sorted((ref for held in refs.values() for ref in held), key=_evidence_order)

    def _cases_by_entity(self, book: Casebook) -> dict[str, set[str]]:
        """Entity -> the cases that name it in their documents or hold it as a subject."""

        def compute() -> dict[str, set[str]]:
            cases: dict[str, set[str]] = defaultdict(set)
            for cid, held in self.case_entity_counts(book).items():
                for eid in held:
                    cases[eid].add(cid)
            for cid, subjects in self._case_subject_entities(book).items():
                for eid in subjects:
                    cases[eid].add(cid)
            return dict(cases)

        return self.reads.memo("cases_by_entity", self.reads.shape_key(book), compute)

    def _count_sharing(self, book: Casebook) -> dict[str, int]:
        """Entity -> how many cases name it in their documents or hold it as a subject."""
        return self.reads.memo(
            "sharing", self.reads.shape_key(book), lambda: {e: len(c) for e, c in self._cases_by_entity(book).items()}
        )

    def _case_subject_entities(self, book: Casebook) -> dict[str, set[str]]:
        view = self.reads.entity_view()
        return self.reads.memo(
            "case_subjects",
            self.reads.shape_key(book),
            lambda: {
                cid: set().union(*[view.current(s.entity) for s in book.case_subjects(cid)] or [set()])
                for cid in book.cases
            },
        )

    def summaries(
        self,
        case_id: str,
        max_cases_sharing: int | None = None,
        book: Casebook | None = None,
        visible: Callable[[str], bool] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        """One case's links as the workbench shows them: how many there are, and `limit` of them
        after the `offset` strongest (the most specific shared entity first; links made by hand
        before all). Only the links returned have their evidence read.

        Each gives the `SHARED_SHOWN` most specific shared entities (`shared_count` says how many
        there are), each with its evidence counted and its first `EVIDENCE_SHOWN` mentions.
        `max_cases_sharing`: an entity more cases hold links nothing by itself (it is still listed
        on links something rarer makes). `visible` keeps only the other cases it accepts.
        Built from the per-case index without materialising every mention of every shared entity,
        so a case that shares something with every other case still answers in milliseconds.
        """
        book = book or self.reads.book()
        view = self.reads.entity_view()
        named = self.case_entity_counts(book)
        subjects = self._case_subject_entities(book)
        holders = self._cases_by_entity(book)
        mine = named.get(case_id, {}).keys() | subjects[case_id]
        reasons = self._recorded_links(book, case_id)
        shared_with: dict[str, list[str]] = defaultdict(list)
        for e in mine:
            for other in holders.get(e, ()):
                if other != case_id:
                    shared_with[other].append(e)
        others = {
            other
            for other, held in shared_with.items()
            if max_cases_sharing is None or any(len(holders[e]) <= max_cases_sharing for e in held)
        } | reasons.keys()
        if visible is not None:
            others = {c for c in others if visible(c)}
        # An entity ranks the same in every pair unless it is also the other case's subject: rank
        # each once (a case sharing 50 entities with 300 others would rank 15,000 pairs).
        entities = view.entities.many(mine)  # one read for the case's entities, not one each
        alone = {e: _shared_rank(entities.get(e), e, (case_id,), subjects, holders) for e in mine}
        scored = []
        for other in others:
            pair = (min(case_id, other), max(case_id, other))
            theirs = subjects[other]
            ranked = [
                _shared_rank(entities.get(e), e, pair, subjects, holders) if e in theirs else alone[e]
                for e in shared_with.get(other, ())
            ]
            strength = (-1, 0) if reasons.get(other) else min(ranked)[:2]
            scored.append((strength, pair, other, ranked))
        scored.sort(key=lambda s: (s[0], s[1]))
        window = scored[offset:] if limit is None else scored[offset : offset + limit]
        shown = [(pair, other, sorted(ranked)[:SHARED_SHOWN], len(ranked)) for _, pair, other, ranked in window]
        evidence = self._link_evidence(book, case_id, {other: {r[3] for r in top} for _, other, top, _ in shown})
        counts = {c: named.get(c, {}) for c in (case_id, *(other for _, other, _, _ in shown))}
        result = []
        for pair, other, top, shared_count in shown:
            shared = []
            for _, count, name, e, kind, subject_in in top:
                refs = sorted([*evidence.get((case_id, e), ()), *evidence.get((other, e), ())], key=_evidence_order)
                shared.append(
                    {
                        "entity_id": e,
                        "kind": kind,
                        "name": name,
                        "subject_in": list(subject_in),
                        "cases_sharing": count,
                        "evidence": [m.to_json() for m in refs[:EVIDENCE_SHOWN]],
                        "evidence_count": counts[case_id].get(e, 0) + counts[other].get(e, 0),
                    }
                )
            result.append(
                {
                    "left": pair[0],
                    "right": pair[1],
                    "other": other,
                    "shared": shared,
                    "shared_count": shared_count,
                    "recorded": reasons.get(other, []),
                }
            )
        return len(scored), result

    @staticmethod
    def _recorded_links(book: Casebook, case_id: str) -> dict[str, list[str]]:
        """Other case -> the reasons given for links recorded by hand between it and this case."""
        reasons: dict[str, list[str]] = defaultdict(list)
        for cid, case in book.cases.items():
            for link in case.links:
                other = link.other if cid == case_id else cid if link.other == case_id else None
                if other is not None and other != case_id and link.reason not in reasons[other]:
                    reasons[other].append(link.reason)
        return reasons

    def _link_evidence(
        self, book: Casebook, case_id: str, wanted: dict[str, set[str]]
    ) -> dict[tuple[str, str], list[MentionRef]]:
        """(case, entity) -> the first `EVIDENCE_SHOWN` mentions of the entity in the case's live
        documents, for this case and each shown other case's wanted entities: one read of the
        store's index for all of them, restricted to those documents and entities."""
        if not wanted:
            return {}
        entities = {case_id: set().union(*wanted.values()), **wanted}
        live = self.reads.live(book)
        named = self.reads.document_entities(d for cid in entities for d in live[cid])
        # (document, entity) -> the cases whose evidence it is
        pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
        for cid, wanted_here in entities.items():
            remaining = dict.fromkeys(wanted_here, EVIDENCE_SHOWN)
            for doc in sorted(live[cid]):
                if not remaining:
                    break
                for e in remaining.keys() & named.get(doc, {}).keys():
                    pairs[(doc, e)].append(cid)
                    remaining[e] -= named[doc][e]
                    if remaining[e] <= 0:
                        del remaining[e]
        found: dict[tuple[str, str], list[MentionRef]] = defaultdict(list)
        for ref in self.reads.entity_view().refs_at(pairs):
            for cid in pairs[(ref.document_id, ref.entity_id)]:
                held = found[(cid, ref.entity_id)]
                if len(held) < EVIDENCE_SHOWN:
                    held.append(ref)
        return found

    def subject_cases(self, book: Casebook | None = None) -> dict[str, set[str]]:
        """Entity -> the cases that hold it as an allegation's subject."""
        book = book or self.reads.book()

        def compute() -> dict[str, set[str]]:
            found: dict[str, set[str]] = defaultdict(set)
            for cid, held in self._case_subject_entities(book).items():
                for eid in held:
                    found[eid].add(cid)
            return dict(found)

        return self.reads.memo("subject_cases", self.reads.shape_key(book), compute)

    def widely_shared(self, case_id: str, max_cases_sharing: int, book: Casebook | None = None) -> list[dict[str, Any]]:
        """This case's entities that more than `max_cases_sharing` cases hold: listed once, not as a link to each."""
        book = book or self.reads.book()
        view = self.reads.entity_view()
        sharing = self._count_sharing(book)
        subjects = self._case_subject_entities(book)[case_id]
        mine = self.case_entity_counts(book).get(case_id, {}).keys() | subjects
        wide = [e for e in mine if sharing.get(e, 0) > max_cases_sharing]
        entities = view.entities.many(wide)
        found = [
            {
                "entity_id": e,
                "name": entities[e].name if e in entities else e,
                "cases_sharing": sharing[e],
                "kind": "subject" if e in subjects else _kind(entities.get(e)),
            }
            for e in wide
        ]
        return sorted(found, key=lambda s: (KIND_ORDER.get(s["kind"], len(KIND_ORDER)), -s["cases_sharing"], s["name"]))


def _evidence_order(ref: MentionRef) -> tuple[str, int, int]:
    return ref.document_id, ref.start, ref.end


def _kind(entity: Entity | None) -> str:
    """The kind an entity links as: a survivor's pseudonym whatever its type."""
    if entity is None:
        return "other"
    return "pseudonym" if entity.attributes.get("pseudonym") else entity.type


def _labels(entities: Iterable[Entity]) -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """These entities' kinds, names and which are pseudonyms, as `link_cases` takes them."""
    held = list(entities)
    pseudonymous = frozenset(e.id for e in held if e.attributes.get("pseudonym"))
    return {e.id: e.type for e in held}, {e.id: e.name for e in held}, pseudonymous


def _shared_rank(
    entity: Entity | None,
    entity_id: str,
    pair: tuple[str, ...],
    subjects: Mapping[str, set[str]],
    holders: Mapping[str, set[str]],
) -> tuple[int, int, str, str, str, tuple[str, ...]]:
    """How specific one shared entity makes a link: subjects first, then by kind, then the fewest cases."""
    subject_in = tuple(c for c in pair if entity_id in subjects[c])
    kind = "subject" if subject_in else _kind(entity)
    sharing = len(holders.get(entity_id, ()))
    return (
        KIND_ORDER.get(kind, len(KIND_ORDER)),
        sharing,
        entity.name if entity is not None else entity_id,
        entity_id,
        kind,
        subject_in,
    )
