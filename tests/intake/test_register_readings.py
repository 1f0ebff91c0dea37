"""What the readers say about a file reaches the record: no text found, pages read by OCR, children
unpacked from containers, and one unpacked-bytes budget per submitted file.

Scans are drawn at test time with Pillow (tests/intake/test_ocr.py); names and places are fictional.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from email.message import EmailMessage
from pathlib import Path

from PIL import Image
from pypdf import PdfReader, PdfWriter

from casetrail.analysis import Analysis
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.limits import Limits
from casetrail.intake.register import Outcome, Register, Submission
from casetrail.ledger.checkpoint import NoteSigner
from casetrail.ledger.commitments import check_opening
from casetrail.ledger.verification import verify_store
from casetrail.model.document import NO_TEXT, page_sources_sha256
from casetrail.model.event import Event
from casetrail.model.mention import MentionType
from casetrail.store import postgres_schema
from casetrail.store.home import Home
from casetrail.store.schema import _split, list_migrations
from tests.conftest import ON_POSTGRES, CliRun, another_database, run_sql
from tests.intake.test_ocr import (
    STATEMENT,
    encoded,
    image_only_pdf,
    needs_tesseract,
    scan,
)
from tests.intake.test_readers import make_pdf

TYPED_COVER = "Covering letter from DS Ruth Okafor of Lowbridge Police"


def new_register(tmp_path: Path, limits: Limits | None = None) -> Register:
    home = Home(tmp_path / "home")
    signer = NoteSigner.generate("casetrail.test/readings")
    home.create({"origin": signer.name, "limits": {}}, signer.to_text(), signer.verifier_key())
    return Register.open(home, limits)


def committed_metadata(register: Register, leaf_index: int) -> dict[str, object]:
    """The document metadata the ledger event at `leaf_index` commits to; its committed fields
    (issue 12: salted commitments in the leaf) replaced by the values that open them."""
    data = register.store.ledger.get_entry(leaf_index)
    assert data is not None
    event = Event.from_leaf(data)
    opened = register.with_opening(register.log.receipt(leaf_index, document_id=event.subject)).opening or {}
    assert check_opening(event.body, opened) == []
    return {**event.body["document"], **{p.removeprefix("document."): o["value"] for p, o in opened.items()}}


def verifies(register: Register) -> bool:
    return verify_store(register.store, register.objects, register.log.verifier).ok


def mixed_pdf() -> bytes:
    """Page 1 typed (a text layer), page 2 a scan with no text layer."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf([TYPED_COVER]))))
    writer.append(PdfReader(io.BytesIO(image_only_pdf([scan(STATEMENT[:3])]))))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def recorded(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.status == "recorded"]


# -- scans: page sources on record, OCR provenance on mentions --------------------------------


@needs_tesseract
def test_scanned_png_and_mixed_pdf_keep_their_page_sources_and_ocr_provenance(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "statement-scan.png").write_bytes(encoded(scan(STATEMENT), "PNG"))
    (folder / "bundle.pdf").write_bytes(mixed_pdf())
    register = new_register(tmp_path)
    outcomes = register.ingest(sorted(folder.iterdir()), Submission("intake-officer", "post"))
    by_name = {Path(o.source).name: o for o in recorded(outcomes)}
    assert set(by_name) == {"statement-scan.png", "bundle.pdf"}, [o.line() for o in outcomes]
    assert all(o.reason is None and ": " not in o.line() for o in by_name.values())  # text found: nothing to say

    bundle = by_name["bundle.pdf"].document_id
    assert bundle is not None
    pages = register.store.documents.page_sources(bundle)
    assert [(p.page, p.method) for p in pages] == [(1, "text"), (2, "ocr")]
    assert pages[0].confidence is None and pages[1].confidence is not None and pages[1].confidence > 60
    text = register.store.documents.get_text(bundle) or ""
    assert text[pages[0].start : pages[0].end] == TYPED_COVER
    # The ledger commits to the page sources, and the side table still matches it.
    meta = committed_metadata(register, by_name["bundle.pdf"].leaf_index or 0)
    assert meta["page_sources_sha256"] == page_sources_sha256(pages)
    assert "text_status" not in meta
    found = register.store.documents.get_document(bundle)
    assert found is not None and register.store.documents.with_reading(found[0]).metadata() == meta

    Analysis(register, ExtractionPipeline(spacy_model=None)).extract()
    mentions = dict(register.store.analysis.iter_mentions(document_id=bundle))
    ocr = register.store.documents.ocr_sources(bundle)
    officer = [mid for mid, m in mentions.items() if m.type == MentionType.OFFICER and "Hassan Ali" in m.text]
    assert officer and all(mid in ocr for mid in officer), [(m.text, m.type) for m in mentions.values()]
    assert ocr[officer[0]].page == 2
    assert re.fullmatch(r"OCR p\.2, \d{1,3}%", ocr[officer[0]].label)
    typed = [mid for mid, m in mentions.items() if m.end <= pages[0].end]
    assert typed, "the typed page should yield a mention (DS Ruth Okafor)"
    assert not any(mid in ocr for mid in typed), "a typed page's mention must not be marked as OCR"

    scan_id = by_name["statement-scan.png"].document_id or ""
    (page,) = register.store.documents.page_sources(scan_id)
    assert page.method == "ocr"
    scan_mentions = dict(register.store.analysis.iter_mentions(document_id=scan_id))
    assert scan_mentions and set(register.store.documents.ocr_sources(scan_id)) == set(scan_mentions)
    assert verifies(register)


