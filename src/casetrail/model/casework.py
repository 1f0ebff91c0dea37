"""Casework: cases, allegations, subjects, assignments, actions and intelligence.

The state of every case is a fold over ledger events (`replay`), so a case's history can be
replayed from the log and checked against it. Nothing here does IO; the casework service reads
events from the store and appends new ones through the log.

Entities are referred to by `EntityRef`: the entity id at the time plus the mention records it
held, so a reference keeps its meaning when a later resolution run renumbers entities.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from casetrail.model.event import Event, EventType


class CaseKind(StrEnum):
    COMPLAINT = "complaint"
    INVESTIGATION = "investigation"


class PartyRole(StrEnum):
    COMPLAINANT = "complainant"
    WITNESS = "witness"


class AssignmentRole(StrEnum):
    INVESTIGATOR = "investigator"
    INTERVIEWER = "interviewer"
    REVIEWER = "reviewer"
    DECISION_MAKER = "decision_maker"


class StaffRole(StrEnum):
    """What a member of the investigating body may do (the web app's roles, too)."""

    INTAKE = "intake"
    INVESTIGATOR = "investigator"
    SUPERVISOR = "supervisor"
    OVERSEER = "overseer"  # the independent overseer: waivers, escalations
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


class AllegationStatus(StrEnum):
    RECORDED = "recorded"
    UNDER_INVESTIGATION = "under_investigation"
    CASE_TO_ANSWER = "case_to_answer"
    NO_CASE_TO_ANSWER = "no_case_to_answer"
    REFERRED = "referred"  # to the CPS or another body
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"
    WITHDRAWN = "withdrawn"


class Rule(StrEnum):
    """The independence rules; `casetrail.policy.independence` holds one function per rule."""

    PARTY_IN_CASE = "party_in_case"  # assignee is a subject, complainant or witness in the case
    PARTY_IN_LINKED_CASE = "party_in_linked_case"  # ... or in a case linked to it
    NAMED_IN_DOCUMENTS = "named_in_documents"  # assignee's entity is mentioned in the case's documents
    SAME_FORCE = "same_force"  # assignee serves in a subject's force
    SAME_UNIT = "same_unit"  # assignee serves in a subject's unit


WAIVABLE_RULES = frozenset({Rule.SAME_FORCE, Rule.SAME_UNIT})


@dataclass(frozen=True)
class Category:
    code: str
    label: str


# After the IOPC's complaint-recording categories, narrowed to the conduct the news corpus
# describes. Editable per store: config.json "allegation_categories": [{"code", "label"}].
DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("rape", "Rape"),
    Category("sexual_assault", "Sexual assault"),
    Category("abuse_of_position_sexual", "Abuse of position for a sexual purpose"),
    Category("sexual_harassment", "Sexual harassment or other sexual conduct"),
    Category("assault", "Assault or use of force"),
    Category("neglect_of_duty", "Neglect or failure in duty"),
    Category("failure_to_record_crime", "Failure to record a crime"),
    Category("failure_to_act_on_intelligence", "Failure to act on intelligence or a report"),
    Category("corrupt_relationship", "Corrupt relationship or abuse of position for another purpose"),
    Category("evidence_destruction", "Destruction, concealment or tampering with evidence"),
    Category("intimidation", "Intimidation of a complainant or witness"),
    Category("discriminatory_behaviour", "Discriminatory behaviour"),
    Category("improper_disclosure", "Improper access to or disclosure of information"),
    Category("discreditable_conduct", "Discreditable conduct"),
    Category("other", "Other"),
)


@dataclass(frozen=True)
class Period:
    """When something happened: ISO dates or years, either end open; `text` as written."""

    start: str | None = None
    end: str | None = None
    text: str | None = None

    def years(self) -> tuple[int, int] | None:
        lo = _year(self.start) if self.start else None
        hi = _year(self.end) if self.end else None
        if lo is None and hi is None:
            return None
        return (lo if lo is not None else -10_000, hi if hi is not None else 10_000)

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> Period | None:
        if not raw:
            return None
        return cls(raw.get("start"), raw.get("end"), raw.get("text"))


def _year(text: str) -> int | None:
    head = text.strip()[:4]
    return int(head) if head.isdigit() else None


