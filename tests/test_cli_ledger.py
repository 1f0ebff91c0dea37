"""The foundation, end to end through the CLI: ingest, receipts, proofs, tampering, sealing."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import CliRun, object_path, open_db
from tests.reference_rfc9162 import consistency_ok, inclusion_ok, open_note


def load_receipts(folder: Path) -> dict[str, dict]:
    return {p.name.split(".")[0]: json.loads(p.read_text()) for p in sorted(folder.glob("*.receipt.json"))}


def check_receipt_independently(receipt: dict, vkey: str) -> tuple[int, bytes]:
    origin, size, root = open_note(receipt["checkpoint"], vkey)
    assert size == receipt["tree_size"]
    leaf = base64.b64decode(receipt["leaf_hash"])
    if receipt.get("entry"):
        assert hashlib.sha256(b"\x00" + base64.b64decode(receipt["entry"])).digest() == leaf
    proof = [base64.b64decode(h) for h in receipt["inclusion_proof"]]
    assert inclusion_ok(leaf, receipt["leaf_index"], size, proof, root)
    return size, root


@pytest.fixture
def ingested(cli: CliRun, news_dir: Path, tmp_path: Path) -> Path:
    cli("init", "--origin", "casetrail.test/log")
    result = cli("ingest", news_dir, "--receipts", tmp_path / "receipts", "--submitted-by", "journalist-a")
    assert result.stdout.count("recorded D-") == 5, result.stdout
    return tmp_path / "receipts"


def test_news_corpus_ingests_and_verifies(cli: CliRun, ingested: Path) -> None:
    receipts = load_receipts(ingested)
    assert len(receipts) == 5
    vkey = cli("log", "key").stdout.strip()
    assert vkey.startswith("casetrail.test/log+") and len(vkey.split("+", 2)[1]) == 8
    for receipt in receipts.values():
        check_receipt_independently(receipt, vkey)
        assert {"leaf_index", "tree_size", "leaf_hash", "inclusion_proof", "checkpoint"} <= receipt.keys()
    assert cli("verify").returncode == 0
    for name in receipts:
        assert cli("verify-receipt", ingested / f"{name}.receipt.json").returncode == 0
    note = cli("log", "checkpoint").stdout
    assert note.startswith("casetrail.test/log\n5\n") and "\n\n\u2014 casetrail.test/log " in note


def test_reingest_records_nothing_new(cli: CliRun, ingested: Path, news_dir: Path) -> None:
    before = cli("log", "checkpoint").stdout
    again = cli("ingest", news_dir)
    assert again.stdout.count("duplicate ") == 5 and "0 recorded" in again.stdout
    assert cli("log", "checkpoint").stdout == before


def test_old_receipt_verifies_after_1000_more_ingests(cli: CliRun, ingested: Path, tmp_path: Path) -> None:
    vkey = cli("log", "key").stdout.strip()
    receipt = load_receipts(ingested)["D-000001"]
    size1, root1 = check_receipt_independently(receipt, vkey)
    more = tmp_path / "more"
    more.mkdir()
    for n in range(1000):
        (more / f"note-{n:04d}.txt").write_text(f"Fictional note number {n} about a parked van.\n")
    assert "1000 recorded" in cli("ingest", more, "--batch", "100").stdout
    origin, size2, root2 = open_note(cli("log", "checkpoint").stdout, vkey)
    assert size2 == 1005
    proof = json.loads(cli("log", "proof", "consistency", str(size1), str(size2)).stdout)
    assert proof["size1"] == size1 and proof["size2"] == size2
    assert base64.b64decode(proof["root1"]) == root1 and base64.b64decode(proof["root2"]) == root2
    assert consistency_ok(size1, size2, [base64.b64decode(h) for h in proof["proof"]], root1, root2)
    # and the old receipt still checks out through casetrail itself, against the newer tree
    checked = cli("verify-receipt", ingested / "D-000001.receipt.json", "--key", vkey)
    assert "tree size 1005" in checked.stdout


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "tamper",
    ["object-bytes", "text", "kind", "received_at", "entry", "node", "status", "delete-row"],
)
def test_a_one_byte_change_fails_verify_and_names_the_record(cli: CliRun, ingested: Path, tamper: str) -> None:
    home: Path = cli.home  # type: ignore[attr-defined]
    conn = open_db(home)
    sha, text = conn.execute("SELECT sha256, text FROM documents WHERE id = 'D-000003'").fetchone()
    if tamper == "object-bytes":
        _flip_byte(object_path(home, sha), 100)
    elif tamper == "text":
        changed = text[:50] + ("X" if text[50] != "X" else "Y") + text[51:]
        conn.execute("UPDATE documents SET text = ? WHERE id = 'D-000003'", (changed,))
    elif tamper == "kind":
        conn.execute("UPDATE documents SET kind = 'complaint' WHERE id = 'D-000003'")
    elif tamper == "received_at":
        conn.execute("UPDATE documents SET received_at = replace(received_at, '2', '3') WHERE id = 'D-000003'")
    elif tamper == "entry":
        data = bytearray(conn.execute("SELECT data FROM entries WHERE idx = 2").fetchone()[0])
        data[-5] ^= 0x01
        conn.execute("UPDATE entries SET data = ? WHERE idx = 2", (bytes(data),))
    elif tamper == "node":
        digest = bytearray(conn.execute("SELECT hash FROM nodes WHERE level = 0 AND idx = 2").fetchone()[0])
        digest[0] ^= 0x01
        conn.execute("UPDATE nodes SET hash = ? WHERE level = 0 AND idx = 2", (bytes(digest),))
    elif tamper == "status":
        conn.execute("UPDATE documents SET status = 'withdrawn' WHERE id = 'D-000003'")
    elif tamper == "delete-row":
        conn.execute("DELETE FROM documents WHERE id = 'D-000003'")
    conn.commit()
    conn.close()
    result = cli("verify", check=False)
    assert result.returncode != 0
    named = "leaf 2" if tamper in ("entry", "node") else "D-000003"
    assert named in result.stderr, result.stderr


def test_seal_withdraw_amend_add_and_keep_verifying(cli: CliRun, ingested: Path, tmp_path: Path) -> None:
    home: Path = cli.home  # type: ignore[attr-defined]
    vkey = cli("log", "key").stdout.strip()
    sha = open_db(home).execute("SELECT sha256 FROM documents WHERE id='D-000002'").fetchone()[0]
    cli("seal", "D-000002", "--reason", "court order", "--order", "Fictional Court ref 1/2026")
    assert not object_path(home, sha).exists()
    assert "sealed: content removed" in cli("show", "D-000002", "--text").stdout
    cli("withdraw", "D-000004", "--reason", "submitter asked")
    amended = tmp_path / "amended.txt"
    amended.write_text("A corrected fictional account.\n")
    assert "recorded D-000006" in cli("amend", "D-000005", amended, "--reason", "correction").stdout
    assert cli("verify").returncode == 0
    listing = [json.loads(line) for line in cli("documents", "--json").stdout.splitlines()]
    statuses = {row["id"]: row["status"] for row in listing}
    assert statuses == {
        "D-000001": "active",
        "D-000002": "sealed",
        "D-000003": "active",
        "D-000004": "withdrawn",
        "D-000005": "active",
        "D-000006": "active",
    }
    assert {row["id"]: row["amends"] for row in listing}["D-000006"] == "D-000005"
    # the sealed document's receipt still proves it was recorded
    check_receipt_independently(load_receipts(ingested)["D-000002"], vkey)
    assert cli("verify-receipt", ingested / "D-000002.receipt.json").returncode == 0
    # eight events: five received, one sealed, one withdrawn, one amended
    assert cli("log", "checkpoint").stdout.splitlines()[1] == "8"


def test_bad_files_fail_alone_with_a_reason(cli: CliRun, tmp_path: Path) -> None:
    cli("init")
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a-good.txt").write_text("A fictional statement about a blue van.\n")
    (batch / "b-broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\ngarbage")
    (batch / "c-empty.txt").write_bytes(b"")
    (batch / "d-image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (batch / "e-big.txt").write_text("x" * 5000)
    (batch / "f-good.md").write_text("# Note\n\nAnother fictional account.\n")
    result = cli("ingest", batch, "--max-bytes", "4000", check=False)
    assert result.returncode == 1
    failures = [line for line in result.stderr.splitlines() if line.startswith("failed ")]
    assert {Path(line.split()[1].rstrip(":")).name for line in failures} == {
        "b-broken.pdf",
        "c-empty.txt",
        "d-image.png",
        "e-big.txt",
    }
    assert result.stdout.count("recorded D-") == 2
    assert cli("verify").returncode == 0


def test_every_command_is_documented() -> None:
    import typer.main

    from casetrail.cli.app import app

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    group = typer.main.get_command(app)

    def walk(command, prefix: str):  # type: ignore[no-untyped-def]
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{prefix} {name}")
        if not getattr(command, "commands", None):
            yield prefix

    names = list(walk(group, "casetrail"))
    assert len(names) > 10
    missing = [name for name in names if f"`{name}" not in readme]
    assert not missing, f"commands missing from README.md: {missing}"


def test_email_attachments_become_documents_of_their_own(cli: CliRun, tmp_path: Path) -> None:
    from email.message import EmailMessage

    import docx

    cli("init")
    report = tmp_path / "report.docx"
    document = docx.Document()
    document.add_paragraph("Fictional duty log: PC 4521 Smith attended at 22:10.")
    document.save(report)
    message = EmailMessage()
    message["From"] = "caseworker@example.org"
    message["To"] = "inquiry@example.org"
    message["Subject"] = "Statement and duty log"
    message.set_content("Please find attached a fictional statement and log.")
    message.add_attachment(
        b"A fictional statement about a grey van.\n", maintype="text", subtype="plain", filename="statement.txt"
    )
    message.add_attachment(
        report.read_bytes(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="duty-log.docx",
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "message.eml").write_bytes(bytes(message))
    result = cli("ingest", inbox, "--kind", "statement", "--submitted-by", "caseworker-7", "--channel", "email")
    assert result.stdout.count("recorded D-") == 3
    rows = {row["source_name"]: row for row in map(json.loads, cli("documents", "--json").stdout.splitlines())}
    assert set(rows) == {"message.eml", "statement.txt", "duty-log.docx"}
    parent = rows["message.eml"]["id"]
    assert rows["statement.txt"]["parent_id"] == parent and rows["duty-log.docx"]["parent_id"] == parent
    assert all(row["submitted_by"] == "caseworker-7" and row["channel"] == "email" for row in rows.values())
    assert "PC 4521 Smith" in cli("show", rows["duty-log.docx"]["id"], "--text").stdout
    assert cli("verify").returncode == 0
