"""Helpers for the fault-injection suite: the `casetrail` command run as an operator would."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("casetrail")
OUTCOMES = ("recorded", "duplicate", "failed")


def command(home: Path, *args: str | Path) -> list[str]:
    """The installed `casetrail` script (as the issue's operator ran it), else `python -m casetrail`."""
    base = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "casetrail"]
    return [*base, "--home", str(home), *map(str, args)]


def env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}


def ct(home: Path, *args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(home, *args), capture_output=True, text=True, env=env(), timeout=timeout)


def start(home: Path, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(command(home, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one `error:` line and no traceback; returns that line."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def outcome_lines(stdout: str, stderr: str) -> dict[str, str]:
    """Input source -> outcome word, from an ingest's per-input lines (stdout and stderr)."""
    found: dict[str, str] = {}
    for line in (stdout + "\n" + stderr).splitlines():
        word, _, rest = line.partition(" ")
        if word == "recorded":
            source = rest.split(" ", 3)[3]
        elif word in ("duplicate", "failed"):
            source = rest.split(": ", 1)[0]
        else:
            continue
        assert source not in found, f"two outcome lines for {source}"
        found[source] = word
    return found


def write_statements(folder: Path, count: int, tag: str, start_at: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start_at, start_at + count):
        path = folder / f"statement-{n:03d}.txt"
        path.write_text(f"Statement {n} ({tag}) by a fictional witness, Ruth Okonedo-Vale.\nShe saw a grey van.\n")
        paths.append(path)
    return paths


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh store."""
    where = tmp_path / "home"
    result = cli(where, "init", "--origin", "casetrail.test/faults")
    assert result.returncode == 0, result.stderr
    return where


class Ran:
    """What an in-process run of the CLI printed (much faster than a process, for the many small cases)."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def cli(home: Path, *args: str | Path) -> Ran:
    """`casetrail --home HOME ARGS...` in this process; an uncaught exception (a traceback for the
    operator) fails the test at once."""
    from typer.testing import CliRunner

    from casetrail.cli.app import app, hoist_home

    result = CliRunner().invoke(app, hoist_home(["--home", str(home), *map(str, args)]), env={"COLUMNS": "250"})
    gc.collect()  # the command's store connections close now, as they would when a process ends
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"casetrail {' '.join(map(str, args))} raised {result.exception!r}") from result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
