"""Who may change what: the written role × relation table for every casework command.

`access` says who may *read*; this says who may *write*. A command is allowed when one of the
viewer's roles holds it in the relation the table names, and the bars of `access` still apply
(a subject never acts on a case about them: `can_read_case` is false for them).

  command               role           relation    note
  --------------------  -------------  ----------  ---------------------------------------------
  open_case             supervisor     any
  add_documents         supervisor     reader      the documents must be readable too
                        investigator   assigned
  add_party             supervisor     reader
                        investigator   assigned
  record_allegation     supervisor     reader
                        investigator   assigned
  add_subject           supervisor     reader
                        investigator   assigned
  change_status         supervisor     reader
  link_cases            supervisor     reader      both cases
  assign, end_assignm.  supervisor     reader
  record_waiver         overseer       reader      the independence check on the overseer too
  raise_action          supervisor     reader
                        investigator   assigned
  complete_action       supervisor     reader
                        investigator   assigned
  record_intelligence   supervisor     reader      with or without a case
                        investigator   assigned
                        intake         any         without a case: intelligence arrives at the front desk
  compare (proposals)   supervisor     reader      unknown subjects: both subjects' cases
                        investigator   assigned
  compare_accounts      supervisor     document    same-account proposals: both documents readable
                        investigator   document
  decide_entity         supervisor     entity      merge, split: the entities must be readable
                        investigator   entity
  amend, withdraw       supervisor     document    the document must be readable
  seal                  supervisor     document    with a reason and an order reference
  schedule              supervisor     reader      CPIA schedules; MG6D also needs the identity roles' sight
  judge                 supervisor     reader      the disclosure test, with its reason
  redact                supervisor     document    a redacted copy as a new version, with a reason
  manage_staff          administrator  any         never any case content
  manage_users          administrator  any
  escalate              every role     any         raising a concern never depends on the chain of command

Relations: `any` needs no case; `reader` needs `can_read_case`; `assigned` needs a current
assignment to the case (for an investigator that is exactly what `can_read_case` allows);
`entity` and `document` need the entity or document to be readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from casetrail.model.casework import StaffRole
from casetrail.policy.access import (
    Reach,
    Viewer,
    can_read_case,
    can_read_document,
    can_read_entity,
    separation,
)


class Command(StrEnum):
    OPEN_CASE = "open_case"
    ADD_DOCUMENTS = "add_documents"
    ADD_PARTY = "add_party"
    RECORD_ALLEGATION = "record_allegation"
    ADD_SUBJECT = "add_subject"
    CHANGE_STATUS = "change_status"
    LINK_CASES = "link_cases"
    ASSIGN = "assign"
    END_ASSIGNMENT = "end_assignment"
    RECORD_WAIVER = "record_waiver"
    RAISE_ACTION = "raise_action"
    COMPLETE_ACTION = "complete_action"
    RECORD_INTELLIGENCE = "record_intelligence"
    COMPARE = "compare"
    COMPARE_ACCOUNTS = "compare_accounts"
    DECIDE_ENTITY = "decide_entity"
    AMEND = "amend"
    WITHDRAW = "withdraw"
    SEAL = "seal"
    SCHEDULE = "schedule"
    JUDGE = "judge"
    REDACT = "redact"
    MANAGE_STAFF = "manage_staff"
    MANAGE_USERS = "manage_users"
    ESCALATE = "escalate"


class Relation(StrEnum):
    ANY = "any"
    READER = "reader"
    ASSIGNED = "assigned"
    ENTITY = "entity"
    DOCUMENT = "document"


_S, _I, _O, _K, _A = (
    StaffRole.SUPERVISOR,
    StaffRole.INVESTIGATOR,
    StaffRole.OVERSEER,
    StaffRole.INTAKE,
    StaffRole.ADMINISTRATOR,
)
_CASE_WORK = {_S: Relation.READER, _I: Relation.ASSIGNED}

# The table above, row by row.
TABLE: Mapping[Command, Mapping[StaffRole, Relation]] = {
    Command.OPEN_CASE: {_S: Relation.ANY},
    Command.ADD_DOCUMENTS: _CASE_WORK,
    Command.ADD_PARTY: _CASE_WORK,
    Command.RECORD_ALLEGATION: _CASE_WORK,
    Command.ADD_SUBJECT: _CASE_WORK,
    Command.CHANGE_STATUS: {_S: Relation.READER},
    Command.LINK_CASES: {_S: Relation.READER},
    Command.ASSIGN: {_S: Relation.READER},
    Command.END_ASSIGNMENT: {_S: Relation.READER},
    Command.RECORD_WAIVER: {_O: Relation.READER},
    Command.RAISE_ACTION: _CASE_WORK,
    Command.COMPLETE_ACTION: _CASE_WORK,
    Command.RECORD_INTELLIGENCE: {**_CASE_WORK, _K: Relation.ANY},
    Command.COMPARE: _CASE_WORK,
    # Two documents may be one account before either is in a case: the documents are the relation.
    Command.COMPARE_ACCOUNTS: {_S: Relation.DOCUMENT, _I: Relation.DOCUMENT},
    Command.DECIDE_ENTITY: {_S: Relation.ENTITY, _I: Relation.ENTITY},
    Command.AMEND: {_S: Relation.DOCUMENT},
    Command.WITHDRAW: {_S: Relation.DOCUMENT},
    Command.SEAL: {_S: Relation.DOCUMENT},
    Command.SCHEDULE: {_S: Relation.READER},
    Command.JUDGE: {_S: Relation.READER},
    Command.REDACT: {_S: Relation.DOCUMENT},
    Command.MANAGE_STAFF: {_A: Relation.ANY},
    Command.MANAGE_USERS: {_A: Relation.ANY},
    Command.ESCALATE: {role: Relation.ANY for role in StaffRole},
}
# Commands that touch case content: `access.separation` applies (no administrator or auditor
# gives them). Recording intelligence only adds to the record, so intake may, without a case.
CONTENT_COMMANDS = frozenset(Command) - {
    Command.MANAGE_STAFF,
    Command.MANAGE_USERS,
    Command.ESCALATE,
    Command.RECORD_INTELLIGENCE,
}


def holds(viewer: Viewer, command: Command) -> bool:
    """Whether any of the viewer's roles may ever give this command (to show or hide a form)."""
    return not viewer.roles.isdisjoint(TABLE[command]) and (command not in CONTENT_COMMANDS or separation(viewer))


