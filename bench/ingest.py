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

        home = Home(Path(tmp) / "home")
        signer = NoteSigner.generate("bench.example/ingest")
        home.create({"origin": signer.name, "limits": {}}, signer.to_text(), signer.verifier_key())
        register = Register.open(home)
        start = time.perf_counter()
        outcomes = register.ingest(iter_files([corpus]), Submission("bench", "synthetic"))
        seconds = time.perf_counter() - start
        recorded = sum(o.status == "recorded" for o in outcomes)
        rate = recorded / seconds
        print(
            f"ingest: {recorded} documents in {seconds:.1f}s = {rate:,.0f} docs/s "
            f"(read+sha256 baseline {baseline:,.0f} files/s; ratio {rate / baseline:.3f}); "
            f"each durable, with receipts, in batches of 64"
        )


if __name__ == "__main__":
    main()
