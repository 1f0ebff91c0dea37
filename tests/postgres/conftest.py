"""PostgreSQL for the tests: the cluster `.ci/run` started, or one of our own for the session.

`CASETRAIL_TEST_DATABASE_URL` names a database on a server where we may create databases; when
it is unset a throwaway cluster is started (tests/postgres_cluster.py) and stopped at the end.
Tests are skipped only when PostgreSQL's server programs are genuinely absent; any other failure
to start one is an error, so a broken cluster never passes for a missing one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests import postgres_cluster

URL_VARIABLE = "CASETRAIL_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A URL on a running server whose user may create databases."""
    given = os.environ.get(URL_VARIABLE)
    if given:
        yield given
        return
    try:
        postgres_cluster.server_bin()
    except postgres_cluster.PostgresMissing as missing:
        pytest.skip(f"{missing} (or set {URL_VARIABLE})")
    with postgres_cluster.throwaway_cluster() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty database for one test, dropped (with any connection left to it) afterwards."""
    name = f"casetrail_t_{secrets.token_hex(6)}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        yield with_database(postgres_server, name)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
