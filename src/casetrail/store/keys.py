"""Key custody: where the store's key-encryption key (KEK) comes from, and what it wraps.

    KEK  (never in the home directory: a passphrase, a key file kept elsewhere, or a KMS/Vault)
     ├── database key   SQLCipher's page key: the whole database, its WAL and its FTS index
     ├── name key       HMAC key naming object files, so a file name is never a content hash
     └── data keys      one AES-256-GCM key per document's original bytes (rows in the database)

The database and name keys are wrapped in HOME/keys/keyring.json: wrapped keys only, useless
without the KEK. Data keys are wrapped in the encrypted database, one row per document, so
sealing a document deletes its key and its bytes are noise in every copy made afterwards.

During a rotation the keyring holds one wrap per KEK (old and new); a finished rotation leaves
one. A KEK is told apart by `kek_id`, an HMAC under the KEK that reveals nothing about it.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casetrail.errors import KeyCustodyError, StoreLocked

KEY_BYTES = 32
NONCE_BYTES = 12
KEYRING_FORMAT = "casetrail-keyring/1"
KEY_FILE_PREFIX = "casetrail-kek-v1 "
ENV_KEY_FILE = "CASETRAIL_KEY_FILE"
ENV_PASSPHRASE = "CASETRAIL_PASSPHRASE"
ENV_VAULT_KEY = "CASETRAIL_VAULT_KEY"
HOW_TO_UNLOCK = (
    f"set {ENV_KEY_FILE} to the store's key file, or {ENV_PASSPHRASE} to its passphrase "
    f"(or run on a terminal to be asked), or {ENV_VAULT_KEY} to its Vault transit key"
)


# -- wrapping --------------------------------------------------------------------------------


def wrap(kek: bytes, key: bytes, label: bytes) -> bytes:
    """nonce || AES-256-GCM(kek, key), bound to `label` so a wrap cannot be moved to another use."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, key, label)


def unwrap(kek: bytes, blob: bytes, label: bytes) -> bytes:
    """Raises cryptography's InvalidTag on a wrong key, a wrong label or a changed byte."""
    return AESGCM(kek).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], label)


def kek_id(kek: bytes) -> str:
    return hmac.new(kek, b"casetrail kek id", hashlib.sha256).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- sources ---------------------------------------------------------------------------------


class KeySource(Protocol):
    """Where a KEK comes from. A deployment adds its own (a cloud KMS, an HSM) by filling this in:
    `create` makes a fresh KEK and says what to keep beside the wrapped keys to get it back (never
    the KEK itself); `derive` gets it back from that."""

    kind: str

    def create(self) -> tuple[bytes, dict[str, Any]]: ...

    def derive(self, params: Mapping[str, Any]) -> bytes: ...

    def describe(self) -> str: ...


# Argon2id derivations already made in this process: the workbench opens the store more than once.
_DERIVED: dict[tuple[bytes, bytes, int, int, int], bytes] = {}


@dataclass
class PassphraseSource:
    """A passphrase stretched by Argon2id (RFC 9106's second recommended setting, 64 MiB)."""

    passphrase: str = field(repr=False)
    time_cost: int = 3
    memory_kib: int = 64 * 1024
    lanes: int = 1
    kind: str = "passphrase"

    def create(self) -> tuple[bytes, dict[str, Any]]:
        params = {
            "kdf": "argon2id",
            "salt": _b64(os.urandom(16)),
            "t": self.time_cost,
            "m": self.memory_kib,
            "p": self.lanes,
        }
        return self.derive(params), params

    def derive(self, params: Mapping[str, Any]) -> bytes:
        from argon2.low_level import Type, hash_secret_raw

        secret = self.passphrase.encode("utf-8")
        salt = base64.b64decode(params["salt"])
        t, m, p = int(params["t"]), int(params["m"]), int(params["p"])
        memo = (hashlib.sha256(secret).digest(), salt, t, m, p)
        if memo not in _DERIVED:
            _DERIVED[memo] = hash_secret_raw(secret, salt, t, m, p, KEY_BYTES, Type.ID)
        return _DERIVED[memo]

    def describe(self) -> str:
        return "passphrase"


@dataclass
class KeyFileSource:
    """A key file kept away from the home directory (a removable disk, a secrets mount)."""

    path: Path
    kind: str = "key-file"

    def create(self) -> tuple[bytes, dict[str, Any]]:
        return self.derive({}), {}

    def derive(self, params: Mapping[str, Any]) -> bytes:
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            raise StoreLocked(
                f"store is locked: the key file {self.path} is missing; restore it from where keys are kept"
            ) from None
        except (OSError, UnicodeDecodeError) as err:
            raise KeyCustodyError(
                f"{self.path}: the key file cannot be read ({getattr(err, 'strerror', None) or err})"
            ) from None
        try:
            key = base64.b64decode(text.removeprefix(KEY_FILE_PREFIX), validate=True)
        except ValueError:
            key = b""
        if not text.startswith(KEY_FILE_PREFIX) or len(key) != KEY_BYTES:
            raise KeyCustodyError(
                f"{self.path} is not a casetrail key file (one line: {KEY_FILE_PREFIX.strip()} and 32 bytes in base64); "
                "`casetrail init --new-key-file PATH` makes one"
            )
        return key

    def describe(self) -> str:
        return f"key file {self.path}"


