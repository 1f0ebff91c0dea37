"""Plaintext in passing stays in memory (issue 12): uploads, .doc conversion, DuckDB's spill and the
workbench's exports never put content in the system temporary directory, where a crash would leave
it and freed disk blocks would keep it.

What is created is seen by an audit hook (PEP 578): every open for writing, mkdir and tempfile
creation in this process, on any thread, is recorded while a `created()` block runs. Each check
that nothing lands in TMPDIR is paired with one that the same hook does see the file where it does
go, so a hook that saw nothing could not pass the test. Everyone here is fictional.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.formparsers import MultiPartParser

from casetrail.accounts import Accounts, in_ledger
from casetrail.casework import Casework
from casetrail.errors import StoreError
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import StaffRole
from casetrail.store import scratch
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.web.app import create_app
from tests.rest.conftest import CANARY, STATEMENT

PASSWORD = "correct horse battery staple"
ORIGIN = {"Origin": "http://testserver"}

# -- what this process creates ------------------------------------------------------------------

_SEEN: list[str] | None = None  # paths created while a `created()` block runs
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def _path(value: Any) -> str | None:
    if isinstance(value, (str, bytes, os.PathLike)):
        return os.path.abspath(os.fsdecode(value))
    return None  # a file descriptor: nothing is created by name


def _audit(event: str, args: tuple[Any, ...]) -> None:
    seen = _SEEN
    if seen is None:
        return
    if event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & _WRITE_FLAGS)
        if writing and (found := _path(path)):
            seen.append(found)
    elif event in ("os.mkdir", "tempfile.mkstemp", "tempfile.mkdtemp", "os.rename") and (
        found := _path(args[-1 if event == "os.rename" else 0])
    ):
        seen.append(found)


sys.addaudithook(_audit)  # for the whole run (a hook cannot be removed); idle outside `created()`


@contextmanager
def created() -> Iterator[list[str]]:
    global _SEEN
    _SEEN = seen = []
    try:
        yield seen
    finally:
        _SEEN = None


def under(paths: list[str], root: Path) -> list[str]:
    # O_TMPFILE opens the directory itself: the root counts as well as what is inside it
    return [p for p in paths if p == str(root) or p.startswith(f"{root}{os.sep}")]


# -- where scratch is, and a temp dir that must stay empty ---------------------------------------


@dataclass
class Places:
    scratch: Path
    tmpdir: Path


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Places:
    here = Places(tmp_path / "scratch", tmp_path / "tmpdir")
    here.scratch.mkdir()
    here.tmpdir.mkdir()
    monkeypatch.setenv(scratch.SCRATCH_ENV, str(here.scratch))
    monkeypatch.setenv("TMPDIR", str(here.tmpdir))
    monkeypatch.setattr(tempfile, "tempdir", str(here.tmpdir))  # gettempdir() has cached the old one
    return here


def test_scratch_is_casetrail_scratch_when_set_else_dev_shm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(scratch.SCRATCH_ENV, str(tmp_path))
    assert scratch.scratch_dir() == tmp_path
    with scratch.scratch_directory("casetrail-test-") as folder:
        assert folder.parent == tmp_path and folder.name.startswith("casetrail-test-")
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        (folder / "plain.txt").write_text(STATEMENT)
    assert list(tmp_path.iterdir()) == []  # removed on leaving, with what was in it
    monkeypatch.delenv(scratch.SCRATCH_ENV)
    if Path("/dev/shm").is_dir() and os.access("/dev/shm", os.W_OK | os.X_OK):
        assert scratch.scratch_dir() == Path("/dev/shm")
    monkeypatch.setattr(scratch, "SHM", tmp_path / "no-shm")
    assert scratch.scratch_dir() is None  # the fallback: the system temp dir, the one gap


def test_a_bad_casetrail_scratch_is_one_line_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    for bad in (tmp_path / "missing", a_file):
        monkeypatch.setenv(scratch.SCRATCH_ENV, str(bad))
        with pytest.raises(StoreError) as raised:
            scratch.scratch_dir()
        message = str(raised.value)
        assert "\n" not in message and message.startswith(f"CASETRAIL_SCRATCH={bad} ")
        with pytest.raises(StoreError):
            with scratch.scratch_directory("casetrail-test-"):
                pass
        with pytest.raises(StoreError, match="CASETRAIL_SCRATCH"):  # the server stops at start, not on an upload
            create_app(Home(tmp_path / "home"))


# -- the workbench ------------------------------------------------------------------------------


@dataclass
class World:
    home: Home
    case_id: str
    doc_id: str
    intake: TestClient
    supervisor: TestClient


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("scratch-web")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "quennell-statement.txt").write_text(STATEMENT)
    home = Home(root / "home")
    register = Register.create(home, "casetrail.test/scratch")
    register.ingest(iter_files([corpus]), Submission("intake", "test"))
    doc_id = next(d.id for d, _, _ in register.store.documents.iter_documents())
    cw = Casework(register)
    marsh = cw.register_staff("Helen Marsh", "lead", force="Fictional Oversight Office", roles=(StaffRole.SUPERVISOR,))
    case = cw.open_case("Larkspur Home", "lead")
    cw.add_documents(case.id, [doc_id], "lead")
    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    accounts.create_user("intake", PASSWORD, ["intake"])
    accounts.create_user("supervisor", PASSWORD, ["supervisor"], staff_id=marsh.id)
    app = create_app(home, secure_cookies=False)
    clients = []
    for name in ("intake", "supervisor"):
        client = TestClient(app, headers=ORIGIN)
        signed = client.post("/login", data={"username": name, "password": PASSWORD}, follow_redirects=False)
        assert signed.status_code == 303, name
        clients.append(client)
    return World(home, case.id, doc_id, *clients)


def csrf(client: TestClient) -> dict[str, str]:
    return {"x-csrf-token": client.get("/api/me").json()["csrf_token"]}


def test_an_upload_is_handed_to_the_register_from_scratch(
    world: World, places: Places, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[tuple[Path, bytes]] = []
    ingest = Register.ingest

    def watched(self: Register, paths: Any, *args: Any, **kwargs: Any) -> Any:
        paths = list(paths)
        handed.extend((path, path.read_bytes()) for path in paths)  # there while the register reads it
        return ingest(self, paths, *args, **kwargs)

    monkeypatch.setattr(Register, "ingest", watched)
    payload = STATEMENT.replace("Thursdays", "Tuesdays").encode()
    headers = csrf(world.intake)
    with created() as paths:
        answer = world.intake.post(
            "/api/documents", files=[("files", ("quennell-2.txt", payload, "text/plain"))], headers=headers
        )
    assert answer.status_code == 200 and answer.json()[0]["status"] == "recorded", answer.text
    assert [(path.name, data) for path, data in handed] == [("quennell-2.txt", payload)]
    assert handed[0][0].is_relative_to(places.scratch)
    assert under(paths, places.scratch)  # the hook saw the copy made there...
    assert under(paths, places.tmpdir) == []  # ...and nothing in the temp dir
    assert list(places.scratch.iterdir()) == [] and list(places.tmpdir.iterdir()) == []


def test_an_amendment_passes_through_scratch_never_the_temp_dir(world: World, places: Places) -> None:
    note = STATEMENT.replace("grey van", "dark grey van").encode()
    headers = csrf(world.supervisor)
    with created() as paths:
        answer = world.supervisor.post(
            f"/api/documents/{world.doc_id}/amendments",
            data={"reason": "the witness corrected the colour"},
            files={"file": ("quennell-corrected.txt", note, "text/plain")},
            headers=headers,
        )
    assert answer.status_code == 200 and answer.json()["amendment"].startswith("D-"), answer.text
    assert [p for p in under(paths, places.scratch) if p.endswith("quennell-corrected.txt")]
    assert under(paths, places.tmpdir) == []
    assert list(places.scratch.iterdir()) == [] and list(places.tmpdir.iterdir()) == []


def test_a_large_upload_is_not_spooled_to_the_temp_dir(
    world: World, places: Places, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = f"{CANARY} said the van came on Thursdays; nobody else was there.\n"
    payload = (line * (3 * 1024 * 1024 // len(line))).encode()  # 3 MiB: over Starlette's 1 MiB spool
    headers = csrf(world.intake)

    def upload() -> list[str]:
        with created() as paths:
            answer = world.intake.post(
                "/api/documents", files=[("files", ("long-statement.txt", payload, "text/plain"))], headers=headers
            )
        assert answer.status_code == 200, answer.text
        return under(paths, places.tmpdir)

    assert upload() == []
    # Starlette's own ceiling put back: the same upload is spooled to the temp dir, and the hook sees it
    monkeypatch.setattr(MultiPartParser, "spool_max_size", 1024 * 1024)
    assert upload() != []


def test_exports_are_built_in_memory(world: World, places: Places) -> None:
    headers = csrf(world.supervisor)
    with created() as paths:
        case_file = world.supervisor.get(f"/api/cases/{world.case_id}/export", params={"reason": "panel review"})
        bundle = world.supervisor.post(
            f"/api/cases/{world.case_id}/disclosure/export", data={"reason": "service"}, headers=headers
        )
    assert case_file.status_code == 200 and case_file.content.startswith(b"PK"), case_file.text
    assert bundle.status_code == 200 and bundle.content.startswith(b"PK"), bundle.text
    home = str(world.home.root)
    assert [p for p in paths if not (p == home or p.startswith(f"{home}{os.sep}"))] == []  # no file at all
    assert list(places.scratch.iterdir()) == [] and list(places.tmpdir.iterdir()) == []


# -- antiword and DuckDB ------------------------------------------------------------------------


def test_antiword_reads_its_copy_from_scratch(places: Places) -> None:
    import shutil

    from casetrail.intake.doc import read
    from casetrail.intake.limits import Limits
    from tests.intake.test_formats_more import make_doc

    if shutil.which("antiword") is None or shutil.which("prlimit") is None:
        pytest.skip("antiword or prlimit is not installed")
    with created() as paths:
        reading = read(make_doc([f"Statement of {CANARY}."]), "statement.doc", Limits())
    assert CANARY in reading.text
    assert [p for p in under(paths, places.scratch) if p.endswith("input.doc")]
    assert under(paths, places.tmpdir) == []
    assert list(places.scratch.iterdir()) == []


def test_duckdb_spills_only_into_scratch(places: Places, monkeypatch: pytest.MonkeyPatch) -> None:
    from casetrail.resolution.engines import open_engine

    def spill_setting() -> str:
        with open_engine("duckdb") as run:
            found = run.db_api.duckdb_con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
            assert list(places.scratch.iterdir()) != [] or found == ""
        return str(found)

    spill = spill_setting()
    assert Path(spill).parent.parent == places.scratch  # a private folder of the run's, in scratch
    assert list(places.scratch.iterdir()) == []  # gone with the run
    monkeypatch.setattr(scratch, "scratch_dir", lambda: None)
    assert spill_setting() == ""  # no scratch: DuckDB does not spill at all (its default is ./.tmp)
