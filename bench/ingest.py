"""Ingest rate on a synthetic inquiry, in documents per second, encrypted against plaintext.

Baseline, in the same run: reading the same files and hashing them with SHA-256, which is the
least any ingest must do. Encrypted (the default) and plaintext stores ingest the same files in
the same run, alternated (E/P, then P/E, ...) over `--rounds` rounds, each round into new homes;
the ratio compares the medians (issue 12 asks at least 0.7x). Ingest is fsync-bound on these
machines, so one round alone says little when other processes use the disk.
Usage: python bench/ingest.py [--statements 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

from _keys import encrypted_home, plaintext_home  # noqa: E402

from casetrail.intake.register import Register, Submission, iter_files
from casetrail.ledger.checkpoint import NoteSigner
from casetrail.store.home import Home
from casetrail.synthetic.inquiry import generate_inquiry, write_corpus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3, help="ingests into each kind of store, alternated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        files = write_corpus(generate_inquiry(args.statements, seed=0), corpus)
        start = time.perf_counter()
        for path in iter_files([corpus]):
            hashlib.sha256(path.read_bytes()).digest()
        baseline = len(files) / (time.perf_counter() - start)
        rates: dict[str, list[float]] = {"encrypted": [], "plaintext": []}

        # Encrypted (the default) against plaintext, in the same run on the same files (issue 12).
        for round_ in range(args.rounds):
            order = ("encrypted", "plaintext") if round_ % 2 == 0 else ("plaintext", "encrypted")
            for label in order:
                make = encrypted_home if label == "encrypted" else plaintext_home
                rate, recorded, seconds = ingest_rate(make(Path(tmp) / f"{label}-{round_}"), corpus)
                rates[label].append(rate)
                print(
                    f"ingest ({label}, round {round_ + 1}): {recorded} documents in {seconds:.1f}s = {rate:,.0f} "
                    f"docs/s (read+sha256 baseline {baseline:,.0f} files/s; ratio {rate / baseline:.3f}); "
                    f"each durable, with receipts, in batches of 64",
                    flush=True,
                )
        median = {label: statistics.median(values) for label, values in rates.items()}
        print(
            f"ingest medians of {args.rounds}: encrypted {median['encrypted']:,.0f} docs/s, "
            f"plaintext {median['plaintext']:,.0f} docs/s"
        )
        print(
            f"ingest encrypted/plaintext: {median['encrypted'] / median['plaintext']:.2f}x "
            f"(per round: {', '.join(f'{e / p:.2f}x' for e, p in zip(rates['encrypted'], rates['plaintext']))}; "
            f"issue 12 asks at least 0.7x)"
        )


def ingest_rate(home: Home, corpus: Path) -> tuple[float, int, float]:
    signer = NoteSigner.generate("bench.example/ingest")
    home.create({"origin": signer.name, "limits": {}}, signer.to_text(), signer.verifier_key())
    register = Register.open(home)
    start = time.perf_counter()
    outcomes = register.ingest(iter_files([corpus]), Submission("bench", "synthetic"))
    seconds = time.perf_counter() - start
    recorded = sum(o.status == "recorded" for o in outcomes)
    register.store.close()
    return recorded / seconds, recorded, seconds


if __name__ == "__main__":
    main()
