"""Casework: the investigation's working objects, recorded in the ledger and checked by policy.

This module composes steps (like `analysis`): it reads the store, asks resolution who a member
of staff is, asks linking what connects cases and accounts, asks policy whether an assignment
is independent and asks oversight what is overdue. Every change is a ledger event appended
through the log; the state is `model.casework.replay` over those events.

Ids are allocated inside the same write transaction that appends the event, so two processes
never hand out the same case number.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from casetrail.errors import CaseworkError, IndependenceError
from casetrail.intake.register import Register, utc_now
from casetrail.ledger.log import Commit
from casetrail.ledger.record import record
from casetrail.linking.accounts import AccountProposal, group_accounts, propose_same_accounts
from casetrail.linking.corroboration import Corroboration, corroborate
from casetrail.linking.descriptions import UnknownProposal, propose_unknown_matches
from casetrail.linking.links import KIND_ORDER, CaseLinkage, link_cases
from casetrail.model.casework import (
    DEFAULT_CATEGORIES,
    Action,
    Allegation,
    Assignment,
    AllegationStatus,
    AssignmentContext,
    AssignmentRole,
    Candidate,
    Case,
    Casebook,
    CaseKind,
    Category,
    Conflict,
    Description,
    DocumentFacts,
    EntityRef,
    Escalation,
    Intelligence,
    MentionRef,
    Participant,
    Party,
    PartyRole,
    Period,
    Rule,
    StaffMember,
    StaffRole,
    Subject,
    Verdict,
    WAIVABLE_RULES,
    Waiver,
    add_days,
    parse_instant,
)
from casetrail.model.document import Document
from casetrail.model.entity import Entity
from casetrail.model.event import Event, EventType
from casetrail.oversight.deadlines import Overdue, due_escalations, find_overdue
from casetrail.oversight.report import build_report
from casetrail.policy.independence import check, eligible, may_waive, search
from casetrail.resolution.matching import PersonIndex

# Entity kinds through which two cases count as linked for the independence rules. Forces and
# towns are shared by nearly every case in an inquiry; linking through them would make every
# case "linked" and the rule meaningless.
POLICY_LINK_KINDS = frozenset({"subject", "person", "officer", "pseudonym", "vehicle", "phone"})
FORCE_NAME = re.compile(r"(?i)\b(police|constabulary)\b")
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
EVIDENCE_SHOWN = 3  # mentions per shared entity in a case's link summary
SHARED_SHOWN = 10  # shared entities per link in that summary, most specific first
PSEUDONYMS = (
    "Alder", "Birch", "Cedar", "Hazel", "Juniper", "Linden", "Maple", "Rowan", "Sorrel", "Willowherb",
    "Aspen", "Bramble", "Clover", "Fern", "Heather", "Ivy", "Laurel", "Myrtle", "Poppy", "Yarrow",
)  # fmt: skip


@dataclass(frozen=True)
class EntityView:
    """The entities and mentions a resolution run concluded, loaded once per resolution run.

    The indexes are built on first use and kept: a long-lived reader (the workbench) asks for one
    document's or one entity's mentions on every request, and must not scan them all each time.
    """

    entities: dict[str, Entity]
    records: dict[str, str]  # record id -> entity id
    mentions: list[MentionRef]
    _current: dict[EntityRef, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    def build_indexes(self) -> None:
        """Build every index now rather than on first use (a server does, before its first request)."""
        for name in ("by_document", "by_entity", "document_entities", "entity_documents", "kinds", "names",
                     "pseudonymous", "records_of"):  # fmt: skip
            getattr(self, name)

    @cached_property
    def by_document(self) -> dict[str, list[MentionRef]]:
        found: dict[str, list[MentionRef]] = defaultdict(list)
        for ref in self.mentions:
            found[ref.document_id].append(ref)
        return dict(found)

    @cached_property
    def by_entity(self) -> dict[str, list[MentionRef]]:
        found: dict[str, list[MentionRef]] = defaultdict(list)
        for ref in self.mentions:
            found[ref.entity_id].append(ref)
        return dict(found)

    @cached_property
    def document_entities(self) -> dict[str, frozenset[str]]:
        return {doc: frozenset(r.entity_id for r in refs) for doc, refs in self.by_document.items()}

    @cached_property
    def entity_documents(self) -> dict[str, list[str]]:
        """Each entity's documents, once each, in document order."""
        return {eid: list(dict.fromkeys(r.document_id for r in refs)) for eid, refs in self.by_entity.items()}

    @cached_property
    def kinds(self) -> dict[str, str]:
        return {eid: e.type for eid, e in self.entities.items()}

    @cached_property
    def names(self) -> dict[str, str]:
        return {eid: e.name for eid, e in self.entities.items()}

    @cached_property
    def pseudonymous(self) -> frozenset[str]:
        return frozenset(eid for eid, e in self.entities.items() if e.attributes.get("pseudonym"))

    @cached_property
    def records_of(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = defaultdict(list)
        for record, eid in self.records.items():
            found[eid].append(record)
        return {eid: tuple(sorted(records)) for eid, records in found.items()}

    def current(self, ref: EntityRef | None) -> frozenset[str]:
        """The entity ids that hold the records a reference was made with (renumbering-proof).

        Kept per reference: a subject named across a large inquiry holds tens of thousands of
        records, and every request that asks who a subject is now would otherwise walk them."""
        if ref is None:
            return frozenset()
        found = self._current.get(ref)
        if found is None:
            now = {self.records[r] for r in ref.records if r in self.records}
            if not now and ref.entity_id in self.entities:
                now = {ref.entity_id}
            found = self._current[ref] = frozenset(now)
        return found


class Casework:
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

    # -- reading --------------------------------------------------------------------------

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
        return (len(book.cases), sum(len(c.documents) for c in book.cases.values()), len(book.subjects),
                len(book.parties), len(book.account_comparisons), sum(len(c.links) for c in book.cases.values()))  # fmt: skip

    def book(self) -> Casebook:
        """The casebook as of the newest event; events since the last call are folded in, not replayed.

        Callers read it and never change it: it is this object's cache.
        """
        if self._book is None:
            self._book, self._book_leaf = Casebook(), -1
        for leaf, data in self.store.casework_entries(self._book_leaf):
            self._book.apply_event(leaf, Event.from_leaf(data))
            self._book_leaf = leaf
        return self._book

    def documents(self) -> list[tuple[Document, str, int]]:
        """Every document with its status and leaf, in order received; kept until documents change."""
        return self._memo("documents", self.generations()[0], lambda: list(self.store.iter_documents()))

    def document(self, doc_id: str) -> tuple[Document, str, int] | None:
        by_id = self._memo("documents_by_id", self.generations()[0], lambda: {d.id: (d, s, l) for d, s, l in self.documents()})
        return by_id.get(doc_id)

    def entity_view(self) -> EntityView:
        return self._memo("view", self.generations()[2], self._load_view)

    def _load_view(self) -> EntityView:
        entities = {row["id"]: Entity(row["id"], row["type"], row["name"], tuple(row["aliases"]),
                                      attributes=row["attributes"]) for row in self.store.entity_rows()}  # fmt: skip
        return EntityView(entities, self.store.entity_records(), self.store.entity_mention_refs())

    def entity_ref(self, entity_id: str) -> EntityRef:
        view = self.entity_view()
        entity = view.entities.get(entity_id)
        if entity is None:
            raise CaseworkError(f"no entity {entity_id!r}; see `casetrail entities`")
        return EntityRef(entity_id, entity.name, view.records_of.get(entity_id, ()))

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Casebook]:
        """One write transaction: read the book, decide, append; ids cannot race."""
        try:
            with self.store.transaction():
                yield self.book()
        except BaseException:
            self._book = None  # a rolled-back append must not linger in the cache
            self._memos.clear()
            raise

    def _record(self, events: Sequence[Event]) -> Commit:
        return record(self.log, self.store, events)

    @staticmethod
    def _event(kind: EventType, subject: str, actor: str, body: dict[str, Any], at: str | None = None) -> Event:
        if not actor.strip():
            raise CaseworkError("every change needs an actor (--by)")
        return Event(kind, subject, at or utc_now(), actor, body)

    # -- staff ----------------------------------------------------------------------------

    def register_staff(
        self, name: str, by: str, *, force: str | None = None, unit: str | None = None,
        roles: Sequence[StaffRole] = (StaffRole.INVESTIGATOR,), collar_number: str | None = None,
        entity_id: str | None = None,
    ) -> StaffMember:  # fmt: skip
        if not name.strip():
            raise CaseworkError("a member of staff needs a name")
        ref = self.entity_ref(entity_id) if entity_id else None
        with self._writing() as book:
            staff_id = book.next_id("S")
            body = {"name": name.strip(), "force": force, "unit": unit, "roles": [StaffRole(r).value for r in roles],
                    "collar_number": collar_number, "entity": ref.to_json() if ref else None}  # fmt: skip
            self._record([self._event(EventType.STAFF_REGISTERED, staff_id, by, body)])
        return self.book().staff[staff_id]

    def _staff(self, book: Casebook, staff_id: str) -> StaffMember:
        if staff_id not in book.staff:
            raise CaseworkError(f"no member of staff {staff_id!r}; see `casetrail staff list`")
        return book.staff[staff_id]

    # -- cases ----------------------------------------------------------------------------

    def open_case(self, title: str, by: str, kind: CaseKind = CaseKind.COMPLAINT, reference: str | None = None) -> Case:
        if not title.strip():
            raise CaseworkError("a case needs a title")
        with self._writing() as book:
            case_id = book.next_id("C")
            body = {"title": title.strip(), "kind": CaseKind(kind).value, "reference": reference}
            self._record([self._event(EventType.CASE_OPENED, case_id, by, body)])
        return self.book().cases[case_id]

    def _case(self, book: Casebook, case_id: str) -> Case:
        if case_id not in book.cases:
            raise CaseworkError(f"no case {case_id!r}; see `casetrail case list`")
        return book.cases[case_id]

    def add_document(self, case_id: str, document_id: str, by: str, given_by: str | None = None) -> None:
        self.add_documents(case_id, [document_id], by, given_by)

    def add_documents(self, case_id: str, document_ids: Sequence[str], by: str, given_by: str | None = None) -> None:
        """Add documents to a case in one commit: all of them, or (on any error) none."""
        for document_id in document_ids:
            if self.store.get_document(document_id) is None:
                raise CaseworkError(f"no document {document_id!r}; see `casetrail documents`")
        if len(set(document_ids)) != len(document_ids):
            raise CaseworkError("a document is listed twice")
        with self._writing() as book:
            case = self._case(book, case_id)
            for document_id in document_ids:
                if document_id in case.documents:
                    raise CaseworkError(f"{document_id} is already in {case_id}")
            if given_by is not None and given_by not in case.party_ids:
                raise CaseworkError(f"{given_by!r} is not a complainant or witness in {case_id}")
            self._record([self._event(EventType.CASE_DOCUMENT_ADDED, case_id, by,
                                      {"document_id": d, "given_by": given_by}) for d in document_ids])  # fmt: skip

    def add_party(
        self, case_id: str, role: PartyRole, by: str, *, pseudonym: str | None = None,
        entity_id: str | None = None, staff_id: str | None = None,
    ) -> Party:  # fmt: skip
        ref = self.entity_ref(entity_id) if entity_id else None
        with self._writing() as book:
            self._case(book, case_id)
            if staff_id is not None:
                self._staff(book, staff_id)
            party_id = book.next_id("P")
            # Pseudonym by default: a complainant is never recorded under their name here.
            name = (pseudonym or "").strip() or f"{PSEUDONYMS[(len(book.parties)) % len(PSEUDONYMS)]} ({party_id})"
            body = {"party_id": party_id, "role": PartyRole(role).value, "pseudonym": name,
                    "entity": ref.to_json() if ref else None, "staff_id": staff_id}  # fmt: skip
            self._record([self._event(EventType.CASE_PARTY_ADDED, case_id, by, body)])
        return self.book().parties[party_id]

    def link_cases(self, case_id: str, other: str, reason: str, by: str) -> None:
        if not reason.strip():
            raise CaseworkError("a recorded link needs a reason")
        with self._writing() as book:
            self._case(book, case_id)
            self._case(book, other)
            if case_id == other:
                raise CaseworkError("a case cannot be linked to itself")
            self._record([self._event(EventType.CASE_LINKED, case_id, by, {"other": other, "reason": reason})])

    # -- allegations and subjects ---------------------------------------------------------

    def category(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        known = ", ".join(c.code for c in self.categories)
        raise CaseworkError(f"no allegation category {code!r}; choose one of: {known}")

    def add_allegation(
        self, case_id: str, category: str, by: str, *, summary: str = "", period: Period | None = None,
        place: str | None = None,
    ) -> Allegation:  # fmt: skip
        self.category(category)
        with self._writing() as book:
            self._case(book, case_id)
            allegation_id = book.next_id("AL")
            body = {"case": case_id, "category": category, "summary": summary,
                    "period": period.to_json() if period else None, "place": place}  # fmt: skip
            self._record([self._event(EventType.ALLEGATION_RECORDED, allegation_id, by, body)])
        return self.book().allegations[allegation_id]

    def change_status(self, allegation_id: str, status: AllegationStatus, reason: str, by: str) -> Allegation:
        if not reason.strip():
            raise CaseworkError("a status change needs a reason")
        with self._writing() as book:
            allegation = self._allegation(book, allegation_id)
            if allegation.status == status:
                raise CaseworkError(f"{allegation_id} is already {status.value}")
            body = {"status": AllegationStatus(status).value, "reason": reason, "case": allegation.case_id}
            self._record([self._event(EventType.ALLEGATION_STATUS_CHANGED, allegation_id, by, body)])
        return self.book().allegations[allegation_id]

    def _allegation(self, book: Casebook, allegation_id: str) -> Allegation:
        if allegation_id not in book.allegations:
            raise CaseworkError(f"no allegation {allegation_id!r}")
        return book.allegations[allegation_id]

    def add_subject(
        self, allegation_id: str, by: str, *, entity_id: str | None = None, staff_id: str | None = None,
        unknown: Description | None = None, force: str | None = None, unit: str | None = None,
    ) -> Subject:  # fmt: skip
        given = [x for x in (entity_id, staff_id, unknown) if x is not None]
        if len(given) != 1:
            raise CaseworkError("a subject is one of: an entity, a member of staff, or an unknown subject's description")
        if unknown is not None and unknown.is_empty():
            raise CaseworkError("an unknown subject needs at least one described feature")
        ref = self.entity_ref(entity_id) if entity_id else None
        with self._writing() as book:
            allegation = self._allegation(book, allegation_id)
            if staff_id is not None:
                staff = self._staff(book, staff_id)
                force, unit = force or staff.force, unit or staff.unit
            if ref is not None and not force:
                forces = self.entity_view().entities[ref.entity_id].attributes.get("force") or []
                # resolution also gathers units ("CID", "Vice Squad") here: prefer a force's name
                force = next((f for f in forces if FORCE_NAME.search(f)), None) or (forces[0] if forces else None)
            if unknown is not None:
                force, unit = force or unknown.force, unit or unknown.unit
            subject_id = book.next_id("SU")
            body = {"subject_id": subject_id, "case": allegation.case_id, "entity": ref.to_json() if ref else None,
                    "staff_id": staff_id, "unknown": unknown.to_json() if unknown else None,
                    "force": force, "unit": unit}  # fmt: skip
            self._record([self._event(EventType.SUBJECT_ADDED, allegation_id, by, body)])
        return self.book().subjects[subject_id]

    def compare(self, kind: str, left: str, right: str, same: bool, reason: str, by: str) -> None:
        """Record a human's verdict on a proposed match of unknown subjects or of accounts."""
        if not reason.strip():
            raise CaseworkError("a verdict needs a reason")
        with self._writing() as book:
            if kind == "unknown":
                for ref in (left, right):
                    if ref not in book.subjects or book.subjects[ref].unknown is None:
                        raise CaseworkError(f"{ref!r} is not an unknown subject")
                event_type = EventType.UNKNOWN_SUBJECTS_COMPARED
            else:
                for ref in (left, right):
                    if self.store.get_document(ref) is None:
                        raise CaseworkError(f"no document {ref!r}")
                event_type = EventType.ACCOUNTS_COMPARED
            body = {"left": left, "right": right, "same": same, "reason": reason}
            self._record([self._event(event_type, left, by, body)])

    # -- independence ---------------------------------------------------------------------

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
                *(Participant(cid, "subject", f"{s.label} ({s.id}, {s.allegation_id})", s.staff_id,
                              view.current(s.entity), s.force, s.unit) for s in book.case_subjects(cid)),
                *(Participant(cid, p.role.value, f"{p.pseudonym} ({p.id})", p.staff_id, view.current(p.entity))
                  for p in book.case_parties(cid)),
            )  # fmt: skip
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
        for doc in self._live_documents(book.cases[case_id]):
            for ref in view.by_document.get(doc, ()):
                named[ref.entity_id].append(ref)
        waivers = tuple(w for w in book.waivers.values() if w.case_id == case_id)
        return AssignmentContext(case_id, tuple(participants), frozenset(linked),
                                 {k: tuple(v) for k, v in named.items()}, waivers)  # fmt: skip

    def check_assignment(self, case_id: str, staff_id: str, role: AssignmentRole) -> Verdict:
        """The verdict alone, recorded nowhere (for previews; `assign` records its check)."""
        book = self.book()
        return check(self.candidate(self._staff(book, staff_id)), self.context(book, case_id))

    def assign(self, case_id: str, staff_id: str, role: AssignmentRole, by: str) -> Verdict:
        """Check and, if independent, assign. The check, and the refusal or assignment, are events."""
        with self._writing() as book:
            staff = self._staff(book, staff_id)
            context = self.context(book, case_id)
            verdict = check(self.candidate(staff), context)
            if any(a.staff_id == staff_id and a.role == role for a in book.current_assignments(case_id)):
                raise CaseworkError(f"{staff_id} is already {role.value} on {case_id}")
            base = {"staff_id": staff_id, "role": AssignmentRole(role).value}
            events = [self._event(EventType.ASSIGNMENT_CHECKED, case_id, by, {**base, "verdict": verdict.to_json()})]
            if verdict.allowed:
                waivers = sorted({w for _, w in verdict.waived})
                body = {**base, "waivers": waivers, "override": bool(waivers)}
                events.append(self._event(EventType.ASSIGNMENT_MADE, case_id, by, body))
            else:
                body = {**base, "conflicts": [c.to_json() for c in verdict.conflicts]}
                events.append(self._event(EventType.ASSIGNMENT_REFUSED, case_id, by, body))
            self._record(events)
        return verdict

    def end_assignment(self, case_id: str, staff_id: str, role: AssignmentRole, reason: str, by: str) -> None:
        with self._writing() as book:
            if not any(a.staff_id == staff_id and a.role == role for a in book.current_assignments(case_id)):
                raise CaseworkError(f"{staff_id} is not {role.value} on {case_id}")
            body = {"staff_id": staff_id, "role": AssignmentRole(role).value, "reason": reason}
            self._record([self._event(EventType.ASSIGNMENT_ENDED, case_id, by, body)])

    def assignable(self, case_id: str, query: str | None = None) -> list[Candidate]:
        """The assignee picker: only people the same check would accept, whatever the query."""
        book = self.book()
        context = self.context(book, case_id)

        def candidates() -> list[Candidate]:
            return [self.candidate(s) for s in book.staff.values() if StaffRole.INVESTIGATOR in s.roles
                    or StaffRole.SUPERVISOR in s.roles]  # fmt: skip

        if query:
            return search(candidates(), context, query)
        return self._kept("picker", self._leaf(), case_id, lambda: eligible(candidates(), context))

    def record_waiver(self, case_id: str, staff_id: str, rule: Rule, reason: str, overseer_id: str) -> Waiver:
        if not reason.strip():
            raise IndependenceError("a waiver needs a reason")
        with self._writing() as book:
            self._staff(book, staff_id)
            overseer = self._staff(book, overseer_id)
            context = self.context(book, case_id)
            if rule not in WAIVABLE_RULES:
                raise IndependenceError(f"{rule.value} cannot be waived: it is a conflict of interest, not of affiliation")
            objections = may_waive(self.candidate(overseer), context)
            if objections:
                raise IndependenceError(f"{overseer_id} may not record waivers on {case_id}: " + "; ".join(objections))
            waiver_id = book.next_id("W")
            body = {"waiver_id": waiver_id, "staff_id": staff_id, "rule": rule.value, "reason": reason}
            self._record([self._event(EventType.WAIVER_RECORDED, case_id, overseer_id, body)])
        return self.book().waivers[waiver_id]

    # -- actions, intelligence, escalation ------------------------------------------------

    def record_intelligence(
        self, summary: str, by: str, *, document_id: str | None = None, case_id: str | None = None,
        received_at: str | None = None, action_days: int | None = None,
    ) -> Intelligence:  # fmt: skip
        if not summary.strip() and document_id is None:
            raise CaseworkError("intelligence needs a summary or a document")
        if document_id is not None and self.store.get_document(document_id) is None:
            raise CaseworkError(f"no document {document_id!r}")
        received = received_at or utc_now()
        _instant(received, "received")
        days = int(self.settings["intelligence_action_days"] if action_days is None else action_days)
        with self._writing() as book:
            if case_id is not None:
                self._case(book, case_id)
            intel_id = book.next_id("I")
            body = {"case": case_id, "summary": summary, "document_id": document_id, "received_at": received,
                    "action_due": add_days(received, days)}  # fmt: skip
            self._record([self._event(EventType.INTELLIGENCE_RECORDED, intel_id, by, body)])
        return self.book().intelligence[intel_id]

    def raise_action(
        self, description: str, owner: str, due: str, by: str, *, case_id: str | None = None,
        intelligence_id: str | None = None,
    ) -> Action:  # fmt: skip
        if not description.strip():
            raise CaseworkError("an action needs a description")
        _instant(due, "due")
        with self._writing() as book:
            self._staff(book, owner)
            if case_id is not None:
                self._case(book, case_id)
            if intelligence_id is not None:
                if intelligence_id not in book.intelligence:
                    raise CaseworkError(f"no intelligence item {intelligence_id!r}")
                case_id = case_id or book.intelligence[intelligence_id].case_id
            action_id = book.next_id("A")
            body = {"case": case_id, "description": description, "owner": owner, "due": due,
                    "intelligence": intelligence_id}  # fmt: skip
            self._record([self._event(EventType.ACTION_RAISED, action_id, by, body)])
        return self.book().actions[action_id]

    def complete_action(self, action_id: str, result: str, by: str) -> Action:
        if not result.strip():
            raise CaseworkError("an action is completed with its result")
        with self._writing() as book:
            action = book.actions.get(action_id)
            if action is None:
                raise CaseworkError(f"no action {action_id!r}")
            if not action.is_open:
                raise CaseworkError(f"{action_id} was completed at {action.completed_at}")
            self._record([self._event(EventType.ACTION_COMPLETED, action_id, by, {"result": result, "case": action.case_id})])
        return self.book().actions[action_id]

    def overdue(self, now: datetime | None = None) -> list[Overdue]:
        return find_overdue(self.book(), now or datetime.now(timezone.utc))

    def escalate(self, by: str, now: datetime | None = None) -> list[Escalation]:
        """Escalate to the oversight role everything newly overdue; each is a ledger event."""
        moment = now or datetime.now(timezone.utc)
        with self._writing() as book:
            due = due_escalations(book, moment)
            events = [
                self._event(EventType.ESCALATION_RECORDED, item.item_id, by,
                            {"reason": item.reason, "due": item.due, "case": item.case_id, "to": StaffRole.OVERSEER.value,
                             "owner": item.owner, "days_overdue": item.days_overdue, "description": item.description})
                for item in due
            ]  # fmt: skip
            for assignment, verdict in self.conflicted_assignments(book):
                item = f"{assignment.case_id}/{assignment.staff_id}/{assignment.role.value}"
                if not book.escalated(item, ASSIGNMENT_CONFLICT):
                    body = {"reason": ASSIGNMENT_CONFLICT, "due": moment.date().isoformat(), "case": assignment.case_id,
                            "to": StaffRole.OVERSEER.value, "staff_id": assignment.staff_id,
                            "conflicts": [c.to_json() for c in verdict.conflicts]}  # fmt: skip
                    events.append(self._event(EventType.ESCALATION_RECORDED, item, by, body))
            if events:
                self._record(events)
        new = {(event.subject, event.body["reason"]) for event in events}
        return [e for e in self.book().escalations if (e.item_id, e.reason) in new]

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
        self, now: datetime | None = None, case_id: str | None = None,
        visible: Callable[[str | None], bool] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """The oversight report; `visible` keeps only the items whose case it accepts (totals too)."""
        book = self.book()
        report = build_report(book, now or datetime.now(timezone.utc), case_id, visible)
        report["assignment_conflicts"] = [
            {"item": e.item_id, "case": e.case_id, "escalated_at": e.at, "leaf": e.leaf, "to": e.to}
            for e in book.escalations
            if e.reason == ASSIGNMENT_CONFLICT and (case_id is None or e.case_id == case_id)
            and (visible is None or visible(e.case_id))
        ]
        return report

    # -- links, accounts, corroboration ---------------------------------------------------

    def _live_documents(self, case: Case) -> list[str]:
        """The case's documents that count: active ones, and amended ones through their newest version."""
        live, newer = self._memo("live", self.generations()[0], self._load_live)
        return [d for d in case.documents if d in live or newer.get(d) in live]

    def _load_live(self) -> tuple[set[str], dict[str, str]]:
        live = set(self.store.resolvable_documents())
        newer = {doc.amends: doc.id for doc, _, _ in self.documents() if doc.amends}
        return live, newer

    def _key(self, book: Casebook) -> Hashable:
        return self.generations(), self._shape(book)

    def document_cases(self, book: Casebook | None = None) -> dict[str, set[str]]:
        """Document -> the cases holding it (live documents only)."""
        book = book or self.book()

        def compute() -> dict[str, set[str]]:
            found: dict[str, set[str]] = defaultdict(set)
            for cid, case in book.cases.items():
                for doc in self._live_documents(case):
                    found[doc].add(cid)
            return dict(found)

        return self._memo("document_cases", self._key(book), compute)

    def _entity_cases(self, book: Casebook) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """Entity -> cases naming it (policy kinds only), and case -> those entities."""

        def compute() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
            view = self.entity_view()
            by_entity: dict[str, set[str]] = defaultdict(set)
            for doc, cases in self.document_cases(book).items():
                for eid in view.document_entities.get(doc, ()):
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
        case_documents = {cid: set(self._live_documents(c)) for cid, c in book.cases.items()}
        subjects = self._case_subject_entities(book)
        recorded = [(cid, link.other, link.reason) for cid, c in book.cases.items() for link in c.links if cid < link.other]
        pseudonymous, kinds, names = view.pseudonymous, view.kinds, view.names
        if case_id is None:
            return link_cases(case_documents, view.mentions, kinds, names, subjects, recorded, pseudonymous)
        named = self._case_entity_refs(book)
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
            refs = [ref for c in pair for e in shared for ref in named.get(c, {}).get(e, ())]
            pair_recorded = [r for r in recorded if {r[0], r[1]} == {case_id, other}]
            for linkage in link_cases(pair, refs, kinds, names, {c: subjects[c] for c in pair}, pair_recorded,
                                      pseudonymous):  # fmt: skip
                held = tuple(replace(s, cases_sharing=sharing.get(s.entity_id) or s.cases_sharing) for s in linkage.shared)
                result.append(replace(linkage, shared=held))
        return result

    def _case_entity_refs(self, book: Casebook) -> dict[str, dict[str, list[MentionRef]]]:
        """Case -> entity -> its mentions in the case's live documents."""

        def compute() -> dict[str, dict[str, list[MentionRef]]]:
            view = self.entity_view()
            found: dict[str, dict[str, list[MentionRef]]] = {}
            for cid, case in book.cases.items():
                refs: dict[str, list[MentionRef]] = defaultdict(list)
                for doc in self._live_documents(case):
                    for ref in view.by_document.get(doc, ()):
                        refs[ref.entity_id].append(ref)
                found[cid] = {e: sorted(held, key=_evidence_order) for e, held in refs.items()}
            return found

        return self._memo("case_entity_refs", self._key(book), compute)

    def _count_sharing(self, book: Casebook) -> dict[str, int]:
        """Entity -> how many cases name it in their documents or hold it as a subject."""

        def compute() -> dict[str, int]:
            cases: dict[str, set[str]] = defaultdict(set)
            for cid, held in self._case_entity_refs(book).items():
                for eid in held:
                    cases[eid].add(cid)
            for cid, held in self._case_subject_entities(book).items():
                for eid in held:
                    cases[eid].add(cid)
            return {eid: len(c) for eid, c in cases.items()}

        return self._memo("sharing", self._key(book), compute)

    def _case_subject_entities(self, book: Casebook) -> dict[str, set[str]]:
        view = self.entity_view()
        return self._memo("case_subjects", self._key(book), lambda: {
            cid: set().union(*[view.current(s.entity) for s in book.case_subjects(cid)] or [set()])
            for cid in book.cases})  # fmt: skip

    def link_summaries(
        self, case_id: str, max_cases_sharing: int | None = None, book: Casebook | None = None,
        visible: Callable[[str], bool] | None = None, limit: int | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:  # fmt: skip
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
        named = self._case_entity_refs(book)
        subjects = self._case_subject_entities(book)
        sharing = self._count_sharing(book)
        mine_refs = named.get(case_id, {})
        mine = mine_refs.keys() | subjects[case_id]
        linking = {e for e in mine if max_cases_sharing is None or sharing.get(e, 0) <= max_cases_sharing}
        reasons: dict[str, list[str]] = defaultdict(list)
        for cid, case in book.cases.items():
            for link in case.links:
                other = link.other if cid == case_id else cid if link.other == case_id else None
                if other is not None and other != case_id and link.reason not in reasons[other]:
                    reasons[other].append(link.reason)
        others = {c for c, held in named.items() if c != case_id and not linking.isdisjoint(held.keys())}
        others |= {c for c, held in subjects.items() if c != case_id and held & linking} | reasons.keys()
        if visible is not None:
            others = {c for c in others if visible(c)}
        scored = []
        for other in others:
            pair = (min(case_id, other), max(case_id, other))
            ranked = []
            for e in (mine & named.get(other, {}).keys()) | (mine & subjects[other]):
                subject_in = tuple(c for c in pair if e in subjects[c])
                kind = "subject" if subject_in else "pseudonym" if e in view.pseudonymous else view.kinds.get(e, "other")
                ranked.append((KIND_ORDER.get(kind, len(KIND_ORDER)), sharing.get(e, 0), view.names.get(e, e), e, kind,
                               subject_in))  # fmt: skip
            ranked.sort()
            strength = (-1, 0) if reasons.get(other) else ranked[0][:2]
            scored.append((strength, pair, other, ranked))
        scored.sort(key=lambda s: (s[0], s[1]))
        result = []
        for _, pair, other, ranked in scored[:limit]:
            theirs = named.get(other, {})
            shared = []
            for _, count, name, e, kind, subject_in in ranked[:SHARED_SHOWN]:
                mine_e, theirs_e = mine_refs.get(e, ()), theirs.get(e, ())
                evidence = sorted([*mine_e[:EVIDENCE_SHOWN], *theirs_e[:EVIDENCE_SHOWN]], key=_evidence_order)
                shared.append({"entity_id": e, "kind": kind, "name": name, "subject_in": list(subject_in),
                               "cases_sharing": count, "evidence": [m.to_json() for m in evidence[:EVIDENCE_SHOWN]],
                               "evidence_count": len(mine_e) + len(theirs_e)})  # fmt: skip
            result.append({"left": pair[0], "right": pair[1], "other": other, "shared": shared,
                           "shared_count": len(ranked), "recorded": reasons.get(other, [])})  # fmt: skip
        return len(scored), result

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
        mine = self._case_entity_refs(book).get(case_id, {}).keys() | subjects
        found = [{"entity_id": e, "name": view.names.get(e, e), "cases_sharing": sharing[e],
                  "kind": "subject" if e in subjects else "pseudonym" if e in view.pseudonymous else view.kinds.get(e, "other")}
                 for e in mine if sharing.get(e, 0) > max_cases_sharing]  # fmt: skip
        return sorted(found, key=lambda s: (KIND_ORDER.get(s["kind"], len(KIND_ORDER)), -s["cases_sharing"], s["name"]))

    def _facts(self, book: Casebook) -> list[DocumentFacts]:
        given: dict[str, str] = {}
        for case in book.cases.values():
            for doc_id, party in case.documents.items():
                if party:
                    given[doc_id] = party
        active = [doc for doc, status, _ in self.documents() if status == "active"]
        return [DocumentFacts(doc.id, doc.kind.value, doc.provenance.source_name, doc.parent_id, doc.amends,
                              given.get(doc.id)) for doc in active]  # fmt: skip

    def accounts(self, book: Casebook | None = None) -> tuple[dict[str, str], list[AccountProposal]]:
        """Documents grouped into independent accounts, and proposed same-account pairs."""
        book = book or self.book()
        # Not keyed on documents: a new upload names nobody until it is extracted, which moves
        # the mentions generation; amending, withdrawing or sealing moves all three.
        key = self.generations()[1:], self._shape(book)
        return self._memo("accounts", key, lambda: self._accounts(book))

    def _accounts(self, book: Casebook) -> tuple[dict[str, str], list[AccountProposal]]:
        facts = self._facts(book)
        view = self.entity_view()
        accounts = group_accounts(facts, book.account_comparisons)
        names = view.names
        live = {f.id for f in facts}
        details = self._memo("details", self.generations()[:2],
                             lambda: self.store.detail_mention_refs(ACCOUNT_DETAIL_TYPES))  # fmt: skip
        mentions = [m for m in [*view.mentions, *details] if m.document_id in live]
        proposals = propose_same_accounts(facts, mentions, book.account_comparisons, names,
                                          min_score=float(self.settings["account_proposal_min_score"]))  # fmt: skip
        return accounts, proposals

    def corroboration(self, entity_id: str, book: Casebook | None = None) -> Corroboration:
        """How many independent accounts name this entity; kept until accounts or the book change."""
        book = book or self.book()
        view = self.entity_view()
        if entity_id not in view.entities:
            raise CaseworkError(f"no entity {entity_id!r}; see `casetrail entities`")
        accounts, proposals = self.accounts(book)
        key = self.generations()[1:], self._shape(book)  # as accounts'

        def compute() -> Corroboration:
            by_document = self._memo("proposals_by_document", key, lambda: _by_document(proposals))
            mentions = [m for m in view.by_entity.get(entity_id, ()) if m.document_id in accounts]
            # only the proposals that touch this entity's documents, not the whole inquiry's
            ranked = dict(pair for m in mentions for pair in by_document.get(m.document_id, ()))
            touching = [ranked[r] for r in sorted(ranked)]
            return corroborate(entity_id, view.entities[entity_id].name, mentions, accounts, touching)

        return self._kept("corroboration", key, entity_id, compute)

    def subject_corroboration(self, book: Casebook | None = None, case_id: str | None = None) -> dict[str, Corroboration]:
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

    def raise_alerts(self, by: str, threshold: int | None = None) -> list[dict[str, Any]]:
        """Repeat-subject alerts: a subject named in at least K independent accounts. Each is an event."""
        k = int(threshold or self.settings["repeat_subject_threshold"])
        if k < 1:
            raise CaseworkError("the repeat-subject threshold must be at least 1")
        view = self.entity_view()
        with self._writing() as book:
            alerted = {r for a in book.alerts if a.kind == "repeat_subject" for r in a.detail.get("records", [])}
            events = []
            for eid, found in sorted(self.subject_corroboration(book).items()):
                records = list(view.records_of.get(eid, ()))
                if found.independent < k or alerted & set(records):
                    continue
                cases = sorted({s.case_id for s in book.subjects.values() if eid in view.current(s.entity)})
                body = {"kind": "repeat_subject", "threshold": k, "name": found.name, "independent": found.independent,
                        "documents": list(found.documents), "cases": cases, "records": records}  # fmt: skip
                events.append(self._event(EventType.ALERT_RAISED, eid, by, body))
            if events:
                self._record(events)
        return [event.body | {"entity_id": event.subject} for event in events]

    def unknown_proposals(self) -> list[UnknownProposal]:
        book = self.book()
        return propose_unknown_matches(list(book.subjects.values()), book.unknown_comparisons)

    # -- views ----------------------------------------------------------------------------

    def case_view(self, case_id: str, full: bool = True) -> dict[str, Any]:
        """A case as `case show --format json` and the case file give it.

        `full=False` is the workbench's summary: corroboration as counts, and no links (it asks
        `link_summaries` for those it may show). A subject named in most of a large inquiry would
        otherwise put every document id in every page of every case naming them.
        """
        book = self.book()
        case = self._case(book, case_id)
        view = self.entity_view()
        corroboration = self.subject_corroboration(book, case_id)
        documents = []
        for doc_id, given_by in case.documents.items():
            found = self.document(doc_id)
            assert found is not None
            doc, status, leaf = found
            documents.append({"id": doc_id, "source_name": doc.provenance.source_name, "kind": doc.kind.value,
                              "status": status, "leaf_index": leaf, "given_by": given_by,
                              "received_at": doc.provenance.received_at})  # fmt: skip
        allegations = []
        for aid in case.allegation_ids:
            a = book.allegations[aid]
            subjects = []
            for sid in a.subject_ids:
                s = book.subjects[sid]
                current = sorted(view.current(s.entity))
                subjects.append({
                    "id": s.id, "label": s.label, "entity": s.entity.to_json() if s.entity else None,
                    "current_entities": current, "staff_id": s.staff_id,
                    "unknown": s.unknown.to_json() if s.unknown else None, "force": s.force, "unit": s.unit,
                    "corroboration": [_corroboration_json(corroboration[e], full) for e in current if e in corroboration],
                })  # fmt: skip
            allegations.append({
                "id": a.id, "category": a.category, "category_label": self.category_label(a.category),
                "summary": a.summary, "period": a.period.to_json() if a.period else None, "place": a.place,
                "status": a.status.value,
                "status_history": [{"status": s.status.value, "reason": s.reason, "at": s.at, "by": s.actor,
                                    "leaf": s.leaf} for s in a.statuses],
                "subjects": subjects,
            })  # fmt: skip
        links = [l.to_json() for l in self.links(book, case_id)] if full else []
        context = self.context(book, case_id)
        conflicts_now = {
            (a.staff_id, a.role): check(self.candidate(book.staff[a.staff_id]), context)
            for a in book.current_assignments(case_id)
        }
        return {
            "id": case.id, "title": case.title, "kind": case.kind.value, "reference": case.reference,
            "opened_at": case.opened_at, "opened_by": case.opened_by, "documents": documents,
            "parties": [{"id": p.id, "role": p.role.value, "pseudonym": p.pseudonym,
                         "entity": p.entity.to_json() if p.entity else None} for p in book.case_parties(case_id)],
            "allegations": allegations,
            "assignments": [{"staff_id": a.staff_id, "name": book.staff[a.staff_id].name, "role": a.role.value,
                             "at": a.at, "by": a.by, "waivers": list(a.waivers), "ended_at": a.ended_at, "leaf": a.leaf,
                             "conflicts_now": [c.to_json() for c in conflicts_now[(a.staff_id, a.role)].conflicts]
                             if (a.staff_id, a.role) in conflicts_now and a.ended_at is None else []}
                            for a in book.assignments if a.case_id == case_id],
            "refusals": [{"staff_id": r.staff_id, "name": book.staff[r.staff_id].name, "role": r.role.value,
                          "at": r.at, "by": r.by, "leaf": r.leaf, "conflicts": [c.to_json() for c in r.conflicts]}
                         for r in book.refusals if r.case_id == case_id],
            "waivers": [{"id": w.id, "staff_id": w.staff_id, "rule": w.rule.value, "reason": w.reason, "by": w.by,
                         "at": w.at, "leaf": w.leaf} for w in book.waivers.values() if w.case_id == case_id],
            "actions": [_action_json(a) for a in book.actions.values() if a.case_id == case_id],
            "intelligence": [{"id": i.id, "summary": i.summary, "document_id": i.document_id,
                              "received_at": i.received_at, "action_due": i.action_due,
                              "actions": [a.id for a in book.actions_for(i.id)]}
                             for i in book.intelligence.values() if i.case_id == case_id],
            "escalations": [{"item": e.item_id, "reason": e.reason, "due": e.due, "at": e.at, "to": e.to,
                             "leaf": e.leaf} for e in book.escalations if e.case_id == case_id],
            "links": links,
            "history": [entry.to_json() for entry in case.history],
        }  # fmt: skip

    def category_label(self, code: str) -> str:
        return next((c.label for c in self.categories if c.code == code), code)


def _corroboration_json(found: Corroboration, full: bool) -> dict[str, Any]:
    if full:
        return found.to_json()
    return {"entity_id": found.entity_id, "name": found.name, "documents": len(found.documents),
            "independent": found.independent, "at_least": found.at_least}  # fmt: skip


def _by_document(proposals: Sequence[AccountProposal]) -> dict[str, list[tuple[int, AccountProposal]]]:
    """Document -> the proposals naming it, each with its place in the ranked list."""
    found: dict[str, list[tuple[int, AccountProposal]]] = defaultdict(list)
    for rank, p in enumerate(proposals):
        found[p.left].append((rank, p))
        found[p.right].append((rank, p))
    return dict(found)


def _evidence_order(ref: MentionRef) -> tuple[str, int, int]:
    return ref.document_id, ref.start, ref.end


def _action_json(a: Action) -> dict[str, Any]:
    return {"id": a.id, "description": a.description, "owner": a.owner, "due": a.due, "raised_at": a.raised_at,
            "raised_by": a.raised_by, "intelligence": a.intelligence_id, "result": a.result,
            "completed_at": a.completed_at, "completed_by": a.completed_by, "leaf": a.leaf}  # fmt: skip


def _instant(text: str, what: str) -> None:
    try:
        parse_instant(text)
    except ValueError:
        raise CaseworkError(f"{what} must be an ISO date or date-time, e.g. 2026-03-01; got {text!r}") from None

