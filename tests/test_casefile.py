"""Case files: exported from a real store, verified offline, and tampered with member by member."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casetrail.casefile import FORMAT, export_case_file, verify_case_file
from casetrail.errors import CasetrailError, NoteError
from casetrail.intake.register import Register, Submission
from casetrail.ledger.checkpoint import NoteSigner, open_checkpoint
from casetrail.ledger.merkle import verify_consistency
from casetrail.model.casework import replay
from casetrail.model.event import Event, EventType
from casetrail.store.home import Home

ORIGIN = "casetrail.test/casefile"
CASE_ID = "C-0001"
AT = "2026-03-02T10:00:00Z"
ACTOR = "S-0001"
STATEMENTS = {
    "statement-a.txt": "A fictional statement by Witness Alder about a grey van on Quarry Lane.\n",
    "statement-b.txt": "A fictional statement by Witness Birch: the van left before midnight.\n",
    "log-extract.txt": "Fictional duty log extract: PC 9001 Example attended at 23:40.\n",
}


@dataclass
class Setup:
    register: Register
    vkey: str
    case: dict[str, Any]
    leaves: list[int]
    documents: list[str]
    tmp: Path

    def export(self, name: str = "case.zip") -> Path:
        return export_case_file(
            self.tmp / name, case=self.case, event_leaves=self.leaves, document_ids=self.documents,
            store=self.register.store, objects=self.register.objects, log=self.register.log,
        )  # fmt: skip


def casework_event(kind: EventType, subject: str, body: dict[str, Any]) -> bytes:
    return Event(kind, subject, AT, ACTOR, body).to_leaf()


def build(tmp_path: Path, seal: str | None = None) -> Setup:
    home = Home(tmp_path / "home")
    register = Register.create(home, ORIGIN)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in STATEMENTS.items():
        (inbox / name).write_text(text)
    outcomes = register.ingest(sorted(inbox.iterdir()), Submission(submitted_by="caseworker-7"))
    documents = [o.document_id for o in outcomes if o.document_id is not None]
    assert len(documents) == 3
    if seal is not None:
        register.seal(seal, ACTOR, "fictional court order", order="Fictional Court ref 7/2026")
    log = register.log
    opened = {"title": "Grey van on Quarry Lane", "kind": "complaint"}
    log.append([casework_event(EventType.CASE_OPENED, CASE_ID, opened)])
    log.append([casework_event(EventType.CASE_DOCUMENT_ADDED, CASE_ID, {"document_id": d}) for d in documents])
    # another case's event between them: it must stay out of this case's file
    log.append([casework_event(EventType.CASE_OPENED, "C-0002", {"title": "Unrelated", "kind": "investigation"})])
    book = replay((index, Event.from_leaf(entry)) for index, entry in register.store.iter_entries())
    history = [entry.to_json() for entry in book.cases[CASE_ID].history]
    case = {"id": CASE_ID, "title": book.cases[CASE_ID].title, "history": history}
    return Setup(register, home.verifier_key(), case, [h["leaf"] for h in history], documents, tmp_path)


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return build(tmp_path)


# -- rewriting a bundle as a tamperer would ---------------------------------------------------


def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path: Path, members: dict[str, bytes], fix_manifest: bool = False) -> None:
    """Rewrite the zip; with `fix_manifest`, also update the manifest's hashes to match."""
    if fix_manifest:
        manifest = json.loads(members["manifest.json"])
        manifest["members"] = [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
            if name != "manifest.json"
        ]
        members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def flip(data: bytes, offset: int = 5) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= 0x01
    return bytes(changed)


# -- the good path --------------------------------------------------------------------------


def test_a_case_file_verifies_with_the_log_key(setup: Setup) -> None:
    path = setup.export()
    report = verify_case_file(path, setup.vkey)
    assert report.ok, report.problems
    assert report.problems == [] and report.warnings == []
    assert (report.documents, report.sealed, report.events) == (3, 0, 4)
    assert report.tree_size == setup.register.log.size == 8
    assert report.origin == ORIGIN


