"""`casetrail serve --workers 2`: two worker processes on one store (issue 14).

A real server in a subprocess, started as an operator starts it. Each response is traced to the
worker that answered it through /proc (the process holding the server's end of the client's
connection), so nothing in the app says which process it is. A session begun on one worker works on
the other; an upload, or a case opened, through one is seen by the very next request to the other;
SIGTERM stops them all without a traceback.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import CliRun
from tests.served import (
    free_port,
    http_client,
    kill_group,
    sign_in,
    spawn_server,
    wait_until_serving,
    worker_of,
    workers_of,
)

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="traces connections through Linux /proc")

PASSWORD = "lantern over the harbour wall 42"
# Idle, the server answers in a few seconds; three processes import the whole app, and a machine
# busy with other test runs has taken 20 s. A deadline, not an expectation.
STARTUP_SECONDS = 60


@contextmanager
def _serving(cli: CliRun, port: int, stderr: Path) -> Iterator[subprocess.Popen[bytes]]:
    server = spawn_server(cli.home, 2, port, stderr)  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        kill_group(server)


def test_two_workers_share_one_store(cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASETRAIL_PASSWORD", PASSWORD)
    cli("init")
    cli("user", "add", "front-desk", "--role", "intake")
    staff = cli("staff", "add", "Morgan Lead", "--role", "supervisor", "--force", "Independent Office").stdout
    cli("user", "add", "lead", "--role", "supervisor", "--staff", staff.split()[1])  # "registered S-0001 ..."
    port, errors = free_port(), tmp_path / "serve.err"
    base = f"http://127.0.0.1:{port}"

    with _serving(cli, port, errors) as server:
        wait_until_serving(server, base, STARTUP_SECONDS, errors)
        workers = workers_of(server.pid)
        assert len(workers) == 2, workers
        deadline = time.monotonic() + STARTUP_SECONDS  # the second worker may still be loading

        # Sign each user in on one worker; then fresh connections (the kernel hands each to
        # whichever worker accepts it first) until each user has a kept-alive one on both.
        held: dict[str, dict[int, httpx.Client]] = {}
        csrf: dict[str, str] = {}
        for user in ("front-desk", "lead"):
            signing = http_client(base, timeout=10)
            answer = sign_in(signing, user, PASSWORD)
            assert answer.status_code == 303, answer.text
            held[user], answers = {}, 0
            while len(held[user]) < 2 or answers < 20:
                assert time.monotonic() < deadline, f"{user}: only workers {set(held[user])} answered"
                fresh = http_client(base, timeout=10, cookies=signing.cookies)
                me = fresh.get("/api/me")
                assert me.status_code == 200, (user, me.status_code, me.text)  # whichever worker it is
                pid = worker_of(me, port, workers)
                assert pid is not None, f"no worker of {workers} holds the server's end of {user}'s connection"
                answers += 1
                csrf[user] = me.json()["csrf_token"]
                if pid in held[user]:
                    fresh.close()
                else:
                    held[user][pid] = fresh
        a, b = sorted(workers)

        def on(pid: int, user: str, method: str, path: str, **kwargs: object) -> httpx.Response:
            answer = held[user][pid].request(method, path, headers={"x-csrf-token": csrf[user]}, **kwargs)  # type: ignore[arg-type]
            assert answer.status_code == 200, (method, path, answer.status_code, answer.text)
            assert worker_of(answer, port, workers) == pid  # the kept-alive connection is still that worker's
            return answer

        def listed(pid: int, user: str) -> set[str]:
            return {d["id"] for d in on(pid, user, "GET", "/api/documents").json()}

        # An upload through one worker, listed by the very next request to the other: no retry.
        text = b"Statement of the witness known as 'Heron', taken on 4 March 2026. Nothing else."
        upload = on(a, "front-desk", "POST", "/api/documents", files={"files": ("heron.txt", text, "text/plain")})
        first = upload.json()[0]["document_id"]
        assert first in listed(b, "front-desk")
        assert first in listed(b, "lead")  # the supervisor's intake queue, a different viewer's reach

        # A casework decision the other way round: a case opened on b is on a's very next answer.
        form = {"title": "Heron's account", "document_ids": [first], "csrf_token": csrf["lead"]}
        case_id = on(b, "lead", "POST", "/api/cases", data=form).json()["case"]["id"]
        assert case_id in {c["id"] for c in on(a, "lead", "GET", "/api/cases").json()}
        assert on(a, "lead", "GET", f"/api/documents/{first}").json()["id"] == first

        second = on(b, "front-desk", "POST", "/api/documents", files={"files": ("kite.txt", b"Kite.", "text/plain")})
        assert second.json()[0]["document_id"] in listed(a, "front-desk")

        for clients in held.values():
            for each in clients.values():
                each.close()

        server.send_signal(signal.SIGTERM)
        assert server.wait(15) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    log = errors.read_text()
    assert "Traceback" not in log and "Error" not in log, log
    # The access log is configured in the workers too: route patterns, never URLs.
    assert "casetrail.access GET /api/documents 200" in log, log
    assert "casetrail.access GET /api/documents/{doc_id} 200" in log, log
    assert first not in log
