"""Casework's read models: the casebook and everything computed from it and the store, kept.

Each view is computed once and kept with the key it was computed for (the store's generations,
the casebook's newest leaf or shape), so a long-lived reader (the workbench) answers from memory
and notices, by one small read, when another process wrote. Nothing here writes.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from casetrail.errors import CaseworkError
from casetrail.intake.register import Register
from casetrail.linking.accounts import (
    AccountProposal,
    group_accounts,
    propose_same_accounts,
)
from casetrail.linking.corroboration import Corroboration, corroborate
from casetrail.linking.descriptions import UnknownProposal, propose_unknown_matches
from casetrail.linking.links import KIND_ORDER, CaseLinkage, link_cases
from casetrail.model.casework import (
    DEFAULT_CATEGORIES,
    Allegation,
    Assignment,
    AssignmentContext,
    AssignmentRole,
    Candidate,
    Case,
    Casebook,
    Category,
    Conflict,
    DocumentFacts,
    EntityRef,
    MentionRef,
    Participant,
    StaffMember,
    StaffRole,
    Verdict,
)
from casetrail.model.document import Document
from casetrail.model.entity import Entity
from casetrail.model.event import Event
from casetrail.oversight.deadlines import Overdue, find_overdue
from casetrail.oversight.report import build_report
from casetrail.policy.independence import check, eligible, search
from casetrail.resolution.matching import PersonIndex
from casetrail.resolution.view import EntityView, Lookup
from casetrail.store.read_models import ACCOUNTS

# Entity kinds through which two cases count as linked for the independence rules. Forces and
# towns are shared by nearly every case in an inquiry; linking through them would make every
# case "linked" and the rule meaningless.
POLICY_LINK_KINDS = frozenset({"subject", "person", "officer", "pseudonym", "vehicle", "phone"})
WEB_CHANNEL = "web"  # Submission.channel of a workbench upload (web/documents.py)
ASSIGNMENT_CONFLICT = "assignment_conflict"  # an assignee the rules would now refuse
# Details that tie two reports to one account without being entities ("aged 14", "in 2003").
ACCOUNT_DETAIL_TYPES = ("age", "date", "period", "collar_number")
DEFAULT_SETTINGS: dict[str, Any] = {
    "repeat_subject_threshold": 3,  # K: independent accounts naming a subject before an alert
    "intelligence_action_days": 7,  # intelligence must lead to an action within this many days
    # Same-account proposals below this score are not shown. On the synthetic inquiry (bench/accounts.py)
    # 0.6 gave precision 0.06, 0.9 gave 0.93 at about the same recall: survivors named *in* other
    # people's statements look like their own accounts.
    "account_proposal_min_score": 0.9,
    # On the case page, an entity more cases than this hold (a force, a town, an officer named in
    # most complaints) links no cases by itself: it is listed once as widely shared instead.
    "case_link_max_sharing": 25,
}
T = TypeVar("T")
# A claim older than this is taken over: its builder died (a restart mid-build), or is slow, in
# which case two build the same model and the later commit stands. Waiting is bounded by it.
ACCOUNTS_BUILD_LIMIT = timedelta(minutes=2)
CLAIM_POLL_S = 0.2
EVIDENCE_SHOWN = 3  # mentions per shared entity in a case's link summary
SHARED_SHOWN = 10  # shared entities per link in that summary, most specific first


class CaseReads:
    """The read side of casework: the casebook, the entity view, links, accounts, independence contexts."""

    def __init__(self, register: Register, settings: dict[str, Any] | None = None) -> None:
        self.register = register
        self.store = register.store
        self.log = register.log
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        categories = self.settings.get("allegation_categories")
        self.categories: tuple[Category, ...] = (
            tuple(Category(c["code"], c["label"]) for c in categories) if categories else DEFAULT_CATEGORIES
        )
        self._book: Casebook | None = None
        self._book_leaf = -1
        # Computed from the store and the book, each kept with the key it was computed for: the
        # store's generations (documents, mentions, entities) and the book's shape.
        self._memos: dict[str, tuple[Hashable, Any]] = {}
        self.on_computed: Callable[[], None] | None = None  # called after a view is computed and kept

    def generations(self) -> tuple[int, int, int]:
        """What the store holds now (one small read): views computed from older data are dropped as next asked for."""
        return self.store.generations()

    def stamp(self) -> tuple[int, tuple[int, int, int]]:
        """What a reader's cache must be keyed on: the casebook's newest leaf and the store's generations."""
        self.book()
        return self._book_leaf, self.generations()

    def _memo(self, name: str, key: Hashable, compute: Callable[[], T]) -> T:
        found = self._memos.get(name)
        if found is not None and found[0] == key:
            return found[1]  # type: ignore[no-any-return]
        value = compute()
        self._memos[name] = (key, value)
        if self.on_computed is not None:
            self.on_computed()
        return value

    def _kept(self, name: str, key: Hashable, item: str, compute: Callable[[], T]) -> T:
        """One entry of a kept table (contexts, pickers, corroboration): computed once per item while `key` holds."""
        table: dict[str, T] = self._memo(name, key, dict)
        if item not in table:
            table[item] = compute()
        return table[item]

    def _leaf(self) -> Hashable:
        """Keys what depends on every casework event: the store's generations and the book's newest leaf."""
        return self.generations(), self._book_leaf

    @staticmethod
    def _shape(book: Casebook) -> tuple[int, ...]:
        """The sizes of the book's append-only parts that links, accounts and indexes depend on."""
        return (
            len(book.cases),
            sum(len(c.documents) for c in book.cases.values()),
            len(book.subjects),
            len(book.parties),
            len(book.account_comparisons),
            sum(len(c.links) for c in book.cases.values()),
        )

    def book(self) -> Casebook:
        """The casebook as of the newest event; events since the last call are folded in, not replayed.

        Callers read it and never change it: it is this object's cache.
        """
        if self._book is None:
            self._book, self._book_leaf = Casebook(), -1
        for leaf, data in self.store.casework.casework_entries(self._book_leaf):
            self._book.apply_event(leaf, Event.from_leaf(data))
            self._book_leaf = leaf
        return self._book

    def warm(self) -> None:
        """Compute what the first pages need: the casebook, the entities, what the cases' documents
        and the intake queue name, each case's entities, documents and participants; and the
        accounts, which only the first worker to find them stale builds (the others read what it keeps)."""
        book = self.book()
        documents, queue = self.document_reach(book)
        self.document_entities([*(d for held in documents.values() for d in held), *queue])
        self._case_entity_counts(book)
        self.participants(book)
        self.accounts(book)

    def documents(self) -> list[tuple[Document, str, int]]:
        """Every document with its status and leaf, in order received, read now (batch work only)."""
        return list(self.store.documents.iter_documents())

    def document_listing(self) -> list[tuple[str, str]]:
        """(id, submitted_by) of every document in order received: what lists are filtered and
        paged by; kept until documents change (two short strings a document, not the documents)."""
        return self._memo("document_listing", self.generations()[0], self.store.documents.listing)

    def _documents_by_id(self) -> Lookup[tuple[Document, str, int]]:
        return self._memo("documents_by_id", self.generations()[0], lambda: Lookup(self.store.documents.get_documents))

    def document(self, doc_id: str) -> tuple[Document, str, int] | None:
        """(document, status, leaf), read from the store by id (the newest answers kept)."""
        return self._documents_by_id().get(doc_id)

    def documents_of(self, doc_ids: Iterable[str]) -> dict[str, tuple[Document, str, int]]:
        """Many documents at once, in one query for those not kept."""
        return self._documents_by_id().many(doc_ids)

    def _amendments(self) -> list[tuple[str, str]]:
        """(amended, amendment) pairs in order received: few, kept until documents change."""
        return self._memo("amendments", self.generations()[0], self.store.documents.amendments)

    def entity_view(self) -> EntityView:
        return self._memo("view", self.generations()[2], self._load_view)

    def document_entities(self, document_ids: Iterable[str]) -> Mapping[str, Mapping[str, int]]:
        """Document -> the entities it names, with how often, for at least these documents.

        Read from the store once per resolution run for each document asked for, and kept: what
        casework asks for is the cases' documents and the intake queue (`document_reach`), which
        grow with the casework, not with the corpus."""
        kept: dict[str, dict[str, int]] = self._memo("document_entities", self.generations()[2], dict)
        missing = [d for d in document_ids if d not in kept]
        if missing:
            found = self.entity_view().document_entities(missing)
            for doc in missing:
                kept[doc] = found.get(doc, {})
        return kept

    def _load_view(self) -> EntityView:
        entities = {
            row["id"]: Entity(row["id"], row["type"], row["name"], tuple(row["aliases"]), attributes=row["attributes"])
            for row in self.store.analysis.entity_rows()
        }
        return EntityView(entities, self.store.analysis)

    def entity_ref(self, entity_id: str) -> EntityRef:
        view = self.entity_view()
        entity = view.entities.get(entity_id)
        if entity is None:
            raise CaseworkError(f"no entity {entity_id!r}; see `casetrail entities`")
        return EntityRef(entity_id, entity.name, view.records_of.get(entity_id, ()))

    def _staff(self, book: Casebook, staff_id: str) -> StaffMember:
        if staff_id not in book.staff:
            raise CaseworkError(f"no member of staff {staff_id!r}; see `casetrail staff list`")
        return book.staff[staff_id]

    def _case(self, book: Casebook, case_id: str) -> Case:
        if case_id not in book.cases:
            raise CaseworkError(f"no case {case_id!r}; see `casetrail case list`")
        return book.cases[case_id]

    def category(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        known = ", ".join(c.code for c in self.categories)
        raise CaseworkError(f"no allegation category {code!r}; choose one of: {known}")

    def _allegation(self, book: Casebook, allegation_id: str) -> Allegation:
        if allegation_id not in book.allegations:
            raise CaseworkError(f"no allegation {allegation_id!r}")
        return book.allegations[allegation_id]

    def candidate(self, staff: StaffMember) -> Candidate:
        """A member of staff with the entities that are them: kept per resolution run."""
        candidates: dict[str, Candidate] = self._memo("candidates", self.generations()[2], dict)
        found = candidates.get(staff.id)
        if found is None or found.staff != staff:
            view = self.entity_view()
            ids = set(view.current(staff.entity))
            ids |= self._people().match(staff.name, staff.collar_number)
            found = candidates[staff.id] = Candidate(staff, frozenset(ids))
        return found

    def _people(self) -> PersonIndex:
        return self._memo("people", self.generations()[2], lambda: PersonIndex(self.entity_view().entities.values()))

    def context(self, book: Casebook, case_id: str) -> AssignmentContext:
        """What the independence rules need for one case, gathered once per casebook leaf."""
        if book is not self._book:
            return self._context(book, case_id)
        return self._kept("contexts", self._leaf(), case_id, lambda: self._context(book, case_id))

    def participants(self, book: Casebook | None = None) -> dict[str, tuple[Participant, ...]]:
        """Each case's subjects and parties with the entities that are them now: the one builder of
        the policy's inputs, used by need-to-know (`policy.access.reach`) and by independence alike."""
        book = book or self.book()
        if book is not self._book:
            return self._participants(book)
        return self._memo("participants", self._leaf(), lambda: self._participants(book))

    def _participants(self, book: Casebook) -> dict[str, tuple[Participant, ...]]:
        view = self.entity_view()
        found: dict[str, tuple[Participant, ...]] = {}
        for cid in book.cases:
            found[cid] = (
                *(
                    Participant(
                        cid,
                        "subject",
                        f"{s.label} ({s.id}, {s.allegation_id})",
                        s.staff_id,
                        view.current(s.entity),
                        s.force,
                        s.unit,
                    )
                    for s in book.case_subjects(cid)
                ),
                *(
                    Participant(cid, p.role.value, f"{p.pseudonym} ({p.id})", p.staff_id, view.current(p.entity))
                    for p in book.case_parties(cid)
                ),
            )
        return found

    def conflicts_now(self, book: Casebook, assignment: Assignment) -> tuple[Conflict, ...]:
        """What the rules would now object to in a current assignment (evidence that came later)."""
        context = self.context(book, assignment.case_id)
        return check(self.candidate(book.staff[assignment.staff_id]), context).conflicts

    def _context(self, book: Casebook, case_id: str) -> AssignmentContext:
        self._case(book, case_id)
        view = self.entity_view()
        linked = self.linked_cases(book, case_id)
        every = self.participants(book)
        participants = [p for cid in [case_id, *sorted(linked)] for p in every.get(cid, ())]
        named: dict[str, list[MentionRef]] = defaultdict(list)
        for refs in view.by_document.many(self._live_documents([book.cases[case_id]])[case_id]).values():
            for ref in refs:
                named[ref.entity_id].append(ref)
        waivers = tuple(w for w in book.waivers.values() if w.case_id == case_id)
        return AssignmentContext(
            case_id, tuple(participants), frozenset(linked), {k: tuple(v) for k, v in named.items()}, waivers
        )

    def check_assignment(self, case_id: str, staff_id: str, role: AssignmentRole) -> Verdict:
        """The verdict alone, recorded nowhere (for previews; `assign` records its check)."""
        book = self.book()
        return check(self.candidate(self._staff(book, staff_id)), self.context(book, case_id))

    def assignable(self, case_id: str, query: str | None = None) -> list[Candidate]:
        """The assignee picker: only people the same check would accept, whatever the query."""
        book = self.book()
        context = self.context(book, case_id)

        def candidates() -> list[Candidate]:
            return [
                self.candidate(s)
                for s in book.staff.values()
                if StaffRole.INVESTIGATOR in s.roles or StaffRole.SUPERVISOR in s.roles
            ]

        if query:
            return search(candidates(), context, query)
        return self._kept("picker", self._leaf(), case_id, lambda: eligible(candidates(), context))

    def overdue(self, now: datetime | None = None) -> list[Overdue]:
        return find_overdue(self.book(), now or datetime.now(UTC))

    def conflicted_assignments(self, book: Casebook) -> list[tuple[Assignment, Verdict]]:
        """Current assignments the rules would now refuse: evidence that arrived after the check."""
        found = []
        contexts: dict[str, AssignmentContext] = {}
        for assignment in book.current_assignments():
            if assignment.case_id not in contexts:
                contexts[assignment.case_id] = self.context(book, assignment.case_id)
            verdict = check(self.candidate(book.staff[assignment.staff_id]), contexts[assignment.case_id])
            if not verdict.allowed:
                found.append((assignment, verdict))
        return found

    def report(
        self,
        now: datetime | None = None,
        case_id: str | None = None,
        visible: Callable[[str | None], bool] | None = None,
    ) -> dict[str, Any]:
        """The oversight report; `visible` keeps only the items whose case it accepts (totals too)."""
        book = self.book()
        report = build_report(book, now or datetime.now(UTC), case_id, visible)
        report["assignment_conflicts"] = [
            {"item": e.item_id, "case": e.case_id, "escalated_at": e.at, "leaf": e.leaf, "to": e.to}
            for e in book.escalations
            if e.reason == ASSIGNMENT_CONFLICT
            and (case_id is None or e.case_id == case_id)
            and (visible is None or visible(e.case_id))
        ]
        return report

    def _live_documents(self, cases: Iterable[Case]) -> dict[str, list[str]]:
        """Each case's documents that count: active ones, and amended ones through their newest
        version (one status read for all the cases)."""
        cases = list(cases)
        newer = self._memo("newer", self.generations()[0], lambda: dict(self._amendments()))
        status = self.store.documents.statuses(
            doc for c in cases for d in c.documents for doc in (d, newer.get(d)) if doc is not None
        )

        def live(doc_id: str | None) -> bool:  # as store.analysis.resolvable_documents says
            return status.get(doc_id or "") == "active" and doc_id not in newer

        return {c.id: [d for d in c.documents if live(d) or live(newer.get(d))] for c in cases}

    def _key(self, book: Casebook) -> Hashable:
        return self.generations(), self._shape(book)

    def _live(self, book: Casebook) -> dict[str, list[str]]:
        """Case -> its live documents (`_live_documents`), for every case: kept while the book's shape holds."""
        return self._memo("live_documents", self._key(book), lambda: self._live_documents(book.cases.values()))

    def document_reach(self, book: Casebook | None = None) -> tuple[dict[str, set[str]], list[str]]:
        """Need-to-know's view of the documents: each case's documents with every later version of
        them (an amendment belongs where its original does), and the intake queue."""
        book = book or self.book()

        def compute() -> tuple[dict[str, set[str]], list[str]]:
            newer: dict[str, list[str]] = defaultdict(list)
            for amended, amendment in self._amendments():
                newer[amended].append(amendment)
            held: dict[str, set[str]] = {}
            for cid, case in book.cases.items():
                found, queue = set(), list(case.documents)
                while queue:
                    doc_id = queue.pop()
                    if doc_id not in found:
                        found.add(doc_id)
                        queue.extend(newer.get(doc_id, ()))
                held[cid] = found
            allocated = set().union(*held.values()) if held else set()
            # The intake queue: uploads through the workbench that no case holds yet (triage).
            queue = [d for d in self.store.documents.from_channel(WEB_CHANNEL) if d not in allocated]
            return held, queue

        return self._memo("document_reach", self._key(book), compute)

    def document_cases(self, book: Casebook | None = None) -> dict[str, set[str]]:
        """Document -> the cases holding it (live documents only)."""
        book = book or self.book()

        def compute() -> dict[str, set[str]]:
            found: dict[str, set[str]] = defaultdict(set)
            for cid, docs in self._live(book).items():
                for doc in docs:
                    found[doc].add(cid)
            return dict(found)

        return self._memo("document_cases", self._key(book), compute)

    def _entity_cases(self, book: Casebook) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """Entity -> cases naming it (policy kinds only), and case -> those entities."""

        def compute() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
            view = self.entity_view()
            held = self.document_cases(book)
            named = self.document_entities(held)
            by_entity: dict[str, set[str]] = defaultdict(set)
            for doc, cases in held.items():
                for eid in named.get(doc, ()):
                    entity = view.entities.get(eid)
                    if entity is None:
                        continue
                    kind = "pseudonym" if entity.attributes.get("pseudonym") else entity.type
                    if kind in POLICY_LINK_KINDS:
                        by_entity[eid] |= cases
            for subject in book.subjects.values():
                for eid in view.current(subject.entity):
                    by_entity[eid].add(subject.case_id)
            by_case: dict[str, set[str]] = defaultdict(set)
            for eid, cases in by_entity.items():
                for cid in cases:
                    by_case[cid].add(eid)
            return by_entity, by_case

        return self._memo("entity_cases", self._key(book), compute)

    def linked_cases(self, book: Casebook, case_id: str) -> set[str]:
        """Cases linked to this one by hand, or through a shared person, subject, vehicle or phone."""
        by_entity, by_case = self._entity_cases(book)
        linked = {link.other for link in book.cases[case_id].links}
        for eid in by_case.get(case_id, ()):
            linked |= by_entity[eid]
        linked.discard(case_id)
        return linked

    def links(self, book: Casebook | None = None, case_id: str | None = None) -> list[CaseLinkage]:
        """Case links with their evidence; with `case_id`, only that case's links.

        One case's links are computed pair by pair over the two cases' documents: an entity named
        in most cases (a force, a notorious officer) would otherwise make it every pair of cases.
        The workbench's summary of the same links is `link_summaries`.
        """
        book = book or self.book()
        view = self.entity_view()
        case_documents = {cid: set(docs) for cid, docs in self._live(book).items()}
        subjects = self._case_subject_entities(book)
        recorded = [
            (cid, link.other, link.reason) for cid, c in book.cases.items() for link in c.links if cid < link.other
        ]
        pseudonymous, kinds, names = view.pseudonymous, view.kinds, view.names
        if case_id is None:
            return link_cases(case_documents, view.all_mentions(), kinds, names, subjects, recorded, pseudonymous)
        named = self._case_entity_counts(book)
        sharing = self._count_sharing(book)
        mine = named.get(case_id, {}).keys() | subjects[case_id]
        others = {c for c, held in named.items() if c != case_id and not mine.isdisjoint(held.keys())}
        others |= {c for c, s in subjects.items() if s & mine} | {link.other for link in book.cases[case_id].links}
        others.discard(case_id)
        result = []
        for other in sorted(others):
            pair = {case_id: case_documents[case_id], other: case_documents[other]}
            shared = mine & (named.get(other, {}).keys() | subjects[other])
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

    def _case_entity_counts(self, book: Casebook) -> dict[str, dict[str, int]]:
        """Case -> entity -> how many mentions of it the case's live documents hold (counts, not
        the mentions: those are read for the one case a page shows, `_case_refs`)."""

        def compute() -> dict[str, dict[str, int]]:
            live = self._live(book)
            held = self.document_entities(d for docs in live.values() for d in docs)
            found: dict[str, dict[str, int]] = {}
            for cid, docs in live.items():
                counts: dict[str, int] = defaultdict(int)
                for doc in docs:
                    for eid, count in held.get(doc, {}).items():
                        counts[eid] += count
                found[cid] = dict(counts)
            return found

        return self._memo("case_entity_counts", self._key(book), compute)

    def _case_refs(self, book: Casebook, case_id: str) -> list[MentionRef]:
        """Where one case's live documents name resolved entities, read from the store's index."""
        refs = self.entity_view().by_document.many(self._live(book)[case_id])
        return sorted((ref for held in refs.values() for ref in held), key=_evidence_order)

    def _cases_by_entity(self, book: Casebook) -> dict[str, set[str]]:
        """Entity -> the cases that name it in their documents or hold it as a subject."""

        def compute() -> dict[str, set[str]]:
            cases: dict[str, set[str]] = defaultdict(set)
            for cid, held in self._case_entity_counts(book).items():
                for eid in held:
                    cases[eid].add(cid)
            for cid, subjects in self._case_subject_entities(book).items():
                for eid in subjects:
                    cases[eid].add(cid)
            return dict(cases)

        return self._memo("cases_by_entity", self._key(book), compute)

    def _count_sharing(self, book: Casebook) -> dict[str, int]:
        """Entity -> how many cases name it in their documents or hold it as a subject."""
        return self._memo(
            "sharing", self._key(book), lambda: {e: len(c) for e, c in self._cases_by_entity(book).items()}
        )

    def _case_subject_entities(self, book: Casebook) -> dict[str, set[str]]:
        view = self.entity_view()
        return self._memo(
            "case_subjects",
            self._key(book),
            lambda: {
                cid: set().union(*[view.current(s.entity) for s in book.case_subjects(cid)] or [set()])
                for cid in book.cases
            },
        )

    def link_summaries(
        self,
        case_id: str,
        max_cases_sharing: int | None = None,
        book: Casebook | None = None,
        visible: Callable[[str], bool] | None = None,
        limit: int | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        """One case's links as the workbench shows them: how many there are, and the strongest
        `limit` (the most specific shared entity first; links made by hand before all).

        Each gives the `SHARED_SHOWN` most specific shared entities (`shared_count` says how many
        there are), each with its evidence counted and its first `EVIDENCE_SHOWN` mentions.
        `max_cases_sharing`: an entity more cases hold links nothing by itself (it is still listed
        on links something rarer makes). `visible` keeps only the other cases it accepts.
        Built from the per-case index without materialising every mention of every shared entity,
        so a case that shares something with every other case still answers in milliseconds.
        """
        book = book or self.book()
        view = self.entity_view()
        named = self._case_entity_counts(book)
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
        scored = []
        for other in others:
            pair = (min(case_id, other), max(case_id, other))
            ranked = [_shared_rank(view, e, pair, subjects, holders) for e in shared_with.get(other, ())]
            strength = (-1, 0) if reasons.get(other) else min(ranked)[:2]
            scored.append((strength, pair, other, ranked))
        scored.sort(key=lambda s: (s[0], s[1]))
        shown = [(pair, other, sorted(ranked)[:SHARED_SHOWN], len(ranked)) for _, pair, other, ranked in scored[:limit]]
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
        live = self._live(book)
        named = self.document_entities(d for cid in entities for d in live[cid])
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
        for ref in self.entity_view().refs_at(pairs):
            for cid in pairs[(ref.document_id, ref.entity_id)]:
                held = found[(cid, ref.entity_id)]
                if len(held) < EVIDENCE_SHOWN:
                    held.append(ref)
        return found

    def subject_cases(self, book: Casebook | None = None) -> dict[str, set[str]]:
        """Entity -> the cases that hold it as an allegation's subject."""
        book = book or self.book()

        def compute() -> dict[str, set[str]]:
            found: dict[str, set[str]] = defaultdict(set)
            for cid, held in self._case_subject_entities(book).items():
                for eid in held:
                    found[eid].add(cid)
            return dict(found)

        return self._memo("subject_cases", self._key(book), compute)

    def widely_shared(self, case_id: str, max_cases_sharing: int, book: Casebook | None = None) -> list[dict[str, Any]]:
        """This case's entities that more than `max_cases_sharing` cases hold: listed once, not as a link to each."""
        book = book or self.book()
        view = self.entity_view()
        sharing = self._count_sharing(book)
        subjects = self._case_subject_entities(book)[case_id]
        mine = self._case_entity_counts(book).get(case_id, {}).keys() | subjects
        found = [
            {
                "entity_id": e,
                "name": view.names.get(e, e),
                "cases_sharing": sharing[e],
                "kind": "subject"
                if e in subjects
                else "pseudonym"
                if e in view.pseudonymous
                else view.kinds.get(e, "other"),
            }
            for e in mine
            if sharing.get(e, 0) > max_cases_sharing
        ]
        return sorted(found, key=lambda s: (KIND_ORDER.get(s["kind"], len(KIND_ORDER)), -s["cases_sharing"], s["name"]))

    def _facts(self, book: Casebook) -> list[DocumentFacts]:
        given: dict[str, str] = {}
        for case in book.cases.values():
            for doc_id, party in case.documents.items():
                if party:
                    given[doc_id] = party
        active = [doc for doc, status, _ in self.documents() if status == "active"]
        return [
            DocumentFacts(
                doc.id, doc.kind.value, doc.provenance.source_name, doc.parent_id, doc.amends, given.get(doc.id)
            )
            for doc in active
        ]

    def accounts(self, book: Casebook | None = None) -> tuple[dict[str, str], list[AccountProposal]]:
        """Documents grouped into independent accounts, and proposed same-account pairs, all of them."""
        book = book or self.book()
        if not self._keep_accounts(book):
            return self._memo("accounts", self._accounts_key(book), lambda: self._accounts(book))
        return self.store.read_models.accounts(), self.store.read_models.proposals()

    def keep_read_models(self) -> str:
        """Build what the store keeps for every reader if it is stale (the accounts and proposals)."""
        if not self._keep_accounts(self.book()):
            return "nothing (a read-only store)"
        kept = self.store.read_models
        return f"{kept.account_count()} independent accounts, {kept.proposal_count()} same-account proposals"

    def account_proposals(self, book: Casebook | None = None) -> list[AccountProposal]:
        """The proposed same-account pairs, best first."""
        book = book or self.book()
        if not self._keep_accounts(book):
            return self.accounts(book)[1]
        return self.store.read_models.proposals()

    def _accounts_key(self, book: Casebook) -> Hashable:
        # Not keyed on documents: a new upload names nobody until it is extracted, which moves
        # the mentions generation; amending, withdrawing or sealing moves all three. Of the book,
        # only what accounts read: who gave each document, and the human verdicts (opening a
        # case, naming a subject or linking cases leaves them as they were).
        return (
            self.generations()[1:],
            self._memo("given", (self._book_leaf, id(book)), lambda: _given_digest(book)),
            len(book.account_comparisons),
            float(self.settings["account_proposal_min_score"]),
        )

    def _keep_accounts(self, book: Casebook) -> bool:
        """Make the store's kept accounts and proposals current (store.read_models): the first
        process to find them stale builds them, under a claim, and every other waits and reads
        them. False on a read-only store, whose reader computes its own."""
        if self.store.readonly:
            return False
        key = self._accounts_key(book)
        return self._memo("accounts_kept", key, lambda: self._build_kept_accounts(book, json.dumps(key)))

    def _build_kept_accounts(self, book: Casebook, stamp: str) -> bool:
        kept = self.store.read_models
        while kept.stamp(ACCOUNTS) != stamp:
            now = datetime.now(UTC)
            if kept.claim(ACCOUNTS, now.isoformat(), (now - ACCOUNTS_BUILD_LIMIT).isoformat()):
                try:
                    accounts, proposals = self._accounts(book)
                    kept.replace_accounts(stamp, datetime.now(UTC).isoformat(), accounts, proposals)
                except BaseException:
                    kept.release(ACCOUNTS)
                    raise
                break
            time.sleep(CLAIM_POLL_S)  # another process is building them: read what it keeps
        return True

    def _accounts(self, book: Casebook) -> tuple[dict[str, str], list[AccountProposal]]:
        facts = self._facts(book)
        view = self.entity_view()
        accounts = group_accounts(facts, book.account_comparisons)
        names = view.names
        live = {f.id for f in facts}
        details = self.store.analysis.detail_mention_refs(ACCOUNT_DETAIL_TYPES)
        mentions = [m for m in [*view.all_mentions(), *details] if m.document_id in live]
        proposals = propose_same_accounts(
            facts,
            mentions,
            book.account_comparisons,
            names,
            min_score=float(self.settings["account_proposal_min_score"]),
        )
        return accounts, proposals

    def corroboration(self, entity_id: str, book: Casebook | None = None) -> Corroboration:
        """How many independent accounts name this entity; kept until accounts or the book change."""
        book = book or self.book()
        view = self.entity_view()
        if entity_id not in view.entities:
            raise CaseworkError(f"no entity {entity_id!r}; see `casetrail entities`")
        key = self._accounts_key(book)
        return self._kept("corroboration", key, entity_id, lambda: self._corroboration(book, view, entity_id))

    def _corroboration(self, book: Casebook, view: EntityView, entity_id: str) -> Corroboration:
        named = view.by_entity.get(entity_id, [])
        documents = {m.document_id for m in named}
        if self._keep_accounts(book):
            accounts = self.store.read_models.account_of(documents)
            # only the proposals that touch this entity's documents, not the whole inquiry's
            touching = [p for _, p in self.store.read_models.proposals_touching(documents)]
        else:
            accounts, proposals = self.accounts(book)
            touching = [p for p in proposals if p.left in documents or p.right in documents]
        mentions = [m for m in named if m.document_id in accounts]
        return corroborate(entity_id, view.entities[entity_id].name, mentions, accounts, touching)

    def subject_corroboration(
        self, book: Casebook | None = None, case_id: str | None = None
    ) -> dict[str, Corroboration]:
        """Corroboration for every entity that is a subject of an allegation (in one case, if given)."""
        book = book or self.book()
        view = self.entity_view()
        result = {}
        for subject in book.subjects.values():
            if case_id is not None and subject.case_id != case_id:
                continue
            for eid in view.current(subject.entity):
                if eid not in result:
                    result[eid] = self.corroboration(eid, book)
        return result

    def unknown_proposals(self) -> list[UnknownProposal]:
        book = self.book()
        return propose_unknown_matches(list(book.subjects.values()), book.unknown_comparisons)

    def category_label(self, code: str) -> str:
        return next((c.label for c in self.categories if c.code == code), code)


def _evidence_order(ref: MentionRef) -> tuple[str, int, int]:
    return ref.document_id, ref.start, ref.end


def _shared_rank(
    view: EntityView, entity_id: str, pair: tuple[str, str], subjects: dict[str, set[str]], holders: dict[str, set[str]]
) -> tuple[int, int, str, str, str, tuple[str, ...]]:
    """How specific one shared entity makes a link: subjects first, then by kind, then the fewest cases."""
    subject_in = tuple(c for c in pair if entity_id in subjects[c])
    if subject_in:
        kind = "subject"
    else:
        kind = "pseudonym" if entity_id in view.pseudonymous else view.kinds.get(entity_id, "other")
    sharing = len(holders.get(entity_id, ()))
    return (
        KIND_ORDER.get(kind, len(KIND_ORDER)),
        sharing,
        view.names.get(entity_id, entity_id),
        entity_id,
        kind,
        subject_in,
    )


def _given_digest(book: Casebook) -> str:
    """A digest of who gave each document in a case: what the casebook adds to the accounts."""
    given = sorted((d, p) for c in book.cases.values() for d, p in c.documents.items() if p)
    return hashlib.sha256(json.dumps(given).encode()).hexdigest()
