"""Casework in the browser and the API: cases, parties, allegations, subjects, documents' life.

Every write takes the same steps, in this order, and holds no rule of its own:

  1. `signed_in`: no session, 401 (or the login page) before anything else is looked at;
  2. `check_csrf`: the form's token, or the API's `X-CSRF-Token` header;
  3. need-to-know: a case, allegation or document the viewer may not read answers 404;
  4. `Sight.allowed`, the written role × relation table (`policy.permissions`): 403;
  5. `require_fresh`: a form from a page older than the case is refused (409), never applied;
  6. the fields: a wrong one is 422 `{"detail", "field"}` (the page shows it next to the field);
  7. the command layer (`Casework`, `Register`), which records the ledger event, `by` the signed-in user.

Pages answer a 303 to the page that shows the change; the API answers the viewer's view of what
changed (the case view, the document view), never an event body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from casetrail.casework import Casework
from casetrail.errors import CasetrailError
from casetrail.intake.names import safe_name
from casetrail.intake.register import Submission
from casetrail.model.casework import (
    AllegationStatus,
    CaseKind,
    Description,
    PartyRole,
    Period,
)
from casetrail.policy.permissions import Command
from casetrail.store.scratch import scratch_directory
from casetrail.views import as_json
from casetrail.views.case import CaseView
from casetrail.views.work import subject_choices
from casetrail.web.context import (
    Signed,
    render,
    require_fresh,
    signed_in,
    web,
)
from casetrail.web.documents import MAX_UPLOAD_BYTES
from casetrail.web.forms import (
    FieldError,
    Stamped,
    TokenForm,
    checked,
    field_errors,
    required,
    see_other,
    submit,
    submit_api,
    unprocessable,
    with_status,
)
from casetrail.web.routes_table import Route
from casetrail.web.workbench import AccessDenied, Window

T = TypeVar("T")
F = TypeVar("F", bound=TokenForm)
# A command on one case, allegation or document (by its id), from its form: the shape most writes below take.
FormCommand = Callable[[Request, Signed, str, F], T]
ADDABLE = 50  # documents offered on the case's work page, newest or best first
# ISO dates or years, as the CLI takes them: "2003", "2003-05", "2003-05-17"
PERIOD_END = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
CASE_COMMANDS = (Command.ADD_DOCUMENTS, Command.ADD_PARTY, Command.RECORD_ALLEGATION, Command.LINK_CASES)
ALLEGATION_COMMANDS = (Command.CHANGE_STATUS, Command.ADD_SUBJECT)
SUBJECT_KINDS = ("entity", "staff", "unknown")
# What each command is called in a refusal: "your role may not <this>".
DOING = {
    Command.OPEN_CASE: "open a case",
    Command.ADD_DOCUMENTS: "add documents to this case",
    Command.ADD_PARTY: "add parties to this case",
    Command.RECORD_ALLEGATION: "record allegations in this case",
    Command.ADD_SUBJECT: "add subjects to this allegation",
    Command.CHANGE_STATUS: "change this allegation's status",
    Command.LINK_CASES: "link this case",
    Command.AMEND: "amend this document",
    Command.WITHDRAW: "withdraw this document",
    Command.SEAL: "seal this document",
}


# -- the forms: every field optional, so a session and a CSRF token are checked before the fields ---


class OpenForm(Stamped):
    title: str = ""
    kind: str = ""
    reference: str = ""
    document_ids: list[str] = []


class DocumentsForm(Stamped):
    document_ids: list[str] = []
    given_by: str = ""


class PartyForm(Stamped):
    role: str = ""
    pseudonym: str = ""
    staff_id: str = ""
    entity_id: str = ""


class AllegationForm(Stamped):
    category: str = ""
    summary: str = ""
    period_start: str = ""
    period_end: str = ""
    period_text: str = ""
    place: str = ""


class LinkForm(Stamped):
    other: str = ""
    reason: str = ""


class StatusForm(Stamped):
    status: str = ""
    reason: str = ""


class SubjectForm(Stamped):
    kind: str = ""  # entity, staff or unknown: said, never guessed from which fields are filled
    entity_id: str = ""
    staff_id: str = ""
    rank: str = ""
    role: str = ""
    force: str = ""
    unit: str = ""
    physical: str = ""
    vehicle: str = ""


class WithdrawForm(TokenForm):
    reason: str = ""


class SealForm(TokenForm):
    reason: str = ""
    order: str = ""
    confirm: str = ""  # the page's "the content goes for good" box; the API's caller has said so by calling


# -- the shared steps ---------------------------------------------------------------------------


def _casework(request: Request) -> Casework:
    return web(request).bench.casework


def _refused(command: Command) -> HTTPException:
    return HTTPException(403, f"your role may not {DOING[command]}")


def _on_case(signed: Signed, case_id: str, command: Command) -> None:
    if not signed.sight.case(case_id):
        raise AccessDenied(case_id)
    if not signed.sight.allowed(command, case_id=case_id):
        raise _refused(command)


def _allegation_case(request: Request, allegation_id: str) -> str:
    """The case an allegation is in; an allegation that does not exist is as unreadable as one that does."""
    allegation = _casework(request).book().allegations.get(allegation_id)
    if allegation is None:
        raise AccessDenied(allegation_id)
    return allegation.case_id


def _on_document(request: Request, signed: Signed, doc_id: str, command: Command) -> None:
    found = _casework(request).document(doc_id)
    if found is None or not signed.sight.document(doc_id, found[0].provenance.submitted_by):
        raise AccessDenied(doc_id)
    if not signed.sight.allowed(command, document_ids=(doc_id,)):
        raise _refused(command)


def _readable_documents(request: Request, signed: Signed, document_ids: list[str]) -> list[str]:
    """The ids as given, each one a document this viewer may read; the same answer for one that does not exist."""
    ids = [d.strip() for d in document_ids if d.strip()]
    if not ids:
        raise FieldError("document_ids", "choose at least one document")
    for doc_id in ids:
        found = _casework(request).document(doc_id)
        if found is None or not signed.sight.document(doc_id, found[0].provenance.submitted_by):
            raise FieldError("document_ids", f"{doc_id[:40]}: no document you may read has that id")
    return ids


def _choice(value: str, allowed: tuple[str, ...], field: str, what: str) -> str:
    if value not in allowed:
        raise FieldError(field, f"choose {what}: {', '.join(allowed)}")
    return value


def _command(field: str | None, call: Callable[[], T]) -> T:
    """Run a command; its refusal (a missing reason, a status it already has) becomes a field error."""
    try:
        return call()
    except (CasetrailError, ValueError) as error:
        raise FieldError(field, str(error)) from None


def _optional(value: str) -> str | None:
    return value.strip() or None


# -- the commands, each once for the page and the API ------------------------------------------------


def open_case(request: Request, signed: Signed, form: OpenForm, need_documents: bool) -> str:
    if not signed.sight.allowed(Command.OPEN_CASE):
        raise _refused(Command.OPEN_CASE)
    title = required(form.title, "title", "a case needs a title")
    kind = CaseKind(_choice(form.kind or CaseKind.COMPLAINT.value, tuple(CaseKind), "kind", "the kind of case"))
    casework, by, reference = _casework(request), signed.sight.username, _optional(form.reference)
    if not need_documents and not any(d.strip() for d in form.document_ids):
        return _command(None, lambda: casework.open_case(title, by, kind, reference)).id
    ids = _readable_documents(request, signed, form.document_ids)
    return _command("document_ids", lambda: casework.open_case_with(title, by, ids, kind, reference)).id


def add_documents(request: Request, signed: Signed, case_id: str, form: DocumentsForm) -> None:
    _on_case(signed, case_id, Command.ADD_DOCUMENTS)
    require_fresh(request, case_id, form.version)
    ids = _readable_documents(request, signed, form.document_ids)
    casework, given_by = _casework(request), _optional(form.given_by)
    if given_by is not None and given_by not in casework.book().cases[case_id].party_ids:
        raise FieldError("given_by", "choose a complainant or witness of this case")
    _command("document_ids", lambda: casework.add_documents(case_id, ids, signed.sight.username, given_by))


def add_party(request: Request, signed: Signed, case_id: str, form: PartyForm) -> str:
    _on_case(signed, case_id, Command.ADD_PARTY)
    require_fresh(request, case_id, form.version)
    role = PartyRole(_choice(form.role, tuple(PartyRole), "role", "the party's role"))
    entity_id = _optional(form.entity_id)
    if entity_id is not None:
        # Tying a pseudonym to a person is opening identifying details: only the identity roles may.
        if not signed.sight.identity(case_id):
            raise HTTPException(403, "your role may not record a party's identifying details")
        if not signed.sight.entity(entity_id):
            raise FieldError("entity_id", "no entity you may read has that id")
    casework = _casework(request)
    party = _command(
        "staff_id",
        lambda: casework.add_party(
            case_id,
            role,
            signed.sight.username,
            pseudonym=_optional(form.pseudonym),
            entity_id=entity_id,
            staff_id=_optional(form.staff_id),
        ),
    )
    return party.id


def _period(form: AllegationForm) -> Period | None:
    for field in ("period_start", "period_end"):
        value = getattr(form, field).strip()
        if value and not PERIOD_END.fullmatch(value):
            raise FieldError(field, "a year or an ISO date, e.g. 2003 or 2003-05-17")
    start, end, text = _optional(form.period_start), _optional(form.period_end), _optional(form.period_text)
    return Period(start, end, text) if (start or end or text) else None


def add_allegation(request: Request, signed: Signed, case_id: str, form: AllegationForm) -> str:
    _on_case(signed, case_id, Command.RECORD_ALLEGATION)
    require_fresh(request, case_id, form.version)
    casework = _casework(request)
    category = _choice(form.category, tuple(c.code for c in casework.categories), "category", "a category")
    period = _period(form)
    allegation = _command(
        "category",
        lambda: casework.add_allegation(
            case_id,
            category,
            signed.sight.username,
            summary=form.summary.strip(),
            period=period,
            place=_optional(form.place),
        ),
    )
    return allegation.id


def link_cases(request: Request, signed: Signed, case_id: str, form: LinkForm) -> None:
    _on_case(signed, case_id, Command.LINK_CASES)
    require_fresh(request, case_id, form.version)
    other = required(form.other, "other", "name the case to link")
    if not signed.sight.allowed(Command.LINK_CASES, case_id=other):  # both cases: the table's note
        raise FieldError("other", "no case you may link has that id")
    reason = required(form.reason, "reason", "a recorded link needs a reason")
    _command("other", lambda: _casework(request).link_cases(case_id, other, reason, signed.sight.username))


def change_status(request: Request, signed: Signed, allegation_id: str, form: StatusForm) -> str:
    case_id = _allegation_case(request, allegation_id)
    _on_case(signed, case_id, Command.CHANGE_STATUS)
    require_fresh(request, case_id, form.version)
    status = AllegationStatus(_choice(form.status, tuple(AllegationStatus), "status", "a status"))
    reason = required(form.reason, "reason", "a status change needs a reason")
    casework = _casework(request)
    _command("status", lambda: casework.change_status(allegation_id, status, reason, signed.sight.username))
    return case_id


def add_subject(request: Request, signed: Signed, allegation_id: str, form: SubjectForm) -> str:
    case_id = _allegation_case(request, allegation_id)
    _on_case(signed, case_id, Command.ADD_SUBJECT)
    require_fresh(request, case_id, form.version)
    kind = _choice(form.kind, SUBJECT_KINDS, "kind", "who the subject is")
    force, unit = _optional(form.force), _optional(form.unit)
    given: dict[str, Any] = {"force": force, "unit": unit}
    if kind == "entity":
        entity_id = required(form.entity_id, "entity_id", "pick an entity")
        if not signed.sight.entity(entity_id):
            raise FieldError("entity_id", "no entity you may read has that id")
        given["entity_id"] = entity_id
    elif kind == "staff":
        given["staff_id"] = required(form.staff_id, "staff_id", "pick a member of staff")
    else:
        described = Description(
            force,
            unit,
            _optional(form.rank),
            _optional(form.role),
            _optional(form.vehicle),
            None,
            None,
            _optional(form.physical),
        )
        if described.is_empty():
            raise FieldError(
                "description", "describe the unknown subject: at least one of rank, role, force, unit, features"
            )
        given["unknown"] = described
    field = {"entity": "entity_id", "staff": "staff_id"}.get(kind, "description")
    _command(field, lambda: _casework(request).add_subject(allegation_id, signed.sight.username, **given))
    return case_id


async def amend(request: Request, signed: Signed, doc_id: str, file: UploadFile | None, reason: str) -> str:
    _on_document(request, signed, doc_id, Command.AMEND)
    why = required(reason, "reason", "an amendment needs a reason")
    if file is None or not file.filename:
        raise FieldError("file", "choose the new version's file")
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise FieldError("file", "over the upload limit")
    with scratch_directory("casetrail-upload-") as tmp:
        path = tmp / safe_name(file.filename)
        path.write_bytes(data)
        register = web(request).inquiry.register
        outcome = _command(
            "file", lambda: register.amend(doc_id, path, Submission(signed.sight.username, "amendment"), why)
        )
    if outcome.status == "duplicate":
        # Not "already recorded as D-…": that document may be one this viewer may not read.
        raise FieldError("file", "these exact bytes are already recorded; nothing new was recorded")
    if outcome.status != "recorded" or outcome.document_id is None:
        raise FieldError("file", outcome.reason or "the file could not be recorded")
    return outcome.document_id


def withdraw(request: Request, signed: Signed, doc_id: str, form: WithdrawForm) -> None:
    _on_document(request, signed, doc_id, Command.WITHDRAW)
    reason = required(form.reason, "reason", "a withdrawal needs a reason")
    register = web(request).inquiry.register
    _command(None, lambda: register.withdraw(doc_id, signed.sight.username, reason))


def seal(request: Request, signed: Signed, doc_id: str, form: SealForm, need_confirmation: bool) -> None:
    _on_document(request, signed, doc_id, Command.SEAL)
    reason = required(form.reason, "reason", "sealing needs a reason")
    # The table's note: a seal needs a reason AND an order reference (the register takes it as optional).
    order = required(form.order, "order", "sealing needs the order's reference, e.g. the court order")
    if need_confirmation and form.confirm != "yes":
        raise FieldError("confirm", "confirm that the content is removed for good")
    found = _casework(request).document(doc_id)
    if found is not None and found[1] == "sealed":
        raise FieldError(None, f"{doc_id} is already sealed")
    register = web(request).inquiry.register
    _command(None, lambda: register.seal(doc_id, signed.sight.username, reason, order))


# -- pages ----------------------------------------------------------------------------------------


async def open_page(request: Request, form: Annotated[OpenForm, Form()]) -> Response:
    """Open a case from documents ticked in the inbox or in search results."""
    return submit(
        request,
        form.csrf_token,
        lambda signed: open_case(request, signed, form, need_documents=True),
        lambda case_id: see_other(f"/cases/{case_id}"),
        lambda signed, error: _open_form(request, signed, form, error),
    )


def _open_form(request: Request, signed: Signed, form: OpenForm, error: FieldError) -> HTMLResponse:
    """The form again, with what was ticked (only documents this viewer may read) and the error beside its field."""
    casework, sight = _casework(request), signed.sight
    chosen = []
    for doc_id in dict.fromkeys(d.strip() for d in form.document_ids if d.strip()):
        found = casework.document(doc_id)
        if found is not None and sight.document(doc_id, found[0].provenance.submitted_by):
            chosen.append({"id": doc_id, "source_name": found[0].provenance.source_name})
    if chosen:
        web(request).bench.audit(sight, "open a case", "documents", fields=", ".join(d["id"] for d in chosen))
    page = render(
        request,
        "work_open.html",
        signed,
        chosen=chosen,
        given=form,
        errors=field_errors(error),
        kinds=[k.value for k in CaseKind],
    )
    return with_status(page, 422)


async def case_work_page(request: Request, case_id: str, q: str = "") -> HTMLResponse:
    """The forms that change a case: documents, parties, allegations and hand links."""
    return _case_work(request, signed_in(request), case_id, q)


def _case_work(
    request: Request,
    signed: Signed,
    case_id: str,
    q: str = "",
    error: FieldError | None = None,
    which: str = "",
    given: BaseModel | None = None,
) -> HTMLResponse:
    sight = signed.sight
    if not sight.case(case_id):
        raise AccessDenied(case_id)
    may = _may_use(signed, case_id, CASE_COMMANDS, "change this case")
    case = web(request).bench.case(sight, case_id, links_shown=0)  # its pages list no links
    addable = _addable(request, signed, case, q) if may[Command.ADD_DOCUMENTS] else []
    page = render(
        request,
        "work_case.html",
        signed,
        case=case,
        may=may,
        q=q,
        addable=addable,
        categories=_casework(request).categories,
        party_roles=[r.value for r in PartyRole],
        identity=sight.identity(case_id),
        errors=field_errors(error),
        which=which,
        given=given,
    )
    return with_status(page, 422 if error else 200)


def _may_use(signed: Signed, case_id: str, commands: tuple[Command, ...], doing: str) -> dict[str, bool]:
    """Which of a page's forms the viewer may use; a page of forms they may use none of is refused (403)."""
    may = {c.value: signed.sight.allowed(c, case_id=case_id) for c in commands}
    if not any(may.values()):
        raise HTTPException(403, f"your role may not {doing}")
    return may


