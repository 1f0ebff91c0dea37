"""Shared fixtures: where the shared corpus and vectors live, a CLI runner, and the backend.

The suites run on SQLite by default. With CASETRAIL_TEST_BACKEND=postgres (issue 14; `make
test-postgres`) every store a test makes is on PostgreSQL instead: each test gets a new, empty
database on the server CASETRAIL_TEST_DATABASE_URL names (or on a throwaway cluster started for
the session), named by CASETRAIL_DATABASE_URL for the test's length, so every home the test creates,
in this process or in one it starts, lands there. A module-scoped fixture that builds a world once
gets a database of the module's, and the tests that use that world keep it. Tests marked
`sqlite_only` are about SQLite's file itself (its bytes, WAL, SQLCipher pages, backups of it, the
file system holding it) and are skipped there with their reason.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from casetrail.store.database import Statements
from casetrail.store.home import ENV_DATABASE_URL, Home
from casetrail.store.keys import generate_key_file
from casetrail.store.sqlite import SqliteStore, connect
from tests import postgres_cluster

# Every store the tests make is encrypted, as a real one is (issue 12): one key file for the run,
# kept outside every home, named to every process the tests start through the environment.
_KEYS = Path(tempfile.mkdtemp(prefix="casetrail-test-keys-"))
os.environ.setdefault("CASETRAIL_KEY_FILE", str(generate_key_file(_KEYS / "test.kek").path))
os.environ.pop("CASETRAIL_PASSPHRASE", None)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NEWS = SHARED / "corpus" / "news-2025"
VECTORS = SHARED / "vectors"


@pytest.fixture(scope="session")
def news_dir() -> Path:
    assert NEWS.is_dir(), f"the shared news corpus is missing at {NEWS}"
    return NEWS


CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> CliRun:
    """Run `casetrail --home <tmp>/home ...` in a subprocess, as a user would."""
    home = tmp_path / "home"

    def run(*args: str | Path, check: bool = True, home_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "casetrail", "--home", str(home_dir or home), *map(str, args)]
        env = {**os.environ, "COLUMNS": "200"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    run.home = home  # type: ignore[attr-defined]
    return run


def open_db(home: Path):  # type: ignore[no-untyped-def]
    """A bare connection to a home's database with its key (for tests that reach under the store):
    SQLite's, or on PostgreSQL one that takes the same SQL and `?` placeholders."""
    url = Home(home).database_url()
    if url is not None:
        return _PostgresConnection(url)
    return connect(home / "casetrail.db", Home(home).sqlcipher_key())


def mention_rows(home: Path) -> list[tuple[Any, ...]]:
    """Every mention row of a home, in id order: what two extraction runs are compared by."""
    db = open_db(home)
    try:
        return list(db.execute("SELECT * FROM mentions ORDER BY id").fetchall())
    finally:
        db.close()


