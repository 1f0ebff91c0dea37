"""The overseer's dashboard, built from the cases and documents the overseer may read.

Every list and every total counts only items whose case the overseer may read (items with no
case are the overseer's by remit). An alert names a subject: it is shown only to those who may
open that entity, and lists only the cases and documents they may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from casetrail.oversight.report import time_to_action
from casetrail.views.sight import Sight

if TYPE_CHECKING:
    from casetrail.casework import Casework


@dataclass(frozen=True)
class OverdueLine:
    item_id: str
    reason: str
    due: str
    case_id: str | None
    owner: str | None
    days_overdue: int
    description: str


@dataclass(frozen=True)
class AlertLine:
    entity_id: str
    name: str
    independent: int
    threshold: int
    at: str
    cases: tuple[str, ...]
    documents: tuple[str, ...]


@dataclass(frozen=True)
class EscalationLine:
    item: str
    reason: str
    at: str
    case: str | None


@dataclass(frozen=True)
class OversightView:
    overdue: tuple[OverdueLine, ...]
    report: dict[str, Any]
    unacted: tuple[dict[str, Any], ...]
    charts: dict[str, Any]
    alerts: tuple[AlertLine, ...]
    escalations: tuple[EscalationLine, ...]


def _case_visible(sight: Sight, case_id: str | None) -> bool:
    return case_id is None or sight.case(case_id)


def build_oversight_view(sight: Sight, casework: Casework, now: datetime | None = None) -> OversightView:
    book = casework.book()
    moment = now or datetime.now(UTC)
    report = casework.report(moment, visible=lambda c: _case_visible(sight, c))
    # the one check, made once for the viewer: an alert can list thousands of documents
    readable = casework.readable_set(sight.viewer, sight.reach)
    for item in report["intelligence"]:
        item["document"] = item["document"] if item["document"] in readable else None
    overdue = tuple(
        OverdueLine(o.item_id, o.reason, o.due, o.case_id, o.owner, o.days_overdue, o.description)
        for o in casework.overdue(moment)
        if _case_visible(sight, o.case_id)
    )
    alerts = tuple(
        AlertLine(
            a.key,
            str(a.detail.get("name", "")),
            int(a.detail.get("independent", 0)),
            int(a.detail.get("threshold", 0)),
            a.at,
            tuple(c for c in a.detail.get("cases", []) if sight.case(c)),
            tuple(d for d in a.detail.get("documents", []) if d in readable),
        )
        for a in book.alerts
        if sight.entity(a.key)
    )
    escalations = tuple(
        EscalationLine(e.item_id, e.reason, e.at, e.case_id)
        for e in book.escalations
        if _case_visible(sight, e.case_id)
    )
    unacted = tuple(i for i in report["intelligence"] if not i["actions"])
    return OversightView(overdue, report, unacted, time_to_action(report), alerts, escalations)