def test_the_layout_is_as_documented_and_deterministic(setup: Setup) -> None:
    path = setup.export()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == [
        "manifest.json", "checkpoint.txt", "case.json",
        "events/3.json", "events/3.proof.json", "events/4.json", "events/4.proof.json",
        "events/5.json", "events/5.proof.json", "events/6.json", "events/6.proof.json",
        "documents/D-000001/original.txt", "documents/D-000001/receipt.json",
        "documents/D-000002/original.txt", "documents/D-000002/receipt.json",
        "documents/D-000003/original.txt", "documents/D-000003/receipt.json",
    ]  # fmt: skip
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    members = read_members(path)
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == FORMAT == "casetrail-case-file/1"
    assert (manifest["case"], manifest["origin"], manifest["tree_size"]) == (CASE_ID, ORIGIN, 8)
    assert manifest["checkpoint"] == members["checkpoint.txt"].decode() == setup.register.log.latest_checkpoint()[1]
    assert manifest["verifier_key"] == setup.vkey
    assert [m["name"] for m in manifest["members"]] == names[1:]
    assert all(m["sha256"] == hashlib.sha256(members[m["name"]]).hexdigest() for m in manifest["members"])
    assert json.loads(members["case.json"]) == setup.case
    assert members["events/3.json"] == setup.register.store.get_entry(3)
    assert members["documents/D-000002/original.txt"] == STATEMENTS["statement-a.txt"].encode()
    assert setup.export("again.zip").read_bytes() == path.read_bytes()


def test_without_a_key_the_bundle_key_is_used_with_a_warning(setup: Setup) -> None:
    report = verify_case_file(setup.export())
    assert report.ok, report.problems
    assert len(report.warnings) == 1 and "bundle itself" in report.warnings[0]


def test_a_document_left_out_is_a_warning(setup: Setup) -> None:
    setup.documents = setup.documents[:2]
    report = verify_case_file(setup.export(), setup.vkey)
    assert report.ok, report.problems
    assert report.documents == 2
    assert report.warnings == ["case.json: the case holds D-000003, which the bundle does not include"]


def test_a_sealed_document_exports_without_bytes_and_still_verifies(tmp_path: Path) -> None:
    setup = build(tmp_path, seal="D-000001")
    path = setup.export()
    members = read_members(path)
    assert not [name for name in members if name.startswith("documents/D-000001/original")]
    assert "documents/D-000001/receipt.json" in members
    sealed = {d["id"]: d for d in json.loads(members["manifest.json"])["documents"]}["D-000001"]
    assert sealed["status"] == "sealed" and sealed["original"] is None
    report = verify_case_file(path, setup.vkey)
    assert report.ok, report.problems
    assert (report.documents, report.sealed) == (3, 1)


def test_fifty_later_events_do_not_affect_an_exported_bundle(setup: Setup) -> None:
    path = setup.export()
    before = path.read_bytes()
    log = setup.register.log
    log.append([casework_event(EventType.CASE_OPENED, f"C-{n + 3:04d}", {"title": f"Later {n}", "kind": "complaint"})
                for n in range(25)])  # fmt: skip
    for n in range(25):
        log.append([casework_event(EventType.CASE_DOCUMENT_ADDED, "C-0003", {"document_id": f"D-{n:06d}"})])
    assert log.size == 58
    assert path.read_bytes() == before
    report = verify_case_file(path, setup.vkey)
    assert report.ok, report.problems
    assert report.tree_size == 8
    # and the bundle's tree is a prefix of today's log
    verifier = setup.register.log.signer.verifier()
    old = open_checkpoint(read_members(path)["checkpoint.txt"].decode(), verifier)
    new = open_checkpoint(log.latest_checkpoint()[1], verifier)
    verify_consistency(old.size, new.size, log.consistency_proof(old.size, new.size), old.root, new.root)


# -- tampering: each change fails, naming the member ------------------------------------------


def flip_original_in_place(path: Path) -> None:
    # a byte of the stored member changes in the zip itself, as by damage or a careless edit
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("documents/D-000002/original.txt")
    raw = bytearray(path.read_bytes())
    header = info.header_offset
    start = header + 30 + int.from_bytes(raw[header + 26 : header + 28], "little") + int.from_bytes(
        raw[header + 28 : header + 30], "little"
    )
    raw[start + 3] ^= 0x01
    path.write_bytes(bytes(raw))


