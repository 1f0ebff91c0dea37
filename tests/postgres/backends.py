"""The ledger's two stores, named so a test (or a process it starts) can open another connection."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casetrail.ledger.checkpoint import NoteSigner
from casetrail.ledger.log import Log
from casetrail.store.postgres import PostgresLedgerStore
from casetrail.store.sqlite import SqliteStore


@dataclass(frozen=True)
class Backend:
    name: str  # "sqlite" or "postgres"
    location: str  # a database file, or a postgresql:// URL

    def open(self) -> SqliteStore | PostgresLedgerStore:
        if self.name == "sqlite":
            return SqliteStore(Path(self.location))
        return PostgresLedgerStore(self.location)


def append_one_by_one(backend: Backend, signer_key: str, worker: int, count: int) -> list[tuple[bytes, int, int, str]]:
    """What one writer process does: `count` appends of one leaf each, on its own connection.
    Returns (leaf, index, tree size, checkpoint) of every acknowledged append."""
    store = backend.open()
    log = Log(store.ledger, NoteSigner.from_text(signer_key))  # until Log takes a LedgerStorage
    acknowledged = []
    for n in range(count):
        leaf = f"writer {worker} leaf {n}".encode()
        commit = log.append([leaf])
        acknowledged.append((leaf, commit.indices[0], commit.size, commit.checkpoint))
    store.close()
    return acknowledged


def writer_process(backend: Backend, signer_key: str, worker: int, count: int, barrier: Any, results: Any) -> None:
    """A process's body: open, wait until every writer is ready (so their appends overlap), append.
    Puts (worker, (start time, end time, acknowledged appends)), or (worker, traceback)."""
    try:
        store = backend.open()
        store.close()  # connect and migrate before the barrier: the race is over appends, not startup
        barrier.wait(timeout=120)
        started = time.time()
        acknowledged = append_one_by_one(backend, signer_key, worker, count)
        results.put((worker, (started, time.time(), acknowledged)))
    except BaseException:
        barrier.abort()  # the other writers fail at once instead of waiting out the timeout
        results.put((worker, traceback.format_exc()))
