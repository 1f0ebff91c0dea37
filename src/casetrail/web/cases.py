"""Cases: the list, a case, a party's identifying details, assignment and the case file."""

from __future__ import annotations

from typing import Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from casetrail.model.casework import AssignmentRole
from casetrail.policy.access import Action
from casetrail.views import as_json
from casetrail.views.case import LINKS_MOST, LINKS_SHOWN, PAGE_LINKS_SHOWN
from casetrail.views.conflicts import VerdictView
from casetrail.web.context import Signed, check_csrf, render, signed_in, web
from casetrail.web.forms import checked, zip_download
from casetrail.web.workbench import ReasonRequired


async def cases_page(request: Request) -> HTMLResponse:
    signed = signed_in(request)
    return render(request, "cases.html", signed, cases=web(request).bench.cases(signed.sight))


async def case_page(
    request: Request, case_id: str, message: VerdictView | None = None, revealed: dict[str, Any] | None = None
) -> HTMLResponse:
    signed = signed_in(request)
    bench = web(request).bench
    case = bench.case(signed.sight, case_id, links_shown=PAGE_LINKS_SHOWN)
    picker = bench.picker(signed.sight, case_id) if signed.sight.may(Action.ASSIGN) else []
    return render(
        request,
        "case.html",
        signed,
        case=case,
        links_shown=PAGE_LINKS_SHOWN,
        api_links_shown=LINKS_SHOWN,
        api_links_most=LINKS_MOST,
        picker=picker,
        roles=[r.value for r in AssignmentRole],
        message=message,
        revealed=revealed,
    )


async def identity_page(
    request: Request, case_id: str, party_id: str, reason: str = Form(""), csrf_token: str = Form("")
) -> HTMLResponse:
    signed = signed_in(request)
    check_csrf(request, signed, csrf_token)
    try:
        revealed = {"ok": True, **web(request).bench.identity(signed.sight, case_id, party_id, reason)}
    except ReasonRequired as error:
        revealed = {"ok": False, "error": str(error), "party": party_id}
    return await case_page(request, case_id, revealed=revealed)


async def assign_page(
    request: Request, case_id: str, staff_id: str = Form(...), role: str = Form(...), csrf_token: str = Form("")
) -> HTMLResponse:
    signed = signed_in(request)
    check_csrf(request, signed, csrf_token)
    return await case_page(request, case_id, web(request).bench.assign(signed.sight, case_id, staff_id, role))


async def api_cases(request: Request) -> list[dict[str, Any]]:
    return web(request).bench.cases(signed_in(request).sight)


async def api_case(
    request: Request,
    case_id: str,
    reason: str | None = None,
    links_offset: int = Query(0, ge=0),
    links_limit: int = Query(LINKS_SHOWN, ge=0, le=LINKS_MOST),
) -> dict[str, Any]:
    """The case as you may see it, with `links_limit` of its linked cases after the `links_offset`
    strongest (`link_count` counts them all)."""
    bench, sight = web(request).bench, signed_in(request).sight
    view: dict[str, Any] = as_json(bench.case(sight, case_id, reason, links_limit, links_offset))
    return view


async def api_export(request: Request, case_id: str, reason: str | None = None) -> Response:
    """The case file: your view of the case, its events' inclusion proofs, documents with receipts,
    one signed checkpoint; `casetrail verify-case-file` checks it offline. Needs a reason (audited)."""
    data = web(request).bench.export(signed_in(request).sight, case_id, reason)
    return zip_download(data, case_id)


async def export_page(request: Request, case_id: str, reason: str = Form(""), csrf_token: str = Form("")) -> Response:
    """The case file from the case page: a POST, so the reason stays out of URLs and browser history."""
    signed = checked(request, csrf_token)
    data = web(request).bench.export(signed.sight, case_id, reason)
    return zip_download(data, case_id)


async def api_identity(request: Request, case_id: str, party_id: str, reason: str | None = None) -> dict[str, Any]:
    return web(request).bench.identity(signed_in(request).sight, case_id, party_id, reason)


async def api_assignable(request: Request, case_id: str, q: str | None = None) -> list[dict[str, Any]]:
    return web(request).bench.picker(signed_in(request).sight, case_id, q)


async def api_assign(
    request: Request, case_id: str, staff_id: str = Form(...), role: str = Form(...)
) -> dict[str, Any]:
    signed: Signed = signed_in(request)
    check_csrf(request, signed)
    return {"result": as_json(web(request).bench.assign(signed.sight, case_id, staff_id, role))}
