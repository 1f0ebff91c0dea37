"""Casework's read models: the casebook and everything computed from it and the store, kept.

Each view is computed once and kept with the key it was computed for (the store's generations,
the casebook's newest leaf or shape), so a long-lived reader (the workbench) answers from memory
and notices, by one small read, when another process wrote. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from casetrail.casework.accounts import Accounts
from casetrail.casework.independence import Independence
from casetrail.casework.links import CaseLinks
from casetrail.errors import CaseworkError
from casetrail.intake.register import Register
from casetrail.linking.descriptions import UnknownProposal, propose_unknown_matches
from casetrail.model.casework import (
    DEFAULT_CATEGORIES,
    Allegation,
    Case,
    Casebook,
    Category,
    EntityRef,
    StaffMember,
)
from casetrail.model.document import Document
from casetrail.model.event import Event
from casetrail.oversight.deadlines import Overdue, find_overdue
from casetrail.oversight.report import build_report
from casetrail.policy.access import Reach, Viewer, filter_documents
from casetrail.resolution.view import EntityView, Lookup

WEB_CHANNEL = "web"  # Submission.channel of a workbench upload (web/documents.py)
ASSIGNMENT_CONFLICT = "assignment_conflict"  # an assignee the rules would now refuse
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


class CaseReads:
    """The read side of casework: the casebook, the documents and the entity view, with what is
    computed from them kept (`memo`); each further job is a part of its own, sharing what is kept:
    `links` (case links), `accounts` (independent accounts, corroboration) and `independence`
    (the assignment rules' inputs and verdicts)."""

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
        self.links = CaseLinks(self)
        self.accounts = Accounts(self)
        self.independence = Independence(self)

    def generations(self) -> tuple[int, int, int]:
        """What the store holds now (one small read): views computed from older data are dropped as next asked for."""
        return self.store.generations()

    def stamp(self) -> tuple[int, tuple[int, int, int]]:
        """What a reader's cache must be keyed on: the casebook's newest leaf and the store's generations."""
        self.book()
        return self._book_leaf, self.generations()

    def memo(self, name: str, key: Hashable, compute: Callable[[], T]) -> T:
        found = self._memos.get(name)
        if found is not None and found[0] == key:
            return found[1]  # type: ignore[no-any-return]
        value = compute()
        self._memos[name] = (key, value)
        if self.on_computed is not None:
            self.on_computed()
        return value

    def memo_item(self, name: str, key: Hashable, item: Hashable, compute: Callable[[], T]) -> T:
        """One entry of a kept table (contexts, pickers, corroboration): computed once per item while `key` holds."""
        table: dict[Hashable, T] = self.memo(name, key, dict)
        if item not in table:
            table[item] = compute()
        return table[item]

    @property
    def book_leaf(self) -> int:
        """The ledger leaf of the newest casework event folded into the book."""
        return self._book_leaf

    def is_current(self, book: Casebook) -> bool:
        """Whether `book` is this reader's own casebook (what is kept was computed from it)."""
        return book is self._book

    def leaf_key(self) -> Hashable:
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
        """Compute what the first pages need: the casebook, what the cases' documents
        and the intake queue name, each case's entities, documents and participants; and the
        accounts, which only the first worker to find them stale builds (the others read what it keeps)."""
        book = self.book()
        documents, queue = self.document_reach(book)
        self.document_entities([*(d for held in documents.values() for d in held), *queue])
        self.links.case_entity_counts(book)
        self.independence.participants(book)
        self.accounts.ready(book)

    def documents(self) -> list[tuple[Document, str, int]]:
        """Every document with its status and leaf, in order received, read now (batch work only)."""
        return list(self.store.documents.iter_documents())

    def readable_documents(self, viewer: Viewer, reach: Reach) -> list[str]:
        """The documents this viewer may read, in the order received: read from the store by what
        could pass (their reach, their own uploads), never the inquiry's whole listing, and each
        through the one check (`policy.access.filter_documents`)."""

        def compute() -> list[str]:
            found = self.store.documents.listing_among(reach.documents, viewer.user_id)
            return filter_documents(viewer, reach, (doc_id for doc_id, _ in found), dict(found))

        # Kept per viewer and reach until documents or casework change: a viewer pages through one list.
        return self.memo_item("readable_documents", self.leaf_key(), (viewer, reach.documents), compute)

    def readable_set(self, viewer: Viewer, reach: Reach) -> frozenset[str]:
        """`readable_documents` as a set, kept as long: what a search's hits are kept by, in memory,
        instead of reading each hit's submitter to put it through the check again."""
        key = (viewer, reach.documents)
        return self.memo_item(
            "readable_set", self.leaf_key(), key, lambda: frozenset(self.readable_documents(viewer, reach))
        )

    def _documents_by_id(self) -> Lookup[tuple[Document, str, int]]:
        return self.memo("documents_by_id", self.generations()[0], lambda: Lookup(self.store.documents.get_documents))

    def document(self, doc_id: str) -> tuple[Document, str, int] | None:
        """(document, status, leaf), read from the store by id (the newest answers kept)."""
        return self._documents_by_id().get(doc_id)

    def documents_of(self, doc_ids: Iterable[str]) -> dict[str, tuple[Document, str, int]]:
        """Many documents at once, in one query for those not kept."""
        return self._documents_by_id().many(doc_ids)

    def _amendments(self) -> list[tuple[str, str]]:
        """(amended, amendment) pairs in order received: few, kept until documents change."""
        return self.memo("amendments", self.generations()[0], self.store.documents.amendments)

    def entity_view(self) -> EntityView:
        """The resolution run's entities and mentions, read by key from the store (none held)."""
        return self.memo("view", self.generations()[2], lambda: EntityView(self.store.analysis))

    def document_entities(self, document_ids: Iterable[str]) -> Mapping[str, Mapping[str, int]]:
        """Document -> the entities it names, with how often, for at least these documents.

        Read from the store once per resolution run for each document asked for, and kept: what
        casework asks for is the cases' documents and the intake queue (`document_reach`), which
        grow with the casework, not with the corpus."""
        kept: dict[str, dict[str, int]] = self.memo("document_entities", self.generations()[2], dict)
        missing = [d for d in document_ids if d not in kept]
        if missing:
            found = self.entity_view().document_entities(missing)
            for doc in missing:
                kept[doc] = found.get(doc, {})
        return kept

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

    def overdue(self, now: datetime | None = None) -> list[Overdue]:
        return find_overdue(self.book(), now or datetime.now(UTC))

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

    def live_documents(self, cases: Iterable[Case]) -> dict[str, list[str]]:
        """Each case's documents that count: active ones, and amended ones through their newest
        version (one status read for all the cases)."""
        cases = list(cases)
        newer = self.memo("newer", self.generations()[0], lambda: dict(self._amendments()))
        status = self.store.documents.statuses(
            doc for c in cases for d in c.documents for doc in (d, newer.get(d)) if doc is not None
        )

        def live(doc_id: str | None) -> bool:  # as store.analysis.resolvable_documents says
            return status.get(doc_id or "") == "active" and doc_id not in newer

        return {c.id: [d for d in c.documents if live(d) or live(newer.get(d))] for c in cases}

    def shape_key(self, book: Casebook) -> Hashable:
        return self.generations(), self._shape(book)

    def live(self, book: Casebook) -> dict[str, list[str]]:
        """Case -> its live documents (`_live_documents`), for every case: kept while the book's shape holds."""
        return self.memo("live_documents", self.shape_key(book), lambda: self.live_documents(book.cases.values()))

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

        return self.memo("document_reach", self.shape_key(book), compute)

    def document_cases(self, book: Casebook | None = None) -> dict[str, set[str]]:
        """Document -> the cases holding it (live documents only)."""
        book = book or self.book()

        def compute() -> dict[str, set[str]]:
            found: dict[str, set[str]] = defaultdict(set)
            for cid, docs in self.live(book).items():
                for doc in docs:
                    found[doc].add(cid)
            return dict(found)

        return self.memo("document_cases", self.shape_key(book), compute)

    def unknown_proposals(self) -> list[UnknownProposal]:
        book = self.book()
        return propose_unknown_matches(list(book.subjects.values()), book.unknown_comparisons)

    def category_label(self, code: str) -> str:
        return next((c.label for c in self.categories if c.code == code), code)
