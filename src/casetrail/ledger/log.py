"""The append-only log over the store: batched durable appends, checkpoints, proofs, receipts.

An append is one store transaction holding the leaf data, every new perfect-subtree hash,
whatever rows the caller writes alongside (`also`), and the signed checkpoint of the new tree.
Nothing is acknowledged before that transaction commits.

A log opened without its signing key (an auditor's copy, a lost key) reads, proves and issues
receipts against the checkpoints already signed; only appending needs the key. Given a
`LatestCheckpoint`, every commit also keeps its checkpoint outside the database, and
`check_latest` refuses a database that is behind it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from casetrail.errors import LedgerError, SigningKeyError
from casetrail.ledger.checkpoint import Checkpoint, NoteSigner, NoteVerifier
from casetrail.ledger.latest import LatestCheckpoint, check_not_behind
from casetrail.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    hash_range,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    nodes_needed,
    perfect_nodes,
)
from casetrail.ledger.receipt import Receipt
from casetrail.ledger.storage import LedgerStorage


@dataclass(frozen=True)
class Commit:
    """A durable batch: the leaf indices it assigned and the checkpoint that covers them."""

    indices: list[int]
    size: int
    checkpoint: str


class Log:
    def __init__(
        self,
        store: LedgerStorage,
        signer: NoteSigner | None,
        verifier: NoteVerifier | None = None,
        latest: LatestCheckpoint | None = None,
        no_signer: str = "this log was opened without its signing key; nothing can be appended",
    ) -> None:
        self.store = store
        self._signer = signer
        self.verifier = verifier or (signer.verifier() if signer is not None else None)
        if self.verifier is None:
            raise LedgerError("a log needs its signing key or its verifier key")
        self.origin = self.verifier.name
        self.latest = latest
        self._no_signer = no_signer
        self._range = self._load_range()
        self._stale = False
        self._lock = threading.Lock()  # one connection: appends from several threads take turns

    @property
    def signer(self) -> NoteSigner:
        """The signing key; SigningKeyError (saying what to do) when the log was opened without it."""
        if self._signer is None:
            raise SigningKeyError(self._no_signer)
        return self._signer

    @property
    def can_sign(self) -> bool:
        return self._signer is not None

    def verifier_key(self) -> str:
        return self.verifier.to_text()

    def check_latest(self) -> None:
        """Refuse a store that is behind, or off, the newest checkpoint kept outside it."""
        if self.latest is None:
            return
        checkpoint = self.latest.open(self.verifier)
        if checkpoint is None:
            return
        size = self.size
        root = self.root_at(checkpoint.size) if checkpoint.size <= size else None
        check_not_behind(checkpoint, size, root, str(self.store.path), str(self.latest.path))

    def _load_range(self) -> CompactRange:
        size = self.store.ledger_size()
        keys = CompactRange.peaks_for(size)
        nodes = self.store.get_nodes(keys)
        missing = [key for key in keys if key not in nodes]
        if missing:
            raise LedgerError(f"the store lacks tree nodes {missing}; run `casetrail verify`")
        return CompactRange(size, [nodes[key] for key in keys])

    @property
    def size(self) -> int:
        # Another process (or another Log on the same store) may have appended: one small read.
        if self._stale or self.store.ledger_size() != self._range.size:
            self._range, self._stale = self._load_range(), False
        return self._range.size

    def append(self, leaves: Sequence[bytes], also: Callable[[list[int]], None] | None = None) -> Commit:
        """Append leaves in one durable commit; `also(indices)` writes the caller's rows in it."""
        if not leaves:
            raise LedgerError("nothing to append")
        with self._lock:
            return self._append_locked(leaves, also)

    def _append_locked(self, leaves: Sequence[bytes], also: Callable[[list[int]], None] | None) -> Commit:
        if self._signer is None:  # before any work: say so, and what to do, at once
            raise SigningKeyError(self._no_signer)
        try:
            with self.store.transaction():
                if self._stale or self.store.ledger_size() != self._range.size:
                    self._range = self._load_range()  # another process appended meanwhile
                    self._stale = False
                start = self._range.size
                nodes: list[tuple[int, int, bytes]] = []
                for leaf in leaves:
                    nodes.extend(self._range.append(leaf_hash(leaf)))
                indices = list(range(start, start + len(leaves)))
                self.store.add_entries(zip(indices, leaves))
                self.store.add_nodes(nodes)
                if also is not None:
                    also(indices)
                note = self.signer.sign(Checkpoint(self.origin, self._range.size, self._range.root()).body())
                self.store.add_checkpoint(self._range.size, note)
                if self.latest is not None:
                    size, latest = self._range.size, self.latest
                    self.store.after_commit(lambda: latest.record(size, note))
        except BaseException:
            # The transaction (perhaps an outer one) rolls back, so the tree edge must be reread,
            # but only once that rollback has happened: mark it stale rather than reading now.
            self._stale = True
            raise
        return Commit(indices, self._range.size, note)

    def latest_checkpoint(self) -> tuple[int, str]:
        latest = self.store.latest_checkpoint()
        if latest is None:
            if not self.can_sign:
                raise LedgerError("the log is empty and has no checkpoint yet")
            return 0, self.signer.sign(Checkpoint(self.origin, 0, self._range.root()).body())
        return latest

    def root_at(self, size: int) -> bytes:
        """The root of the tree's first `size` leaves, from stored subtree hashes."""
        if not 0 <= size <= self.size:
            raise LedgerError(f"no tree of size {size} (log size {self.size})")
        return hash_range(0, size, self.store.get_nodes(perfect_nodes(0, size))) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        if not 0 <= index < size <= self.size:
            raise LedgerError(f"no leaf {index} in a tree of size {size} (log size {self.size})")
        return inclusion_proof(index, size, self.store.get_nodes)

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        if not 0 <= size1 <= size2 <= self.size:
            raise LedgerError(f"sizes must satisfy 0 <= {size1} <= {size2} <= {self.size}")
        return consistency_proof(size1, size2, self.store.get_nodes)

    def receipt(self, index: int, size: int | None = None, document_id: str | None = None) -> Receipt:
        """A receipt for one leaf against the checkpoint at `size` (default: the latest)."""
        if size is None:
            size, note = self.latest_checkpoint()
        else:
            stored = self.store.checkpoint_at(size)
            if stored is None:
                raise LedgerError(f"no checkpoint was signed at size {size}")
            note = stored
        entry = self.store.get_entry(index)
        if entry is None:
            raise LedgerError(f"no leaf {index} in the log")
        return Receipt(
            origin=self.origin,
            leaf_index=index,
            tree_size=size,
            leaf_hash=leaf_hash(entry),
            inclusion_proof=self.inclusion_proof(index, size),
            checkpoint=note,
            entry=entry,
            document_id=document_id,
            verifier_key=self.verifier_key(),
        )

    def commit_receipts(self, commit: Commit, leaves: Sequence[bytes], names: Sequence[str | None]) -> list[Receipt]:
        """Receipts for the first leaves a commit appended (`leaves`, in order), against its own
        checkpoint: the leaves and the note are the caller's, and every proof's nodes are read in one
        fetch rather than one per leaf (a round trip each, on a database server)."""
        size = commit.size
        indices = commit.indices[: len(leaves)]
        nodes = self.store.get_nodes(sorted({n for i in indices for n in nodes_needed(inclusion_ranges(i, size))}))

        def fetch(keys: Iterable[tuple[int, int]]) -> Mapping[tuple[int, int], bytes]:
            missing = [key for key in keys if key not in nodes]
            if missing:
                raise LedgerError(f"the tree's node {missing[0]} is missing from the store")
            return nodes

        return [
            Receipt(
                origin=self.origin,
                leaf_index=index,
                tree_size=size,
                leaf_hash=leaf_hash(leaf),
                inclusion_proof=inclusion_proof(index, size, fetch),
                checkpoint=commit.checkpoint,
                entry=leaf,
                document_id=name,
                verifier_key=self.verifier_key(),
            )
            for index, leaf, name in zip(indices, leaves, names)
        ]


class Appender:
    """Tessera-style batching: many callers submit, one writer commits batches.

    Use one Appender per Log, shared by every submitting thread.

    `submit` returns a future that resolves to the leaf index only after the batch holding it
    is durable; a failed batch fails every future in it and leaves the log unchanged.
    """

    def __init__(self, log: Log, max_batch: int = 1024, max_wait: float = 0.01) -> None:
        self.log = log
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._queue: queue.Queue[tuple[bytes, Future[int]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="casetrail-appender", daemon=True)
        self._thread.start()

    def submit(self, leaf: bytes) -> Future[int]:
        future: Future[int] = Future()
        self._queue.put((leaf, future))
        return future

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def __enter__(self) -> Appender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self.max_wait
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            try:
                commit = self.log.append([leaf for leaf, _ in batch])
            except BaseException as err:  # every caller in the batch learns of the failure
                for _, future in batch:
                    future.set_exception(err)
                continue
            for (_, future), index in zip(batch, commit.indices):
                future.set_result(index)
