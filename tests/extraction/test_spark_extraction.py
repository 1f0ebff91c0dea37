"""`casetrail analyse --engine spark`: Spark computes the batches, the command writes them, and the
rows are the serial run's.

Every statement here is made up; the names are fictional. Spark starts once for the module (about
10 s on 2 cores, in this process: the session is the process's, shared with linkage); the CLI test
starts its own in a subprocess. Without pyspark or Java, the tests that need Spark are skipped,
saying why; the CLI's refusals run anyway. Failure tests use rules-only pipelines, which need no
model load in Spark's Python workers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from casetrail import spark as spark_support
from casetrail.analysis import Analysis
from casetrail.extraction.parallel import ExtractionError, extract_chunks
from casetrail.extraction.pipeline import ExtractionPipeline, rule_extractors
from casetrail.extraction.spark import SparkTaskTraceback, extract_chunks_on_spark, spark_reason
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model import Mention
from casetrail.store.home import Home
from casetrail.store.scratch import scratch_dir
from casetrail.synthetic.inquiry import generate_inquiry, write_corpus
from tests.conftest import CliRun

SPARK_UNAVAILABLE = spark_support.spark_unavailable_reason()
INQUIRY = Path(__file__).resolve().parents[1] / "casework" / "inquiry"  # five short fictional accounts
SYNTHETIC = 24  # statements from the synthetic generator, added to them


@pytest.fixture(scope="module")
def spark() -> Any:
    """The process's SparkSession, started once for the module (or found running)."""
    if SPARK_UNAVAILABLE is not None:
        pytest.skip(SPARK_UNAVAILABLE)
    return spark_support.spark_session()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    synthetic = tmp_path_factory.mktemp("synthetic")
    write_corpus(generate_inquiry(SYNTHETIC, seed=41), synthetic)
    return [INQUIRY, synthetic]


def _register(home: Path, folders: list[Path]) -> Register:
    register = Register.create(Home(home), f"test.example/{home.name}")
    register.ingest(iter_files(folders), Submission())
    return register


def _mention_rows(home: Path) -> list[tuple]:
    from tests.conftest import mention_rows  # here, not at import: Spark's workers import this module

    return mention_rows(home)


def _todo(register: Register, analysis: Analysis) -> list[str]:
    return [doc_id for doc_id, _ in register.store.analysis.documents_to_extract(analysis.pipeline_id)]


# -- the same rows -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, spark: Any, corpus: list[Path]) -> dict[str, Any]:
    """The same documents in two stores: one read serially, one on Spark, with the spaCy pipeline.

    Chunks of 5 over pipeline batches of 2 make tasks of 2, 2 and 1 documents: more tasks than
    one Spark window holds (2 per core), so windows, regrouping and order are all exercised."""
    root = tmp_path_factory.mktemp("spark-extraction")
    pipeline = ExtractionPipeline(batch_size=2)
    read: dict[str, int] = {}
    for name, engine in (("serial", "processes"), ("spark", "spark")):
        register = _register(root / name, corpus)
        read[name] = Analysis(register, pipeline).extract(batch=5, jobs=1, engine=engine)  # type: ignore[arg-type]
        register.store.close()
    return {"read": read, "serial": _mention_rows(root / "serial"), "spark": _mention_rows(root / "spark")}


def test_spark_writes_exactly_the_serial_mentions(both: dict[str, Any]) -> None:
    assert both["read"] == {"serial": 5 + SYNTHETIC, "spark": 5 + SYNTHETIC}
    serial = both["serial"]
    assert len(serial) > 5 + SYNTHETIC
    assert both["spark"] == serial  # ids, documents, spans, types, extractors, confidences, attributes
    assert {"spacy_ner", "police", "vehicles", "phones"} <= {row[6].split("@")[0] for row in serial}


def test_spark_hands_back_the_serial_chunks_whatever_the_batch_sizes(spark: Any) -> None:
    pipeline = ExtractionPipeline(rule_extractors(), batch_size=2)
    items = [(s.doc, s.text) for s in generate_inquiry(11, seed=5).statements]
    serial = list(extract_chunks(pipeline, items, chunk_size=5, jobs=1))
    assert [len(chunk) for chunk in serial] == [5, 5, 1]
    assert list(extract_chunks_on_spark(pipeline, items, chunk_size=5)) == serial


