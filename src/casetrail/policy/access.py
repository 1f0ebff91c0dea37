"""Need-to-know: who may read which case, document and entity, and who may do what.

Every access rule lives here. Pages, the HTTP API, lists, search, exports and the link chart
all ask these functions. Lists go through `filter_*`, which give exactly the items the single
checks allow, so a rule cannot hold on one path and leak on another. (Rotherham: a police
list naming over 200 exploited girls leaked because anyone could read everything.)

What each role may read and do:

  role           cases            documents              entities               may do
  -------------  ---------------  ---------------------  ---------------------  --------------------------------
  administrator  none             none                   none                   manage_users, escalate
  auditor        none             none                   none                   read_audit, view_integrity,
                                                                                escalate
  intake         none             the ones they          none                   upload, escalate
                                  submitted (inbox)
  investigator   assigned to now  in those cases         named in those         analyse, raise_action, escalate
                 (any assignment                         documents
                 role)
  supervisor     every case       in those cases, and    named in those         manage_cases, assign, analyse,
                                  the intake queue       documents              raise_action, escalate
                                  (triage)
  overseer       every case       in those cases         named in those         view_oversight, record_waiver,
                                                         documents              escalate

Rules that apply to every role, and override the table:

  subject_bar   A subject of a case never sees it: not as overseer, not as supervisor, not
                when assigned to it. A viewer is a subject if their staff id is the subject's
                staff id, or if an entity resolution ties them to is the subject's entity.
                Documents reachable only through a barred case go with it, and so do entities
                named only in those documents.
  party_bar     A complainant or witness who is a member of staff does not see the case
                either. Complainants are not users, but a member of staff can be one (or a
                witness), and the case holds the other parties' accounts: a conflict of
                interest. Matched like subject_bar.
  separation    An account holding administrator or auditor reads no case content, whatever
                other roles it also holds. Whoever holds the keys, or audits the reads, does
                not read the cases.
  known_person  Reading case content needs a staff id the casebook knows. The bars are
                checked against a person, so an account that is nobody on record reads nothing.
  triage        A supervisor reads the intake queue, the documents intake staff uploaded through
                the workbench that no case holds yet, so that new material can be opened as a
                case. A document that names the supervisor (an entity resolution ties to them)
                is not theirs to triage. Material loaded in bulk by the operator (the CLI) is
                allocated to cases by the operator, never triaged. Bars apply once a case holds it.
  own_upload    Someone who may upload can still see the documents they submitted, even when
                these are in a barred case. They already hold the bytes, and hiding the file
                would tell them that a case about them exists.
  identity      A survivor's identifying details (party entities, the real names behind
                pseudonyms) are for an investigator, supervisor or overseer who can read the
                case. The web layer also demands a reason and audits it.
  escalate      Anyone may escalate to the overseer. Raising a concern must not depend on the
                chain of command that the concern may be about.

`can_do` answers whether a role may ever do something. An action on a particular case also
needs `can_read_case` for that case.

Everything here is pure. The caller resolves entities and works out each case's documents and
participants, `reach` precomputes what one viewer can reach, and the checks consult that result.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from casetrail.model.casework import Casebook, Participant, StaffRole

SUBJECT = "subject"  # Participant.capacity of a subject; every other capacity is a party


class Action(StrEnum):
    UPLOAD = "upload"
    ANALYSE = "analyse"
    MANAGE_CASES = "manage_cases"
    ASSIGN = "assign"
    RECORD_WAIVER = "record_waiver"
    RAISE_ACTION = "raise_action"
    ESCALATE = "escalate"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    VIEW_INTEGRITY = "view_integrity"
    VIEW_OVERSIGHT = "view_oversight"


_EVERYONE = frozenset(StaffRole)

# The "may do" column of the table above, one row per action.
ACTION_ROLES: dict[Action, frozenset[StaffRole]] = {
    Action.UPLOAD: frozenset({StaffRole.INTAKE}),
    Action.ANALYSE: frozenset({StaffRole.INVESTIGATOR, StaffRole.SUPERVISOR}),
    Action.MANAGE_CASES: frozenset({StaffRole.SUPERVISOR}),
    Action.ASSIGN: frozenset({StaffRole.SUPERVISOR}),
    Action.RECORD_WAIVER: frozenset({StaffRole.OVERSEER}),
    Action.RAISE_ACTION: frozenset({StaffRole.INVESTIGATOR, StaffRole.SUPERVISOR}),
    Action.ESCALATE: _EVERYONE,
    Action.READ_AUDIT: frozenset({StaffRole.AUDITOR}),
    Action.MANAGE_USERS: frozenset({StaffRole.ADMINISTRATOR}),
    Action.VIEW_INTEGRITY: frozenset({StaffRole.AUDITOR}),
    Action.VIEW_OVERSIGHT: frozenset({StaffRole.OVERSEER}),
}

# The "cases" column of the table above.
EVERY_CASE_ROLES = frozenset({StaffRole.SUPERVISOR, StaffRole.OVERSEER})
ASSIGNED_CASE_ROLES = frozenset({StaffRole.INVESTIGATOR})
NO_CONTENT_ROLES = frozenset({StaffRole.ADMINISTRATOR, StaffRole.AUDITOR})  # separation
IDENTITY_ROLES = frozenset({StaffRole.INVESTIGATOR, StaffRole.SUPERVISOR, StaffRole.OVERSEER})


@dataclass(frozen=True)
class Viewer:
    """Who is looking. `entity_ids`: the resolved entities that are this person."""

    user_id: str
    roles: frozenset[StaffRole]
    staff_id: str | None
    entity_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reach:
    """What one viewer can reach, computed once by `reach`. The bars are already applied.

    `subject_of` and `party_to` hold the cases the viewer is barred from. They are kept
    separately so that the checks can deny those cases again, and so that the web layer can
    say why a case is missing without naming it.
    """

    cases: frozenset[str]
    documents: frozenset[str]
    entities: frozenset[str]
    subject_of: frozenset[str]
    party_to: frozenset[str] = frozenset()

    @property
    def barred(self) -> frozenset[str]:
        return self.subject_of | self.party_to


# -- the rules, one function each -------------------------------------------------------------


def separation(viewer: Viewer) -> bool:
    """True when the viewer's roles allow case content at all; an administrator or auditor role excludes it."""
    if viewer.roles & NO_CONTENT_ROLES:
        return False
    return bool(viewer.roles & (EVERY_CASE_ROLES | ASSIGNED_CASE_ROLES))


