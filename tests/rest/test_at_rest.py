"""Survivors protected at rest (issue 12): a copy of a home, without the key, reveals nothing;
sealing shreds; keys rotate; a plaintext store still opens."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from casetrail.store.home import Home
from casetrail.store.keys import (
    KeyFileSource,
    Keyring,
    PassphraseSource,
    VaultTransitSource,
    generate_key_file,
)
from tests.conftest import open_db
from tests.rest.conftest import (
    CANARY,
    STATEMENT,
    ct,
    decrypted_pages,
    hits,
    one_line_error,
    raw_hits,
)


def statements(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "quennell-statement.txt").write_text(STATEMENT)
    (folder / "unrelated.txt").write_text("A fictional note about a grey van and nobody in particular.\n")
    return folder


def filled(tmp_path: Path, *init: str, env: dict[str, str | None] | None = None, by: str = "intake officer") -> Path:
    home = tmp_path / "home"
    assert ct(home, "init", "--origin", "casetrail.test/rest", *init, env=env).returncode == 0
    ingested = ct(home, "ingest", statements(tmp_path / "in"), "--submitted-by", by, env=env)
    assert ingested.returncode == 0, ingested.stderr
    return home


@pytest.mark.sqlite_only(reason="scans casetrail.db and its WAL (on PostgreSQL the server encrypts its storage)")
def test_no_byte_of_an_encrypted_home_holds_the_name(tmp_path: Path) -> None:
    home = filled(tmp_path, by=CANARY)  # her name in the text, the file name and the submitter
    holder = open_db(home)  # an open reader keeps the last writes in the WAL, to be scanned too
    try:
        holder.execute("SELECT count(*) FROM documents").fetchone()
        more = tmp_path / "more" / "quennell-second-statement.txt"
        more.parent.mkdir()
        more.write_text(STATEMENT.replace("Thursdays", "Fridays"))
        assert ct(home, "ingest", more, "--submitted-by", CANARY).returncode == 0
        assert (home / "casetrail.db-wal").stat().st_size > 0
        assert ct(home, "show", "D-000001", "--text").stdout.count(CANARY) == 3  # submitter and text, with the key
        assert raw_hits(home) == {}
    finally:
        holder.close()
    assert raw_hits(home) == {}


@pytest.mark.sqlite_only(reason="finds the name in a plaintext casetrail.db")
def test_the_scan_finds_the_name_in_a_plaintext_store(tmp_path: Path) -> None:
    """The scanner's control: the same steps on an unencrypted store show the name everywhere."""
    home = filled(tmp_path, "--plaintext")
    found = raw_hits(home)
    assert any(where.endswith("casetrail.db") or where.endswith("-wal") for where in found), found
    assert any("/objects/" in where for where in found), found


def test_object_names_do_not_confirm_a_known_document(tmp_path: Path) -> None:
    home = filled(tmp_path)
    known = hashlib.sha256(STATEMENT.encode()).hexdigest()
    names = {p.parent.name + p.name for p in (home / "objects").rglob("*") if p.is_file()}
    assert len(names) == 2 and known not in names
    blobs = [p.read_bytes() for p in (home / "objects").rglob("*") if p.is_file()]
    assert all(STATEMENT.encode()[:20] not in blob for blob in blobs)