def generate_key_file(path: Path) -> KeyFileSource:
    """A new random KEK in a new file (O_EXCL: an existing key file is never overwritten), mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyCustodyError(f"{path} already exists: a key file is never overwritten; name a new file") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(KEY_FILE_PREFIX + _b64(os.urandom(KEY_BYTES)) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return KeyFileSource(path)


@dataclass
class VaultTransitSource:
    """HashiCorp Vault's transit engine holds the root of trust: a fresh KEK is encrypted by Vault,
    and only Vault's ciphertext is kept in the keyring. `client` is an `hvac.Client` (the optional
    `vault` extra); by default one is made from VAULT_ADDR and VAULT_TOKEN."""

    key_name: str
    client: Any = field(default=None, repr=False)
    kind: str = "vault-transit"

    def _transit(self) -> Any:
        if self.client is None:
            try:
                import hvac  # type: ignore[import-not-found]
            except ImportError:
                raise KeyCustodyError("the Vault key source needs hvac: pip install 'casetrail[vault]'") from None
            self.client = hvac.Client(url=os.environ.get("VAULT_ADDR"), token=os.environ.get("VAULT_TOKEN"))
        return self.client.secrets.transit

    def create(self) -> tuple[bytes, dict[str, Any]]:
        kek = os.urandom(KEY_BYTES)
        answer = self._transit().encrypt_data(name=self.key_name, plaintext=_b64(kek))
        return kek, {"vault_key": self.key_name, "ciphertext": answer["data"]["ciphertext"]}

    def derive(self, params: Mapping[str, Any]) -> bytes:
        transit = self._transit()
        try:
            answer = transit.decrypt_data(name=params["vault_key"], ciphertext=params["ciphertext"])
            return base64.b64decode(answer["data"]["plaintext"])
        except Exception as err:  # hvac's errors, a network failure, a wrong Vault: all mean locked
            raise StoreLocked(f"store is locked: Vault did not unwrap its key ({type(err).__name__}: {err})") from None

    def describe(self) -> str:
        return f"Vault transit key {self.key_name}"


def source_from_env(home_root: Path, confirm: bool = False, env: Mapping[str, str] | None = None) -> KeySource | None:
    """The KEK source the environment names, else a passphrase asked on a terminal, else None.
    `confirm`: ask twice (a new passphrase)."""
    env = os.environ if env is None else env
    if env.get(ENV_KEY_FILE):
        return checked_key_file(Path(env[ENV_KEY_FILE]), home_root)
    if env.get(ENV_PASSPHRASE):
        return PassphraseSource(env[ENV_PASSPHRASE])
    if env.get(ENV_VAULT_KEY):
        return VaultTransitSource(env[ENV_VAULT_KEY])
    if sys.stdin.isatty():
        return PassphraseSource(ask_passphrase(f"passphrase for {home_root}", confirm))
    return None


def ask_passphrase(prompt: str, confirm: bool) -> str:
    first = getpass.getpass(f"{prompt}: ")
    if not first:
        raise KeyCustodyError("an empty passphrase protects nothing")
    if confirm and getpass.getpass("again: ") != first:
        raise KeyCustodyError("the two passphrases differ; nothing was changed")
    return first


def checked_key_file(path: Path, home_root: Path) -> KeyFileSource:
    """Refuse a key file inside the home: a copy of the home would carry its own key."""
    where = path.expanduser().resolve()
    if where.is_relative_to(home_root.resolve()):
        raise KeyCustodyError(
            f"{path} is inside the store's home {home_root}: the key must be kept elsewhere "
            "(a copy of the home would carry its own key); move it and point CASETRAIL_KEY_FILE there"
        )
    return KeyFileSource(where)


# -- the keyring -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Wrap:
    """The store's database and name keys wrapped under one KEK, and how to get that KEK back."""

    kek_id: str
    kind: str
    params: dict[str, Any]
    db_key: bytes
    name_key: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "kek_id": self.kek_id,
            "kind": self.kind,
            "params": self.params,
            "db_key": _b64(self.db_key),
            "name_key": _b64(self.name_key),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Wrap:
        return cls(
            raw["kek_id"],
            raw["kind"],
            dict(raw.get("params") or {}),
            base64.b64decode(raw["db_key"]),
            base64.b64decode(raw["name_key"]),
        )


