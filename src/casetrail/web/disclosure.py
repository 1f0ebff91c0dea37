"""Disclosure in the browser and the API: a case's CPIA schedules, the disclosure test, the signed
bundle, and redacted copies of documents.

Reads are built per viewer (`views.disclosure`: an MG6D item only for those who may open the case's
identifying details) and audited, one `read.audited` event per response. Writes take the steps of
every casework write (`web.work`), in the same order, and hold no rule of their own:

  1. `signed_in`: 401 (or the login page);
  2. `check_csrf`;
  3. need-to-know: a case, schedule item or document the viewer may not read answers 404;
  4. `Sight.allowed` (`Command.SCHEDULE`, `JUDGE`, `REDACT`): 403;
  5. `require_fresh` (the schedules' forms carry the case's version): 409;
  6. the fields: 422 `{"detail", "field"}`, the page showing the error beside its field;
  7. the command layer (`casework.disclosure`, `redaction`), which records the ledger event, `by` the user.

The export needs a reason, kept in the read audit; the bundle is the one `casetrail disclosure
export` writes, and `casetrail verify-case-file` checks it offline.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from casetrail.casework.disclosure import judge_item, read_disclosure, schedule_item
from casetrail.errors import CasetrailError
from casetrail.model.disclosure import Schedule
from casetrail.policy.permissions import Command
from casetrail.redaction import DEFAULT_KINDS, MANUAL, Span, parse_span, redact, suggest
from casetrail.views import as_json
from casetrail.views.case import case_version
from casetrail.views.disclosure import ScheduleView, build_schedule_view, export_schedules, visible_items
from casetrail.web.context import Signed, render, require_fresh, signed_in, web
from casetrail.web.forms import (
    FieldError,
    Stamped,
    TokenForm,
    field_errors,
    required,
    see_other,
    submit,
    submit_api,
    with_status,
    zip_download,
)
from casetrail.web.routes_table import Route
from casetrail.web.workbench import AccessDenied

T = TypeVar("T")
SCHEDULES = {
    "non_sensitive": Schedule.NON_SENSITIVE,
    "mg6c": Schedule.NON_SENSITIVE,
    "sensitive": Schedule.SENSITIVE,
    "mg6d": Schedule.SENSITIVE,
}
VERDICTS = {"yes": True, "no": False}
CONTEXT = 30  # characters shown either side of a suggested span


# -- the forms: every field optional, so a session and a CSRF token are checked before the fields ---


class ScheduleForm(Stamped):
    document_id: str = ""
    schedule: str = ""  # non_sensitive (MG6C) or sensitive (MG6D)
    description: str = ""
    sensitivity_reason: str = ""  # MG6D only


class JudgeForm(Stamped):
    meets_test: str = ""  # yes: might undermine the prosecution or assist the defence; no: it might not
    reason: str = ""


class ExportForm(TokenForm):
    reason: str = ""


class RedactForm(TokenForm):
    reason: str = ""
    spans: list[str] = []  # START:END, each a suggested span or one of the person's own
    extra: str = ""  # the page's box for more spans: START:END, separated by spaces or commas


# -- the shared steps ---------------------------------------------------------------------------


def _readable_case(signed: Signed, case_id: str) -> None:
    if not signed.sight.case(case_id):
        raise AccessDenied(case_id)


def _refused(doing: str) -> HTTPException:
    return HTTPException(403, f"your role may not {doing}")


def _view(request: Request, signed: Signed, case_id: str) -> ScheduleView:
    """The viewer's schedules, audited as one read (the caller checked they may read the case)."""
    bench = web(request).bench
    view = build_schedule_view(signed.sight, bench.casework, read_disclosure(bench.casework), case_id)
    bench.audit(signed.sight, case_id, "disclosure schedules")
    return view


# -- the commands, each once for the page and the API ------------------------------------------------


