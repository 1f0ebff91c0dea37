"""What is overdue, and what still has to be escalated."""

from __future__ import annotations

from datetime import datetime

import pytest

from casetrail.oversight.deadlines import (
    ACTION_OVERDUE,
    INTELLIGENCE_WITHOUT_ACTION,
    Overdue,
    due_escalations,
    find_overdue,
)
from tests.oversight.events import (
    action,
    book,
    completed,
    escalation,
    intelligence,
    moment,
)

INTEL = intelligence("I-0001", "2025-01-02T09:30:00Z", "2025-01-09", summary="Report of a girl in a police car")


@pytest.mark.parametrize(
    ("now", "days"),
    [
        ("2025-01-09T00:00:00Z", None),
        ("2025-01-09T23:59:59.999999Z", None),  # due today: not overdue until the day ends
        ("2025-01-10T00:00:00Z", 1),
        ("2025-01-10T23:59:59Z", 1),
        ("2025-01-12T08:00:00Z", 3),
    ],
)
def test_intelligence_without_action(now: str, days: int | None) -> None:
    found = find_overdue(book(INTEL), moment(now))
    if days is None:
        assert found == []
    else:
        assert found == [
            Overdue(
                "I-0001",
                INTELLIGENCE_WITHOUT_ACTION,
                "2025-01-09",
                "C-0001",
                None,
                days,
                "Report of a girl in a police car",
            )
        ]


def test_now_in_another_timezone_or_naive() -> None:
    # 00:30 on the 10th in UTC+1 is still the 9th in UTC.
    assert find_overdue(book(INTEL), datetime.fromisoformat("2025-01-10T00:30:00+01:00")) == []
    assert [o.item_id for o in find_overdue(book(INTEL), datetime(2025, 1, 10, 0, 30))] == ["I-0001"]


def test_intelligence_actioned_in_time_is_not_overdue() -> None:
    raised = action("A-0001", "2025-01-05T10:00:00Z", "2025-03-01", intelligence="I-0001")
    assert find_overdue(book(INTEL, raised), moment("2025-02-01T00:00:00Z")) == []


def test_intelligence_actioned_late_is_no_longer_overdue() -> None:
    late = action("A-0001", "2025-01-15T10:00:00Z", "2025-01-20", intelligence="I-0001")
    assert find_overdue(book(INTEL, late), moment("2025-01-16T00:00:00Z")) == []
    # ... though its action, left open, falls due in turn.
    [overdue] = find_overdue(book(INTEL, late), moment("2025-01-22T09:00:00Z"))
    assert (overdue.item_id, overdue.reason, overdue.days_overdue) == ("A-0001", ACTION_OVERDUE, 2)


def test_open_action_past_due() -> None:
    raised = action("A-0001", "2025-01-02T10:00:00Z", "2025-01-09", case=None, owner="S-0004")
    assert find_overdue(book(raised), moment("2025-01-09T23:59:59Z")) == []
    [overdue] = find_overdue(book(raised), moment("2025-01-10T00:00:01Z"))
    assert overdue == Overdue(
        "A-0001", ACTION_OVERDUE, "2025-01-09", None, "S-0004", 1, "Trace the caller and take a statement"
    )


def test_action_due_at_a_moment() -> None:
    raised = action("A-0001", "2025-01-02T10:00:00Z", "2025-01-09T12:00:00Z")
    assert find_overdue(book(raised), moment("2025-01-09T12:00:00Z")) == []
    assert [o.days_overdue for o in find_overdue(book(raised), moment("2025-01-09T12:00:01Z"))] == [1]


@pytest.mark.parametrize("done", ["2025-01-08T10:00:00Z", "2025-01-30T10:00:00Z"])  # on time, and late
def test_completed_actions_are_never_overdue(done: str) -> None:
    events = (action("A-0001", "2025-01-02T10:00:00Z", "2025-01-09"), completed("A-0001", done))
    assert find_overdue(book(*events), moment("2030-01-01T00:00:00Z")) == []


def test_sorted_by_days_overdue_then_id() -> None:
    events = (
        intelligence("I-0002", "2025-01-01T09:00:00Z", "2025-01-08"),
        action("A-0002", "2025-01-01T09:00:00Z", "2025-01-10"),
        action("A-0001", "2025-01-01T09:00:00Z", "2025-01-10"),
        intelligence("I-0001", "2025-01-05T09:00:00Z", "2025-01-12"),
    )
    found = find_overdue(book(*events), moment("2025-01-15T12:00:00Z"))
    assert [(o.item_id, o.days_overdue) for o in found] == [("I-0002", 7), ("A-0001", 5), ("A-0002", 5), ("I-0001", 3)]


def test_due_escalations_skip_what_was_escalated_for_the_same_reason() -> None:
    events = (
        INTEL,
        intelligence("I-0002", "2025-01-03T09:00:00Z", "2025-01-10"),
        action("A-0001", "2025-01-02T10:00:00Z", "2025-01-09"),
        escalation("I-0001", INTELLIGENCE_WITHOUT_ACTION, "2025-01-09", "2025-01-10T06:00:00Z"),
        escalation("A-0001", INTELLIGENCE_WITHOUT_ACTION, "2025-01-09", "2025-01-10T06:00:00Z"),  # another reason
    )
    now = moment("2025-01-14T00:00:00Z")
    assert [o.item_id for o in find_overdue(book(*events), now)] == ["A-0001", "I-0001", "I-0002"]
    assert [(o.item_id, o.reason) for o in due_escalations(book(*events), now)] == [
        ("A-0001", ACTION_OVERDUE),
        ("I-0002", INTELLIGENCE_WITHOUT_ACTION),
    ]
    later = book(
        *events,
        escalation("A-0001", ACTION_OVERDUE, "2025-01-09", "2025-01-14T00:00:00Z"),
        escalation("I-0002", INTELLIGENCE_WITHOUT_ACTION, "2025-01-10", "2025-01-14T00:00:00Z"),
    )
    assert due_escalations(later, now) == []


def test_to_json() -> None:
    [overdue] = find_overdue(book(INTEL), moment("2025-01-11T00:00:00Z"))
    assert overdue.to_json() == {
        "item_id": "I-0001",
        "reason": "intelligence_without_action",
        "due": "2025-01-09",
        "case_id": "C-0001",
        "owner": None,
        "days_overdue": 2,
        "description": "Report of a girl in a police car",
    }
