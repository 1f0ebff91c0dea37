"""A log that reveals nothing (issue 12): document events commit to their identifying fields
(file name, submitter, channel, title, an amendment's reason) with salted commitments whose salts
stay in the encrypted database. An auditor given the entries and checkpoints learns no name;
`verify` recomputes each commitment; a receipt opens its fields only when asked; old leaves
(values in clear) keep verifying as they are."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from casetrail.casefile import export_case_file
from casetrail.errors import ReceiptError
from casetrail.intake.register import Register, utc_now
from casetrail.ledger.checkpoint import NoteVerifier
from casetrail.ledger.commitments import (
    DOCUMENT_PATHS,
    CommittedEvent,
    check_opening,
    commit_body,
    commit_event,
    commitment,
    field_salt,
    opens,
)
from casetrail.ledger.receipt import Receipt, verify_receipt
from casetrail.ledger.verification import verify_store
from casetrail.model.document import Document, DocumentKind, Provenance
from casetrail.model.event import Event, EventType, document_event
from casetrail.store.home import Home
from tests.conftest import open_db
from tests.rest.conftest import CANARY, STATEMENT, ct, hits

NAMED = f"{CANARY} statement.html"
TITLE = f"Account given by {CANARY}"
CHANNEL = f"hand delivered by {CANARY}"


def ingested(tmp_path: Path, *more: str) -> Path:
    home = tmp_path / "home"
    assert ct(home, "init", "--origin", "casetrail.test/reveals-nothing").returncode == 0
    inbox = tmp_path / "in"
    inbox.mkdir()
    body = STATEMENT.replace("\n", "</p><p>")
    (inbox / NAMED).write_text(f"<html><head><title>{TITLE}</title></head><body><p>{body}</p></body></html>")
    ran = ct(home, "ingest", inbox, "--submitted-by", CANARY, "--channel", CHANNEL, *more)
    assert ran.returncode == 0, ran.stderr
    return home


def opened(home: Path) -> Register:
    return Register.open(Home(home), readonly=True, settings=False)


def log_bytes(register: Register) -> list[bytes]:
    found = [data for _, data in register.store.ledger.iter_entries()]
    found += [note.encode() for _, note in register.store.ledger.iter_checkpoints()]
    return found


def key(register: Register) -> NoteVerifier:
    assert register.log.verifier is not None
    return register.log.verifier


def check(register: Register) -> list[str]:
    report = verify_store(register.store, register.objects, key(register))
    return [str(problem) for problem in report.problems]


def test_the_log_and_checkpoints_hold_no_name(tmp_path: Path) -> None:
    home = ingested(tmp_path, "--receipts", str(tmp_path / "receipts"))
    register = opened(home)
    try:
        found, _, index = register.store.documents.get_document("D-000001") or pytest.fail("not recorded")
        assert (found.provenance.source_name, found.provenance.submitted_by, found.title) == (NAMED, CANARY, TITLE)
        assert [form for data in log_bytes(register) for form in hits(data)] == []
        assert not any(hits(data, "Quennell") for data in log_bytes(register))
        event = Event.from_leaf(register.store.ledger.get_entry(index) or b"")
        assert event.body["v"] == 2
        assert event.body["committed"] == sorted(
            ["document.submitted_by", "document.channel", "document.source_name", "document.title"]
        )
        assert event.actor == event.body["document"]["submitted_by"]  # the submitter, committed
        assert event.body["document"]["kind"] and event.body["sha256"] == found.sha256  # the rest in clear
        assert check(register) == []
    finally:
        register.store.close()
    written = (tmp_path / "receipts" / "D-000001.receipt.json").read_bytes()
    assert hits(written) == [] and b"opening" not in written
    assert ct(home, "verify").returncode == 0


def test_a_receipt_opens_its_fields_only_when_asked(tmp_path: Path) -> None:
    home = ingested(tmp_path)
    plain = ct(home, "receipt", "D-000001")
    assert plain.returncode == 0 and hits(plain.stdout.encode()) == []
    assert ct(home, "receipt", "D-000001", "--tlog-proof", "--opening").stdout.count(CANARY) == 0
    asked = ct(home, "receipt", "D-000001", "--opening")
    assert asked.returncode == 0 and CANARY in asked.stdout
    receipt = Receipt.from_json(asked.stdout)
    assert receipt.opening is not None and receipt.opening["document.source_name"]["value"] == NAMED
    assert Receipt.from_json(receipt.to_json()) == receipt
    out = tmp_path / "submitter.receipt.json"
    out.write_text(asked.stdout)
    assert ct(home, "verify-receipt", out).returncode == 0
    register = opened(home)
    try:
        verify_receipt(receipt, key(register))
        # One field opened to a court shows that field and nothing else.
        court = {"document.source_name": receipt.opening["document.source_name"]}
        entry = json.loads(receipt.entry or b"")
        assert check_opening(entry["body"], court) == []
        lied = {"document.source_name": {**court["document.source_name"], "value": "someone-else.html"}}
        with pytest.raises(ReceiptError, match=r"opening does not match .*document\.source_name"):
            verify_receipt(Receipt(**{**receipt.__dict__, "opening": lied}), key(register))
    finally:
        register.store.close()


def test_ingest_gives_the_submitter_the_opening_when_asked(tmp_path: Path) -> None:
    ingested(tmp_path, "--receipts", str(tmp_path / "receipts"), "--opening")
    receipt = Receipt.from_json((tmp_path / "receipts" / "D-000001.receipt.json").read_text())
    assert receipt.opening is not None
    assert {path: item["value"] for path, item in receipt.opening.items()} == {
        "document.submitted_by": CANARY,
        "document.channel": CHANNEL,
        "document.source_name": NAMED,
        "document.title": TITLE,
    }


@pytest.mark.parametrize(
    ("column", "value", "named"),
    [("source_name", "innocuous.html", "source_name"), ("submitted_by", "someone", "submitted_by")],
)
def test_a_changed_committed_field_is_named(tmp_path: Path, column: str, value: str, named: str) -> None:
    home = ingested(tmp_path)
    db = open_db(home)
    try:
        db.execute(f"UPDATE documents SET {column} = ? WHERE id = 'D-000001'", (value,))
        db.commit()
    finally:
        db.close()
    ran = ct(home, "verify")
    assert ran.returncode != 0
    assert "D-000001" in ran.stderr and f"metadata no longer matches the log: {named}" in ran.stderr


def test_a_changed_salt_fails_every_committed_field(tmp_path: Path) -> None:
    home = ingested(tmp_path)
    db = open_db(home)
    try:
        db.execute("UPDATE commitments SET salt = ?", (b"\0" * 32,))
        db.commit()
    finally:
        db.close()
    ran = ct(home, "verify")
    assert ran.returncode != 0 and "channel, source_name, submitted_by, title" in ran.stderr


def test_an_amendments_reason_is_committed_and_held(tmp_path: Path) -> None:
    home = ingested(tmp_path)
    second = tmp_path / "second.txt"
    second.write_text(STATEMENT.replace("Thursdays", "Fridays"))
    reason = f"corrected at the request of {CANARY}"
    ran = ct(home, "amend", "D-000001", second, "--reason", reason, "--submitted-by", CANARY)
    assert ran.returncode == 0, ran.stderr
    register = opened(home)
    try:
        assert not any(hits(data) for data in log_bytes(register))
        _, _, index = register.store.documents.get_document("D-000002") or pytest.fail("not recorded")
        assert "reason" in Event.from_leaf(register.store.ledger.get_entry(index) or b"").body["committed"]
        assert register.store.ledger.commitment(index) is not None
        assert (register.store.ledger.commitment(index) or (b"", {}))[1] == {"reason": reason}
        assert register.receipt("D-000002", opening=True).opening["reason"]["value"] == reason  # type: ignore[index]
        assert check(register) == []
    finally:
        register.store.close()
    db = open_db(home)
    try:
        db.execute("UPDATE commitments SET held = ? WHERE leaf_index = ?", (json.dumps({"reason": "other"}), index))
        db.commit()
    finally:
        db.close()
    ran = ct(home, "verify")
    assert ran.returncode != 0 and "metadata no longer matches the log: reason" in ran.stderr


def _record_old_format(register: Register, name: str, text: str, by: str) -> int:
    """A document recorded exactly as casetrail did before commitments: every value in clear."""
    data = text.encode("utf-8")
    register.objects.put(data)
    at = utc_now()
    doc = Document(
        id=f"D-{register.store.documents.next_document_seq():06d}",
        sha256=hashlib.sha256(data).hexdigest(),
        text_sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        media_type="text/plain",
        kind=DocumentKind.STATEMENT,
        provenance=Provenance(by, "upload", at, name),
    )
    kind = EventType.DOCUMENT_RECEIVED
    leaf = Event(kind, doc.id, at, by, document_event(kind, doc.metadata(), doc.sha256, doc.text_sha256)).to_leaf()

    def rows(indices: list[int]) -> None:
        register.store.documents.add_document(doc, text, indices[0])
        register.store.documents.add_reading(doc.id, "read", None, ())

    return register.log.append([leaf], also=rows).indices[0]


def test_an_old_format_leaf_still_verifies(tmp_path: Path) -> None:
    home = ingested(tmp_path)
    register = Register.open(Home(home))
    try:
        index = _record_old_format(register, "old-statement.txt", "An old fictional statement.\n", "old officer")
        entry = register.store.ledger.get_entry(index) or b""
        assert b'"source_name":"old-statement.txt"' in entry and b'"v"' not in entry
        assert register.store.ledger.commitment(index) is None
        assert check(register) == []
        assert register.receipt("D-000002", opening=True).opening is None  # nothing to open: it is in clear
    finally:
        register.store.close()
    assert ct(home, "verify").returncode == 0
    db = open_db(home)
    try:
        db.execute("UPDATE documents SET source_name = 'renamed.txt' WHERE id = 'D-000002'")
        db.commit()
    finally:
        db.close()
    ran = ct(home, "verify")
    assert (
        ran.returncode != 0 and "D-000002 (renamed.txt): metadata no longer matches the log: source_name" in ran.stderr
    )


def test_commitments_hide_and_bind() -> None:
    body = document_event(
        EventType.DOCUMENT_RECEIVED,
        {"id": "D-000001", "source_name": NAMED, "submitted_by": CANARY, "title": None, "channel": "post"},
        "a" * 64,
        "b" * 64,
    )
    one, two = commit_body(body, DOCUMENT_PATHS), commit_body(body, DOCUMENT_PATHS)
    assert one.body["document"]["source_name"] != two.body["document"]["source_name"]  # salted
    assert body["document"]["source_name"] == NAMED  # the input is left alone
    assert one.held == {} and "reason" not in one.body["committed"]
    salt = field_salt(one.salt, "document.title")
    assert one.body["document"]["title"] == commitment(salt, None)
    assert field_salt(one.salt, "document.source_name") != field_salt(one.salt, "document.submitted_by")
    assert len(one.salt) == 32 and one.salt != two.salt


def test_the_no_text_line_is_committed_and_checked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert ct(home, "init", "--origin", "casetrail.test/reveals-nothing").returncode == 0
    blank = tmp_path / f"{CANARY}.txt"
    blank.write_text(" \n\n")
    assert ct(home, "ingest", blank, "--submitted-by", CANARY).returncode == 0
    register = opened(home)
    try:
        assert not any(hits(data) for data in log_bytes(register))
        event = Event.from_leaf(register.store.ledger.get_entry(0) or b"")
        assert "document.text_reason" in event.body["committed"] and event.body["document"]["text_status"]
        assert check(register) == []
    finally:
        register.store.close()
    db = open_db(home)
    try:
        db.execute("UPDATE document_readings SET reason = 'no text found: nothing to see'")
        db.commit()
    finally:
        db.close()
    ran = ct(home, "verify")
    assert ran.returncode != 0 and "metadata no longer matches the log: text_reason" in ran.stderr


def test_a_case_files_document_receipts_name_no_one(tmp_path: Path) -> None:
    home = ingested(tmp_path)
    register = Register.open(Home(home))
    try:
        out = export_case_file(
            tmp_path / "case.zip",
            case={"id": "C-0001", "title": "Fictional case", "history": []},
            document_ids=["D-000001"],
            store=register.store,
            objects=register.objects,
            log=register.log,
        )
    finally:
        register.store.close()
    with zipfile.ZipFile(out) as bundle:
        receipt = bundle.read("documents/D-000001/receipt.json")
    assert hits(receipt) == [] and b"opening" not in receipt
    assert Receipt.from_json(receipt).entry is not None  # the entry is there: it binds the sha256
    assert ct(home, "verify-case-file", out).returncode == 0


# -- every other event: subject, actor and body committed whole ---------------------------------

CASE_TITLE = f"Lifts given to {CANARY} from the Larkspur gate"
PSEUDONYM = "Kestrel Sevenalder"
SEAL_REASON = f"court order protecting {CANARY}"
READ_REASON = f"to telephone {CANARY} about the hearing"
SEARCH_TERM = "Wyvernhallow"


def worked(tmp_path: Path) -> Path:
    """A store with casework, a withdrawal, a seal and read audits, each naming the canary."""
    home = ingested(tmp_path)
    second = tmp_path / "second.txt"
    second.write_text("A second fictional statement about the grey van.\n")
    assert ct(home, "ingest", second, "--submitted-by", "clerk").returncode == 0
    for args in (
        ("staff", "add", "Ottoline Brackenbury", "--force", "Fictional Constabulary", "--by", CANARY),
        ("case", "open", CASE_TITLE, "--by", CANARY),
        ("case", "add-document", "C-0001", "D-000001", "--by", CANARY),
        ("case", "add-party", "C-0001", "--pseudonym", PSEUDONYM, "--by", CANARY),
        ("withdraw", "D-000002", "--reason", f"withdrawn by {CANARY}", "--actor", CANARY),
        ("seal", "D-000001", "--reason", SEAL_REASON, "--actor", CANARY),
    ):
        ran = ct(home, *args)
        assert ran.returncode == 0, (args, ran.stderr)
    inquiry_audit(home, "C-0001", {"kind": "identity", "reason": READ_REASON, "username": CANARY})
    inquiry_audit(home, SEARCH_TERM, {"kind": "search", "reason": None, "username": CANARY})
    return home


def inquiry_audit(home: Path, what: str, body: dict[str, object]) -> None:
    from casetrail.inquiry import Inquiry

    inquiry = Inquiry(Home(home))
    try:
        inquiry.audit(CANARY, what, body)
    finally:
        inquiry.store.close()


def test_no_event_names_anyone_in_the_log_yet_each_is_kept_as_recorded(tmp_path: Path) -> None:
    home = worked(tmp_path)
    register = opened(home)
    try:
        leaves = log_bytes(register)
        for canary in (CANARY, PSEUDONYM, SEARCH_TERM, "Ottoline Brackenbury", "Larkspur"):
            assert [form for data in leaves for form in hits(data, canary)] == [], canary
        recorded = [Event.from_leaf(data) for _, data in register.store.ledger.iter_recorded()]
        said = {(e.type, e.subject) for e in recorded}
        assert (EventType.CASE_OPENED, "C-0001") in said and (EventType.READ_AUDITED, SEARCH_TERM) in said
        assert any(e.body.get("reason") == READ_REASON for e in recorded)
        assert any(e.body.get("reason") == SEAL_REASON for e in recorded if e.type is EventType.DOCUMENT_SEALED)
        whole = [Event.from_leaf(data) for data, _ in zip(leaves, recorded, strict=False)]
        sealed = next(e for e in whole if e.type is EventType.DOCUMENT_SEALED)
        assert sealed.body["committed"] == ["actor", "event", "subject"] and len(sealed.subject) == 64
        assert check(register) == []
    finally:
        register.store.close()
    assert ct(home, "verify").returncode == 0
    assert ct(home, "case", "show", "C-0001").stdout.count(PSEUDONYM) >= 1  # casework reads the recorded event


def _tamper(home: Path, sql: str, *params: object) -> str:
    db = open_db(home)
    try:
        db.execute(sql, params)
        db.commit()
    finally:
        db.close()
    ran = ct(home, "verify")
    assert ran.returncode != 0
    return ran.stderr


def _leaf_of(home: Path, kind: EventType) -> int:
    register = opened(home)
    try:
        return next(i for i, data in register.store.ledger.iter_recorded() if Event.from_leaf(data).type is kind)
    finally:
        register.store.close()


def test_a_changed_recorded_event_fails_verify(tmp_path: Path) -> None:
    home = worked(tmp_path)
    index = _leaf_of(home, EventType.DOCUMENT_SEALED)
    db = open_db(home)
    try:
        (opened_event,) = db.execute("SELECT opened FROM commitments WHERE leaf_index = ?", (index,)).fetchone()
    finally:
        db.close()
    altered = bytes(opened_event).replace(SEAL_REASON.encode(), b"no reason at all")
    said = _tamper(home, "UPDATE commitments SET opened = ? WHERE leaf_index = ?", altered, index)
    assert f"leaf {index}: the event kept in the store no longer matches its leaf" in said


def test_a_missing_recorded_event_fails_verify(tmp_path: Path) -> None:
    home = worked(tmp_path)
    index = _leaf_of(home, EventType.CASE_OPENED)
    said = _tamper(home, "DELETE FROM commitments WHERE leaf_index = ?", index)
    assert f"leaf {index}: its event as recorded is missing from the store" in said


def test_the_log_alone_verifies_without_the_recorded_events(tmp_path: Path) -> None:
    home = worked(tmp_path)
    out = tmp_path / "log"
    assert ct(home, "log", "export", out).returncode == 0, "log export"
    exported = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    for canary in (CANARY, PSEUDONYM, SEARCH_TERM):
        assert hits(exported, canary) == [], canary
    key = ct(home, "log", "key").stdout.strip()
    ran = ct(tmp_path / "nowhere", "verify", "--log-only", str(out), "--key", key)
    assert ran.returncode == 0, ran.stderr


def test_whole_commitments_bind_and_leave_nameless_events_in_clear() -> None:
    event = Event(EventType.READ_AUDITED, SEARCH_TERM, "2026-01-01T00:00:00Z", CANARY, {"reason": READ_REASON})
    one, two = commit_event(event), commit_event(event)
    assert one.leaf != two.leaf and one.salt is not None and one.opened == event.to_leaf()
    assert opens(one.leaf, one.salt, one.opened) and not opens(two.leaf, one.salt, one.opened)
    changed = Event(event.type, event.subject, event.at, "someone else", event.body).to_leaf()
    assert not opens(one.leaf, one.salt, changed)
    assert hits(one.leaf) == [] and SEARCH_TERM.encode() not in one.leaf
    keys = Event(EventType.KEYS_ROTATED, "store", event.at, "operator", {"kek_id": "k1"})
    assert commit_event(keys) == CommittedEvent(keys.to_leaf(), None, keys.to_leaf())
