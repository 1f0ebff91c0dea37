"""The working queues: actions, intelligence, the overseer's inbox, proposals, entities, administration.

Every write here goes the same way, page or API: signed in first (401 before the body is looked
at), the CSRF token, then need-to-know (404 when the viewer may not read the case or item), then
the write table (`Sight.allowed`: 403 when they may read but not do it), then the page's case
version (`require_fresh`: 409), then the fields (422, naming the field), and only then the command
layer the CLI uses, which records one ledger event with the signed-in user as its actor. A request
refused at any step has recorded nothing.

Every page or list that shows case content leaves one `read.audited` event per response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from casetrail.accounts import (
    AccountError,
    check_password,
    check_roles,
    normalise_username,
)
from casetrail.analysis import Analysis
from casetrail.errors import CasetrailError, IndependenceError
from casetrail.model.casework import (
    WAIVABLE_RULES,
    AssignmentRole,
    Rule,
    StaffRole,
    parse_instant,
)
from casetrail.model.entity import DecisionKind
from casetrail.policy.permissions import Command, holds
from casetrail.views import as_json
from casetrail.views import queues as views
from casetrail.views.conflicts import conflict_lines
from casetrail.web.context import (
    Signed,
    render,
    require_fresh,
    signed_in,
    web,
)
from casetrail.web.forms import FieldError, TokenForm, checked, required, unprocessable
from casetrail.web.routes_table import Route
from casetrail.web.workbench import AccessDenied, Session

APPLIES = "at the next resolution run (casetrail analyse)"
DECISIONS = {"merge": DecisionKind.CONFIRM, "keep_apart": DecisionKind.REJECT, "split": DecisionKind.SPLIT}


# -- the forms: every field optional, so a session and a CSRF token are checked before the fields ---
# The API's caller sends the CSRF token as the `X-CSRF-Token` header; a page's form carries it (`...Page`).


class ActionForm(BaseModel):
    description: str = ""
    owner: str = ""  # a staff id
    due: str = ""  # an ISO date
    case_id: str = ""
    version: str = ""  # the case version the viewer's page showed


class RaiseForm(ActionForm):
    intelligence_id: str = ""  # the item the action answers (the intelligence queue names it in the path)


class RaisePage(RaiseForm, TokenForm):
    pass


class AnswerPage(ActionForm, TokenForm):
    pass


class CompleteForm(BaseModel):
    result: str = ""
    version: str = ""


class CompletePage(CompleteForm, TokenForm):
    pass


class IntelligenceForm(BaseModel):
    summary: str = ""
    document_id: str = ""
    case_id: str = ""
    version: str = ""


class IntelligencePage(IntelligenceForm, TokenForm):
    pass


class WaiverForm(BaseModel):
    case_id: str = ""
    staff_id: str = ""
    rule: str = ""
    reason: str = ""
    version: str = ""


class WaiverPage(WaiverForm, TokenForm):
    pass


class VerdictForm(BaseModel):
    left: str = ""
    right: str = ""
    verdict: str = ""  # confirm or reject
    reason: str = ""


class VerdictPage(VerdictForm, TokenForm):
    pass


class DecisionForm(BaseModel):
    kind: str = ""  # merge, keep_apart or split
    other: str = ""
    record: str = ""
    reason: str = ""


class DecisionPage(DecisionForm, TokenForm):
    pass


class StaffForm(BaseModel):
    name: str = ""
    force: str = ""
    unit: str = ""
    roles: list[str] | None = None
    collar_number: str = ""


class StaffPage(StaffForm, TokenForm):
    pass


class UserForm(BaseModel):
    username: str = ""
    password: str = ""
    roles: list[str] | None = None
    staff_id: str = ""


class UserPage(UserForm, TokenForm):
    pass


# -- the shared steps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    """A queue's page: its template, and its view as built for the viewer (which audits the read)."""

    template: str
    build: Callable[[Request, Signed], Any]


