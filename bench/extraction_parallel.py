"""Words per second of extraction in 1 process and in 2 (`casetrail analyse --jobs 2`), same fictional statements.

Both runs go through `extract_chunks`, as `Analysis.extract` does, but write nothing: the store's
writes are the parent's in both cases and are not what the workers speed up. The 1-process run has
its spaCy model loaded beforehand. The 2-process figure is end to end (the pool is started, and each
worker loads its own model, inside the timing); the steady figure takes off the start-up, measured
alone as a run of two one-document batches. The target (issue 14) is ratio >= 1.8 on 2 cores;
other work on the machine lowers it, so the CPU seconds each run used are printed too: when the
workers' CPU is close to the serial run's, the pool adds little work of its own, and a slow ratio
means the cores were busy elsewhere.

With --spark, the same statements are also read on Spark (`casetrail analyse --engine spark`,
extraction.spark) in the same run, against the same serial baseline: the session is started before
the timing (its start is printed apart), and each Spark Python worker loads its own model inside it,
as the processes do. Usage: python bench/extraction_parallel.py [statements] [--spark]
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable

from casetrail.extraction import ExtractionPipeline, SpacyNerExtractor
from casetrail.extraction.parallel import extract_chunks
from casetrail.synthetic.inquiry import generate_inquiry

ARGS = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
STATEMENTS = int(ARGS[0]) if ARGS else 400
SPARK = "--spark" in sys.argv[1:]
JOBS = 2


def seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def extract(pipeline: ExtractionPipeline, items: list[tuple[str, str]], jobs: int) -> int:
    """Mentions found, so both runs can be checked to agree."""
    return sum(len(mentions) for chunk in extract_chunks(pipeline, items, jobs=jobs) for _, mentions in chunk)


def on_spark(items: list[tuple[str, str]], words: int, serial: float, expected: int) -> None:
    """Spark against the serial baseline: session start apart, then a cold pipeline end to end."""
    from casetrail.extraction.spark import extract_chunks_on_spark
    from casetrail.spark import spark_session, spark_unavailable_reason

    reason = spark_unavailable_reason()
    if reason is not None:
        print(f"spark: skipped ({reason})")
        return
    startup = seconds(spark_session)
    found: list[int] = []
    cold = ExtractionPipeline()
    elapsed = seconds(lambda: found.append(sum(len(m) for c in extract_chunks_on_spark(cold, items) for _, m in c)))
    assert found == [expected], f"spark disagrees with the serial run: {found[0]} mentions, not {expected}"
    spark_wps, serial_wps = words / elapsed, words / serial
    print(f"spark:                {spark_wps:9.0f} words/s ({elapsed:.1f} s; session start {startup:.1f} s apart)")
    print(f"spark_wps={spark_wps:.0f} spark_ratio={spark_wps / serial_wps:.2f}")


def main() -> None:
    items = [(s.doc, s.text) for s in generate_inquiry(STATEMENTS, seed=2025).statements]
    words = sum(len(text.split()) for _doc, text in items)
    cold = ExtractionPipeline()  # never loads its model here: the workers each load their own
    warm = ExtractionPipeline()
    next(e for e in warm.extractors if isinstance(e, SpacyNerExtractor)).nlp  # noqa: B018 (load before timing)
    warm.extract_many(items[:10])

    found: dict[int, int] = {}
    before = cpu_seconds(resource.RUSAGE_SELF)
    serial = seconds(lambda: found.__setitem__(1, extract(warm, items, 1)))
    serial_cpu = cpu_seconds(resource.RUSAGE_SELF) - before
    before, before_workers = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    parallel = seconds(lambda: found.__setitem__(JOBS, extract(cold, items, JOBS)))
    parent_cpu = cpu_seconds(resource.RUSAGE_SELF) - before
    workers_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - before_workers
    startup = seconds(lambda: list(extract_chunks(ExtractionPipeline(batch_size=1), items[:2], jobs=JOBS)))
    assert found[1] == found[JOBS], f"the runs disagree: {found}"

    serial_wps, parallel_wps = words / serial, words / parallel
    steady_wps = words / max(parallel - startup, 1e-9)
    print(f"text: {len(items)} statements, {words} words, {found[1]} mentions; {os.cpu_count()} cores")
    print(f"1 process:            {serial_wps:9.0f} words/s ({serial:.1f} s)")
    print(f"{JOBS} processes:          {parallel_wps:9.0f} words/s ({parallel:.1f} s, start-up included)")
    print(f"{JOBS} processes, steady:  {steady_wps:9.0f} words/s (start-up {startup:.1f} s taken off)")
    print(
        f"CPU: 1 process {serial_cpu:.1f} s; {JOBS} processes {workers_cpu:.1f} s in workers + {parent_cpu:.1f} s parent"
    )
    print(
        f"serial_wps={serial_wps:.0f} parallel_wps={parallel_wps:.0f} ratio={parallel_wps / serial_wps:.2f}"
        f" steady_ratio={steady_wps / serial_wps:.2f}"
    )
    if SPARK:
        on_spark(items, words, serial, found[1])


if __name__ == "__main__":
    main()
