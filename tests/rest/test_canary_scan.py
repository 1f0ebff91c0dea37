"""The whole-system at-rest canary scan (issue 12, "Survivors protected at rest").

Distinctive canaries are planted through the CLI and the workbench: a survivor's name in a
statement and in its file name, a party's pseudonym and identity (the survivor's resolved entity),
the reason typed to open identifying details, search terms, an export's reason, and a second
statement that is then sealed. Ingest, analyse, casework, search, the workbench, backup and seal
all run. Then every byte at rest is scanned for every canary as UTF-8 (any case), UTF-16 and
base64: the home (database, WAL, SHM, objects, keys, config), the backups, the temporary directory
(TMPDIR and `tempfile.tempdir` point into the test's folder for the whole run, so SQLite's and our
own temporary files land where they are scanned) and the server's log. Zero hits. With the key,
every page of the database and its WAL (free pages and old frames too) is decrypted: the sealed
statement's canaries are gone, from the home and from a backup taken after the seal.

The workbench runs in this process through FastAPI's TestClient (the ASGI app, not uvicorn's
socket loop), so "the server's log" is every record the app and its libraries log, at DEBUG, into a
file: the root logger and "uvicorn", "uvicorn.access", "uvicorn.error", "fastapi", "casetrail".
Records of the test's own HTTP client (httpx, httpcore) are left out: they are the browser's side.
What the CLI prints and what the workbench answers are shown to the key holder or the viewer on
purpose, and a case file exported on request is given to its reader: none of them is at rest here.

A second test exports the log (`casetrail log export`), checks it with `verify --log-only`, and
scans it for every canary, the typed reasons and search terms included.

Everyone here is fictional.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from casetrail.store.home import Home
from casetrail.web.app import create_app
from tests.conftest import object_path
from tests.rest.conftest import Ran, ct, decrypted_pages, files_under, hits

pytestmark = pytest.mark.sqlite_only(
    reason="scans the SQLite file, its WAL, SQLCipher pages and `casetrail backup` copies"
)

BASE_URL = "http://testserver"
PASSWORD = "the wyvern sleeps under the hill"  # scanned for too: a typed secret at rest is a leak

# label -> canary. Each is unique to this test and to nothing ordinary.
SURVIVOR = "Perpetua Wyvernhall"  # in the statement, and the party's identity (her resolved entity)
SURVIVOR_FILE = "wyvernhall-statement.txt"
WEB_FILE = "wyvernhall-second-account.txt"  # the same survivor's second account, uploaded in the workbench
PSEUDONYM = "Kestrel Seven-Alder"  # the party added with the CLI
WEB_PSEUDONYM = "Merlin Tarn-Oakapple"  # the party added in the workbench
REASON = "Thrushcombe-Vell safeguarding referral"  # typed to open identifying details
EXPORT_REASON = "Saltinghurst tribunal bundle"  # typed to export a case file
SEARCH_IN_TEXT = "Quorndyke"  # a word of the statement, searched for
SEARCH_ABSENT = "Orlaith Brennock-Vayle"  # someone searched for whom no document names
SEALED = "Theodora Quillfeather"  # only in the statement that is sealed
SEALED_WORD = "Gorsemantle"  # a word only the sealed statement holds (the search index keeps words)

CANARIES: dict[str, str] = {
    "survivor's name": SURVIVOR,
    "survivor's surname": SURVIVOR.split()[-1],
    "statement's file name": SURVIVOR_FILE,
    "uploaded file's name": WEB_FILE,
    "CLI pseudonym": PSEUDONYM,
    "web pseudonym": WEB_PSEUDONYM,
    "identity reason": REASON,
    "export reason": EXPORT_REASON,
    "search term in the text": SEARCH_IN_TEXT,
    "search term for no one": SEARCH_ABSENT,
    "sealed name": SEALED,
    "sealed word": SEALED_WORD,
    "web password": PASSWORD,
}
SEALED_CANARIES = {label: c for label, c in CANARIES.items() if c in (SEALED, SEALED_WORD)}

STATEMENT = (
    f"Statement of {SURVIVOR}, a fictional survivor, taken at the fictional Larkspur Home.\n"
    f"{SURVIVOR} said a grey van took her to the {SEARCH_IN_TEXT} boathouse on Thursdays.\n"
    "PC Ambrose Lydgate drove the van, she said, and a second man waited by the gate.\n"
)
SECOND_ACCOUNT = (
    f"A second account from {SURVIVOR}, given in person and uploaded by the intake officer.\n"
    "She added that the boathouse had a green door and a broken lamp.\n"
)
SEALED_STATEMENT = (
    f"Statement of {SEALED}, a fictional witness, later sealed by a fictional court.\n"
    f"{SEALED} said the {SEALED_WORD} road was closed on the night in question.\n"
)

SERVER_LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "fastapi", "casetrail")
CLIENT_LOGGERS = ("httpx", "httpcore")


@dataclass
class Planted:
    root: Path
    home: Path
    backups: Path
    temp: Path
    server_log: Path
    db_key: bytes
    sealed_object: Path
    case_id: str
    survivor_doc: str
    sealed_doc: str

    def at_rest(self) -> Iterator[Path]:
        """Every file at rest: the home, the backups, the temporary directory and the server's log."""
        for root in (self.home, self.backups, self.temp):
            yield from files_under(root)
        yield self.server_log


