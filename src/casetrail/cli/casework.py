"""Casework commands: cases, allegations, subjects, staff, assignments, actions, intelligence.

A thin shell over `casetrail.casework.Casework`; every command that changes anything appends a
ledger event, and `--by` names who made the change (default: $CASETRAIL_USER, else the login).
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from casetrail.casework import Casework
from casetrail.casework.presentation import case_json
from casetrail.cli.app import State, app, err, fail, open_register, out, run
from casetrail.errors import CaseworkError
from casetrail.inquiry import Inquiry
from casetrail.model.casework import (
    AllegationStatus,
    AssignmentRole,
    CaseKind,
    Description,
    PartyRole,
    Period,
    Rule,
    StaffRole,
    parse_instant,
)

case_app = typer.Typer(help="Cases: complaints and investigations, their documents and parties.", no_args_is_help=True)
staff_app = typer.Typer(help="The investigating body's staff, who can be assigned to cases.", no_args_is_help=True)
allegation_app = typer.Typer(
    help="Allegations within a case, with categories and status history.", no_args_is_help=True
)
subject_app = typer.Typer(
    help="Who an allegation is about: an entity, a member of staff, or an unknown subject.", no_args_is_help=True
)
action_app = typer.Typer(help="Actions: tasks with an owner, a deadline and a recorded result.", no_args_is_help=True)
intelligence_app = typer.Typer(help="Intelligence that must lead to an action within a set time.", no_args_is_help=True)
oversight_app = typer.Typer(
    help="Deadlines, escalation to the independent overseer, and the report.", no_args_is_help=True
)
unknowns_app = typer.Typer(help="Unknown subjects compared across cases.", no_args_is_help=True)
accounts_app = typer.Typer(help="Independent accounts: which documents report the same account.", no_args_is_help=True)
for sub, name in (
    (case_app, "case"),
    (staff_app, "staff"),
    (allegation_app, "allegation"),
    (subject_app, "subject"),
    (action_app, "action"),
    (intelligence_app, "intelligence"),
    (oversight_app, "oversight"),
    (unknowns_app, "unknowns"),
    (accounts_app, "accounts"),
):
    app.add_typer(sub, name=name)

By = Annotated[str, typer.Option("--by", envvar="CASETRAIL_USER", help="Who makes this change.")]
Format = Annotated[str, typer.Option("--format", help="table or json")]


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


DEFAULT_BY = os.environ.get("CASETRAIL_USER") or _default_actor()


def open_casework() -> Casework:
    return Inquiry(State.home, open_register()).casework


def emit_json(value: Any) -> None:
    out.print(json.dumps(value, indent=2, ensure_ascii=False), markup=False)


def _now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError:
        fail(f"--now must be an ISO date or date-time; got {value!r}")
        raise


def _period(start: str | None, end: str | None, text: str | None) -> Period | None:
    return Period(start, end, text) if (start or end or text) else None


# -- staff --------------------------------------------------------------------------------


@staff_app.command("add")
def staff_add(
    name: str,
    force: Annotated[Optional[str], typer.Option(help="Force or organisation they serve in.")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Unit or department.")] = None,
    role: Annotated[list[StaffRole], typer.Option("--role", help="Repeat for several roles.")] = [
        StaffRole.INVESTIGATOR
    ],
    collar: Annotated[Optional[str], typer.Option(help="Collar or warrant number.")] = None,
    entity: Annotated[Optional[str], typer.Option(help="The resolved entity this person is, if known.")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Register a member of staff who can be assigned to cases."""
    member = run(
        lambda: open_casework().register_staff(
            name, by, force=force, unit=unit, roles=role, collar_number=collar, entity_id=entity
        )
    )
    out.print(f"registered {member.id} {member.name}")


