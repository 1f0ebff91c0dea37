"""The whole application on PostgreSQL (issue 14): the CLI and the workbench, as on SQLite.

One fictional inquiry is run through the CLI in this process twice, on a SQLite home and on a home
whose database is a fresh PostgreSQL database (`init --database URL`), and what each command says
is compared. Then the workbench is served from the PostgreSQL home: sign in, search, open a case.
Below that, cheaper checks: every named statement of every concern is valid PostgreSQL, the
engine-specific parts (duplicate bytes, full-text search, accounts) behave as on SQLite, and the
commands that only make sense for SQLite's file refuse in one line. Everyone here is fictional.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from fastapi.testclient import TestClient

from casetrail.errors import DuplicateContent, StoreError
from casetrail.model.document import Document, DocumentKind, Provenance
from casetrail.store import accounts, analysis, audit, casework, data_keys, documents, ledger, read_models
from casetrail.store.accounts import AccountStore, UserRow
from casetrail.store.home import ENV_DATABASE_URL, Home
from casetrail.store.postgres import STATEMENTS as LEDGER_STATEMENTS
from casetrail.store.postgres import PostgresStore, without_password
from casetrail.web.app import create_app
from tests.rest.conftest import Ran, ct, one_line_error

STATEMENTS = {
    "Marigold-Quennell.txt": (
        "Statement of Marigold Quennell, a fictional survivor, taken at the fictional Larkspur Home by DC Owen "
        "Pryce of Northshire Police on 3 March 2021.\n"
        "Marigold Quennell said a grey van collected her from the gate on Thursdays.\n"
    ),
    "Tobias-Fennimore.txt": (
        "Statement of Tobias Fennimore, a fictional witness. Tobias Fennimore worked at Larkspur Home in 1994 "
        "and saw Marigold Quennell leave in the grey van with DC Owen Pryce.\n"
    ),
    "Ines-Walbrook.txt": (
        "Note by Ines Walbrook, a fictional social worker at Northshire Council, dated 12 May 1995: the visits "
        "to Larkspur Home were never recorded.\n"
    ),
}
PASSWORD = "correct horse battery staple"
ORIGIN = "casetrail.test/postgres-app"
CONCERNS = (ledger, documents, analysis, casework, audit, data_keys, accounts, read_models)


@pytest.fixture
def statements(tmp_path: Path) -> Path:
    folder = tmp_path / "statements"
    folder.mkdir()
    for name, text in STATEMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def password_of(url: str) -> str:
    return urlsplit(url).password or ""


def inquiry(home: Path, statements: Path, env: dict[str, str | None], init: tuple[str, ...] = ()) -> dict[str, str]:
    """Every step of a small inquiry through the CLI; what each printed, with the parts that differ
    between any two runs (times, checkpoint roots) taken out."""

    def run(*args: str | Path) -> str:
        result: Ran = ct(home, *args, env=env)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    said: dict[str, str] = {}
    run("init", "--origin", ORIGIN, *init)
    said["ingest"] = run("ingest", statements).replace(str(statements), "IN")
    said["analyse"] = run("analyse")
    said["entities"] = run("entities", "--format", "json")
    said["mentions"] = run("mentions", "--format", "json")
    said["staff"] = run("staff", "add", "Helen Marsh", "--role", "supervisor", "--force", "Fictional Oversight Office")
    said["case open"] = run("case", "open", "Larkspur Home (fictional)")
    said["add-document"] = run("case", "add-document", "C-0001", "D-000001", "D-000002", "D-000003")
    said["add-party"] = run("case", "add-party", "C-0001", "--role", "complainant")
    said["seal"] = run("seal", "D-000003", "--reason", "a fictional court order")  # Tobias Fennimore's
    said["verify"] = re.sub(r"root [^,\s]+", "root ROOT", run("verify"))
    said["documents"] = "\n".join(
        json.dumps({k: v for k, v in json.loads(line).items() if k != "received_at"}, sort_keys=True)
        for line in run("documents", "--json").splitlines()
    )
    said["entities after the seal"] = run("entities", "--format", "json")
    said["user add"] = re.sub(
        r"U-\w+",
        "U-ID",
        ct(
            home,
            "user",
            "add",
            "marsh",
            "--role",
            "supervisor",
            "--staff",
            "S-0001",
            env={**env, "CASETRAIL_PASSWORD": PASSWORD},
        ).stdout,
    )
    return said


def test_the_inquiry_says_the_same_on_postgresql_as_on_sqlite(
    tmp_path: Path, statements: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_sqlite = inquiry(tmp_path / "sqlite", statements, {ENV_DATABASE_URL: None})
    pg_home = tmp_path / "postgres"
    # init is given the URL with its password; later commands find the password in the environment
    on_postgres = inquiry(pg_home, statements, {ENV_DATABASE_URL: postgres_url}, ("--database", postgres_url))
    assert not (pg_home / "casetrail.db").exists()
    for step in on_sqlite:
        assert on_postgres[step] == on_sqlite[step], step
    assert "OK: 10 log entries" in on_postgres["verify"] and "3 documents (1 sealed)" in on_postgres["verify"]
    assert json.loads(on_postgres["entities"]) and "grey van" not in on_postgres["documents"]

    # the home records the database without its password; the password is written nowhere in the home
    config = json.loads((pg_home / "config.json").read_text())
    assert config["database"] == without_password(postgres_url) and "@" in config["database"]
    secret = password_of(postgres_url)
    assert secret and all(secret.encode() not in p.read_bytes() for p in pg_home.rglob("*") if p.is_file())
    # ... and comes from PGPASSWORD (or ~/.pgpass) when CASETRAIL_DATABASE_URL is not set
    without = ct(pg_home, "verify", env={ENV_DATABASE_URL: None, "PGPASSWORD": None})
    assert "password" in one_line_error(without)
    assert ct(pg_home, "verify", env={ENV_DATABASE_URL: None, "PGPASSWORD": secret}).returncode == 0

    # the workbench, served from the PostgreSQL home: sign in, search, open the case
    monkeypatch.setenv(ENV_DATABASE_URL, postgres_url)
    app = create_app(Home(pg_home), secure_cookies=False)
    client = TestClient(app, headers={"Origin": "http://testserver"})
    wrong = client.post("/login", data={"username": "marsh", "password": "not the password"}, follow_redirects=False)
    assert wrong.status_code != 303
    signed = client.post("/login", data={"username": "marsh", "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    found = client.get("/api/search", params={"q": "grey van"}).json()
    # both statements said "grey van"; the sealed one's text is gone, from the index too
    assert [d["id"] for d in found["documents"]] == ["D-000002"]
    assert any(p["hit"] and p["text"].casefold() == "grey" for p in found["documents"][0]["snippet"])
    assert client.get("/api/search", params={"q": "Walbrook"}).json()["document_count"] == 1
    assert client.get("/api/search", params={"q": "Fennimore worked"}).json()["document_count"] == 0  # sealed
    case = client.get("/api/cases/C-0001")
    assert case.status_code == 200 and "Larkspur Home (fictional)" in case.text
    page = client.get("/cases/C-0001")
    assert page.status_code == 200 and "Larkspur Home (fictional)" in page.text
    assert client.get("/search", params={"q": "grey van"}).status_code == 200
    # every read above is audited in the ledger, and the store still verifies
    monkeypatch.delenv(ENV_DATABASE_URL)
    after = ct(pg_home, "verify", env={ENV_DATABASE_URL: postgres_url})
    assert after.returncode == 0 and after.stdout.startswith("OK: "), after.stderr


# -- every named statement is PostgreSQL ----------------------------------------------------------


def _numbered(sql: str) -> str:
    count = iter(range(1, 1000))
    return re.sub(r"%s", lambda _: f"${next(count)}", sql)


@pytest.fixture
def store(postgres_url: str) -> Iterator[PostgresStore]:
    opened = PostgresStore(postgres_url)
    yield opened
    opened.close()


@pytest.mark.parametrize("concern", CONCERNS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_named_statement_of_every_concern_parses_on_postgresql(store: PostgresStore, concern: object) -> None:
    """PREPARE makes the server parse, resolve and type each statement without running it."""
    named = concern.STATEMENTS("postgres")  # type: ignore[attr-defined]
    assert named
    problems = []
    for name, sql in named.items():
        try:
            store.conn.execute(f"PREPARE probe AS {_numbered(sql)}".encode())
            store.conn.execute(b"DEALLOCATE probe")
        except psycopg.Error as error:
            problems.append(f"{name}: {str(error).splitlines()[0]}")
    assert not problems


def test_the_ledgers_own_statements_parse_on_postgresql(store: PostgresStore) -> None:
    problems = []
    for name, sql in LEDGER_STATEMENTS.items():
        if sql.split()[0] not in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            continue  # COPY, LOCK, SHOW and SET cannot be prepared; every write and open runs them
        try:
            store.conn.execute(f"PREPARE probe AS {_numbered(sql)}".encode())
            store.conn.execute(b"DEALLOCATE probe")
        except psycopg.Error as error:
            problems.append(f"{name}: {str(error).splitlines()[0]}")
    assert not problems


# -- what differs between the engines, held to SQLite's behaviour ---------------------------------


def _document(seq: int, text: str, sha: str) -> tuple[Document, str]:
    doc = Document(
        id=f"D-{seq:06d}",
        sha256=sha,
        text_sha256=sha,
        size=len(text),
        media_type="text/plain",
        kind=DocumentKind.OTHER,
        provenance=Provenance("intake", "test", "2025-01-01T00:00:00Z", f"{seq}.txt"),
    )
    return doc, text


def test_the_same_bytes_twice_is_a_duplicate_and_search_marks_its_hits(store: PostgresStore) -> None:
    first = _document(1, "Ines Walbrook saw the grey van at Larkspur Home.", "a" * 64)
    second = _document(2, "Nothing of note: a fictional diary entry about the weather.", "b" * 64)
    with store.transaction():
        store.documents.add_document(*first, leaf_index=0)
        store.documents.add_document(*second, leaf_index=1)
    with pytest.raises(DuplicateContent):
        with store.transaction():
            store.documents.add_document(_document(3, "other text", "a" * 64)[0], "other text", leaf_index=2)
    assert [d.id for d, _, _ in store.documents.iter_documents()] == ["D-000001", "D-000002"]  # rolled back whole
    hits = store.documents.search_documents(["grey", "van"], 10)
    assert [doc_id for doc_id, _ in hits] == ["D-000001"]
    assert "\x02grey\x03" in hits[0][1] and "\x02van\x03" in hits[0][1]
    assert store.documents.search_documents(["grey", "weather"], 10) == []  # every word must match
    for odd in ('"', "NEAR(a b)", "text:Walbrook OR *", "'); DROP TABLE documents; --", "!&|"):
        store.documents.search_documents([odd], 10)  # no query syntax reaches the server
    assert list(store.documents.iter_texts()) == [(first[0].id, first[1]), (second[0].id, second[1])]
    with store.transaction():
        store.documents.clear_text("D-000001")
        store.documents.purge_search_index()
    assert store.documents.search_documents(["grey"], 10) == []
    assert store.generations()[0] > 0


def test_accounts_keep_their_rules_on_postgresql(store: PostgresStore) -> None:
    rows = AccountStore(store)
    user = UserRow("U-1", "tait", "$argon2id$fictional", ("investigator",), None, None, "2025-01-01T00:00:00Z")
    assert rows.add_user(user) and not rows.add_user(user)  # the name is taken: nothing written
    assert rows.get_user_by_name("tait") == user and rows.list_users() == [user]
    assert rows.claim_totp_step("U-1", 10) and not rows.claim_totp_step("U-1", 10) and rows.claim_totp_step("U-1", 11)
    assert [rows.record_failed_login("U-1", 3, "2025-01-01T00:15:00Z") for _ in range(3)] == [1, 2, 3]
    assert rows.get_user("U-1").locked_until == "2025-01-01T00:15:00Z"  # type: ignore[union-attr]
    rows.reset_failed_logins("U-1")
    rows.set_disabled("U-1", True)
    assert rows.get_user("U-1").disabled  # type: ignore[union-attr]


def test_a_read_only_store_refuses_writes(postgres_url: str) -> None:
    PostgresStore(postgres_url).close()  # migrated
    reader = PostgresStore(postgres_url, readonly=True)
    try:
        with pytest.raises(StoreError):
            with reader.transaction():
                pass
        with pytest.raises(StoreError):  # the server refuses a write outside any transaction too
            reader.run("INSERT INTO checkpoints (size, note) VALUES (%s, %s)", (1, "x"))
        assert reader.ledger_size() == 0
    finally:
        reader.close()


# -- what the CLI refuses -------------------------------------------------------------------------


def test_init_refuses_anything_but_a_postgresql_url(tmp_path: Path) -> None:
    for url in ("mysql://casetrail@db.example/casetrail", "casetrail.db", "host=db.example dbname=casetrail"):
        error = one_line_error(ct(tmp_path / "home", "init", "--database", url, env={ENV_DATABASE_URL: None}))
        assert "postgresql://" in error
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").iterdir())


def test_init_never_joins_a_database_holding_a_log(tmp_path: Path, postgres_url: str) -> None:
    env: dict[str, str | None] = {ENV_DATABASE_URL: postgres_url}
    assert ct(tmp_path / "one", "init", env=env).returncode == 0
    assert json.loads((tmp_path / "one" / "config.json").read_text())["database"] == without_password(postgres_url)
    error = one_line_error(ct(tmp_path / "two", "init", env=env))
    assert "already holds a casetrail log" in error
    assert not (tmp_path / "two" / "keys").exists()  # refused before any file was written
    # a home whose config names another home's database is refused, not appended to under another key
    other = tmp_path / "three"
    assert ct(other, "init", env={ENV_DATABASE_URL: None}).returncode == 0
    (other / "casetrail.db").unlink()
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "database": without_password(postgres_url)}))
    assert "not this home's" in one_line_error(ct(other, "verify", env=env))


def test_sqlite_file_commands_refuse_in_one_line_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    home = tmp_path / "home"
    env: dict[str, str | None] = {ENV_DATABASE_URL: postgres_url}
    assert ct(home, "init", "--database", postgres_url, env=env).returncode == 0
    assert "pg_dump" in one_line_error(ct(home, "backup", tmp_path / "backup", env=env))
    assert "server" in one_line_error(ct(home, "encrypt", env=env))
    assert "pg_restore" in one_line_error(ct(home, "restore", tmp_path / "backup", tmp_path / "new", env=env))
    # a SQLite home is not silently switched to PostgreSQL by the variable
    sqlite_home = tmp_path / "sqlite"
    assert ct(sqlite_home, "init", env={ENV_DATABASE_URL: None}).returncode == 0
    assert "casetrail.db" in one_line_error(ct(sqlite_home, "verify", env=env))
