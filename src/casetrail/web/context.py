"""What every route shares: the application's parts, who is signed in, CSRF, and page rendering.

Every route asks `signed_in` first (nothing else is looked at without a session), then asks the
`Workbench`, which asks the views and writes the read audit. Routes hold no rules of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from casetrail.accounts import Accounts, User
from casetrail.inquiry import Inquiry
from casetrail.intake.register import utc_now
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.policy.access import Action
from casetrail.views.case import case_version
from casetrail.web.auth import SESSION_COOKIE, csrf_ok
from casetrail.web.workbench import PAGE, Session, Window, Workbench

HERE = Path(__file__).parent


class NotSignedIn(Exception):
    """No valid session (or the second factor is not done): 401 for the API, the login page otherwise."""


class Stale(Exception):
    """The case moved on since the page that sent this change was built: refused, never overwritten (409)."""

    def __init__(self) -> None:
        super().__init__("changed since you opened it; reload")


@dataclass
class Web:
    """The application's parts, one per app (kept on `app.state.web`)."""

    inquiry: Inquiry
    bench: Workbench
    accounts: Accounts
    templates: Jinja2Templates
    verifier: NoteVerifier
    secure_cookies: bool
    verified: dict[int, dict[str, Any]] = field(default_factory=dict)  # log size -> the last full verification


@dataclass(frozen=True)
class Signed:
    user: User
    csrf: str
    sight: Session


def web(request: Request) -> Web:
    found: Web = request.app.state.web
    return found


def signed_in(request: Request) -> Signed:
    parts = web(request)
    token = request.cookies.get(SESSION_COOKIE)
    found = parts.accounts.session(token, utc_now()) if token else None
    if found is None:
        raise NotSignedIn()
    user, csrf, second_factor_done = found
    if user.has_totp and not second_factor_done:
        raise NotSignedIn()
    return Signed(user, csrf, parts.bench.session_for(user.id, user.username, user.roles, user.staff_id))


def check_csrf(request: Request, signed: Signed, submitted: str | None = None) -> None:
    if not csrf_ok(signed.csrf, submitted or request.headers.get("x-csrf-token")):
        raise HTTPException(403, "missing or wrong CSRF token")


def render(request: Request, name: str, signed: Signed | None = None, **context: Any) -> HTMLResponse:
    """A page; signed in, with the chrome (user, CSRF token, what they may do)."""
    if signed is not None:
        context |= {
            "user": signed.user,
            "csrf": signed.csrf,
            "session": signed.sight,
            "can": lambda action: signed.sight.may(Action(action)),
        }
    return web(request).templates.TemplateResponse(request, name, context)


def window(offset: int, limit: int = PAGE) -> Window:
    try:
        return Window(offset, limit)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None


def when(instant: str | None) -> str:
    """An ISO instant as people read it: '2026-11-24 09:30:12 UTC'."""
    if not instant:
        return ""
    text = instant.replace("T", " ").split(".")[0]
    return (text[:-6] if text.endswith("+00:00") else text.rstrip("Z")) + " UTC"


def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=str(HERE / "templates"))
    found.env.filters["when"] = when
    found.env.filters["basename"] = lambda path: str(path or "").replace("\\", "/").rsplit("/", 1)[-1]
    return found


def require_fresh(request: Request, case_id: str, version: int | str | None) -> None:
    """Refuse a change sent from a page older than the case (its `version`, the newest leaf it showed).

    A change without a version (a script using the API) is taken as meant for the case as it is."""
    if version is None or version == "":
        return
    book = web(request).bench.casework.book()
    if case_id in book.cases and str(case_version(book, case_id)) != str(version):
        raise Stale()
