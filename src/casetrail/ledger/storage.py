"""What the Log needs from a store, and nothing more (issue 14).

`Log` (ledger/log.py) calls exactly these; SqliteStore and PostgresLedgerStore both provide them.
The contract a backend must keep, beyond the signatures:

- `transaction()` is one durable commit: it returns only after COMMIT is durable, and nested uses
  join the outermost one. While it is open no other writer, on any connection or in any process,
  can add entries: the Log reads `ledger_size()` inside it and numbers the new leaves from there,
  so two writers never take the same index and no index is skipped.
- `after_commit(action)` runs `action` once the outermost transaction has committed, never after
  a rollback (the Log keeps its newest checkpoint outside the store this way).
- Entries, nodes and opened events are only ever inserted, never changed; a checkpoint at a size replaces one at
  the same size (re-signing the same tree).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, runtime_checkable

Node = tuple[int, int]  # (level, index), as in ledger/merkle.py


@runtime_checkable
class LedgerStorage(Protocol):
    @property
    def path(self) -> Path | str:
        """Where the store is, for messages (a file, or a database URL without its password)."""
        ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def after_commit(self, action: Callable[[], None]) -> None: ...

    def ledger_size(self) -> int:
        """The number of leaves: one more than the highest index (indices have no gaps)."""
        ...

    def add_entries(self, rows: Iterable[tuple[int, bytes]]) -> None: ...

    def add_nodes(self, rows: Iterable[tuple[int, int, bytes]]) -> None: ...

    def get_nodes(self, keys: Iterable[Node]) -> dict[Node, bytes]:
        """The stored perfect-subtree hashes among `keys`; missing ones are left out."""
        ...

    def get_entry(self, idx: int) -> bytes | None: ...

    def add_opened_events(self, rows: Iterable[tuple[int, bytes, bytes]]) -> None:
        """(leaf index, salt, event as recorded) of events whose leaves are commitments (issue 12);
        written in the transaction that appends them."""
        ...

    def opened_event(self, leaf_index: int) -> tuple[bytes, bytes] | None:
        """(salt, event as recorded) of a committed event; None for a leaf logged in clear."""
        ...

    def add_checkpoint(self, size: int, note: str) -> None: ...

    def latest_checkpoint(self) -> tuple[int, str] | None: ...

    def checkpoint_at(self, size: int) -> str | None: ...
