"""A throwaway PostgreSQL cluster for tests, CI and benches (issue 14).

`initdb` in a fresh temporary directory, `pg_ctl` listening on a free loopback port (and on a unix
socket inside that directory), one database, a `postgresql://` URL; stopped and deleted at the end.
Standard library only, so `.ci/run` can start a cluster with the system Python before the venv exists:

    python3 tests/postgres_cluster.py start        # prints the cluster's directory
    python3 tests/postgres_cluster.py url DIR      # prints its postgresql:// URL
    python3 tests/postgres_cluster.py stop DIR

PostgreSQL refuses to run as root. CI runs as root, so there the server runs as an unprivileged
system user (created on first use) that owns the directory; as anyone else it runs as the caller.
TCP needs a password (scram-sha-256, a random one per cluster): other users of the machine can
reach a loopback port. The socket trusts whoever reaches it, and only the owner (and root) can.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "casetrail"
DATABASE = "casetrail_test"
UNPRIVILEGED = "casetrail-ci"  # the account the server runs as when we are root
URL_FILE = "url"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server programs on this machine (`make postgres` installs Debian's)."""


def server_bin() -> Path:
    """The folder holding initdb and pg_ctl: on PATH if there, else Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    # Debian keeps server programs off PATH, one folder per major version.
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major_version)
    if not candidates:
        raise PostgresMissing("PostgreSQL's server programs (initdb, pg_ctl) are not installed; run `make postgres`")
    return Path(candidates[-1]).parent


def _major_version(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return -1


def _free_port() -> int:
    # The port may be taken between here and the server's start; `start` retries with another.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> str | None:
    """The unprivileged account to run the server as, or None to run it as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        # exit code 9: another process created it meanwhile, which is just as good
        result = subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                UNPRIVILEGED,
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode not in (0, 9):
            raise RuntimeError(f"cannot create the {UNPRIVILEGED} account for PostgreSQL: {result.stderr.strip()}")
    return UNPRIVILEGED


def _command(user: str | None, program: Path, *args: str) -> list[str]:
    prefix = ["runuser", "-u", user, "--"] if user else []
    return [*prefix, str(program), *args]


def _check(command: list[str], doing: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{doing} failed ({result.returncode}): {result.stdout.strip()} {result.stderr.strip()}")


@dataclass(frozen=True)
class Cluster:
    root: Path
    port: int
    password: str
    user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"


def start() -> Cluster:
    """initdb, start and create the test database; the caller must `stop` it."""
    bin_dir = server_bin()
    user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="casetrail-pg-"))
    try:
        cluster = _start_on_a_free_port(_init(root, bin_dir, user), bin_dir)
        (root / URL_FILE).write_text(cluster.url() + "\n")
        return cluster
    except BaseException:
        _stop(root, bin_dir, user)
        raise


def _init(root: Path, bin_dir: Path, user: str | None) -> Cluster:
    password = secrets.token_urlsafe(24)
    (root / "socket").mkdir()
    pwfile = root / "pwfile"
    pwfile.write_text(password + "\n")
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (root, root / "socket", pwfile):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    _check(
        _command(
            user,
            bin_dir / "initdb",
            "-D",
            str(root / "data"),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ),
        "initdb",
    )
    pwfile.unlink()
    return Cluster(root, 0, password, user)


def _start_on_a_free_port(cluster: Cluster, bin_dir: Path) -> Cluster:
    for attempt in range(3):
        cluster = dataclasses.replace(cluster, port=_free_port())
        port = cluster.port
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={cluster.socket_dir}"
        command = _command(
            cluster.user,
            bin_dir / "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(cluster.data),
            "-l",
            str(cluster.root / "server.log"),
            "-o",
            options,
        )
        try:
            _check(command, "pg_ctl start")
        except RuntimeError:
            if attempt == 2:
                log = (cluster.root / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not start; its log ends:\n{log}") from None
            continue
        break
    _check(
        [str(bin_dir / "createdb"), "-h", str(cluster.socket_dir), "-p", str(cluster.port), "-U", SUPERUSER, DATABASE],
        "createdb",
    )
    return cluster


def stop(root: Path) -> None:
    """Stop the cluster whose directory is `root` and delete it (data and all)."""
    _stop(root, server_bin(), _run_as())


def _stop(root: Path, bin_dir: Path, user: str | None) -> None:
    if (root / "data" / "postmaster.pid").exists():
        subprocess.run(
            _command(user, bin_dir / "pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(root / "data")),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
    shutil.rmtree(root, ignore_errors=True)


def url_of(root: Path) -> str:
    return (root / URL_FILE).read_text().strip()


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A running cluster's URL for the length of a `with` block."""
    cluster = start()
    try:
        yield cluster.url()
    finally:
        stop(cluster.root)


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"]:
        print(start().root)
    elif len(argv) == 2 and argv[0] == "url":
        print(url_of(Path(argv[1])))
    elif len(argv) == 2 and argv[0] == "stop":
        stop(Path(argv[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
