"""`casetrail analyse --jobs N`: workers compute, the parent writes, and the rows are the serial run's.

Every statement here is made up; the names are fictional. A 2-worker run with spaCy costs a model
load per worker, so the module makes one (through the CLI) and compares it with a serial run in
this process; the failure tests use rules-only pipelines, whose workers start in about a second.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from casetrail.analysis import Analysis
from casetrail.extraction.parallel import ExtractionError, default_jobs, extract_chunks
from casetrail.extraction.pipeline import ExtractionPipeline, rule_extractors
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model import Mention
from casetrail.store.home import Home

STATEMENTS = 40  # more than one 32-document pipeline batch, so --jobs 2 really starts two workers

GIVEN = ("Marsha", "Idris", "Tamsin", "Olek", "Grainne", "Ravi", "Petra", "Lachlan", "Nkechi", "Wendell")
SURNAMES = ("Quayle", "Brathwaite", "Oyelaran", "Fitchett", "Moravec", "Tillotson", "Ekwueme", "Stanforth")
RANKS = ("PC", "DC", "Sgt", "DS", "Inspector")
PLACES = ("Harrowgate Road", "the Coldwell estate", "Fenby bus station", "Little Usk Street", "Marrick")
SENTENCES = (
    "In {y} {r} {g} {s} drove me to {p} in a blue Ford Fiesta, registration T{n} WXJ.",
    "{g} {s} gave me a phone number, 07700 900{n3}, and told me to ring it after school.",
    "I told {r} {s} about it on {d} May {y} and he said nobody would believe me.",
    "My foster carer, {g} {s}, reported me missing from {p} twice that winter.",
    "Lark, which is not my real name, was with me at {p} when the car came back.",
    "The Harrowgate Youth Project closed in {y2} and the staff moved to Marrick.",
)


def _statements(count: int, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        y = rng.randint(1996, 2008)
        fields: dict[str, object] = {"y": y, "y2": y + rng.randint(1, 5), "d": rng.randint(1, 28)}
        sentences = []
        for _ in range(rng.randint(3, 5)):
            fields |= {
                "r": rng.choice(RANKS),
                "g": rng.choice(GIVEN),
                "s": rng.choice(SURNAMES),
                "p": rng.choice(PLACES),
                "n": rng.randint(100, 999),
                "n3": f"{rng.randint(0, 999):03d}",
            }
            sentences.append(rng.choice(SENTENCES).format(**fields))
        out.append(" ".join(sentences))
    return out


def _write_corpus(directory: Path, count: int) -> Path:
    directory.mkdir(parents=True)
    for index, text in enumerate(_statements(count)):
        (directory / f"statement-{index:03d}.txt").write_text(text + "\n")
    return directory


def _casetrail(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "casetrail", "--home", str(home), *map(str, args)]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=600)
    assert result.returncode == 0, f"{command} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def _mention_rows(home: Path) -> list[tuple]:
    from tests.conftest import mention_rows  # here, not at import: workers import this module for Exploding

    return mention_rows(home)


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory, pipeline: ExtractionPipeline) -> dict[str, object]:
    """The same statements in two homes: one analysed by `casetrail analyse --jobs 2`, one read serially."""
    root = tmp_path_factory.mktemp("parallel")
    corpus = _write_corpus(root / "statements", STATEMENTS)
    home = root / "home-jobs-2"
    _casetrail(home, "init")
    _casetrail(home, "ingest", corpus)
    stdout = _casetrail(home, "analyse", "--jobs", "2").stdout
    serial = Register.create(Home(root / "home-jobs-1"), "test.example/serial")
    serial.ingest(iter_files([corpus]), Submission())
    read = Analysis(serial, pipeline).extract(jobs=1)  # the default pipeline, as the CLI's
    serial.store.close()
    return {
        "stdout": stdout,
        "read": read,
        "rows-2": _mention_rows(home),
        "rows-1": _mention_rows(root / "home-jobs-1"),
    }


def test_two_jobs_write_exactly_the_serial_mentions(analysed: dict[str, object]) -> None:
    parallel, serial = analysed["rows-2"], analysed["rows-1"]
    assert analysed["read"] == STATEMENTS
    assert isinstance(serial, list) and len(serial) > STATEMENTS
    assert parallel == serial  # ids, spans, types, extractors, confidences and attributes, row for row
    extractors = {row[6].split("@")[0] for row in serial}
    assert {"spacy_ner", "police", "vehicles", "phones"} <= extractors


def test_cli_analyse_with_two_jobs_reads_every_document(analysed: dict[str, object]) -> None:
    stdout = analysed["stdout"]
    assert isinstance(stdout, str) and f"read {STATEMENTS} new documents; resolved" in stdout
    assert " entities: " in stdout and "officer" in stdout


def test_default_jobs_is_every_core() -> None:
    assert default_jobs() == (getattr(os, "process_cpu_count", os.cpu_count)() or 1) >= 1


# -- failures -----------------------------------------------------------------------------


class Exploding:
    """A rule extractor that raises, or kills its process, on one document (it must pickle: module level)."""

    name = "exploding"
    version = "1"

    def __init__(self, document_id: str | None, how: str = "raise") -> None:
        self.document_id, self.how = document_id, how

    def extract(self, document_id: str, text: str) -> list[Mention]:
        if document_id == self.document_id and self.how == "exit":
            os._exit(3)  # a worker dying outright, as the OOM killer would make it
        if document_id == self.document_id:
            raise RuntimeError("cannot read this document\nsecond line of detail")
        return []


@pytest.fixture
def register(tmp_path: Path) -> Register:
    """Eight fictional statements in a fresh store (rules only from here on: no spaCy load)."""
    corpus = _write_corpus(tmp_path / "statements", 8)
    register = Register.create(Home(tmp_path / "home"), "test.example/parallel")
    register.ingest(iter_files([corpus]), Submission())
    return register


def _analysis(register: Register, document_id: str | None, how: str = "raise") -> Analysis:
    return Analysis(register, ExtractionPipeline([*rule_extractors(), Exploding(document_id, how)]))


def test_a_failing_chunk_is_named_and_earlier_chunks_stay_written(register: Register) -> None:
    todo = [doc_id for doc_id, _ in register.store.analysis.documents_to_extract(_analysis(register, None).pipeline_id)]
    analysis = _analysis(register, todo[5])
    with pytest.raises(ExtractionError) as raised:
        analysis.extract(batch=2, jobs=2)  # chunks [0, 1] [2, 3] [4, 5] [6, 7]; [4, 5] fails
    message = str(raised.value)
    assert "\n" not in message
    assert message == f"extraction failed on {todo[4]}, {todo[5]}: RuntimeError: cannot read this document"
    left = [doc_id for doc_id, _ in register.store.analysis.documents_to_extract(analysis.pipeline_id)]
    assert left == todo[4:], "the two chunks before the failure are kept, nothing after it is written"
    written = list(register.store.analysis.iter_mentions())
    assert written and {m.document_id for _, m in written} <= set(todo[:4])

    assert _analysis(register, None).extract(batch=2) == 4  # a re-run goes on with what is left
    assert not register.store.analysis.documents_to_extract(analysis.pipeline_id)
    assert [pair for pair in register.store.analysis.iter_mentions() if pair in written] == written


def test_a_worker_that_dies_names_the_chunk_it_held_up(register: Register) -> None:
    analysis = _analysis(register, None)
    todo = [doc_id for doc_id, _ in register.store.analysis.documents_to_extract(analysis.pipeline_id)]
    with pytest.raises(ExtractionError, match=f"a worker process died before {todo[0]}, {todo[1]} were read"):
        _analysis(register, todo[1], how="exit").extract(batch=2, jobs=2)
    assert len(register.store.analysis.documents_to_extract(analysis.pipeline_id)) == 8


def test_a_pipeline_that_cannot_be_pickled_fails_before_any_worker_starts() -> None:
    unpicklable = Exploding(None)
    unpicklable.extract = lambda document_id, text: []  # type: ignore[method-assign]
    pipeline = ExtractionPipeline([unpicklable])
    items = [(f"D-{i:06d}", "text") for i in range(4)]
    with pytest.raises(ExtractionError, match="cannot be sent to worker processes"):
        list(extract_chunks(pipeline, items, chunk_size=2, jobs=2))
    assert list(extract_chunks(pipeline, items, chunk_size=2, jobs=1))  # in process it still runs


def test_workers_hand_back_the_serial_chunks_whatever_the_batch_sizes() -> None:
    """Chunks of 5 over pipeline batches of 2: tasks are cut as stream cuts them, chunks regrouped."""
    pipeline = ExtractionPipeline(rule_extractors(), batch_size=2)
    items = [(f"D-{i:06d}", text) for i, text in enumerate(_statements(11))]
    serial = list(extract_chunks(pipeline, items, chunk_size=5, jobs=1))
    assert [len(chunk) for chunk in serial] == [5, 5, 1]
    assert list(extract_chunks(pipeline, items, chunk_size=5, jobs=2)) == serial


def test_cli_reports_a_failing_batch_on_one_line(
    register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from casetrail.cli import app as cli_app

    # eight documents make one pipeline batch, read in this process whatever --jobs says: the same error

    todo = [doc_id for doc_id, _ in register.store.analysis.documents_to_extract(_analysis(register, None).pipeline_id)]
    monkeypatch.setattr(cli_app, "open_analysis", lambda model=None: _analysis(register, todo[0]))
    result = CliRunner().invoke(cli_app.app, ["--home", str(tmp_path / "home"), "analyse", "--jobs", "2"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: extraction failed on {todo[0]} to {todo[-1]} (8 documents)")
    assert lines[0].endswith("`casetrail analyse` goes on from there")