@dataclass(frozen=True)
class Description:
    """An unknown subject, as accounts describe them. Free text is kept as given."""

    force: str | None = None
    unit: str | None = None
    rank: str | None = None
    role: str | None = None  # "uniformed officer", "custody sergeant", "driver"
    vehicle: str | None = None  # a registration, partial registration, or make/colour
    place: str | None = None
    period: Period | None = None
    physical: str | None = None  # height, build, hair, marks: never ethnicity or religion

    def to_json(self) -> dict[str, Any]:
        return {
            "force": self.force,
            "unit": self.unit,
            "rank": self.rank,
            "role": self.role,
            "vehicle": self.vehicle,
            "place": self.place,
            "period": self.period.to_json() if self.period else None,
            "physical": self.physical,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Description:
        return cls(
            raw.get("force"),
            raw.get("unit"),
            raw.get("rank"),
            raw.get("role"),
            raw.get("vehicle"),
            raw.get("place"),
            Period.from_json(raw.get("period")),
            raw.get("physical"),
        )

    def is_empty(self) -> bool:
        return not any(v for k, v in self.to_json().items())


@dataclass(frozen=True)
class EntityRef:
    entity_id: str
    name: str
    records: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"entity_id": self.entity_id, "name": self.name, "records": list(self.records)}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> EntityRef | None:
        if not raw:
            return None
        return cls(raw["entity_id"], raw.get("name", ""), tuple(raw.get("records", ())))


@dataclass(frozen=True)
class HistoryEntry:
    """One ledger event as casework sees it."""

    leaf: int
    type: EventType
    subject: str
    at: str
    actor: str
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "leaf": self.leaf,
            "type": self.type.value,
            "subject": self.subject,
            "at": self.at,
            "actor": self.actor,
            "body": self.body,
        }


@dataclass
class StaffMember:
    id: str
    name: str
    force: str | None
    unit: str | None
    roles: tuple[StaffRole, ...]
    collar_number: str | None = None
    entity: EntityRef | None = None


@dataclass
class Party:
    """A complainant or witness. Held by pseudonym; no real name is recorded here."""

    id: str
    case_id: str
    role: PartyRole
    pseudonym: str
    entity: EntityRef | None = None
    staff_id: str | None = None


@dataclass
class Subject:
    """Who an allegation is about: a resolved entity, a member of staff, or an unknown subject."""

    id: str
    allegation_id: str
    case_id: str
    entity: EntityRef | None = None
    staff_id: str | None = None
    unknown: Description | None = None
    force: str | None = None
    unit: str | None = None

    @property
    def label(self) -> str:
        if self.entity is not None:
            return self.entity.name
        if self.staff_id is not None:
            return self.staff_id
        d = self.unknown or Description()
        parts = [p for p in (d.rank, d.role, d.force and f"of {d.force}") if p]
        return "unknown " + (" ".join(parts) if parts else "subject")


@dataclass
class StatusChange:
    status: AllegationStatus
    reason: str
    at: str
    actor: str
    leaf: int


@dataclass
class Allegation:
    id: str
    case_id: str
    category: str
    summary: str
    period: Period | None
    place: str | None
    statuses: list[StatusChange] = field(default_factory=list)
    subject_ids: list[str] = field(default_factory=list)

    @property
    def status(self) -> AllegationStatus:
        return self.statuses[-1].status


@dataclass
class Assignment:
    case_id: str
    staff_id: str
    role: AssignmentRole
    at: str
    by: str
    leaf: int
    waivers: tuple[str, ...] = ()  # waiver ids this assignment relies on (an override)
    ended_at: str | None = None


@dataclass(frozen=True)
class Conflict:
    """One reason an assignment is refused."""

    rule: Rule
    detail: str
    evidence: tuple[str, ...] = ()  # documents, mentions, parties that show it
    waivable: bool = False
    # The case the conflict arises in (this one, or a linked one): who may read the detail
    # depends on it. None on conflicts recorded before it was kept.
    case_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.value,
            "detail": self.detail,
            "evidence": list(self.evidence),
            "waivable": self.waivable,
            "case": self.case_id,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Conflict:
        case = raw.get("case")
        return cls(
            Rule(raw["rule"]),
            raw["detail"],
            tuple(raw.get("evidence", ())),
            bool(raw.get("waivable")),
            case if isinstance(case, str) else None,
        )


