"""A batch of originals goes to the object store together (ObjectStore.put_many): its data keys in
a constant number of statements however large the batch, its files fsynced together, each
durable and readable, repeats written once, and nothing temporary left when a write fails."""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from casetrail.errors import DiskFull, StoreError
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.ledger.checkpoint import NoteSigner
from casetrail.store.data_keys import DataKeys
from casetrail.store.database import Database
from casetrail.store.home import Home
from casetrail.store.objects import ObjectStore


def blobs(count: int, tag: str = "") -> list[bytes]:
    return [f"statement {tag}{i}: a fictional account of a grey van\n".encode() for i in range(count)]


def new_home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    signer = NoteSigner.generate("casetrail.test/objects")
    home.create({"origin": signer.name, "limits": {}}, signer.to_text(), signer.verifier_key())
    return home


@pytest.fixture(params=["encrypted", "plaintext"])
def objects(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    """An encrypted object store over a home's database (the tests' backend), or a plaintext one."""
    if request.param == "plaintext":
        yield ObjectStore(tmp_path / "objects")
        return
    home = new_home(tmp_path)
    store = home.open_store()
    try:
        yield home.objects(store)
    finally:
        store.close()


def object_files(objects: ObjectStore) -> list[Path]:
    return [path for path in objects.root.rglob("*") if path.is_file()]


class _Counted:
    """A Database that notes the text of every statement run through it."""

    def __init__(self, db: Database, seen: list[str]) -> None:
        self._db = db
        self._seen = seen

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        self._seen.append(sql)
        return self._db.run(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


@pytest.fixture
def data_key_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the data-key table sends to the database (reads and its writes alone), from
    every store opened after this fixture: each is a round trip on a database server."""
    seen: list[str] = []
    original = DataKeys.__init__

    def counted(self: DataKeys, db: Database, write_alone: Callable[..., None]) -> None:
        def write(sql: str, rows: Any, doing: str) -> None:
            seen.append(sql)
            write_alone(sql, rows, doing)

        original(self, _Counted(db, seen), write)

    monkeypatch.setattr(DataKeys, "__init__", counted)
    return seen


def test_a_batch_round_trips(objects: ObjectStore) -> None:
    datas = blobs(12)
    shas = objects.put_many(datas)
    assert shas == [hashlib.sha256(data).hexdigest() for data in datas]
    assert [objects.get(sha) for sha in shas] == datas
    assert len(object_files(objects)) == 12
    assert objects.put_many(datas) == shas and [objects.get(sha) for sha in shas] == datas  # held: unchanged


def test_repeats_in_a_batch_are_written_once(objects: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed: list[str] = []
    replace = os.replace

    def counted(source: Any, target: Any) -> None:
        renamed.append(str(target))
        replace(source, target)

    monkeypatch.setattr(os, "replace", counted)
    one, two = blobs(2)
    shas = objects.put_many([one, two, one, one])
    assert shas[0] == shas[2] == shas[3] != shas[1]
    assert len(renamed) == 2 and len(object_files(objects)) == 2
    assert objects.get(shas[0]) == one and objects.get(shas[1]) == two
    renamed.clear()
    assert objects.put_many([two, one]) == [shas[1], shas[0]] and renamed == []  # held: not written again


class _Overtaken:
    """A data-key table whose first read misses a key that another writer then commits (with its
    object file) before this writer adds its own: the race two ingests of the same bytes can run."""

    def __init__(self, table: DataKeys, other: Callable[[], None]) -> None:
        self.table = table
        self.other: Callable[[], None] | None = other

    def data_keys(self, shas: Sequence[str]) -> dict[str, tuple[str, str, bytes]]:
        found = self.table.data_keys(shas)
        run, self.other = self.other, None
        if run is not None:
            run()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)


def test_the_first_writers_key_stands(tmp_path: Path) -> None:
    home = new_home(tmp_path)
    first, second = home.open_store(), home.open_store()
    try:
        data, other = blobs(2, "raced ")
        sha = hashlib.sha256(data).hexdigest()
        winner = home.objects(first)
        keys = home.unlock()
        assert keys is not None
        loser = ObjectStore(home.root / "objects", keys, _Overtaken(second.data_keys, lambda: winner.put(data)))  # type: ignore[arg-type]
        assert loser.put_many([data, other])[0] == sha
        kept = first.data_keys.data_key(sha)
        assert kept is not None and second.data_keys.data_key(sha) == kept  # one key, the winner's
        assert winner.get(sha) == data and loser.get(sha) == data  # the file that landed last opens
        assert loser.get(hashlib.sha256(other).hexdigest()) == other
    finally:
        first.close()
        second.close()


def test_a_file_left_under_a_lost_key_is_written_again(tmp_path: Path) -> None:
    """A crash between a key's unsynced commit and the next durable one can lose the key but keep
    the file: the next put makes a key afresh and must write the file again under it."""
    home = new_home(tmp_path)
    store = home.open_store()
    try:
        objects = home.objects(store)
        data, other = blobs(2, "lost ")
        sha = objects.put(data)
        store.data_keys.destroy_data_key(sha)  # as if that commit never reached the disk
        assert objects.get(sha) is None
        assert objects.put_many([other, data])[1] == sha and objects.get(sha) == data
    finally:
        store.close()


@pytest.mark.parametrize(("code", "raised"), [(errno.EIO, StoreError), (errno.ENOSPC, DiskFull)])
def test_a_failed_write_leaves_no_temporary_file(
    objects: ObjectStore, monkeypatch: pytest.MonkeyPatch, code: int, raised: type[StoreError]
) -> None:
    calls = 0
    lock = threading.Lock()
    fsync = os.fsync

    def failing(fd: int) -> None:
        nonlocal calls
        with lock:
            calls += 1
            fails = calls == 3
        if fails:
            raise OSError(code, os.strerror(code))
        fsync(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(raised) as caught:
        objects.put_many(blobs(6))
    assert type(caught.value) is raised
    if raised is not DiskFull:
        assert str(objects.root) in str(caught.value) and "cannot write the original bytes" in str(caught.value)
    assert list(objects.root.rglob("*.tmp")) == [] and object_files(objects) == []
    monkeypatch.setattr(os, "fsync", fsync)
    shas = objects.put_many(blobs(6))  # the next attempt stores them all
    assert [objects.get(sha) for sha in shas] == blobs(6)


def _put_in_child(root: Path) -> None:
    ObjectStore(root).put_many(blobs(3, "child "))


def test_a_forked_child_writes_batches_too(tmp_path: Path) -> None:
    """The writer threads are the process's: a child forked after a batch starts its own."""
    objects = ObjectStore(tmp_path / "objects")
    objects.put_many(blobs(3, "parent "))
    child = multiprocessing.get_context("fork").Process(target=_put_in_child, args=(objects.root,), daemon=True)
    child.start()
    child.join(timeout=60)
    if child.exitcode is None:
        child.kill()  # waiting on threads it never had
    assert child.exitcode == 0 and len(object_files(objects)) == 6


@pytest.mark.parametrize("size", [1, 5, 40])
def test_a_batch_reads_and_makes_its_keys_in_three_statements(
    tmp_path: Path, data_key_statements: list[str], size: int
) -> None:
    home = new_home(tmp_path)
    store = home.open_store()
    try:
        objects = home.objects(store)
        data_key_statements.clear()
        objects.put_many(blobs(size))
        assert len(data_key_statements) == 3  # read, add the missing, read again (whose key stood)
        data_key_statements.clear()
        objects.put_many(blobs(size))
        assert len(data_key_statements) == 1  # all held: one read
    finally:
        store.close()


@pytest.mark.parametrize("size", [4, 40])
def test_ingest_sends_a_constant_number_of_data_key_statements_per_batch(
    tmp_path: Path, data_key_statements: list[str], size: int
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, data in enumerate(blobs(size)):
        (folder / f"statement-{i:03d}.txt").write_bytes(data)
    register = Register.open(new_home(tmp_path))
    try:
        data_key_statements.clear()
        outcomes = register.ingest(iter_files([folder]), Submission("intake officer", "test"), batch_size=64)
        assert [o.status for o in outcomes] == ["recorded"] * size
        assert len(data_key_statements) == 3, data_key_statements
    finally:
        register.store.close()
