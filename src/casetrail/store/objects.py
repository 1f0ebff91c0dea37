"""Content-addressed storage of original bytes: objects/ab/cdef..., one file per document.

In an encrypted store (issue 12) each file is AES-256-GCM under the document's own data key
(wrapped by the KEK in the database's `data_keys`), and is named by an HMAC of the SHA-256 under
the store's name key: a copy of objects/ can neither be read nor confirm that it holds a known
document. The SHA-256 itself is kept only inside the encrypted database. Sealing destroys the
data key, so the bytes stay noise in any copy made afterwards. In a plaintext store (made before
encryption, or with `init --plaintext`) files are the bytes themselves, named by SHA-256.

Files rather than database rows so that evidence stays inspectable with ordinary tools and a
large PDF never bloats the database. Writes are atomic and fsynced before the database commit
that refers to them, so a crash can leave an orphan object but never a dangling reference.

A write goes to `.NAME.PID.tmp` first. A failed write removes its own temporary file; a killed
process cannot, so `leftovers()` finds those of processes that are gone, for `verify` to list
and `ingest` to clear.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casetrail.errors import DiskFull, KeyCustodyError, StoreError
from casetrail.store.keys import KEY_BYTES, NONCE_BYTES, StoreKeys

_TMP = re.compile(r"\.[0-9a-f]{62}\.(\d+)\.tmp")
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)
MAGIC = b"CTOBJ1\0"  # an encrypted object: MAGIC, nonce, AES-256-GCM ciphertext and tag


class DataKeyTable(Protocol):
    """Where data keys are kept (the encrypted database: SqliteStore)."""

    def data_key(self, sha256: str) -> tuple[str, str, bytes] | None: ...

    def add_data_key(self, sha256: str, name: str, kek_id: str, wrapped: bytes) -> None: ...

    def destroy_data_key(self, sha256: str) -> None: ...

    def object_names(self) -> dict[str, str]: ...


class ObjectStore:
    def __init__(self, root: Path, keys: StoreKeys | None = None, table: DataKeyTable | None = None) -> None:
        """`keys` and `table` together make an encrypted object store; neither, a plaintext one."""
        if (keys is None) != (table is None):
            raise ValueError("an encrypted object store needs both the store's keys and its data-key table")
        self.root = root
        self.keys = keys
        self.table = table

    @property
    def encrypted(self) -> bool:
        return self.keys is not None

    def name(self, sha256: str) -> str:
        return self.keys.object_name(sha256) if self.keys is not None else sha256

    def path(self, sha256: str) -> Path:
        name = self.name(sha256)
        return self.root / name[:2] / name[2:]

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        # The key first (its own small commit): two writers with the same bytes then share one key,
        # so whichever file lands last still opens. A key made afresh means any file already
        # there was written under a key that was lost (a crash before its commit): write it again.
        held = self.table.data_key(sha) if self.encrypted and self.table is not None else None
        made = self.encrypted and self.table is not None and held is None
        data_key = self._data_key(sha, create=True, held=(held,)) if self.encrypted else None
        target = self.path(sha)
        if target.exists() and not made:
            return sha
        try:
            self._write(target, _seal(data_key, sha, data) if data_key is not None else data)
        except OSError as err:
            if err.errno in _NO_ROOM:
                raise DiskFull(
                    f"the disk holding {self.root} is full: nothing in this step was recorded; "
                    "free some space and run the command again (what was recorded before is safe)"
                ) from err
            raise StoreError(f"{target}: cannot write the original bytes: {err.strerror or err}") from err
        return sha

    def _write(self, target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)  # no partial file left behind for someone to wonder about
            raise
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def get(self, sha256: str) -> bytes | None:
        """The original bytes; None when absent, or when its data key is gone (sealed: shredded).
        Bytes that fail authentication come back as they are, so a hash check names the record."""
        try:
            blob = self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None
        if not self.encrypted:
            return blob
        data_key = self._data_key(sha256, create=False)
        if data_key is None:
            return None
        return _open(data_key, sha256, blob)

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def shred(self, sha256: str) -> None:
        """Destroy the document's data key (inside the sealing transaction): from the commit on, the
        bytes are unreadable in every copy made afterwards, even one that still holds the file."""
        if self.table is not None:
            self.table.destroy_data_key(sha256)

    def remove(self, sha256: str) -> None:
        """Only sealing calls this: the ledger keeps the hash, the key and the bytes go."""
        self.shred(sha256)
        self.path(sha256).unlink(missing_ok=True)

    def _data_key(
        self, sha256: str, create: bool, held: tuple[tuple[str, str, bytes] | None] | None = None
    ) -> bytes | None:
        """The unwrapped data key (`held`: the row, or None, that the caller has just read)."""
        assert self.keys is not None and self.table is not None
        row = held[0] if held is not None else self.table.data_key(sha256)
        if row is None and create:
            fresh = self.keys.wrap_data_key(os.urandom(KEY_BYTES), sha256)
            self.table.add_data_key(sha256, self.keys.object_name(sha256), self.keys.kek_id, fresh)
            row = self.table.data_key(sha256)
        if row is None:
            return None
        _, kek_id, wrapped = row
        if kek_id != self.keys.kek_id:
            raise KeyCustodyError(
                f"the data key of an object is wrapped under key {kek_id}, not the key given ({self.keys.kek_id}): "
                "a key rotation was interrupted; run `casetrail keys rotate` again with the same keys"
            )
        try:
            return self.keys.unwrap_data_key(wrapped, sha256)
        except InvalidTag:
            raise StoreError(
                f"the data key of object {self.keys.object_name(sha256)} does not unwrap: the database was altered"
            ) from None

    def leftovers(self) -> list[Path]:
        """Partial writes by processes that no longer run (killed mid-write): safe to delete."""
        return [path for path, pid in self._temporaries() if not _running(pid)]

    def clear_leftovers(self) -> list[Path]:
        removed = []
        for path in self.leftovers():
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                continue  # read-only, or another process cleared it first
        return removed

    def iter_hashes(self) -> Iterator[str]:
        """Every complete object's SHA-256: its name, or (encrypted) what the data keys say the name
        stands for. A file no key names is yielded by its name, which matches no record."""
        names = self.table.object_names() if self.table is not None else {}
        for folder in self._folders():
            for entry in os.scandir(folder):
                if not entry.name.startswith(".") and entry.is_file():
                    name = folder.name + entry.name
                    yield names.get(name, name)

    def _temporaries(self) -> Iterator[tuple[Path, int]]:
        for folder in self._folders():
            for entry in os.scandir(folder):
                found = _TMP.fullmatch(entry.name)
                if found:
                    yield Path(entry.path), int(found.group(1))

    def _folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and len(p.name) == 2)


def _seal(data_key: bytes, sha256: str, data: bytes) -> bytes:
    """The content bound to its hash (the AAD): a file swapped for another document's fails to open."""
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(data_key).encrypt(nonce, data, sha256.encode("ascii"))


def _open(data_key: bytes, sha256: str, blob: bytes) -> bytes:
    if not blob.startswith(MAGIC):
        return blob
    start = len(MAGIC)
    try:
        return AESGCM(data_key).decrypt(
            blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :], sha256.encode("ascii")
        )
    except InvalidTag:
        return blob


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True
