"""Backups, restores, `encrypt` and the auditor's log-only check (issue 12)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.rest.conftest import CANARY, ct, one_line_error, raw_hits
from tests.rest.test_at_rest import filled, statements


@pytest.mark.sqlite_only(reason="`casetrail backup` and `restore` are SQLite's (pg_dump on PostgreSQL)")
def test_backup_restore_verify_and_the_backup_holds_no_name(tmp_path: Path) -> None:
    home = filled(tmp_path, by=CANARY)
    taken = ct(home, "backup", tmp_path / "backup")
    assert taken.returncode == 0, taken.stderr
    backup = tmp_path / "backup"
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["encrypted"] and manifest["tree_size"] > 0 and manifest["checkpoint"].count("\n") >= 4
    assert "keys/keyring.json" in manifest["files"] and "keys/log.vkey" in manifest["files"]
    assert not (backup / "keys" / "log.key").exists()  # not without --with-signing-key
    assert raw_hits(backup) == {}
    assert not any("quennell" in p.name.lower() for p in backup.rglob("*"))

    restored = tmp_path / "restored"
    result = ct(home, "restore", backup, restored, "--signing-key", home / "keys" / "log.key")
    assert result.returncode == 0, result.stderr
    assert ct(restored, "verify").returncode == 0
    assert ct(restored, "show", "D-000001", "--text").stdout.count(CANARY) >= 2  # with the key, the content is back
    # Into a store that is not empty: refused in one line, nothing touched.
    assert "not empty" in one_line_error(ct(home, "restore", backup, home))


@pytest.mark.sqlite_only(reason="`casetrail backup` and `restore` are SQLite's (pg_dump on PostgreSQL)")
def test_a_tampered_backup_is_refused(tmp_path: Path) -> None:
    home = filled(tmp_path)
    assert ct(home, "backup", tmp_path / "backup").returncode == 0
    config = tmp_path / "backup" / "config.json"
    config.write_text(config.read_text().replace("{", '{"x": 1, ', 1))
    assert "differ from the backup's manifest" in one_line_error(
        ct(home, "restore", tmp_path / "backup", tmp_path / "r")
    )
    assert not (tmp_path / "r").exists()


@pytest.mark.sqlite_only(reason="`casetrail backup` and `restore` are SQLite's (pg_dump on PostgreSQL)")
def test_a_rolled_back_restore_is_flagged(tmp_path: Path) -> None:
    home = filled(tmp_path)
    assert ct(home, "backup", tmp_path / "old").returncode == 0
    more = tmp_path / "more" / "later.txt"
    more.parent.mkdir()
    more.write_text("A later fictional note.\n")
    assert ct(home, "ingest", more).returncode == 0
    latest = home / "checkpoint.latest"

    line = one_line_error(ct(home, "restore", tmp_path / "old", tmp_path / "r1", "--against", latest))
    assert "restore refused" in line and "behind" in line and "--accept-older" in line
    assert not (tmp_path / "r1").exists()

    accepted = ct(home, "restore", tmp_path / "old", tmp_path / "r2", "--against", latest, "--accept-older")
    assert accepted.returncode == 0 and "accepted an older backup" in accepted.stderr
    # Once restored, the same outside checkpoint still shows what is missing.
    assert ct(tmp_path / "r2", "verify", "--against", latest).returncode == 1
    # A backup as new as the checkpoint is not flagged.
    assert ct(home, "backup", tmp_path / "new").returncode == 0
    assert ct(home, "restore", tmp_path / "new", tmp_path / "r3", "--against", latest).returncode == 0


@pytest.mark.sqlite_only(reason="`casetrail encrypt` encrypts casetrail.db (the server encrypts its own storage)")
def test_encrypt_a_plaintext_store(tmp_path: Path) -> None:
    home = filled(tmp_path, "--plaintext", env={"CASETRAIL_KEY_FILE": None}, by=CANARY)
    assert raw_hits(home) != {}  # the name is there in clear to begin with
    key = tmp_path / "keys" / "store.kek"
    result = ct(home, "encrypt", "--new-key-file", key, env={"CASETRAIL_KEY_FILE": None})
    assert result.returncode == 0, result.stderr
    assert "verified before: OK" in result.stdout and "verified after: OK" in result.stdout
    assert raw_hits(home) == {}
    assert not (home / ".encrypting").exists()
    env = {"CASETRAIL_KEY_FILE": str(key)}
    assert ct(home, "verify", env=env).returncode == 0
    assert CANARY in ct(home, "show", "D-000001", "--text", env=env).stdout
    assert "encrypted" in ct(home, "keys", "status", env=env).stdout
    from casetrail.store.home import Home
    from casetrail.store.keys import KeyFileSource

    store = Home(home, key_source=KeyFileSource(key)).open_store(readonly=True)
    try:  # the full-text index came across too
        assert [doc for doc, _ in store.documents.search_documents(["thursdays"], 5)] == ["D-000001"]
    finally:
        store.close()
    assert "store is locked" in one_line_error(ct(home, "show", "D-000001", env={"CASETRAIL_KEY_FILE": None}))
    # New records go in encrypted, and a second encrypt is refused.
    assert ct(home, "ingest", statements(tmp_path / "in2"), env=env).returncode == 0
    assert "already encrypted" in one_line_error(ct(home, "encrypt", env=env))


def test_log_only_verification_needs_no_key_and_catches_tampering(tmp_path: Path) -> None:
    home = filled(tmp_path, by=CANARY)
    export = tmp_path / "export"
    assert ct(home, "log", "export", export).returncode == 0
    assert raw_hits(export) == {}  # commitments, not names
    vkey = home / "keys" / "log.vkey"
    nobody = {"CASETRAIL_KEY_FILE": None, "CASETRAIL_PASSPHRASE": None}
    elsewhere = tmp_path / "no-home"
    checked = ct(elsewhere, "verify", "--log-only", export, "--key", vkey, env=nobody)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK (log only)")

    lines = (export / "entries.jsonl").read_text().splitlines()
    row = json.loads(lines[0])
    entry = json.loads(base64.b64decode(row["entry"]))
    entry["at"] = "2001-01-01T00:00:00Z"
    row["entry"] = base64.b64encode(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()).decode()
    (export / "entries.jsonl").write_text("\n".join([json.dumps(row), *lines[1:]]) + "\n")
    tampered = ct(elsewhere, "verify", "--log-only", export, "--key", vkey, env=nobody)
    assert tampered.returncode == 1 and "FAIL leaf 0" in tampered.stderr
