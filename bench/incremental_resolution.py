"""Incremental analysis (issue 14): resolving 1,000 new documents against N resolved ones.

A synthetic inquiry of N + NEW documents is generated; the first N go through the real ledger
(`Register.ingest`, encrypted store), their extraction is the generator's true mentions (stored
by bench/workbench.py's `store_truth`: `TruthMention.to_mention`, `store.analysis.add_mentions` +
`mark_extracted` under "truth@1", so spaCy's half hour per 100,000 documents is not measured), and a full
`Analysis.resolve()` runs and is timed. Then the NEW documents are ingested the same way and
`Analysis.resolve(incremental=True)` is timed. Target (issue 14): under 60 s for 1,000 new
documents at 300,000, growing sublinearly with N.

`--compare` also copies the home before the incremental run and resolves everything in full there,
to time that and to score the two partitions of person mentions against each other and the truth
(pairwise precision/recall/F1), and keyed entities for exact agreement.

    .venv/bin/python bench/incremental_resolution.py                       # 30,000 + 1,000
    .venv/bin/python bench/incremental_resolution.py --documents 10000 --compare
    .venv/bin/python bench/incremental_resolution.py --documents 300000    # hours on 2 cores

One figure per line, `name=value`. All people are fictional (casetrail.synthetic).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from _keys import encrypted_home  # noqa: E402
from workbench import TruthExtractor, ingest_corpus, out, store_truth

from casetrail.analysis import Analysis
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.register import Register
from casetrail.resolution.evaluation import pairwise
from casetrail.store.home import Home
from casetrail.store.keys import KeyFileSource
from casetrail.synthetic.inquiry import Inquiry, Statement, generate_inquiry

PERSON_KINDS = {"person", "officer"}


def analysis_of(register: Register) -> Analysis:
    return Analysis(register, ExtractionPipeline([TruthExtractor()]))


def ingest(
    register: Register, inquiry: Inquiry, statements: list[Statement], folder: Path, cast: dict[tuple[str, int], str]
) -> int:
    """Ingest `statements` and store their true mentions; returns how many documents were recorded."""
    part = Inquiry(inquiry.seed, inquiry.cast, tuple(statements))
    doc_of = ingest_corpus(register, part, folder)
    store_truth(register, part, doc_of, cast)
    return len(doc_of)


def partition(register: Register) -> dict[tuple[str, int], tuple[str, str]]:
    store = register.store.analysis
    types = {row["id"]: row["type"] for row in store.entity_rows()}
    return {(r.document_id, r.start): (r.entity_id, types[r.entity_id]) for r in store.entity_mention_refs()}


def compare(inc: Register, full: Register, cast: dict[tuple[str, int], str]) -> None:
    a, b = partition(inc), partition(full)
    people = [k for k in b if b[k][1] in PERSON_KINDS and k in a and a[k][1] in PERSON_KINDS]
    agreement = pairwise({k: a[k][0] for k in people}, {k: b[k][0] for k in people})
    out("person_mentions", len(people))
    out("incremental_vs_full_precision", agreement.precision)
    out("incremental_vs_full_recall", agreement.recall)
    out("incremental_vs_full_f1", agreement.f1)
    truth = {k: cast[k] for k in people if k in cast}
    for name, labels in (("incremental", a), ("full", b)):
        s = pairwise({k: labels[k][0] for k in truth}, truth)
        out(f"{name}_vs_truth_precision", s.precision)
        out(f"{name}_vs_truth_recall", s.recall)
        out(f"{name}_vs_truth_f1", s.f1)
    keyed_a = {k: v for k, v in a.items() if v[1] not in PERSON_KINDS}
    keyed_b = {k: v for k, v in b.items() if v[1] not in PERSON_KINDS}
    out("keyed_mentions", len(keyed_b))
    out("keyed_identical", "yes" if keyed_a == keyed_b else "no")
    out("keyed_mentions_differing", sum(1 for k in keyed_b.keys() | keyed_a.keys() if keyed_a.get(k) != keyed_b.get(k)))


def run(args: argparse.Namespace, tmp: Path) -> None:
    t0 = time.perf_counter()
    inquiry = generate_inquiry(args.documents + args.new, seed=args.seed)
    first, later = list(inquiry.statements[: args.documents]), list(inquiry.statements[args.documents :])
    out("documents", args.documents)
    out("new_documents", args.new)
    out("cast", len(inquiry.cast))
    out("generate_s", time.perf_counter() - t0)
    cast: dict[tuple[str, int], str] = {}

    home = encrypted_home(tmp / "home")
    register = Register.create(home, "casetrail.bench/incremental")
    t0 = time.perf_counter()
    out("ingested", ingest(register, inquiry, first, tmp / "first", cast))
    out("ingest_and_store_truth_s", time.perf_counter() - t0)

    t0 = time.perf_counter()
    summary = analysis_of(register).resolve()
    full_s = time.perf_counter() - t0
    out("full_resolve_s", full_s)
    out("full_entities", summary.entities)

    t0 = time.perf_counter()
    out("new_ingested", ingest(register, inquiry, later, tmp / "later", cast))
    out("new_ingest_and_store_truth_s", time.perf_counter() - t0)

    copy: Register | None = None
    if args.compare:
        register.store.close()
        shutil.copytree(tmp / "home", tmp / "home-full")
        shutil.copy(tmp / "home.kek", tmp / "home-full.kek")
        register = Register.open(Home(tmp / "home", key_source=KeyFileSource(tmp / "home.kek")))
        copy = Register.open(Home(tmp / "home-full", key_source=KeyFileSource(tmp / "home-full.kek")))

    profiler = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    summary = analysis_of(register).resolve(incremental=True)
    if profiler:
        profiler.disable()
    inc_s = time.perf_counter() - t0
    out("incremental_resolve_s", inc_s)
    out("incremental_was_incremental", "yes" if summary.incremental else "no")
    out("incremental_documents_read", summary.documents_read)
    out("incremental_entities", summary.entities)
    print(f"incremental_note={summary.note!r}", flush=True)
    out("ratio_incremental_to_full", inc_s / full_s)
    out("meets_target_60s", "yes" if inc_s < 60 else "no")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)

    if copy is not None:
        t0 = time.perf_counter()
        analysis_of(copy).resolve()
        out("full_resolve_all_s", time.perf_counter() - t0)
        compare(register, copy, cast)
        copy.store.close()
    register.store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=30_000, help="documents resolved in full first")
    parser.add_argument("--new", type=int, default=1_000, help="documents then resolved incrementally")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", action="store_true", help="also resolve everything in full on a copy and compare")
    parser.add_argument("--profile", type=int, default=0, metavar="LINES", help="cProfile the incremental run")
    parser.add_argument("--keep", type=Path, help="build in this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        run(args, args.keep)
        return
    with tempfile.TemporaryDirectory(prefix="casetrail-bench-incremental-") as tmp:
        run(args, Path(tmp))


if __name__ == "__main__":
    main()
