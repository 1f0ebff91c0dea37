"""Shared fixtures: where the shared corpus and vectors live, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from casetrail.store.home import Home
from casetrail.store.keys import generate_key_file
from casetrail.store.sqlite import connect

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
    """A bare connection to a home's database with its key (for tests that reach under the store)."""
    return connect(home / "casetrail.db", Home(home).sqlcipher_key())


def object_path(home: Path, sha256: str) -> Path:
    """Where a document's bytes are: named by an HMAC of the hash in an encrypted store."""
    found = Home(home)
    store = found.open_store(readonly=True)
    try:
        return found.objects(store).path(sha256)
    finally:
        store.close()
