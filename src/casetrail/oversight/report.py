"""The oversight report: what was known, when, and what was done about it.

For every intelligence item: what it said and where it came from, when it was received and
when it was recorded, the date an action was due, every action raised for it (who owned it,
when it was due, when and how it was completed), how many days passed from receipt to the
first action, whether that was late, and every escalation. Actions not raised for intelligence
follow, then totals. `build_report` gives JSON-ready data; `render_report` gives plain text an
inquiry panel, a complainant's solicitor or a journalist can read without a programmer.

The casebook says what was recorded; `now` only decides what is overdue. To see the record as
it stood on some earlier day, replay the ledger up to that day and pass that day as `now`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from casetrail.model.casework import (
    Action,
    Casebook,
    Escalation,
    Intelligence,
    parse_instant,
)
from casetrail.oversight.deadlines import (
    ACTION_OVERDUE,
    INTELLIGENCE_WITHOUT_ACTION,
    as_utc,
    count_days_late,
    has_passed,
)

# Intelligence item statuses.
ACTIONED_ON_TIME = "actioned_on_time"
ACTIONED_LATE = "actioned_late"
OVERDUE = "overdue"  # no action raised, and the due date has passed
AWAITING_ACTION = "awaiting_action"  # no action raised yet, not yet due
# Action statuses.
COMPLETED_ON_TIME = "completed_on_time"
COMPLETED_LATE = "completed_late"
OPEN = "open"


def _escalations(book: Casebook, item_id: str) -> list[dict[str, Any]]:
    found: list[Escalation] = sorted(book.escalations_for(item_id), key=lambda e: (parse_instant(e.at), e.leaf))
    return [{"at": e.at, "reason": e.reason, "due": e.due, "to": e.to} for e in found]


def _action(book: Casebook, action: Action, now: datetime) -> dict[str, Any]:
    if action.completed_at is not None:
        late_by = count_days_late(action.due, parse_instant(action.completed_at))
        status = COMPLETED_LATE if late_by else COMPLETED_ON_TIME
    else:
        late_by = count_days_late(action.due, now)
        status = OVERDUE if has_passed(action.due, now) else OPEN
    return {
        "id": action.id,
        "case": action.case_id,
        "intelligence": action.intelligence_id,
        "description": action.description,
        "owner": action.owner,
        "raised_at": action.raised_at,
        "raised_by": action.raised_by,
        "due": action.due,
        "completed_at": action.completed_at,
        "completed_by": action.completed_by,
        "result": action.result,
        "status": status,
        "late": status in (COMPLETED_LATE, OVERDUE),
        "days_late": late_by,
        "escalations": _escalations(book, action.id),
    }


def _intelligence(book: Casebook, item: Intelligence, now: datetime) -> dict[str, Any]:
    actions = sorted(book.actions_for(item.id), key=lambda a: (parse_instant(a.raised_at), a.id))
    first = actions[0].raised_at if actions else None
    if first is not None:
        # Calendar days in UTC: received on the 2nd and acted on the 9th is 7 days.
        days_to_first = (parse_instant(first).date() - parse_instant(item.received_at).date()).days
        late_by = count_days_late(item.action_due, parse_instant(first))
        status = ACTIONED_LATE if late_by else ACTIONED_ON_TIME
    else:
        days_to_first = None
        late_by = count_days_late(item.action_due, now)
        status = OVERDUE if has_passed(item.action_due, now) else AWAITING_ACTION
    return {
        "id": item.id,
        "case": item.case_id,
        "document": item.document_id,
        "summary": item.summary,
        "received_at": item.received_at,
        "recorded_at": item.recorded_at,
        "recorded_by": item.recorded_by,
        "action_due": item.action_due,
        "actions": [_action(book, a, now) for a in actions],
        "first_action_at": first,
        "days_to_first_action": days_to_first,
        "status": status,
        "late": status in (ACTIONED_LATE, OVERDUE),
        "days_late": late_by,
        "escalations": _escalations(book, item.id),
    }


def build_report(
    book: Casebook, now: datetime, case_id: str | None = None, visible: Callable[[str | None], bool] | None = None
) -> dict[str, Any]:
    """The report as JSON-ready data, for one case or (case_id None) for everything; `visible`
    keeps only the items whose case (None: no case) it accepts, totals included."""

    def wanted(item_case: str | None) -> bool:
        return (case_id is None or item_case == case_id) and (visible is None or visible(item_case))

    items = sorted(
        (i for i in book.intelligence.values() if wanted(i.case_id)), key=lambda i: (parse_instant(i.received_at), i.id)
    )
    shown = {i.id for i in items}
    # An action whose intelligence item is not in this report (another case, or a dangling id)
    # is listed on its own rather than lost.
    standalone = sorted(
        (a for a in book.actions.values() if wanted(a.case_id) and a.intelligence_id not in shown),
        key=lambda a: (parse_instant(a.raised_at), a.id),
    )
    intelligence = [_intelligence(book, i, now) for i in items]
    actions = [_action(book, a, now) for a in standalone]
    every_action = [a for i in intelligence for a in i["actions"]] + actions
    statuses = [i["status"] for i in intelligence]
    escalations = sum(len(i["escalations"]) for i in intelligence) + sum(len(a["escalations"]) for a in every_action)
    return {
        "generated_at": as_utc(now).isoformat(),
        "case": case_id,
        "intelligence": intelligence,
        "actions": actions,
        "totals": {
            "items": len(intelligence),
            "actioned_on_time": statuses.count(ACTIONED_ON_TIME),
            "actioned_late": statuses.count(ACTIONED_LATE),
            "never_actioned": statuses.count(OVERDUE) + statuses.count(AWAITING_ACTION),
            "overdue_without_action": statuses.count(OVERDUE),
            "actions": len(every_action),
            "actions_overdue": sum(a["status"] == OVERDUE for a in every_action),
            "actions_completed_late": sum(a["status"] == COMPLETED_LATE for a in every_action),
            "escalations": escalations,
        },
    }


# -- plain text ------------------------------------------------------------------------------

_REASONS = {
    INTELLIGENCE_WITHOUT_ACTION: "no action had been raised by the deadline",
    ACTION_OVERDUE: "the action had not been completed by its due date",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _when(text: str | None) -> str:
    """ "2 January 2025" for a date, "2 January 2025, 09:30 UTC" for a moment; raw if unreadable."""
    if not text:
        return "unknown"
    try:
        moment = parse_instant(text)
    except ValueError:
        return text
    day = f"{moment.day} {moment:%B %Y}"
    return day if len(text) == 10 else f"{day}, {moment:%H:%M} UTC"


def _deadline(text: str) -> str:
    return f"the end of {_when(text)}" if len(text) == 10 else _when(text)


def _escalation_lines(escalations: list[dict[str, Any]], indent: str, say_never: bool) -> list[str]:
    if not escalations:
        return [f"{indent}Not escalated."] if say_never else []
    return [
        f"{indent}Escalated {_when(e['at'])} to the {e['to']}: {_REASONS.get(e['reason'], e['reason'])}."
        for e in escalations
    ]


def _action_lines(action: dict[str, Any], indent: str) -> list[str]:
    case = f" (case {action['case']})" if action["case"] else ""
    lines = [
        f"{indent}Action {action['id']}{case}: {action['description']}",
        f"{indent}  Raised {_when(action['raised_at'])} by {action['raised_by']}; owner {action['owner']}; "
        f"due by {_deadline(action['due'])}.",
    ]
    late = _plural(action["days_late"], "day")
    if action["status"] == COMPLETED_ON_TIME:
        lines.append(f"{indent}  Completed {_when(action['completed_at'])}, on time: {action['result']}")
    elif action["status"] == COMPLETED_LATE:
        lines.append(f"{indent}  Completed {_when(action['completed_at'])}, {late} LATE: {action['result']}")
    elif action["status"] == OVERDUE:
        lines.append(f"{indent}  NOT COMPLETED: {late} overdue.")
    else:
        lines.append(f"{indent}  Not completed yet; not yet due.")
    return lines + _escalation_lines(action["escalations"], indent + "  ", say_never=False)


def _item_lines(item: dict[str, Any]) -> list[str]:
    where = ", ".join(
        p for p in (item["case"] and f"case {item['case']}", item["document"] and f"document {item['document']}") if p
    )
    lines = [
        f"Intelligence {item['id']}" + (f" ({where})" if where else " (no case)"),
        f"  What was known: {item['summary'] or '(no summary recorded)'}",
        f"  Received {_when(item['received_at'])}; recorded {_when(item['recorded_at'])} by {item['recorded_by']}.",
        f"  An action had to be raised by {_deadline(item['action_due'])}.",
    ]
    if item["actions"]:
        days = _plural(item["days_to_first_action"], "day")
        if item["status"] == ACTIONED_LATE:
            verdict = f"LATE, {_plural(item['days_late'], 'day')} after the deadline"
        else:
            verdict = "in time"
        lines.append(f"  First action raised {_when(item['first_action_at'])}, {days} after receipt: {verdict}.")
        lines.append("  What was done:")
        for action in item["actions"]:
            lines += _action_lines(action, "    ")
    elif item["status"] == OVERDUE:
        overdue = _plural(item["days_late"], "day")
        lines.append(f"  What was done: NOTHING. No action has been raised; {overdue} overdue.")
    else:
        lines.append("  What was done: no action raised yet; the deadline has not passed.")
    return lines + _escalation_lines(item["escalations"], "  ", say_never=True)


def render_report(report: dict[str, Any]) -> str:
    """The report as plain text: a heading, the totals, then one block per item."""
    t = report["totals"]
    scope = f"case {report['case']}" if report["case"] else "all cases"
    lines = [
        f"Oversight report for {scope}: what was known, when, and what was done",
        f"As of {_when(report['generated_at'])}.",
        "",
        f"In total: {_plural(t['items'], 'intelligence item')}. Acted on in time: {t['actioned_on_time']}. "
        f"Acted on late: {t['actioned_late']}. Never acted on: {t['never_actioned']} "
        f"({t['overdue_without_action']} of them past the deadline).",
        f"{_plural(t['actions'], 'action')}: {t['actions_overdue']} overdue, {t['actions_completed_late']} completed "
        f"late. {_plural(t['escalations'], 'escalation')} to the overseer.",
    ]
    for item in report["intelligence"]:
        lines += ["", *_item_lines(item)]
    if report["actions"]:
        lines += ["", "Actions not raised for an intelligence item:"]
        for action in report["actions"]:
            lines += ["", *_action_lines(action, "  ")]
    if not report["intelligence"] and not report["actions"]:
        lines += ["", "Nothing has been recorded."]
    return "\n".join(lines) + "\n"


# Buckets for the time-to-action charts: (label, lowest day, highest day); None is open-ended.
DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("same day", 0, 0),
    ("1–7 days", 1, 7),
    ("8–14 days", 8, 14),
    ("15–30 days", 15, 30),
    ("31–90 days", 31, 90),
    ("over 90 days", 91, None),
)


def time_to_action(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The dashboard's two charts, from a report: how long intelligence waited for its first action
    (and how much never got one), and how late actions were completed (and how many are open late)."""

    def bucket(days: int) -> str:
        return next(label for label, low, high in DAY_BUCKETS if days >= low and (high is None or days <= high))

    waited: dict[str, int] = {label: 0 for label, _, _ in DAY_BUCKETS}
    never = 0
    for item in report["intelligence"]:
        if item["days_to_first_action"] is None:
            never += item["status"] == OVERDUE
        else:
            waited[bucket(max(0, item["days_to_first_action"]))] += 1
    every_action = [a for i in report["intelligence"] for a in i["actions"]] + report["actions"]
    lateness = {"on time": sum(a["status"] == COMPLETED_ON_TIME for a in every_action)}
    for label, _, _ in DAY_BUCKETS[1:]:
        lateness[f"{label} late"] = 0
    open_late = 0
    for action in every_action:
        if action["status"] == COMPLETED_LATE:
            lateness[f"{bucket(max(1, action['days_late']))} late"] += 1
        open_late += action["status"] == OVERDUE
    return {
        "intelligence_to_first_action": [{"label": k, "count": v} for k, v in waited.items()]
        + [{"label": "never, now overdue", "count": never, "alarm": True}],
        "action_completion": [{"label": k, "count": v} for k, v in lateness.items()]
        + [{"label": "open, overdue", "count": open_late, "alarm": True}],
    }
