"""Issue 11, item 5: a store behind a checkpoint or receipt it once issued is caught, loudly.

A rolled-back database is caught on the next open by HOME/checkpoint.latest; a truncated WAL
by a checkpoint kept elsewhere (`verify --against`) or a submitter's receipt; a fork by a
checkpoint of the same size with another root.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import open_db
from tests.faults.conftest import cli, one_line_error, write_statements

DB_FILES = ("casetrail.db", "casetrail.db-wal", "casetrail.db-shm")


def ingest(home: Path, folder: Path, receipts: Path) -> None:
    result = cli(home, "ingest", folder, "--receipts", receipts)
    assert result.returncode == 0, result.stderr


def copy_db(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in DB_FILES:
        (target / name).unlink(missing_ok=True)
        if (source / name).exists():
            shutil.copy2(source / name, target / name)


@pytest.mark.sqlite_only(reason="restores an old copy of casetrail.db over the home's")
def test_a_restored_old_database_is_refused_on_open(home: Path, tmp_path: Path) -> None:
    ingest(home, write_statements(tmp_path / "first", 3, "before the backup")[0].parent, tmp_path / "r")
    copy_db(home, tmp_path / "backup")
    ingest(home, write_statements(tmp_path / "second", 3, "after the backup")[0].parent, tmp_path / "r")
    copy_db(tmp_path / "backup", home)  # someone restores last night's database over today's
    before = (home / "casetrail.db").read_bytes()

    line = one_line_error(cli(home, "documents"))
    assert "behind" in line and "checkpoint.latest" in line and "holds 3 log entries" in line and "at 6" in line
    write_statements(tmp_path / "third", 1, "would fork the log")
    one_line_error(cli(home, "ingest", tmp_path / "third"))
    assert (home / "casetrail.db").read_bytes() == before  # nothing written to the rolled-back store

    checked = cli(home, "verify")
    assert checked.returncode == 1 and "FAIL" in checked.stderr and "behind" in checked.stderr
    line = one_line_error(cli(home, "verify-receipt", tmp_path / "r" / "D-000005.receipt.json"))
    assert "behind" in line


@pytest.mark.sqlite_only(reason="an early copy of the home holds an early casetrail.db")
def test_a_receipt_from_a_bigger_log_fails_against_a_small_copy(home: Path, tmp_path: Path) -> None:
    """The issue's case: a receipt at a larger tree size checked with a copy of the store that is smaller."""
    ingest(home, write_statements(tmp_path / "first", 2, "copied early")[0].parent, tmp_path / "r")
    early = tmp_path / "early-copy"
    shutil.copytree(home, early)
    (early / "checkpoint.latest").unlink()  # an old copy taken before this file existed
    ingest(home, write_statements(tmp_path / "second", 4, "after the copy")[0].parent, tmp_path / "r")
    line = one_line_error(cli(early, "verify-receipt", tmp_path / "r" / "D-000006.receipt.json"))
    assert "holds 2 log entries" in line and "checkpoint at 6" in line
    fine = cli(home, "verify-receipt", tmp_path / "r" / "D-000001.receipt.json")
    assert fine.returncode == 0 and "still present in the store's latest checkpoint, tree size 6" in fine.stdout


@pytest.mark.sqlite_only(reason="truncates SQLite's WAL file")
def test_a_truncated_wal_is_caught_by_an_outside_checkpoint(home: Path, tmp_path: Path) -> None:
    holder = open_db(home)  # keeps the WAL from being folded in on close
    try:
        ingest(home, write_statements(tmp_path / "first", 3, "in the database file")[0].parent, tmp_path / "r")
        holder.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ingest(home, write_statements(tmp_path / "second", 3, "only in the WAL")[0].parent, tmp_path / "r")
        wal = (home / "casetrail.db-wal").read_bytes()
        assert len(wal) > 32
        copy = tmp_path / "copy"
        shutil.copytree(home, copy, ignore=shutil.ignore_patterns("casetrail.db-*"))
        (copy / "casetrail.db-wal").write_bytes(wal[: len(wal) // 2])  # the WAL cut short
    finally:
        holder.close()
    witness = tmp_path / "court-copy.checkpoint"
    shutil.copy2(copy / "checkpoint.latest", witness)  # a checkpoint the court was given
    (copy / "checkpoint.latest").unlink()  # and the copy lost the one beside it

    alone = cli(copy, "verify")
    assert alone.returncode == 0 and "3 log entries" in alone.stdout  # with nothing outside, nothing to see
    held = cli(copy, "verify", "--against", witness)
    assert held.returncode == 1 and "behind" in held.stderr and "holds 3 log entries" in held.stderr, held.stderr
    by_receipt = cli(copy, "verify", "--against", tmp_path / "r" / "D-000006.receipt.json")
    assert by_receipt.returncode == 1 and "behind" in by_receipt.stderr
    one_line_error(cli(copy, "verify-receipt", tmp_path / "r" / "D-000006.receipt.json"))
    shutil.copy2(witness, copy / "checkpoint.latest")
    assert "behind" in one_line_error(cli(copy, "documents"))


@pytest.mark.sqlite_only(reason="a copy of the home forks only with its own casetrail.db")
def test_a_fork_is_caught(home: Path, tmp_path: Path) -> None:
    ingest(home, write_statements(tmp_path / "first", 2, "shared history")[0].parent, tmp_path / "r")
    other = tmp_path / "other"
    shutil.copytree(home, other)
    ingest(home, write_statements(tmp_path / "here", 1, "one branch")[0].parent, tmp_path / "r")
    ingest(other, write_statements(tmp_path / "there", 1, "another branch")[0].parent, tmp_path / "r2")
    checked = cli(home, "verify", "--against", other / "checkpoint.latest")
    assert checked.returncode == 1 and "forked" in checked.stderr, checked.stderr
    shutil.copy2(other / "checkpoint.latest", home / "checkpoint.latest")
    assert "forked" in one_line_error(cli(home, "documents"))


def test_the_latest_checkpoint_never_goes_backwards(home: Path, tmp_path: Path) -> None:
    ingest(home, write_statements(tmp_path / "first", 3, "three")[0].parent, tmp_path / "r")
    note = (home / "checkpoint.latest").read_text()
    assert note.splitlines()[1] == "3"
    from casetrail.ledger.latest import LatestCheckpoint

    LatestCheckpoint(home / "checkpoint.latest").record(2, "an older note\n")
    assert (home / "checkpoint.latest").read_text() == note
    verified = cli(home, "verify", "--against", home / "checkpoint.latest")
    assert verified.returncode == 0, verified.stderr