def ok(result: Ran, what: str) -> Ran:
    assert result.returncode == 0, f"casetrail {what} exited {result.returncode}: {result.stderr}{result.stdout}"
    return result


def found_forms(data: bytes, canary: str) -> list[bytes]:
    """The forms of the canary in `data`: as written where they are, else as the case-blind match found them."""
    matched = hits(data, canary)
    return [form for form in matched if form in data] or matched[:1]


def scan(paths: Iterator[Path], canaries: dict[str, str], relative_to: Path) -> list[str]:
    """'file: label (form)' for each canary found in a file's bytes or in its name."""
    found = []
    for path in paths:
        data = path.read_bytes()
        where = str(path.relative_to(relative_to)) if path.is_relative_to(relative_to) else str(path)
        for label, canary in canaries.items():
            for form in found_forms(data, canary):
                found.append(f"{where}: {label} {canary!r} as {form!r}")
            if canary.lower() in where.lower():
                found.append(f"{where}: {label} {canary!r} in the file's name")
    return found


def sign_in(client: TestClient, username: str) -> str:
    """Signed in as a browser would be; the session's CSRF token."""
    page = client.get("/login")
    data = {"username": username, "password": PASSWORD}
    token = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    if token:
        data["csrf_token"] = token.group(1)
    signed = client.post("/login", data=data, follow_redirects=False)
    assert signed.status_code == 303, (username, signed.status_code, signed.text)
    return str(client.get("/api/me").json()["csrf_token"])


