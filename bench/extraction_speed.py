"""Words per second of spaCy alone vs the full ExtractionPipeline on the same fictional statements.

spaCy alone runs the same model with the same components disabled (only "ner"), through nlp.pipe
with the same batch size. The text comes from casetrail.synthetic.inquiry when it is available,
otherwise from a small inline generator of fictional statements. The target is ratio <= 1.5
(ratio = spaCy words/second / pipeline words/second). Usage: python bench/extraction_speed.py [statements]
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

from casetrail.extraction import ExtractionPipeline, SpacyNerExtractor

STATEMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 400
REPEATS = 3


def _inline_statements(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """Fictional statements with officers, vehicles, phones, dates and places (no real people)."""
    rng = random.Random(seed)
    given = ("Gareth", "Maureen", "Imran", "Kelly", "Duncan", "Saima", "Trevor", "Nadia", "Colin", "Bronwen")
    surnames = ("Thewlis", "Ackroyd", "Pinder", "Okafor", "Haigh", "Rashid", "Wadsworth", "Nowak", "Ibbotson")
    ranks = ("PC", "DC", "Sgt", "DS", "DI", "Detective Sergeant", "Police Constable")
    places = ("Wharf Street", "Northmoor bus station", "the Greenhill flats", "Birks Lane", "Kettleby")
    sentences = (
        "In the summer of {y} {r} {g} {s} picked me up from {p} in a silver Vauxhall Astra, registration R{n} KDL.",
        "I was {a} when it started and {g} {s} gave me a number, 07700 900{n3}.",
        "{r} {s} (collar number {c}) said I was making it up and drove off towards {p}.",
        "Another unnamed officer in a marked car saw us on {d} March {y} and did nothing.",
        "Willow, which is not her real name, told me that {g} {s} was at {p} between {y} and {y2}.",
        "I don't remember everything, but I remember the flat above the takeaway on {p}.",
        "The complaint went to the IOPC in {y2}, and South Yorkshire Police said nothing.",
    )
    out = []
    for i in range(count):
        y = rng.randint(1994, 2006)
        parts = []
        for _ in range(rng.randint(8, 16)):
            parts.append(
                rng.choice(sentences).format(
                    y=y,
                    y2=y + rng.randint(1, 6),
                    r=rng.choice(ranks),
                    g=rng.choice(given),
                    s=rng.choice(surnames),
                    p=rng.choice(places),
                    n=rng.randint(100, 999),
                    n3=f"{rng.randint(0, 999):03d}",
                    a=rng.randint(11, 15),
                    c=rng.randint(100, 9999),
                    d=rng.randint(1, 28),
                )
            )
        out.append((f"statement-{i:05d}.txt", " ".join(parts)))
    return out


def _statements(count: int) -> tuple[list[tuple[str, str]], str]:
    try:
        from casetrail.synthetic.inquiry import generate_inquiry
    except ImportError:
        return _inline_statements(count), "inline generator"
    return [(s.doc, s.text) for s in generate_inquiry(count, seed=2025).statements], "casetrail.synthetic.inquiry"


def _best_seconds(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    items, source = _statements(STATEMENTS)
    words = sum(len(text.split()) for _doc, text in items)
    pipeline = ExtractionPipeline()
    spacy_ner = next(e for e in pipeline.extractors if isinstance(e, SpacyNerExtractor))
    nlp = spacy_ner.nlp  # loaded once, outside the timings
    texts = [text for _doc, text in items]
    list(nlp.pipe(texts[:10]))  # warm up
    pipeline.extract_many(items[:10])

    spacy_seconds = _best_seconds(lambda: list(nlp.pipe(texts, batch_size=spacy_ner.batch_size, n_process=1)))
    pipeline_seconds = _best_seconds(lambda: pipeline.extract_many(items))
    spacy_wps = words / spacy_seconds
    pipeline_wps = words / pipeline_seconds
    print(f"text: {len(items)} statements, {words} words, from {source}")
    print(f"spaCy components: {spacy_ner.components} (model {spacy_ner.model})")
    print(f"spaCy alone:   {spacy_wps:9.0f} words/s")
    print(f"full pipeline: {pipeline_wps:9.0f} words/s ({len(pipeline.extractors)} extractors)")
    print(f"spacy_wps={spacy_wps:.0f} pipeline_wps={pipeline_wps:.0f} ratio={spacy_wps / pipeline_wps:.2f}")


if __name__ == "__main__":
    main()
