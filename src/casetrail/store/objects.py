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
and `ingest` to clear. A batch (`put_many`) reads and makes its data keys in a few statements,
not a few per object, and fsyncs its files and their folders together.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casetrail.errors import DiskFull, KeyCustodyError, StoreError
from casetrail.store.data_keys import DataKeyRow
from casetrail.store.keys import KEY_BYTES, NONCE_BYTES, StoreKeys

_TMP = re.compile(r"\.[0-9a-f]{62}\.(\d+)\.tmp")
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)
MAGIC = b"CTOBJ1\0"  # an encrypted object: MAGIC, nonce, AES-256-GCM ciphertext and tag
_SYNCS_IN_FLIGHT = 16  # fsyncs at once: the file system commits those waiting together


class DataKeyTable(Protocol):
    """Where data keys are kept (the encrypted database: SqliteStore)."""

    def data_key(self, sha256: str) -> DataKeyRow | None: ...

    def data_keys(self, shas: Iterable[str]) -> dict[str, DataKeyRow]: ...

    def add_data_keys(self, rows: Sequence[tuple[str, str, str, bytes]]) -> None: ...

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
        return self.put_many([data])[0]

    def put_many(self, datas: Sequence[bytes]) -> list[str]:
        """Store each one's bytes (repeats once), every file durable on return: the SHA-256s, in order."""
        shas = [hashlib.sha256(data).hexdigest() for data in datas]
        unique = dict(zip(shas, datas))
        data_keys, made = self._batch_keys(list(unique))
        files: dict[Path, bytes] = {}
        for sha, data in unique.items():
            target = self.path(sha)
            if sha in made or not target.exists():
                files[target] = _seal(data_keys[sha], sha, data) if self.encrypted else data
        try:
            _write_all(files)
        except _Failed as failed:
            raise self._write_error(failed.path, failed.error) from failed.error
        return shas

    def _batch_keys(self, shas: list[str]) -> tuple[dict[str, bytes], set[str]]:
        """Each hash's unwrapped data key, and the hashes whose key this call made.

        The keys first (their own small commit), before any file: two writers with the same bytes
        then share one key, so whichever file lands last still opens. A key made afresh means any
        file already there was written under a key that was lost (a crash before its commit): write
        it again. The re-read after adding gives the key that stood where another writer came first."""
        if self.keys is None or self.table is None or not shas:
            return {}, set()
        rows = self.table.data_keys(shas)
        made = [sha for sha in shas if sha not in rows]
        if made:
            self.table.add_data_keys([self._fresh_key(sha) for sha in made])
            rows.update(self.table.data_keys(made))
        lost = [sha for sha in shas if sha not in rows]
        if lost:  # sealed by another writer between our add and our read: never write it in clear
            raise StoreError(
                f"the data key of object {self.name(lost[0])} was destroyed as it was made (sealed meanwhile): "
                "run the command again"
            )
        return {sha: self._unwrap(sha, rows[sha]) for sha in shas}, set(made)

    def _fresh_key(self, sha256: str) -> tuple[str, str, str, bytes]:
        assert self.keys is not None
        wrapped = self.keys.wrap_data_key(os.urandom(KEY_BYTES), sha256)
        return sha256, self.keys.object_name(sha256), self.keys.kek_id, wrapped

    def _write_error(self, path: Path, err: OSError) -> StoreError:
        if err.errno in _NO_ROOM:
            return DiskFull(
                f"the disk holding {self.root} is full: nothing in this step was recorded; "
                "free some space and run the command again (what was recorded before is safe)"
            )
        return StoreError(f"{path}: cannot write the original bytes: {err.strerror or err}")

    def get(self, sha256: str) -> bytes | None:
        """The original bytes; None when absent, or when its data key is gone (sealed: shredded).
        Bytes that fail authentication come back as they are, so a hash check names the record."""
        try:
            blob = self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None
        if self.table is None:
            return blob
        row = self.table.data_key(sha256)
        if row is None:
            return None
        return _open(self._unwrap(sha256, row), sha256, blob)

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

    def _unwrap(self, sha256: str, row: DataKeyRow) -> bytes:
        """The data key of a row of the data-key table, checked against the store's KEK."""
        assert self.keys is not None
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


class _Failed(Exception):
    """An OSError met writing `path` (a batch's file or folder)."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(path, error)
        self.path = path
        self.error = error


def _write_all(files: dict[Path, bytes]) -> None:
    """Each file to its temporary, fsynced (several at once), renamed into place, then each folder
    fsynced once: all durable on return. On a failure no temporary file of the batch is left."""
    folders = {target.parent for target in files}
    for folder in folders:
        if not folder.is_dir():  # a look, not a failing mkdir that locks the parent folder
            _at(folder, lambda path: path.mkdir(parents=True, exist_ok=True))
    try:
        _each(lambda target: _write_synced(_temporary(target), files[target]), files)
        for target in files:
            _at(target, lambda path: os.replace(_temporary(path), path))
    except BaseException:
        for target in files:
            with contextlib.suppress(OSError):
                _temporary(target).unlink(missing_ok=True)  # no partial file left for someone to wonder about
        raise
    _each(_sync_folder, folders)  # the renames durable


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _each(action: Callable[[Path], None], paths: Collection[Path]) -> None:
    """`action` on every path, a few at once (fsync releases the GIL); when all are done, the first
    failure is raised."""
    if len(paths) <= 1:
        for path in paths:
            _at(path, action)
        return
    futures = [_pool().submit(_at, path, action) for path in paths]
    wait(futures)  # all finished before any failure is raised: none still writing during the cleanup
    for future in futures:
        future.result()


_POOL: tuple[int, ThreadPoolExecutor] | None = None


def _pool() -> ThreadPoolExecutor:
    """The process's writer threads, started once (not per batch); a forked child makes its own,
    since it inherits the pool but not its threads."""
    global _POOL
    if _POOL is None or _POOL[0] != os.getpid():
        _POOL = (os.getpid(), ThreadPoolExecutor(_SYNCS_IN_FLIGHT, thread_name_prefix="casetrail-fsync"))
    return _POOL[1]


def _at(path: Path, action: Callable[[Path], None]) -> None:
    try:
        action(path)
    except OSError as err:
        raise _Failed(path, err) from err


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
