"""Extraction across processes: the batches the serial run reads, computed by a pool of workers.

spaCy holds the GIL, so threads do not help; processes do. Workers only compute (text in, mentions
out, as model types): the caller alone writes to the store, since SQLite takes one writer and the
store's key stays in the process that opened it. The pool starts its workers with "spawn", never
"fork": the parent holds an open SQLCipher connection and threads a forked child must not inherit.

Mentions are exactly the serial run's. The serial run cuts the documents into chunks (one write
transaction each) and `ExtractionPipeline.stream` cuts each chunk into batches of
`pipeline.batch_size` (one spaCy `nlp.pipe` call each); a worker task is one such batch, cut at
the same places, through the same `stream`. Results are taken in submission order and handed back
chunk by chunk, so the rows are written in the serial order too. Only a bounded window of tasks is
in flight, so memory does not grow with the corpus. A batch that fails (in a worker, or in this
process when one job reads them all) or a worker that dies stops the run with an `ExtractionError`
naming the documents of the batch; chunks already handed back (and written by the caller) stay
written. extraction.spark runs the same tasks on Spark, through the public helpers here.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from casetrail.errors import ExtractionError
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.model import Mention

T = TypeVar("T")
Item = tuple[str, str]  # (document_id, text)
Extracted = list[tuple[str, list[Mention]]]  # (document_id, mentions) per document, in input order

# Tasks in flight per worker: one being read, one queued so a worker never waits for the parent.
WINDOW_PER_WORKER = 2

_pipeline: ExtractionPipeline | None = None  # a worker's own pipeline, built once by _start_worker


@dataclass(frozen=True)
class Task:
    """One pipeline batch: what a worker reads at a time; `closes_chunk` when the caller's chunk ends with it."""

    items: list[Item]
    closes_chunk: bool


def default_jobs() -> int:
    """The cores this process may use (os.process_cpu_count from Python 3.13, else os.cpu_count)."""
    count = getattr(os, "process_cpu_count", os.cpu_count)
    return count() or 1


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def extract_chunks(
    pipeline: ExtractionPipeline, items: Sequence[Item], *, chunk_size: int = 64, jobs: int = 1
) -> Iterator[Extracted]:
    """Mentions chunk by chunk, in input order; in this process when one worker would do.

    Either way a batch that fails raises an ExtractionError naming its documents, chained to the cause.
    """
    tasks = list(batch_tasks(items, chunk_size, pipeline.batch_size))  # the items are in memory already
    workers = min(jobs, len(tasks))
    if workers < 2:  # a pool of one costs a process start and a model load for nothing
        return regrouped(_in_process(pipeline, tasks))
    return regrouped(_in_processes(pipeline, iter(tasks), workers))


def batch_tasks(items: Iterable[Item], chunk_size: int, batch_size: int) -> Iterator[Task]:
    """The batches `pipeline.stream` would make of each chunk: a chunk is cut afresh from its start."""
    for chunk in chunked(items, chunk_size):
        batches = list(chunked(chunk, batch_size))
        for index, batch in enumerate(batches):
            yield Task(batch, closes_chunk=index == len(batches) - 1)


def regrouped(done: Iterable[tuple[Task, Extracted]]) -> Iterator[Extracted]:
    """Batches put back together into the caller's chunks."""
    chunk: Extracted = []
    for task, extracted in done:
        chunk.extend(extracted)
        if task.closes_chunk:
            yield chunk
            chunk = []


def _in_process(pipeline: ExtractionPipeline, tasks: Iterable[Task]) -> Iterator[tuple[Task, Extracted]]:
    """Each batch read here, one after another: `--jobs 1`, and runs too small to share out."""
    for task in tasks:
        try:
            extracted = list(pipeline.stream(task.items))
        except Exception as error:
            raise _failure(task, error) from error
        yield task, extracted


def _in_processes(pipeline: ExtractionPipeline, tasks: Iterator[Task], jobs: int) -> Iterator[tuple[Task, Extracted]]:
    """Each batch computed by one of `jobs` worker processes, handed back in submission order."""
    pickled = blueprint(pipeline, "worker processes")
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker, initargs=(pickled,)
    )
    pending: deque[tuple[Task, Future[Extracted]]] = deque()
    try:
        _top_up(pool, pending, tasks, jobs * WINDOW_PER_WORKER)
        while pending:
            task, future = pending.popleft()
            extracted = _result(task, future)
            _top_up(pool, pending, tasks, jobs * WINDOW_PER_WORKER)
            yield task, extracted
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def blueprint(pipeline: ExtractionPipeline, destination: str) -> bytes:
    """The pipeline as bytes, pickled here so one that cannot travel fails before any worker starts."""
    try:
        return pickle.dumps(pipeline)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise ExtractionError(f"this extraction pipeline cannot be sent to {destination}: {error}") from error


def _top_up(
    pool: ProcessPoolExecutor,
    pending: deque[tuple[Task, Future[Extracted]]],
    tasks: Iterator[Task],
    window: int,
) -> None:
    """Submit tasks until `window` are in flight: enough to keep every worker busy, no more."""
    while len(pending) < window:
        task = next(tasks, None)
        if task is None:
            return
        pending.append((task, pool.submit(_extract_batch, task.items)))


def _result(task: Task, future: Future[Extracted]) -> Extracted:
    """The batch's mentions from its worker; the ExtractionError's cause keeps the worker's traceback."""
    try:
        return future.result()
    except BrokenProcessPool as error:  # which batch the dead worker held is not known: this one waited on it
        names = document_names([doc_id for doc_id, _ in task.items])
        raise ExtractionError(f"a worker process died before {names} were read (killed, or out of memory?)") from error
    except Exception as error:
        raise _failure(task, error) from error


def _failure(task: Task, error: Exception) -> ExtractionError:
    """The batch's ExtractionError for an exception raised reading it."""
    return batch_failure(task, type(error).__name__, first_line(error))


def batch_failure(task: Task, kind: str, reason: str) -> ExtractionError:
    """One line: the batch's documents, and the first line of what went wrong (`kind`: its class)."""
    names = document_names([doc_id for doc_id, _ in task.items])
    return ExtractionError(f"extraction failed on {names}: {kind}: {reason}")


def first_line(error: BaseException) -> str:
    """What an error says, up to its first line break ("" when it says nothing)."""
    return str(error).splitlines()[0] if str(error) else ""


def document_names(doc_ids: list[str]) -> str:
    """Documents on one line: all of them when few, else the first, the last and how many."""
    if len(doc_ids) <= 3:
        return ", ".join(doc_ids)
    return f"{doc_ids[0]} to {doc_ids[-1]} ({len(doc_ids)} documents)"


def _start_worker(blueprint: bytes) -> None:
    """Build this worker's pipeline once; Ctrl-C is the parent's to handle, so workers ignore it."""
    global _pipeline
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _pipeline = pickle.loads(blueprint)


def _extract_batch(items: list[Item]) -> Extracted:
    """In a worker: one batch through the same pipeline.stream the serial run uses."""
    assert _pipeline is not None, "the worker's initializer builds the pipeline"
    return list(_pipeline.stream(items))
