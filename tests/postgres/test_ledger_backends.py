"""The ledger on SQLite and on PostgreSQL: the same trees, proofs and receipts, and on both the
append guarantees under concurrent writers (acknowledged only after commit, one tree, no gaps).

The published vectors are read from ../shared/vectors beside the repository, as in
tests/ledger/test_merkle_vectors.py; a missing folder fails these tests rather than skipping them.
"""

from __future__ import annotations

import ast
import base64
import json
import multiprocessing
import queue
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from casetrail.errors import StoreError
from casetrail.ledger.checkpoint import (
    Checkpoint,
    NoteSigner,
    open_checkpoint,
    split_note,
)
from casetrail.ledger.latest import LatestCheckpoint
from casetrail.ledger.log import Log
from casetrail.ledger.merkle import (
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from casetrail.ledger.receipt import Receipt, verify_receipt
from casetrail.ledger.storage import LedgerStorage
from casetrail.store.postgres import STATEMENTS, PostgresLedgerStore, redacted
from casetrail.store.sqlite import SqliteStore
from tests.postgres.backends import Backend, writer_process

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO.parent / "shared" / "vectors"
RFC6962 = VECTORS / "rfc6962"
TILES = VECTORS / "tlog-tiles"
# The RFC 6962 reference tree's leaves (transparency-dev's testonly data), as in test_merkle_vectors.
RFC6962_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]

WRITERS, APPENDS_EACH = 4, 50


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "ledger.db"))
    return Backend("postgres", request.getfixturevalue("postgres_url"))


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate("test.example/backends")


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _vectors(kind: str) -> list[dict[str, Any]]:
    folder = RFC6962 / kind
    assert folder.is_dir(), f"the RFC 6962 test vectors are missing: expected {folder}"
    return [json.loads(path.read_text()) for path in sorted(folder.rglob("*.json"))]


def _append_each(log: Log, leaves: list[bytes]) -> list[str]:
    return [log.append([leaf]).checkpoint for leaf in leaves]


# -- the interface --------------------------------------------------------------------------------


def test_log_uses_only_the_narrow_interface() -> None:
    """Every `self.store.X` in log.py is a member of LedgerStorage, so no backend can be missing one."""
    source = (REPO / "src" / "casetrail" / "ledger" / "log.py").read_text()
    used = {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "store"
    }
    members = {name for name in vars(LedgerStorage) if not name.startswith("_")}
    assert used, "log.py no longer calls its store as self.store.X: update this test"
    assert used <= members, f"log.py uses store members outside LedgerStorage: {sorted(used - members)}"


def test_both_stores_provide_the_interface(backend: Backend) -> None:
    store = backend.open()
    try:
        assert isinstance(store.ledger, LedgerStorage)
    finally:
        store.close()


# -- the published vectors, through a Log on each backend --------------------------------------------


def test_rfc6962_vectors_through_the_log(backend: Backend, signer: NoteSigner) -> None:
    log = Log(backend.open().ledger, signer)
    _append_each(log, RFC6962_LEAVES)
    checked = 0
    for vector in _vectors("inclusion"):
        index, size = vector["leafIdx"], vector["treeSize"]
        if (
            vector["wantErr"]
            or size > len(RFC6962_LEAVES)
            or _b64(vector["leafHash"]) != leaf_hash(RFC6962_LEAVES[index])
        ):
            continue  # failure cases, and the single-entry vector whose leaf is not the reference tree's
        assert log.root_at(size) == _b64(vector["root"])
        assert log.inclusion_proof(index, size) == [_b64(item) for item in vector["proof"] or []]
        checked += 1
    for vector in _vectors("consistency"):
        if vector["wantErr"] or len(_b64(vector["root1"])) != 32:
            continue
        size1, size2 = vector["size1"], vector["size2"]
        assert (log.root_at(size1), log.root_at(size2)) == (_b64(vector["root1"]), _b64(vector["root2"]))
        assert log.consistency_proof(size1, size2) == [_b64(item) for item in vector["proof"] or []]
        checked += 1
    assert checked >= 10, f"only {checked} vectors matched the reference tree"


def _tile_entries() -> list[bytes]:
    raw = (TILES / "tile" / "entries" / "000.p" / "15").read_bytes()
    entries, at = [], 0
    while at < len(raw):  # C2SP tlog-tiles entry bundle: a big-endian uint16 length, then the bytes
        length = int.from_bytes(raw[at : at + 2], "big")
        entries.append(raw[at + 2 : at + 2 + length])
        at += 2 + length
    return entries


def _tile_checkpoint(size: int) -> Checkpoint:
    body, _ = split_note((TILES / f"checkpoint.{size}").read_text(encoding="utf-8"))
    return Checkpoint.parse(body)


