"""Shared fixtures: where the shared corpus and vectors live, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

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
