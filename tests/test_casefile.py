"""Case files: exported from a real store, verified offline, and tampered with member by member.

The bundle is made from a viewer's rendering of the case plus receipts; no casework event's
ledger entry may leave in it. Every person named here is fictional.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import casetrail.casefile as casefile
from casetrail.casefile import (
    FORMAT,
    export_case_file,
    history_leaf_hash,
    verify_case_file,
)
from casetrail.errors import CasetrailError, LedgerError, NoteError
from casetrail.intake.register import Register, Submission
from casetrail.ledger.checkpoint import NoteSigner, open_checkpoint
from casetrail.ledger.merkle import leaf_hash, verify_consistency
from casetrail.model.casework import replay
from casetrail.model.event import Event, EventType
from casetrail.store.home import Home

ORIGIN = "casetrail.test/casefile"
CASE_ID = "C-0001"
AT = "2026-03-02T10:00:00Z"
ACTOR = "S-0001"
# A survivor's resolved identity, as a case.party_added body carries it: it must never leave.
PARTY_NAME = "Quillon Ardente"
PARTY_LEAF = 7
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
    documents: list[str]
    tmp: Path

    def export(self, name: str = "case.zip") -> Path:
        return export_case_file(
            self.tmp / name,
            case=self.case,
            document_ids=self.documents,
            store=self.register.store,
            objects=self.register.objects,
            log=self.register.log,
        )


def casework_event(kind: EventType, subject: str, body: dict[str, Any]) -> bytes:
    return Event(kind, subject, AT, ACTOR, body).to_leaf()


def render_view(register: Register, case_id: str) -> dict[str, Any]:
    """A viewer's page of the case: summaries say what happened, never what the body holds."""
    book = replay((index, Event.from_leaf(entry)) for index, entry in register.store.ledger.iter_entries())
    history = []
    for item in book.cases[case_id].history:
        entry = register.store.ledger.get_entry(item.leaf)
        assert entry is not None
        history.append(
            {
                "leaf": item.leaf,
                "leaf_hash": history_leaf_hash(entry),
                "at": item.at,
                "type": item.type.value,
                "actor": item.actor,
                "summary": f"{item.type.value} recorded",
            }
        )
    return {"id": case_id, "title": book.cases[case_id].title, "history": history}


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
    party = {
        "party_id": "P-0001",
        "role": "complainant",
        "pseudonym": "Complainant Q",
        "entity": {"entity_id": "E-0042", "name": PARTY_NAME, "records": []},
    }
    log.append([casework_event(EventType.CASE_PARTY_ADDED, CASE_ID, party)])
    # another case's event after them: it must stay out of this case's file
    log.append([casework_event(EventType.CASE_OPENED, "C-0002", {"title": "Unrelated", "kind": "investigation"})])
    return Setup(register, home.verifier_key(), render_view(register, CASE_ID), documents, tmp_path)


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


def edit_json(path: Path, member: str, change: Callable[[Any], None]) -> None:
    """Change one JSON member and rebuild the manifest's hashes, as a careful tamperer would."""
    members = read_members(path)
    value = json.loads(members[member])
    change(value)
    members[member] = json.dumps(value).encode()
    write_members(path, members, fix_manifest=True)


def flip(data: bytes, offset: int = 5) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= 0x01
    return bytes(changed)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


# -- the good path --------------------------------------------------------------------------


def test_a_case_file_verifies_with_the_log_key(setup: Setup) -> None:
    path = setup.export()
    report = verify_case_file(path, setup.vkey)
    assert report.ok, report.problems
    assert report.problems == [] and report.warnings == []
    assert (report.documents, report.sealed, report.events) == (3, 0, 5)
    assert report.tree_size == setup.register.log.size == 9
    assert report.origin == ORIGIN