def test_tesseras_tiled_log_through_the_log(backend: Backend, signer: NoteSigner) -> None:
    """Tessera's 15 entries, appended one per commit: every checkpoint we sign has tessera's root."""
    assert TILES.is_dir(), f"the tlog-tiles test vectors are missing: expected {TILES}"
    entries = _tile_entries()
    assert len(entries) == 15
    log = Log(backend.open().ledger, signer)
    notes = _append_each(log, entries)
    for size, note in enumerate(notes, start=1):
        ours, theirs = open_checkpoint(note, signer.verifier()), _tile_checkpoint(size)
        assert (ours.size, ours.root) == (theirs.size, theirs.root)
        for size1 in range(1, size + 1):
            verify_consistency(
                size1, size, log.consistency_proof(size1, size), _tile_checkpoint(size1).root, theirs.root
            )


def test_both_backends_build_the_same_log(tmp_path: Path, postgres_url: str, signer: NoteSigner) -> None:
    """Same leaves in the same batches: byte-identical checkpoints (Ed25519 is deterministic) and proofs."""
    leaves = [f"event {n}".encode() * (n % 7 + 1) for n in range(300)]
    batches = [leaves[at : at + n % 13 + 1] for n, at in enumerate(range(0, 300, 7))]
    logs = [Log(SqliteStore(tmp_path / "a.db").ledger, signer), Log(PostgresLedgerStore(postgres_url), signer)]
    for log in logs:
        for batch in batches:
            log.append(batch)
    sqlite_store, postgres_store = logs[0].store, logs[1].store
    assert list(postgres_store.iter_checkpoints()) == list(sqlite_store.iter_checkpoints())  # type: ignore[attr-defined]
    assert list(postgres_store.iter_entries()) == list(sqlite_store.iter_entries())  # type: ignore[attr-defined]
    assert list(postgres_store.iter_nodes()) == list(sqlite_store.iter_nodes())  # type: ignore[attr-defined]
    size = logs[0].size
    for index, other in [(0, size), (17, 64), (63, 64), (64, 65), (199, 257), (size - 1, size)]:
        assert logs[1].inclusion_proof(index, other) == logs[0].inclusion_proof(index, other)
        assert logs[1].consistency_proof(index + 1, other) == logs[0].consistency_proof(index + 1, other)


def test_receipts_verify_on_both_backends(backend: Backend, signer: NoteSigner) -> None:
    log = Log(backend.open().ledger, signer)
    first = log.append([b"first", b"second", b"third"])
    log.append([b"fourth"])
    for index in range(4):
        receipt = Receipt.from_json(log.receipt(index).to_json())  # as it travels
        assert verify_receipt(receipt, signer.verifier()).size == 4
    old = log.receipt(1, size=first.size)
    later = verify_receipt(old, signer.verifier(), log.latest_checkpoint()[1], log.consistency_proof(3, 4))
    assert later.size == 4
    tampered = Receipt.from_json(
        log.receipt(2).to_json().replace(base64.b64encode(b"third").decode(), base64.b64encode(b"THIRD").decode())
    )
    with pytest.raises(Exception, match="does not hash"):
        verify_receipt(tampered, signer.verifier())


def test_a_failed_append_leaves_nothing_and_records_nothing_outside(
    backend: Backend, signer: NoteSigner, tmp_path: Path
) -> None:
    latest = LatestCheckpoint(tmp_path / "checkpoint.latest")
    log = Log(backend.open().ledger, signer, latest=latest)
    log.append([b"kept"])
    kept = latest.read()

    def broken(_: list[int]) -> None:
        raise RuntimeError("the caller's rows failed (simulated)")

    with pytest.raises(RuntimeError):
        log.append([b"lost", b"also lost"], also=broken)
    reader = backend.open()  # another connection sees what was committed, and only that
    assert reader.ledger.ledger_size() == 1 and reader.ledger.latest_checkpoint() == (1, kept)
    assert latest.read() == kept  # the checkpoint kept outside was not moved past the database
    assert log.append([b"next"]).indices == [1]


# -- the transaction discipline on PostgreSQL --------------------------------------------------------


def _waiting_on_a_lock(url: str, application: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
            (application,),
        ).fetchone()
    return bool(row and row[0])


def test_a_second_writer_waits_for_the_first_commit_and_follows_it(postgres_url: str, signer: NoteSigner) -> None:
    """Deterministic: writer A holds its append transaction open; writer B (another connection)
    must wait, not read the old size, and once A commits must number its leaves after A's."""
    first = Log(PostgresLedgerStore(postgres_url), signer)
    second_store = PostgresLedgerStore(postgres_url)
    second_store.conn.execute("SET application_name = 'casetrail-second-writer'")
    second = Log(second_store.ledger, signer)
    outcome: queue.Queue[object] = queue.Queue()
    inside, release = threading.Event(), threading.Event()

    def hold(_: list[int]) -> None:
        inside.set()
        assert release.wait(30)

    holder = threading.Thread(target=lambda: outcome.put(first.append([b"a1", b"a2", b"a3"], also=hold)))
    holder.start()
    assert inside.wait(30)
    follower = threading.Thread(target=lambda: outcome.put(second.append([b"b1"])))
    follower.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock(postgres_url, "casetrail-second-writer"):
        assert time.monotonic() < deadline, "the second writer did not wait for the first"
        assert outcome.empty(), f"the second writer finished while the first held its batch: {outcome.get()}"
        time.sleep(0.02)
    release.set()
    holder.join(30)
    follower.join(30)
    commits = sorted((outcome.get_nowait() for _ in range(2)), key=lambda commit: commit.size)  # type: ignore[attr-defined]
    assert [commit.indices for commit in commits] == [[0, 1, 2], [3]]
    assert dict(second_store.iter_entries()) == {0: b"a1", 1: b"a2", 2: b"a3", 3: b"b1"}


