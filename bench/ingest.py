"""Ingest rate on a synthetic inquiry, in documents per second.

Baseline, in the same run: reading the same files and hashing them with SHA-256, which is the
least any ingest must do. Usage: python bench/ingest.py [--statements 5000]
"""

from __future__ import annotations

import argparse
import hashlib
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        files = write_corpus(generate_inquiry(args.statements, seed=0), corpus)
        start = time.perf_counter()
        for path in iter_files([corpus]):
            hashlib.sha256(path.read_bytes()).digest()
        baseline = len(files) / (time.perf_counter() - start)
        rates: dict[str, float] = {}

        # Encrypted (the default) against plaintext, in the same run on the same files (issue 12).
        for label, home in (
            ("encrypted", encrypted_home(Path(tmp) / "home")),
            ("plaintext", plaintext_home(Path(tmp) / "plain")),
        ):
            rate, recorded, seconds = ingest_rate(home, corpus)
            rates[label] = rate
            print(
                f"ingest ({label}): {recorded} documents in {seconds:.1f}s = {rate:,.0f} docs/s "
                f"(read+sha256 baseline {baseline:,.0f} files/s; ratio {rate / baseline:.3f}); "
                f"each durable, with receipts, in batches of 64"
            )
        print(
            f"ingest encrypted/plaintext: {rates['encrypted'] / rates['plaintext']:.2f}x (issue 12 asks at least 0.7x)"
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
