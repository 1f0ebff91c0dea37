"""End to end on a synthetic inquiry with known truth: ingest -> analyse, through casetrail's own path.

Reports mention precision/recall (exact span and type; and overlapping span, same type), person
entity clustering (pairwise and B-cubed F1 over person mentions found by both), and throughput in
words per second against spaCy alone on the same texts, measured in the same run.

    .venv/bin/python bench/synthetic_inquiry.py                      # 1,000 then 50,000 statements
    .venv/bin/python bench/synthetic_inquiry.py --statements 1000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import spacy
from _keys import encrypted_home  # noqa: E402

from casetrail.analysis import PERSON_TYPES, Analysis
from casetrail.extraction.spacy_ner import DEFAULT_MODEL
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.ledger.checkpoint import NoteSigner
from casetrail.resolution.evaluation import bcubed, pairwise
from casetrail.synthetic.inquiry import generate_inquiry, write_corpus

PERSON = {t.value for t in PERSON_TYPES}


def spacy_alone(texts: list[str]) -> float:
    """Seconds for the same spaCy model, same components, over the same texts."""
    nlp = spacy.load(DEFAULT_MODEL, exclude=["lemmatizer"])
    keep = {"ner"}
    disabled = [name for name in nlp.pipe_names if name not in keep]
    start = time.perf_counter()
    with nlp.select_pipes(disable=disabled):
        for _ in nlp.pipe(texts, batch_size=32):
            pass
    return time.perf_counter() - start


def run(statements: int, seed: int) -> None:
    inquiry = generate_inquiry(statements, seed=seed)
    texts = [s.text for s in inquiry.statements]
    words = sum(len(t.split()) for t in texts)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus(inquiry, corpus)
        home = encrypted_home(Path(tmp) / "home")
        signer = NoteSigner.generate("bench.example/inquiry")
        home.create({"origin": signer.name, "limits": {}}, signer.to_text(), signer.verifier_key())
        register = Register.open(home)
        t0 = time.perf_counter()
        outcomes = register.ingest(iter_files([corpus]), Submission("bench", "synthetic"), batch_size=256)
        t_ingest = time.perf_counter() - t0
        doc_of = {Path(o.source).name: o.document_id for o in outcomes if o.status == "recorded"}
        analysis = Analysis(register)
        t1 = time.perf_counter()
        analysis.extract()
        t_extract = time.perf_counter() - t1
        t2 = time.perf_counter()
        analysis.resolve()
        t_resolve = time.perf_counter() - t2
        t_spacy = spacy_alone(texts)

        store = register.store
        selected: dict[str, list] = defaultdict(list)
        mids: dict[tuple[str, int, int], int] = {}
        all_mentions = defaultdict(list)
        for mid, m in store.analysis.iter_mentions():
            all_mentions[m.document_id].append(m)
            mids[(m.document_id, m.start, m.end)] = mid
        for doc_id, ms in all_mentions.items():
            selected[doc_id] = analysis.pipeline.select(ms)
        entity_of_mid = {mid: eid for eid, mid in store.analysis.entity_mentions()}

        found_exact = found_overlap = true_total = pred_total = 0
        per_type: dict[str, Counter[str]] = defaultdict(Counter)
        predicted_entity: dict[tuple[str, int], str] = {}
        truth_entity: dict[tuple[str, int], str] = {}
        for s in inquiry.statements:
            doc_id = doc_of.get(s.doc)
            if doc_id is None:
                continue
            preds = selected.get(doc_id, [])
            pred_total += len(preds)
            by_span = {(m.start, m.end, m.type.value): m for m in preds}
            for t in s.mentions:
                true_total += 1
                per_type[t.type]["true"] += 1
                if (t.start, t.end, t.type) in by_span:
                    found_exact += 1
                    per_type[t.type]["exact"] += 1
                hit = next((m for m in preds if m.type.value == t.type and m.start < t.end and t.start < m.end), None)
                if hit is not None:
                    found_overlap += 1
                    per_type[t.type]["overlap"] += 1
                    if t.type in PERSON and t.cast_id:
                        eid = entity_of_mid.get(mids[(doc_id, hit.start, hit.end)])
                        if eid is not None:
                            predicted_entity[(doc_id, t.start)] = eid
                            truth_entity[(doc_id, t.start)] = t.cast_id
            for m in preds:
                per_type[m.type.value]["pred"] += 1
        # precision: predicted mentions that overlap a true mention of the same type
        matched_preds = 0
        for s in inquiry.statements:
            doc_id = doc_of.get(s.doc)
            for m in selected.get(doc_id, []) if doc_id else []:
                if any(t.type == m.type.value and t.start < m.end and m.start < t.end for t in s.mentions):
                    matched_preds += 1
                    per_type[m.type.value]["pred_ok"] += 1
        print(f"statements={statements} words={words} documents={len(doc_of)} cast={len(inquiry.cast)}")
        print(
            f"  mentions: recall exact={found_exact / true_total:.3f} overlap={found_overlap / true_total:.3f}; "
            f"precision (overlap, same type)={matched_preds / max(pred_total, 1):.3f}"
        )
        for kind in sorted(per_type):
            c = per_type[kind]
            recall = c["overlap"] / c["true"] if c["true"] else float("nan")
            precision = c["pred_ok"] / c["pred"] if c["pred"] else float("nan")
            print(
                f"    {kind:17s} true={c['true']:6d} recall={recall:.3f} predicted={c['pred']:6d} precision={precision:.3f}"
            )
        print(f"  person entities (over {len(truth_entity)} person mentions found):")
        print(f"    pairwise {pairwise(predicted_entity, truth_entity)}")
        print(f"    bcubed   {bcubed(predicted_entity, truth_entity)}")
        print(
            f"  seconds: ingest={t_ingest:.1f} ({len(doc_of) / t_ingest:,.0f} docs/s) extract={t_extract:.1f} "
            f"resolve={t_resolve:.1f} spacy_alone={t_spacy:.1f}"
        )
        print(
            f"  words/s: spacy_alone={words / t_spacy:,.0f} extraction={words / t_extract:,.0f} "
            f"extraction+resolution={words / (t_extract + t_resolve):,.0f}; "
            f"ratio extraction/spacy={t_extract / t_spacy:.2f}x, with resolution={(t_extract + t_resolve) / t_spacy:.2f}x "
            f"(target within 1.5x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, action="append", help="repeatable; default 1000 and 50000")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for n in args.statements or [1000, 50000]:
        run(n, args.seed)


if __name__ == "__main__":
    main()
