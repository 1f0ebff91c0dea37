"""Issue 11, item 2: `init` never touches an existing store; verifying needs only the verifier key;
a lost signing key says so and what to do."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.conftest import another_database
from tests.faults.conftest import Ran, cli, one_line_error, write_statements


def fingerprint(home: Path) -> dict[str, str]:
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and "-wal" not in p.name and "-shm" not in p.name
    }


@pytest.fixture
def filled(home: Path, tmp_path: Path) -> Path:
    write_statements(tmp_path / "in", 3, "keys")
    assert cli(home, "ingest", tmp_path / "in", "--receipts", tmp_path / "receipts").returncode == 0
    return home


def test_init_refuses_a_whole_store_and_changes_nothing(filled: Path) -> None:
    before = fingerprint(filled)
    line = one_line_error(cli(filled, "init"))
    assert "already holds a casetrail store" in line and "never replaces" in line
    assert fingerprint(filled) == before


@pytest.mark.parametrize(
    "lost",
    [
        "keys/log.key",
        pytest.param("casetrail.db", marks=pytest.mark.sqlite_only(reason="the database is a file in the home")),
        "config.json",
        "keys/log.vkey",
    ],
)
def test_init_refuses_a_store_missing_a_part(filled: Path, lost: str) -> None:
    (filled / lost).unlink()
    before = fingerprint(filled)
    one_line_error(cli(filled, "init"))
    assert fingerprint(filled) == before  # the issue: init rewrote log.vkey and config.json here


def test_a_store_without_its_signing_key_verifies_and_says_what_to_do(filled: Path, tmp_path: Path) -> None:
    (filled / "keys" / "log.key").unlink()
    for args in ((), ("--key", filled / "keys" / "log.vkey")):
        checked = cli(filled, "verify", *args)
        assert checked.returncode == 0 and checked.stdout.startswith("OK: 3 log entries"), checked.stderr
    assert "log.key is missing" in checked.stderr  # a note, not a failure
    assert cli(filled, "documents").returncode == 0  # reading needs no key
    receipt = cli(filled, "receipt", "D-000001")
    assert receipt.returncode == 0 and '"leaf_index": 0' in receipt.stdout
    write_statements(tmp_path / "more", 1, "after the key was lost")
    line = one_line_error(cli(filled, "ingest", tmp_path / "more"))
    assert "log.key is missing" in line and "backup" in line and "init" in line and "verified" in line


@pytest.mark.sqlite_only(reason="the auditor is handed a copy of casetrail.db")
def test_an_auditor_copy_with_only_the_database_verifies(filled: Path, tmp_path: Path) -> None:
    """Handed casetrail.db and the objects, with the verifier key on the side: no signing key, no settings."""
    copy = tmp_path / "auditor"
    copy.mkdir()
    for name in ("casetrail.db", "casetrail.db-wal", "casetrail.db-shm"):
        if (filled / name).exists():
            shutil.copy2(filled / name, copy / name)
    shutil.copytree(filled / "objects", copy / "objects")
    (copy / "keys").mkdir()  # the wrapped keys: nothing without the key-encryption key, which the auditor is given
    shutil.copy2(filled / "keys" / "keyring.json", copy / "keys" / "keyring.json")
    vkey = tmp_path / "handed-over.vkey"
    shutil.copy2(filled / "keys" / "log.vkey", vkey)
    checked = cli(copy, "verify", "--key", vkey)
    assert checked.returncode == 0 and checked.stdout.startswith("OK: 3 log entries"), checked.stdout + checked.stderr
    receipt = cli(copy, "verify-receipt", tmp_path / "receipts" / "D-000002.receipt.json", "--key", vkey)
    assert receipt.returncode == 0, receipt.stderr
    line = one_line_error(cli(copy, "verify"))  # without --key and without keys/log.vkey
    assert "log.vkey is missing" in line and "--key" in line


def test_a_damaged_signing_key_is_named(filled: Path, tmp_path: Path) -> None:
    (filled / "keys" / "log.key").write_text("PRIVATE+KEY+not-a-key\n")
    write_statements(tmp_path / "more", 1, "damaged key")
    line = one_line_error(cli(filled, "ingest", tmp_path / "more"))
    assert "log.key is damaged" in line and "backup" in line


def test_keys_that_are_not_a_pair_are_refused(filled: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    with another_database():
        assert cli(other, "init", "--origin", "casetrail.test/faults").returncode == 0
    shutil.copy2(other / "keys" / "log.vkey", filled / "keys" / "log.vkey")
    line = one_line_error(cli(filled, "documents"))
    assert "are not a pair" in line
    assert cli(filled, "verify").returncode == 1  # the replaced key verifies none of the checkpoints


def test_log_key_recreates_a_lost_verifier_key_from_the_signing_key(filled: Path) -> None:
    vkey = filled / "keys" / "log.vkey"
    original = vkey.read_text()
    vkey.unlink()
    printed: Ran = cli(filled, "log", "key")
    assert printed.returncode == 0 and printed.stdout == original
