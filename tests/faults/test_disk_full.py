"""Issue 11, item 4: a full disk. Ingest says "the disk is full" per input and loses nothing
acknowledged; read commands keep working at 100 % full; partial writes are listed and cleared.

A small tmpfs is mounted for the store, so this needs root (CI runs as root)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import open_db
from tests.faults.conftest import cli, outcome_lines, write_statements

WORDS = "officer van night flat station told saw drove phone called late street house corner".split()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8); CI runs as root")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True, check=False
    ).returncode:
        pytest.skip("this container may not mount a tmpfs (no CAP_SYS_ADMIN)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], capture_output=True, check=False)


def statements(folder: Path, count: int, size: int) -> list[Path]:
    rng = random.Random(11)
    folder.mkdir()
    paths = []
    for n in range(count):
        path = folder / f"statement-{n:03d}.txt"
        path.write_text(f"Statement {n} by a fictional witness.\n" + " ".join(rng.choices(WORDS, k=size // 6)) + "\n")
        paths.append(path)
    return paths


def fill(disk: Path) -> Path:
    """Take every remaining byte of the disk."""
    filler = disk / "filler"
    try:
        with open(filler, "wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
    except OSError:
        pass  # full: the point
    return filler


def reads_work_at_full(home: Path) -> None:
    for args in (("documents",), ("log", "checkpoint"), ("show", "D-000001"), ("receipt", "D-000001"), ("verify",)):
        result = cli(home, *args)
        no_traceback(result)
        assert result.returncode == 0, (args, result.stdout, result.stderr)


def no_traceback(result: object) -> None:
    assert "Traceback" not in result.stderr and "OSError" not in result.stderr, result.stderr  # type: ignore[attr-defined]


@pytest.mark.sqlite_only(
    reason="a full tmpfs under casetrail.db and its WAL; on PostgreSQL the server's disk is the server's"
)
def test_a_full_disk_loses_nothing_and_says_so(small_disk: Path, tmp_path: Path) -> None:
    home = small_disk / "home"
    assert cli(home, "init", "--origin", "casetrail.test/full").returncode == 0
    inputs = statements(tmp_path / "in", 60, 120_000)  # about 7 MB of text into a 4 MB disk

    first = cli(home, "ingest", tmp_path / "in", "--batch", "4")
    no_traceback(first)
    outcomes = outcome_lines(first.stdout, first.stderr)
    assert sorted(outcomes) == sorted(map(str, inputs))  # every input has its line
    acknowledged = {source for source, word in outcomes.items() if word == "recorded"}
    assert acknowledged and "failed" in outcomes.values()
    assert "the disk holding" in first.stderr and "is full" in first.stderr
    assert first.returncode == 1

    filler = fill(small_disk)
    reads_work_at_full(home)
    filler.unlink()
    # More room; the WAL folded in and gone, as after a clean close; then full again: SQLite
    # cannot create its -shm file now, and reading must still work.
    assert (
        subprocess.run(
            ["mount", "-o", "remount,size=32m", str(small_disk)], capture_output=True, check=False
        ).returncode
        == 0
    )
    with open_db(home) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0 and (home / "casetrail.db-wal").stat().st_size == 0
    for name in ("casetrail.db-wal", "casetrail.db-shm"):
        (home / name).unlink()
    write_statements(tmp_path / "late", 1, "at 100 % full")
    filler = fill(small_disk)
    reads_work_at_full(home)
    refused = cli(home, "ingest", tmp_path / "late")
    no_traceback(refused)
    assert refused.returncode == 1 and "is full" in refused.stderr
    filler.unlink()

    leftover = home / "objects" / "ab" / (".ab" + "0" * 60 + ".999999999.tmp")  # as a killed process leaves it
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half an object")
    checked = cli(home, "verify")
    assert checked.returncode == 0 and "partial write" in checked.stderr and leftover.name in checked.stderr
    second = cli(home, "ingest", tmp_path / "in")
    no_traceback(second)
    assert second.returncode == 0 and not leftover.exists(), second.stderr  # ingest clears partial writes
    again = outcome_lines(second.stdout, second.stderr)
    assert {s for s, word in again.items() if word == "duplicate"} == acknowledged  # nothing acknowledged was lost
    listed = cli(home, "documents", "--json").stdout.splitlines()
    assert len(listed) == len(inputs)
    assert cli(home, "verify").returncode == 0
