"""What every write route shares: the session and CSRF check, a field's error, and the answers.

Each page family (work, queues, disclosure, cases) takes these steps in the same order; the rules
of who may do what stay in `policy`, and the command layer records the change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from casetrail.web.context import Signed, check_csrf, signed_in

T = TypeVar("T")
_FILE_NAME = re.compile(r"[^A-Za-z0-9_-]")


class FieldError(Exception):
    """A field the command cannot take: 422, with the field named so a form can show it beside it."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class TokenForm(BaseModel):
    """A form with its CSRF token (an API caller may send the `X-CSRF-Token` header instead)."""

    csrf_token: str = ""


class Stamped(TokenForm):
    """A form sent from a page that showed a case: the CSRF token and the case's version it saw."""

    version: str = ""


def checked(request: Request, csrf_token: str | None = None) -> Signed:
    """Signed in (401 otherwise, before anything else is looked at), and the CSRF token matches (403)."""
    signed = signed_in(request)
    check_csrf(request, signed, csrf_token)
    return signed


def submit(
    request: Request,
    csrf_token: str | None,
    write: Callable[[Signed], T],
    answer: Callable[[T], Response],
    again: Callable[[Signed, FieldError], Response],
) -> Response:
    """A write sent from a form: `checked`, then `write` (need-to-know, permission, freshness, the fields,
    the command), then `answer` what it made; a field it cannot take shows the form `again`, beside it."""
    signed = checked(request, csrf_token)
    try:
        made = write(signed)
    except FieldError as error:
        return again(signed, error)
    return answer(made)


def submit_api(
    request: Request, csrf_token: str | None, write: Callable[[Signed], T], answer: Callable[[T], Response]
) -> Response:
    """`submit` for the API: a field it cannot take is 422 `{"detail", "field"}`."""
    return submit(request, csrf_token, write, answer, lambda _signed, error: unprocessable(error))


def required(value: str, field: str, message: str) -> str:
    if not value.strip():
        raise FieldError(field, message)
    return value.strip()


def field_errors(error: FieldError | None) -> dict[str, str]:
    """Field -> message; an error of no one field is shown at the top of the form (key "")."""
    return {} if error is None else {error.field or "": error.message}


def unprocessable(error: FieldError) -> JSONResponse:
    return JSONResponse({"detail": error.message, "field": error.field}, status_code=422)


def see_other(url: str) -> RedirectResponse:
    """After a change from a page: the changed page, fetched afresh (303)."""
    return RedirectResponse(url, status_code=303)


def with_status(response: HTMLResponse, status: int) -> HTMLResponse:
    response.status_code = status
    return response


def zip_download(data: bytes, stem: str) -> Response:
    """A zip to save, named from `stem` made safe for a file name."""
    name = _FILE_NAME.sub("_", stem)
    return Response(
        data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}.zip"'}
    )