def test_the_local_session_keeps_its_files_in_scratch(spark: Any) -> None:
    """PySpark writes parallelized text under spark.local.dir: memory-backed scratch, not the disk."""
    workdir = spark_support.own_workdir(spark)
    if workdir is None:
        pytest.skip("a SparkSession casetrail did not create keeps its owner's folders")
    assert workdir.parent == (scratch_dir() or workdir.parent)
    conf = spark.sparkContext.getConf()
    assert Path(conf.get("spark.local.dir")).is_relative_to(workdir)
    assert f"-Djava.io.tmpdir={workdir}" in conf.get("spark.driver.extraJavaOptions")


# -- failures -------------------------------------------------------------------------------


class Exploding:
    """A rule extractor that raises, or kills its process, on one document (it must pickle: module level)."""

    name = "exploding"
    version = "1"

    def __init__(self, document_id: str | None, how: str = "raise") -> None:
        self.document_id, self.how = document_id, how

    def extract(self, document_id: str, text: str) -> list[Mention]:
        if document_id == self.document_id and self.how == "exit":
            os._exit(3)  # a Python worker dying outright, as the OOM killer would make it
        if document_id == self.document_id:
            raise RuntimeError("cannot read this document\nsecond line of detail")
        return []


@pytest.fixture
def register(tmp_path: Path) -> Register:
    """Twelve fictional statements in a fresh store."""
    corpus = tmp_path / "statements"
    write_corpus(generate_inquiry(12, seed=8), corpus)
    return _register(tmp_path / "home", [corpus])


def _analysis(register: Register, document_id: str | None, how: str = "raise") -> Analysis:
    return Analysis(register, ExtractionPipeline([*rule_extractors(), Exploding(document_id, how)]))


def test_a_failing_batch_raises_the_jobs_error_and_earlier_chunks_stay_written(register: Register, spark: Any) -> None:
    """Chunks of one document: twelve tasks, three Spark windows of four; the tenth fails."""
    todo = _todo(register, _analysis(register, None))
    analysis = _analysis(register, todo[9])
    with pytest.raises(ExtractionError) as on_spark:
        analysis.extract(batch=1, engine="spark")
    message = str(on_spark.value)
    assert message == f"extraction failed on {todo[9]}: RuntimeError: cannot read this document"
    cause = on_spark.value.__cause__
    assert isinstance(cause, SparkTaskTraceback) and "second line of detail" in str(cause)
    assert _todo(register, analysis) == todo[9:], "the nine chunks before the failure are kept"
    written = list(register.store.analysis.iter_mentions())
    assert written and {m.document_id for _, m in written} <= set(todo[:9])

    with pytest.raises(ExtractionError) as serially:  # the same words as a --jobs 1 run
        analysis.extract(batch=1, jobs=1)
    assert str(serially.value) == message
    assert _analysis(register, None).extract(batch=1, engine="spark") == 3  # a re-run goes on
    assert not _todo(register, analysis)


def test_a_python_worker_that_dies_names_the_documents_of_its_window(register: Register, spark: Any) -> None:
    analysis = _analysis(register, None)
    todo = _todo(register, analysis)
    with pytest.raises(ExtractionError) as raised:
        _analysis(register, todo[1], how="exit").extract(batch=2, engine="spark")
    message = str(raised.value)
    assert "\n" not in message
    window = f"{todo[0]} to {todo[7]} (8 documents)"  # six tasks of two; a window holds four
    assert message == (
        f"a Spark task failed while reading {window}: "
        "org.apache.spark.SparkException: Python worker exited unexpectedly (crashed)"
    )
    assert len(_todo(register, analysis)) == 12


def test_a_pipeline_that_cannot_be_pickled_fails_before_spark_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    import casetrail.extraction.spark as on_spark

    def no_spark() -> None:
        raise AssertionError("Spark was started")

    monkeypatch.setattr(on_spark, "spark_session", no_spark)
    unpicklable = Exploding(None)
    unpicklable.extract = lambda document_id, text: []  # type: ignore[method-assign]
    items = [(f"D-{i:06d}", "text") for i in range(4)]
    with pytest.raises(ExtractionError, match="cannot be sent to Spark"):
        extract_chunks_on_spark(ExtractionPipeline([unpicklable]), items, chunk_size=2)
    assert list(extract_chunks_on_spark(ExtractionPipeline([unpicklable]), [], chunk_size=2)) == []  # no start