def schedule(request: Request, signed: Signed, case_id: str, form: ScheduleForm) -> str:
    sight = signed.sight
    _readable_case(signed, case_id)
    if not sight.allowed(Command.SCHEDULE, case_id=case_id):
        raise _refused("schedule this case's material")
    require_fresh(request, case_id, form.version)
    chosen = SCHEDULES.get(form.schedule.strip().casefold())
    if chosen is None:
        raise FieldError("schedule", "choose non_sensitive (MG6C) or sensitive (MG6D)")
    if chosen is Schedule.SENSITIVE and not sight.identity(case_id):
        raise _refused("put material on this case's sensitive schedule")
    casework = web(request).bench.casework
    doc_id = required(form.document_id, "document_id", "choose one of the case's documents")
    if doc_id not in casework.book().cases[case_id].documents or not sight.document(doc_id):
        raise FieldError("document_id", f"{doc_id[:40]}: no document of this case you may read has that id")
    description = required(
        form.description, "description", "describe the item well enough for the prosecutor to judge it"
    )
    reason = form.sensitivity_reason.strip() or None
    if chosen is Schedule.SENSITIVE and reason is None:
        raise FieldError("sensitivity_reason", "a sensitive item needs the reason it is sensitive")
    if chosen is Schedule.NON_SENSITIVE and reason is not None:
        raise FieldError(
            "sensitivity_reason", "only sensitive items carry a reason: the MG6C schedule goes to the defence"
        )
    try:
        item = schedule_item(casework, case_id, doc_id, chosen, description, sight.username, sensitivity_reason=reason)
    except (CasetrailError, ValueError) as error:
        raise FieldError(None, str(error)) from None
    return item.id


def judge(request: Request, signed: Signed, case_id: str, item_id: str, form: JudgeForm) -> str:
    sight = signed.sight
    _readable_case(signed, case_id)
    casework = web(request).bench.casework
    shown, _ = visible_items(sight, read_disclosure(casework), case_id)
    if item_id not in {item.id for item in shown}:
        raise AccessDenied(item_id)  # not on this case's schedules, or not on any this viewer may see
    if not sight.allowed(Command.JUDGE, case_id=case_id):
        raise _refused("record the disclosure test for this case")
    require_fresh(request, case_id, form.version)
    verdict = VERDICTS.get(form.meets_test.strip().casefold())
    if verdict is None:
        raise FieldError("meets_test", "say whether the item meets the disclosure test: yes or no")
    reason = required(form.reason, "reason", "a disclosure judgement needs its reason")
    try:
        judge_item(casework, item_id, verdict, reason, sight.username)
    except (CasetrailError, ValueError) as error:
        raise FieldError(None, str(error)) from None
    return item_id


def export(request: Request, signed: Signed, case_id: str, form: ExportForm) -> bytes:
    """The signed bundle of this viewer's schedules (JSON and PDF inside); the reason goes to the read audit."""
    _readable_case(signed, case_id)
    reason = required(form.reason, "reason", "exporting the schedules needs a reason")
    bench = web(request).bench
    # Built in memory: the bundle's plaintext never touches a filesystem.
    bundle = export_schedules(signed.sight, bench.casework, read_disclosure(bench.casework), case_id, io.BytesIO())
    data = bundle.getvalue()
    bench.audit(signed.sight, case_id, "disclosure export", reason, fields="schedules bundle")
    return data


def _readable_document(request: Request, signed: Signed, doc_id: str) -> None:
    found = web(request).bench.casework.document(doc_id)
    if found is None or not signed.sight.document(doc_id, found[0].provenance.submitted_by):
        raise AccessDenied(doc_id)


def suggestions(request: Request, signed: Signed, doc_id: str) -> dict[str, Any]:
    """The spans suggested from the document's mentions, each with its text; audited as one read."""
    _readable_document(request, signed, doc_id)
    register = web(request).inquiry.register
    found: list[dict[str, Any]] = []
    note = None
    try:
        spans = suggest(register, doc_id)
    except CasetrailError as error:
        spans, note = [], str(error)
    text = (register.store.documents.get_text(doc_id) or "") if spans else ""
    for span in spans:
        found.append(
            {
                **span.to_json(),
                "text": text[span.start : span.end],
                "before": text[max(0, span.start - CONTEXT) : span.start],
                "after": text[span.end : span.end + CONTEXT],
            }
        )
    web(request).bench.audit(signed.sight, doc_id, "redaction suggestions")
    return {
        "document": doc_id,
        "redactable": note is None,
        "note": note,
        "kinds": list(DEFAULT_KINDS),
        "suggested": found,
    }


