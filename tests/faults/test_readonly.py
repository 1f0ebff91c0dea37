"""Issue 11, item 6: a read-only copy (a read-only bind mount, a forensic image) can be verified
and read; writing is refused in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import open_db
from tests.faults.conftest import cli, one_line_error, write_statements


def mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(a writable store, the same store through a read-only bind mount)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only bind mount needs root and mount(8); CI runs as root")
    source, view = tmp_path / "store", tmp_path / "ro"
    source.mkdir()
    view.mkdir()
    if not mount("--bind", str(source), str(view)):
        pytest.skip("this container may not mount (no CAP_SYS_ADMIN)")
    try:
        if not mount("-o", "remount,bind,ro", str(view)):
            pytest.skip("cannot remount the bind mount read-only here")
        yield source, view
    finally:
        subprocess.run(
            ["umount", "--lazy", str(view)], capture_output=True, check=False
        )  # lazy: a test that failed may still hold a file open


@pytest.mark.sqlite_only(reason="a read-only mount of casetrail.db and its WAL")
@pytest.mark.parametrize("wal", ["folded in", "left in the WAL"])
def test_a_read_only_mount_verifies_and_reads(read_only: tuple[Path, Path], tmp_path: Path, wal: str) -> None:
    source, view = read_only
    home, seen = source / "home", view / "home"
    assert cli(home, "init", "--origin", "casetrail.test/readonly").returncode == 0
    # "left in the WAL": another connection stays open, so the last writes are still in the -wal file.
    holder = open_db(home) if wal == "left in the WAL" else None
    if holder is not None:
        holder.execute("SELECT count(*) FROM sqlite_master").fetchone()  # attached to the WAL from now on
    try:
        write_statements(tmp_path / "in", 3, f"read-only, {wal}")
        assert cli(home, "ingest", tmp_path / "in", "--receipts", tmp_path / "r").returncode == 0
        assert (home / "casetrail.db-wal").exists() == (holder is not None)
        check_through(seen, tmp_path)
    finally:
        if holder is not None:
            holder.close()


def check_through(seen: Path, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        (seen / "probe").write_text("x")  # the mount is read-only indeed
    checked = cli(seen, "verify")
    assert checked.returncode == 0 and checked.stdout.startswith("OK: 3 log entries"), checked.stdout + checked.stderr
    for args in (
        ("documents",),
        ("show", "D-000002"),
        ("log", "checkpoint"),
        ("receipt", "D-000001"),
        ("log", "proof", "inclusion", "1"),
        ("verify-receipt", tmp_path / "r" / "D-000003.receipt.json"),
    ):
        result = cli(seen, *args)
        assert result.returncode == 0, (args, result.stderr)
    write_statements(tmp_path / "more", 1, "refused")
    line = one_line_error(cli(seen, "ingest", tmp_path / "more"))
    assert "read-only" in line