def test_spark_reason_is_one_line() -> None:
    python = RuntimeError(
        "An exception was thrown from the Python worker: Traceback (most recent call last):\n"
        "  File \"worker.py\", line 3, in main\n    process()\nKeyError: 'nope'\n SQLSTATE: 38000\n\tat org.x"
    )
    assert spark_reason(python) == "KeyError: 'nope'"
    lost = RuntimeError(
        "An error occurred while calling z:o.collectAndServe.\n: org.apache.spark.SparkException: Job aborted due"
        " to stage failure: Task 1 in stage 0.0 failed 1 times, most recent failure: Lost task 1.0 in stage 0.0"
        " (TID 1) (localhost executor driver): org.apache.spark.SparkException: Python worker exited"
        " unexpectedly (crashed). Consider setting ...\nCaused by: java.io.EOFException"
    )
    assert spark_reason(lost) == "org.apache.spark.SparkException: Python worker exited unexpectedly (crashed)"
    assert spark_reason(RuntimeError("")) == "RuntimeError"


# -- the CLI ---------------------------------------------------------------------------------


def test_cli_analyse_on_spark_records_the_serial_mentions(
    cli: CliRun, tmp_path: Path, pipeline: ExtractionPipeline
) -> None:
    """End to end in a subprocess (its own Spark), against a serial read in this process."""
    if SPARK_UNAVAILABLE is not None:
        pytest.skip(SPARK_UNAVAILABLE)
    cli("init")
    cli("ingest", INQUIRY)
    stdout = cli("analyse", "--engine", "spark").stdout
    assert "read 5 new documents; resolved" in stdout and " entities: " in stdout
    serial = _register(tmp_path / "serial", [INQUIRY])
    assert Analysis(serial, pipeline).extract(jobs=1) == 5  # the default pipeline, as the CLI's
    serial.store.close()
    rows = _mention_rows(cli.home)  # type: ignore[attr-defined]
    assert rows and rows == _mention_rows(tmp_path / "serial")


def _invoke(home: Path, *args: str) -> tuple[int, list[str]]:
    from typer.testing import CliRunner

    from casetrail.cli import app as cli_app

    result = CliRunner().invoke(cli_app.app, ["--home", str(home), "analyse", *args])
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


def test_cli_refuses_spark_it_cannot_run_and_records_nothing(
    register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spark_support, "_java", lambda: None)  # whatever this machine has
    before = _todo(register, _analysis(register, None))
    code, lines = _invoke(tmp_path / "home", "--engine", "spark")
    assert code == 1 and lines == [
        "error: --engine spark cannot run here: the spark engine needs a Java runtime (17 or later);"
        " none on JAVA_HOME or PATH"
    ]
    assert _todo(register, _analysis(register, None)) == before
    assert not list(register.store.analysis.iter_mentions())


def test_cli_refuses_jobs_with_spark_and_unknown_engines(tmp_path: Path) -> None:
    code, lines = _invoke(tmp_path / "nowhere", "--engine", "spark", "--jobs", "2")
    assert code == 1 and len(lines) == 1 and lines[0].startswith("error: --jobs is for --engine processes")
    code, lines = _invoke(tmp_path / "nowhere", "--engine", "gpu")
    assert code == 1 and lines == ["error: unknown --engine 'gpu'; use processes or spark"]
    assert not (tmp_path / "nowhere").exists()


def test_cli_says_in_one_line_when_spark_will_not_start(
    register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import casetrail.extraction.spark as on_spark
    from casetrail.cli import app as cli_app

    def will_not_start() -> None:
        raise spark_support.EngineUnavailable("could not start a local Spark session: Java 11 is too old")

    monkeypatch.setattr(spark_support, "spark_unavailable_reason", lambda: None)
    monkeypatch.setattr(on_spark, "spark_session", will_not_start)
    monkeypatch.setattr(cli_app, "open_analysis", lambda model=None: _analysis(register, None))
    code, lines = _invoke(tmp_path / "home", "--engine", "spark")
    assert code == 1 and lines == ["error: could not start a local Spark session: Java 11 is too old"]
    assert len(_todo(register, _analysis(register, None))) == 12