def _addable(request: Request, signed: Signed, case: CaseView, q: str) -> list[dict[str, Any]]:
    """Documents this viewer may read and the case does not hold: the best matches for `q`, else the newest."""
    bench, held, shown = web(request).bench, {d.id for d in case.documents}, Window(0, ADDABLE)
    rows = bench.search(signed.sight, q, shown)["documents"] if q.strip() else bench.documents(signed.sight, shown)[1]
    return [r for r in rows if r["id"] not in held]


def _submit_case_work(
    request: Request,
    case_id: str,
    form: F,
    which: str,
    command: FormCommand[F, T],
    leads_to: Callable[[T], str] | None = None,
) -> Response:
    """A form of the case's work page: then the case (or the page `leads_to` names), or the page again."""
    return submit(
        request,
        form.csrf_token,
        lambda signed: command(request, signed, case_id, form),
        lambda made: see_other(f"/cases/{case_id}" if leads_to is None else leads_to(made)),
        lambda signed, error: _case_work(request, signed, case_id, error=error, which=which, given=form),
    )


async def documents_page(request: Request, case_id: str, form: Annotated[DocumentsForm, Form()]) -> Response:
    return _submit_case_work(request, case_id, form, "documents", add_documents)


async def party_page(request: Request, case_id: str, form: Annotated[PartyForm, Form()]) -> Response:
    return _submit_case_work(request, case_id, form, "party", add_party)