def test_the_layout_is_as_documented_and_deterministic(setup: Setup) -> None:
    path = setup.export()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == [
        "manifest.json",
        "checkpoint.txt",
        "case.json",
        "events/3.proof.json",
        "events/4.proof.json",
        "events/5.proof.json",
        "events/6.proof.json",
        "events/7.proof.json",
        "documents/D-000001/original.txt",
        "documents/D-000001/receipt.json",
        "documents/D-000002/original.txt",
        "documents/D-000002/receipt.json",
        "documents/D-000003/original.txt",
        "documents/D-000003/receipt.json",
    ]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    members = read_members(path)
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == FORMAT == "casetrail-case-file/2"
    assert (manifest["case"], manifest["origin"], manifest["tree_size"]) == (CASE_ID, ORIGIN, 9)
    assert manifest["events"] == [3, 4, 5, 6, 7]
    assert manifest["checkpoint"] == members["checkpoint.txt"].decode() == setup.register.log.latest_checkpoint()[1]
    assert manifest["verifier_key"] == setup.vkey
    assert [m["name"] for m in manifest["members"]] == names[1:]
    assert all(m["sha256"] == hashlib.sha256(members[m["name"]]).hexdigest() for m in manifest["members"])
    assert json.loads(members["case.json"]) == setup.case
    for item in setup.case["history"]:
        proof = json.loads(members[f"events/{item['leaf']}.proof.json"])
        assert proof["entry"] is None and proof["document_id"] is None
        assert (proof["leaf_index"], proof["leaf_hash"]) == (item["leaf"], item["leaf_hash"])
    # a document's receipt keeps its own received entry: that binds the original's sha256
    document = json.loads(members["documents/D-000002/receipt.json"])
    assert base64.b64decode(document["entry"]) == setup.register.store.ledger.get_entry(1)
    assert members["documents/D-000002/original.txt"] == STATEMENTS["statement-a.txt"].encode()
    assert setup.export("again.zip").read_bytes() == path.read_bytes()


def texts_in(data: bytes) -> Iterator[bytes]:
    """The member itself, and every JSON string in it that decodes as base64 (a hidden entry)."""
    yield data
    try:
        value = json.loads(data)
    except ValueError:
        return
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                yield base64.b64decode(item, validate=True)
            except (binascii.Error, ValueError):
                pass


def test_export_carries_no_event_body(setup: Setup) -> None:
    needle = PARTY_NAME.encode()
    party_entry = setup.register.store.ledger.get_entry(PARTY_LEAF)
    assert party_entry is not None and needle in party_entry  # planted in the ledger
    assert PARTY_LEAF in [item["leaf"] for item in setup.case["history"]]  # and proved in the bundle
    path = setup.export()
    members = read_members(path)
    leaking = [name for name, data in members.items() if any(needle in text for text in texts_in(data))]
    assert leaking == []
    assert needle not in path.read_bytes()
    report = verify_case_file(path, setup.vkey)
    assert report.ok, report.problems
    assert report.events == 5


def test_a_history_given_as_a_tuple_exports_the_same(setup: Setup) -> None:
    # views rendered with dataclasses.asdict hand over tuples; the bundle must not differ
    path = setup.export()
    setup.case["history"] = tuple(setup.case["history"])
    assert setup.export("tuple.zip").read_bytes() == path.read_bytes()


def test_history_leaf_hash_is_the_logs_leaf_hash(setup: Setup) -> None:
    entry = setup.register.store.ledger.get_entry(PARTY_LEAF)
    assert entry is not None
    receipt = setup.register.log.receipt(PARTY_LEAF)
    assert history_leaf_hash(entry) == b64(leaf_hash(entry)) == b64(receipt.leaf_hash)


def test_without_a_key_the_bundle_key_is_used_with_a_warning(setup: Setup) -> None:
    report = verify_case_file(setup.export())
    assert report.ok, report.problems
    assert len(report.warnings) == 1 and "bundle itself" in report.warnings[0]


def test_a_document_left_out_is_not_a_problem(setup: Setup) -> None:
    # the exporter chooses the documents; without event bodies the bundle cannot tell either way
    setup.documents = setup.documents[:2]
    report = verify_case_file(setup.export(), setup.vkey)
    assert report.ok, report.problems
    assert report.documents == 2 and report.warnings == []


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
    log.append(
        [
            casework_event(EventType.CASE_OPENED, f"C-{n + 3:04d}", {"title": f"Later {n}", "kind": "complaint"})
            for n in range(25)
        ]
    )
    for n in range(25):
        log.append([casework_event(EventType.CASE_DOCUMENT_ADDED, "C-0003", {"document_id": f"D-{n:06d}"})])
    assert log.size == 59
    assert path.read_bytes() == before
    report = verify_case_file(path, setup.vkey)
    assert report.ok, report.problems
    assert report.tree_size == 9
    # and the bundle's tree is a prefix of today's log
    verifier = setup.register.log.signer.verifier()
    old = open_checkpoint(read_members(path)["checkpoint.txt"].decode(), verifier)
    new = open_checkpoint(log.latest_checkpoint()[1], verifier)
    verify_consistency(old.size, new.size, log.consistency_proof(old.size, new.size), old.root, new.root)


