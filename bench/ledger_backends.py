"""The ledger's append rate on SQLite (encrypted, the default) and on PostgreSQL, in the same run.

Three ways of appending ~1 KB records, each durable before it is acknowledged:
  - one writer, one leaf per commit (the latency of a commit, and the price of a signed checkpoint);
  - one writer batching through the Appender (how intake and casework append);
  - several writer processes on one log, one leaf per commit (the lock that keeps one tree).
PostgreSQL is a throwaway local cluster (tests/postgres_cluster.py) reached over loopback TCP with
fsync and synchronous_commit on; CASETRAIL_BENCH_DATABASE_URL names another (empty) database instead.
Usage: python bench/ledger_backends.py [--single 500] [--batched 20000] [--writers 4] [--each 200]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from casetrail.ledger.checkpoint import NoteSigner
from casetrail.ledger.log import Appender, Log
from casetrail.model.event import Event, EventType
from casetrail.store.postgres import PostgresLedgerStore
from casetrail.store.sqlite import SqliteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the throwaway cluster lives with the tests
from tests.postgres_cluster import throwaway_cluster  # noqa: E402

Opener = tuple[str, str, str | None]  # (backend, file or URL, SQLCipher key): picklable for processes


def record(n: int) -> bytes:
    """A ~1 KB decision event, as bench/ledger.py appends."""
    body = {"note": ("fictional decision text " * 44)[:990]}
    return Event(EventType.DECISION_RECORDED, f"X-{n}", "2026-01-01T00:00:00Z", "bench", body).to_leaf()


def open_store(opener: Opener) -> Any:
    kind, location, key = opener
    if kind == "sqlite":
        return SqliteStore(Path(location), key=key)
    return PostgresLedgerStore(location)


def single(opener: Opener, signer: NoteSigner, count: int) -> float:
    log = Log(open_store(opener).ledger, signer)
    start = time.perf_counter()
    for n in range(count):
        log.append([record(n)])
    return count / (time.perf_counter() - start)


def batched(opener: Opener, signer: NoteSigner, count: int) -> float:
    log = Log(open_store(opener).ledger, signer)
    records = [record(n) for n in range(1000)]
    start = time.perf_counter()
    with Appender(log, max_batch=2048, max_wait=0.005) as appender:
        futures = [appender.submit(records[n % 1000]) for n in range(count)]
        for future in futures:
            future.result()
    return count / (time.perf_counter() - start)


def _writer(opener: Opener, signer_key: str, count: int, barrier: Any, done: Any) -> None:
    log = Log(open_store(opener).ledger, NoteSigner.from_text(signer_key))
    barrier.wait(timeout=120)
    for n in range(count):
        log.append([record(n)])
    done.put(count)


def concurrent(opener: Opener, signer: NoteSigner, writers: int, each: int) -> float:
    open_store(opener).close()  # created and migrated before the writers race
    context = multiprocessing.get_context("spawn")
    barrier, done = context.Barrier(writers + 1), context.Queue()
    processes = [
        context.Process(target=_writer, args=(opener, signer.to_text(), each, barrier, done)) for _ in range(writers)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    start = time.perf_counter()
    total = sum(done.get(timeout=600) for _ in processes)
    seconds = time.perf_counter() - start
    for process in processes:
        process.join(30)
    store = open_store(opener)
    assert store.ledger.ledger_size() >= total, "writers' leaves are missing"
    return total / seconds


@contextlib.contextmanager
def postgres_databases() -> Iterator[Callable[[str], str]]:
    """Yields a function making a fresh database per measurement on the bench's server."""
    import psycopg

    given = os.environ.get("CASETRAIL_BENCH_DATABASE_URL")
    with contextlib.nullcontext(given) if given else throwaway_cluster() as url:

        def fresh(name: str) -> str:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "bench_{name}" WITH (FORCE)'.encode())
                admin.execute(f'CREATE DATABASE "bench_{name}"'.encode())
            return url.rsplit("/", 1)[0] + f"/bench_{name}"

        yield fresh


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=500)
    parser.add_argument("--batched", type=int, default=20_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--each", type=int, default=200)
    args = parser.parse_args()
    signer = NoteSigner.generate("bench.example/backends")
    key = f"x'{os.urandom(32).hex()}'"
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, postgres_databases() as fresh:
        openers: dict[str, Callable[[str], Opener]] = {
            "sqlite": lambda name: ("sqlite", str(Path(tmp) / f"{name}.db"), key),
            "postgres": lambda name: ("postgres", fresh(name), None),
        }
        for backend, make in openers.items():
            rows[backend] = {
                "single": single(make("single"), signer, args.single),
                "batched": batched(make("batched"), signer, args.batched),
                "concurrent": concurrent(make("concurrent"), signer, args.writers, args.each),
            }
    print("ledger appends of ~1 KB records, durable before acknowledged (same run, same machine)")
    print(f"{'':>10} {'1 leaf/commit':>16} {'Appender batches':>18} {f'{args.writers} processes':>14}")
    for backend, rates in rows.items():
        print(f"{backend:>10} {rates['single']:>12,.0f}/s {rates['batched']:>14,.0f}/s {rates['concurrent']:>10,.0f}/s")
    ratios = {name: rows["postgres"][name] / rows["sqlite"][name] for name in rows["sqlite"]}
    print("postgres/sqlite: " + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in ratios.items()))


if __name__ == "__main__":
    main()