async def allegation_add_page(request: Request, case_id: str, form: Annotated[AllegationForm, Form()]) -> Response:
    # Then the allegation's page: next comes who it is about.
    return _submit_case_work(request, case_id, form, "allegation", add_allegation, lambda made: f"/allegations/{made}")


async def link_page(request: Request, case_id: str, form: Annotated[LinkForm, Form()]) -> Response:
    return _submit_case_work(request, case_id, form, "link", link_cases)


async def allegation_page(request: Request, allegation_id: str, q: str = "") -> HTMLResponse:
    """The allegation editor: its status, and a subject picker (an entity, a member of staff, or a description)."""
    return _allegation_work(request, signed_in(request), allegation_id, q)


def _allegation_work(
    request: Request,
    signed: Signed,
    allegation_id: str,
    q: str = "",
    error: FieldError | None = None,
    which: str = "",
    given: BaseModel | None = None,
) -> HTMLResponse:
    sight = signed.sight
    case_id = _allegation_case(request, allegation_id)
    if not sight.case(case_id):
        raise AccessDenied(allegation_id)
    may = _may_use(signed, case_id, ALLEGATION_COMMANDS, "change this allegation")
    case = web(request).bench.case(sight, case_id, links_shown=0)  # its pages list no links
    allegation = next(a for a in case.allegations if a.id == allegation_id)
    choices = subject_choices(sight, _casework(request), q) if may[Command.ADD_SUBJECT] and q.strip() else None
    page = render(
        request,
        "work_allegation.html",
        signed,
        case=case,
        allegation=allegation,
        may=may,
        q=q,
        choices=choices,
        statuses=[s.value for s in AllegationStatus],
        errors=field_errors(error),
        which=which,
        given=given,
    )
    return with_status(page, 422 if error else 200)


