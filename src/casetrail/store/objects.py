"""Content-addressed storage of original bytes: objects/ab/cdef... named by SHA-256.

Files rather than database rows so that evidence stays inspectable with ordinary tools and a
large PDF never bloats the database. Writes are atomic and fsynced before the database commit
that refers to them, so a crash can leave an orphan object but never a dangling reference.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


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
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return sha

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