# -- no text found: said on ingest, listed, on record, verifying ------------------------------


@needs_tesseract
def test_blank_scan_is_recorded_as_no_text_said_listed_and_verifies(cli: CliRun, tmp_path: Path) -> None:
    blank = tmp_path / "scan-0031.png"
    blank.write_bytes(encoded(Image.new("L", (900, 700), 255), "PNG"))
    typed = tmp_path / "note.txt"
    typed.write_text("Telephone note: Ms Jane Doe rang about the Elm Street custody suite.\n")
    cli("init", "--origin", "casetrail.test/readings")
    result = cli("ingest", blank, typed)
    lines = result.stdout.splitlines()
    said = next(line for line in lines if "scan-0031.png" in line)
    assert re.fullmatch(r"recorded D-000001 leaf 0 \S*scan-0031\.png: no text found: OCR found no words.*", said), said
    assert any(re.fullmatch(r"recorded D-000002 leaf 1 \S*note\.txt", line) for line in lines), lines

    listed = [json.loads(line) for line in cli("documents", "--no-text", "--json").stdout.splitlines()]
    assert [(row["id"], row["source_name"]) for row in listed] == [("D-000001", "scan-0031.png")]
    assert listed[0]["reason"].startswith("no text found: OCR found no words")
    table = cli("documents", "--no-text").stdout
    assert "D-000001" in table and "D-000002" not in table and "1 document(s) with no text found" in table

    shown = json.loads(cli("documents", "--json").stdout.splitlines()[0])
    assert shown["text_status"] == NO_TEXT and shown["text_reason"] == listed[0]["reason"]
    verified = cli("verify")
    assert verified.stdout.startswith("OK: 2 log entries"), verified.stdout + verified.stderr


def test_text_document_keeps_the_metadata_shape_of_older_records(tmp_path: Path) -> None:
    """Old events hold no reading keys; a plain text document recorded now must not gain any, or
    metadata would differ between documents recorded before and after readings were kept."""
    source = tmp_path / "note.txt"
    source.write_text("Note of a call from Mr John Roe about Abbey Lane.\n")
    register = new_register(tmp_path)
    (outcome,) = register.ingest([source], Submission())
    meta = committed_metadata(register, outcome.leaf_index or 0)
    assert not {"text_status", "text_reason", "page_sources_sha256"} & meta.keys()
    assert register.store.documents.reading(outcome.document_id or "") == ("read", None)
    assert register.store.documents.no_text_documents() == {}


