"""Content-addressed storage of original bytes: objects/ab/cdef... named by SHA-256.

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

from casetrail.errors import DiskFull, StoreError

_TMP = re.compile(r"\.[0-9a-f]{62}\.(\d+)\.tmp")
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


class ObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists():
            return sha
        try:
            self._write(target, data)
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
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def remove(self, sha256: str) -> None:
        """Only sealing calls this: the ledger keeps the hash, the bytes go."""
        self.path(sha256).unlink(missing_ok=True)

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
        """Every complete object's SHA-256 (from its name)."""
        for folder in self._folders():
            for entry in os.scandir(folder):
                if not entry.name.startswith(".") and entry.is_file():
                    yield folder.name + entry.name

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
