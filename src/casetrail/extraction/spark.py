"""Extraction on Spark: the batches `extract_chunks` makes, computed by Spark tasks, for an inquiry
larger than one machine's cores.

As with extraction.parallel's worker processes, Spark only computes (text in, mentions out, as
model types); the caller alone writes, chunk by chunk in the serial order. So the rows are exactly
those of a serial run, and a failure keeps every chunk handed back before it.

How. The documents are cut into the tasks extract_chunks makes (one pipeline batch each, cut
where `ExtractionPipeline.stream` cuts a chunk) and sent to Spark a window at a time: one Spark
job per window and one partition per batch, `WINDOW_PER_CORE` batches per core of the session, so
a core that finishes early finds another batch waiting. `JOBS_IN_FLIGHT` jobs run at once (a
driver thread each), so Spark computes the next window while the caller writes this one. Windows
are collected in order and their batches handed back in order. Not `toLocalIterator`: it computes
one partition at a time (two with prefetch), which on a cluster would leave every core but one or
two idle. Memory holds at most the windows in flight, however large the corpus.

The pipeline travels pickled, as it does to worker processes (a spaCy extractor without its
loaded model). A Python worker unpickles it once and keeps it, keyed by the pickle's digest:
Spark reuses its Python workers, so each loads the spaCy model once, not once per batch.

Errors. A batch whose extraction raises is caught inside its task and handed back as a value:
the caller gets the ExtractionError the `--jobs` path raises (the same words, naming the batch's
documents), chained to the task's traceback, and Spark does not retry a failure that would only
happen again. A task Spark itself gives up on (a Python worker killed, casetrail missing on an
executor) fails its job: the ExtractionError names the documents of that job's window.

The session is casetrail.spark's: the active one, else a local one (its folders in memory-backed
scratch, since the text passes through them). On a cluster the executors need casetrail and the
spaCy model installed at the driver's versions, as for any Python task.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import re
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from casetrail.errors import ExtractionError
from casetrail.extraction.parallel import (
    Extracted,
    Item,
    Task,
    batch_failure,
    batch_tasks,
    blueprint,
    chunked,
    document_names,
    first_line,
    regrouped,
)
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.spark import spark_session

# Where extraction runs: worker processes on this machine (extraction.parallel), or Spark.
ExtractionEngine = Literal["processes", "spark"]
EXTRACTION_ENGINES: tuple[ExtractionEngine, ...] = ("processes", "spark")

WINDOW_PER_CORE = 2  # batches per core in one Spark job: a core done early takes another
JOBS_IN_FLIGHT = 2  # Spark computes the next window while the caller writes this one

_pipelines: dict[str, ExtractionPipeline] = {}  # in a Spark Python worker: the pipeline it unpickled


@dataclass(frozen=True)
class _Failed:
    """A batch whose extraction raised, as its task hands it back: the error's class, first line and traceback."""

    kind: str
    reason: str
    trace: str


class SparkTaskTraceback(Exception):
    """The traceback of a Spark task's failed batch: the cause of its ExtractionError."""


Outcome = Extracted | _Failed
_PYTHON_ERROR = re.compile(r"[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b")
_LOST_TASK = re.compile(r"most recent failure: Lost task [^:]*?\): (.+)")
Window = list[Task]


def extract_chunks_on_spark(
    pipeline: ExtractionPipeline, items: Sequence[Item], *, chunk_size: int = 64, session: Any = None
) -> Iterator[Extracted]:
    """Mentions chunk by chunk, in input order: what extract_chunks hands back, computed on Spark.

    `session` is a SparkSession to use, else the process's (casetrail.spark). It is obtained here,
    before any chunk is handed back, so a Spark that cannot start fails before anything is
    written; with nothing to read, Spark is not started at all.
    """
    tasks = list(batch_tasks(items, chunk_size, pipeline.batch_size))  # the items are in memory already
    if not tasks:
        return iter(())
    pickled = blueprint(pipeline, "Spark")
    context = (session if session is not None else spark_session()).sparkContext
    return regrouped(_on_spark(context, pickled, tasks))


