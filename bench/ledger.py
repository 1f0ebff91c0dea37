"""Ledger benchmarks: durable appends, inclusion proofs and full verification, encrypted against plaintext.

Speeds are printed next to raw hashlib.sha256 throughput measured in the same run, since these
machines are noisy. Every figure is taken twice in the same run, on an encrypted store (SQLCipher,
opened by `Home.open_store()` with the key from a key file beside the home, as real stores are:
bench/_keys.py) and on a plaintext one (`init --plaintext`), and printed with their ratio (issue 12
asks that `verify` of 1,000,000 entries stay under 30 s encrypted). The two full verifications are
alternated, E/P then P/E... (`--rounds`), each on a fresh connection, and the medians are compared.

By default the leaves are appended with the raw `Log.append`, as the ledger's own tests do: they
are version-1 decision events whose fields stay in clear, with no row in the `commitments` table
(migrations 0010/0011). That measures the log itself (leaves, tree nodes, checkpoints, all in
encrypted pages in the encrypted store) but not what a real store's events add to `verify`: since
issue 12 a decision is appended through `ledger.record.append_events`, its leaf whole-committed and
the event as recorded kept in `commitments`, and `verify_store` then looks up and recommits every
one. `--committed` builds the 1,000,000 entries that way instead (the same ~1 KB decision events,
through `append_events` in batches of 10,000), to measure that too. No document objects are written.

Output: one `name=value` per line, then a line of prose per section.
Usage: python bench/ledger.py [--entries 1000000] [--appends 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _keys import encrypted_home, plaintext_home  # noqa: E402

from casetrail.ledger.checkpoint import NoteSigner, NoteVerifier
from casetrail.ledger.log import Appender, Log
from casetrail.ledger.record import append_events
from casetrail.ledger.verification import verify_store
from casetrail.model.event import Event, EventType
from casetrail.store.home import Home

LABELS = ("encrypted", "plaintext")


def out(name: str, value: Any) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    print(f"{name}={value}", flush=True)


def event(n: int) -> Event:
    """A ~1 KB decision event, the size the issue asks about."""
    body = {"note": ("fictional decision text " * 44)[:990]}
    return Event(EventType.DECISION_RECORDED, f"X-{n}", "2026-01-01T00:00:00Z", "bench", body)


def record(n: int) -> bytes:
    return event(n).to_leaf()


def hash_rate(records: list[bytes], seconds: float = 1.0) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for data in records:
            hashlib.sha256(data).digest()
        done += len(records)
    return done / (time.perf_counter() - start)


def new_home(label: str, root: Path, origin: str) -> tuple[Home, NoteSigner]:
    home = (encrypted_home if label == "encrypted" else plaintext_home)(root)
    signer = NoteSigner.generate(origin)
    home.create({"origin": signer.name, "limits": {}}, signer.to_text(), signer.verifier_key())
    return home, signer


def append_rate(label: str, tmp: Path, records: list[bytes], appends: int) -> float:
    home, signer = new_home(label, tmp / f"appends-{label}", "bench.example/appends")
    store = home.open_store()
    assert store.encrypted == (label == "encrypted")
    log = Log(store.ledger, signer)
    start = time.perf_counter()
    with Appender(log, max_batch=2048, max_wait=0.005) as appender:
        futures = [appender.submit(records[n % 1000]) for n in range(appends)]
        for future in futures:
            future.result()
    seconds = time.perf_counter() - start
    store.close()
    return appends / seconds


def build_log(
    label: str, tmp: Path, records: list[bytes], entries: int, committed: bool
) -> tuple[Home, NoteSigner, float]:
    home, signer = new_home(label, tmp / f"verify-{label}", "bench.example/verify")
    store = home.open_store()
    log = Log(store.ledger, signer)
    events = [event(n) for n in range(1000)]
    start = time.perf_counter()
    batch = 10_000
    for offset in range(0, entries, batch):
        count = min(batch, entries - offset)
        if committed:
            append_events(log, [events[(offset + n) % 1000] for n in range(count)])
        else:
            log.append([records[(offset + n) % 1000] for n in range(count)])
    seconds = time.perf_counter() - start
    store.fold_wal()  # the WAL into the database, so each verification reads the same single file
    store.close()
    return home, signer, seconds


def proof_ms(home: Home, signer: NoteSigner, entries: int) -> float:
    store = home.open_store()
    log = Log(store.ledger, signer)
    rng = random.Random(1)
    picks = [rng.randrange(entries) for _ in range(2000)]
    start = time.perf_counter()
    for index in picks:
        log.inclusion_proof(index, entries)
    per_proof = (time.perf_counter() - start) / len(picks)
    store.close()
    return per_proof * 1e3


def verify_seconds(home: Home, signer: NoteSigner, entries: int) -> float:
    """A full `verify_store`, as `casetrail verify` makes it: a fresh connection, the home's objects."""
    start = time.perf_counter()
    store = home.open_store(readonly=True)
    report = verify_store(store, home.objects(store), NoteVerifier.from_text(signer.verifier_key()))
    seconds = time.perf_counter() - start
    store.close()
    assert report.ok, report.problems[:5]
    assert report.size == entries, report.size
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=100_000)
    parser.add_argument(
        "--committed", action="store_true", help="build the verified log through append_events (commitments kept)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="full verifications of each store, alternated")
    args = parser.parse_args()
    records = [record(n) for n in range(1000)]
    sha_1k = hash_rate(records)
    sha_node = hash_rate([bytes(65)] * 1000)
    out("baseline_sha256_1kb_per_s", sha_1k)
    out("baseline_sha256_65b_per_s", sha_node)
    floor = 2 * args.entries / sha_node  # a leaf hash and (amortised) one node hash per entry
    out("verified_leaves", "committed (append_events)" if args.committed else "clear (raw Log.append)")

    with tempfile.TemporaryDirectory() as tmp:
        rates = {label: append_rate(label, Path(tmp), records, args.appends) for label in LABELS}
        for label in LABELS:
            out(f"appends_{label}_per_s", rates[label])
        out("appends_ratio_encrypted_to_plaintext", rates["encrypted"] / rates["plaintext"])
        print(
            f"# durable appends: {args.appends} 1 KB records via Appender, synchronous=FULL; "
            f"encrypted {rates['encrypted']:,.0f}/s, plaintext {rates['plaintext']:,.0f}/s (target >= 10,000/s)"
        )

    with tempfile.TemporaryDirectory() as tmp:
        built = {}
        for label in LABELS:
            home, signer, seconds = build_log(label, Path(tmp), records, args.entries, args.committed)
            built[label] = (home, signer)
            out(f"build_{label}_s", seconds)
            out(f"build_{label}_appends_per_s", args.entries / seconds)

        proofs = {label: proof_ms(*built[label], args.entries) for label in LABELS}
        for label in LABELS:
            out(f"proof_{label}_ms", proofs[label])
        out("proof_ratio_encrypted_to_plaintext", proofs["encrypted"] / proofs["plaintext"])
        print(f"# inclusion proof at {args.entries:,} entries, 2,000 random leaves (target < 1 ms)")

        runs: dict[str, list[float]] = {label: [] for label in LABELS}
        for round_ in range(args.rounds):
            # A/B then B/A: neither store is always first after the other's run.
            order = LABELS if round_ % 2 == 0 else LABELS[::-1]
            for label in order:
                runs[label].append(verify_seconds(*built[label], args.entries))
                out(f"verify_round{round_ + 1}_{label}_s", runs[label][-1])
        size = f"{args.entries // 1_000_000}m" if args.entries % 1_000_000 == 0 else str(args.entries)
        median = {label: statistics.median(runs[label]) for label in LABELS}
        for label in LABELS:
            out(f"verify_{size}_{label}_s", median[label])
        out(f"verify_{size}_ratio_encrypted_to_plaintext", median["encrypted"] / median["plaintext"])
        out("verify_hashing_floor_s", floor)
        out(f"verify_{size}_encrypted_ratio_to_floor", median["encrypted"] / floor)
        out(f"verify_{size}_encrypted_meets_target", "yes" if median["encrypted"] < 30 else "no")
        print(
            f"# verify {args.entries:,} entries (median of {args.rounds} alternated runs each): encrypted "
            f"{median['encrypted']:.1f}s, plaintext {median['plaintext']:.1f}s, ratio "
            f"{median['encrypted'] / median['plaintext']:.2f}x; hashing floor for {2 * args.entries:,} hashes "
            f"{floor:.1f}s; target < 30 s encrypted"
        )


if __name__ == "__main__":
    main()
