"""BodyLimit: no body from the signed-out, and none over the limit, read or not."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request, UploadFile
from fastapi.testclient import TestClient

from casetrail.web.limits import BodyLimit, Message, Scope

LIMIT = 1024
COOKIE = "casetrail_session"


def signed_in(scope: Scope) -> bool:
    # Stands in for the session lookup the application supplies.
    return any(name == b"cookie" and f"{COOKIE}=valid".encode() in value for name, value in scope["headers"])


def tiny_app() -> FastAPI:
    app = FastAPI()

    @app.post("/api/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    @app.post("/api/upload")
    async def upload(file: UploadFile) -> dict[str, int]:
        return {"read": len(await file.read())}

    @app.post("/notes")
    async def notes(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    @app.post("/login")
    async def login(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    @app.get("/api/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(BodyLimit, max_bytes=LIMIT, is_signed_in=signed_in)
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(tiny_app()) as found:
        yield found


@pytest.fixture
def member() -> Iterator[TestClient]:
    with TestClient(tiny_app(), cookies={COOKIE: "valid"}) as found:
        yield found


# -- driving the middleware by hand, to see what it reads ------------------------------------


class Body:
    """A request body arriving in chunks, counting what the application took."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.calls = 0

    async def receive(self) -> Message:
        self.calls += 1
        if self.calls > len(self.chunks):
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": self.chunks[self.calls - 1], "more_body": self.calls < len(self.chunks)}


def run(middleware: BodyLimit, path: str, body: Body, headers: list[tuple[bytes, bytes]]) -> list[Message]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": headers,
        "query_string": b"",
        "root_path": "",
    }
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, body.receive, send))
    return sent


async def drain(scope: Scope, receive: Any, send: Any) -> None:
    """An application that reads every chunk, as a multipart parser would, then answers 200."""
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"read"})


def status_and_detail(sent: list[Message]) -> tuple[int, dict[str, Any] | None]:
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body) if body else None


# -- the tests ------------------------------------------------------------------------------


def test_anonymous_large_body_refused_before_reading() -> None:
    size = 60 * 1024 * 1024
    headers = [(b"content-length", str(size).encode()), (b"content-type", b"multipart/form-data; boundary=b")]
    limit = BodyLimit(drain, 100 * 1024 * 1024, signed_in)  # under the limit: only the sign-in gate stops it
    api_body = Body([b"x" * (1024 * 1024)] * 60)
    api = run(limit, "/api/documents", api_body, headers)
    assert api_body.calls == 0  # not one chunk taken from the client
    assert status_and_detail(api) == (401, {"detail": "sign in first"})
    page_body = Body([b"x" * (1024 * 1024)] * 60)
    page = run(limit, "/upload", page_body, headers)
    assert page_body.calls == 0
    assert page[0]["status"] == 303 and dict(page[0]["headers"])[b"location"] == b"/login"


def test_anonymous_requests_through_the_app(client: TestClient) -> None:
    refused = client.post("/api/upload", files={"file": ("statement.txt", b"y" * (LIMIT // 2))})
    assert (refused.status_code, refused.json()) == (401, {"detail": "sign in first"})
    page = client.post("/notes", content=b"short", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")
    assert client.post("/login", content=b"username=a&password=b").json() == {"read": 21}  # open to all
    assert client.get("/api/ping").json() == {"ok": "yes"}  # safe methods pass untouched


def test_body_over_limit_refused(member: TestClient, client: TestClient) -> None:
    assert member.post("/api/echo", content=b"z" * LIMIT).json() == {"read": LIMIT}  # the limit itself is fine
    over = member.post("/api/echo", content=b"z" * (LIMIT + 1))
    assert (over.status_code, over.json()) == (413, {"detail": f"request body over {LIMIT} bytes"})
    upload = member.post("/api/upload", files={"file": ("statement.txt", b"y" * (LIMIT * 4))})
    assert upload.status_code == 413
    # The open sign-in path still has the limit.
    assert client.post("/login", content=b"p" * (LIMIT + 1)).status_code == 413


def test_declared_length_over_limit_is_refused_unread() -> None:
    body = Body([b"x" * 10])
    sent = run(BodyLimit(drain, LIMIT, lambda scope: True), "/api/echo", body, [(b"content-length", b"999999")])
    assert body.calls == 0
    assert status_and_detail(sent) == (413, {"detail": f"request body over {LIMIT} bytes"})
    garbled = run(BodyLimit(drain, LIMIT, lambda scope: True), "/api/echo", Body([b""]), [(b"content-length", b"12x")])
    assert garbled[0]["status"] == 400


def test_chunked_body_without_length_stops_at_the_limit() -> None:
    body = Body([b"c" * 400] * 10)  # 4,000 bytes in, no Content-Length
    sent = run(BodyLimit(drain, LIMIT, lambda scope: True), "/api/echo", body, [])
    assert status_and_detail(sent) == (413, {"detail": f"request body over {LIMIT} bytes"})
    assert body.calls == 3  # 400 + 400 + 400 passes 1,024: the fourth chunk is never asked for
    assert not any(m.get("body") == b"read" for m in sent)  # the app's own answer never went out


def test_chunked_body_within_the_limit_passes() -> None:
    body = Body([b"c" * 400, b"c" * 400])
    sent = run(BodyLimit(drain, LIMIT, lambda scope: True), "/api/echo", body, [])
    assert sent[0]["status"] == 200 and body.calls == 2


def test_chunked_through_the_app(member: TestClient) -> None:
    def stream(count: int) -> Iterator[bytes]:
        yield from (b"k" * 512 for _ in range(count))

    over = member.post("/api/echo", content=stream(3))  # a generator: sent chunked, no Content-Length
    assert over.status_code == 413
    assert member.post("/api/echo", content=stream(2)).json() == {"read": LIMIT}


def test_chunked_multipart_over_the_limit(member: TestClient) -> None:
    # FastAPI turns any error while parsing a form into its own 400; the client must still see 413.
    def multipart(size: int) -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        yield b"m" * size
        yield b"\r\n--b--\r\n"

    headers = {"content-type": "multipart/form-data; boundary=b"}
    assert member.post("/api/upload", content=multipart(100), headers=headers).json() == {"read": 100}
    over = member.post("/api/upload", content=multipart(LIMIT * 3), headers=headers)
    assert (over.status_code, over.json()) == (413, {"detail": f"request body over {LIMIT} bytes"})