@dataclass(frozen=True)
class Verdict:
    """The outcome of an independence check: refused while any conflict is not waived."""

    conflicts: tuple[Conflict, ...]
    waived: tuple[tuple[Conflict, str], ...] = ()  # (conflict, waiver id)

    @property
    def allowed(self) -> bool:
        return not self.conflicts

    def to_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "conflicts": [c.to_json() for c in self.conflicts],
            "waived": [{**c.to_json(), "waiver": w} for c, w in self.waived],
        }


@dataclass
class Refusal:
    case_id: str
    staff_id: str
    role: AssignmentRole
    at: str
    by: str
    leaf: int
    conflicts: tuple[Conflict, ...]


@dataclass
class Waiver:
    id: str
    case_id: str
    staff_id: str
    rule: Rule
    reason: str
    by: str  # the overseer's staff id
    at: str
    leaf: int


@dataclass
class Action:
    id: str
    case_id: str | None
    description: str
    owner: str
    due: str  # ISO date: due by the end of that day (UTC)
    raised_at: str
    raised_by: str
    leaf: int
    intelligence_id: str | None = None
    result: str | None = None
    completed_at: str | None = None
    completed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


@dataclass
class Intelligence:
    id: str
    case_id: str | None
    summary: str
    received_at: str
    action_due: str  # ISO date by which an action must have been raised
    recorded_at: str
    recorded_by: str
    leaf: int
    document_id: str | None = None


@dataclass
class Escalation:
    item_id: str  # the action or intelligence item
    reason: str  # "action_overdue" | "intelligence_without_action"
    due: str
    case_id: str | None
    at: str
    leaf: int
    to: str = StaffRole.OVERSEER.value


@dataclass
class Alert:
    key: str  # what the alert is about: an entity id, with its records in `detail`
    kind: str  # "repeat_subject"
    detail: dict[str, Any]
    at: str
    leaf: int


@dataclass
class Comparison:
    """A human's verdict on a proposed match: two unknown subjects, or two accounts."""

    left: str
    right: str
    same: bool
    reason: str
    by: str
    at: str
    leaf: int


@dataclass
class CaseLink:
    other: str
    reason: str
    by: str
    at: str
    leaf: int


@dataclass
class Case:
    id: str
    title: str
    kind: CaseKind
    opened_at: str
    opened_by: str
    reference: str | None = None
    documents: dict[str, str | None] = field(default_factory=dict)  # document id -> party who gave it
    party_ids: list[str] = field(default_factory=list)
    allegation_ids: list[str] = field(default_factory=list)
    links: list[CaseLink] = field(default_factory=list)  # recorded by hand; shared entities are computed
    history: list[HistoryEntry] = field(default_factory=list)


