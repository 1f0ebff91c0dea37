"""The working queues as one viewer may see them: actions, intelligence, the overseer's inbox,
proposals awaiting a human verdict, and the administrator's staff and account lists.

Built by inclusion, like every view here: an item is listed only because a rule below says this
viewer may see it, and only the fields named in its line are copied from the casebook.

  actions, intelligence   in a case: for those who may read the case. With no case yet (front-desk
                          intelligence, an action raised before a case was opened): for those who
                          read every case (supervisors, overseers: triage is theirs), and for the
                          person the item belongs to (the action's owner, the item's recorder).
  the overseer's inbox    escalations, conflicted assignments and refusals, waivers: only of cases
                          the overseer may read; a conflict is told as its kind, the detail only
                          where `views.conflicts` allows it.
  proposals               same-account pairs: both documents readable; unknown-subject pairs:
                          both subjects' cases readable.
  administration          staff records and accounts: people, roles and forces, never case content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from casetrail.model.casework import (
    WAIVABLE_RULES,
    Action,
    Casebook,
    Conflict,
    Intelligence,
    Refusal,
    StaffRole,
)
from casetrail.oversight.deadlines import count_days_late, has_passed
from casetrail.policy.access import EVERY_CASE_ROLES, known_person, separation
from casetrail.policy.permissions import Command, holds
from casetrail.views.case import case_version
from casetrail.views.conflicts import ConflictLine, conflict_lines
from casetrail.views.sight import Sight

if TYPE_CHECKING:
    from casetrail.accounts import User
    from casetrail.casework import Casework

LAPSING_DAYS = 3  # the intelligence queue's "about to lapse" window, unless the viewer asks for another


# -- who sees an item --------------------------------------------------------------------------


def reads_unfiled(sight: Sight, book: Casebook) -> bool:
    """Items with no case yet are triage work: for a known person who reads every case."""
    viewer = sight.viewer
    return separation(viewer) and bool(viewer.roles & EVERY_CASE_ROLES) and known_person(viewer, book)


def action_visible(sight: Sight, book: Casebook, action: Action) -> bool:
    if action.case_id is not None:
        return sight.case(action.case_id)
    mine = separation(sight.viewer) and action.owner == sight.viewer.staff_id
    return mine or reads_unfiled(sight, book)


def intelligence_visible(sight: Sight, book: Casebook, item: Intelligence) -> bool:
    if item.case_id is not None:
        return sight.case(item.case_id)
    return item.recorded_by == sight.username or reads_unfiled(sight, book)


# -- shared lines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffChoice:
    id: str
    name: str


@dataclass(frozen=True)
class CaseChoice:
    id: str
    title: str
    version: int


def _owners(book: Casebook) -> tuple[StaffChoice, ...]:
    """Who can own an action: investigators and supervisors (the picker shows names and ids only)."""
    working = {StaffRole.INVESTIGATOR, StaffRole.SUPERVISOR}
    return tuple(StaffChoice(s.id, s.name) for s in book.staff.values() if working & set(s.roles))


def _cases(sight: Sight, book: Casebook, command: Command) -> tuple[CaseChoice, ...]:
    """The cases this viewer may read and give `command` in, for a form's case picker.

    Reading comes first: a command some role may give anywhere (intake recording intelligence)
    must not turn the picker into a list of every case."""
    return tuple(
        CaseChoice(cid, case.title, case_version(book, cid))
        for cid, case in book.cases.items()
        if sight.case(cid) and sight.allowed(command, case_id=cid)
    )


def _version(book: Casebook, case_id: str | None) -> int | None:
    return case_version(book, case_id) if case_id is not None and case_id in book.cases else None


# -- the action board ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionLine:
    id: str
    case_id: str | None
    description: str
    owner: str
    owner_name: str | None
    due: str
    raised_at: str
    raised_by: str
    intelligence_id: str | None
    result: str | None
    completed_at: str | None
    completed_by: str | None
    days_overdue: int  # 0 when not overdue (or done)
    may_complete: bool
    version: int | None  # the case's version when this line was built, for the completion form


@dataclass(frozen=True)
class CaseActions:
    case_id: str
    title: str
    actions: tuple[ActionLine, ...]


@dataclass(frozen=True)
class ActionBoard:
    mine: tuple[ActionLine, ...]
    overdue: tuple[ActionLine, ...]
    by_case: tuple[CaseActions, ...]
    unfiled: tuple[ActionLine, ...]  # visible actions in no case
    owners: tuple[StaffChoice, ...]
    cases: tuple[CaseChoice, ...]  # where this viewer may raise an action


def action_line(sight: Sight, book: Casebook, action: Action, now: datetime) -> ActionLine:
    late = count_days_late(action.due, now) if action.is_open and has_passed(action.due, now) else 0
    owner = book.staff.get(action.owner)
    may = action.is_open and sight.allowed(Command.COMPLETE_ACTION, case_id=action.case_id)
    return ActionLine(
        action.id,
        action.case_id,
        action.description,
        action.owner,
        owner.name if owner else None,
        action.due,
        action.raised_at,
        action.raised_by,
        action.intelligence_id,
        action.result,
        action.completed_at,
        action.completed_by,
        late,
        may,
        _version(book, action.case_id),
    )


def build_action_board(sight: Sight, casework: Casework, now: datetime | None = None) -> ActionBoard:
    book = casework.book()
    moment = now or datetime.now(UTC)
    lines = [action_line(sight, book, a, moment) for a in book.actions.values() if action_visible(sight, book, a)]
    lines.sort(key=lambda a: (a.completed_at is not None, a.due, a.id))
    mine = tuple(a for a in lines if sight.viewer.staff_id is not None and a.owner == sight.viewer.staff_id)
    overdue = tuple(sorted((a for a in lines if a.days_overdue), key=lambda a: (-a.days_overdue, a.id)))
    by_case = tuple(
        CaseActions(cid, book.cases[cid].title, tuple(a for a in lines if a.case_id == cid))
        for cid in dict.fromkeys(a.case_id for a in lines if a.case_id is not None)
    )
    unfiled = tuple(a for a in lines if a.case_id is None)
    return ActionBoard(mine, overdue, by_case, unfiled, _owners(book), _cases(sight, book, Command.RAISE_ACTION))


# -- the intelligence queue ----------------------------------------------------------------------


@dataclass(frozen=True)
class IntelligenceLine:
    id: str
    case_id: str | None
    summary: str
    document_id: str | None  # only a document this viewer may read
    received_at: str
    action_due: str
    recorded_by: str
    actions: tuple[str, ...]  # the actions answering it that this viewer may see
    answered: bool  # some action answers it (even one this viewer may not see)
    days_left: int | None  # until the action is due, for an unanswered item not yet lapsed
    days_lapsed: int  # an unanswered item past its due date
    may_answer: bool  # may raise the action that answers it
    version: int | None


@dataclass(frozen=True)
class IntelligenceQueue:
    days: int
    lapsing: tuple[IntelligenceLine, ...]  # unanswered, due within `days`
    lapsed: tuple[IntelligenceLine, ...]  # unanswered, past due
    waiting: tuple[IntelligenceLine, ...]  # unanswered, due later
    answered: tuple[IntelligenceLine, ...]
    owners: tuple[StaffChoice, ...]
    cases: tuple[CaseChoice, ...]  # where this viewer may record intelligence
    action_cases: tuple[CaseChoice, ...]  # where this viewer may raise the action answering an item
    may_record_unfiled: bool


def intelligence_line(sight: Sight, casework: Casework, item: Intelligence, now: datetime) -> IntelligenceLine:
    book = casework.book()
    answering = book.actions_for(item.id)
    shown = tuple(a.id for a in answering if action_visible(sight, book, a))
    lapsed = count_days_late(item.action_due, now) if not answering and has_passed(item.action_due, now) else 0
    left = None if answering or lapsed else (datetime.fromisoformat(item.action_due).date() - now.date()).days
    document = item.document_id if item.document_id and readable_document(sight, casework, item.document_id) else None
    may = (
        sight.allowed(Command.RAISE_ACTION, case_id=item.case_id)
        if item.case_id
        else bool(_cases(sight, book, Command.RAISE_ACTION))
    )
    return IntelligenceLine(
        item.id,
        item.case_id,
        item.summary,
        document,
        item.received_at,
        item.action_due,
        item.recorded_by,
        shown,
        bool(answering),
        left,
        lapsed,
        may,
        _version(book, item.case_id),
    )


def build_intelligence_queue(
    sight: Sight, casework: Casework, days: int = LAPSING_DAYS, now: datetime | None = None
) -> IntelligenceQueue:
    book = casework.book()
    moment = now or datetime.now(UTC)
    lines = [
        intelligence_line(sight, casework, i, moment)
        for i in book.intelligence.values()
        if intelligence_visible(sight, book, i)
    ]
    lines.sort(key=lambda i: (i.action_due, i.id))
    open_ = [i for i in lines if not i.answered]
    horizon = (moment + timedelta(days=days)).date().isoformat()
    return IntelligenceQueue(
        days,
        tuple(i for i in open_ if not i.days_lapsed and i.action_due <= horizon),
        tuple(i for i in open_ if i.days_lapsed),
        tuple(i for i in open_ if not i.days_lapsed and i.action_due > horizon),
        tuple(i for i in lines if i.answered),
        _owners(book),
        _cases(sight, book, Command.RECORD_INTELLIGENCE),
        _cases(sight, book, Command.RAISE_ACTION),
        sight.allowed(Command.RECORD_INTELLIGENCE),
    )


# -- the overseer's inbox ------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationItem:
    item: str
    reason: str
    case_id: str | None
    at: str
    due: str


@dataclass(frozen=True)
class ConflictItem:
    """An assignment the rules object to: made before the evidence arrived, or refused."""

    case_id: str
    title: str
    staff_id: str
    staff_name: str
    role: str
    state: str  # "assigned" (conflicted now) | "refused"
    at: str
    conflicts: tuple[ConflictLine, ...]
    waivable: bool  # every conflict could be waived (same force, same unit)
    version: int


@dataclass(frozen=True)
class WaiverLine:
    id: str
    case_id: str
    staff_id: str
    staff_name: str
    rule: str
    reason: str
    by: str
    at: str


@dataclass(frozen=True)
class Inbox:
    escalations: tuple[EscalationItem, ...]
    conflicts: tuple[ConflictItem, ...]
    waivers: tuple[WaiverLine, ...]
    rules: tuple[str, ...]  # the rules a waiver may set aside


def build_inbox(sight: Sight, casework: Casework) -> Inbox:
    book = casework.book()
    escalations = tuple(
        EscalationItem(e.item_id, e.reason, e.case_id, e.at, e.due)
        for e in book.escalations
        if e.case_id is None or sight.case(e.case_id)
    )
    conflicts = [
        _conflict(sight, book, a.case_id, a.staff_id, a.role.value, "assigned", a.at, v.conflicts)
        for a, v in casework.independence.conflicted_assignments(book)
        if sight.case(a.case_id)
    ]
    conflicts += [_refusal(sight, book, r) for r in _latest_refusals(book) if sight.case(r.case_id)]
    waivers = tuple(
        WaiverLine(w.id, w.case_id, w.staff_id, _name(book, w.staff_id), w.rule.value, w.reason, w.by, w.at)
        for w in book.waivers.values()
        if sight.case(w.case_id)
    )
    return Inbox(escalations, tuple(conflicts), waivers, tuple(sorted(r.value for r in WAIVABLE_RULES)))


def _latest_refusals(book: Casebook) -> list[Refusal]:
    """Refusals not since overtaken by an assignment of the same person to the same case."""
    placed = {(a.case_id, a.staff_id) for a in book.current_assignments()}
    latest: dict[tuple[str, str], Refusal] = {}
    for refusal in book.refusals:
        if (refusal.case_id, refusal.staff_id) not in placed:
            latest[(refusal.case_id, refusal.staff_id)] = refusal
    return list(latest.values())


def _refusal(sight: Sight, book: Casebook, r: Refusal) -> ConflictItem:
    return _conflict(sight, book, r.case_id, r.staff_id, r.role.value, "refused", r.at, r.conflicts)


def _conflict(
    sight: Sight, book: Casebook, case_id: str, staff_id: str, role: str, state: str, at: str, found: Sequence[Conflict]
) -> ConflictItem:
    lines = conflict_lines(sight, case_id, found)
    return ConflictItem(
        case_id,
        book.cases[case_id].title,
        staff_id,
        _name(book, staff_id),
        role,
        state,
        at,
        lines,
        bool(lines) and all(c.waivable for c in lines),
        case_version(book, case_id),
    )


def _name(book: Casebook, staff_id: str) -> str:
    member = book.staff.get(staff_id)
    return member.name if member else staff_id


# -- proposals -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalLine:
    kind: str  # "account" | "unknown"
    left: str
    right: str
    left_case: str | None
    right_case: str | None
    score: float
    reasons: tuple[str, ...]
    differences: tuple[str, ...]
    may_decide: bool


@dataclass(frozen=True)
class Proposals:
    accounts: tuple[ProposalLine, ...]
    unknowns: tuple[ProposalLine, ...]


def build_proposals(sight: Sight, casework: Casework) -> Proposals:
    book = casework.book()
    # Only proposals between documents this viewer may read are read from the store at all: the
    # one check, made on the listing's submitters, not again on each proposal's loaded documents.
    readable = casework.readable_documents(sight.viewer, sight.reach)
    accounts = tuple(
        ProposalLine(
            "account",
            p.left,
            p.right,
            None,
            None,
            p.score,
            p.reasons,
            (),
            sight.allowed(Command.COMPARE_ACCOUNTS, document_ids=(p.left, p.right)),
        )
        for p in casework.accounts.proposals_between(readable, book)
    )
    unknowns = []
    for p in casework.unknown_proposals():
        cases = (book.subjects[p.left].case_id, book.subjects[p.right].case_id)
        if all(sight.case(c) for c in cases):
            may = all(sight.allowed(Command.COMPARE, case_id=c) for c in cases)
            unknowns.append(
                ProposalLine("unknown", p.left, p.right, cases[0], cases[1], p.score, p.reasons, p.differences, may)
            )
    return Proposals(accounts, tuple(unknowns))


def readable_document(sight: Sight, casework: Casework, doc_id: str) -> bool:
    """A document this viewer may read (their own upload too: the store says who submitted it)."""
    found = casework.document(doc_id)
    return found is not None and sight.document(doc_id, found[0].provenance.submitted_by)


# -- administration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffLine:
    id: str
    name: str
    force: str | None
    unit: str | None
    roles: tuple[str, ...]
    collar_number: str | None


@dataclass(frozen=True)
class UserLine:
    id: str
    username: str
    roles: tuple[str, ...]
    staff_id: str | None
    second_factor: bool
    disabled: bool


@dataclass(frozen=True)
class Administration:
    staff: tuple[StaffLine, ...]
    users: tuple[UserLine, ...]
    roles: tuple[str, ...]


def build_administration(casework: Casework, users: list[User]) -> Administration:
    """Staff records and accounts: who they are and what roles they hold; no case is named here."""
    staff = tuple(
        StaffLine(s.id, s.name, s.force, s.unit, tuple(r.value for r in s.roles), s.collar_number)
        for s in casework.book().staff.values()
    )
    accounts = tuple(
        UserLine(u.id, u.username, tuple(sorted(u.roles)), u.staff_id, u.has_totp, u.disabled)
        for u in sorted(users, key=lambda u: u.username)
    )
    return Administration(staff, accounts, tuple(r.value for r in StaffRole))


# -- who may open each queue (a page nobody of their roles may use answers 404, like /audit) ------


def sees_actions(sight: Sight) -> bool:
    """The action board: anyone whose roles read case content (what they see is filtered above)."""
    return separation(sight.viewer)


def sees_intelligence(sight: Sight) -> bool:
    """The intelligence queue: case readers, and intake, who records what arrives at the front desk."""
    return separation(sight.viewer) or holds(sight.viewer, Command.RECORD_INTELLIGENCE)


def sees_inbox(sight: Sight) -> bool:
    return sight.oversees() and separation(sight.viewer)


def sees_proposals(sight: Sight) -> bool:
    return holds(sight.viewer, Command.COMPARE) or holds(sight.viewer, Command.COMPARE_ACCOUNTS)


def administers(sight: Sight) -> bool:
    return sight.allowed(Command.MANAGE_STAFF) or sight.allowed(Command.MANAGE_USERS)