# -- the exporter refuses a view that is not the log's ---------------------------------------


def set_history_field(leaf: int, name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(case: dict[str, Any]) -> None:
        next(item for item in case["history"] if item["leaf"] == leaf)[name] = value

    return change


def give_a_body(case: dict[str, Any]) -> None:
    set_history_field(PARTY_LEAF, "body", {"pseudonym": "Complainant Q"})(case)


def repeat_a_leaf(case: dict[str, Any]) -> None:
    case["history"].append(dict(case["history"][0]))


def drop_the_history(case: dict[str, Any]) -> None:
    del case["history"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_history_field(4, "leaf_hash", b64(b"\x07" * 32)), "leaf 4 has a leaf_hash other than the log's"),
        (set_history_field(4, "leaf", 99), "leaf 99 is not in the tree of size 9"),
        (set_history_field(4, "leaf_hash", "not base64"), "not a base64 32-byte hash"),
        (set_history_field(4, "summary", None), "its summary is not a string"),
        (give_a_body, "unexpected ['body']"),
        (repeat_a_leaf, "leaf 3 more than once"),
        (drop_the_history, 'no "history" list'),
    ],
    ids=["foreign-hash", "beyond-tree", "bad-hash", "no-summary", "body", "repeat", "no-history"],
)
def test_export_refuses_a_history_that_is_not_the_logs(
    setup: Setup, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    change(setup.case)
    with pytest.raises(LedgerError, match=re.escape(message)):
        setup.export()
    assert not (setup.tmp / "case.zip").exists()  # nothing half-written is left behind


# -- tampering: each change fails, naming the member ------------------------------------------


def flip_original_in_place(path: Path) -> None:
    # a byte of the stored member changes in the zip itself, as by damage or a careless edit
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("documents/D-000002/original.txt")
    raw = bytearray(path.read_bytes())
    header = info.header_offset
    start = (
        header
        + 30
        + int.from_bytes(raw[header + 26 : header + 28], "little")
        + int.from_bytes(raw[header + 28 : header + 30], "little")
    )
    raw[start + 3] ^= 0x01
    path.write_bytes(bytes(raw))


def flip_original_and_fix_manifest(path: Path) -> None:
    # a deliberate tamperer rebuilds the zip and the manifest: the ledger entry still disagrees
    members = read_members(path)
    members["documents/D-000002/original.txt"] = flip(members["documents/D-000002/original.txt"])
    write_members(path, members, fix_manifest=True)


def swap_history_hash(path: Path) -> None:
    # case.json claims leaf 3 is some other event than the one its proof shows
    edit_json(path, "case.json", set_history_field(3, "leaf_hash", b64(leaf_hash(b"a fictional forged event"))))


def forge_proof_leaf_hash(path: Path) -> None:
    # proof and history agree on a forged hash, but the inclusion proof no longer leads to the root
    forged = b64(leaf_hash(b"a fictional forged event"))
    edit_json(path, "events/4.proof.json", lambda proof: proof.update(leaf_hash=forged))
    edit_json(path, "case.json", set_history_field(4, "leaf_hash", forged))


def plant_entry_in_proof(path: Path, entry: bytes) -> None:
    edit_json(path, "events/7.proof.json", lambda proof: proof.update(entry=b64(entry)))


def drop_proof(path: Path) -> None:
    members = read_members(path)
    del members["events/4.proof.json"]
    write_members(path, members)


def drop_proof_everywhere(path: Path) -> None:
    # gone from the zip and from the manifest's lists: case.json's history still names it
    members = read_members(path)
    del members["events/4.proof.json"]
    manifest = json.loads(members["manifest.json"])
    manifest["events"].remove(4)
    members["manifest.json"] = json.dumps(manifest).encode()
    write_members(path, members, fix_manifest=True)


def drop_history_item(path: Path) -> None:
    # the proof stays, but the rendered history leaves its event out
    edit_json(path, "case.json", lambda case: case.update(history=[i for i in case["history"] if i["leaf"] != 5]))


def add_event_body(path: Path) -> None:
    # a version-1 style raw event slipped back in: not part of the case file
    members = read_members(path)
    members["events/7.json"] = b'{"fictional": "raw event"}'
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
        (swap_history_hash, "case.json"),
        (forge_proof_leaf_hash, "events/4.proof.json"),
        (drop_proof, "events/4.proof.json"),
        (drop_proof_everywhere, "case.json"),  # its history names events/4.proof.json
        (drop_history_item, "events/5.proof.json"),
        (add_event_body, "events/7.json"),
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
    swapped = setup.export("swapped.zip")
    swap_history_hash(swapped)
    assert verify_case_file(swapped, setup.vkey).problems == [
        "case.json: history item at leaf 3 has a leaf_hash other than events/3.proof.json proves"
    ]
    forged = setup.export("forged.zip")
    forge_proof_leaf_hash(forged)
    problems = verify_case_file(forged, setup.vkey).problems
    assert len(problems) == 1 and problems[0].startswith("events/4.proof.json: inclusion proof: "), problems


def test_a_proof_carrying_an_event_body_is_refused(setup: Setup) -> None:
    # even the true entry, which verifies against the leaf hash, may not ride along
    entry = setup.register.store.ledger.get_entry(PARTY_LEAF)
    assert entry is not None
    path = setup.export()
    plant_entry_in_proof(path, entry)
    assert verify_case_file(path, setup.vkey).problems == [
        "events/7.proof.json: carries a ledger entry; a case file must hold no raw event bodies"
    ]


def test_the_wrong_key_fails_on_the_checkpoint(setup: Setup) -> None:
    impostor = NoteSigner.generate(ORIGIN).verifier_key()  # same name, another key
    report = verify_case_file(setup.export(), impostor)
    assert not report.ok
    assert any(problem.startswith("checkpoint.txt: ") for problem in report.problems), report.problems


def test_a_version_1_bundle_is_refused_in_one_line(setup: Setup) -> None:
    path = setup.export()
    edit_json(path, "manifest.json", lambda manifest: manifest.update(format="casetrail-case-file/1"))
    assert verify_case_file(path, setup.vkey).problems == [
        "manifest.json: case file format 1 carried raw event bodies; re-export with this version"
    ]


# -- hostile archives -------------------------------------------------------------------------


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
    members["manifest.json"] = json.dumps({"format": FORMAT, "case": 7}).encode()
    write_members(odd, members)
    problems = verify_case_file(odd, setup.vkey).problems
    assert len(problems) == 1 and problems[0].startswith("manifest.json: ")


def test_a_history_that_is_not_a_list_of_items_is_reported(setup: Setup) -> None:
    path = setup.export()
    edit_json(path, "case.json", lambda case: case["history"].__setitem__(0, "leaf 3"))
    problems = verify_case_file(path, setup.vkey).problems
    assert "case.json: history item 0 is not an object" in problems
    assert "events/3.proof.json: not in case.json's history" in problems


def test_a_member_twice_in_the_archive_is_refused(setup: Setup, tmp_path: Path) -> None:
    members = read_members(setup.export())
    twice = tmp_path / "twice.zip"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(twice, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("case.json", b'{"id": "C-0001", "history": []}')
    report = verify_case_file(twice, setup.vkey)
    assert not report.ok
    assert "case.json: appears more than once in the archive" in report.problems


def test_oversized_and_overfull_archives_are_refused(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    path = setup.export()
    monkeypatch.setattr(casefile, "MAX_MEMBER_BYTES", 64)
    problems = verify_case_file(path, setup.vkey).problems
    assert any(p.startswith("manifest.json: ") and "over the limit of 64" in p for p in problems), problems
    monkeypatch.setattr(casefile, "MAX_MEMBERS", 3)
    assert verify_case_file(path, setup.vkey).problems == ["case.zip: 14 members, over the limit of 3"]


def test_unreadable_paths_and_bad_keys_raise_casetrail_errors(setup: Setup, tmp_path: Path) -> None:
    with pytest.raises(CasetrailError, match="cannot read"):
        verify_case_file(tmp_path / "absent.zip", setup.vkey)
    with pytest.raises(NoteError):
        verify_case_file(setup.export(), "not a key")
