"""Same-account proposals against the synthetic inquiry's ground truth.

Truth: two documents are one account when the same survivor gave both (the generator's
`submitted_by`). Proposals come from the real pipeline (ingest, extract, resolve) over the corpus,
so this measures what an investigator would be shown. Prints precision and recall per threshold
and the proposer's time as a ratio to reading the mentions it works on.

    .venv/bin/python bench/accounts.py [--statements 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

from _keys import encrypted_home  # noqa: E402

from casetrail.analysis import Analysis
from casetrail.casework import ACCOUNT_DETAIL_TYPES, Casework
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.linking.accounts import propose_same_accounts
from casetrail.synthetic.inquiry import generate_inquiry, write_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    inquiry = generate_inquiry(args.statements, seed=args.seed)
    survivors = {m.full_name for m in inquiry.cast if m.kind == "survivor"}
    author = {s.doc: s.submitted_by for s in inquiry.statements}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(inquiry, corpus)
        home = encrypted_home(Path(tmp) / "home")
        register = Register.create(home, "casetrail.bench/accounts")
        register.ingest(iter_files([corpus]), Submission("bench", "synthetic"))
        analysis = Analysis(register)
        analysis.extract()
        analysis.resolve()
        casework = Casework(register)
        name = {d.id: d.provenance.source_name for d, _, _ in register.store.documents.iter_documents()}

        start = time.perf_counter()
        mentions = [
            *casework.entity_view().all_mentions(),
            *register.store.analysis.detail_mention_refs(ACCOUNT_DETAIL_TYPES),
        ]
        baseline = time.perf_counter() - start
        facts = casework.accounts.facts(casework.book())
        start = time.perf_counter()
        proposals = propose_same_accounts(facts, mentions, [], min_score=0.5)
        seconds = time.perf_counter() - start

    truth = {
        frozenset((a, b))
        for a, b in itertools.combinations(sorted(name), 2)
        if author[name[a]] == author[name[b]] and author[name[a]] in survivors
    }
    print(f"statements={args.statements} seed={args.seed} documents={len(name)} truth_pairs={len(truth)}")
    print(f"mentions={len(mentions)} propose_seconds={seconds:.3f} ratio_to_loading_mentions={seconds / baseline:.2f}")
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        shown = [p for p in proposals if p.score >= threshold]
        hits = sum(1 for p in shown if frozenset((p.left, p.right)) in truth)
        precision = hits / len(shown) if shown else 1.0
        recall = hits / len(truth) if truth else 1.0
        print(f"threshold={threshold} proposals={len(shown)} precision={precision:.3f} recall={recall:.3f}")


if __name__ == "__main__":
    main()
