"""The report: what was known, when, and what was done, as data and as plain text."""

from __future__ import annotations

import json
from typing import Any

from casetrail.model.casework import Casebook
from casetrail.oversight.deadlines import (
    ACTION_OVERDUE,
    INTELLIGENCE_WITHOUT_ACTION,
    find_overdue,
)
from casetrail.oversight.report import build_report, render_report, time_to_action
from tests.oversight.events import (
    action,
    book,
    completed,
    escalation,
    intelligence,
    moment,
)

NOW = moment("2025-02-01T12:00:00Z")
EVENTS = (
    # Acted on late: received on the 2nd, due by the end of the 9th, first action on the 15th.
    intelligence(
        "I-0001",
        "2025-01-02T09:30:00Z",
        "2025-01-09",
        document="D-000004",
        summary="Youth worker reports girls seen getting into a marked car",
        recorded="2025-01-03T10:00:00Z",
    ),
    escalation("I-0001", INTELLIGENCE_WITHOUT_ACTION, "2025-01-09", "2025-01-10T06:00:00Z"),
    action("A-0001", "2025-01-15T11:00:00Z", "2025-01-20", intelligence="I-0001", description="Identify the car"),
    completed("A-0001", "2025-01-22T16:00:00Z", "Car traced to the Northmoor fleet"),
    # Acted on in time, but the action is still open past its due date.
    intelligence("I-0002", "2025-01-05T08:00:00Z", "2025-01-12"),
    action("A-0002", "2025-01-06T09:00:00Z", "2025-01-20", intelligence="I-0002"),
    # Never acted on, and overdue; never acted on, not yet due.
    intelligence("I-0003", "2025-01-20T14:00:00Z", "2025-01-27", summary="Anonymous letter naming a sergeant"),
    intelligence("I-0004", "2025-01-30T14:00:00Z", "2025-02-06", summary=""),
    # Another case, and an action raised on its own.
    intelligence("I-0005", "2025-01-01T00:00:00Z", "2025-01-08", case="C-0002"),
    action("A-0003", "2025-01-07T09:00:00Z", "2025-01-14", description="Secure the custody CCTV"),
    completed("A-0003", "2025-01-10T09:00:00Z", "CCTV copied and sealed"),
)


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def test_what_was_known_when_and_what_was_done() -> None:
    report = build_report(book(*EVENTS), NOW, "C-0001")
    items = by_id(report["intelligence"])
    assert list(items) == ["I-0001", "I-0002", "I-0003", "I-0004"]  # in order of receipt, C-0002 left out
    first = items["I-0001"]
    assert {k: first[k] for k in ("id", "case", "document", "summary", "received_at", "recorded_at", "action_due")} == {
        "id": "I-0001",
        "case": "C-0001",
        "document": "D-000004",
        "summary": "Youth worker reports girls seen getting into a marked car",
        "received_at": "2025-01-02T09:30:00Z",
        "recorded_at": "2025-01-03T10:00:00Z",
        "action_due": "2025-01-09",
    }
    assert (first["days_to_first_action"], first["late"], first["days_late"]) == (13, True, 6)
    assert first["status"] == "actioned_late"
    [raised] = first["actions"]
    assert {k: raised[k] for k in ("id", "raised_at", "owner", "due", "completed_at", "result")} == {
        "id": "A-0001",
        "raised_at": "2025-01-15T11:00:00Z",
        "owner": "S-0002",
        "due": "2025-01-20",
        "completed_at": "2025-01-22T16:00:00Z",
        "result": "Car traced to the Northmoor fleet",
    }
    assert (raised["status"], raised["days_late"]) == ("completed_late", 2)
    assert first["escalations"] == [
        {"at": "2025-01-10T06:00:00Z", "reason": INTELLIGENCE_WITHOUT_ACTION, "due": "2025-01-09", "to": "overseer"}
    ]

    second = items["I-0002"]
    assert (second["days_to_first_action"], second["late"], second["status"]) == (1, False, "actioned_on_time")
    assert (second["actions"][0]["status"], second["actions"][0]["days_late"]) == ("overdue", 12)
    third = items["I-0003"]
    assert (third["status"], third["days_to_first_action"], third["late"]) == ("overdue", None, True)
    assert (items["I-0004"]["status"], items["I-0004"]["late"]) == ("awaiting_action", False)

    [alone] = report["actions"]
    assert (alone["id"], alone["status"], alone["result"], alone["escalations"]) == (
        "A-0003",
        "completed_on_time",
        "CCTV copied and sealed",
        [],
    )
    assert report["totals"] == {
        "items": 4,
        "actioned_on_time": 1,
        "actioned_late": 1,
        "never_actioned": 2,
        "overdue_without_action": 1,
        "actions": 3,
        "actions_overdue": 1,
        "actions_completed_late": 1,
        "escalations": 1,
    }
    json.dumps(report)  # JSON-ready as it stands