def known_person(viewer: Viewer, book: Casebook) -> bool:
    """The viewer is a member of staff on record, so the bars can be checked against them."""
    return viewer.staff_id is not None and viewer.staff_id in book.staff


def cases_by_role(viewer: Viewer, book: Casebook) -> frozenset[str]:
    """The cases the viewer's roles open, before the bars: every case, or their current assignments."""
    if viewer.roles & EVERY_CASE_ROLES:
        return frozenset(book.cases)
    if viewer.roles & ASSIGNED_CASE_ROLES:
        # Every assignment role (interviewer, reviewer, ...) counts; ended assignments do not.
        return frozenset(a.case_id for a in book.current_assignments() if a.staff_id == viewer.staff_id)
    return frozenset()


def _is_viewer(viewer: Viewer, staff_id: str | None, entity_ids: Iterable[str]) -> bool:
    if staff_id is not None and staff_id == viewer.staff_id:
        return True
    return not viewer.entity_ids.isdisjoint(entity_ids)


def _participant_cases(
    viewer: Viewer, case_participants: Mapping[str, Sequence[Participant]], subjects: bool
) -> set[str]:
    return {
        case_id
        for case_id, participants in case_participants.items()
        for p in participants
        if (p.capacity == SUBJECT) == subjects and _is_viewer(viewer, p.staff_id, p.entity_ids)
    }


def subject_bar(
    viewer: Viewer, book: Casebook, case_participants: Mapping[str, Sequence[Participant]]
) -> frozenset[str]:
    """The cases in which the viewer is a subject."""
    barred = _participant_cases(viewer, case_participants, subjects=True)
    # Check the casebook's own staff ids as well, so that a case the caller left out of
    # `case_participants` cannot slip through.
    barred |= {s.case_id for s in book.subjects.values() if _is_viewer(viewer, s.staff_id, ())}
    return frozenset(barred)


def party_bar(viewer: Viewer, book: Casebook, case_participants: Mapping[str, Sequence[Participant]]) -> frozenset[str]:
    """The cases in which the viewer is a complainant or witness."""
    barred = _participant_cases(viewer, case_participants, subjects=False)
    barred |= {p.case_id for p in book.parties.values() if _is_viewer(viewer, p.staff_id, ())}
    return frozenset(barred)


