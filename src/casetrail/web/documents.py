"""The inbox, uploads, a document, and decisions on its mentions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from casetrail.casework import WEB_CHANNEL
from casetrail.errors import DecisionError
from casetrail.intake.names import safe_name
from casetrail.intake.register import Submission
from casetrail.model.mention import MentionType
from casetrail.policy.access import Action
from casetrail.store.scratch import scratch_directory
from casetrail.web.context import Signed, check_csrf, render, signed_in, web, window
from casetrail.web.workbench import PAGE, AccessDenied, Window

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # per file; the register's own limits apply too


def _inbox(request: Request, signed: Signed, outcomes: list[dict[str, Any]] | None, shown: Window) -> HTMLResponse:
    total, documents = web(request).bench.documents(signed.sight, shown)
    return render(request, "inbox.html", signed, documents=documents, total=total, window=shown, outcomes=outcomes)


async def inbox_page(request: Request, offset: int = 0) -> HTMLResponse:
    return _inbox(request, signed_in(request), None, window(offset))


async def upload_page(request: Request, files: list[UploadFile], csrf_token: str = Form("")) -> HTMLResponse:
    signed = signed_in(request)
    check_csrf(request, signed, csrf_token)
    outcomes = await _ingest(request, signed, files)
    return _inbox(request, signed, outcomes, Window())


async def document_page(request: Request, doc_id: str, message: dict[str, Any] | None = None) -> HTMLResponse:
    signed = signed_in(request)
    doc = web(request).bench.document(signed.sight, doc_id)
    return render(
        request,
        "document.html",
        signed,
        doc=doc,
        segments=_segments(doc),
        message=message,
        types=[t.value for t in MentionType],
    )


async def decide_page(
    request: Request,
    doc_id: str,
    mention_id: int,
    verdict: str = Form(...),
    reason: str = Form(""),
    csrf_token: str = Form(""),
) -> HTMLResponse:
    signed = signed_in(request)
    check_csrf(request, signed, csrf_token)
    return await document_page(request, doc_id, _decide(request, signed, doc_id, mention_id, verdict, reason))


async def api_documents(
    request: Request, response: Response, offset: int = 0, limit: int = PAGE
) -> list[dict[str, Any]]:
    """The documents you may see, newest first; `X-Total-Count` says how many there are in all."""
    total, documents = web(request).bench.documents(signed_in(request).sight, window(offset, limit))
    response.headers["X-Total-Count"] = str(total)
    return documents


async def api_upload(request: Request, files: list[UploadFile]) -> list[dict[str, Any]]:
    signed = signed_in(request)
    check_csrf(request, signed)
    return await _ingest(request, signed, files)


async def api_document(request: Request, doc_id: str, reason: str | None = None) -> dict[str, Any]:
    return web(request).bench.document(signed_in(request).sight, doc_id, reason)


async def api_decide(
    request: Request, doc_id: str, mention_id: int, verdict: str = Form(...), reason: str = Form("")
) -> dict[str, Any]:
    """Confirm a mention is its entity, or reject it; a ledger event applied by the next resolution run."""
    signed = signed_in(request)
    check_csrf(request, signed)
    return _decide(request, signed, doc_id, mention_id, verdict, reason)


async def _ingest(request: Request, signed: Signed, files: list[UploadFile]) -> list[dict[str, Any]]:
    if not signed.sight.may(Action.UPLOAD):
        raise AccessDenied("upload")
    results: list[dict[str, Any]] = []
    with scratch_directory("casetrail-upload-") as tmp:
        paths = []
        for upload in files:
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
            name = safe_name(upload.filename)
            if len(data) > MAX_UPLOAD_BYTES:
                results.append({"source": name, "status": "failed", "reason": "over the upload limit"})
                continue
            path = tmp / f"{len(paths):04d}" / name
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path)
        register = web(request).inquiry.register
        for outcome in register.ingest(paths, Submission(signed.sight.viewer.user_id, WEB_CHANNEL)):
            results.append(
                {
                    "source": Path(outcome.source).name,
                    "status": outcome.status,
                    "document_id": outcome.document_id,
                    "leaf_index": outcome.leaf_index,
                    "reason": outcome.reason,
                    "receipt": outcome.receipt.to_json() if outcome.receipt else None,
                }
            )
    return results


def _decide(
    request: Request, signed: Signed, doc_id: str, mention_id: int, verdict: str, reason: str
) -> dict[str, Any]:
    try:
        return {"ok": True, **web(request).bench.decide_mention(signed.sight, doc_id, mention_id, verdict, reason)}
    except (DecisionError, ValueError) as error:
        return {"ok": False, "error": str(error)}


def _segments(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The text cut at mention boundaries, so the template can highlight without raw HTML."""
    text = doc.get("text") or ""
    chosen, end = [], 0
    for m in sorted(doc["mentions"], key=lambda m: (m["start"], -(m["end"] - m["start"]))):
        if m["start"] >= end:  # non-overlapping, longest first at each start
            chosen.append(m)
            end = m["end"]
    segments, at = [], 0
    for m in chosen:
        if m["start"] > at:
            segments.append({"text": text[at : m["start"]], "mention": None})
        segments.append({"text": text[m["start"] : m["end"]], "mention": m})
        at = m["end"]
    segments.append({"text": text[at:], "mention": None})
    return segments