def test_the_append_lock_does_not_block_readers(postgres_url: str, signer: NoteSigner) -> None:
    writer = Log(PostgresLedgerStore(postgres_url), signer)
    writer.append([b"committed"])
    reader = PostgresLedgerStore(postgres_url)
    reader.conn.execute("SET statement_timeout = '5s'")  # a blocked read fails instead of hanging
    seen: list[object] = []

    def read_while_held(_: list[int]) -> None:
        seen.extend([reader.ledger_size(), reader.get_entry(0), reader.get_entry(1), reader.latest_checkpoint()])

    writer.append([b"uncommitted while read"], also=read_while_held)
    assert seen[:3] == [1, b"committed", None] and seen[3][0] == 1  # type: ignore[index]


def test_a_nondurable_server_is_refused(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {postgres_url.rsplit('/', 1)[1]} SET synchronous_commit = off".encode())
    with pytest.raises(StoreError, match="synchronous_commit is off") as refused:
        PostgresLedgerStore(postgres_url)
    assert ":***@" in str(refused.value) and redacted(postgres_url) in str(refused.value)
    password = postgres_url.split("@")[0].rsplit(":", 1)[1]
    assert password not in str(refused.value)


def test_the_statements_are_named_and_parameterised() -> None:
    assert "lock_ledger" in STATEMENTS and "SHARE ROW EXCLUSIVE" in STATEMENTS["lock_ledger"]
    assert all("?" not in sql for sql in STATEMENTS.values())  # psycopg's placeholders, not SQLite's


# -- many writer processes on one log -------------------------------------------------------------


def _run_writers(backend: Backend, signer: NoteSigner) -> dict[int, list[tuple[bytes, int, int, str]]]:
    # Made (and migrated) before the writers start: SQLite's migrate() reads user_version before
    # it takes the write lock, so processes opening a brand-new file together can race on it.
    backend.open().close()
    context = multiprocessing.get_context("spawn")  # no connection or lock is inherited by a fork
    barrier, results = context.Barrier(WRITERS), context.Queue()
    processes = [
        context.Process(target=writer_process, args=(backend, signer.to_text(), worker, APPENDS_EACH, barrier, results))
        for worker in range(WRITERS)
    ]
    for process in processes:
        process.start()
    reports = dict(results.get(timeout=180) for _ in processes)
    for process in processes:
        process.join(30)
    failures = [report for report in reports.values() if isinstance(report, str)]
    assert not failures, "\n".join(failures)
    # The writers really ran at once (each started before any finished): otherwise this test would
    # prove nothing about concurrency. Their indices need not interleave: SQLite's lock is not fair.
    assert max(start for start, _, _ in reports.values()) < min(end for _, end, _ in reports.values())
    return {worker: acks for worker, (_, _, acks) in reports.items()}


def test_concurrent_writer_processes_make_one_tree_without_gaps(backend: Backend, signer: NoteSigner) -> None:
    acknowledged = _run_writers(backend, signer)
    store = backend.open()
    total = WRITERS * APPENDS_EACH
    entries = dict(store.ledger.iter_entries())
    assert store.ledger.ledger_size() == total and sorted(entries) == list(range(total))  # one tree, no gaps
    acks = [ack for worker in acknowledged.values() for ack in worker]
    assert sorted(index for _, index, _, _ in acks) == list(range(total))  # no index given twice
    log = Log(store.ledger, signer)
    final_root = root_of([leaf_hash(entries[index]) for index in range(total)])
    assert log.root_at(total) == final_root
    for leaf, index, size, note in acks:  # every acknowledged leaf is where its checkpoint says
        assert entries[index] == leaf
        checkpoint = open_checkpoint(note, signer.verifier())
        assert checkpoint.size == size > index
        verify_inclusion(leaf_hash(leaf), index, size, log.inclusion_proof(index, size), checkpoint.root)
    stored = list(store.ledger.iter_checkpoints())  # type: ignore[union-attr]
    assert [size for size, _ in stored] == list(range(1, total + 1))  # one checkpoint per commit
    for size, note in stored:  # and every one of them is a prefix of the final tree
        checkpoint = open_checkpoint(note, signer.verifier())
        verify_consistency(size, total, log.consistency_proof(size, total), checkpoint.root, final_root)