class Refused(Exception):
    """The independence check refused the overseer's waiver: 403, with the kinds of conflict."""

    def __init__(self, detail: str, conflicts: tuple[Any, ...]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.conflicts = conflicts


def _forbidden(what: str) -> HTTPException:
    return HTTPException(403, f"your roles may not {what} here")


def _required(value: str, field: str, what: str) -> str:
    return required(value, field, f"{what} is required")


def _casework(request: Request) -> Any:
    return web(request).bench.casework


def _command(call: Callable[[], Any]) -> Any:
    """Run a command; what it refuses (after the checks above) is the request's fault, not a field's."""
    try:
        return call()
    except IndependenceError:
        raise
    except CasetrailError as error:
        raise FieldError(None, str(error)) from None


def _gate(allowed: bool) -> None:
    """A page nobody of these roles may use answers 404, as the audit log and the dashboard do."""
    if not allowed:
        raise AccessDenied("not a page for these roles")


# -- actions -----------------------------------------------------------------------------------


def _readable_case(sight: Session, case_id: str) -> str | None:
    if not case_id.strip():
        return None
    if not sight.case(case_id.strip()):
        raise AccessDenied(case_id)
    return case_id.strip()


def _filed_case(
    request: Request, sight: Session, case_id: str, version: str, command: Command, what: str, doing: str
) -> str | None:
    """The case a new `what` is filed in (None: none yet), after need-to-know (404), the write table (403; a
    role that may only file it in a case is asked to choose one, 422) and the page's case version (409)."""
    case = _readable_case(sight, case_id)
    if not sight.allowed(command, case_id=case):
        if case is None and holds(sight.viewer, command):
            raise FieldError("case_id", f"choose the case this {what} belongs to")
        raise _forbidden(doing)
    if case is not None:
        require_fresh(request, case, version)
    return case


def _raise(request: Request, signed: Signed, form: ActionForm, intelligence_id: str) -> views.ActionLine:
    sight, book, case_id = signed.sight, _casework(request).book(), form.case_id
    intelligence = intelligence_id.strip() or None
    if intelligence is not None:
        item = book.intelligence.get(intelligence)
        if item is None or not views.intelligence_visible(sight, book, item):
            raise AccessDenied(intelligence)
        case_id = case_id or (item.case_id or "")
    case = _filed_case(request, sight, case_id, form.version, Command.RAISE_ACTION, "action", "raise actions")
    text = _required(form.description, "description", "a description")
    if form.owner.strip() not in book.staff:
        raise FieldError("owner", "choose the member of staff who owns this action")
    _date(form.due, "due")
    action = _command(
        lambda: _casework(request).raise_action(
            text, form.owner.strip(), form.due.strip(), sight.username, case_id=case, intelligence_id=intelligence
        )
    )
    return _action_line(request, sight, action.id)


def _date(value: str, field: str) -> None:
    try:
        parse_instant(value.strip())
    except ValueError:
        raise FieldError(field, "give a date, e.g. 2026-05-01") from None


def _action_line(request: Request, sight: Session, action_id: str) -> views.ActionLine:
    book = _casework(request).book()
    return views.action_line(sight, book, book.actions[action_id], datetime.now(UTC))


def _complete(request: Request, signed: Signed, action_id: str, form: CompleteForm) -> views.ActionLine:
    sight, book = signed.sight, _casework(request).book()
    action = book.actions.get(action_id)
    if action is None or not views.action_visible(sight, book, action):
        raise AccessDenied(action_id)
    if not sight.allowed(Command.COMPLETE_ACTION, case_id=action.case_id):
        raise _forbidden("complete this action")
    if action.case_id is not None:
        require_fresh(request, action.case_id, form.version)
    text = _required(form.result, "result", "the result")
    _command(lambda: _casework(request).complete_action(action_id, text, sight.username))
    return _action_line(request, sight, action_id)


def _board(request: Request, signed: Signed) -> views.ActionBoard:
    _gate(views.sees_actions(signed.sight))
    board = views.build_action_board(signed.sight, _casework(request))
    web(request).bench.audit(signed.sight, "action board", "actions")
    return board


ACTIONS = Queue("queue_actions.html", _board)


async def actions_page(request: Request) -> HTMLResponse:
    return _show(request, ACTIONS)


async def raise_action_page(request: Request, form: Annotated[RaisePage, Form()]) -> HTMLResponse:
    values = form.model_dump(include={"case_id", "description", "owner", "due"})
    return _page_write(
        request,
        form.csrf_token,
        ACTIONS,
        values,
        lambda signed: f"Raised {_raise(request, signed, form, form.intelligence_id).id}.",
    )


async def complete_action_page(request: Request, action_id: str, form: Annotated[CompletePage, Form()]) -> HTMLResponse:
    values = {"result": form.result, "action": action_id}
    return _page_write(
        request,
        form.csrf_token,
        ACTIONS,
        values,
        lambda signed: f"Completed {_complete(request, signed, action_id, form).id}.",
    )


async def api_actions(request: Request) -> dict[str, Any]:
    """The action board: your actions, the overdue ones and each readable case's, with deadlines and results."""
    view: dict[str, Any] = as_json(_board(request, signed_in(request)))
    return view


async def api_raise_action(request: Request, form: Annotated[RaiseForm, Form()]) -> Response:
    """Raise an action (owner: a staff id; due: an ISO date); `version`: the case version your view showed."""
    return _api_write(request, lambda signed: {"action": as_json(_raise(request, signed, form, form.intelligence_id))})


async def api_complete_action(request: Request, action_id: str, form: Annotated[CompleteForm, Form()]) -> Response:
    return _api_write(request, lambda signed: {"action": as_json(_complete(request, signed, action_id, form))})


# -- intelligence ------------------------------------------------------------------------------


def _record(request: Request, signed: Signed, form: IntelligenceForm) -> views.IntelligenceLine:
    sight, casework = signed.sight, _casework(request)
    case = _filed_case(
        request, sight, form.case_id, form.version, Command.RECORD_INTELLIGENCE, "intelligence", "record intelligence"
    )
    document = form.document_id.strip() or None
    if document is not None and not views.readable_document(sight, casework, document):
        raise FieldError("document_id", "no document you may read has that id")
    summary = form.summary.strip()
    if not summary and document is None:
        raise FieldError("summary", "a summary (or a document) is required")
    item = _command(lambda: casework.record_intelligence(summary, sight.username, document_id=document, case_id=case))
    return views.intelligence_line(sight, casework, casework.book().intelligence[item.id], datetime.now(UTC))


def _queue(request: Request, signed: Signed, days: int = views.LAPSING_DAYS) -> views.IntelligenceQueue:
    _gate(views.sees_intelligence(signed.sight))
    if not 0 <= days <= 365:
        raise HTTPException(422, "days must be between 0 and 365")
    queue = views.build_intelligence_queue(signed.sight, _casework(request), days)
    web(request).bench.audit(signed.sight, "intelligence queue", "intelligence", fields=f"due within {days} days")
    return queue


INTELLIGENCE = Queue("queue_intelligence.html", _queue)


async def intelligence_page(request: Request, days: int = views.LAPSING_DAYS) -> HTMLResponse:
    signed = signed_in(request)
    return _page(request, signed, INTELLIGENCE.template, _queue(request, signed, days))


async def record_intelligence_page(request: Request, form: Annotated[IntelligencePage, Form()]) -> HTMLResponse:
    values = form.model_dump(include={"summary", "document_id", "case_id"})
    return _page_write(
        request, form.csrf_token, INTELLIGENCE, values, lambda signed: f"Recorded {_record(request, signed, form).id}."
    )


async def answer_intelligence_page(
    request: Request, intelligence_id: str, form: Annotated[AnswerPage, Form()]
) -> HTMLResponse:
    values = {"item": intelligence_id, **form.model_dump(include={"description", "owner", "due"})}
    return _page_write(
        request,
        form.csrf_token,
        INTELLIGENCE,
        values,
        lambda signed: f"Raised {_raise(request, signed, form, intelligence_id).id} for {intelligence_id}.",
    )


async def api_intelligence(request: Request, days: int = views.LAPSING_DAYS) -> dict[str, Any]:
    """Intelligence you may see: `lapsing` (no action yet, due within `days`), `lapsed`, `waiting`, `answered`."""
    view: dict[str, Any] = as_json(_queue(request, signed_in(request), days))
    return view


async def api_record_intelligence(request: Request, form: Annotated[IntelligenceForm, Form()]) -> Response:
    return _api_write(request, lambda signed: {"intelligence": as_json(_record(request, signed, form))})


async def api_answer_intelligence(
    request: Request, intelligence_id: str, form: Annotated[ActionForm, Form()]
) -> Response:
    """Raise the action that answers an intelligence item (in its case, or the case you choose)."""
    return _api_write(request, lambda signed: {"action": as_json(_raise(request, signed, form, intelligence_id))})


# -- the overseer's inbox ----------------------------------------------------------------------


def _inbox(request: Request, signed: Signed) -> views.Inbox:
    _gate(views.sees_inbox(signed.sight))
    inbox = views.build_inbox(signed.sight, _casework(request))
    web(request).bench.audit(signed.sight, "overseer's inbox", "inbox")
    return inbox


def _waive(request: Request, signed: Signed, form: WaiverForm) -> views.WaiverLine:
    sight, casework = signed.sight, _casework(request)
    case = _readable_case(sight, form.case_id)
    if case is None:
        raise FieldError("case_id", "choose the case")
    if not sight.allowed(Command.RECORD_WAIVER, case_id=case):
        raise _forbidden("record waivers")
    require_fresh(request, case, form.version)
    book, staff_id, rule = casework.book(), form.staff_id.strip(), form.rule
    if staff_id not in book.staff:
        raise FieldError("staff_id", "choose the member of staff the waiver is for")
    if rule not in {r.value for r in WAIVABLE_RULES}:
        raise FieldError("rule", "only a same-force or same-unit conflict can be waived")
    text = _required(form.reason, "reason", "a reason")
    overseer = sight.viewer.staff_id or ""
    try:
        waiver = _command(lambda: casework.record_waiver(case, staff_id, Rule(rule), text, overseer, by=sight.username))
    except IndependenceError:
        # The overseer's own conflicts, told as kinds (detail only where views.conflicts allows it).
        verdict = casework.independence.check(case, overseer, AssignmentRole.REVIEWER)
        found = conflict_lines(sight, case, [*verdict.conflicts, *(c for c, _ in verdict.waived)])
        raise Refused("you may not record waivers on this case: you are not independent of it", found) from None
    return views.WaiverLine(
        waiver.id,
        waiver.case_id,
        waiver.staff_id,
        book.staff[waiver.staff_id].name,
        waiver.rule.value,
        waiver.reason,
        waiver.by,
        waiver.at,
    )


INBOX = Queue("queue_inbox.html", _inbox)


async def inbox_page(request: Request) -> HTMLResponse:
    return _show(request, INBOX)


async def waiver_page(request: Request, form: Annotated[WaiverPage, Form()]) -> HTMLResponse:
    values = form.model_dump(include={"case_id", "staff_id", "rule", "reason"})
    return _page_write(
        request, form.csrf_token, INBOX, values, lambda signed: f"Recorded {_waive(request, signed, form).id}."
    )


async def api_inbox(request: Request) -> dict[str, Any]:
    """The overseer's inbox: escalations, conflicted or refused assignments, waivers given (readable cases only)."""
    view: dict[str, Any] = as_json(_inbox(request, signed_in(request)))
    return view


async def api_waiver(request: Request, form: Annotated[WaiverForm, Form()]) -> Response:
    """Waive a same-force or same-unit conflict for one member of staff on one case (overseer only)."""
    return _api_write(request, lambda signed: {"waiver": as_json(_waive(request, signed, form))})


# -- proposals ---------------------------------------------------------------------------------


def _proposals(request: Request, signed: Signed) -> views.Proposals:
    _gate(views.sees_proposals(signed.sight))
    found = views.build_proposals(signed.sight, _casework(request))
    web(request).bench.audit(signed.sight, "proposals", "proposals")
    return found


def _same(verdict: str) -> bool:
    if verdict not in ("confirm", "reject"):
        raise FieldError("verdict", "confirm or reject")
    return verdict == "confirm"


def _compare_accounts(request: Request, signed: Signed, form: VerdictForm) -> dict[str, Any]:
    sight, casework = signed.sight, _casework(request)
    for side, doc in (("left", form.left), ("right", form.right)):
        _required(doc, side, "a document")
        if not views.readable_document(sight, casework, doc.strip()):
            raise AccessDenied(doc)
    if not sight.allowed(Command.COMPARE_ACCOUNTS, document_ids=(form.left.strip(), form.right.strip())):
        raise _forbidden("decide on accounts")
    return _compare(request, signed, "account", form)


def _compare_unknowns(request: Request, signed: Signed, form: VerdictForm) -> dict[str, Any]:
    sight, book = signed.sight, _casework(request).book()
    cases = []
    for side, ref in (("left", form.left), ("right", form.right)):
        _required(ref, side, "an unknown subject")
        subject = book.subjects.get(ref.strip())
        if subject is None or not sight.case(subject.case_id):
            raise AccessDenied(ref)
        cases.append(subject.case_id)
    if not all(sight.allowed(Command.COMPARE, case_id=c) for c in cases):
        raise _forbidden("decide on unknown subjects")
    return _compare(request, signed, "unknown", form)


def _compare(request: Request, signed: Signed, kind: str, form: VerdictForm) -> dict[str, Any]:
    """Record the verdict on a pair the caller has checked the viewer may read and decide on."""
    left, right = form.left.strip(), form.right.strip()
    same, text = _same(form.verdict), _required(form.reason, "reason", "a reason")
    _command(lambda: _casework(request).compare(kind, left, right, same, text, signed.sight.username))
    return {"kind": kind, "left": left, "right": right, "same": same, "reason": text}


PROPOSALS = Queue("queue_proposals.html", _proposals)


async def proposals_page(request: Request) -> HTMLResponse:
    return _show(request, PROPOSALS)


def _verdict_page(
    request: Request, form: VerdictPage, compare: Callable[[Request, Signed, VerdictForm], dict[str, Any]]
) -> HTMLResponse:
    values = {"pair": f"{form.left}/{form.right}", "reason": form.reason}
    return _page_write(
        request, form.csrf_token, PROPOSALS, values, lambda signed: _verdict_note(compare(request, signed, form))
    )


async def accounts_verdict_page(request: Request, form: Annotated[VerdictPage, Form()]) -> HTMLResponse:
    return _verdict_page(request, form, _compare_accounts)


async def unknowns_verdict_page(request: Request, form: Annotated[VerdictPage, Form()]) -> HTMLResponse:
    return _verdict_page(request, form, _compare_unknowns)


def _verdict_note(found: dict[str, Any]) -> str:
    said = "the same" if found["same"] else "different"
    return f"Recorded: {found['left']} and {found['right']} are {said}."


async def api_proposals(request: Request) -> dict[str, Any]:
    """Same-account and unknown-subject proposals you may read, each with its reasons."""
    view: dict[str, Any] = as_json(_proposals(request, signed_in(request)))
    return view


async def api_accounts_verdict(request: Request, form: Annotated[VerdictForm, Form()]) -> Response:
    """Confirm (the same account) or reject a same-account proposal, with a reason."""
    return _api_write(request, lambda signed: {"verdict": _compare_accounts(request, signed, form)})


async def api_unknowns_verdict(request: Request, form: Annotated[VerdictForm, Form()]) -> Response:
    """Confirm (the same person) or reject an unknown-subject proposal, with a reason."""
    return _api_write(request, lambda signed: {"verdict": _compare_unknowns(request, signed, form)})


# -- entities: merge and split -----------------------------------------------------------------


def _decide(request: Request, signed: Signed, entity_id: str, form: DecisionForm) -> dict[str, Any]:
    sight, casework, kind = signed.sight, _casework(request), form.kind
    if not sight.entity(entity_id) or entity_id not in casework.entity_view().entities:
        raise AccessDenied(entity_id)
    if kind not in DECISIONS:
        raise FieldError("kind", "merge, keep_apart or split")
    left, right = entity_id, None
    if kind == "split" and form.record.strip():
        left = form.record.strip()
        if left not in casework.entity_view().records_of.get(entity_id, ()) or not views.readable_document(
            sight, casework, left.split(":", 1)[0]
        ):
            raise FieldError("record", "not a record of this entity in a document you may read")
    elif kind != "split":
        right = _required(form.other, "other", "the other entity")
        if right == entity_id or not sight.entity(right) or right not in casework.entity_view().entities:
            raise FieldError("other", "not another entity you may open")
    if not sight.allowed(Command.DECIDE_ENTITY, entity_ids=tuple(e for e in (entity_id, right) if e)):
        raise _forbidden("decide on entities")
    text = _required(form.reason, "reason", "a reason")
    commit = _command(lambda: Analysis(casework.register).decide(DECISIONS[kind], left, right, sight.username, text))
    return {
        "kind": kind,
        "left": left,
        "right": right,
        "reason": text,
        "leaf_index": commit.indices[0],
        "applies": APPLIES,
    }


async def entity_decision_page(request: Request, entity_id: str, form: Annotated[DecisionPage, Form()]) -> HTMLResponse:
    # Not `_page_write`: the entity's page keeps what was sent even after a decision is recorded.
    signed = checked(request, form.csrf_token)
    values = form.model_dump(include={"kind", "other", "record", "reason"})
    errors: dict[str, str] = {}
    message = None
    try:
        found = _decide(request, signed, entity_id, form)
        message = f"Recorded ({found['kind'].replace('_', ' ')}); it applies {APPLIES}."
    except FieldError as error:
        errors = _errors(error)
    entity = web(request).bench.entity(signed.sight, entity_id)  # audited by the workbench
    response = render(request, "entity.html", signed, entity=entity, errors=errors, values=values, message=message)
    response.status_code = 422 if errors else 200
    return response


async def api_entity_decision(request: Request, entity_id: str, form: Annotated[DecisionForm, Form()]) -> Response:
    """merge (with `other`), keep_apart (with `other`) or split (the entity, or one `record` of it); with a reason.
    Recorded now, applied at the next resolution run."""
    return _api_write(request, lambda signed: {"decision": _decide(request, signed, entity_id, form)})


# -- administration ----------------------------------------------------------------------------


def _admin(request: Request, signed: Signed) -> views.Administration:
    _gate(views.administers(signed.sight))
    found = views.build_administration(_casework(request), web(request).accounts.list_users())
    web(request).bench.audit(signed.sight, "staff and accounts", "administration")
    return found


def _require(signed: Signed, command: Command) -> None:
    if not signed.sight.allowed(command):
        raise _forbidden("manage staff or accounts")


def _roles(roles: list[str]) -> list[StaffRole]:
    if not roles:
        raise FieldError("roles", "choose at least one role")
    try:
        return [StaffRole(r) for r in dict.fromkeys(roles)]
    except ValueError:
        raise FieldError("roles", "choose from the listed roles") from None


def _register(request: Request, signed: Signed, form: StaffForm) -> views.StaffLine:
    _require(signed, Command.MANAGE_STAFF)
    text, held = _required(form.name, "name", "a name"), _roles(form.roles or [])
    member = _command(
        lambda: _casework(request).register_staff(
            text,
            signed.sight.username,
            force=form.force.strip() or None,
            unit=form.unit.strip() or None,
            roles=held,
            collar_number=form.collar_number.strip() or None,
        )
    )
    return views.StaffLine(
        member.id, member.name, member.force, member.unit, tuple(r.value for r in member.roles), member.collar_number
    )


def _create_user(request: Request, signed: Signed, form: UserForm) -> views.UserLine:
    _require(signed, Command.MANAGE_USERS)
    password, roles = form.password, form.roles or []
    name = _field("username", lambda: normalise_username(form.username))
    _field("roles", lambda: check_roles(roles))
    _field("password", lambda: check_password(name, password))
    staff = form.staff_id.strip() or None
    if staff is not None and staff not in _casework(request).book().staff:
        raise FieldError("staff_id", "no member of staff has that id")
    user = _field(
        "username",
        lambda: web(request).accounts.create_user(name, password, roles, staff_id=staff, by=signed.sight.username),
    )
    return _user_line(user)


def _field(field: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except AccountError as error:
        raise FieldError(field, str(error)) from None


def _user_line(user: Any) -> views.UserLine:
    return views.UserLine(
        user.id, user.username, tuple(sorted(user.roles)), user.staff_id, user.has_totp, user.disabled
    )


# Changes that lock a person out until someone acts again: typed confirmation, as with deleting a repository.
CONFIRMED = frozenset({"disable", "totp-reset"})


def _change_user(request: Request, signed: Signed, user_id: str, change: str, confirm: str) -> views.UserLine:
    _require(signed, Command.MANAGE_USERS)
    accounts = web(request).accounts
    user = accounts.get_user(user_id)
    if user is None:
        raise AccessDenied(user_id)
    if change in CONFIRMED and confirm.strip().lower() != user.username:
        raise FieldError("confirm_username", f"type the username ({user.username}) to confirm")
    by = signed.sight.username
    if change == "totp-reset":
        _field("user", lambda: accounts.reset_totp(user_id, by=by))
    else:
        accounts.set_disabled(user_id, change == "disable", by=by)
    return _user_line(accounts.get_user(user_id))


ADMIN = Queue("admin_people.html", _admin)


async def admin_page(request: Request) -> HTMLResponse:
    return _show(request, ADMIN)


async def register_staff_page(request: Request, form: Annotated[StaffPage, Form()]) -> HTMLResponse:
    values = {**form.model_dump(include={"name", "force", "unit", "collar_number"}), "form": "staff"}
    return _page_write(
        request, form.csrf_token, ADMIN, values, lambda signed: f"Registered {_register(request, signed, form).id}."
    )


async def create_user_page(request: Request, form: Annotated[UserPage, Form()]) -> HTMLResponse:
    values = {**form.model_dump(include={"username", "staff_id"}), "form": "user"}  # never the password
    return _page_write(
        request,
        form.csrf_token,
        ADMIN,
        values,
        lambda signed: f"Created {_create_user(request, signed, form).username}.",
    )


def _user_change_page(change: str) -> Callable[..., Any]:
    async def handler(
        request: Request, user_id: str, confirm_username: str = Form(""), csrf_token: str = Form("")
    ) -> HTMLResponse:
        return _page_write(
            request,
            csrf_token,
            ADMIN,
            {"user": user_id},
            lambda signed: (
                f"{_change_user(request, signed, user_id, change, confirm_username).username}: "
                f"{change.replace('-', ' ')} done."
            ),
        )

    handler.__name__ = f"user_{change.replace('-', '_')}_page"
    return handler


def _api_user_change(change: str) -> Callable[..., Any]:
    async def handler(request: Request, user_id: str, confirm_username: str = Form("")) -> Response:
        return _api_write(
            request, lambda signed: {"user": as_json(_change_user(request, signed, user_id, change, confirm_username))}
        )

    handler.__name__ = f"api_user_{change.replace('-', '_')}"
    handler.__doc__ = {
        "disable": "Disable an account and end its sessions (`confirm_username`: its username).",
        "enable": "Enable an account again.",
        "totp-reset": "Remove an account's second factor, for a lost device; its sessions end "
        "(`confirm_username`: its username).",
    }[change]
    return handler


async def api_staff(request: Request) -> list[dict[str, Any]]:
    view: list[dict[str, Any]] = as_json(_admin(request, signed_in(request)).staff)
    return view


async def api_users(request: Request) -> list[dict[str, Any]]:
    view: list[dict[str, Any]] = as_json(_admin(request, signed_in(request)).users)
    return view


async def api_register_staff(request: Request, form: Annotated[StaffForm, Form()]) -> Response:
    """Register a member of staff (force, unit, roles, collar number)."""
    return _api_write(request, lambda signed: {"staff": as_json(_register(request, signed, form))})


async def api_create_user(request: Request, form: Annotated[UserForm, Form()]) -> Response:
    """Create an account with roles and, for case work, the member of staff it is."""
    return _api_write(request, lambda signed: {"user": as_json(_create_user(request, signed, form))})


# -- how pages and the API answer --------------------------------------------------------------


def _show(request: Request, queue: Queue) -> HTMLResponse:
    signed = signed_in(request)
    return _page(request, signed, queue.template, queue.build(request, signed))


def _page(request: Request, signed: Signed, name: str, view: Any, status: int = 200, **context: Any) -> HTMLResponse:
    context = {"errors": {}, "values": {}, "message": None, **context}
    response = render(request, name, signed, view=view, **context)
    response.status_code = status
    return response


def _errors(error: FieldError) -> dict[str, str]:
    """Field -> message; an error of no one field is shown at the top of the page (key "form")."""
    return {error.field or "form": error.message}


def _page_write(
    request: Request, csrf_token: str, queue: Queue, values: dict[str, Any], write: Callable[[Signed], str]
) -> HTMLResponse:
    """Do the write, then show the queue as it now is: with `write`'s note, or with what was sent (`values`)
    and the error beside its field."""
    signed = checked(request, csrf_token)
    shown: dict[str, Any]
    try:
        message = write(signed)
    except FieldError as error:
        status, shown = 422, {"values": values, "errors": _errors(error)}
    except Refused as error:
        status, shown = 403, {"values": values, "errors": {"form": error.detail}, "refusal": error.conflicts}
    else:
        status, shown = 200, {"message": message}
    return _page(request, signed, queue.template, queue.build(request, signed), status, **shown)


def _api_write(request: Request, write: Callable[[Signed], dict[str, Any]]) -> Response:
    """Do the write (the CSRF token in the header), answering what it made as JSON, or why not."""
    signed = checked(request)
    try:
        return JSONResponse(write(signed))
    except FieldError as error:
        return unprocessable(error)
    except Refused as error:
        return JSONResponse({"detail": error.detail, "conflicts": as_json(error.conflicts)}, status_code=403)


ROUTES: tuple[Route, ...] = (
    Route("GET", "/actions", actions_page),
    Route("POST", "/actions", raise_action_page),
    Route("POST", "/actions/{action_id}/complete", complete_action_page),
    Route("GET", "/intelligence", intelligence_page),
    Route("POST", "/intelligence", record_intelligence_page),
    Route("POST", "/intelligence/{intelligence_id}/actions", answer_intelligence_page),
    Route("GET", "/inbox", inbox_page),
    Route("POST", "/inbox/waivers", waiver_page),
    Route("GET", "/proposals", proposals_page),
    Route("POST", "/proposals/accounts", accounts_verdict_page),
    Route("POST", "/proposals/unknowns", unknowns_verdict_page),
    Route("POST", "/entities/{entity_id}/decisions", entity_decision_page),
    Route("GET", "/admin", admin_page),
    Route("POST", "/admin/staff", register_staff_page),
    Route("POST", "/admin/users", create_user_page),
    Route("POST", "/admin/users/{user_id}/disable", _user_change_page("disable")),
    Route("POST", "/admin/users/{user_id}/enable", _user_change_page("enable")),
    Route("POST", "/admin/users/{user_id}/totp-reset", _user_change_page("totp-reset")),
    Route("GET", "/api/actions", api_actions, "queues"),
    Route("POST", "/api/actions", api_raise_action, "queues"),
    Route("POST", "/api/actions/{action_id}/complete", api_complete_action, "queues"),
    Route("GET", "/api/intelligence", api_intelligence, "queues"),
    Route("POST", "/api/intelligence", api_record_intelligence, "queues"),
    Route("POST", "/api/intelligence/{intelligence_id}/actions", api_answer_intelligence, "queues"),
    Route("GET", "/api/inbox", api_inbox, "queues"),
    Route("POST", "/api/waivers", api_waiver, "queues"),
    Route("GET", "/api/proposals", api_proposals, "queues"),
    Route("POST", "/api/proposals/accounts", api_accounts_verdict, "queues"),
    Route("POST", "/api/proposals/unknowns", api_unknowns_verdict, "queues"),
    Route("POST", "/api/entities/{entity_id}/decisions", api_entity_decision, "queues"),
    Route("GET", "/api/admin/staff", api_staff, "admin"),
    Route("POST", "/api/admin/staff", api_register_staff, "admin"),
    Route("GET", "/api/admin/users", api_users, "admin"),
    Route("POST", "/api/admin/users", api_create_user, "admin"),
    Route("POST", "/api/admin/users/{user_id}/disable", _api_user_change("disable"), "admin"),
    Route("POST", "/api/admin/users/{user_id}/enable", _api_user_change("enable"), "admin"),
    Route("POST", "/api/admin/users/{user_id}/totp-reset", _api_user_change("totp-reset"), "admin"),
)