def test_a_copy_without_the_key_is_one_line(tmp_path: Path) -> None:
    home = filled(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(home, copy)
    for command in (["documents"], ["show", "D-000001", "--text"], ["verify"], ["ingest", tmp_path / "in"]):
        line = one_line_error(ct(copy, *command, env={"CASETRAIL_KEY_FILE": None}))
        assert line.startswith("error: store is locked:") and "CASETRAIL_KEY_FILE" in line, line
    other = generate_key_file(tmp_path / "elsewhere" / "other.kek")
    line = one_line_error(ct(copy, "documents", env={"CASETRAIL_KEY_FILE": str(other.path)}))
    assert "store is locked" in line and "does not open" in line


def test_a_wrong_passphrase_is_one_line(tmp_path: Path) -> None:
    env: dict[str, str | None] = {"CASETRAIL_KEY_FILE": None, "CASETRAIL_PASSPHRASE": "correct horse battery"}
    home = filled(tmp_path, env=env)
    assert ct(home, "verify", env=env).returncode == 0
    line = one_line_error(ct(home, "documents", env={**env, "CASETRAIL_PASSPHRASE": "wrong horse battery"}))
    assert line == "error: store is locked: the passphrase does not open it (a wrong passphrase or key file)"
    line = one_line_error(ct(home, "documents", env={"CASETRAIL_PASSPHRASE": None}))  # the run's key file
    assert "its key is a passphrase" in line


def test_init_without_a_key_refuses_and_a_key_file_in_the_home_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    line = one_line_error(ct(home, "init", env={"CASETRAIL_KEY_FILE": None}))
    assert "no key for the new store" in line and "--plaintext" in line and "--new-key-file" in line
    assert not home.exists() or not any(home.iterdir())
    line = one_line_error(ct(home, "init", "--new-key-file", home / "keys" / "store.kek"))
    assert "inside the store's home" in line
    made = ct(home, "init", "--new-key-file", tmp_path / "custody" / "store.kek", env={"CASETRAIL_KEY_FILE": None})
    assert made.returncode == 0 and "encrypted" in made.stdout
    assert not [
        p
        for p in home.rglob("*")
        if p.is_file() and p.read_bytes() == (tmp_path / "custody" / "store.kek").read_bytes()
    ]
    assert ct(home, "documents", env={"CASETRAIL_KEY_FILE": str(tmp_path / "custody" / "store.kek")}).returncode == 0


@pytest.mark.sqlite_only(reason="decrypts casetrail.db's SQLCipher pages")
def test_sealing_shreds_the_content_even_for_the_key_holder(tmp_path: Path) -> None:
    home = filled(tmp_path)
    keys = Home(home).unlock()
    assert keys is not None
    store = Home(home).open_store(readonly=True)
    sha = store.documents.get_document("D-000001")[0].sha256  # type: ignore[index]
    object_file = Home(home).objects(store).path(sha)
    store.close()
    before = tmp_path / "backup-before-seal"
    shutil.copytree(home, before)
    old_object = object_file.read_bytes()

    assert any(hits(page) for page in decrypted_pages(keys.db_key, home / "casetrail.db"))  # the check can fail
    holder = open_db(home)  # a long-lived reader (the workbench) keeps the WAL file in being
    holder.execute("SELECT count(*) FROM documents").fetchone()
    try:
        sealed = ct(home, "seal", "D-000001", "--reason", "court order", "--order", "Fictional Court 1/2026")
        assert sealed.returncode == 0, sealed.stderr
        # "Larkspur" is only in the text: the search index holds it as a lower-case term.
        assert not [p for p in decrypted_pages(keys.db_key, home / "casetrail.db") if b"larkspur" in p.lower()]
    finally:
        holder.close()
    assert ct(home, "verify").returncode == 0
    assert "sealed: content removed" in ct(home, "show", "D-000001", "--text").stdout
    # With the key, every page of the database and its WAL (free pages, old frames): no trace of the text.
    assert not [page for page in decrypted_pages(keys.db_key, home / "casetrail.db") if CANARY.encode() in page]
    assert not object_file.exists()
    # A copy of the object taken before the seal, put back beside the sealed store: its key is gone.
    object_file.parent.mkdir(parents=True, exist_ok=True)
    object_file.write_bytes(old_object)
    store = Home(home).open_store(readonly=True)
    assert Home(home).objects(store).get(sha) is None and store.data_keys.data_key(sha) is None
    store.close()
    object_file.unlink()
    # What a backup taken before the seal still allows, with the key: everything (README, "The store").
    assert CANARY in ct(before, "show", "D-000001", "--text").stdout


def test_rotation_rewraps_and_is_a_ledger_event(tmp_path: Path) -> None:
    home = filled(tmp_path)
    old_ring = (home / "keys" / "keyring.json").read_text()
    new_file = tmp_path / "custody" / "new.kek"
    rotated = ct(home, "keys", "rotate", "--new-key-file", new_file, "--actor", "dpo")
    assert rotated.returncode == 0, rotated.stderr
    assert "2 data keys re-wrapped" in rotated.stdout
    new_env = {"CASETRAIL_KEY_FILE": str(new_file)}
    assert CANARY in ct(home, "show", "D-000001", "--text", env=new_env).stdout
    assert ct(home, "verify", env=new_env).returncode == 0
    line = one_line_error(ct(home, "documents"))  # the old key file no longer opens it
    assert "store is locked" in line and "does not open" in line
    keys = Home(home, key_source=KeyFileSource(new_file)).unlock()
    assert keys is not None
    ring = json.loads((home / "keys" / "keyring.json").read_text())
    assert [w["kek_id"] for w in ring["wraps"]] == [keys.kek_id] and old_ring != json.dumps(ring)
    store = Home(home, key_source=KeyFileSource(new_file)).open_store(readonly=True)
    assert {kek for _, kek, _ in store.data_keys.iter_data_keys()} == {keys.kek_id}
    events = [json.loads(data) for _, data in store.ledger.iter_entries()]
    store.close()
    rotation = [e for e in events if e["type"] == "keys.rotated"]
    assert len(rotation) == 1 and rotation[0]["actor"] == "dpo" and rotation[0]["body"]["to"] == keys.kek_id
    assert rotation[0]["body"]["data_keys"] == 2 and new_file.read_text().strip() not in json.dumps(rotation)


def test_a_plaintext_store_still_opens(tmp_path: Path) -> None:
    """A store made before encryption (no keyring) opens as it always did, and says it is plaintext."""
    home = filled(tmp_path, "--plaintext", env={"CASETRAIL_KEY_FILE": None})
    assert not (home / "keys" / "keyring.json").exists()
    assert CANARY in ct(home, "show", "D-000001", "--text").stdout  # a key in the environment is not needed
    assert ct(home, "verify").returncode == 0
    assert "PLAINTEXT" in ct(home, "keys", "status").stdout


class FakeTransit:
    """Vault's transit engine, as hvac calls it, without a server: a key it never shows."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.aead, self.calls = AESGCM(AESGCM.generate_key(256)), 0

    def encrypt_data(self, name: str, plaintext: str) -> dict[str, dict[str, str]]:
        import base64
        import os

        nonce = os.urandom(12)
        self.calls += 1
        return {
            "data": {
                "ciphertext": "vault:v1:"
                + base64.b64encode(nonce + self.aead.encrypt(nonce, plaintext.encode(), name.encode())).decode()
            }
        }

    def decrypt_data(self, name: str, ciphertext: str) -> dict[str, dict[str, str]]:
        import base64

        raw = base64.b64decode(ciphertext.removeprefix("vault:v1:"))
        self.calls += 1
        return {"data": {"plaintext": self.aead.decrypt(raw[:12], raw[12:], name.encode()).decode()}}


class FakeVault:
    def __init__(self) -> None:
        self.secrets = type("Secrets", (), {"transit": FakeTransit()})()


def test_a_vault_key_source_round_trips_without_a_server(tmp_path: Path) -> None:
    vault = FakeVault()
    ring = Keyring(tmp_path / "keyring.json")
    made = ring.create(VaultTransitSource("casetrail-kek", client=vault))
    assert made.kek.hex() not in ring.path.read_text()
    opened = ring.unlock(VaultTransitSource("casetrail-kek", client=vault))
    assert opened.db_key == made.db_key and vault.secrets.transit.calls == 2
    with pytest.raises(Exception, match="store is locked"):
        ring.unlock(VaultTransitSource("casetrail-kek", client=FakeVault()))
    with pytest.raises(Exception, match="its key is a vault-transit"):
        ring.unlock(PassphraseSource("anything"))