@dataclass
class Casebook:
    """Everything casework has recorded, as of some ledger size."""

    staff: dict[str, StaffMember] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    parties: dict[str, Party] = field(default_factory=dict)
    allegations: dict[str, Allegation] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    checks: list[HistoryEntry] = field(default_factory=list)
    waivers: dict[str, Waiver] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    intelligence: dict[str, Intelligence] = field(default_factory=dict)
    escalations: list[Escalation] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    unknown_comparisons: list[Comparison] = field(default_factory=list)
    account_comparisons: list[Comparison] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    # Kept by the fold, so a question about one item need not walk every action or escalation
    # (the oversight report asks it of every intelligence item).
    _actions_of: dict[str, dict[str, None]] = field(default_factory=dict, repr=False, compare=False)
    _escalations_of: dict[str, list[Escalation]] = field(default_factory=dict, repr=False, compare=False)

    # -- ids ----------------------------------------------------------------------------

    def next_id(self, prefix: str) -> str:
        pools: dict[str, dict[str, Any]] = {
            "S": self.staff,
            "C": self.cases,
            "P": self.parties,
            "AL": self.allegations,
            "SU": self.subjects,
            "W": self.waivers,
            "A": self.actions,
            "I": self.intelligence,
        }
        return f"{prefix}-{len(pools[prefix]) + 1:04d}"

    # -- views ---------------------------------------------------------------------------

    def current_assignments(self, case_id: str | None = None) -> list[Assignment]:
        return [a for a in self.assignments if a.ended_at is None and (case_id is None or a.case_id == case_id)]

    def case_subjects(self, case_id: str) -> list[Subject]:
        case = self.cases[case_id]
        return [self.subjects[s] for a in case.allegation_ids for s in self.allegations[a].subject_ids]

    def case_parties(self, case_id: str) -> list[Party]:
        return [self.parties[p] for p in self.cases[case_id].party_ids]

    def waivers_for(self, case_id: str, staff_id: str) -> list[Waiver]:
        return [w for w in self.waivers.values() if w.case_id == case_id and w.staff_id == staff_id]

    def actions_for(self, intelligence_id: str) -> list[Action]:
        return [self.actions[a] for a in self._actions_of.get(intelligence_id, ())]

    def escalations_for(self, item_id: str) -> list[Escalation]:
        """The escalations of one action or intelligence item, in the order recorded."""
        return list(self._escalations_of.get(item_id, ()))

    def escalated(self, item_id: str, reason: str) -> bool:
        return any(e.reason == reason for e in self._escalations_of.get(item_id, ()))

    def case_of(self, entry: HistoryEntry) -> str | None:
        """The case an event belongs to, if any."""
        if entry.type in (
            EventType.CASE_OPENED,
            EventType.CASE_DOCUMENT_ADDED,
            EventType.CASE_PARTY_ADDED,
            EventType.CASE_LINKED,
            EventType.ASSIGNMENT_CHECKED,
            EventType.ASSIGNMENT_REFUSED,
            EventType.ASSIGNMENT_MADE,
            EventType.ASSIGNMENT_ENDED,
            EventType.WAIVER_RECORDED,
        ):
            return entry.subject
        for key in ("case", "case_id"):
            if isinstance(entry.body.get(key), str):
                return str(entry.body[key])
        if entry.subject in self.allegations:
            return self.allegations[entry.subject].case_id
        if entry.subject in self.actions:
            return self.actions[entry.subject].case_id
        if entry.subject in self.intelligence:
            return self.intelligence[entry.subject].case_id
        return None

    # -- the fold ------------------------------------------------------------------------

    def apply_event(self, leaf: int, event: Event) -> None:
        """Fold in the event recorded at `leaf`."""
        self.apply(HistoryEntry(leaf, event.type, event.subject, event.at, event.actor, event.body))

    def apply(self, entry: HistoryEntry) -> None:
        """Fold one event in. Events the casework does not know (documents, decisions) pass by."""
        handler = _HANDLERS.get(entry.type)
        if handler is None:
            return
        handler(self, entry)
        self.history.append(entry)
        case_id = self.case_of(entry)
        if case_id in self.cases:
            self.cases[case_id].history.append(entry)


def replay(entries: Iterable[tuple[int, Event]]) -> Casebook:
    """The casebook as the events, in leaf order, make it."""
    book = Casebook()
    for leaf, event in entries:
        book.apply_event(leaf, event)
    return book


CASEWORK_EVENTS = frozenset(
    {
        EventType.STAFF_REGISTERED,
        EventType.CASE_OPENED,
        EventType.CASE_DOCUMENT_ADDED,
        EventType.CASE_PARTY_ADDED,
        EventType.CASE_LINKED,
        EventType.ALLEGATION_RECORDED,
        EventType.ALLEGATION_STATUS_CHANGED,
        EventType.SUBJECT_ADDED,
        EventType.UNKNOWN_SUBJECTS_COMPARED,
        EventType.ACCOUNTS_COMPARED,
        EventType.ASSIGNMENT_CHECKED,
        EventType.ASSIGNMENT_REFUSED,
        EventType.ASSIGNMENT_MADE,
        EventType.ASSIGNMENT_ENDED,
        EventType.WAIVER_RECORDED,
        EventType.ACTION_RAISED,
        EventType.ACTION_COMPLETED,
        EventType.INTELLIGENCE_RECORDED,
        EventType.ESCALATION_RECORDED,
        EventType.ALERT_RAISED,
        EventType.READ_AUDITED,
        EventType.ACCOUNT_CREATED,
        EventType.ACCOUNT_CHANGED,
        # Indexed like casework (so `verify` checks them); folded elsewhere, the casebook passes them by.
        EventType.PUBLICATION_RELEASED,
        EventType.DISCLOSURE_ITEM_SCHEDULED,
        EventType.DISCLOSURE_JUDGED,
    }
)


