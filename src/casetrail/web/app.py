"""The workbench's HTTP face: server-rendered pages and a JSON API over the same `Workbench`.

Every route resolves the session first, then asks `Workbench`, which asks `policy.access` and
writes the read audit; routes hold no rules of their own. A page or item the viewer may not see
answers 404, so its existence is not revealed. Handlers are `async` and call the store
synchronously: one SQLite connection, one request at a time, which is what SQLite wants anyway.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from casetrail.casework import Casework
from casetrail.errors import CasetrailError, DecisionError
from casetrail.intake.register import Register, Submission, utc_now
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.ledger.receipt import Receipt, verify_receipt
from casetrail.model.casework import AssignmentRole
from casetrail.model.mention import MentionType
from casetrail.policy.access import Action, can_do
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.web.auth import SESSION_COOKIE, Accounts, AuthError, User, csrf_ok, in_ledger
from casetrail.web.workbench import PAGE, AccessDenied, ReasonRequired, Session, Window, Workbench

HERE = Path(__file__).parent
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # per file; the register's own limits apply too


class NotSignedIn(Exception):
    pass


def create_app(home: Home, secure_cookies: bool = True, warm: bool = False) -> FastAPI:
    """The workbench application. `warm`: load the inquiry's views before serving the first
    request (`casetrail serve` does), rather than in it (tens of seconds at 100,000 documents)."""
    register = Register.open(home)
    accounts = Accounts(AccountStore(register.store.conn), record=in_ledger(register.log, register.store))
    verifier = NoteVerifier.from_text(home.verifier_key())
    settings = home.config()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["when"] = _when
    templates.env.filters["basename"] = lambda path: str(path or "").replace("\\", "/").rsplit("/", 1)[-1]
    # One for the application: it keeps the entity view, the casebook and each viewer's reach
    # between requests, and notices (by the store's generations) when another process wrote.
    # Handlers are async, so requests reach it one at a time on the event loop.
    bench = Workbench(Casework(register, settings))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            bench.warm()
        yield

    app = FastAPI(title="casetrail workbench", version="1", description="Cases, documents, entities, oversight and integrity, "
                  "under need-to-know access with every read audited.", lifespan=lifespan)  # fmt: skip
    app.state.workbench = bench
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")


    def current(request: Request) -> tuple[User, str, Session]:
        token = request.cookies.get(SESSION_COOKIE)
        found = accounts.session(token, utc_now()) if token else None
        if found is None:
            raise NotSignedIn()
        user, csrf, second_factor_done = found
        if user.has_totp and not second_factor_done:
            raise NotSignedIn()
        session = bench.session_for(user.id, user.username, user.roles, user.staff_id)
        return user, csrf, session

    def check_csrf(request: Request, csrf: str, submitted: str | None) -> None:
        if not csrf_ok(csrf, submitted or request.headers.get("x-csrf-token")):
            raise HTTPException(403, "missing or wrong CSRF token")

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(AccessDenied)
    async def denied(request: Request, _: AccessDenied) -> Response:
        return JSONResponse({"detail": "not found"}, status_code=404)

    @app.exception_handler(ReasonRequired)
    async def reason_required(request: Request, error: ReasonRequired) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=428)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        # Uploaded HTML is only ever shown as escaped text; the policy forbids inline script too.
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        # Browsers ask for this path before reading the page's <link rel="icon">.
        return RedirectResponse("/static/favicon.svg", status_code=301)

    # -- signing in -----------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_page(request: Request) -> HTMLResponse:
        return page(request, "login.html", error=None, totp=False)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request, username: str = Form(...), password: str = Form(...)) -> Response:
        try:
            user = accounts.authenticate(username, password, utc_now())
        except AuthError as error:
            return page(request, "login.html", error=str(error), totp=False)
        token, _ = accounts.start_session(user, second_factor_done=not user.has_totp)
        response = RedirectResponse("/login/totp" if user.has_totp else "/", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies, path="/")
        return response

    @app.get("/login/totp", response_class=HTMLResponse, include_in_schema=False)
    async def totp_page(request: Request) -> HTMLResponse:
        return page(request, "login.html", error=None, totp=True)

    @app.post("/login/totp", include_in_schema=False)
    async def totp(request: Request, code: str = Form(...)) -> Response:
        token = request.cookies.get(SESSION_COOKIE) or ""
        found = accounts.session(token, utc_now())
        if found is None:
            return RedirectResponse("/login", status_code=303)
        user = found[0]
        if not accounts.verify_totp(user.id, code, utc_now()):
            return page(request, "login.html", error="that code is not valid", totp=True)
        accounts.complete_second_factor(token)
        return RedirectResponse("/", status_code=303)

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request, csrf_token: str = Form("")) -> Response:
        _, csrf, _ = current(request)
        check_csrf(request, csrf, csrf_token)
        accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- pages ----------------------------------------------------------------------------

    def chrome(request: Request) -> dict[str, Any]:
        user, csrf, session = current(request)
        return {"user": user, "csrf": csrf, "session": session, "can": lambda a: can_do(session.viewer, Action(a))}

    def inbox(request: Request, ctx: dict[str, Any], outcomes: list[dict[str, Any]] | None, window: Window) -> HTMLResponse:
        total, documents = bench.documents(ctx["session"], window)
        return page(request, "inbox.html", documents=documents, total=total, window=window, outcomes=outcomes, **ctx)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def inbox_page(request: Request, offset: int = 0) -> HTMLResponse:
        return inbox(request, chrome(request), None, _window(offset, PAGE))

    @app.post("/upload", response_class=HTMLResponse, include_in_schema=False)
    async def upload_page(request: Request, files: list[UploadFile], csrf_token: str = Form("")) -> HTMLResponse:
        ctx = chrome(request)
        check_csrf(request, ctx["csrf"], csrf_token)
        outcomes = await _ingest(ctx["session"], files)
        return inbox(request, ctx, outcomes, Window())

    @app.get("/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    async def document_page(request: Request, doc_id: str, message: dict[str, Any] | None = None) -> HTMLResponse:
        ctx = chrome(request)
        doc = bench.document(ctx["session"], doc_id)
        return page(request, "document.html", doc=doc, segments=_segments(doc), message=message,
                    types=[t.value for t in MentionType], **ctx)  # fmt: skip

    @app.post("/documents/{doc_id}/mentions/{mention_id}/decision", response_class=HTMLResponse, include_in_schema=False)
    async def decide_page(request: Request, doc_id: str, mention_id: int, verdict: str = Form(...),
                          reason: str = Form(""), csrf_token: str = Form("")) -> HTMLResponse:  # fmt: skip
        ctx = chrome(request)
        check_csrf(request, ctx["csrf"], csrf_token)
        return await document_page(request, doc_id, _decide(ctx["session"], doc_id, mention_id, verdict, reason))

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    async def entity_page(request: Request, entity_id: str, offset: int = 0) -> HTMLResponse:
        ctx = chrome(request)
        entity = bench.entity(ctx["session"], entity_id, _window(offset, PAGE))
        return page(request, "entity.html", entity=entity, **ctx)

    @app.get("/cases", response_class=HTMLResponse, include_in_schema=False)
    async def cases_page(request: Request) -> HTMLResponse:
        ctx = chrome(request)
        return page(request, "cases.html", cases=bench.cases(ctx["session"]), **ctx)

    @app.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    async def case_page(request: Request, case_id: str, message: str | None = None,
                        revealed: dict[str, Any] | None = None) -> HTMLResponse:  # fmt: skip
        ctx = chrome(request)
        case = bench.case(ctx["session"], case_id)
        picker = []
        if can_do(ctx["session"].viewer, Action.ASSIGN):
            picker = [{"id": c.staff.id, "name": c.staff.name} for c in bench.casework.assignable(case_id)]
        return page(request, "case.html", case=case, picker=picker, roles=[r.value for r in AssignmentRole],
                    message=message, revealed=revealed, **ctx)  # fmt: skip

    @app.post("/cases/{case_id}/parties/{party_id}/identity", response_class=HTMLResponse, include_in_schema=False)
    async def identity_page(request: Request, case_id: str, party_id: str, reason: str = Form(""),
                            csrf_token: str = Form("")) -> HTMLResponse:  # fmt: skip
        ctx = chrome(request)
        check_csrf(request, ctx["csrf"], csrf_token)
        try:
            revealed = {"ok": True, **bench.identity(ctx["session"], case_id, party_id, reason)}
        except ReasonRequired as error:
            revealed = {"ok": False, "error": str(error), "party": party_id}
        return await case_page(request, case_id, revealed=revealed)

    @app.post("/cases/{case_id}/assign", response_class=HTMLResponse, include_in_schema=False)
    async def assign_page(request: Request, case_id: str, staff_id: str = Form(...), role: str = Form(...),
                          csrf_token: str = Form("")) -> HTMLResponse:  # fmt: skip
        ctx = chrome(request)
        check_csrf(request, ctx["csrf"], csrf_token)
        message = _assign(request, ctx["session"], case_id, staff_id, role)
        return await case_page(request, case_id, message)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    async def search_page(request: Request, q: str = "", offset: int = 0) -> HTMLResponse:
        ctx = chrome(request)
        found = bench.search(ctx["session"], q, _window(offset, PAGE)) if q.strip() else None
        return page(request, "search.html", q=q, found=found, **ctx)

    @app.get("/oversight", response_class=HTMLResponse, include_in_schema=False)
    async def oversight_page(request: Request) -> HTMLResponse:
        ctx = chrome(request)
        return page(request, "oversight.html", data=bench.oversight(ctx["session"]), **ctx)

    @app.get("/integrity", response_class=HTMLResponse, include_in_schema=False)
    async def integrity_page(request: Request) -> HTMLResponse:
        ctx = chrome(request)
        full = can_do(ctx["session"].viewer, Action.VIEW_INTEGRITY)
        return page(request, "integrity.html", data=_integrity(full), result=None, **ctx)

    @app.post("/integrity/receipt", response_class=HTMLResponse, include_in_schema=False)
    async def receipt_page(request: Request, receipt: str = Form(...), csrf_token: str = Form("")) -> HTMLResponse:
        ctx = chrome(request)
        check_csrf(request, ctx["csrf"], csrf_token)
        full = can_do(ctx["session"].viewer, Action.VIEW_INTEGRITY)
        return page(request, "integrity.html", data=_integrity(full), result=_check_receipt(receipt), **ctx)

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    async def audit_page(request: Request, q: str | None = None) -> HTMLResponse:
        ctx = chrome(request)
        return page(request, "audit.html", rows=bench.audit_log(ctx["session"], q), q=q or "", **ctx)

    # -- the API --------------------------------------------------------------------------

    @app.get("/api/me", tags=["session"])
    async def api_me(request: Request) -> dict[str, Any]:
        user, csrf, session = current(request)
        return {"id": user.id, "username": user.username, "roles": sorted(user.roles), "staff_id": user.staff_id,
                "csrf_token": csrf, "cases": sorted(session.reach.cases)}  # fmt: skip

    @app.get("/api/documents", tags=["documents"])
    async def api_documents(request: Request, response: Response, offset: int = 0, limit: int = PAGE) -> list[dict[str, Any]]:
        """The documents you may see, newest first; `X-Total-Count` says how many there are in all."""
        total, documents = bench.documents(current(request)[2], _window(offset, limit))
        response.headers["X-Total-Count"] = str(total)
        return documents

    @app.post("/api/documents", tags=["documents"])
    async def api_upload(request: Request, files: list[UploadFile]) -> list[dict[str, Any]]:
        _, csrf, session = current(request)
        check_csrf(request, csrf, None)
        return await _ingest(session, files)

    @app.get("/api/documents/{doc_id}", tags=["documents"])
    async def api_document(request: Request, doc_id: str, reason: str | None = None) -> dict[str, Any]:
        return bench.document(current(request)[2], doc_id, reason)

    @app.post("/api/documents/{doc_id}/mentions/{mention_id}/decision", tags=["documents"])
    async def api_decide(request: Request, doc_id: str, mention_id: int, verdict: str = Form(...),
                         reason: str = Form("")) -> dict[str, Any]:  # fmt: skip
        """Confirm a mention is its entity, or reject it; a ledger event applied by the next resolution run."""
        _, csrf, session = current(request)
        check_csrf(request, csrf, None)
        return _decide(session, doc_id, mention_id, verdict, reason)

    @app.get("/api/entities/{entity_id}", tags=["entities"])
    async def api_entity(request: Request, entity_id: str, offset: int = 0, limit: int = PAGE) -> dict[str, Any]:
        """An entity: `documents`, `timeline` and `mentions` cover one page of its documents, newest first."""
        return bench.entity(current(request)[2], entity_id, _window(offset, limit))

    @app.get("/api/cases", tags=["cases"])
    async def api_cases(request: Request) -> list[dict[str, Any]]:
        return bench.cases(current(request)[2])

    @app.get("/api/cases/{case_id}", tags=["cases"])
    async def api_case(request: Request, case_id: str, reason: str | None = None) -> dict[str, Any]:
        return bench.case(current(request)[2], case_id, reason)

    @app.get("/api/cases/{case_id}/export", tags=["cases"], response_class=Response,
             responses={200: {"content": {"application/zip": {}}}})  # fmt: skip
    async def api_export(request: Request, case_id: str, reason: str | None = None) -> Response:
        """The case file: case, events with inclusion proofs, documents with receipts, one signed
        checkpoint; `casetrail verify-case-file` checks it offline. Needs a reason (audited)."""
        data = bench.export(current(request)[2], case_id, reason)
        return Response(data, media_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{_safe_name(case_id)}.zip"'})  # fmt: skip

    @app.get("/api/cases/{case_id}/parties/{party_id}/identity", tags=["cases"])
    async def api_identity(request: Request, case_id: str, party_id: str, reason: str | None = None) -> dict[str, Any]:
        return bench.identity(current(request)[2], case_id, party_id, reason)

    @app.get("/api/cases/{case_id}/assignable", tags=["cases"])
    async def api_assignable(request: Request, case_id: str, q: str | None = None) -> list[dict[str, Any]]:
        session = current(request)[2]
        bench.require_case(session, case_id)  # the same need-to-know as reading the case
        if not can_do(session.viewer, Action.ASSIGN):
            raise AccessDenied(case_id)
        return [{"id": c.staff.id, "name": c.staff.name, "force": c.staff.force}
                for c in bench.casework.assignable(case_id, q)]  # fmt: skip

    @app.post("/api/cases/{case_id}/assignments", tags=["cases"])
    async def api_assign(request: Request, case_id: str, staff_id: str = Form(...), role: str = Form(...)) -> dict[str, Any]:
        _, csrf, session = current(request)
        check_csrf(request, csrf, None)
        return {"result": _assign(request, session, case_id, staff_id, role)}

    @app.get("/api/search", tags=["search"])
    async def api_search(request: Request, q: str, offset: int = 0, limit: int = PAGE) -> dict[str, Any]:
        """Entities whose names hold every word, and documents whose text does: only what you may read."""
        return bench.search(current(request)[2], q, _window(offset, limit))

    @app.get("/api/oversight", tags=["oversight"])
    async def api_oversight(request: Request) -> dict[str, Any]:
        return bench.oversight(current(request)[2])

    @app.get("/api/integrity", tags=["integrity"])
    async def api_integrity(request: Request) -> dict[str, Any]:
        session = current(request)[2]
        if not can_do(session.viewer, Action.VIEW_INTEGRITY):
            raise AccessDenied("integrity")
        return _integrity(True)

    @app.post("/api/receipts/verify", tags=["integrity"])
    async def api_verify_receipt(request: Request) -> dict[str, Any]:
        # Anyone may check a receipt: it proves only what its holder already has.
        return _check_receipt((await request.body()).decode("utf-8", "replace"))

    @app.get("/api/audit", tags=["audit"])
    async def api_audit(request: Request, q: str | None = None) -> list[dict[str, Any]]:
        return bench.audit_log(current(request)[2], q)

    # -- helpers over the core ------------------------------------------------------------

    async def _ingest(session: Session, files: list[UploadFile]) -> list[dict[str, Any]]:
        if not can_do(session.viewer, Action.UPLOAD):
            raise AccessDenied("upload")
        results = []
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for upload in files:
                data = await upload.read(MAX_UPLOAD_BYTES + 1)
                name = _safe_name(upload.filename)
                if len(data) > MAX_UPLOAD_BYTES:
                    results.append({"source": name, "status": "failed", "reason": "over the upload limit"})
                    continue
                path = Path(tmp) / f"{len(paths):04d}" / name
                path.parent.mkdir()
                path.write_bytes(data)
                paths.append(path)
            for outcome in register.ingest(paths, Submission(session.viewer.user_id, "web")):
                results.append({"source": Path(outcome.source).name, "status": outcome.status,
                                "document_id": outcome.document_id, "leaf_index": outcome.leaf_index,
                                "reason": outcome.reason,
                                "receipt": outcome.receipt.to_json() if outcome.receipt else None})  # fmt: skip
        return results

    def _decide(session: Session, doc_id: str, mention_id: int, verdict: str, reason: str) -> dict[str, Any]:
        try:
            return {"ok": True, **bench.decide_mention(session, doc_id, mention_id, verdict, reason)}
        except (DecisionError, ValueError) as error:
            return {"ok": False, "error": str(error)}

    def _assign(request: Request, session: Session, case_id: str, staff_id: str, role: str) -> dict[str, Any]:
        bench.require_case(session, case_id)
        if not can_do(session.viewer, Action.ASSIGN):
            raise AccessDenied(case_id)
        try:
            verdict = bench.casework.assign(case_id, staff_id, AssignmentRole(role), session.username)
        except (CasetrailError, ValueError) as error:
            return {"allowed": False, "error": str(error), "conflicts": []}
        return verdict.to_json()

    verified: dict[int, dict[str, Any]] = {}  # log size -> result: a full verification is not free

    def _integrity(full: bool) -> dict[str, Any]:
        """The checkpoint is public; the verification run is for those who may view integrity."""
        from casetrail.ledger.verification import verify_store

        size, note = register.log.latest_checkpoint()
        result = None
        if full:
            if size not in verified:
                report = verify_store(register.store, register.objects, verifier)
                verified.clear()
                verified[size] = {"ok": report.ok, "size": report.size, "documents": report.documents,
                                  "problems": [str(p) for p in report.problems[:50]], "at": utc_now()}  # fmt: skip
            result = verified[size]
        return {"checkpoint": note, "size": size, "verifier_key": home.verifier_key(), "verification": result}

    def _check_receipt(text: str) -> dict[str, Any]:
        try:
            receipt = Receipt.from_json(text) if text.lstrip().startswith("{") else Receipt.from_tlog_proof(text)
            checkpoint = verify_receipt(receipt, verifier)
        except CasetrailError as error:
            return {"ok": False, "error": str(error)}
        return {"ok": True, "leaf_index": receipt.leaf_index, "tree_size": checkpoint.size,
                "document_id": receipt.document_id}  # fmt: skip

    return app


def _when(instant: str | None) -> str:
    """An ISO instant as people read it: '2026-11-24 09:30:12 UTC'."""
    if not instant:
        return ""
    text = instant.replace("T", " ").split(".")[0]
    return (text[:-6] if text.endswith("+00:00") else text.rstrip("Z")) + " UTC"


def _window(offset: int, limit: int) -> Window:
    try:
        return Window(offset, limit)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None


def _safe_name(submitted: str | None) -> str:
    """A file name from a browser, made safe to write: no directories, no dot-names, not too long."""
    name = (submitted or "").replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "").strip()
    if name in ("", ".", ".."):
        return "upload"
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 12:
        stem, ext = name, ""
    stem = stem.encode("utf-8")[:150].decode("utf-8", "ignore") or "upload"  # file systems cap at 255 bytes
    return f"{stem}.{ext}" if ext else stem


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
            segments.append({"text": text[at:m["start"]], "mention": None})
        segments.append({"text": text[m["start"]:m["end"]], "mention": m})
        at = m["end"]
    segments.append({"text": text[at:], "mention": None})
    return segments
