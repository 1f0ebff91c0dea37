"""Resolution on a synthetic inquiry: coreference + cross-document linkage against the cast.

Person records are built from the generator's ground-truth mentions, so this measures
resolution alone, independent of extraction. Scores are over person mentions (PERSON, OFFICER,
PSEUDONYM): each mention's predicted entity is the linkage cluster of its within-document
cluster; its true entity is the cast member it names.

    .venv/bin/python bench/synthetic_resolution.py                # 1,000 then 50,000 statements
    .venv/bin/python bench/synthetic_resolution.py --statements 5000
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from casetrail.resolution.coreference import build_records, resolve_document
from casetrail.resolution.evaluation import bcubed, pairwise
from casetrail.resolution.linkage import DEFAULT_THRESHOLD, resolve_links
from casetrail.synthetic.inquiry import generate_inquiry


def run(statements: int, seed: int, threshold: float, same_document_apart: bool) -> None:
    t0 = time.perf_counter()
    inquiry = generate_inquiry(statements, seed=seed)
    t_gen = time.perf_counter() - t0

    t1 = time.perf_counter()
    records = []
    mention_record: dict[tuple[str, int], str] = {}
    truth: dict[tuple[str, int], str] = {}
    record_truth: dict[str, str] = {}
    for s in inquiry.statements:
        mentions = [m.to_mention(s.doc) for m in s.mentions]
        clusters = resolve_document(mentions, s.text)
        records.extend(build_records(clusters, mentions, s.text))
        cast_of = {m.start: m.cast_id for m in s.mentions}
        for c in clusters:
            votes = Counter(cast_of[m.start] for m in c.mentions)
            record_truth[c.record_id] = votes.most_common(1)[0][0]
            for m in c.mentions:
                mention_record[(s.doc, m.start)] = c.record_id
                truth[(s.doc, m.start)] = cast_of[m.start]
    t_coref = time.perf_counter() - t1

    t2 = time.perf_counter()
    result = resolve_links(records, [], threshold, seed=seed, same_document_apart=same_document_apart)
    t_link = time.perf_counter() - t2

    entity_of = {rid: i for i, members in enumerate(result.clusters) for rid in members}
    predicted = {key: entity_of[rid] for key, rid in mention_record.items()}
    within = {key: rid for key, rid in mention_record.items()}
    records_pred = {rid: entity_of[rid] for rid in record_truth}
    print(
        f"statements={statements} seed={seed} threshold={threshold} cast={len(inquiry.cast)} "
        f"person_mentions={len(truth)} records={len(records)} entities={len(result.clusters)} "
        f"edges={len(result.edges)}"
    )
    print(f"  baseline, within-document clusters only (mentions): pairwise {pairwise(within, truth)}")
    print(f"  mentions: pairwise {pairwise(predicted, truth)}  bcubed {bcubed(predicted, truth)}")
    print(f"  records:  pairwise {pairwise(records_pred, record_truth)}  bcubed {bcubed(records_pred, record_truth)}")
    print(
        f"  seconds: generate={t_gen:.1f} coreference={t_coref:.1f} linkage={t_link:.1f} "
        f"resolution_total={t_coref + t_link:.1f}"
    )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--statements", type=int, action="append", help="inquiry size; repeatable (default: 1000 and 50000)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument(
        "--no-same-document-apart", action="store_true", help="let linkage join two records of one document"
    )
    args = parser.parse_args()
    for n in args.statements or [1000, 50000]:
        run(n, args.seed, args.threshold, not args.no_same_document_apart)


if __name__ == "__main__":
    main()
