"""The newest checkpoint the log has signed, kept outside the database (HOME/checkpoint.latest).

A signed checkpoint proves the log once held that many entries with that root. Kept in the
database alone it would roll back with the database: a restored old copy, a lost or truncated
WAL, a swapped file. Kept beside it, the next open notices that the database is behind (or on
another branch) and refuses to write to it. It does not help against someone who deletes both;
for that, checkpoints kept elsewhere (`verify --against`) do.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from casetrail.errors import CasetrailError, LedgerError, RollbackError
from casetrail.ledger.checkpoint import (
    Checkpoint,
    NoteVerifier,
    open_checkpoint,
    split_note,
)


class LatestCheckpoint:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            raise LedgerError(f"{self.path} cannot be read ({err}); restore it from your backup") from None

    def open(self, verifier: NoteVerifier) -> Checkpoint | None:
        note = self.read()
        if note is None:
            return None
        try:
            return open_checkpoint(note, verifier)
        except CasetrailError as err:
            raise LedgerError(
                f"{self.path} does not verify with the log's key ({err}): it was altered or belongs to another log; "
                "restore it from your backup, and run `casetrail verify`"
            ) from None

    def record(self, size: int, note: str) -> None:
        """Keep `note` if it is newer than the one kept. Called after the commit, so a failure
        here loses nothing: the file is then only behind, which is never taken for a rollback."""
        try:
            self._record(size, note)
        except OSError:
            pass  # a full disk or a read-only copy: the database is still the record

    def _record(self, size: int, note: str) -> None:
        # Two processes commit in one order and may get here in the other: the lock on the
        # folder and the size check keep the file from ever going backwards.
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            if _size_of(self.read_quietly()) >= size:
                return
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(note)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            os.fsync(folder)
        finally:
            os.close(folder)  # releases the lock

    def read_quietly(self) -> str | None:
        try:
            return self.read()
        except LedgerError:
            return None


def _size_of(note: str | None) -> int:
    if note is None:
        return -1
    try:
        return Checkpoint.parse(split_note(note)[0]).size
    except CasetrailError:
        return -1  # damaged: replace it with a good one


def check_not_behind(checkpoint: Checkpoint, size: int, root_at_size: bytes | None, where: str, what: str) -> None:
    """Raise RollbackError if a store of `size` leaves (root `root_at_size` at the checkpoint's
    size, None when the store is smaller) cannot be the log that signed `checkpoint`."""
    if checkpoint.size > size:
        raise RollbackError(
            f"{where} is behind {what}: it holds {size} log entries, but the log signed a checkpoint at "
            f"{checkpoint.size}. The database was rolled back, truncated (a lost WAL) or replaced by an older copy, "
            "and acknowledged records are missing: do not write to it; restore the newest backup and run `casetrail verify`"
        )
    if root_at_size != checkpoint.root:
        raise RollbackError(
            f"{where} has forked from {what}: its first {checkpoint.size} entries hash to a different root than the "
            "log signed. The log was rewritten: do not write to it; restore the newest backup and run `casetrail verify`"
        )
