"""The workbench's HTTP face: server-rendered pages and a JSON API over the same `Workbench`.

`create_app` composes: one `Inquiry` (store, log, settings), one `Workbench` (kept views and
each viewer's reach), the accounts, the templates; then mounts every row of `routes.ROUTES`.
A page or item the viewer may not see answers 404, so its existence is not revealed. Handlers
are `async` and call the store synchronously: one SQLite connection, one request at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from casetrail.accounts import Accounts
from casetrail.inquiry import Inquiry
from casetrail.intake.register import utc_now
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.store.home import Home
from casetrail.web.auth import SESSION_COOKIE, same_origin
from casetrail.web.context import HERE, NotSignedIn, Stale, Web, templates
from casetrail.web.documents import MAX_UPLOAD_BYTES
from casetrail.web.limits import OPEN_PATHS, UNSAFE_METHODS, BodyLimit
from casetrail.web.routes import ROUTES, options
from casetrail.web.workbench import AccessDenied, ReasonRequired, Workbench

MAX_REQUEST_BYTES = 4 * MAX_UPLOAD_BYTES  # a whole request, several files at once
# Receipt checks change nothing and reveal nothing the holder lacks: anyone, signed in or not, from anywhere.
PUBLIC_POSTS = frozenset({"/api/receipts/verify"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(home: Home, secure_cookies: bool = True, warm: bool = False) -> FastAPI:
    """The workbench application. `warm`: load the inquiry's views before serving the first
    request (`casetrail serve` does), rather than in it (tens of seconds at 100,000 documents)."""
    inquiry = Inquiry(home)
    parts = Web(
        inquiry,
        Workbench(inquiry),
        inquiry.accounts,
        templates(),
        NoteVerifier.from_text(home.verifier_key()),
        secure_cookies,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            parts.bench.warm()
        yield

    # Swagger UI and ReDoc load scripts from elsewhere, which the CSP forbids: the schema is at /openapi.json.
    app = FastAPI(
        title="casetrail workbench",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Cases, documents, entities, oversight and integrity, under need-to-know access "
        "with every read audited.",
    )
    app.state.web = parts
    app.state.workbench = parts.bench
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _handle_errors(app)
    app.middleware("http")(_security_headers)
    app.middleware("http")(_same_origin)
    # Outermost: an anonymous or oversized body is refused before anything reads it.
    app.add_middleware(
        BodyLimit,
        max_bytes=MAX_REQUEST_BYTES,
        is_signed_in=_signed_in(parts.accounts),
        open_paths=OPEN_PATHS | PUBLIC_POSTS,
    )
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    for route in ROUTES:
        app.add_api_route(route.path, route.handler, **options(route))
    return app


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(AccessDenied)
    async def denied(request: Request, _: AccessDenied) -> Response:
        return JSONResponse({"detail": "not found"}, status_code=404)

    @app.exception_handler(Stale)
    async def stale(request: Request, error: Stale) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=409)

    @app.exception_handler(ReasonRequired)
    async def reason_required(request: Request, error: ReasonRequired) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=428)


async def _security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
    response: Response = await call_next(request)
    # Uploaded HTML is only ever shown as escaped text; the policy forbids inline script too.
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    # not no-referrer: browsers would then send "Origin: null" on the pages' own form posts
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


async def _same_origin(request: Request, call_next: Callable[[Request], Any]) -> Response:
    """Unsafe requests come from this site's own pages (with POST /login, which has no CSRF token yet)."""
    if request.method in UNSAFE_METHODS and request.url.path not in PUBLIC_POSTS:
        if not same_origin(request.headers, request.headers.get("host", "")):
            return JSONResponse({"detail": "cross-origin request refused"}, status_code=403)
    response: Response = await call_next(request)
    return response


def _signed_in(accounts: Accounts) -> Callable[[Scope], bool]:
    def check(scope: Scope) -> bool:
        token = Request(scope).cookies.get(SESSION_COOKIE)
        found = accounts.session(token, utc_now()) if token else None
        return found is not None and (not found[0].has_totp or found[2])

    return check


async def _favicon() -> Response:
    # Browsers ask for this path before reading the page's <link rel="icon">.
    return RedirectResponse("/static/favicon.svg", status_code=301)