def _spans(request: Request, doc_id: str, form: RedactForm) -> list[Span]:
    given = [s.strip() for s in form.spans if s.strip()]
    given += [s for s in re.split(r"[\s,]+", form.extra) if s]
    if not given:
        raise FieldError("spans", "choose at least one span to redact")
    try:
        parsed = [parse_span(s) for s in given]
    except (CasetrailError, ValueError) as error:  # ValueError: digits int() does not take, such as "²"
        raise FieldError("spans", str(error)) from None
    try:  # a chosen suggestion keeps its kind in the ledger event; a span of the person's own is `manual`
        kinds = {(s.start, s.end): s.kind for s in suggest(web(request).inquiry.register, doc_id)}
    except CasetrailError:
        kinds = {}
    return [Span(s.start, s.end, kinds.get((s.start, s.end), MANUAL)) for s in parsed]


def redaction(request: Request, signed: Signed, doc_id: str, form: RedactForm) -> str:
    """Record the redacted copy as a new version of the document; its id."""
    _readable_document(request, signed, doc_id)
    if not signed.sight.allowed(Command.REDACT, document_ids=(doc_id,)):
        raise _refused("redact this document")
    reason = required(form.reason, "reason", "a redaction needs its reason")
    spans = _spans(request, doc_id, form)
    try:
        made = redact(web(request).inquiry.register, doc_id, spans, reason, signed.sight.username)
    except (CasetrailError, ValueError) as error:
        raise FieldError("spans", str(error)) from None
    return made.version


# -- pages ----------------------------------------------------------------------------------------


async def schedules_page(request: Request, case_id: str) -> HTMLResponse:
    """Both schedules of a case as this viewer may see them, and the forms that change them."""
    return _schedules(request, signed_in(request), case_id)


def _schedules(
    request: Request,
    signed: Signed,
    case_id: str,
    error: FieldError | None = None,
    which: str = "",
    given: BaseModel | None = None,
) -> HTMLResponse:
    sight = signed.sight
    _readable_case(signed, case_id)
    view = _view(request, signed, case_id)
    book = web(request).bench.casework.book()
    documents = [d for d in sorted(book.cases[case_id].documents) if sight.document(d)]
    page = render(
        request,
        "disclosure_schedules.html",
        signed,
        view=view,
        version=case_version(book, case_id),
        documents=documents,
        may_schedule=sight.allowed(Command.SCHEDULE, case_id=case_id),
        may_judge=sight.allowed(Command.JUDGE, case_id=case_id),
        sensitive=sight.identity(case_id),
        errors=field_errors(error),
        which=which,
        given=given,
    )
    return with_status(page, 422 if error else 200)


def _submit_schedules(
    request: Request,
    case_id: str,
    form: TokenForm,
    which: str,
    write: Callable[[Signed], T],
    answer: Callable[[T], Response] | None = None,
) -> Response:
    """A form of the schedules page: then the schedules afresh (or `answer`), or the page again."""
    return submit(
        request,
        form.csrf_token,
        write,
        answer or (lambda _: see_other(f"/cases/{case_id}/disclosure")),
        lambda signed, error: _schedules(request, signed, case_id, error=error, which=which, given=form),
    )


async def schedule_page(request: Request, case_id: str, form: Annotated[ScheduleForm, Form()]) -> Response:
    return _submit_schedules(
        request, case_id, form, "schedule", lambda signed: schedule(request, signed, case_id, form)
    )


async def judge_page(request: Request, case_id: str, item_id: str, form: Annotated[JudgeForm, Form()]) -> Response:
    which = f"judge-{item_id}"
    return _submit_schedules(
        request, case_id, form, which, lambda signed: judge(request, signed, case_id, item_id, form)
    )


async def export_page(request: Request, case_id: str, form: Annotated[ExportForm, Form()]) -> Response:
    """The signed bundle from the schedules page: a POST, so the reason stays out of URLs."""
    return _submit_schedules(
        request,
        case_id,
        form,
        "export",
        lambda signed: export(request, signed, case_id, form),
        lambda data: zip_download(data, f"disclosure-{case_id}"),
    )


async def redaction_page(request: Request, doc_id: str) -> HTMLResponse:
    """The spans suggested for a redacted copy, to accept, leave out or add to, with a reason."""
    return _redaction(request, signed_in(request), doc_id)


def _redaction(
    request: Request, signed: Signed, doc_id: str, error: FieldError | None = None, given: RedactForm | None = None
) -> HTMLResponse:
    found = suggestions(request, signed, doc_id)
    chosen = None if given is None else {s.strip() for s in given.spans}
    page = render(
        request,
        "disclosure_redaction.html",
        signed,
        doc_id=doc_id,
        found=found,
        chosen=chosen,
        may_redact=signed.sight.allowed(Command.REDACT, document_ids=(doc_id,)),
        errors=field_errors(error),
        which="redact" if error else "",
        given=given,
    )
    return with_status(page, 422 if error else 200)


