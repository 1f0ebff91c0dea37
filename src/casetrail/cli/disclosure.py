"""`casetrail disclosure schedule|judge|show|export`: CPIA schedules of unused material.

A thin shell over `casetrail.casework.disclosure` (the events) and `casetrail.views.disclosure`
(what is shown and bundled). The CLI runs as the store's operator (`operator_sight`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from casetrail.casework import Casework
from casetrail.casework.disclosure import judge_item, read_disclosure, schedule_item
from casetrail.cli.app import app, fail, out, run
from casetrail.cli.casework import DEFAULT_BY, By, Format, open_casework
from casetrail.errors import CaseworkError
from casetrail.model.disclosure import Schedule
from casetrail.views import as_json
from casetrail.views.disclosure import (
    ScheduleView,
    build_schedule_view,
    export_schedules,
    pdf_name,
    schedules_pdf,
)
from casetrail.views.sight import operator_sight

disclosure_app = typer.Typer(
    help="CPIA disclosure: schedules of unused material (MG6C, MG6D) and the disclosure test.", no_args_is_help=True
)
app.add_typer(disclosure_app, name="disclosure")

SCHEDULES = {
    "non-sensitive": Schedule.NON_SENSITIVE,
    "mg6c": Schedule.NON_SENSITIVE,
    "sensitive": Schedule.SENSITIVE,
    "mg6d": Schedule.SENSITIVE,
}


@disclosure_app.command("schedule")
def disclosure_schedule(
    case_id: str,
    document_id: str,
    description: Annotated[str, typer.Option(help="What the item is, well enough for the prosecutor to judge it.")],
    schedule: Annotated[str, typer.Option(help="non-sensitive (MG6C) or sensitive (MG6D).")] = "non-sensitive",
    reason: Annotated[str | None, typer.Option(help="Why it is sensitive (MG6D only).")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Put a case document on a schedule of unused material, or change its entry."""
    chosen = SCHEDULES.get(schedule.casefold())
    if chosen is None:
        fail("--schedule must be non-sensitive (MG6C) or sensitive (MG6D)")
        return
    item = run(
        lambda: schedule_item(open_casework(), case_id, document_id, chosen, description, by, sensitivity_reason=reason)
    )
    out.print(f"{item.id} {document_id} on {item.current.schedule.form} (revision {len(item.revisions)})", markup=False)


@disclosure_app.command("judge")
def disclosure_judge(
    item_id: str,
    reason: Annotated[str, typer.Option(help="Why the item does or does not meet the disclosure test.")],
    meets_test: Annotated[
        bool,
        typer.Option(
            "--meets-test/--does-not-meet-test", help="Might it undermine the prosecution or assist the defence?"
        ),
    ],
    by: By = DEFAULT_BY,
) -> None:
    """Record the disclosure test's outcome for an item, with its reason and author."""
    item = run(lambda: judge_item(open_casework(), item_id, meets_test, reason, by))
    verdict = "meets the test" if meets_test else "does not meet the test"
    out.print(f"{item.id} {verdict} (judgement {len(item.judgements)})", markup=False)


def _view(casework: Casework, case_id: str) -> ScheduleView:
    if case_id not in casework.book().cases:
        raise CaseworkError(f"no case {case_id!r}; see `casetrail case list`")
    return build_schedule_view(operator_sight(casework, DEFAULT_BY), casework, read_disclosure(casework), case_id)


@disclosure_app.command("show")
def disclosure_show(case_id: str, format: Format = "table") -> None:
    """Both schedules of a case, each item with its latest judgement."""
    casework = open_casework()
    view = run(lambda: _view(casework, case_id))
    if format == "json":
        out.print(json.dumps(as_json(view), indent=2, ensure_ascii=False), markup=False)
        return
    for title, items in (
        ("MG6C: non-sensitive unused material", view.non_sensitive),
        ("MG6D: sensitive unused material", view.sensitive),
    ):
        table = Table("item", "document", "description", "sensitive because", "test", "judged by", title=title)
        for i in items:
            test = "not judged" if i.judgement is None else ("MEETS" if i.judgement.meets_test else "does not meet")
            reason = f"{test}: {i.judgement.reason}" if i.judgement else test
            table.add_row(
                i.id,
                i.document_id,
                i.description,
                i.sensitivity_reason or "",
                reason,
                i.judgement.by if i.judgement else "",
            )
        out.print(table)
    if view.unscheduled:
        out.print(f"not yet scheduled: {', '.join(view.unscheduled)}", markup=False)


@disclosure_app.command("schedules")
@disclosure_app.command("export")
def disclosure_export(
    case_id: str,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the JSON and PDF schedules and the signed bundle.")
    ],
) -> None:
    """Write the schedules as JSON and PDF, and a signed bundle (holding both) that `verify-case-file` checks offline."""
    casework = open_casework()
    view = run(lambda: _view(casework, case_id))
    out_dir.mkdir(parents=True, exist_ok=True)
    schedules = out_dir / f"schedules-{case_id}.json"
    schedules.write_text(json.dumps(as_json(view), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    pdf = out_dir / pdf_name(case_id)
    pdf.write_bytes(schedules_pdf(view))
    bundle = out_dir / f"disclosure-{case_id}.zip"
    sight = operator_sight(casework, DEFAULT_BY)
    run(lambda: export_schedules(sight, casework, read_disclosure(casework), case_id, bundle))
    out.print(
        f"wrote {schedules}, {pdf} and {bundle}; check the bundle with `casetrail verify-case-file {bundle} --key KEY`",
        markup=False,
    )