def test_documents_recorded_empty_before_the_migration_are_listed(tmp_path: Path) -> None:
    source = tmp_path / "blank.txt"
    source.write_text(" \n\n\t\n")
    register = new_register(tmp_path)
    (outcome,) = register.ingest([source], Submission())
    assert outcome.status == "recorded" and (outcome.reason or "").startswith("no text found")
    assert "text_status" in committed_metadata(register, outcome.leaf_index or 0)
    # As a store from before migration 0008 would be, with no reading rows: then its backfill runs.
    register.store.conn.execute("DELETE FROM document_readings")
    assert register.store.documents.no_text_documents() == {}
    migrations = postgres_schema.list_migrations() if ON_POSTGRES else list_migrations()
    backfill = [sql for number, _, text in migrations if number == 8 for sql in _split(text)]
    register.store.run(next(sql for sql in backfill if sql.startswith("INSERT")))
    reopened = register
    assert reopened.store.documents.no_text_documents() == {outcome.document_id: None}


# -- containers: members become children, under one budget per submitted file ----------------


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_members_are_recorded_as_children_of_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "disclosure-batch-2.zip"
    archive.write_bytes(
        zipped(
            {
                "statements/witness-a.txt": b"Statement of Ms Ada Lark, 3 Mill Row, Lowbridge.\n",
                "notes/call.txt": b"Call from Mr Tom Reed about the Elm Street custody suite.\n",
            }
        )
    )
    register = new_register(tmp_path)
    outcomes = register.ingest([archive], Submission("solicitor", "upload"))
    assert [o.status for o in outcomes] == ["recorded"] * 3, [o.line() for o in outcomes]
    parent, *children = outcomes
    docs = {o.document_id: register.store.documents.get_document(o.document_id or "") for o in outcomes}
    assert all(docs[c.document_id][0].parent_id == parent.document_id for c in children)  # type: ignore[index]
    # Members in the archive's own order, each with its own text.
    assert [Path(c.source).name for c in children] == ["witness-a.txt", "call.txt"]
    assert "Ada Lark" in (register.store.documents.get_text(children[0].document_id or "") or "")


def nested_submission(payload: bytes) -> bytes:
    """outer.zip holding an e-mail whose attachment is inner.zip holding `payload`: three levels,
    each of which a reader measures on its own."""
    inner = zipped({"ledger-extract.txt": payload}, zipfile.ZIP_STORED)
    message = EmailMessage()
    message["From"] = "Mr Tom Reed <tom.reed@example.org>"
    message["To"] = "intake@inquiry.example"
    message["Subject"] = "Records as promised"
    message.set_content("Attached: the extract from the custody ledger.\n")
    message.add_attachment(inner, maintype="application", subtype="zip", filename="inner.zip")
    return zipped({"forwarded.eml": message.as_bytes()})