async def redact_page(request: Request, doc_id: str, form: Annotated[RedactForm, Form()]) -> Response:
    return submit(
        request,
        form.csrf_token,
        lambda signed: redaction(request, signed, doc_id, form),
        lambda _: see_other(f"/documents/{doc_id}"),
        lambda signed, error: _redaction(request, signed, doc_id, error, form),
    )


# -- the API: the same commands, answering the viewer's schedules or the new version ------------------


async def api_schedules(request: Request, case_id: str) -> dict[str, Any]:
    """Both schedules of a case as you may see them (MG6D only with the identity roles), audited."""
    signed = signed_in(request)
    _readable_case(signed, case_id)
    found: dict[str, Any] = as_json(_view(request, signed, case_id))
    return found


def _schedules_answer(request: Request, case_id: str, item_id: str) -> JSONResponse:
    signed = signed_in(request)
    return JSONResponse({"item": item_id, "disclosure": as_json(_view(request, signed, case_id))})


def _submit_schedules_api(request: Request, case_id: str, form: TokenForm, write: Callable[[Signed], str]) -> Response:
    """Answer the item the write names, and the schedules as the viewer now sees them."""
    return submit_api(request, form.csrf_token, write, lambda item_id: _schedules_answer(request, case_id, item_id))


async def api_schedule(request: Request, case_id: str, form: Annotated[ScheduleForm, Form()]) -> Response:
    """Put a case document on MG6C (`non_sensitive`) or MG6D (`sensitive`, with its reason), or change its entry."""
    return _submit_schedules_api(request, case_id, form, lambda signed: schedule(request, signed, case_id, form))


async def api_judge(request: Request, case_id: str, item_id: str, form: Annotated[JudgeForm, Form()]) -> Response:
    """Record the disclosure test for an item (`meets_test` yes or no), with its reason."""
    return _submit_schedules_api(request, case_id, form, lambda signed: judge(request, signed, case_id, item_id, form))


async def api_export(request: Request, case_id: str, form: Annotated[ExportForm, Form()]) -> Response:
    """The schedules as a signed bundle (JSON and PDF inside) that `casetrail verify-case-file` checks
    offline. Needs a reason (audited)."""
    return submit_api(
        request,
        form.csrf_token,
        lambda signed: export(request, signed, case_id, form),
        lambda data: zip_download(data, f"disclosure-{case_id}"),
    )


async def api_suggestions(request: Request, doc_id: str) -> dict[str, Any]:
    """Spans to redact, suggested from the document's mentions (names, places, phones, plates), audited."""
    return suggestions(request, signed_in(request), doc_id)


async def api_redact(request: Request, doc_id: str, form: Annotated[RedactForm, Form()]) -> Response:
    """Record a redacted copy (the chosen `spans`, START:END) as a new version, with a reason; its id."""
    return submit_api(
        request,
        form.csrf_token,
        lambda signed: redaction(request, signed, doc_id, form),
        lambda version: JSONResponse({"version": version, "original": doc_id}),
    )


ROUTES: tuple[Route, ...] = (
    Route("GET", "/cases/{case_id}/disclosure", schedules_page),
    Route("POST", "/cases/{case_id}/disclosure/items", schedule_page),
    Route("POST", "/cases/{case_id}/disclosure/{item_id}/judgement", judge_page),
    Route("POST", "/cases/{case_id}/disclosure/export", export_page),
    Route("GET", "/documents/{doc_id}/redaction", redaction_page),
    Route("POST", "/documents/{doc_id}/redaction", redact_page),
    Route("GET", "/api/cases/{case_id}/disclosure", api_schedules, "disclosure"),
    Route("POST", "/api/cases/{case_id}/disclosure/items", api_schedule, "disclosure"),
    Route("POST", "/api/cases/{case_id}/disclosure/{item_id}/judgement", api_judge, "disclosure"),
    Route("POST", "/api/cases/{case_id}/disclosure/export", api_export, "disclosure", Response),
    Route("GET", "/api/documents/{doc_id}/redaction", api_suggestions, "disclosure"),
    Route("POST", "/api/documents/{doc_id}/redaction", api_redact, "disclosure"),
)
