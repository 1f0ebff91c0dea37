"""Signing in and out: a password, then (when enrolled) a TOTP code."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from casetrail.accounts import AuthError
from casetrail.intake.register import utc_now
from casetrail.web.auth import SESSION_COOKIE
from casetrail.web.context import check_csrf, render, signed_in, web


async def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", error=None, totp=False)


async def login(request: Request, username: str = Form(...), password: str = Form(...)) -> Response:
    parts = web(request)
    try:
        user = parts.accounts.authenticate(username, password, utc_now())
    except AuthError as error:
        return render(request, "login.html", error=str(error), totp=False)
    token, _ = parts.accounts.start_session(user, second_factor_done=not user.has_totp)
    response = RedirectResponse("/login/totp" if user.has_totp else "/", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", secure=parts.secure_cookies, path="/")
    return response


async def totp_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", error=None, totp=True)


async def totp(request: Request, code: str = Form(...)) -> Response:
    accounts = web(request).accounts
    token = request.cookies.get(SESSION_COOKIE) or ""
    found = accounts.session(token, utc_now())
    if found is None:
        return RedirectResponse("/login", status_code=303)
    if not accounts.verify_totp(found[0].id, code, utc_now()):
        return render(request, "login.html", error="that code is not valid", totp=True)
    accounts.complete_second_factor(token)
    return RedirectResponse("/", status_code=303)


async def logout(request: Request, csrf_token: str = Form("")) -> Response:
    signed = signed_in(request)
    check_csrf(request, signed, csrf_token)
    web(request).accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def me(request: Request) -> dict[str, object]:
    signed = signed_in(request)
    user = signed.user
    return {
        "id": user.id,
        "username": user.username,
        "roles": sorted(user.roles),
        "staff_id": user.staff_id,
        "csrf_token": signed.csrf,
        "cases": sorted(signed.sight.reach.cases),
    }