@dataclass(frozen=True)
class StoreKeys:
    """An unlocked store's keys, in this process's memory only."""

    kek: bytes = field(repr=False)
    kek_id: str
    db_key: bytes = field(repr=False)
    name_key: bytes = field(repr=False)

    def object_name(self, sha256: str) -> str:
        """An object's file name: an HMAC, so a copy of objects/ cannot confirm a known document."""
        return hmac.new(self.name_key, sha256.encode("ascii"), hashlib.sha256).hexdigest()

    def wrap_data_key(self, data_key: bytes, sha256: str) -> bytes:
        return wrap(self.kek, data_key, b"casetrail data key " + sha256.encode("ascii"))

    def unwrap_data_key(self, blob: bytes, sha256: str) -> bytes:
        return unwrap(self.kek, blob, b"casetrail data key " + sha256.encode("ascii"))

    def sqlcipher_key(self) -> str:
        """The PRAGMA key value: a raw key, so SQLCipher skips its own PBKDF2 (the KEK is stretched already)."""
        return f"x'{self.db_key.hex()}'"


class Keyring:
    """HOME/keys/keyring.json: the wrapped database and name keys (nothing secret without the KEK)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def wraps(self) -> list[Wrap]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if raw.get("format") != KEYRING_FORMAT:
                raise ValueError(f"format {raw.get('format')!r}")
            return [Wrap.from_json(item) for item in raw["wraps"]]
        except FileNotFoundError:
            raise StoreLocked(f"store is locked: {self.path} is missing; restore it from your backup") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            raise KeyCustodyError(f"{self.path} is damaged ({err}): restore it from your backup") from None

    def write(self, wraps: list[Wrap]) -> None:
        """Atomically: a crash leaves the old keyring or the new one, never half of either."""
        body = json.dumps({"format": KEYRING_FORMAT, "wraps": [w.to_json() for w in wraps]}, indent=2) + "\n"
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def create(self, source: KeySource) -> StoreKeys:
        """New random database and name keys, wrapped under a fresh KEK from `source`."""
        kek, params = source.create()
        keys = StoreKeys(kek, kek_id(kek), os.urandom(KEY_BYTES), os.urandom(KEY_BYTES))
        self.write([_wrap_under(keys, source.kind, params)])
        return keys

    def unlock(self, source: KeySource) -> StoreKeys:
        wraps = self.wraps()
        mine = [w for w in wraps if w.kind == source.kind]
        if not mine:
            kinds = " or ".join(sorted({w.kind for w in wraps}))
            raise StoreLocked(
                f"store is locked: its key is a {kinds}, and a {source.describe()} was given; {HOW_TO_UNLOCK}"
            )
        for candidate in mine:
            keys = _try(candidate, source)
            if keys is not None:
                return keys
        raise StoreLocked(f"store is locked: the {source.describe()} does not open it (a wrong passphrase or key file)")

    def add(self, keys: StoreKeys, source: KeySource) -> StoreKeys:
        """A rotation's first step: the same database and name keys, also wrapped under a new KEK."""
        kek, params = source.create()
        new = StoreKeys(kek, kek_id(kek), keys.db_key, keys.name_key)
        kept = [w for w in self.wraps() if w.kek_id != new.kek_id]
        self.write([*kept, _wrap_under(new, source.kind, params)])
        return new

    def keep_only(self, kek_id_: str) -> None:
        """A rotation's last step: the old KEK's wrap goes."""
        self.write([w for w in self.wraps() if w.kek_id == kek_id_])


def _wrap_under(keys: StoreKeys, kind: str, params: dict[str, Any]) -> Wrap:
    label = keys.kek_id.encode("ascii")
    return Wrap(
        keys.kek_id,
        kind,
        params,
        wrap(keys.kek, keys.db_key, b"casetrail db key " + label),
        wrap(keys.kek, keys.name_key, b"casetrail name key " + label),
    )


def _try(candidate: Wrap, source: KeySource) -> StoreKeys | None:
    kek = source.derive(candidate.params)
    if not hmac.compare_digest(kek_id(kek), candidate.kek_id):
        return None
    label = candidate.kek_id.encode("ascii")
    try:
        db_key = unwrap(kek, candidate.db_key, b"casetrail db key " + label)
        name_key = unwrap(kek, candidate.name_key, b"casetrail name key " + label)
    except InvalidTag:
        return None
    return StoreKeys(kek, candidate.kek_id, db_key, name_key)


__all__ = [
    "ENV_KEY_FILE",
    "ENV_PASSPHRASE",
    "ENV_VAULT_KEY",
    "HOW_TO_UNLOCK",
    "KeyFileSource",
    "KeySource",
    "Keyring",
    "PassphraseSource",
    "StoreKeys",
    "VaultTransitSource",
    "generate_key_file",
    "source_from_env",
]
