"""A casetrail home directory: the database, the object store, the log's keys and settings.

    HOME/
      casetrail.db        SQLite (WAL); SQLCipher-encrypted unless made with --plaintext
      objects/            original bytes, one file per document (encrypted, HMAC-named)
      keys/keyring.json   the database and name keys, wrapped by the key-encryption key (KEK)
      keys/log.key        Ed25519 signer key (C2SP note format), mode 0600
      keys/log.vkey       the matching verifier key
      config.json         origin and intake limits
      checkpoint.latest   the newest checkpoint the log has signed, kept outside the database

On PostgreSQL (issue 14) there is no casetrail.db: config.json's "database" names the server's
database (a postgresql:// URL without its password), or CASETRAIL_DATABASE_URL does; everything
else stays here, objects encrypted as on SQLite, their data keys in the database's `data_keys`.
The password comes from CASETRAIL_DATABASE_URL, PGPASSWORD or ~/.pgpass; casetrail never writes one.

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
from types import ModuleType
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from casetrail.store.postgres import PostgresStore

# A postgresql:// URL puts the store on PostgreSQL (psycopg is imported only then).
ENV_DATABASE_URL = "CASETRAIL_DATABASE_URL"

# Settings read by more than one layer; each must have this JSON type when present.
_WHOLE = "a positive whole number"
_FIELDS: dict[str, tuple[str, str]] = {
    "origin": ("text", "a line of text (the log's name)"),
    "database": ("text", "a postgresql:// URL without its password (the store's database on PostgreSQL)"),
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
    # The database URL `init --database` was given, password and all, for this process only.
    database: str | None = field(default=None, repr=False, compare=False)
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

    def database_url(self) -> str | None:
        """The PostgreSQL database holding the store, or None for SQLite (casetrail.db here).

        CASETRAIL_DATABASE_URL (which may carry the password) or config.json's "database" (which
        never does); when both are set they must name the same database. A home with a casetrail.db
        is a SQLite store, and the variable is refused there rather than silently ignored."""
        if self.database is not None:
            return self.database
        given = os.environ.get(ENV_DATABASE_URL) or None
        if given is None:
            return self._recorded_database()
        postgres = _postgres()
        problem = postgres.url_problem(given)
        if problem:
            raise SettingsError(f"{ENV_DATABASE_URL}: {problem}")
        if self.db_path.exists():
            raise SettingsError(
                f"{ENV_DATABASE_URL} is set, but {self.root} keeps its database in {self.db_path.name} (SQLite): "
                f"unset {ENV_DATABASE_URL} to use this store"
            )
        try:
            recorded = self._recorded_database()
        except SettingsError:
            # A broken config.json is reported by whatever needs its settings; the database is the
            # one named here, and opening it checks that it holds this home's log.
            return given
        if recorded is not None and not postgres.same_database(given, recorded):
            raise SettingsError(
                f"{ENV_DATABASE_URL} names {postgres.redacted(given)}, but {self.root}'s database is {recorded} "
                f"(config.json): unset {ENV_DATABASE_URL}, or set it to that database"
            )
        return given

    def use_database(self, url: str) -> None:
        """`init --database URL`: the new store on PostgreSQL; the URL is checked now, and `create`
        records it without its password."""
        postgres = _postgres()
        problem = postgres.url_problem(url)
        if problem:
            raise SettingsError(problem)
        given = os.environ.get(ENV_DATABASE_URL)
        if given and not postgres.same_database(given, url):
            raise SettingsError(
                f"{ENV_DATABASE_URL} names {postgres.redacted(given)}, not {postgres.redacted(url)}: "
                f"unset it, or give --database the same database"
            )
        self.database = url

    def _recorded_database(self) -> str | None:
        if self.db_path.exists() or not self.config_path.exists():
            return None
        recorded = self.config().get("database")
        if recorded is None:
            return None
        problem = _postgres().url_problem(recorded)
        if problem:
            raise SettingsError(f'{self.config_path}: field "database": {problem}')
        return str(recorded)

    def exists(self) -> bool:
        if self.db_path.exists():
            return True
        try:
            return self.config_path.exists() and self.database_url() is not None
        except SettingsError:
            return False  # `require` says what is wrong, where a command reports it in one line

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
        url = self.database_url() if present else None
        if url is not None:
            raise StoreError(
                f"{self.config_path} is missing, but {', '.join(present)} are here: restore it from your backup, "
                f"or write {self._minimal_config(_postgres().without_password(url))} there "
                "(do not run init here: it would start a different log)"
            )
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
        url = self.database_url()
        # On PostgreSQL the database is checked (and migrated) before any file is written here.
        database = _new_postgres(url, verifier_key) if url is not None else None
        try:
            if url is not None:
                config = {**config, "database": _postgres().without_password(url)}
            (self.root / "keys").mkdir(parents=True, exist_ok=True)
            (self.root / "objects").mkdir(exist_ok=True)
            _write_new(self.signer_path, signer_key + "\n", 0o600)
            _write_new(self.verifier_path, verifier_key + "\n", 0o644)
            _write_new(self.config_path, json.dumps(config, indent=2) + "\n", 0o644)
            if source is not None:
                self._keys = self.keyring.create(source)
                self.key_source = source
        finally:
            if database is not None:
                database.close()
        if database is None:
            SqliteStore(self.db_path, key=self.sqlcipher_key()).close()

    def writable(self) -> bool:
        """Whether this process may write the database (and create its -wal and -shm files); on
        PostgreSQL, the server decides."""
        if self.database_url() is not None:
            return True
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

    def _minimal_config(self, database: str | None = None) -> str:
        """The smallest config.json that works here; on PostgreSQL it names the database too."""
        origin = "ORIGIN (the name before the first + in keys/log.vkey)"
        try:
            origin = self.verifier_path.read_text().strip().split("+", 1)[0] or origin
        except OSError:
            pass
        named = os.environ.get(ENV_DATABASE_URL)
        if database is None and named and not self.db_path.exists() and not _postgres().url_problem(named):
            database = _postgres().without_password(named)
        return json.dumps({"origin": origin, **({"database": database} if database else {}), "limits": {}})

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

    def open_store(self, readonly: bool | None = None) -> SqliteStore | PostgresStore:
        """The database; read-only when asked, or when this process cannot write it (a read-only copy).
        On PostgreSQL: the server's database, with no SQLCipher key (the server encrypts its storage)."""
        self.require()
        url = self.database_url()
        if url is not None:
            return self._open_postgres(url, bool(readonly))
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

    def _open_postgres(self, url: str, readonly: bool) -> PostgresStore:
        """The server's database, refused if it holds another home's log (a config pointing elsewhere)."""
        store = _postgres().PostgresStore(url, readonly=readonly)
        try:
            held = store.log_of()
            ours = self._logs_of_the_keys()
            # Neither key is the held log's: another home's database. A key that is damaged or
            # replaced (not a pair) is not that, and the register or `verify` says which it is.
            if held is not None and ours and _log_name(held) not in ours:
                raise StoreError(
                    f"{store.path} holds the log {held.split('+', 1)[0]}, not this home's ({ours[0].split('+', 1)[0]}): "
                    f"{self.config_path.name} or {ENV_DATABASE_URL} names the wrong database"
                )
        except BaseException:
            store.close()
            raise
        return store

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

    def _logs_of_the_keys(self) -> list[str]:
        """The logs ("name+key id") that keys/log.vkey and keys/log.key are for, each when readable;
        none when both are missing (`verify --key` and the checkpoints still decide)."""
        found = []
        for read, prefix in ((self.verifier_key, ""), (self.signer_key, "PRIVATE+KEY+")):
            try:
                text = read()
            except (SettingsError, SigningKeyError):
                continue
            if text.startswith(prefix) and text.count("+") >= 2 + prefix.count("+"):
                found.append(_log_name(text.removeprefix(prefix)))
        return found

    def objects(self, store: SqliteStore | PostgresStore | None = None) -> ObjectStore:
        """The object store; an encrypted one needs the open database, where the data keys are."""
        keys = self.unlock()
        if keys is None:
            return ObjectStore(self.root / "objects")
        if store is None:
            raise StoreLocked(f"store is locked: the objects of {self.root} are read through its database")
        return ObjectStore(self.root / "objects", keys, store.data_keys)


def _postgres() -> ModuleType:
    """casetrail.store.postgres, imported only for a store on PostgreSQL (psycopg is an extra)."""
    try:
        from casetrail.store import postgres
    except ImportError as missing:
        raise StoreError(
            f"this store is on PostgreSQL, and psycopg is not installed ({missing}): pip install 'casetrail[postgres]'"
        ) from None
    return postgres


def _new_postgres(url: str, verifier_key: str) -> PostgresStore:
    """The database for a new store on PostgreSQL, migrated and claimed for the new log; refused
    if it already holds one."""
    postgres = _postgres()
    problem = postgres.url_problem(url)
    if problem:
        raise SettingsError(problem)
    store = postgres.PostgresStore(url)
    try:
        store.claim(verifier_key)
    except BaseException:
        store.close()
        raise
    return store


def _log_name(key: str) -> str:
    """A verifier key's "name+key id" (its first two fields), which names the log it verifies."""
    return "+".join(key.split("+", 2)[:2])


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
