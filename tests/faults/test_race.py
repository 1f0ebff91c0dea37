"""Issue 11, item 1: two writers taking in the same bytes at once.

Every input gets exactly one outcome line (recorded, duplicate or failed) whatever the other
writer does; each distinct content is recorded exactly once; nothing is lost; verify passes.
Real processes, several rounds, fresh bytes each round so every round races on new content.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.faults.conftest import ct, env, outcome_lines, start, write_statements

ROUNDS = 4
FILES = 30

# A long-lived writer like the workbench: one Register opened at start, one upload per request.
WEB_LIKE = """
import sys
from pathlib import Path
from casetrail.intake.register import Register, Submission
from casetrail.store.home import Home
register = Register.open(Home(Path(sys.argv[1])))
for name in sys.argv[2:]:
    for outcome in register.ingest([Path(name)], Submission("intake-web", "web")):
        print(outcome.line(), flush=True)
"""


def settle(procs: list[subprocess.Popen[str]], inputs: list[list[Path]]) -> list[dict[str, str]]:
    """Wait for every process; check each gave one outcome per input and no traceback."""
    seen = []
    for proc, paths in zip(procs, inputs):
        stdout, stderr = proc.communicate(timeout=180)
        assert "Traceback" not in stderr and "IntegrityError" not in stderr, stderr
        found = outcome_lines(stdout, stderr)
        assert sorted(found) == sorted(map(str, paths)), f"inputs without an outcome line:\n{stdout}\n{stderr}"
        assert "failed" not in found.values(), stderr
        assert proc.returncode == 0, stderr
        seen.append(found)
    return seen


def recorded(seen: list[dict[str, str]], paths: list[list[Path]]) -> int:
    """How many distinct contents were recorded; each must have been recorded exactly once."""
    by_content: dict[str, list[str]] = {}
    for found, inputs in zip(seen, paths):
        for path in inputs:
            by_content.setdefault(path.read_text(), []).append(found[str(path)])
    for words in by_content.values():
        assert words.count("recorded") == 1, words
    return len(by_content)


def recorded_once(home: Path, contents: int) -> None:
    listed = ct(home, "documents", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == contents  # nothing acknowledged is missing, nothing twice
    verified = ct(home, "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout + verified.stderr


def test_two_cli_ingests_of_the_same_folder(home: Path, tmp_path: Path) -> None:
    total = 0
    for round_ in range(ROUNDS):
        paths = write_statements(tmp_path / f"in-{round_}", FILES, f"same folder, round {round_}")
        procs = [start(home, "ingest", paths[0].parent, "--batch", "4") for _ in range(2)]
        seen = settle(procs, [paths, paths])
        for path in map(str, paths):
            words = sorted(found[path] for found in seen)
            assert words == ["duplicate", "recorded"], (path, words)  # one writer recorded it, the other was told
        total += FILES
    recorded_once(home, total)


def test_two_cli_ingests_of_overlapping_folders(home: Path, tmp_path: Path) -> None:
    total = 0
    for round_ in range(ROUNDS - 1):
        tag = f"overlap, round {round_}"
        left = write_statements(tmp_path / f"a-{round_}", 40, tag)
        right = write_statements(tmp_path / f"b-{round_}", 40, tag, start_at=20)
        procs = [start(home, "ingest", folder.parent, "--batch", "8") for folder in (left[0], right[0])]
        total += recorded(settle(procs, [left, right]), [left, right])
    assert total == 60 * (ROUNDS - 1)
    recorded_once(home, total)


def test_cli_and_a_long_lived_web_writer(home: Path, tmp_path: Path) -> None:
    total = 0
    for round_ in range(ROUNDS - 1):
        paths = write_statements(tmp_path / f"w-{round_}", FILES, f"web race, round {round_}")
        web = subprocess.Popen(
            [sys.executable, "-c", WEB_LIKE, str(home), *map(str, reversed(paths))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env(),
        )
        cli = start(home, "ingest", paths[0].parent, "--batch", "4")
        total += recorded(settle([web, cli], [paths, paths]), [paths, paths])
    recorded_once(home, total)
