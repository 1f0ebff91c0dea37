"""The workbench's HTTP face: server-rendered pages and a JSON API over the same `Workbench`.

`create_app` composes: one `Inquiry` (store, log, settings), one `Workbench` (kept views and
each viewer's reach), the accounts, the templates; then mounts every row of `routes.ROUTES`.
A page or item the viewer may not see answers 404, so its existence is not revealed. Handlers
are `async` and call the store synchronously: one SQLite connection, one request at a time.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.formparsers import MultiPartParser
from starlette.types import Scope

from casetrail.accounts import Accounts
from casetrail.inquiry import Inquiry
from casetrail.intake.register import utc_now
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.store.home import Home
from casetrail.store.scratch import scratch_dir
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
    scratch_dir()  # a bad CASETRAIL_SCRATCH stops the server now, in one line, not on the first upload
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
    app.middleware("http")(_access_log)
    # Outermost: an anonymous or oversized body is refused before anything reads it.
    app.add_middleware(
        BodyLimit,
        max_bytes=MAX_REQUEST_BYTES,
        is_signed_in=_signed_in(parts.accounts),
        open_paths=OPEN_PATHS | PUBLIC_POSTS,
    )
    # Keep uploaded parts in memory (BodyLimit bounds them), never spooled to a temp file on disk.
    MultiPartParser.spool_max_size = MAX_REQUEST_BYTES
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False)
    for route in ROUTES:
        app.add_api_route(route.path, route.handler, **options(route))
    return app


# What `casetrail serve --workers N` hands each worker process (uvicorn starts them from an import
# string, so the environment is the only way in): the home, and two of `serve`'s options.
ENV_HOME = "CASETRAIL_HOME"
ENV_SECURE_COOKIES = "CASETRAIL_SECURE_COOKIES"
ENV_ACCESS_LOG = "CASETRAIL_ACCESS_LOG"


def app_from_environment() -> FastAPI:
    """`create_app` for one worker process (uvicorn's `factory=True`): the home in CASETRAIL_HOME,
    unlocked as any command unlocks it (CASETRAIL_KEY_FILE, CASETRAIL_PASSPHRASE, ...); cookies
    Secure and the access log on unless CASETRAIL_SECURE_COOKIES / CASETRAIL_ACCESS_LOG are "0".
    Each worker opens its own connection and keeps its own views, warmed before it serves."""
    logging.basicConfig(format="%(asctime)s %(name)s %(message)s", level=logging.WARNING)
    ACCESS_LOG.setLevel(logging.WARNING if os.environ.get(ENV_ACCESS_LOG) == "0" else logging.INFO)
    home = Home(Path(os.environ.get(ENV_HOME) or "casetrail-home"))
    return create_app(home, secure_cookies=os.environ.get(ENV_SECURE_COOKIES) != "0", warm=True)


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


ACCESS_LOG = logging.getLogger("casetrail.access")


async def _access_log(request: Request, call_next: Callable[[Request], Any]) -> Response:
    """One line per request naming the route's pattern, never the path or query it was called with:
    a search term, a reason or a document id typed into a URL stays out of the server's logs
    (uvicorn's own access log is off: `casetrail serve`)."""
    start = time.perf_counter()
    response: Response = await call_next(request)
    route = request.scope.get("route")
    pattern = getattr(route, "path", None) or ("/static/…" if request.url.path.startswith("/static/") else "(no route)")
    took = (time.perf_counter() - start) * 1000
    ACCESS_LOG.info("%s %s %d %.0fms", request.method, pattern, response.status_code, took)
    return response


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
