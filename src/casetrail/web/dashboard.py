"""The overseer's dashboard and the auditor's read-audit log."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from casetrail.views import as_json
from casetrail.web.context import render, signed_in, web


async def oversight_page(request: Request) -> HTMLResponse:
    signed = signed_in(request)
    return render(request, "oversight.html", signed, data=web(request).bench.oversight(signed.sight))


async def api_oversight(request: Request) -> dict[str, Any]:
    view: dict[str, Any] = as_json(web(request).bench.oversight(signed_in(request).sight))
    return view


async def audit_page(request: Request, q: str | None = None) -> HTMLResponse:
    signed = signed_in(request)
    return render(request, "audit.html", signed, rows=web(request).bench.audit_log(signed.sight, q), q=q or "")


async def api_audit(request: Request, q: str | None = None) -> list[dict[str, Any]]:
    return web(request).bench.audit_log(signed_in(request).sight, q)