def flip_original_and_fix_manifest(path: Path) -> None:
    # a deliberate tamperer rebuilds the zip and the manifest: the ledger entry still disagrees
    members = read_members(path)
    members["documents/D-000002/original.txt"] = flip(members["documents/D-000002/original.txt"])
    write_members(path, members, fix_manifest=True)


def edit_history(path: Path) -> None:
    members = read_members(path)
    case = json.loads(members["case.json"])
    case["history"][0]["body"]["title"] = "Nothing to see on Quarry Lane"
    members["case.json"] = json.dumps(case).encode()
    write_members(path, members, fix_manifest=True)


def drop_event(path: Path) -> None:
    members = read_members(path)
    del members["events/4.json"]
    write_members(path, members)


def drop_event_everywhere(path: Path) -> None:
    # gone from the zip and from the manifest's lists: case.json's history still names it
    members = read_members(path)
    del members["events/4.json"], members["events/4.proof.json"]
    manifest = json.loads(members["manifest.json"])
    manifest["events"].remove(4)
    members["manifest.json"] = json.dumps(manifest).encode()
    write_members(path, members, fix_manifest=True)


def alter_checkpoint(path: Path) -> None:
    members = read_members(path)
    origin, size, rest = members["checkpoint.txt"].decode().split("\n", 2)
    members["checkpoint.txt"] = f"{origin}\n{int(size) + 1}\n{rest}".encode()
    write_members(path, members)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def add_member(path: Path) -> None:
    members = read_members(path)
    members["documents/D-000009/original.txt"] = b"A fictional planted note.\n"
    write_members(path, members)


@pytest.mark.parametrize(
    ("tamper", "member"),
    [
        (flip_original_in_place, "documents/D-000002/original.txt"),
        (flip_original_and_fix_manifest, "documents/D-000002/original.txt"),
        (edit_history, "case.json"),
        (drop_event, "events/4.json"),
        (drop_event_everywhere, "case.json"),  # its history names events/4.json
        (alter_checkpoint, "checkpoint.txt"),
        (truncate, "case.zip"),
        (add_member, "documents/D-000009/original.txt"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_tampering_fails_and_names_the_member(setup: Setup, tamper: Callable[[Path], None], member: str) -> None:
    path = setup.export()
    tamper(path)
    report = verify_case_file(path, setup.vkey)
    assert not report.ok
    assert any(problem.startswith(f"{member}: ") for problem in report.problems), report.problems


def test_a_ledger_mismatch_is_found_past_the_manifest(setup: Setup) -> None:
    path = setup.export()
    flip_original_and_fix_manifest(path)
    problems = verify_case_file(path, setup.vkey).problems
    assert problems == ["documents/D-000002/original.txt: does not hash to the sha256 the ledger recorded for D-000002"]
    edited = setup.export("edited.zip")
    edit_history(edited)
    assert verify_case_file(edited, setup.vkey).problems == [
        "case.json: history entry at leaf 3 differs from events/3.json in body"
    ]


def test_the_wrong_key_fails_on_the_checkpoint(setup: Setup) -> None:
    impostor = NoteSigner.generate(ORIGIN).verifier_key()  # same name, another key
    report = verify_case_file(setup.export(), impostor)
    assert not report.ok
    assert any(problem.startswith("checkpoint.txt: ") for problem in report.problems), report.problems


def test_malformed_bundles_are_reported_not_raised(setup: Setup, tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    assert verify_case_file(junk, setup.vkey).problems[0].startswith("junk.zip: not a readable zip archive")
    empty = tmp_path / "empty.zip"
    write_members(empty, {})
    assert verify_case_file(empty, setup.vkey).problems == [
        "manifest.json: missing from the bundle; nothing can be checked without it"
    ]
    odd = tmp_path / "odd.zip"
    members = read_members(setup.export())
    members["manifest.json"] = b'{"format": "casetrail-case-file/1", "case": 7}'
    write_members(odd, members)
    problems = verify_case_file(odd, setup.vkey).problems
    assert len(problems) == 1 and problems[0].startswith("manifest.json: ")


def test_unreadable_paths_and_bad_keys_raise_casetrail_errors(setup: Setup, tmp_path: Path) -> None:
    with pytest.raises(CasetrailError, match="cannot read"):
        verify_case_file(tmp_path / "absent.zip", setup.vkey)
    with pytest.raises(NoteError):
        verify_case_file(setup.export(), "not a key")