def _staff(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    book.staff[e.subject] = StaffMember(
        e.subject,
        b["name"],
        b.get("force"),
        b.get("unit"),
        tuple(StaffRole(r) for r in b.get("roles", ())),
        b.get("collar_number"),
        EntityRef.from_json(b.get("entity")),
    )


def _case(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    book.cases[e.subject] = Case(e.subject, b["title"], CaseKind(b["kind"]), e.at, e.actor, b.get("reference"))


def _case_document(book: Casebook, e: HistoryEntry) -> None:
    book.cases[e.subject].documents[e.body["document_id"]] = e.body.get("given_by")


def _party(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    party = Party(
        b["party_id"],
        e.subject,
        PartyRole(b["role"]),
        b["pseudonym"],
        EntityRef.from_json(b.get("entity")),
        b.get("staff_id"),
    )
    book.parties[party.id] = party
    book.cases[e.subject].party_ids.append(party.id)


def _link(book: Casebook, e: HistoryEntry) -> None:
    other = e.body["other"]
    book.cases[e.subject].links.append(CaseLink(other, e.body.get("reason", ""), e.actor, e.at, e.leaf))
    if other in book.cases:
        book.cases[other].links.append(CaseLink(e.subject, e.body.get("reason", ""), e.actor, e.at, e.leaf))


def _allegation(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    allegation = Allegation(
        e.subject, b["case"], b["category"], b.get("summary", ""), Period.from_json(b.get("period")), b.get("place")
    )
    allegation.statuses.append(StatusChange(AllegationStatus.RECORDED, "recorded", e.at, e.actor, e.leaf))
    book.allegations[e.subject] = allegation
    book.cases[b["case"]].allegation_ids.append(e.subject)


def _status(book: Casebook, e: HistoryEntry) -> None:
    book.allegations[e.subject].statuses.append(
        StatusChange(AllegationStatus(e.body["status"]), e.body.get("reason", ""), e.at, e.actor, e.leaf)
    )


def _subject(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    allegation = book.allegations[e.subject]
    unknown = Description.from_json(b["unknown"]) if b.get("unknown") else None
    subject = Subject(
        b["subject_id"],
        allegation.id,
        allegation.case_id,
        EntityRef.from_json(b.get("entity")),
        b.get("staff_id"),
        unknown,
        b.get("force"),
        b.get("unit"),
    )
    book.subjects[subject.id] = subject
    allegation.subject_ids.append(subject.id)


def _comparison(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    item = Comparison(b["left"], b["right"], bool(b["same"]), b.get("reason", ""), e.actor, e.at, e.leaf)
    if e.type == EventType.UNKNOWN_SUBJECTS_COMPARED:
        book.unknown_comparisons.append(item)
    else:
        book.account_comparisons.append(item)


def _check(book: Casebook, e: HistoryEntry) -> None:
    book.checks.append(e)


def _refused(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    book.refusals.append(
        Refusal(
            e.subject,
            b["staff_id"],
            AssignmentRole(b["role"]),
            e.at,
            e.actor,
            e.leaf,
            tuple(Conflict.from_json(c) for c in b.get("conflicts", ())),
        )
    )


def _assigned(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    book.assignments.append(
        Assignment(
            e.subject, b["staff_id"], AssignmentRole(b["role"]), e.at, e.actor, e.leaf, tuple(b.get("waivers", ()))
        )
    )


def _ended(book: Casebook, e: HistoryEntry) -> None:
    for a in book.current_assignments(e.subject):
        if a.staff_id == e.body["staff_id"] and a.role.value == e.body["role"]:
            a.ended_at = e.at


def _waiver(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    # The overseer who decided (a staff id; "nobody waives for themselves" compares staff ids). Older
    # waivers recorded the overseer as the event's actor.
    overseer = b.get("overseer") or e.actor
    book.waivers[b["waiver_id"]] = Waiver(
        b["waiver_id"], e.subject, b["staff_id"], Rule(b["rule"]), b["reason"], overseer, e.at, e.leaf
    )


def _action(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    before = book.actions.get(e.subject)
    if before is not None and before.intelligence_id is not None:
        book._actions_of[before.intelligence_id].pop(e.subject, None)
    book.actions[e.subject] = Action(
        e.subject, b.get("case"), b["description"], b["owner"], b["due"], e.at, e.actor, e.leaf, b.get("intelligence")
    )
    answers = b.get("intelligence")
    if answers is None:
        return
    if before is None:
        book._actions_of.setdefault(answers, {})[e.subject] = None
    else:  # raised again under its id (never by the commands): keep the walk's order, the actions' own
        book._actions_of[answers] = {a: None for a, found in book.actions.items() if found.intelligence_id == answers}


def _completed(book: Casebook, e: HistoryEntry) -> None:
    action = book.actions[e.subject]
    action.result, action.completed_at, action.completed_by = e.body["result"], e.at, e.actor


def _intelligence(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    book.intelligence[e.subject] = Intelligence(
        e.subject,
        b.get("case"),
        b.get("summary", ""),
        b["received_at"],
        b["action_due"],
        e.at,
        e.actor,
        e.leaf,
        b.get("document_id"),
    )


def _escalation(book: Casebook, e: HistoryEntry) -> None:
    b = e.body
    escalation = Escalation(
        e.subject, b["reason"], b["due"], b.get("case"), e.at, e.leaf, b.get("to", StaffRole.OVERSEER.value)
    )
    book.escalations.append(escalation)
    book._escalations_of.setdefault(e.subject, []).append(escalation)


def _alert(book: Casebook, e: HistoryEntry) -> None:
    book.alerts.append(Alert(e.subject, e.body["kind"], e.body, e.at, e.leaf))


_HANDLERS = {
    EventType.STAFF_REGISTERED: _staff,
    EventType.CASE_OPENED: _case,
    EventType.CASE_DOCUMENT_ADDED: _case_document,
    EventType.CASE_PARTY_ADDED: _party,
    EventType.CASE_LINKED: _link,
    EventType.ALLEGATION_RECORDED: _allegation,
    EventType.ALLEGATION_STATUS_CHANGED: _status,
    EventType.SUBJECT_ADDED: _subject,
    EventType.UNKNOWN_SUBJECTS_COMPARED: _comparison,
    EventType.ACCOUNTS_COMPARED: _comparison,
    EventType.ASSIGNMENT_CHECKED: _check,
    EventType.ASSIGNMENT_REFUSED: _refused,
    EventType.ASSIGNMENT_MADE: _assigned,
    EventType.ASSIGNMENT_ENDED: _ended,
    EventType.WAIVER_RECORDED: _waiver,
    EventType.ACTION_RAISED: _action,
    EventType.ACTION_COMPLETED: _completed,
    EventType.INTELLIGENCE_RECORDED: _intelligence,
    EventType.ESCALATION_RECORDED: _escalation,
    EventType.ALERT_RAISED: _alert,
}


# -- inputs the pure steps (linking, policy, oversight) work on ------------------------------


@dataclass(frozen=True)
class MentionRef:
    """Where a document names an entity: the evidence behind a link or a conflict."""

    document_id: str
    start: int
    end: int
    text: str
    type: str
    entity_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "type": self.type,
            "entity_id": self.entity_id,
        }


@dataclass(frozen=True)
class DocumentFacts:
    """What account grouping needs to know of a document."""

    id: str
    kind: str
    source_name: str
    parent_id: str | None = None
    amends: str | None = None
    given_by: str | None = None  # the party who gave it (a complainant's statements are one account)


@dataclass(frozen=True)
class AccountProposal:
    """Two documents, in different accounts, that look like reports of the same account
    (linking.accounts proposes them; store.read_models keeps them)."""

    left: str
    right: str
    score: float
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"left": self.left, "right": self.right, "score": self.score, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Participant:
    """Someone with a stake in a case, as the independence rules see them."""

    case_id: str
    capacity: str  # "subject" | "complainant" | "witness"
    label: str
    staff_id: str | None = None
    entity_ids: frozenset[str] = frozenset()
    force: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A member of staff proposed for an assignment, with the entities resolution ties them to."""

    staff: StaffMember
    entity_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AssignmentContext:
    """Everything the independence rules look at for one case, gathered once."""

    case_id: str
    participants: tuple[Participant, ...]  # of this case and of every linked case
    linked_case_ids: frozenset[str]
    named: dict[str, tuple[MentionRef, ...]]  # entity id -> where the case's documents name it
    waivers: tuple[Waiver, ...]


# -- dates ------------------------------------------------------------------------------------


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date or datetime as an aware UTC datetime; a bare date is its end of day."""
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1) - timedelta(microseconds=1)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def add_days(instant: str, days: int) -> str:
    """The ISO date `days` after an instant's day."""
    return (parse_instant(instant).date() + timedelta(days=days)).isoformat()
