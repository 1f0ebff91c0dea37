"""Where plaintext may briefly live: memory-backed scratch space, never the disk.

The store is encrypted at rest, but some steps need content as a plain file for a moment: an
upload handed to the register by path, a .doc handed to antiword, DuckDB spilling a linkage run
that outgrew its memory. Written to the system temporary directory, those files sit on disk: a
crash leaves them behind, and even once deleted they can be read back from freed blocks. Here
they go to a RAM-backed tmpfs instead, so they never reach a disk, a crash leaves nothing on one,
and a reboot clears them.

The scratch folder is `CASETRAIL_SCRATCH` when set (it must be an existing, writable directory:
point it at a tmpfs, or an encrypted volume), else `/dev/shm` (Linux's memory-backed tmpfs) when
it is there and writable, else none. With none, callers fall back to the system temporary
directory: that fallback is the one gap in protection at rest, so set `CASETRAIL_SCRATCH` on a
system without `/dev/shm`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from casetrail.errors import StoreError

SCRATCH_ENV = "CASETRAIL_SCRATCH"
SHM = Path("/dev/shm")


def scratch_dir() -> Path | None:
    """The memory-backed folder for brief plaintext, or None (the system temporary directory)."""
    configured = os.environ.get(SCRATCH_ENV, "")
    if configured:
        path = Path(configured)
        if not path.is_dir():
            raise StoreError(
                f"{SCRATCH_ENV}={configured} is not an existing directory; point it at a tmpfs, or unset it"
            )
        if not os.access(path, os.W_OK | os.X_OK):
            raise StoreError(
                f"{SCRATCH_ENV}={configured} is not writable by this user; point it at a tmpfs, or unset it"
            )
        return path
    if SHM.is_dir() and os.access(SHM, os.W_OK | os.X_OK):
        return SHM
    return None


@contextmanager
def scratch_directory(prefix: str) -> Iterator[Path]:
    """A private folder (mode 0700, as mkdtemp makes it) under `scratch_dir()`, removed on leaving."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=scratch_dir()) as folder:
        yield Path(folder)


__all__ = ["SCRATCH_ENV", "scratch_dir", "scratch_directory"]
