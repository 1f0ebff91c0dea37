"""A casetrail home directory: the database, the object store, the log's keys and settings.

    HOME/
      casetrail.db        SQLite (WAL); SQLCipher-encrypted unless made with --plaintext
      objects/            original bytes, one file per document (encrypted, HMAC-named)
      keys/keyring.json   the database and name keys, wrapped by the key-encryption key (KEK)
      keys/log.key        Ed25519 signer key (C2SP note format), mode 0600
      keys/log.vkey       the matching verifier key
      config.json         origin and intake limits
      checkpoint.latest   the newest checkpoint the log has signed, kept outside the database

Only the database is needed to read a store, and the verifier key to verify it: an auditor
handed a copy without the signing key can check everything. Writing needs the signing key.
The KEK is never here: it comes from a passphrase, a key file kept elsewhere or a KMS/Vault
(store/keys.py), so a copy of this directory, or a backup of it, reveals nothing without it.
Every problem with these files is reported as one line naming the file, the field and the fix.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casetrail.errors import (
    DiskFull,
    KeyCustodyError,
    SettingsError,
    SigningKeyError,
    StoreError,
    StoreLocked,
)
from casetrail.store.keys import (
    HOW_TO_UNLOCK,
    Keyring,
    KeySource,
    StoreKeys,
    source_from_env,
)
from casetrail.store.objects import ObjectStore
from casetrail.store.sqlite import SqliteStore

# Settings read by more than one layer; each must have this JSON type when present.
_WHOLE = "a positive whole number"
_FIELDS: dict[str, tuple[str, str]] = {
    "origin": ("text", "a line of text (the log's name)"),
    "spacy_model": ("text", "the name of an installed spaCy pipeline package"),
    "limits": ("object", 'an object of limits, e.g. {"max_bytes": 52428800}'),
    "repeat_subject_threshold": ("whole", _WHOLE),
    "intelligence_action_days": ("whole", _WHOLE),
    "case_link_max_sharing": ("whole", _WHOLE),
    "account_proposal_min_score": ("fraction", "a number from 0 to 1"),
    "allegation_categories": ("list", 'a list of {"code": ..., "label": ...} objects'),
}


NO_KEY_FOR_INIT = (
    "no key for the new store: set CASETRAIL_KEY_FILE to a key file kept outside the home "
    "(`init --new-key-file PATH` makes one), or CASETRAIL_PASSPHRASE, or CASETRAIL_VAULT_KEY, or run on a "
    "terminal to choose a passphrase; `init --plaintext` makes an unencrypted store, unsafe for real material"
)


@dataclass
class Home:
    root: Path
    # Where the KEK comes from; None: the environment (CASETRAIL_KEY_FILE, ...) or a terminal prompt.
    key_source: KeySource | None = field(default=None, repr=False, compare=False)
    # `create` makes an unencrypted store: only when asked (init --plaintext), never by default.
    plaintext: bool = field(default=False, compare=False)
    _keys: StoreKeys | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def db_path(self) -> Path:
        return self.root / "casetrail.db"

    @property
    def signer_path(self) -> Path:
        return self.root / "keys" / "log.key"

    @property
    def verifier_path(self) -> Path:
        return self.root / "keys" / "log.vkey"

    @property
    def config_path(self) -> Path:
        return self.root / "config.json"

    @property
    def checkpoint_path(self) -> Path:
        return self.root / "checkpoint.latest"

    @property
    def keyring(self) -> Keyring:
        return Keyring(self.root / "keys" / "keyring.json")

    def encrypted(self) -> bool:
        """An encrypted store has a keyring; a store without one predates encryption or opted out."""
        return self.keyring.exists()

    def unlock(self) -> StoreKeys | None:
        """The store's keys (derived once per Home), or None for a plaintext store."""
        if not self.encrypted():
            return None
        if self._keys is None:
            source = self.key_source or source_from_env(self.root)
            if source is None:
                raise StoreLocked(f"store is locked: {self.root} is encrypted; {HOW_TO_UNLOCK}")
            self._keys = self.keyring.unlock(source)
        return self._keys

    def sqlcipher_key(self) -> str | None:
        keys = self.unlock()
        return keys.sqlcipher_key() if keys is not None else None

    def exists(self) -> bool:
        return self.db_path.exists()

    def parts(self) -> list[str]:
        """Which of a store's files are here (any one of them means: not a place for `init`)."""
        paths = (
            self.db_path,
            self.signer_path,
            self.verifier_path,
            self.config_path,
            self.checkpoint_path,
            self.root / "objects",
            self.keyring.path,
        )
        return [str(p.relative_to(self.root)) for p in paths if p.exists()]

    def require(self) -> None:
        if self.exists():
            return
        present = self.parts()
        if present:
            raise StoreError(
                f"{self.db_path} is missing, but {', '.join(present)} are here: restore the database from your "
                "backup (do not run init here: it would start a different log)"
            )
        raise StoreError(f"{self.root}: no casetrail store here; run `casetrail --home {self.root} init` first")

    def create(self, config: dict[str, Any], signer_key: str, verifier_key: str) -> None:
        """A new store. Refused if any part of one is here: init never replaces keys or settings."""
        present = self.parts()
        if present:
            raise StoreError(
                f"{self.root} already holds a casetrail store ({', '.join(present)}); init never replaces one. "
                "Restore a missing part from your backup, or give --home an empty directory for a new log"
            )
        source = None if self.plaintext else self.key_source or source_from_env(self.root, confirm=True)
        if source is None and not self.plaintext:
            raise KeyCustodyError(NO_KEY_FOR_INIT)
        (self.root / "keys").mkdir(parents=True, exist_ok=True)
        (self.root / "objects").mkdir(exist_ok=True)
        _write_new(self.signer_path, signer_key + "\n", 0o600)
        _write_new(self.verifier_path, verifier_key + "\n", 0o644)
        _write_new(self.config_path, json.dumps(config, indent=2) + "\n", 0o644)
        if source is not None:
            self._keys = self.keyring.create(source)
            self.key_source = source
        SqliteStore(self.db_path, key=self.sqlcipher_key()).close()

    def writable(self) -> bool:
        """Whether this process may write the database (and create its -wal and -shm files)."""
        return os.access(self.root, os.W_OK) and os.access(self.db_path, os.W_OK)

    # -- settings -------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """config.json, checked: a bad field is reported with its name and the fix."""
        path = self.config_path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SettingsError(
                f"{path} is missing: restore it from your backup, or write {self._minimal_config()} there"
            ) from None
        except (OSError, UnicodeDecodeError) as err:
            raise SettingsError(f"{path} cannot be read ({_why(err)}): restore it from your backup") from None
        if not text.strip():
            raise SettingsError(
                f"{path} is empty: restore it from your backup, or write {self._minimal_config()} there"
            )
        try:
            config = json.loads(text)
        except json.JSONDecodeError as err:
            raise SettingsError(
                f"{path} is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno}): "
                f"correct it, or restore it from your backup (the smallest valid one is {self._minimal_config()})"
            ) from None
        if not isinstance(config, dict):
            raise SettingsError(
                f"{path} must hold a JSON object: correct it, or restore it from your backup (the smallest valid one is "
                f"{self._minimal_config()})"
            )
        for name, value in config.items():
            _check_field(path, name, value)
        return config

    def _minimal_config(self) -> str:
        origin = "ORIGIN (the name before the first + in keys/log.vkey)"
        try:
            origin = self.verifier_path.read_text().strip().split("+", 1)[0] or origin
        except OSError:
            pass
        return json.dumps({"origin": origin, "limits": {}})

    def signer_key(self) -> str:
        try:
            return self.signer_path.read_text().strip()
        except FileNotFoundError:
            raise SigningKeyError(self.lost_signer("is missing")) from None
        except (OSError, UnicodeDecodeError) as err:
            raise SigningKeyError(self.lost_signer(f"cannot be read ({_why(err)})")) from None

    def lost_signer(self, what: str) -> str:
        return (
            f"{self.signer_path} {what}: without the log's signing key this store can be read and verified "
            f"(verify needs only {self.verifier_path.name}) but nothing can be added. Restore the key from your "
            "backup; if it is lost for good, freeze this log (keep it and its checkpoints as they are) and start a new "
            "one in an empty directory with `casetrail --home NEWDIR init`, noting there the old log's final checkpoint"
        )

    def verifier_key(self) -> str:
        try:
            text = self.verifier_path.read_text().strip()
        except FileNotFoundError:
            raise SettingsError(
                f"{self.verifier_path} is missing: restore it from your backup or from the verifier_key of any "
                f"receipt, or pass the key with --key; while {self.signer_path.name} is present, "
                f"`casetrail --home {self.root} log key > {self.verifier_path}` recreates it"
            ) from None
        except (OSError, UnicodeDecodeError) as err:
            raise SettingsError(
                f"{self.verifier_path} cannot be read ({_why(err)}): restore it from your backup"
            ) from None
        if not text:
            raise SettingsError(
                f"{self.verifier_path} is empty: restore it from your backup, or pass the key with --key"
            )
        return text

    # -- opening --------------------------------------------------------------------------

    def open_store(self, readonly: bool | None = None) -> SqliteStore:
        """The database; read-only when asked, or when this process cannot write it (a read-only copy)."""
        self.require()
        key = self.sqlcipher_key()
        try:
            return self._open_database(readonly, key)
        except StoreLocked as locked:
            if key is not None:
                raise
            raise StoreLocked(
                f"{locked}: if it is an encrypted store, {self.keyring.path.relative_to(self.root)} is missing here; "
                "copy it from the store or its backup (it holds only wrapped keys) and give the key"
            ) from None

    def _open_database(self, readonly: bool | None, key: str | None) -> SqliteStore:
        if readonly is not None:
            return SqliteStore(self.db_path, readonly=readonly, key=key)
        if not self.writable():
            return SqliteStore(self.db_path, readonly=True, key=key)
        try:
            return SqliteStore(self.db_path, key=key)
        except DiskFull as full:
            # Reading needs no room: open for reading, and let a write say why it cannot happen.
            return SqliteStore(self.db_path, readonly=True, refusal=str(full), key=key)

    def objects(self, store: SqliteStore | None = None) -> ObjectStore:
        """The object store; an encrypted one needs the open database, where the data keys are."""
        keys = self.unlock()
        if keys is None:
            return ObjectStore(self.root / "objects")
        if store is None:
            raise StoreLocked(f"store is locked: the objects of {self.root} are read through its database")
        return ObjectStore(self.root / "objects", keys, store)


def _write_new(path: Path, text: str, mode: int) -> None:
    """Create a file that must not exist yet (O_EXCL: two inits racing cannot both write keys)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _why(err: Exception) -> str:
    return err.strerror if isinstance(err, OSError) and err.strerror else str(err)


def _check_field(path: Path, name: str, value: Any) -> None:
    if name not in _FIELDS:
        return  # a setting another version added: not ours to refuse
    kind, wanted = _FIELDS[name]
    if kind == "object" and isinstance(value, dict):
        for key, limit in value.items():
            _check_whole(path, f"{name}.{key}", limit)
        return
    ok = {
        "text": isinstance(value, str) and bool(value.strip()),
        "whole": _is_whole(value),
        "fraction": isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1,
        "list": isinstance(value, list),
        "object": False,
    }[kind]
    if not ok:
        raise SettingsError(
            f'{path}: field "{name}" must be {wanted}, not {json.dumps(value)}: correct it, or remove it to use the default'
        )


def _check_whole(path: Path, field: str, value: Any) -> None:
    if not _is_whole(value):
        raise SettingsError(
            f'{path}: field "{field}" must be {_WHOLE}, not {json.dumps(value)}: correct it, or remove it to use the default'
        )


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