def may(
    viewer: Viewer,
    reach: Reach,
    command: Command,
    *,
    case_id: str | None = None,
    entity_ids: tuple[str, ...] = (),
    document_ids: tuple[str, ...] = (),
) -> bool:
    """Whether the viewer may give this command here: one of their roles, in its relation, and the bars."""
    if not holds(viewer, command):
        return False
    for role in viewer.roles & TABLE[command].keys():
        if _related(viewer, reach, TABLE[command][role], case_id, entity_ids, document_ids):
            return True
    return False


def _related(
    viewer: Viewer,
    reach: Reach,
    relation: Relation,
    case_id: str | None,
    entity_ids: tuple[str, ...],
    document_ids: tuple[str, ...],
) -> bool:
    if relation is Relation.ANY:
        # No case needed; but one named must be readable (intake's intelligence cannot go into any case).
        return case_id is None or can_read_case(viewer, reach, case_id)
    if relation in (Relation.READER, Relation.ASSIGNED):
        # An investigator's reach is exactly their current assignments, so reading is being assigned.
        return case_id is not None and can_read_case(viewer, reach, case_id)
    if relation is Relation.ENTITY:
        return bool(entity_ids) and all(can_read_entity(viewer, reach, e) for e in entity_ids)
    return bool(document_ids) and all(can_read_document(viewer, reach, d) for d in document_ids)