def payload_text(size: int) -> bytes:
    line = b"4 March 2025 21:10 detained person booked in at Elm Street custody suite by PC 4412\n"
    return (line * (size // len(line) + 1))[:size]


def test_unpacked_bytes_are_budgeted_across_nested_levels(tmp_path: Path) -> None:
    limit = 80_000
    data = nested_submission(payload_text(26_000))
    email_bytes = zipfile.ZipFile(io.BytesIO(data)).read("forwarded.eml")
    inner = zipped({"ledger-extract.txt": payload_text(26_000)}, zipfile.ZIP_STORED)
    # Each level alone is within the limit; only the total across levels is over it.
    assert len(email_bytes) < limit and len(inner) < limit and 26_000 < limit
    assert len(email_bytes) + len(inner) + 26_000 > limit
    source = tmp_path / "outer.zip"
    source.write_bytes(data)

    generous = new_register(tmp_path / "a")
    taken = generous.ingest([source], Submission())
    assert [o.status for o in taken] == ["recorded"] * 4, [o.line() for o in taken]

    with another_database():
        tight = new_register(tmp_path / "b", Limits(max_unpacked_bytes=limit))
        (refused,) = tight.ingest([source], Submission())
        assert refused.status == "failed" and refused.source == str(source)
        line = refused.line()
        assert "\n" not in line and "max_unpacked_bytes" in line and "80,000" in line, line
        assert list(tight.store.documents.iter_documents()) == [], "half a submission must not be recorded"
        tight.store.close()


def test_budget_counts_every_child_not_only_archives(tmp_path: Path) -> None:
    """Plain attachments of an e-mail count too: the budget is bytes unpacked, whatever their kind."""
    message = EmailMessage()
    message["From"] = "Ms Ada Lark <ada.lark@example.org>"
    message["Subject"] = "Two notes"
    message.set_content("Two notes attached.\n")
    for name in ("one.txt", "two.txt"):
        message.add_attachment(payload_text(30_000), maintype="text", subtype="plain", filename=name)
    source = tmp_path / "two-notes.eml"
    source.write_bytes(message.as_bytes())
    tight = new_register(tmp_path, Limits(max_unpacked_bytes=50_000))
    (refused,) = tight.ingest([source], Submission())
    assert refused.status == "failed" and "max_unpacked_bytes" in (refused.reason or "")


def test_base64_is_not_a_way_round_the_budget(tmp_path: Path) -> None:
    """The e-mail's own bytes are large (base64), but what is charged is what comes out of it."""
    payload = payload_text(40_000)
    message = EmailMessage()
    message["From"] = "Mr Tom Reed <tom.reed@example.org>"
    message["Subject"] = "One note"
    message.set_content("One note attached.\n")
    message.add_attachment(payload, maintype="application", subtype="octet-stream", filename="note.txt")
    source = tmp_path / "one-note.eml"
    source.write_bytes(message.as_bytes())
    assert len(base64.b64encode(payload)) > 50_000 > len(payload)
    register = new_register(tmp_path, Limits(max_unpacked_bytes=50_000))
    outcomes = register.ingest([source], Submission())
    assert [o.status for o in outcomes] == ["recorded", "recorded"], [o.line() for o in outcomes]


def test_outcome_line_says_no_text_only_when_there_is_something_to_say() -> None:
    quiet = Outcome("in/a.txt", "recorded", document_id="D-000003", leaf_index=7)
    said = Outcome(
        "in/scan.png", "recorded", document_id="D-000004", leaf_index=9, reason="no text found: OCR found no words"
    )
    assert quiet.line() == "recorded D-000003 leaf 7 in/a.txt"
    assert said.line() == "recorded D-000004 leaf 9 in/scan.png: no text found: OCR found no words"


def test_inbox_row_flags_a_document_with_no_text_and_says_why() -> None:
    from casetrail.model.document import Document, DocumentKind, Provenance
    from casetrail.web.workbench import _document_row

    def doc(doc_id: str) -> Document:
        provenance = Provenance("intake-officer", "post", "2025-03-05T10:00:00Z", f"{doc_id}.png")
        return Document(doc_id, "0" * 64, "1" * 64, 10, "image/png", DocumentKind.STATEMENT, provenance)

    empty = {"D-000004": "no text found: OCR found no words", "D-000005": None}
    flagged = _document_row(doc("D-000004"), "active", 9, empty)
    assert (flagged["text_status"], flagged["text_reason"]) == (NO_TEXT, "no text found: OCR found no words")
    legacy = _document_row(doc("D-000005"), "active", 10, empty)
    assert (legacy["text_status"], legacy["text_reason"]) == (NO_TEXT, "no text found")
    read = _document_row(doc("D-000006"), "active", 11, empty)
    assert (read["text_status"], read["text_reason"]) == ("read", None)


def test_verify_notices_a_changed_reading(tmp_path: Path) -> None:
    """The reading a document's event committed to (no text, OCR pages) is checked by `verify`."""
    from casetrail.ledger.checkpoint import NoteVerifier
    from casetrail.ledger.verification import verify_store

    home = Home(tmp_path / "home")
    register = Register.create(home, "casetrail.test/readings-verify")
    blank = tmp_path / "blank.png"
    Image.new("L", (400, 300), 255).save(blank)
    [outcome] = register.ingest([blank], Submission("intake", "test"))
    verifier = NoteVerifier.from_text(home.verifier_key())
    assert verify_store(register.store, register.objects, verifier).ok
    with register.store.transaction():
        run_sql(
            register.store,
            "UPDATE document_readings SET reason = 'tampered' WHERE document_id = ?",
            (outcome.document_id,),
        )
    report = verify_store(register.store, register.objects, verifier)
    assert not report.ok and any("text_reason" in str(p) for p in report.problems)
