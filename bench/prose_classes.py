"""Issue 13, "Real prose": per class, how many of our own written expectations hold today.

Prints, for each class of error in tests/extraction/prose_cases.py, the expectations met out of
those written (extraction: a wanted mention selected with the right type and attributes, an unwanted
one absent; linkage: records that must join and records that must stay apart), then the figures of
the news-corpus check (tests/extraction/test_news_corpus.py) by mention type. One run gives the
figures of the current code; compare the printed lines across commits for before/after.
Usage: python bench/prose_classes.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the cases live with the tests

from casetrail.extraction import ExtractionPipeline, select  # noqa: E402
from tests.extraction import test_news_corpus as news  # noqa: E402
from tests.extraction.prose_cases import (  # noqa: E402
    CLASSES,
    LINK_CASES,
    NotWant,
    check_cases,
    link_outcome,
)


def _extraction(pipeline: ExtractionPipeline) -> dict[int, Counter[str]]:
    """Per class: found/wanted (a mention that should be selected) and clean/unwanted (one that should not)."""
    counts: dict[int, Counter[str]] = {}
    for case, want, ok in check_cases(pipeline):
        c = counts.setdefault(case.cls, Counter())
        kind = "unwanted" if isinstance(want, NotWant) else "wanted"
        c[kind] += 1
        c[f"{kind}_ok"] += ok
    return counts


def _linkage(pipeline: ExtractionPipeline) -> dict[int, Counter[str]]:
    """Per class: joins made/expected, and separations kept/expected (a broken one is a wrong merge)."""
    counts: dict[int, Counter[str]] = {}
    for case in LINK_CASES:
        c = counts.setdefault(case.cls, Counter())
        for kind, _names, held in link_outcome(pipeline, case):
            c[kind] += 1
            c[f"{kind}_ok"] += held
    return counts


def _news(pipeline: ExtractionPipeline) -> tuple[Counter[str], Counter[str], int]:
    """(met by type, expected by type, unwanted selected) on the shared news corpus."""
    files = sorted(news.NEWS.glob("*.txt"))
    items = [(f.name, f.read_text(encoding="utf-8")) for f in files]
    chosen = select(pipeline.extract_many(items))
    by_doc = {name[:3]: [m for m in chosen if m.document_id == name] for name, _ in items}
    hit, total = Counter[str](), Counter[str]()
    for e in news.EXPECTED:
        total[e.type.value] += 1
        hit[e.type.value] += any(news._matches(m, e) for m in by_doc.get(e.doc, []))
    wrong = sum(
        1
        for doc, kind, text in news.NOT_EXPECTED
        for m in by_doc.get(doc, [])
        if news._norm(m.text) == news._norm(text) and (kind is None or m.type is kind)
    )
    return hit, total, wrong


def _ratio(ok: int, n: int) -> str:
    return f"{ok}/{n} ({ok / n:.2f})" if n else "-"


def main() -> None:
    started = time.perf_counter()
    pipeline = ExtractionPipeline()
    extraction, linkage = _extraction(pipeline), _linkage(pipeline)
    print("class  wanted found     unwanted absent  joins made   kept apart   description")
    totals: Counter[str] = Counter()
    for cls, description in CLASSES.items():
        e, k = extraction.get(cls, Counter()), linkage.get(cls, Counter())
        totals.update(e)
        totals.update(k)
        print(
            f"{cls:>5}  {_ratio(e['wanted_ok'], e['wanted']):<14} {_ratio(e['unwanted_ok'], e['unwanted']):<16} "
            f"{_ratio(k['same_ok'], k['same']):<12} {_ratio(k['apart_ok'], k['apart']):<12} {description}"
        )
    print(
        f"  all  {_ratio(totals['wanted_ok'], totals['wanted']):<14} {_ratio(totals['unwanted_ok'], totals['unwanted']):<16} "
        f"{_ratio(totals['same_ok'], totals['same']):<12} {_ratio(totals['apart_ok'], totals['apart']):<12}"
    )
    hit, total, wrong = _news(pipeline)
    by_type = ", ".join(f"{t} {hit[t]}/{total[t]}" for t in sorted(total))
    print(
        f"news corpus: expected selected {sum(hit.values())}/{sum(total.values())}; {by_type}; "
        f"unwanted selected {wrong}/{len(news.NOT_EXPECTED)}"
    )
    print(f"({time.perf_counter() - started:.1f}s)")


if __name__ == "__main__":
    main()