def _submit_allegation_work(
    request: Request, allegation_id: str, form: F, which: str, command: FormCommand[F, str]
) -> Response:
    """A form of the allegation's page: then its case (the command's answer), or the page again."""
    return submit(
        request,
        form.csrf_token,
        lambda signed: command(request, signed, allegation_id, form),
        lambda case_id: see_other(f"/cases/{case_id}"),
        lambda signed, error: _allegation_work(request, signed, allegation_id, error=error, which=which, given=form),
    )


async def status_page(request: Request, allegation_id: str, form: Annotated[StatusForm, Form()]) -> Response:
    return _submit_allegation_work(request, allegation_id, form, "status", change_status)


async def subject_page(request: Request, allegation_id: str, form: Annotated[SubjectForm, Form()]) -> Response:
    return _submit_allegation_work(request, allegation_id, form, "subject", add_subject)


def _document_work(
    request: Request, signed: Signed, doc_id: str, error: FieldError, which: str, given: dict[str, str]
) -> HTMLResponse:
    """The document's life forms again, the error beside its field (the document page holds them too)."""
    doc = web(request).bench.document(signed.sight, doc_id)
    page = render(request, "work_document.html", signed, doc=doc, errors=field_errors(error), which=which, given=given)
    return with_status(page, 422)


