"""Redaction: a redacted copy is a new version (an amendment) whose bytes hold none of the removed
text, PDFs included (their streams decompressed); the ledger event names spans, never their text.
Fictional documents only."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from casetrail.analysis import Analysis
from casetrail.errors import RedactionError
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.ledger.verification import verify_store
from casetrail.model.event import Event, EventType
from casetrail.redaction import MARK, Span, redact, suggest
from casetrail.store.home import Home

INQUIRY = Path(__file__).parent / "casework" / "inquiry"
BY = "disclosure-officer"
# What the rule extractors find in statement-ash.txt and the redaction must take out.
REMOVED = ["Ash", "Kelham Street", "Northmoor", "NM03 XKD", "Vauxhall Astra"]
PHONE = "0114 496 0123"


def _statement_pdf() -> bytes:
    """A two-page PDF of the statement (fpdf2 deflates its content streams), a phone on page 2."""
    text = (INQUIRY / "statement-ash.txt").read_text(encoding="utf-8")
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, text)
    pdf.add_page()
    pdf.multi_cell(0, 6, f"Ash can be reached on {PHONE}. Ash lives in Northmoor.")
    return bytes(pdf.output())


@pytest.fixture()
def register(tmp_path: Path) -> Register:
    register = Register.create(Home(tmp_path / "home"), "casetrail.test/redaction")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(INQUIRY / "statement-ash.txt", corpus / "statement-ash.txt")
    (corpus / "statement-ash.pdf").write_bytes(_statement_pdf())
    outcomes = register.ingest(iter_files([corpus]), Submission("intake", "test"))
    assert [o.status for o in outcomes] == ["recorded", "recorded"]
    Analysis(register, ExtractionPipeline(spacy_model=None)).extract()
    return register


def _id(register: Register, suffix: str) -> str:
    return next(
        d.id for d, _, _ in register.store.documents.iter_documents() if d.provenance.source_name.endswith(suffix)
    )


def _pdf_haystack(data: bytes) -> bytes:
    """Everything a PDF holds that could carry text: its raw bytes, every stream decompressed by
    pypdf, and the text pypdf extracts (with whitespace runs folded to one space)."""
    reader = PdfReader(io.BytesIO(data))
    parts = [data]
    for generation, numbers in reader.xref.items():
        for number in numbers:
            found = reader.get_object(IndirectObject(number, generation, reader))
            if isinstance(found, StreamObject):
                parts.append(found.get_data())
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    parts += [text.encode("utf-8"), " ".join(text.split()).encode("utf-8")]
    return b"\n".join(parts)


def _leaves(register: Register) -> list[bytes]:
    """Each event as recorded (the log's leaves hold commitments: ledger/commitments.py)."""
    return [data for _, data in register.store.ledger.iter_recorded()]


def _verified(register: Register) -> None:
    report = verify_store(register.store, register.objects, NoteVerifier.from_text(register.log.verifier_key()))
    assert report.ok, report.problems


def test_a_text_redaction_is_a_new_version_without_the_removed_text(register: Register) -> None:
    doc_id = _id(register, ".txt")
    text = register.store.documents.get_text(doc_id) or ""
    spans = suggest(register, doc_id)
    removed = {text[s.start : s.end] for s in spans}
    assert {"Ash", "Kelham Street", "Northmoor", "NM03 XKD"} <= removed
    assert "Darren Whitlock" not in removed  # officers are not suggested by default

    done = redact(register, doc_id, spans, "Disclosure to the defence: survivor's identity", BY)
    new, status, leaf = register.store.documents.get_document(done.version) or (None, None, None)
    assert new is not None and new.amends == doc_id and status == "active"
    data = register.objects.get(new.sha256) or b""
    for word in REMOVED:
        assert word.encode() not in data, word
    assert data.decode("utf-8").count(MARK) == len(spans)
    assert "PC Darren Whitlock, collar number 4471" in data.decode("utf-8")
    # the original stays as it was, active (need-to-know), not sealed
    assert register.store.documents.get_document(doc_id)[1] == "active"  # type: ignore[index]
    assert register.store.documents.get_text(doc_id) == text

    events = [Event.from_leaf(e) for e in _leaves(register)]
    amended = events[leaf]
    assert amended.type is EventType.DOCUMENT_AMENDED and amended.subject == done.version
    redacted = events[leaf + 1]  # in the same commit as the new version
    assert redacted.type is EventType.DOCUMENT_REDACTED and redacted.subject == doc_id and redacted.actor == BY
    body = redacted.body
    assert (body["original"], body["version"], body["sha256"]) == (doc_id, done.version, new.sha256)
    assert body["reason"] == "Disclosure to the defence: survivor's identity"
    assert [(s["start"], s["end"]) for s in body["spans"]] == [(s.start, s.end) for s in spans]
    assert {s["kind"] for s in body["spans"]} >= {"pseudonym", "place", "vehicle"}
    for word in REMOVED:
        assert word.encode() not in register.store.ledger.get_entry(leaf + 1), word  # type: ignore[operator]
        assert word.encode() not in _leaves(register)[leaf + 1], word
    _verified(register)

    # The same redaction again makes the same bytes: refused, nothing new recorded.
    size = register.log.size
    with pytest.raises(RedactionError, match="already on record as"):
        redact(register, doc_id, spans, "again", BY)
    assert register.log.size == size


def test_a_pdf_redaction_holds_none_of_the_removed_text_even_in_compressed_streams(register: Register) -> None:
    doc_id = _id(register, ".pdf")
    original = register.objects.get(register.store.documents.get_document(doc_id)[0].sha256) or b""  # type: ignore[index]
    before = _pdf_haystack(original)
    for word in [*REMOVED, PHONE]:
        assert word.encode() in before, word  # the scan sees it when it is there ...
    assert b"Kelham Street" not in original  # ... though only once the streams are inflated

    spans = suggest(register, doc_id, ["person", "place", "phone", "plate"])
    done = redact(register, doc_id, spans, "Disclosure to the defence", BY)
    new = register.store.documents.get_document(done.version)
    assert new is not None and new[0].amends == doc_id and new[0].media_type == "application/pdf"
    data = register.objects.get(new[0].sha256) or b""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2  # page by page
    after = _pdf_haystack(data)
    for word in [*REMOVED, PHONE, "0114"]:
        assert word.encode() not in after, word
    assert MARK.encode() in after and b"Darren Whitlock" in after
    assert "[REDACTED]" in (register.store.documents.get_text(done.version) or "")  # the new version's own text
    body = Event.from_leaf(_leaves(register)[done.leaf + 1]).body
    assert body["version"] == done.version and "phone" in {s["kind"] for s in body["spans"]}
    leaf = register.store.ledger.get_entry(done.leaf + 1) or b""
    for word in [*REMOVED, PHONE]:
        assert word.encode() not in leaf and word.encode() not in _leaves(register)[done.leaf + 1], word
    _verified(register)


def test_spans_are_checked_against_the_text(register: Register) -> None:
    doc_id = _id(register, ".txt")
    length = len(register.store.documents.get_text(doc_id) or "")
    size = register.log.size
    for bad in (Span(0, length + 1, "manual"), Span(5, 5, "manual"), Span(-1, 3, "manual")):
        with pytest.raises(RedactionError, match="outside"):
            redact(register, doc_id, [bad], "reason", BY)
    with pytest.raises(RedactionError, match="reason"):
        redact(register, doc_id, [Span(0, 3, "manual")], "  ", BY)
    register.seal(doc_id, BY, "court order")
    with pytest.raises(RedactionError, match="sealed"):
        redact(register, doc_id, [Span(0, 3, "manual")], "reason", BY)
    assert register.log.size == size + 1  # only the seal


def test_redact_command(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(INQUIRY / "statement-ash.txt", corpus / "statement-ash.txt")
    cli("init", "--origin", "casetrail.test/redact-cli")
    cli("ingest", corpus)
    text = (INQUIRY / "statement-ash.txt").read_text(encoding="utf-8")
    start = text.index("Darren Whitlock")
    end = start + len("Darren Whitlock")

    outside = cli("redact", "D-000001", "--span", f"10:{len(text) + 50}", "--reason", "x", check=False)
    assert outside.returncode == 1 and outside.stdout == ""
    assert outside.stderr.strip().count("\n") == 0 and "outside D-000001's text" in outside.stderr
    malformed = cli("redact", "D-000001", "--span", "ten:20", "--reason", "x", check=False)
    assert malformed.returncode == 1 and "START:END" in malformed.stderr

    listed = cli("redact", "D-000001", "--span", f"{start}:{end}", "--dry-run").stdout
    assert f"{start}:{end} manual Darren Whitlock" in listed

    made = cli("redact", "D-000001", "--span", f"{start}:{end}", "--reason", "Officer's name: not relevant", "--by", BY)
    version = made.stdout.strip()
    assert version == "D-000002"
    shown = cli("show", version, "--text").stdout
    assert "Darren Whitlock" not in shown and MARK in shown
    assert cli("verify").returncode == 0

    # Suggested spans, from the mentions `analyse` found: listed, then applied to the new version.
    cli("analyse")
    suggested = cli("redact", version, "--suggest", "--kinds", "person,place,plate", "--dry-run").stdout
    assert "pseudonym Ash" in suggested and "place Northmoor" in suggested and "NM03 XKD" in suggested
    again = cli("redact", version, "--suggest", "--reason", "Survivor's identity", "--by", BY).stdout.strip()
    assert again == "D-000003"
    shown = cli("show", again, "--text").stdout
    assert not any(word in shown for word in ("Kelham Street", "Northmoor", "NM03 XKD", "Darren Whitlock"))
    assert cli("verify").returncode == 0
    register = Register.open(Home(cli.home), readonly=True)
    try:
        leaves = b"".join(_leaves(register))
        redactions = [e for e in map(Event.from_leaf, _leaves(register)) if e.type is EventType.DOCUMENT_REDACTED]
    finally:
        register.store.close()
    assert [(e.subject, e.body["version"]) for e in redactions] == [("D-000001", version), (version, again)]
    for word in ("Darren Whitlock", "Kelham Street", "Northmoor", "NM03 XKD"):
        assert word.encode() not in leaves, word
