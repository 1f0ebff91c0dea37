"""The write table, checked against hand-written expectations for each kind of viewer."""

from __future__ import annotations

import pytest

from casetrail.model.casework import StaffRole
from casetrail.policy.access import Reach, Viewer
from casetrail.policy.permissions import TABLE, Command, holds, may

REACH = Reach(frozenset({"C-0001"}), frozenset({"D-000001"}), frozenset({"E-1"}), subject_of=frozenset({"C-0002"}))


def viewer(*roles: StaffRole) -> Viewer:
    return Viewer("u", frozenset(roles), "S-0001")


@pytest.mark.parametrize(
    ("roles", "command", "where", "expected"),
    [
        ((StaffRole.SUPERVISOR,), Command.OPEN_CASE, {}, True),
        ((StaffRole.INVESTIGATOR,), Command.OPEN_CASE, {}, False),
        ((StaffRole.INVESTIGATOR,), Command.RAISE_ACTION, {"case_id": "C-0001"}, True),
        ((StaffRole.INVESTIGATOR,), Command.RAISE_ACTION, {"case_id": "C-0003"}, False),
        ((StaffRole.SUPERVISOR,), Command.ASSIGN, {"case_id": "C-0002"}, False),  # a subject of it
        ((StaffRole.OVERSEER,), Command.RECORD_WAIVER, {"case_id": "C-0001"}, True),
        ((StaffRole.SUPERVISOR,), Command.RECORD_WAIVER, {"case_id": "C-0001"}, False),
        ((StaffRole.SUPERVISOR,), Command.SEAL, {"document_ids": ("D-000001",)}, True),
        ((StaffRole.SUPERVISOR,), Command.SEAL, {"document_ids": ("D-000009",)}, False),
        ((StaffRole.INVESTIGATOR,), Command.DECIDE_ENTITY, {"entity_ids": ("E-1", "E-2")}, False),
        ((StaffRole.ADMINISTRATOR,), Command.MANAGE_USERS, {}, True),
        ((StaffRole.ADMINISTRATOR, StaffRole.SUPERVISOR), Command.ASSIGN, {"case_id": "C-0001"}, False),  # separation
        ((StaffRole.INTAKE,), Command.RECORD_INTELLIGENCE, {}, True),
        ((StaffRole.AUDITOR,), Command.ESCALATE, {}, True),
        ((StaffRole.AUDITOR,), Command.RAISE_ACTION, {"case_id": "C-0001"}, False),
        ((StaffRole.SUPERVISOR,), Command.SCHEDULE, {"case_id": "C-0001"}, True),
        ((StaffRole.INVESTIGATOR,), Command.SCHEDULE, {"case_id": "C-0001"}, False),
        ((StaffRole.SUPERVISOR,), Command.JUDGE, {"case_id": "C-0002"}, False),  # a subject of it
        ((StaffRole.OVERSEER,), Command.JUDGE, {"case_id": "C-0001"}, False),
        ((StaffRole.SUPERVISOR,), Command.REDACT, {"document_ids": ("D-000001",)}, True),
        ((StaffRole.SUPERVISOR,), Command.REDACT, {"document_ids": ("D-000009",)}, False),
    ],
)
def test_the_write_table(
    roles: tuple[StaffRole, ...], command: Command, where: dict[str, object], expected: bool
) -> None:
    assert may(viewer(*roles), REACH, command, **where) is expected  # type: ignore[arg-type]


def test_every_command_has_a_row_and_administrators_hold_no_content_command() -> None:
    assert set(TABLE) == set(Command)
    admin = viewer(StaffRole.ADMINISTRATOR)
    assert {c for c in Command if holds(admin, c)} == {Command.MANAGE_STAFF, Command.MANAGE_USERS, Command.ESCALATE}
