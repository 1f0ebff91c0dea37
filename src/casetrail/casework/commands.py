"""Casework's commands: each turns a request into ledger events, checked against the casebook.

Ids are allocated inside the same write transaction that appends the event, so two processes
never hand out the same case number. Reading is `CaseReads`; this class adds only the writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from casetrail.casework.reads import ASSIGNMENT_CONFLICT, CaseReads
from casetrail.errors import CaseworkError, IndependenceError
from casetrail.intake.register import utc_now
from casetrail.ledger.log import Commit
from casetrail.ledger.record import record
from casetrail.model.casework import (
    WAIVABLE_RULES,
    Action,
    Allegation,
    AllegationStatus,
    AssignmentRole,
    Case,
    Casebook,
    CaseKind,
    Description,
    Escalation,
    Intelligence,
    Party,
    PartyRole,
    Period,
    Rule,
    StaffMember,
    StaffRole,
    Subject,
    Verdict,
    Waiver,
    add_days,
    parse_instant,
)
from casetrail.model.event import Event, EventType
from casetrail.oversight.deadlines import due_escalations
from casetrail.policy.independence import check, may_waive

FORCE_NAME = re.compile(r"(?i)\b(police|constabulary)\b")
PSEUDONYMS = (
    "Alder",
    "Birch",
    "Cedar",
    "Hazel",
    "Juniper",
    "Linden",
    "Maple",
    "Rowan",
    "Sorrel",
    "Willowherb",
    "Aspen",
    "Bramble",
    "Clover",
    "Fern",
    "Heather",
    "Ivy",
    "Laurel",
    "Myrtle",
    "Poppy",
    "Yarrow",
)


class Casework(CaseReads):
    """The investigation's working objects: every change a ledger event, checked by policy."""

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
        return record(self.log, self.store.casework, events)

    @staticmethod
    def _event(kind: EventType, subject: str, actor: str, body: dict[str, Any], at: str | None = None) -> Event:
        if not actor.strip():
            raise CaseworkError("every change needs an actor (--by)")
        return Event(kind, subject, at or utc_now(), actor, body)

    def register_staff(
        self,
        name: str,
        by: str,
        *,
        force: str | None = None,
        unit: str | None = None,
        roles: Sequence[StaffRole] = (StaffRole.INVESTIGATOR,),
        collar_number: str | None = None,
        entity_id: str | None = None,
    ) -> StaffMember:
        if not name.strip():
            raise CaseworkError("a member of staff needs a name")
        ref = self.entity_ref(entity_id) if entity_id else None
        with self._writing() as book:
            staff_id = book.next_id("S")
            body = {
                "name": name.strip(),
                "force": force,
                "unit": unit,
                "roles": [StaffRole(r).value for r in roles],
                "collar_number": collar_number,
                "entity": ref.to_json() if ref else None,
            }
            self._record([self._event(EventType.STAFF_REGISTERED, staff_id, by, body)])
        return self.book().staff[staff_id]

    def open_case(self, title: str, by: str, kind: CaseKind = CaseKind.COMPLAINT, reference: str | None = None) -> Case:
        if not title.strip():
            raise CaseworkError("a case needs a title")
        with self._writing() as book:
            case_id = book.next_id("C")
            body = {"title": title.strip(), "kind": CaseKind(kind).value, "reference": reference}
            self._record([self._event(EventType.CASE_OPENED, case_id, by, body)])
        return self.book().cases[case_id]

    def open_case_with(
        self,
        title: str,
        by: str,
        document_ids: Sequence[str],
        kind: CaseKind = CaseKind.COMPLAINT,
        reference: str | None = None,
    ) -> Case:
        """Open a case with its first documents in one commit: the case and all of them, or (on any error) nothing."""
        if not document_ids:
            raise CaseworkError("a case opened from documents needs at least one of them")
        with self._writing():  # the two writes below join this one transaction
            case = self.open_case(title, by, kind, reference)
            self.add_documents(case.id, document_ids, by)
        return self.book().cases[case.id]

    def add_document(self, case_id: str, document_id: str, by: str, given_by: str | None = None) -> None:
        self.add_documents(case_id, [document_id], by, given_by)

    def add_documents(self, case_id: str, document_ids: Sequence[str], by: str, given_by: str | None = None) -> None:
        """Add documents to a case in one commit: all of them, or (on any error) none."""
        for document_id in document_ids:
            if self.store.documents.get_document(document_id) is None:
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
            self._record(
                [
                    self._event(EventType.CASE_DOCUMENT_ADDED, case_id, by, {"document_id": d, "given_by": given_by})
                    for d in document_ids
                ]
            )

    def add_party(
        self,
        case_id: str,
        role: PartyRole,
        by: str,
        *,
        pseudonym: str | None = None,
        entity_id: str | None = None,
        staff_id: str | None = None,
    ) -> Party:
        ref = self.entity_ref(entity_id) if entity_id else None
        with self._writing() as book:
            self._case(book, case_id)
            if staff_id is not None:
                self._staff(book, staff_id)
            party_id = book.next_id("P")
            # Pseudonym by default: a complainant is never recorded under their name here.
            name = (pseudonym or "").strip() or f"{PSEUDONYMS[(len(book.parties)) % len(PSEUDONYMS)]} ({party_id})"
            body = {
                "party_id": party_id,
                "role": PartyRole(role).value,
                "pseudonym": name,
                "entity": ref.to_json() if ref else None,
                "staff_id": staff_id,
            }
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

    def add_allegation(
        self,
        case_id: str,
        category: str,
        by: str,
        *,
        summary: str = "",
        period: Period | None = None,
        place: str | None = None,
    ) -> Allegation:
        self.category(category)
        with self._writing() as book:
            self._case(book, case_id)
            allegation_id = book.next_id("AL")
            body = {
                "case": case_id,
                "category": category,
                "summary": summary,
                "period": period.to_json() if period else None,
                "place": place,
            }
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

    def add_subject(
        self,
        allegation_id: str,
        by: str,
        *,
        entity_id: str | None = None,
        staff_id: str | None = None,
        unknown: Description | None = None,
        force: str | None = None,
        unit: str | None = None,
    ) -> Subject:
        given = [x for x in (entity_id, staff_id, unknown) if x is not None]
        if len(given) != 1:
            raise CaseworkError(
                "a subject is one of: an entity, a member of staff, or an unknown subject's description"
            )
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
            body = {
                "subject_id": subject_id,
                "case": allegation.case_id,
                "entity": ref.to_json() if ref else None,
                "staff_id": staff_id,
                "unknown": unknown.to_json() if unknown else None,
                "force": force,
                "unit": unit,
            }
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
                    if self.store.documents.get_document(ref) is None:
                        raise CaseworkError(f"no document {ref!r}")
                event_type = EventType.ACCOUNTS_COMPARED
            body = {"left": left, "right": right, "same": same, "reason": reason}
            self._record([self._event(event_type, left, by, body)])

    def assign(self, case_id: str, staff_id: str, role: AssignmentRole, by: str) -> Verdict:
        """Check and, if independent, assign. The check, and the refusal or assignment, are events."""
        with self._writing() as book:
            staff = self._staff(book, staff_id)
            context = self.independence.context(book, case_id)
            verdict = check(self.independence.candidate(staff), context)
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

    def record_waiver(
        self, case_id: str, staff_id: str, rule: Rule, reason: str, overseer_id: str, by: str | None = None
    ) -> Waiver:
        """An independent overseer (`overseer_id`, a staff id) waives an affiliation rule for one
        person on one case; `by` is who recorded it (the signed-in user; the overseer by default)."""
        if not reason.strip():
            raise IndependenceError("a waiver needs a reason")
        with self._writing() as book:
            self._staff(book, staff_id)
            overseer = self._staff(book, overseer_id)
            context = self.independence.context(book, case_id)
            if rule not in WAIVABLE_RULES:
                raise IndependenceError(
                    f"{rule.value} cannot be waived: it is a conflict of interest, not of affiliation"
                )
            objections = may_waive(self.independence.candidate(overseer), context)
            if objections:
                raise IndependenceError(f"{overseer_id} may not record waivers on {case_id}: " + "; ".join(objections))
            waiver_id = book.next_id("W")
            body = {
                "waiver_id": waiver_id,
                "staff_id": staff_id,
                "rule": rule.value,
                "reason": reason,
                "overseer": overseer_id,
            }
            self._record([self._event(EventType.WAIVER_RECORDED, case_id, by or overseer_id, body)])
        return self.book().waivers[waiver_id]

    def record_intelligence(
        self,
        summary: str,
        by: str,
        *,
        document_id: str | None = None,
        case_id: str | None = None,
        received_at: str | None = None,
        action_days: int | None = None,
    ) -> Intelligence:
        if not summary.strip() and document_id is None:
            raise CaseworkError("intelligence needs a summary or a document")
        if document_id is not None and self.store.documents.get_document(document_id) is None:
            raise CaseworkError(f"no document {document_id!r}")
        received = received_at or utc_now()
        _instant(received, "received")
        days = int(self.settings["intelligence_action_days"] if action_days is None else action_days)
        with self._writing() as book:
            if case_id is not None:
                self._case(book, case_id)
            intel_id = book.next_id("I")
            body = {
                "case": case_id,
                "summary": summary,
                "document_id": document_id,
                "received_at": received,
                "action_due": add_days(received, days),
            }
            self._record([self._event(EventType.INTELLIGENCE_RECORDED, intel_id, by, body)])
        return self.book().intelligence[intel_id]

    def raise_action(
        self,
        description: str,
        owner: str,
        due: str,
        by: str,
        *,
        case_id: str | None = None,
        intelligence_id: str | None = None,
    ) -> Action:
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
            body = {
                "case": case_id,
                "description": description,
                "owner": owner,
                "due": due,
                "intelligence": intelligence_id,
            }
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
            self._record(
                [self._event(EventType.ACTION_COMPLETED, action_id, by, {"result": result, "case": action.case_id})]
            )
        return self.book().actions[action_id]

    def escalate(self, by: str, now: datetime | None = None) -> list[Escalation]:
        """Escalate to the oversight role everything newly overdue; each is a ledger event."""
        moment = now or datetime.now(UTC)
        with self._writing() as book:
            due = due_escalations(book, moment)
            events = [
                self._event(
                    EventType.ESCALATION_RECORDED,
                    item.item_id,
                    by,
                    {
                        "reason": item.reason,
                        "due": item.due,
                        "case": item.case_id,
                        "to": StaffRole.OVERSEER.value,
                        "owner": item.owner,
                        "days_overdue": item.days_overdue,
                        "description": item.description,
                    },
                )
                for item in due
            ]
            for assignment, verdict in self.independence.conflicted_assignments(book):
                item = f"{assignment.case_id}/{assignment.staff_id}/{assignment.role.value}"
                if not book.escalated(item, ASSIGNMENT_CONFLICT):
                    body = {
                        "reason": ASSIGNMENT_CONFLICT,
                        "due": moment.date().isoformat(),
                        "case": assignment.case_id,
                        "to": StaffRole.OVERSEER.value,
                        "staff_id": assignment.staff_id,
                        "conflicts": [c.to_json() for c in verdict.conflicts],
                    }
                    events.append(self._event(EventType.ESCALATION_RECORDED, item, by, body))
            if events:
                self._record(events)
        new = {(event.subject, event.body["reason"]) for event in events}
        return [e for e in self.book().escalations if (e.item_id, e.reason) in new]

    def raise_alerts(self, by: str, threshold: int | None = None) -> list[dict[str, Any]]:
        """Repeat-subject alerts: a subject named in at least K independent accounts. Each is an event."""
        k = int(threshold or self.settings["repeat_subject_threshold"])
        if k < 1:
            raise CaseworkError("the repeat-subject threshold must be at least 1")
        view = self.entity_view()
        with self._writing() as book:
            alerted = {r for a in book.alerts if a.kind == "repeat_subject" for r in a.detail.get("records", [])}
            events = []
            for eid, found in sorted(self.accounts.subject_corroboration(book).items()):
                records = list(view.records_of.get(eid, ()))
                if found.independent < k or alerted & set(records):
                    continue
                cases = sorted({s.case_id for s in book.subjects.values() if eid in view.current(s.entity)})
                body = {
                    "kind": "repeat_subject",
                    "threshold": k,
                    "name": found.name,
                    "independent": found.independent,
                    "documents": list(found.documents),
                    "cases": cases,
                    "records": records,
                }
                events.append(self._event(EventType.ALERT_RAISED, eid, by, body))
            if events:
                self._record(events)
        return [event.body | {"entity_id": event.subject} for event in events]


def _instant(text: str, what: str) -> None:
    try:
        parse_instant(text)
    except ValueError:
        raise CaseworkError(f"{what} must be an ISO date or date-time, e.g. 2026-03-01; got {text!r}") from None