class _PostgresConnection:
    """What tests do with open_db's connection (execute, commit, close), on a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url)

    def execute(self, sql: str, params: tuple[object, ...] = ()):  # type: ignore[no-untyped-def]
        return self.conn.execute(sql.replace("?", "%s").encode(), params)

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def run_sql(store: Any, sql: str, params: Sequence[Any] = ()) -> Any:
    """One statement in SQLite's dialect (`?` placeholders) on an open store of either engine, as
    the store's own named statements are (store/database.py's Statements)."""
    return store.run(Statements({"sql": sql})(store.dialect)["sql"], params)


def table_names(store: object) -> list[str]:
    """The tables of an open store's database, SQLite's or PostgreSQL's."""
    if isinstance(store, SqliteStore):
        return [row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    query = b"SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    return [row[0] for row in store.conn.execute(query)]  # type: ignore[attr-defined]


@contextlib.contextmanager
def another_database() -> Iterator[None]:
    """For a test's second home: on PostgreSQL, CASETRAIL_DATABASE_URL names a new, empty database
    inside the block (dropped at its end, so the home made there is only for its keys or its
    refusals); on SQLite, nothing."""
    if _SERVER is None:
        yield
        return
    url = _SERVER.create()
    before = _point_at(url)
    try:
        yield
    finally:
        _point_at(before)
        _SERVER.release(url)


def object_path(home: Path, sha256: str) -> Path:
    """Where a document's bytes are: named by an HMAC of the hash in an encrypted store."""
    found = Home(home)
    store = found.open_store(readonly=True)
    try:
        return found.objects(store).path(sha256)
    finally:
        store.close()


# -- the backend -----------------------------------------------------------------------------------

BACKEND_VARIABLE = "CASETRAIL_TEST_BACKEND"
SERVER_VARIABLE = "CASETRAIL_TEST_DATABASE_URL"
BACKEND = os.environ.get(BACKEND_VARIABLE) or "sqlite"
ON_POSTGRES = BACKEND == "postgres"


def pytest_configure(config: pytest.Config) -> None:
    if BACKEND not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"{BACKEND_VARIABLE}={BACKEND}: it must be sqlite (the default) or postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRES:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            why = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "about SQLite's file")
            item.add_marker(pytest.mark.skip(reason=f"sqlite_only: {why}"))


class _Server:
    """Creates the tests' databases through one admin connection; one a test left empty is kept
    for the next (a CREATE and a DROP cost a checkpoint each), any other is dropped."""

    # Anything a test, or casetrail's migrations, could have made in a database.
    MADE = (
        b"SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        b" WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%')"
        b" OR EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        b" WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))"
        b" OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')"
        b" AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%')"
    )

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.admin = psycopg.connect(url, autocommit=True)
        self.claimed: set[str] = set()
        self.spare: list[str] = []

    def create(self) -> str:
        if self.spare:
            return self.spare.pop()
        name = f"casetrail_t_{secrets.token_hex(6)}"
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0'.encode())
        return urlunsplit(urlsplit(self.url)._replace(path=f"/{name}"))

    def release(self, url: str) -> None:
        """Done with: kept for another test if nothing was made in it, else dropped (with any
        connection a test left to it)."""
        name = urlsplit(url).path.lstrip("/")
        self.admin.execute(
            b"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        if url not in self.claimed and not self._made_anything(url):
            self.spare.append(url)
            return
        self.claimed.discard(url)
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())

    def holds_a_store(self, url: str) -> bool:
        """Whether a home has been made in this database (it has tables); once made, always."""
        if url not in self.claimed and self._made_anything(url):
            self.claimed.add(url)
        return url in self.claimed

    def _made_anything(self, url: str) -> bool:
        import psycopg

        with psycopg.connect(url) as conn:
            return bool(conn.execute(self.MADE).fetchone()[0])  # type: ignore[index]

    def close(self) -> None:
        for url in self.spare:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}"'.encode())
        self.admin.close()


_SERVER: _Server | None = None  # the session's, for another_database()


@pytest.fixture(scope="session")
def _postgres_server() -> Iterator[_Server | None]:
    """The server CASETRAIL_TEST_DATABASE_URL names (`.ci/run` starts one), else a throwaway cluster."""
    if not ON_POSTGRES:
        yield None
        return
    global _SERVER
    given = os.environ.get(SERVER_VARIABLE)
    with contextlib.nullcontext(given) if given else postgres_cluster.throwaway_cluster() as url:
        _SERVER = _Server(url)
        try:
            yield _SERVER
        finally:
            _SERVER.close()
            _SERVER = None


def _point_at(url: str | None) -> str | None:
    """Name `url` in CASETRAIL_DATABASE_URL (None: unset it); returns what was there."""
    before = os.environ.get(ENV_DATABASE_URL)
    if url is None:
        os.environ.pop(ENV_DATABASE_URL, None)
    else:
        os.environ[ENV_DATABASE_URL] = url
    return before


@pytest.fixture(scope="module", autouse=True)
def _module_database(_postgres_server: _Server | None) -> Iterator[str | None]:
    """On PostgreSQL: a database for the module's shared worlds (module-scoped fixtures are set up
    with CASETRAIL_DATABASE_URL naming it); autouse, so it is there before any of them."""
    if _postgres_server is None:
        yield None
        return
    url = _postgres_server.create()
    before = _point_at(url)
    try:
        yield url
    finally:
        _point_at(before)
        _postgres_server.release(url)


@pytest.fixture(autouse=True)
def _test_database(
    request: pytest.FixtureRequest, _postgres_server: _Server | None, _module_database: str | None
) -> Iterator[None]:
    """On PostgreSQL: a new, empty database for the test, unless it uses a world its module built
    on the module's database (then that one stays named, so the world's home opens)."""
    if _postgres_server is None or _module_database is None:
        yield
        return
    if _uses_a_shared_world(request) and _postgres_server.holds_a_store(_module_database):
        yield
        return
    url = _postgres_server.create()
    before = _point_at(url)
    try:
        yield
    finally:
        _point_at(before)
        _postgres_server.release(url)


def _uses_a_shared_world(request: pytest.FixtureRequest) -> bool:
    definitions = request.node._fixtureinfo.name2fixturedefs  # type: ignore[attr-defined]
    return any(
        d.scope in ("class", "module", "package")
        for name in request.fixturenames
        if name != "_module_database"
        for d in definitions.get(name, ())
    )