def own_upload(viewer: Viewer, submitted_by: str | None) -> bool:
    """The viewer submitted this document and still holds a role that may upload."""
    return submitted_by is not None and submitted_by == viewer.user_id and can_do(viewer, Action.UPLOAD)


def identity(viewer: Viewer) -> bool:
    """The viewer holds a role that may see identifying details, on cases they can read."""
    return bool(viewer.roles & IDENTITY_ROLES)


# -- reach -------------------------------------------------------------------------------------


def triage(
    viewer: Viewer, unallocated: Iterable[str], document_entities: Mapping[str, Collection[str]]
) -> frozenset[str]:
    """The intake queue this viewer may read to open cases from (`unallocated`: workbench uploads no
    case holds): a supervisor's, less any document naming them."""
    if StaffRole.SUPERVISOR not in viewer.roles or not separation(viewer):
        return frozenset()
    return frozenset(d for d in unallocated if viewer.entity_ids.isdisjoint(document_entities.get(d, ())))


def reach(
    viewer: Viewer,
    book: Casebook,
    case_documents: Mapping[str, set[str]],
    document_entities: Mapping[str, Collection[str]],
    case_participants: Mapping[str, Sequence[Participant]],
    unallocated: Iterable[str] = (),
) -> Reach:
    """Everything the viewer may read, worked out once for a session or a request.

    `case_documents` gives each case's documents (with their later versions), `document_entities`
    gives the entities each document names, `case_participants` gives each case's subjects and
    parties with their current entity ids, and `unallocated` the documents no case holds. Cases missing from `case_documents` contribute no documents. Cases
    missing from `case_participants` are still checked by staff id against the casebook.
    """
    subject_of = subject_bar(viewer, book, case_participants)
    party_to = party_bar(viewer, book, case_participants)
    cases: frozenset[str] = frozenset()
    if separation(viewer) and known_person(viewer, book):
        cases = cases_by_role(viewer, book) - subject_of - party_to
    # A document stays readable only if it can be reached through a case that is not barred.
    documents = frozenset(d for case_id in cases for d in case_documents.get(case_id, ()))
    if known_person(viewer, book):
        documents |= triage(viewer, unallocated, document_entities)
    entities = frozenset(e for d in documents for e in document_entities.get(d, ()))
    return Reach(cases, documents, entities, subject_of, party_to)


# -- the checks --------------------------------------------------------------------------------


def can_read_case(viewer: Viewer, reach: Reach, case_id: str) -> bool:
    # The role and bar checks repeat what `reach` did, so that a Reach built some other way
    # (by hand, or left over from before a role change) still cannot open a barred case.
    return separation(viewer) and case_id in reach.cases and case_id not in reach.barred


def can_read_document(viewer: Viewer, reach: Reach, doc_id: str, submitted_by: str | None = None) -> bool:
    if separation(viewer) and doc_id in reach.documents:
        return True
    return own_upload(viewer, submitted_by)


def can_read_entity(viewer: Viewer, reach: Reach, entity_id: str) -> bool:
    return separation(viewer) and entity_id in reach.entities


def may_reveal_identity(viewer: Viewer, case_id: str, reach: Reach) -> bool:
    """May this viewer open a survivor's identifying details in this case (with a reason, audited)?"""
    return identity(viewer) and can_read_case(viewer, reach, case_id)


def can_do(viewer: Viewer, action: Action) -> bool:
    return not viewer.roles.isdisjoint(ACTION_ROLES[action])


# -- lists: element by element through the single checks, so that they never disagree ---------


def filter_cases(viewer: Viewer, reach: Reach, ids: Iterable[str]) -> list[str]:
    """The readable case ids, in the order given."""
    return [i for i in ids if can_read_case(viewer, reach, i)]


def filter_documents(
    viewer: Viewer, reach: Reach, ids: Iterable[str], submitted_by: Mapping[str, str | None] | None = None
) -> list[str]:
    """The readable document ids, in the order given. `submitted_by` maps a document id to the user who uploaded it."""
    submitters = submitted_by or {}
    return [i for i in ids if can_read_document(viewer, reach, i, submitters.get(i))]


def filter_entities(viewer: Viewer, reach: Reach, ids: Iterable[str]) -> list[str]:
    """The readable entity ids, in the order given."""
    return [i for i in ids if can_read_entity(viewer, reach, i)]
