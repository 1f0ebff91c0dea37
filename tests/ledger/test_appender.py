"""The Tessera-style appender: many callers, batched durable commits, acknowledged after commit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from casetrail.ledger.checkpoint import NoteSigner, open_checkpoint
from casetrail.ledger.log import Appender, Log
from casetrail.ledger.merkle import leaf_hash, root_of, verify_inclusion
from casetrail.store.sqlite import SqliteStore


@pytest.fixture
def log(tmp_path: Path) -> Log:
    return Log(SqliteStore(tmp_path / "log.db").ledger, NoteSigner.generate("test.example/appender"))


def test_concurrent_submitters_get_unique_durable_indices(log: Log, tmp_path: Path) -> None:
    results: dict[bytes, int] = {}
    lock = threading.Lock()

    def submit(appender: Appender, worker: int) -> None:
        futures = {f"w{worker}-{n}".encode(): appender.submit(f"w{worker}-{n}".encode()) for n in range(300)}
        for leaf, future in futures.items():
            with lock:
                results[leaf] = future.result(timeout=30)

    with Appender(log, max_batch=64, max_wait=0.002) as appender:
        threads = [threading.Thread(target=submit, args=(appender, w)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results.values()) == list(range(1200))
    # what was acknowledged is what a fresh reader of the database finds
    reader = SqliteStore(tmp_path / "log.db")
    entries = dict(reader.ledger.iter_entries())
    assert all(entries[index] == leaf for leaf, index in results.items())
    size, note = reader.ledger.latest_checkpoint()  # type: ignore[misc]
    checkpoint = open_checkpoint(note, log.signer.verifier())
    assert size == 1200 and checkpoint.root == root_of([leaf_hash(entries[i]) for i in range(1200)])
    verify_inclusion(leaf_hash(entries[7]), 7, 1200, log.inclusion_proof(7, 1200), checkpoint.root)


def test_a_failed_batch_fails_its_callers_and_changes_nothing(log: Log) -> None:
    with Appender(log) as appender:
        appender.submit(b"first").result(timeout=10)
    before = log.store.latest_checkpoint()

    def broken(_: list[int]) -> None:
        raise RuntimeError("disk full (simulated)")

    with pytest.raises(RuntimeError):
        log.append([b"second", b"third"], also=broken)
    assert log.store.latest_checkpoint() == before and log.store.ledger_size() == 1
    with Appender(log) as appender:
        assert appender.submit(b"fourth").result(timeout=10) == 1  # the tree edge was reread
