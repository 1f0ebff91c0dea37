"""The log's integrity: the public checkpoint, a full verification for auditors, and receipt checks."""

from __future__ import annotations

from typing import Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from casetrail.errors import CasetrailError
from casetrail.intake.register import utc_now
from casetrail.ledger.receipt import Receipt, verify_receipt
from casetrail.ledger.verification import verify_store
from casetrail.policy.access import Action
from casetrail.web.context import Web, check_csrf, render, signed_in, web
from casetrail.web.workbench import AccessDenied


async def integrity_page(request: Request) -> HTMLResponse:
    signed = signed_in(request)
    data = _integrity(web(request), signed.sight.may(Action.VIEW_INTEGRITY))
    return render(request, "integrity.html", signed, data=data, result=None)


async def receipt_page(request: Request, receipt: str = Form(...), csrf_token: str = Form("")) -> HTMLResponse:
    signed = signed_in(request)
    check_csrf(request, signed, csrf_token)
    parts = web(request)
    data = _integrity(parts, signed.sight.may(Action.VIEW_INTEGRITY))
    return render(request, "integrity.html", signed, data=data, result=_check_receipt(parts, receipt))


async def api_integrity(request: Request) -> dict[str, Any]:
    if not signed_in(request).sight.may(Action.VIEW_INTEGRITY):
        raise AccessDenied("integrity")
    return _integrity(web(request), True)


async def api_verify_receipt(request: Request) -> dict[str, Any]:
    # Anyone may check a receipt: it proves only what its holder already has.
    return _check_receipt(web(request), (await request.body()).decode("utf-8", "replace"))


def _integrity(parts: Web, full: bool) -> dict[str, Any]:
    """The checkpoint is public; the verification run is for those who may view integrity."""
    inquiry = parts.inquiry
    size, note = inquiry.log.latest_checkpoint()
    result = None
    if full:
        if size not in parts.verified:
            report = verify_store(inquiry.store, inquiry.objects, parts.verifier)
            parts.verified.clear()
            parts.verified[size] = {
                "ok": report.ok,
                "size": report.size,
                "documents": report.documents,
                "problems": [str(p) for p in report.problems[:50]],
                "at": utc_now(),
            }
        result = parts.verified[size]
    return {"checkpoint": note, "size": size, "verifier_key": inquiry.home.verifier_key(), "verification": result}


def _check_receipt(parts: Web, text: str) -> dict[str, Any]:
    try:
        receipt = Receipt.from_json(text) if text.lstrip().startswith("{") else Receipt.from_tlog_proof(text)
        checkpoint = verify_receipt(receipt, parts.verifier)
    except CasetrailError as error:
        return {"ok": False, "error": str(error)}
    return {
        "ok": True,
        "leaf_index": receipt.leaf_index,
        "tree_size": checkpoint.size,
        "document_id": receipt.document_id,
    }