def test_the_report_agrees_with_the_deadlines() -> None:
    casebook = book(*EVENTS)
    report = build_report(casebook, NOW)
    overdue = {(o.item_id, o.reason) for o in find_overdue(casebook, NOW)}
    shown = {(i["id"], INTELLIGENCE_WITHOUT_ACTION) for i in report["intelligence"] if i["status"] == "overdue"}
    every_action = [a for i in report["intelligence"] for a in i["actions"]] + report["actions"]
    shown |= {(a["id"], ACTION_OVERDUE) for a in every_action if a["status"] == "overdue"}
    assert (
        shown
        == overdue
        == {
            ("I-0003", INTELLIGENCE_WITHOUT_ACTION),
            ("I-0005", INTELLIGENCE_WITHOUT_ACTION),
            ("A-0002", ACTION_OVERDUE),
        }
    )


def test_whole_book_and_escalated_actions() -> None:
    events = (*EVENTS, escalation("A-0002", ACTION_OVERDUE, "2025-01-20", "2025-01-21T06:00:00Z"))
    report = build_report(book(*events), NOW)
    assert [i["id"] for i in report["intelligence"]] == ["I-0005", "I-0001", "I-0002", "I-0003", "I-0004"]
    assert report["case"] is None and report["totals"]["escalations"] == 2
    assert by_id(report["intelligence"])["I-0002"]["actions"][0]["escalations"][0]["reason"] == ACTION_OVERDUE


def test_an_action_whose_intelligence_is_elsewhere_is_not_lost() -> None:
    events = (
        intelligence("I-0001", "2025-01-02T09:30:00Z", "2025-01-09", case=None),
        action("A-0001", "2025-01-03T09:00:00Z", "2025-01-10", intelligence="I-0001", case="C-0001"),
    )
    report = build_report(book(*events), NOW, "C-0001")
    assert report["intelligence"] == [] and [a["id"] for a in report["actions"]] == ["A-0001"]


def test_due_today_is_not_late_in_the_report() -> None:
    events = (
        intelligence("I-0001", "2025-01-02T09:30:00Z", "2025-01-09"),
        action("A-0001", "2025-01-09T23:59:00Z", "2025-01-09", intelligence="I-0001"),
    )
    report = build_report(book(*events), moment("2025-01-09T23:59:30Z"))
    [item] = report["intelligence"]
    assert (item["status"], item["late"], item["days_to_first_action"]) == ("actioned_on_time", False, 7)
    assert item["actions"][0]["status"] == "open"


def test_render_is_readable() -> None:
    text = render_report(build_report(book(*EVENTS), NOW, "C-0001"))
    assert text.startswith("Oversight report for case C-0001: what was known, when, and what was done\n")
    assert "As of 1 February 2025, 12:00 UTC." in text
    blocks = text.split("\n\n")
    assert [b.splitlines()[0] for b in blocks if b.startswith("Intelligence ")] == [
        "Intelligence I-0001 (case C-0001, document D-000004)",
        "Intelligence I-0002 (case C-0001)",
        "Intelligence I-0003 (case C-0001)",
        "Intelligence I-0004 (case C-0001)",
    ]
    first = next(b for b in blocks if b.startswith("Intelligence I-0001"))
    assert "What was known: Youth worker reports girls seen getting into a marked car" in first
    assert "Received 2 January 2025, 09:30 UTC; recorded 3 January 2025, 10:00 UTC by S-0001." in first
    assert "An action had to be raised by the end of 9 January 2025." in first
    assert "13 days after receipt: LATE, 6 days after the deadline." in first
    assert "Completed 22 January 2025, 16:00 UTC, 2 days LATE: Car traced to the Northmoor fleet" in first
    assert "Escalated 10 January 2025, 06:00 UTC to the overseer: no action had been raised by the deadline." in first
    assert "What was done: NOTHING. No action has been raised; 5 days overdue." in text
    assert "(no summary recorded)" in text
    assert "NOT COMPLETED: 12 days overdue." in text
    assert "Actions not raised for an intelligence item:" in text and "Secure the custody CCTV" in text
    assert "{" not in text and "None" not in text  # no stray data structures


def test_render_an_empty_book() -> None:
    text = render_report(build_report(Casebook(), NOW))
    assert "In total: 0 intelligence items." in text and "Nothing has been recorded." in text


def test_time_to_action_charts_count_each_item_once_in_its_bucket() -> None:
    charts = time_to_action(build_report(book(*EVENTS), NOW, "C-0001"))
    waited = {b["label"]: b["count"] for b in charts["intelligence_to_first_action"]}
    # I-0001 waited 13 days, I-0002 one day; I-0003 never acted on and overdue; I-0004 not yet due (not shown)
    assert waited == {
        "same day": 0,
        "1–7 days": 1,
        "8–14 days": 1,
        "15–30 days": 0,
        "31–90 days": 0,
        "over 90 days": 0,
        "never, now overdue": 1,
    }
    done = {b["label"]: b["count"] for b in charts["action_completion"]}
    # A-0001 completed 2 days late, A-0003 on time, A-0002 open past its due date
    assert done == {
        "on time": 1,
        "1–7 days late": 1,
        "8–14 days late": 0,
        "15–30 days late": 0,
        "31–90 days late": 0,
        "over 90 days late": 0,
        "open, overdue": 1,
    }
    assert [b.get("alarm", False) for b in charts["action_completion"]][-1] is True
