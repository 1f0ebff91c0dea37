"""Who is looking, and the one shape every permission check takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from casetrail.model.casework import StaffRole
from casetrail.policy.access import (
    Action,
    Reach,
    Viewer,
    can_do,
    can_read_case,
    can_read_document,
    can_read_entity,
    may_reveal_identity,
    reach,
)
from casetrail.policy.permissions import Command, may

if TYPE_CHECKING:
    from casetrail.casework import Casework


@dataclass(frozen=True)
class Sight:
    """One viewer and what they can reach: every view is built from one, and asks only it."""

    viewer: Viewer
    reach: Reach
    username: str

    def case(self, case_id: str | None) -> bool:
        return case_id is not None and can_read_case(self.viewer, self.reach, case_id)

    def document(self, doc_id: str | None, submitted_by: str | None = None) -> bool:
        return doc_id is not None and can_read_document(self.viewer, self.reach, doc_id, submitted_by)

    def entity(self, entity_id: str | None) -> bool:
        return entity_id is not None and can_read_entity(self.viewer, self.reach, entity_id)

    def may(self, action: Action) -> bool:
        return can_do(self.viewer, action)

    def identity(self, case_id: str) -> bool:
        """May open a survivor's identifying details in this case (with a reason, audited)."""
        return may_reveal_identity(self.viewer, case_id, self.reach)

    def allowed(
        self,
        command: Command,
        *,
        case_id: str | None = None,
        entity_ids: tuple[str, ...] = (),
        document_ids: tuple[str, ...] = (),
    ) -> bool:
        """May give this casework command here (`policy.permissions`: the role × relation table)."""
        return may(self.viewer, self.reach, command, case_id=case_id, entity_ids=entity_ids, document_ids=document_ids)

    def oversees(self) -> bool:
        """The independent overseer, to whom full refusal reasons go."""
        return can_do(self.viewer, Action.VIEW_OVERSIGHT)

    def shown(self, entity_id: str | None) -> str | None:
        """An entity id, or None when this viewer may not open it."""
        return entity_id if self.entity(entity_id) else None


def sight_for(casework: Casework, user_id: str, username: str, roles: frozenset[str], staff_id: str | None) -> Sight:
    """A signed-in person's sight: their reach from the casebook and the policy's one set of inputs."""
    book = casework.book()
    entity_ids: frozenset[str] = frozenset()
    if staff_id and staff_id in book.staff:
        entity_ids = casework.independence.candidate(book.staff[staff_id]).entity_ids
    viewer = Viewer(user_id, frozenset(StaffRole(r) for r in roles), staff_id, entity_ids)
    case_documents, unallocated = casework.document_reach(book)
    held = casework.document_entities([*(d for docs in case_documents.values() for d in docs), *unallocated])
    found = reach(viewer, book, case_documents, held, casework.independence.participants(book), unallocated)
    return Sight(viewer, found, username)


def operator_sight(casework: Casework, username: str) -> Sight:
    """The CLI operator's sight: the whole store, as whoever holds its files already has it.

    The operator is the person at the server with the database in hand; no bar can hide from
    them what the files hold. Their exports are still built through the same views."""
    book = casework.book()
    documents = frozenset(d for case in book.cases.values() for d in case.documents)
    entities = frozenset(casework.entity_view().all_entities())  # the CLI's batch work: read now, once
    everything = Reach(frozenset(book.cases), documents, entities, frozenset())
    return Sight(Viewer(f"cli:{username}", frozenset({StaffRole.SUPERVISOR}), None), everything, username)
