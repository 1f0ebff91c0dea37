"""A real `casetrail serve` in a subprocess, as an operator starts it, and a look at its workers.

Used by tests/web/test_workers.py and by bench/growth.py (which puts the repository on sys.path
for it). It imports only the standard library and httpx: never tests/conftest.py, whose key file
and backend settings a bench must not take.

The server runs in a process group of its own, so its workers go with it; each response can be
traced to the worker that answered it through /proc (the process holding the server's end of the
client's connection), so nothing in the app has to say which process it is.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

import httpx


class NotServing(RuntimeError):
    """The server stopped, or did not answer in time, before it served its first page."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spawn_server(
    home: Path, workers: int, port: int, log: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`casetrail --home HOME serve --workers N --port P`, its stderr in `log`, in its own process
    group (see `kill_group`); with `env`, that environment instead of this process's."""
    command = [sys.executable, "-m", "casetrail", "--home", str(home), "serve", "--workers", str(workers)]
    with log.open("wb") as err:
        return subprocess.Popen(
            [*command, "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=None if env is None else dict(env),
            start_new_session=True,  # its own process group: the workers go with it on failure
        )


def wait_until_serving(process: subprocess.Popen[bytes], base: str, seconds: float, log: Path) -> None:
    """Until GET /login first answers 200 (one worker warm). Raises NotServing, with the end of the
    server's log, if the server stops first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise NotServing(f"the server stopped:\n{log.read_text(errors='replace')[-3000:]}")
        with suppress(httpx.TransportError):
            if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise NotServing(f"no answer in {seconds} s:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the server's whole process group (killing the server alone would leave its workers
    running, orphaned, on the port) and reap it; a no-op after a clean stop: the group is gone."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def workers_of(server: int) -> set[int]:
    """The server's worker processes (uvicorn spawns them; the resource tracker is not one)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == server and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def worker_of(response: httpx.Response, port: int, workers: set[int]) -> int | None:
    """Which of `workers` holds the server's end of the (kept-alive) connection this response came
    on; None if no established connection or no worker is found."""
    client_port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(f.split(":")[1], 16) for f in fields[1:3])
        if (local, remote) == (port, client_port) and fields[3] == "01":  # established
            inode = fields[9]
    if inode is None:
        return None
    for pid in workers:
        with suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with suppress(OSError):
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
    return None


def http_client(base: str, timeout: float, cookies: httpx.Cookies | None = None) -> httpx.Client:
    """A client of the server that sends the Origin a browser would (writes are refused without it)."""
    return httpx.Client(base_url=base, headers={"Origin": base}, cookies=cookies, timeout=timeout)


def sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    """Through the real /login form; a 303 is a session begun."""
    return client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