class ClientSide(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(CLIENT_LOGGERS)


def capture_server_log(path: Path) -> tuple[logging.Handler, dict[str, int]]:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.addFilter(ClientSide())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    levels = {}
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    return handler, levels


def release_server_log(handler: logging.Handler, levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logger = logging.getLogger(name)
        logger.removeHandler(handler)
        logger.setLevel(level)
    handler.close()


def plant_with_the_cli(root: Path, home: Path) -> tuple[str, str, str, str, str]:
    """Ingest, analyse and the casework, from the command line.
    (case, survivor's document, the document to seal, its sha256, her entity)"""
    inbox = root / "inbox"
    inbox.mkdir()
    (inbox / SURVIVOR_FILE).write_text(STATEMENT)
    (inbox / "sealed-order-statement.txt").write_text(SEALED_STATEMENT)  # its name is metadata, kept by a seal
    ok(ct(home, "init", "--origin", "casetrail.test/canary-scan"), "init")
    ok(ct(home, "ingest", inbox, "--submitted-by", "intake officer"), "ingest")
    listed = [json.loads(line) for line in ok(ct(home, "documents", "--json"), "documents").stdout.splitlines()]
    ids = {Path(d["source_name"]).name: (d["id"], d["sha256"]) for d in listed}
    (survivor_doc, _), (sealed_doc, sealed_sha) = ids[SURVIVOR_FILE], ids["sealed-order-statement.txt"]
    ok(ct(home, "analyse"), "analyse")
    entities = json.loads(ok(ct(home, "entities", "--format", "json"), "entities").stdout)
    survivor = next(e["id"] for e in entities if e["name"] == SURVIVOR)

    iopc = "Independent Office for Police Conduct"
    staff = ok(ct(home, "staff", "add", "Ingrid Halloran", "--force", iopc, "--role", "supervisor"), "staff add")
    staff_id = re.search(r"S-\d+", staff.stdout).group()  # type: ignore[union-attr]
    password = {"CASETRAIL_PASSWORD": PASSWORD}
    ok(ct(home, "user", "add", "halloran", "--role", "supervisor", "--staff", staff_id, env=password), "user add")
    ok(ct(home, "user", "add", "intake-desk", "--role", "intake", env=password), "user add")

    opened = ok(ct(home, "case", "open", "Complaint about a grey van"), "case open")
    case_id = re.search(r"C-\d+", opened.stdout).group()  # type: ignore[union-attr]
    party = ok(ct(home, "case", "add-party", case_id, "--pseudonym", PSEUDONYM, "--entity", survivor), "add-party")
    party_id = re.search(r"P-\d+", party.stdout).group()  # type: ignore[union-attr]
    ok(ct(home, "case", "add-document", case_id, survivor_doc, sealed_doc, "--given-by", party_id), "add-document")
    ok(ct(home, "case", "show", case_id), "case show")
    ok(ct(home, "show", survivor_doc, "--text"), "show")
    ok(ct(home, "staff", "list", "--case", case_id, "--search", SEARCH_ABSENT), "staff list --search")
    return case_id, survivor_doc, sealed_doc, sealed_sha, survivor


def plant_in_the_workbench(app: FastAPI, case_id: str, survivor_doc: str, survivor: str) -> None:
    """Upload, search, read, add a party, open her identity with a reason, export: as the users would."""
    with TestClient(app, headers={"Origin": BASE_URL}) as intake:
        csrf = sign_in(intake, "intake-desk")
        uploaded = intake.post(
            "/upload",
            files=[("files", (WEB_FILE, SECOND_ACCOUNT.encode(), "text/plain"))],
            data={"csrf_token": csrf},
        )
        assert uploaded.status_code == 200 and "recorded" in uploaded.text, uploaded.text
    with TestClient(app, headers={"Origin": BASE_URL}) as lead:
        csrf = sign_in(lead, "halloran")
        for query in (SEARCH_IN_TEXT, SEARCH_ABSENT):
            assert lead.get("/search", params={"q": query}).status_code == 200
            found = lead.get("/api/search", params={"q": query}).json()
            assert (survivor_doc in {d["id"] for d in found["documents"]}) == (query == SEARCH_IN_TEXT), found
        page = lead.get(f"/documents/{survivor_doc}")
        assert page.status_code == 200 and SURVIVOR in page.text
        assert lead.get(f"/api/documents/{survivor_doc}").status_code == 200
        assert lead.get(f"/cases/{case_id}").status_code == 200
        added = lead.post(
            f"/api/cases/{case_id}/parties",
            data={"csrf_token": csrf, "role": "witness", "pseudonym": WEB_PSEUDONYM, "entity_id": survivor},
        )
        assert added.status_code == 200, added.text
        party_id = next(
            p["id"] for p in lead.get(f"/api/cases/{case_id}").json()["parties"] if p["pseudonym"] == PSEUDONYM
        )
        revealed = lead.post(
            f"/cases/{case_id}/parties/{party_id}/identity", data={"reason": REASON, "csrf_token": csrf}
        )
        assert revealed.status_code == 200 and SURVIVOR in revealed.text, revealed.text
        exported = lead.post(f"/cases/{case_id}/export", data={"reason": EXPORT_REASON, "csrf_token": csrf})
        assert exported.status_code == 200 and exported.content[:4] == b"PK\x03\x04"  # given to her: not at rest
        assert lead.post("/logout", data={"csrf_token": csrf}).status_code in (200, 303)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planted]:
    root = tmp_path_factory.mktemp("scan")
    home, backups, temp, server_log = root / "home", root / "backups", root / "tmp", root / "server.log"
    temp.mkdir()
    backups.mkdir()
    handler, levels = capture_server_log(server_log)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("TMPDIR", "TEMP", "TMP"):
            patch.setenv(name, str(temp))
        patch.setattr(tempfile, "tempdir", str(temp))
        assert tempfile.gettempdir() == str(temp)
        try:
            case_id, survivor_doc, sealed_doc, sealed_sha, survivor = plant_with_the_cli(root, home)
            ok(ct(home, "backup", backups / "before-the-workbench"), "backup")
            # The workbench stays up, its connection to the store open, through the seal and backups.
            app = create_app(Home(home), secure_cookies=False)
            try:
                plant_in_the_workbench(app, case_id, survivor_doc, survivor)
                ok(ct(home, "backup", backups / "before-the-seal"), "backup")
                sealed = ct(home, "seal", sealed_doc, "--reason", "court order", "--order", "Fictional Court 7/2026")
                ok(sealed, "seal")
                ok(ct(home, "backup", backups / "after-the-seal"), "backup")
            finally:
                app.state.web.inquiry.store.close()
            ok(ct(home, "verify"), "verify")
        finally:
            release_server_log(handler, levels)
    keys = Home(home).unlock()
    assert keys is not None
    sealed_object = object_path(home, sealed_sha)
    yield Planted(root, home, backups, temp, server_log, keys.db_key, sealed_object, case_id, survivor_doc, sealed_doc)


def test_no_byte_at_rest_holds_a_canary(planted: Planted) -> None:
    # The scan's control: everything was planted and is readable with the key.
    shown = ok(ct(planted.home, "show", planted.survivor_doc, "--text"), "show").stdout
    assert SURVIVOR in shown and SEARCH_IN_TEXT in shown
    assert "sealed: content removed" in ct(planted.home, "show", planted.sealed_doc, "--text").stdout
    scanned = list(planted.at_rest())
    names = {str(p.relative_to(planted.root)) for p in scanned}
    assert {"home/casetrail.db", "home/keys/keyring.json", "server.log"} <= names, sorted(names)
    assert any(n.startswith("home/objects/") for n in names) and any(n.startswith("backups/after") for n in names)
    assert planted.server_log.stat().st_size > 0, "the server's log caught nothing: the capture is broken"

    found = scan(iter(scanned), CANARIES, planted.root)
    assert found == [], "canaries at rest:\n" + "\n".join(found)


def test_the_sealed_statement_is_gone_even_with_the_key(planted: Planted) -> None:
    stores = [planted.home / "casetrail.db", planted.backups / "after-the-seal" / "casetrail.db"]
    # The check's controls: decryption works (her statement is kept), and a backup taken before the
    # seal still holds the sealed statement (README: what a backup taken before a seal still allows).
    for db in stores:
        assert any(hits(page, SURVIVOR) for page in decrypted_pages(planted.db_key, db)), f"{db} did not decrypt"
    before = planted.backups / "before-the-seal" / "casetrail.db"
    assert any(hits(page, SEALED) for page in decrypted_pages(planted.db_key, before))
    assert not planted.sealed_object.exists(), f"the sealed statement's object is still at {planted.sealed_object}"
    found = [
        f"{db.relative_to(planted.root)} (decrypted page {n}): {label} {canary!r} as {form!r}"
        for db in stores
        for n, page in enumerate(decrypted_pages(planted.db_key, db))
        for label, canary in SEALED_CANARIES.items()
        for form in found_forms(page, canary)
    ]
    assert found == [], "the sealed statement survives, with the key:\n" + "\n".join(found)


def test_a_log_export_holds_no_canary(planted: Planted, tmp_path: Path) -> None:
    export = tmp_path / "log-export"
    ok(ct(planted.home, "log", "export", export), "log export")
    nobody = {"CASETRAIL_KEY_FILE": None, "CASETRAIL_PASSPHRASE": None}
    checked = ct(
        tmp_path / "no-home", "verify", "--log-only", export, "--key", planted.home / "keys" / "log.vkey", env=nobody
    )
    assert checked.returncode == 0 and checked.stdout.startswith("OK (log only)"), checked.stderr
    # The scan's control: the export holds the events the canaries were typed into.
    types = {
        json.loads(base64.b64decode(json.loads(line)["entry"]))["type"]
        for line in (export / "entries.jsonl").read_text().splitlines()
    }
    assert {"document.received", "case.party_added", "read.audited", "account.created", "document.sealed"} <= types, (
        types
    )
    found = scan(files_under(export), CANARIES, tmp_path)
    assert found == [], "canaries in the log export:\n" + "\n".join(found)
