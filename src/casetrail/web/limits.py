"""A ceiling on request bodies, and no body at all from someone who is not signed in.

Without this, an anonymous client could make the workbench read (and spool to disk) a 60 MiB
multipart upload before the route found there was no session and answered 401. `BodyLimit` sits
in front of the application as plain ASGI, so it decides from the request line and headers alone:

  * an unsafe request (POST, PUT, PATCH, DELETE) from someone not signed in is answered at once,
    401 JSON under /api/ and a 303 to /login elsewhere, and its body is never read; the few paths
    that must take a body before there is a session (the sign-in forms) are let through;
  * any request declaring a Content-Length over the limit is answered 413 without reading it;
  * a body that arrives without a length (chunked) is counted as it streams, and the first chunk
    that takes it over the limit stops the read and turns the response into a 413.

`is_signed_in` is given by the application (it looks the session cookie up); it must not read
the body, and it is called only for unsafe methods.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS = frozenset({"/login", "/login/totp"})  # a body is needed here before there is a session
API_PREFIX = "/api/"
SIGN_IN_PATH = "/login"


@dataclass
class _Progress:
    read: int = 0  # body bytes received so far
    over: bool = False  # past the limit: nothing more is read
    started: bool = False  # the app's response has begun to go out
    answered: bool = False  # our 413 has been sent


class BodyTooLarge(Exception):
    """Raised from the wrapped `receive` once the streamed body passes the limit."""


class BodyLimit:
    """ASGI middleware: `app.add_middleware(BodyLimit, max_bytes=..., is_signed_in=...)`."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        is_signed_in: Callable[[Scope], bool],
        open_paths: Collection[str] = OPEN_PATHS,
    ) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self.app = app
        self.max_bytes = max_bytes
        self.is_signed_in = is_signed_in
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE_METHODS and scope["path"] not in self.open_paths and not self.is_signed_in(scope):
            await _sign_in_first(scope, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await _json(send, 400, "the Content-Length header is not a number")
            return
        if declared is not None and declared > self.max_bytes:
            await self._too_large(send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with a `receive` that stops at the limit, answering 413 when it does."""
        progress = _Progress()

        async def limited_receive() -> Message:
            if progress.over:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                progress.read += len(message.get("body", b""))
                if progress.read > self.max_bytes:
                    progress.over = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            # Once over, whatever the app answers (FastAPI's 400 for a form it could not parse,
            # say) is replaced by the 413, as long as nothing has gone to the client yet.
            if progress.over and not progress.started:
                await self._answer_once(progress, send)
                return
            if message["type"] == "http.response.start":
                progress.started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if progress.started:
                raise  # half a response is out: let the server drop the connection
        if progress.over and not progress.started:
            await self._answer_once(progress, send)

    async def _answer_once(self, progress: _Progress, send: Send) -> None:
        if not progress.answered:
            progress.answered = True
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        await _json(send, 413, f"request body over {self.max_bytes} bytes")


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent, -1 when it is not a plain number."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else -1
    return None


async def _sign_in_first(scope: Scope, send: Send) -> None:
    if scope["path"].startswith(API_PREFIX):
        await _json(send, 401, "sign in first")
        return
    headers = [
        (b"location", SIGN_IN_PATH.encode()),
        (b"content-length", b"0"),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _json(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    # Answered before the app (and its security-headers middleware) runs, hence the extra headers.
    # The body is left unread, so the connection cannot carry another request: close it.
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