@staff_app.command("list")
def staff_list(
    case: Annotated[Optional[str], typer.Option(help="Only people who may be assigned to this case.")] = None,
    search: Annotated[Optional[str], typer.Option(help="Match name, force, unit or collar number.")] = None,
    format: Format = "table",
) -> None:
    """List staff; with --case, the assignee picker: nobody the independence rules would refuse."""
    casework = open_casework()
    if case is not None:
        members = [c.staff for c in run(lambda: casework.independence.assignable(case, search))]
    else:
        needle = (search or "").casefold()
        members = [
            s
            for s in casework.book().staff.values()
            if not needle or needle in " ".join(filter(None, (s.name, s.force, s.unit, s.collar_number))).casefold()
        ]
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "force": s.force,
            "unit": s.unit,
            "roles": [r.value for r in s.roles],
            "collar_number": s.collar_number,
        }
        for s in members
    ]
    if format == "json":
        emit_json(rows)
        return
    table = Table("id", "name", "force", "unit", "roles")
    for r in rows:
        table.add_row(r["id"], r["name"], r["force"] or "", r["unit"] or "", ", ".join(r["roles"]))
    out.print(table)


# -- cases --------------------------------------------------------------------------------


@case_app.command("open")
def case_open(
    title: str,
    kind: Annotated[CaseKind, typer.Option(help="complaint or investigation")] = CaseKind.COMPLAINT,
    reference: Annotated[Optional[str], typer.Option(help="An outside reference, e.g. the IOPC's.")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Open a case."""
    case = run(lambda: open_casework().open_case(title, by, kind, reference))
    out.print(f"opened {case.id} {case.title}")


@case_app.command("list")
def case_list(format: Format = "table") -> None:
    """List cases with their allegation and document counts."""
    book = open_casework().book()
    rows = [
        {
            "id": c.id,
            "title": c.title,
            "kind": c.kind.value,
            "opened_at": c.opened_at,
            "documents": len(c.documents),
            "allegations": len(c.allegation_ids),
        }
        for c in book.cases.values()
    ]
    if format == "json":
        emit_json(rows)
        return
    table = Table("id", "title", "kind", "documents", "allegations", "opened")
    for r in rows:
        table.add_row(r["id"], r["title"], r["kind"], str(r["documents"]), str(r["allegations"]), r["opened_at"])
    out.print(table)


@case_app.command("show")
def case_show(case_id: str, format: Format = "table") -> None:
    """Show a case: parties, allegations, subjects with corroboration, assignments, actions, links."""
    view = run(lambda: case_json(open_casework(), case_id))
    if format == "json":
        emit_json(view)
        return
    out.print(
        f"[bold]{view['id']}[/bold] {view['title']} ({view['kind']}), opened {view['opened_at']} by {view['opened_by']}"
    )
    for p in view["parties"]:
        out.print(f"  {p['role']}: {p['pseudonym']}", markup=False)
    for d in view["documents"]:
        given = f", given by {d['given_by']}" if d["given_by"] else ""
        out.print(f"  document {d['id']} {d['source_name']} ({d['kind']}, {d['status']}{given})", markup=False)
    for a in view["allegations"]:
        out.print(f"  allegation {a['id']}: {a['category_label']} [{a['status']}] {a['summary']}", markup=False)
        for s in a["subjects"]:
            line = f"    subject {s['id']}: {s['label']}"
            for c in s["corroboration"]:
                line += f" — named in {len(c['documents'])} documents, {c['independent']} independent accounts"
                if c["at_least"] != c["independent"]:
                    line += f" (at least {c['at_least']} if proposed same-account pairs are confirmed)"
            out.print(line, markup=False)
    for a in view["assignments"]:
        ended = f", ended {a['ended_at']}" if a["ended_at"] else ""
        waived = f", under waiver {', '.join(a['waivers'])}" if a["waivers"] else ""
        out.print(f"  {a['role']}: {a['staff_id']} {a['name']}{waived}{ended}", markup=False)
    for r in view["refusals"]:
        out.print(f"  REFUSED {r['role']}: {r['staff_id']} {r['name']} at {r['at']}", markup=False)
        for c in r["conflicts"]:
            out.print(f"    {c['rule']}: {c['detail']}", markup=False)
    for a in view["actions"]:
        state = f"done {a['completed_at']}: {a['result']}" if a["completed_at"] else f"due {a['due']}"
        out.print(f"  action {a['id']} ({a['owner']}): {a['description']} — {state}", markup=False)
    for link in view["links"]:
        other = link["right"] if link["left"] == case_id else link["left"]
        names = ", ".join(s["name"] for s in link["shared"][:5])
        out.print(f"  linked to {other}: {names or '; '.join(link['recorded'])}", markup=False)
    out.print(f"  {len(view['history'])} events in the ledger")


@case_app.command("add-document")
def case_add_document(
    case_id: str,
    documents: list[str],
    given_by: Annotated[Optional[str], typer.Option(help="The complainant or witness (P-…) who gave it.")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Add registered documents to a case."""
    casework = open_casework()
    for doc in documents:
        run(lambda: casework.add_document(case_id, doc, by, given_by))
        out.print(f"added {doc} to {case_id}")


@case_app.command("add-party")
def case_add_party(
    case_id: str,
    role: Annotated[PartyRole, typer.Option(help="complainant or witness")] = PartyRole.COMPLAINANT,
    pseudonym: Annotated[Optional[str], typer.Option(help="Default: one is assigned. Never a real name.")] = None,
    entity: Annotated[Optional[str], typer.Option(help="Their resolved entity, if any.")] = None,
    staff: Annotated[Optional[str], typer.Option(help="If they are a member of staff (S-…).")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Add a complainant or witness, held by pseudonym."""
    party = run(
        lambda: open_casework().add_party(case_id, role, by, pseudonym=pseudonym, entity_id=entity, staff_id=staff)
    )
    out.print(f"added {party.id} {party.role.value} {party.pseudonym} to {case_id}")


@case_app.command("link")
def case_link(case_id: str, other: str, reason: Annotated[str, typer.Option(help="Why.")], by: By = DEFAULT_BY) -> None:
    """Record by hand that two cases are linked."""
    run(lambda: open_casework().link_cases(case_id, other, reason, by))
    out.print(f"linked {case_id} and {other}")


@case_app.command("links")
def case_links(case_id: Annotated[Optional[str], typer.Argument()] = None, format: Format = "table") -> None:
    """Cases linked through shared subjects, vehicles, places, phones or organisations, with evidence."""
    linkages = run(lambda: open_casework().links.pairs())
    rows = [l.to_json() for l in linkages if case_id is None or case_id in (l.left, l.right)]
    if format == "json":
        emit_json(rows)
        return
    table = Table("cases", "shared", "evidence")
    for r in rows:
        shared = "; ".join(f"{s['kind']} {s['name']}" for s in r["shared"][:6]) or "; ".join(r["recorded"])
        evidence = ", ".join(sorted({e["document_id"] for s in r["shared"] for e in s["evidence"]})[:6])
        table.add_row(f"{r['left']}–{r['right']}", shared, evidence)
    out.print(table)


@case_app.command("export")
def case_export(case_id: str, out_path: Annotated[Path, typer.Argument(metavar="OUT")]) -> None:
    """Write the case file, with every document's receipt, as a zip that verifies offline."""
    from casetrail.views.export import export_case
    from casetrail.views.sight import operator_sight

    def export() -> Path:
        casework = open_casework()
        if case_id not in casework.book().cases:
            raise CaseworkError(f"no case {case_id!r}; see `casetrail case list`")
        return export_case(operator_sight(casework, DEFAULT_BY), casework, case_id, out_path)

    path = run(export)
    out.print(f"wrote {path}; check it with `casetrail verify-case-file {path} --key KEY`")


@app.command("verify-case-file")
def verify_case_file_command(
    path: Path, key: Annotated[Optional[str], typer.Option(help="Verifier key text or file.")] = None
) -> None:
    """Check an exported case file offline: signatures, receipts, bytes and history."""
    from casetrail.casefile import verify_case_file

    text = Path(key).read_text().strip() if key and Path(key).is_file() else key
    report = run(lambda: verify_case_file(path, text))
    for warning in getattr(report, "warnings", []):
        err.print(f"warning: {warning}", markup=False)
    for problem in report.problems:
        err.print(f"FAIL {problem}", markup=False)
    out.print(
        f"{'OK' if report.ok else 'FAILED'}: {report.documents} documents ({report.sealed} sealed), "
        f"{report.events} events, tree size {report.tree_size}, log {report.origin}"
    )
    if not report.ok:
        raise typer.Exit(1)


# -- allegations and subjects -------------------------------------------------------------


@allegation_app.command("add")
def allegation_add(
    case_id: str,
    category: Annotated[str, typer.Option(help="A code from `casetrail allegation categories`.")],
    summary: Annotated[str, typer.Option(help="What is alleged, briefly.")] = "",
    period_start: Annotated[Optional[str], typer.Option(help="ISO date or year.")] = None,
    period_end: Annotated[Optional[str], typer.Option(help="ISO date or year.")] = None,
    period: Annotated[Optional[str], typer.Option(help="The period as written, e.g. 'late 1990s'.")] = None,
    place: Annotated[Optional[str], typer.Option()] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Record an allegation in a case."""
    allegation = run(
        lambda: open_casework().add_allegation(
            case_id, category, by, summary=summary, period=_period(period_start, period_end, period), place=place
        )
    )
    out.print(f"recorded {allegation.id} in {case_id}")


@allegation_app.command("status")
def allegation_status(
    allegation_id: str, status: AllegationStatus, reason: Annotated[str, typer.Option(help="Why.")], by: By = DEFAULT_BY
) -> None:
    """Change an allegation's status; the history keeps every earlier one."""
    allegation = run(lambda: open_casework().change_status(allegation_id, status, reason, by))
    out.print(f"{allegation.id} is now {allegation.status.value}")


@allegation_app.command("categories")
def allegation_categories(format: Format = "table") -> None:
    """List the allegation categories (editable in config.json: allegation_categories)."""
    categories = open_casework().categories
    if format == "json":
        emit_json([{"code": c.code, "label": c.label} for c in categories])
        return
    table = Table("code", "label")
    for c in categories:
        table.add_row(c.code, c.label)
    out.print(table)


@subject_app.command("add")
def subject_add(
    allegation_id: str,
    entity: Annotated[Optional[str], typer.Option(help="A resolved entity (E-…).")] = None,
    staff: Annotated[Optional[str], typer.Option(help="A member of staff (S-…).")] = None,
    unknown: Annotated[bool, typer.Option("--unknown", help="An unknown subject, kept as a description.")] = False,
    force: Annotated[Optional[str], typer.Option()] = None,
    unit: Annotated[Optional[str], typer.Option()] = None,
    rank: Annotated[Optional[str], typer.Option()] = None,
    role: Annotated[Optional[str], typer.Option(help="e.g. 'uniformed officer', 'custody sergeant'.")] = None,
    vehicle: Annotated[Optional[str], typer.Option(help="Registration (partial is fine), make, colour.")] = None,
    place: Annotated[Optional[str], typer.Option()] = None,
    period_start: Annotated[Optional[str], typer.Option()] = None,
    period_end: Annotated[Optional[str], typer.Option()] = None,
    physical: Annotated[Optional[str], typer.Option(help="Height, build, hair, marks.")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Add a subject to an allegation."""
    description = None
    if unknown:
        description = Description(
            force, unit, rank, role, vehicle, place, _period(period_start, period_end, None), physical
        )
    subject = run(
        lambda: open_casework().add_subject(
            allegation_id, by, entity_id=entity, staff_id=staff, unknown=description, force=force, unit=unit
        )
    )
    out.print(f"added {subject.id} ({subject.label}) to {allegation_id}")


@unknowns_app.command("proposals")
def unknowns_proposals(format: Format = "table") -> None:
    """Unknown subjects in different cases whose descriptions may be the same person, with reasons."""
    proposals = open_casework().unknown_proposals()
    if format == "json":
        emit_json(
            [
                {
                    "left": p.left,
                    "right": p.right,
                    "score": p.score,
                    "reasons": list(p.reasons),
                    "differences": list(p.differences),
                }
                for p in proposals
            ]
        )
        return
    table = Table("subjects", "score", "reasons", "differences")
    for p in proposals:
        table.add_row(f"{p.left} ~ {p.right}", f"{p.score:.2f}", "; ".join(p.reasons), "; ".join(p.differences))
    out.print(table)


@unknowns_app.command("decide")
def unknowns_decide(
    left: str,
    right: str,
    same: Annotated[bool, typer.Option("--same/--different", help="Your verdict.")],
    reason: Annotated[str, typer.Option(help="Why.")],
    by: By = DEFAULT_BY,
) -> None:
    """Confirm or reject a proposed match of unknown subjects."""
    run(lambda: open_casework().compare("unknown", left, right, same, reason, by))
    out.print(f"recorded: {left} and {right} are {'the same' if same else 'different'}")


@accounts_app.command("list")
def accounts_list(format: Format = "table") -> None:
    """Documents grouped into independent accounts, and proposed same-account pairs."""
    accounts, proposals = open_casework().accounts.grouped()
    groups: dict[str, list[str]] = {}
    for doc, account in sorted(accounts.items()):
        groups.setdefault(account, []).append(doc)
    if format == "json":
        emit_json(
            {
                "accounts": groups,
                "proposals": [
                    {"left": p.left, "right": p.right, "score": p.score, "reasons": list(p.reasons)} for p in proposals
                ],
            }
        )
        return
    out.print(f"{len(accounts)} documents in {len(groups)} independent accounts")
    for account, docs in groups.items():
        if len(docs) > 1:
            out.print(f"  {account}: {', '.join(docs)}")
    for p in proposals:
        out.print(
            f"  possibly the same account: {p.left} and {p.right} ({p.score:.2f}): {'; '.join(p.reasons)}", markup=False
        )


@accounts_app.command("decide")
def accounts_decide(
    left: str,
    right: str,
    same: Annotated[bool, typer.Option("--same/--different", help="Your verdict.")],
    reason: Annotated[str, typer.Option(help="Why.")],
    by: By = DEFAULT_BY,
) -> None:
    """Record whether two documents report the same account."""
    run(lambda: open_casework().compare("account", left, right, same, reason, by))
    out.print(f"recorded: {left} and {right} are {'the same account' if same else 'independent accounts'}")


@app.command()
def corroboration(entity_id: str, format: Format = "table") -> None:
    """How many independent accounts name an entity, and which documents are reports of one account."""
    found = run(lambda: open_casework().accounts.corroboration(entity_id))
    if format == "json":
        emit_json(found.to_json())
        return
    out.print(
        f"{found.name}: named in {len(found.documents)} documents, {found.independent} independent accounts"
        + (
            f" (at least {found.at_least} if proposed pairs are the same account)"
            if found.at_least != found.independent
            else ""
        ),
        markup=False,
    )
    for docs in found.accounts:
        out.print(f"  account: {', '.join(docs)}")
    for p in found.possibly_same:
        out.print(f"  possibly the same account: {p.left} and {p.right}: {'; '.join(p.reasons)}", markup=False)


@app.command()
def alerts(
    threshold: Annotated[Optional[int], typer.Option(help="K (default: config repeat_subject_threshold, 3).")] = None,
    format: Format = "table",
    by: By = DEFAULT_BY,
) -> None:
    """Raise repeat-subject alerts (subjects named in at least K independent accounts) and list all alerts."""
    casework = open_casework()
    new = run(lambda: casework.raise_alerts(by, threshold))
    every = [{"entity_id": a.key, "at": a.at, "leaf": a.leaf, **a.detail} for a in casework.book().alerts]
    if format == "json":
        emit_json({"new": new, "alerts": every})
        return
    out.print(f"{len(new)} new alerts")
    for a in every:
        out.print(
            f"  {a['kind']}: {a['name']} ({a['entity_id']}) in {a['independent']} independent accounts; "
            f"cases {', '.join(a['cases'])}; raised {a['at']}",
            markup=False,
        )


# -- assignments ----------------------------------------------------------------------------


@app.command()
def assign(
    case_id: str,
    staff_id: str,
    role: Annotated[AssignmentRole, typer.Option(help="investigator, interviewer, reviewer or decision_maker")],
    by: By = DEFAULT_BY,
) -> None:
    """Assign someone to a case after the independence check; a refusal exits 1 and says why."""
    verdict = run(lambda: open_casework().assign(case_id, staff_id, AssignmentRole(role), by))
    if verdict.allowed:
        waived = f" (under waiver {', '.join(sorted({w for _, w in verdict.waived}))})" if verdict.waived else ""
        out.print(f"assigned {staff_id} as {role.value} on {case_id}{waived}")
        return
    err.print(f"refused: {staff_id} cannot be {role.value} on {case_id}:", markup=False)
    for conflict in verdict.conflicts:
        hint = " (an independent overseer may waive this)" if conflict.waivable else ""
        err.print(f"  {conflict.rule.value}: {conflict.detail}{hint}", markup=False)
    raise typer.Exit(1)


@app.command()
def unassign(
    case_id: str,
    staff_id: str,
    role: Annotated[AssignmentRole, typer.Option()],
    reason: Annotated[str, typer.Option(help="Why.")],
    by: By = DEFAULT_BY,
) -> None:
    """End an assignment."""
    run(lambda: open_casework().end_assignment(case_id, staff_id, AssignmentRole(role), reason, by))
    out.print(f"ended {staff_id}'s {role.value} assignment on {case_id}")


@app.command()
def waiver(
    case_id: str,
    staff_id: str,
    rule: Annotated[Rule, typer.Option(help="same_force or same_unit")],
    reason: Annotated[str, typer.Option(help="Why independence is not compromised.")],
    by: Annotated[str, typer.Option("--by", help="The independent overseer's staff id (S-…).")],
) -> None:
    """Record an independent overseer's waiver of a same-force or same-unit conflict."""
    recorded = run(lambda: open_casework().record_waiver(case_id, staff_id, Rule(rule), reason, by))
    out.print(f"recorded {recorded.id}: {staff_id} may serve on {case_id} despite {recorded.rule.value}")


# -- actions, intelligence, oversight -------------------------------------------------------


@action_app.command("raise")
def action_raise(
    description: str,
    owner: Annotated[str, typer.Option(help="Staff id (S-…) who owns it.")],
    due: Annotated[str, typer.Option(help="ISO date it is due by.")],
    case: Annotated[Optional[str], typer.Option()] = None,
    intelligence: Annotated[Optional[str], typer.Option(help="The intelligence item (I-…) it acts on.")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Raise an action with an owner and a deadline."""
    action = run(
        lambda: open_casework().raise_action(description, owner, due, by, case_id=case, intelligence_id=intelligence)
    )
    out.print(f"raised {action.id} for {action.owner}, due {action.due}")


@action_app.command("complete")
def action_complete(
    action_id: str, result: Annotated[str, typer.Option(help="What was done and found.")], by: By = DEFAULT_BY
) -> None:
    """Record an action's result."""
    action = run(lambda: open_casework().complete_action(action_id, result, by))
    out.print(f"completed {action.id}")


@action_app.command("list")
def action_list(
    overdue: Annotated[bool, typer.Option(help="Only overdue actions and unactioned intelligence.")] = False,
    now: Annotated[Optional[str], typer.Option(help="Judge deadlines as of this instant.")] = None,
    format: Format = "table",
) -> None:
    """List actions, or with --overdue everything past its deadline."""
    casework = open_casework()
    if overdue:
        rows: list[dict[str, Any]] = [o.to_json() for o in casework.overdue(_now(now))]
    else:
        rows = [
            {
                "id": a.id,
                "case": a.case_id,
                "owner": a.owner,
                "due": a.due,
                "description": a.description,
                "completed_at": a.completed_at,
                "result": a.result,
            }
            for a in casework.book().actions.values()
        ]
    if format == "json":
        emit_json(rows)
        return
    table = Table(*(rows[0].keys() if rows else ["nothing"]))
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r.values()))
    out.print(table)


@intelligence_app.command("record")
def intelligence_record(
    summary: Annotated[str, typer.Argument()] = "",
    document: Annotated[Optional[str], typer.Option(help="The registered document (D-…) it is.")] = None,
    case: Annotated[Optional[str], typer.Option()] = None,
    received: Annotated[Optional[str], typer.Option(help="When it was received (default: now).")] = None,
    days: Annotated[Optional[int], typer.Option(help="Days allowed before an action is due (default: config).")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Record intelligence; an action must follow within the set time or it escalates."""
    item = run(
        lambda: open_casework().record_intelligence(
            summary, by, document_id=document, case_id=case, received_at=received, action_days=days
        )
    )
    out.print(f"recorded {item.id}; an action is due by {item.action_due}")


@intelligence_app.command("list")
def intelligence_list(format: Format = "table") -> None:
    """List intelligence items and the actions raised on them."""
    book = open_casework().book()
    rows = [
        {
            "id": i.id,
            "case": i.case_id,
            "received_at": i.received_at,
            "action_due": i.action_due,
            "summary": i.summary,
            "document": i.document_id,
            "actions": [a.id for a in book.actions_for(i.id)],
        }
        for i in book.intelligence.values()
    ]
    if format == "json":
        emit_json(rows)
        return
    table = Table("id", "case", "received", "action due", "actions", "summary")
    for r in rows:
        table.add_row(
            r["id"],
            r["case"] or "",
            r["received_at"],
            r["action_due"],
            ", ".join(r["actions"]) or "NONE",
            r["summary"] or r["document"] or "",
        )
    out.print(table)


@oversight_app.command("escalate")
def oversight_escalate(
    now: Annotated[Optional[str], typer.Option(help="Judge deadlines as of this instant (default: now).")] = None,
    by: By = DEFAULT_BY,
) -> None:
    """Escalate overdue actions and unactioned intelligence to the independent overseer."""
    made = run(lambda: open_casework().escalate(by, _now(now)))
    out.print(f"{len(made)} new escalations")
    for e in made:
        out.print(f"  {e.item_id}: {e.reason} (due {e.due}) escalated to {e.to} at leaf {e.leaf}", markup=False)


@oversight_app.command("report")
def oversight_report(
    case: Annotated[Optional[str], typer.Option(help="Only this case.")] = None,
    now: Annotated[Optional[str], typer.Option(help="As of this instant (default: now).")] = None,
    format: Format = "text",
) -> None:
    """What was known, when, and what was done: intelligence, actions, deadlines and escalations."""
    from casetrail.oversight.report import render_report

    report = run(lambda: open_casework().report(_now(now), case))
    if format == "json":
        emit_json(report)
        return
    out.print(render_report(report), markup=False)
    for item in report["assignment_conflicts"]:
        out.print(
            f"Assignment {item['item']} conflicts with the independence rules; escalated to the {item['to']} "
            f"at {item['escalated_at']} (leaf {item['leaf']})",
            markup=False,
        )