def _on_spark(context: Any, pickled: bytes, tasks: list[Task]) -> Iterator[tuple[Task, Extracted]]:
    """Each batch computed by a Spark task, window by window, handed back in input order."""
    windows = chunked(tasks, max(1, context.defaultParallelism) * WINDOW_PER_CORE)
    group = f"casetrail-extraction-{uuid.uuid4().hex}"  # to cancel this run's jobs, and only them
    pool = ThreadPoolExecutor(JOBS_IN_FLIGHT, thread_name_prefix="casetrail-extraction")
    pending: deque[tuple[Window, Future[list[Outcome]]]] = deque()
    try:
        _top_up(pool, pending, windows, partial(_run_window, context, group, pickled))
        while pending:
            window, future = pending.popleft()
            outcomes = _window_result(window, future)
            _top_up(pool, pending, windows, partial(_run_window, context, group, pickled))
            for task, outcome in zip(window, outcomes, strict=True):
                yield task, _extracted(task, outcome)
    finally:  # on failure, or a caller that stops reading: no job goes on computing for nobody
        with contextlib.suppress(Exception):  # a stopped context has nothing left to cancel
            context.cancelJobGroup(group)
        pool.shutdown(wait=True, cancel_futures=True)


def _top_up(
    pool: ThreadPoolExecutor,
    pending: deque[tuple[Window, Future[list[Outcome]]]],
    windows: Iterator[Window],
    run: Callable[[Window], list[Outcome]],
) -> None:
    """Start jobs until JOBS_IN_FLIGHT windows are being computed (or none are left)."""
    while len(pending) < JOBS_IN_FLIGHT:
        window = next(windows, None)
        if window is None:
            return
        pending.append((window, pool.submit(run, window)))


def _run_window(context: Any, group: str, pickled: bytes, window: Window) -> list[Outcome]:
    """One Spark job (in a driver thread): a partition per batch, results collected in order."""
    context.setJobGroup(group, "casetrail extraction", interruptOnCancel=True)
    batches = [task.items for task in window]
    return context.parallelize(batches, len(batches)).map(partial(_read_batch, pickled)).collect()


def _window_result(window: Window, future: Future[list[Outcome]]) -> list[Outcome]:
    """The window's outcomes; a job Spark gave up on becomes an ExtractionError naming its documents."""
    try:
        return future.result()
    except Exception as error:  # Py4JJavaError, PySparkException: which batch failed is not said
        names = document_names([doc_id for task in window for doc_id, _ in task.items])
        raise ExtractionError(f"a Spark task failed while reading {names}: {spark_reason(error)}") from error


def _extracted(task: Task, outcome: Outcome) -> Extracted:
    """A batch's mentions; a batch that raised is the ExtractionError the --jobs path raises."""
    if isinstance(outcome, _Failed):
        raise batch_failure(task, outcome.kind, outcome.reason) from SparkTaskTraceback(outcome.trace)
    return outcome


def spark_reason(error: BaseException) -> str:
    """One line of why Spark failed a job: the exception a Python traceback in its message ends
    with, else the reason Spark gives for the task it lost, else the message's first line."""
    text = str(error)
    trace = text.rfind("Traceback (most recent call last)")
    if trace >= 0:  # the exception line is the one a traceback does not indent
        for line in text[trace:].splitlines()[1:]:
            if _PYTHON_ERROR.match(line):
                return line.strip()
    lost = _LOST_TASK.search(text)
    if lost:  # "org.apache.spark.SparkException: Python worker exited unexpectedly (crashed)"
        return lost.group(1).split(". ")[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


# -- in a Spark Python worker ----------------------------------------------------------------


def _read_batch(pickled: bytes, items: list[Item]) -> Outcome:
    """One batch through the same pipeline.stream the serial run uses; an error comes back as a value."""
    try:
        return list(_pipeline(pickled).stream(items))
    except Exception as error:
        return _Failed(type(error).__name__, first_line(error), traceback.format_exc())


def _pipeline(pickled: bytes) -> ExtractionPipeline:
    """This worker's pipeline, unpickled once per run: its spaCy model loads on the first batch only."""
    key = hashlib.sha256(pickled).hexdigest()
    if key not in _pipelines:
        _pipelines.clear()  # a worker another run reuses lets the last run's model go
        _pipelines[key] = pickle.loads(pickled)
    return _pipelines[key]


__all__ = ["EXTRACTION_ENGINES", "ExtractionEngine", "SparkTaskTraceback", "extract_chunks_on_spark", "spark_reason"]