def _submit_document_work(
    request: Request, doc_id: str, form: F, which: str, given: dict[str, str], command: FormCommand[F, None]
) -> Response:
    """A form of a document's life: then the document, or those forms again with what was `given`."""
    return submit(
        request,
        form.csrf_token,
        lambda signed: command(request, signed, doc_id, form),
        lambda _: see_other(f"/documents/{doc_id}"),
        lambda signed, error: _document_work(request, signed, doc_id, error, which, given),
    )


async def amend_page(
    request: Request,
    doc_id: str,
    file: Annotated[UploadFile | None, File()] = None,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    # The one command that awaits (it reads the upload), so `submit` cannot hold its try: its steps by hand.
    signed = checked(request, csrf_token)
    try:
        await amend(request, signed, doc_id, file, reason)
    except FieldError as error:
        return _document_work(request, signed, doc_id, error, "amend", {"reason": reason})
    return see_other(f"/documents/{doc_id}")


async def withdraw_page(request: Request, doc_id: str, form: Annotated[WithdrawForm, Form()]) -> Response:
    return _submit_document_work(request, doc_id, form, "withdraw", {"reason": form.reason}, withdraw)


async def seal_page(request: Request, doc_id: str, form: Annotated[SealForm, Form()]) -> Response:
    given = {"reason": form.reason, "order": form.order}
    return _submit_document_work(request, doc_id, form, "seal", given, partial(seal, need_confirmation=True))


# -- the API: the same commands, answering the viewer's view of what changed --------------------------


def _case_answer(request: Request, case_id: str, **made: str) -> JSONResponse:
    """What was made (its id), and the case as this viewer may now see it (a read, audited).

    Their sight is asked for again: the change may have moved what they reach (a case they opened)."""
    case = as_json(web(request).bench.case(signed_in(request).sight, case_id))
    return JSONResponse({**made, "case": case})


def _document_answer(request: Request, doc_id: str, **made: str) -> JSONResponse:
    return JSONResponse({**made, "document": web(request).bench.document(signed_in(request).sight, doc_id)})


def _submit_case_api(
    request: Request, case_id: str, form: F, command: FormCommand[F, str | None], made: str = ""
) -> Response:
    """Answer the case as the viewer now sees it and, under the key `made`, the id of what the command made."""
    return submit_api(
        request,
        form.csrf_token,
        lambda signed: command(request, signed, case_id, form),
        lambda new_id: _case_answer(request, case_id, **({made: new_id} if made and new_id is not None else {})),
    )


def _submit_allegation_api(request: Request, allegation_id: str, form: F, command: FormCommand[F, str]) -> Response:
    """Answer the allegation's case (the command says which) as the viewer now sees it."""
    return submit_api(
        request,
        form.csrf_token,
        lambda signed: command(request, signed, allegation_id, form),
        lambda case_id: _case_answer(request, case_id),
    )


def _submit_document_api(request: Request, doc_id: str, form: F, command: FormCommand[F, None]) -> Response:
    """Answer the document as the viewer now sees it."""
    return submit_api(
        request,
        form.csrf_token,
        lambda signed: command(request, signed, doc_id, form),
        lambda _: _document_answer(request, doc_id),
    )


async def api_open(request: Request, form: Annotated[OpenForm, Form()]) -> Response:
    """Open a case, with its first documents if any are given: one commit, so all of it or nothing."""
    return submit_api(
        request,
        form.csrf_token,
        lambda signed: open_case(request, signed, form, need_documents=False),
        lambda case_id: _case_answer(request, case_id),
    )


async def api_documents(request: Request, case_id: str, form: Annotated[DocumentsForm, Form()]) -> Response:
    """Add documents you may read to a case: all of them in one commit, or none."""
    return _submit_case_api(request, case_id, form, add_documents)


async def api_party(request: Request, case_id: str, form: Annotated[PartyForm, Form()]) -> Response:
    """A complainant or witness, held by pseudonym; an entity (their identity) only with the identity role."""
    return _submit_case_api(request, case_id, form, add_party, made="party")


async def api_allegation(request: Request, case_id: str, form: Annotated[AllegationForm, Form()]) -> Response:
    """An allegation: a configured category, a summary, when (years or ISO dates) and where."""
    return _submit_case_api(request, case_id, form, add_allegation, made="allegation")


async def api_link(request: Request, case_id: str, form: Annotated[LinkForm, Form()]) -> Response:
    """Record by hand, with a reason, that two cases you may read are linked."""
    return _submit_case_api(request, case_id, form, link_cases)


async def api_subject_choices(request: Request, case_id: str, q: str = "") -> Response:
    """Whom an allegation in this case could name: entities you may read, and members of staff."""
    signed = signed_in(request)
    _on_case(signed, case_id, Command.ADD_SUBJECT)
    choices = subject_choices(signed.sight, _casework(request), q)
    web(request).bench.audit(signed.sight, case_id, "subject picker", q[:200] or None)
    return JSONResponse(as_json(choices))


async def api_status(request: Request, allegation_id: str, form: Annotated[StatusForm, Form()]) -> Response:
    """Change an allegation's status, with a reason; its history keeps every earlier one."""
    return _submit_allegation_api(request, allegation_id, form, change_status)


async def api_subject(request: Request, allegation_id: str, form: Annotated[SubjectForm, Form()]) -> Response:
    """Name who an allegation is about: `kind` entity (`entity_id`), staff (`staff_id`) or unknown (described)."""
    return _submit_allegation_api(request, allegation_id, form, add_subject)


async def api_amend(
    request: Request,
    doc_id: str,
    file: Annotated[UploadFile | None, File()] = None,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Record a new version of a document, with a reason; the original stays as it was."""
    signed = checked(request, csrf_token)  # by hand, as `amend_page`: the command awaits
    try:
        new_id = await amend(request, signed, doc_id, file, reason)
    except FieldError as error:
        return unprocessable(error)
    return _document_answer(request, doc_id, amendment=new_id)


async def api_withdraw(request: Request, doc_id: str, form: Annotated[WithdrawForm, Form()]) -> Response:
    """Mark a document withdrawn, with a reason: it stays on record."""
    return _submit_document_api(request, doc_id, form, withdraw)


async def api_seal(request: Request, doc_id: str, form: Annotated[SealForm, Form()]) -> Response:
    """Remove a document's content, with a reason and the order's reference; its hash stays in the log."""
    return _submit_document_api(request, doc_id, form, partial(seal, need_confirmation=False))


ROUTES: tuple[Route, ...] = (
    Route("POST", "/cases", open_page),
    Route("GET", "/cases/{case_id}/work", case_work_page),
    Route("POST", "/cases/{case_id}/documents", documents_page),
    Route("POST", "/cases/{case_id}/parties", party_page),
    Route("POST", "/cases/{case_id}/allegations", allegation_add_page),
    Route("POST", "/cases/{case_id}/links", link_page),
    Route("GET", "/allegations/{allegation_id}", allegation_page),
    Route("POST", "/allegations/{allegation_id}/status", status_page),
    Route("POST", "/allegations/{allegation_id}/subjects", subject_page),
    Route("POST", "/documents/{doc_id}/amend", amend_page),
    Route("POST", "/documents/{doc_id}/withdraw", withdraw_page),
    Route("POST", "/documents/{doc_id}/seal", seal_page),
    Route("POST", "/api/cases", api_open, "casework"),
    Route("POST", "/api/cases/{case_id}/documents", api_documents, "casework"),
    Route("POST", "/api/cases/{case_id}/parties", api_party, "casework"),
    Route("POST", "/api/cases/{case_id}/allegations", api_allegation, "casework"),
    Route("POST", "/api/cases/{case_id}/links", api_link, "casework"),
    Route("GET", "/api/cases/{case_id}/subject-choices", api_subject_choices, "casework"),
    Route("POST", "/api/allegations/{allegation_id}/status", api_status, "casework"),
    Route("POST", "/api/allegations/{allegation_id}/subjects", api_subject, "casework"),
    Route("POST", "/api/documents/{doc_id}/amendments", api_amend, "casework"),
    Route("POST", "/api/documents/{doc_id}/withdrawal", api_withdraw, "casework"),
    Route("POST", "/api/documents/{doc_id}/seal", api_seal, "casework"),
)
