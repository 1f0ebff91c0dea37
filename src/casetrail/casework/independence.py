"""Independence as casework reads it: who a member of staff is among the entities, what the rules
need to know about a case (its participants, linked cases, who its documents name), and the
verdicts the policy gives (`casetrail.policy.independence`)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from casetrail.intake.register import utc_now
from casetrail.model.casework import (
    Assignment,
    AssignmentContext,
    AssignmentRole,
    Candidate,
    Casebook,
    Conflict,
    MentionRef,
    Participant,
    StaffMember,
    StaffRole,
    Verdict,
)
from casetrail.policy.independence import check, eligible, search
from casetrail.resolution.matching import PERSON_KEYS, PersonIndex, Wanted, matching

if TYPE_CHECKING:
    from casetrail.casework.reads import CaseReads


class Independence:
    """One job of the casework reads: the inputs and verdicts of the independence rules."""

    def __init__(self, reads: CaseReads) -> None:
        self.reads = reads

    def candidate(self, staff: StaffMember) -> Candidate:
        """A member of staff with the entities that are them: kept per resolution run."""
        candidates: dict[str, Candidate] = self.reads.memo("candidates", self.reads.generations()[2], dict)
        found = candidates.get(staff.id)
        if found is None or found.staff != staff:
            view = self.reads.entity_view()
            ids = set(view.current(staff.entity))
            ids |= self._people(staff.name, staff.collar_number)
            found = candidates[staff.id] = Candidate(staff, frozenset(ids))
        return found

    def _people(self, name: str, collar_number: str | None) -> set[str]:
        """The entities this member of staff may be: those the store's person index files under
        their keys (surname and initial, collar number), judged as they are now (no worker holds
        every entity)."""
        analysis = self.reads.store.analysis
        wanted = Wanted.of(name, collar_number)
        whole = analysis.people_indexed(PERSON_KEYS)
        if not whole or analysis.stale_people():
            if self.reads.store.readonly:  # a read-only copy the index is not current in: match in memory
                return self._unindexed().match(name, collar_number)
            if whole:
                analysis.refile_stale_people(PERSON_KEYS)  # those a seal took keys from
            else:
                analysis.reindex_people(PERSON_KEYS, utc_now())  # once, after an upgrade or new rules
        return matching(wanted, analysis.entities_in(analysis.people_keyed(wanted.keys)).values())

    def _unindexed(self) -> PersonIndex:
        def load() -> PersonIndex:
            return PersonIndex(self.reads.entity_view().all_entities().values())

        return self.reads.memo("people", self.reads.generations()[2], load)

    def context(self, book: Casebook, case_id: str) -> AssignmentContext:
        """What the independence rules need for one case, gathered once per casebook leaf."""
        if not self.reads.is_current(book):
            return self._context(book, case_id)
        return self.reads.memo_item("contexts", self.reads.leaf_key(), case_id, lambda: self._context(book, case_id))

    def participants(self, book: Casebook | None = None) -> dict[str, tuple[Participant, ...]]:
        """Each case's subjects and parties with the entities that are them now: the one builder of
        the policy's inputs, used by need-to-know (`policy.access.reach`) and by independence alike."""
        book = book or self.reads.book()
        if not self.reads.is_current(book):
            return self._participants(book)
        return self.reads.memo("participants", self.reads.leaf_key(), lambda: self._participants(book))

    def _participants(self, book: Casebook) -> dict[str, tuple[Participant, ...]]:
        view = self.reads.entity_view()
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
        self.reads._case(book, case_id)
        view = self.reads.entity_view()
        linked = self.reads.links.linked_cases(book, case_id)
        every = self.participants(book)
        participants = [p for cid in [case_id, *sorted(linked)] for p in every.get(cid, ())]
        named: dict[str, list[MentionRef]] = defaultdict(list)
        for refs in view.by_document.many(self.reads.live_documents([book.cases[case_id]])[case_id]).values():
            for ref in refs:
                named[ref.entity_id].append(ref)
        waivers = tuple(w for w in book.waivers.values() if w.case_id == case_id)
        return AssignmentContext(
            case_id, tuple(participants), frozenset(linked), {k: tuple(v) for k, v in named.items()}, waivers
        )

    def check(self, case_id: str, staff_id: str, role: AssignmentRole) -> Verdict:
        """The verdict alone, recorded nowhere (for previews; `assign` records its check)."""
        book = self.reads.book()
        return check(self.candidate(self.reads._staff(book, staff_id)), self.context(book, case_id))

    def assignable(self, case_id: str, query: str | None = None) -> list[Candidate]:
        """The assignee picker: only people the same check would accept, whatever the query."""
        book = self.reads.book()
        context = self.context(book, case_id)

        def candidates() -> list[Candidate]:
            return [
                self.candidate(s)
                for s in book.staff.values()
                if StaffRole.INVESTIGATOR in s.roles or StaffRole.SUPERVISOR in s.roles
            ]

        if query:
            return search(candidates(), context, query)
        return self.reads.memo_item("picker", self.reads.leaf_key(), case_id, lambda: eligible(candidates(), context))

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
