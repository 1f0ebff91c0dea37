"""Ledger benchmarks: durable appends, inclusion proofs and full verification.

Speeds are printed next to raw hashlib.sha256 throughput measured in the same run, since
these machines are noisy. Usage: python bench/ledger.py [--entries 1000000] [--appends 100000]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from pathlib import Path

from casetrail.ledger.checkpoint import NoteSigner, NoteVerifier
from casetrail.ledger.log import Appender, Log
from casetrail.ledger.verification import verify_store
from casetrail.model.event import Event, EventType
from casetrail.store.objects import ObjectStore
from casetrail.store.sqlite import SqliteStore


def record(n: int) -> bytes:
    """A ~1 KB decision event, the size the issue asks about."""
    body = {"note": ("fictional decision text " * 44)[:990]}
    return Event(EventType.DECISION_RECORDED, f"X-{n}", "2026-01-01T00:00:00Z", "bench", body).to_leaf()


def hash_rate(records: list[bytes], seconds: float = 1.0) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for data in records:
            hashlib.sha256(data).digest()
        done += len(records)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=100_000)
    args = parser.parse_args()
    records = [record(n) for n in range(1000)]
    sha_1k = hash_rate(records)
    sha_node = hash_rate([bytes(65)] * 1000)
    print(f"baseline: sha256 of 1 KB records {sha_1k:,.0f}/s; of 65-byte nodes {sha_node:,.0f}/s")

    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "a.db")
        log = Log(store, NoteSigner.generate("bench.example/appends"))
        start = time.perf_counter()
        with Appender(log, max_batch=2048, max_wait=0.005) as appender:
            futures = [appender.submit(records[n % 1000]) for n in range(args.appends)]
            for future in futures:
                future.result()
        seconds = time.perf_counter() - start
        rate = args.appends / seconds
        print(
            f"durable appends: {rate:,.0f}/s of 1 KB records ({args.appends} via Appender, "
            f"synchronous=FULL) = {rate / sha_1k:.4f} x sha256-1KB rate (target >= 10,000/s)"
        )
        store.close()

    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "b.db")
        signer = NoteSigner.generate("bench.example/verify")
        log = Log(store, signer)
        start = time.perf_counter()
        batch = 10_000
        for offset in range(0, args.entries, batch):
            log.append([records[(offset + n) % 1000] for n in range(min(batch, args.entries - offset))])
        build = time.perf_counter() - start
        print(
            f"built a {args.entries:,}-entry log in {build:.1f}s ({args.entries / build:,.0f} appends/s in 10k batches)"
        )

        rng = random.Random(1)
        picks = [rng.randrange(args.entries) for _ in range(2000)]
        start = time.perf_counter()
        for index in picks:
            log.inclusion_proof(index, args.entries)
        per_proof = (time.perf_counter() - start) / len(picks)
        print(
            f"inclusion proof at {args.entries:,} entries: {per_proof * 1000:.3f} ms "
            f"(= {per_proof * sha_node:,.0f} node-hash times; target < 1 ms)"
        )

        start = time.perf_counter()
        report = verify_store(store, ObjectStore(Path(tmp) / "objects"), NoteVerifier.from_text(signer.verifier_key()))
        seconds = time.perf_counter() - start
        assert report.ok, report.problems[:5]
        print(
            f"verify {args.entries:,} entries: {seconds:.1f}s "
            f"(hashing floor for {2 * args.entries:,} hashes: {2 * args.entries / sha_node:.1f}s; "
            f"ratio {seconds / (2 * args.entries / sha_node):.1f}x; target < 30 s)"
        )
        store.close()


if __name__ == "__main__":
    main()
