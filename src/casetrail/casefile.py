"""Case files: one case exported as a zip that anyone can verify offline, without the store.

Raw event bodies never leave the server. A case file is made from exactly what the exporter
could read page by page (their view of the case) plus receipts: inclusion proofs that carry
the leaf hash of each casework event but not its bytes.

    case-C-0001.zip
    ├── manifest.json                    format, case id, origin, tree size, the checkpoint note,
    │                                    the log's verifier key (a convenience, never trusted),
    │                                    the documents and event leaves, and every other
    │                                    member's SHA-256
    ├── checkpoint.txt                   the signed C2SP checkpoint everything is proved against
    ├── case.json                        the exporter's view of the case: {"id", "history", ...};
    │                                    each history item is {"leaf", "leaf_hash", "at", "type",
    │                                    "actor", "summary"}
    ├── events/
    │   └── <leaf>.proof.json            a receipt for one history leaf with no entry: its leaf
    │                                    hash and inclusion proof in the checkpoint's tree
    ├── documents/
    │   └── <id>/
    │       ├── receipt.json             the receipt for the document's received/amended leaf,
    │       │                            entry included (it binds the original's sha256)
    │       └── original.<ext>           the bytes as submitted; absent when the document is sealed
    └── <extra>                          renderings the exporter adds (a PDF of the schedules, say),
                                         named in manifest.json's "extras" and covered by its hashes

What the verifier holds the bundle to: the checkpoint is signed by a key the reader trusts (and
obtained elsewhere); every receipt proves its leaf hash is in that checkpoint's tree; every
history item of case.json has a proof for its leaf with its leaf hash, and every proof a history
item; every original hashes to the sha256 its document's ledger entry commits to.

What it cannot show: the history's types, actors, times and summaries are the exporter's
rendering. The proofs show only that some events exist at those leaves with those hashes;
someone entitled to the raw events can check them against the hashes with the live log. Nor
can it show that the bundle holds *every* event or document of the case, or that a document
the manifest calls sealed really was sealed; only the live log (`casetrail verify`) can. Any
field of case.json besides its id and history is the exporter's rendering and is not checked.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from casetrail.errors import LedgerError, NoteError, ReceiptError
from casetrail.ledger.checkpoint import (
    Checkpoint,
    NoteVerifier,
    open_checkpoint,
    strict_b64decode,
)
from casetrail.ledger.log import Log
from casetrail.ledger.merkle import HASH_SIZE, leaf_hash
from casetrail.ledger.receipt import Receipt, unique_keys, verify_receipt
from casetrail.model.event import EventType
from casetrail.store.objects import ObjectStore
from casetrail.store.sqlite import SqliteStore

FORMAT = "casetrail-case-file/2"
# Where a case file goes: a path (written atomically), or a binary stream (io.BytesIO: no file at all).
CaseFileOut = TypeVar("CaseFileOut", Path, BinaryIO)
# Version 1 shipped each casework event's ledger entry: refused on reading, never written.
_FORMAT_1 = "casetrail-case-file/1"
MANIFEST = "manifest.json"
CHECKPOINT = "checkpoint.txt"
CASE = "case.json"
SEALED = "sealed"

# The earliest time a zip can hold: a fixed stamp keeps the same case file byte-identical.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# A bundle may come from anyone: cap what reading it can cost.
MAX_MEMBERS = 100_000
MAX_MEMBER_BYTES = 1 << 30

_DOCUMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # safe as a path segment
_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
_EXTRA = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # a plain top-level name, never a path
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DOCUMENT_EVENTS = frozenset({EventType.DOCUMENT_RECEIVED.value, EventType.DOCUMENT_AMENDED.value})
# A history item is exactly these; anything more (a "body", say) is refused, so a raw event
# cannot ride along inside the view by accident.
_HISTORY_TEXT = ("at", "type", "actor", "summary")
_HISTORY_KEYS = frozenset({"leaf", "leaf_hash", *_HISTORY_TEXT})
# What zipfile raises on a damaged or hostile archive (unknown versions, bad CRCs, lying headers).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError)


def history_leaf_hash(entry: bytes) -> str:
    """The `leaf_hash` a history item carries: base64 of the RFC 9162 leaf hash of the entry bytes."""
    return base64.b64encode(leaf_hash(entry)).decode("ascii")


def _event_proof_member(leaf: int) -> str:
    return f"events/{leaf}.proof.json"


def _document_receipt_member(doc_id: str) -> str:
    return f"documents/{doc_id}/receipt.json"


def _original_member(doc_id: str, extension: str) -> str:
    return f"documents/{doc_id}/original.{extension}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


# -- history items, shared by export and verification ----------------------------------------


@dataclass(frozen=True)
class _HistoryItem:
    leaf: int
    leaf_hash: bytes


def _parse_history_item(item: object) -> _HistoryItem:
    """The leaf and leaf hash of one history item; ValueError saying what is wrong with it."""
    if not isinstance(item, dict):
        raise ValueError("is not an object")
    leaf = item.get("leaf")
    if isinstance(leaf, bool) or not isinstance(leaf, int) or leaf < 0:
        raise ValueError("has no leaf number")
    if set(item) != _HISTORY_KEYS:
        missing, extra = sorted(_HISTORY_KEYS - set(item)), sorted(set(item) - _HISTORY_KEYS)
        raise ValueError(f"at leaf {leaf} has the wrong fields (missing {missing}, unexpected {extra})")
    for name in _HISTORY_TEXT:
        if not isinstance(item[name], str):
            raise ValueError(f"at leaf {leaf}: its {name} is not a string")
    try:
        digest = strict_b64decode(item["leaf_hash"]) if isinstance(item["leaf_hash"], str) else b""
    except ValueError:
        digest = b""
    if len(digest) != HASH_SIZE:
        raise ValueError(f"at leaf {leaf}: its leaf_hash is not a base64 {HASH_SIZE}-byte hash")
    return _HistoryItem(leaf, digest)


# -- export -------------------------------------------------------------------------------


def export_case_file(
    out: CaseFileOut,
    *,
    case: dict[str, Any],
    document_ids: Sequence[str],
    store: SqliteStore,
    objects: ObjectStore,
    log: Log,
    extra_members: Mapping[str, bytes] | None = None,
) -> CaseFileOut:
    """Write the case file for the view `case` to `out` and return it: to a path atomically, or
    into a binary stream (the workbench's io.BytesIO, so an export never touches a filesystem).

    `extra_members` are further files (a PDF rendering of the view, say) written at the top of
    the bundle under their plain names, listed in the manifest's "extras" and covered by its
    hashes like every member; like case.json beyond its history, their content is not proved.

    `case` is the exporter's rendering of the case; its "history" items name the event leaves
    to prove. Every receipt is made against the latest checkpoint, read once, so the bundle is
    proved against a single tree even if the log grows meanwhile. Raises LedgerError when the
    view or the store cannot back the bundle (malformed history, a leaf hash that is not the
    log's, unknown document, missing original, leaf beyond the tree).
    """
    case_id = case.get("id")
    if not isinstance(case_id, str) or not case_id:
        raise LedgerError("the case to export has no id")
    items = _history_of(case)
    size, note = log.latest_checkpoint()
    if size == 0:
        raise LedgerError("the log is empty: there is nothing to prove a case file against")

    members: dict[str, bytes] = {CHECKPOINT: note.encode("utf-8"), CASE: _json_bytes(case)}
    leaves = sorted(item.leaf for item in items)
    for item in items:
        members[_event_proof_member(item.leaf)] = _event_proof(item, size, log)

    documents: list[dict[str, Any]] = []
    for doc_id in sorted(set(document_ids)):
        documents.append(_export_document(doc_id, size, store, objects, log, members))
    extras = sorted(extra_members or {})
    for name in extras:
        if not _EXTRA.fullmatch(name) or name in (MANIFEST, CHECKPOINT, CASE):
            raise LedgerError(f"{name!r} cannot be an extra member of a case file")
        members[name] = bytes((extra_members or {})[name])

    names = sorted(members, key=_member_order)
    manifest = {
        "format": FORMAT,
        "case": case_id,
        "origin": log.origin,
        "tree_size": size,
        "checkpoint": note,
        "verifier_key": log.verifier_key(),
        "events": leaves,
        "documents": documents,
        "extras": extras,
        "members": [{"name": name, "sha256": _sha256(members[name]), "size": len(members[name])} for name in names],
    }
    _write_zip(out, [(MANIFEST, _json_bytes(manifest)), *((name, members[name]) for name in names)])
    return out


def _history_of(case: dict[str, Any]) -> list[_HistoryItem]:
    history = case.get("history")
    # a tuple is welcome too (dataclasses.asdict keeps them): it is written as the same JSON list
    if not isinstance(history, (list, tuple)):
        raise LedgerError('the case to export has no "history" list')
    items: list[_HistoryItem] = []
    seen: set[int] = set()
    for position, raw in enumerate(history):
        try:
            item = _parse_history_item(raw)
        except ValueError as error:
            raise LedgerError(f"history item {position} {error}") from None
        if item.leaf in seen:
            raise LedgerError(f"history lists leaf {item.leaf} more than once")
        seen.add(item.leaf)
        items.append(item)
    return items


def _event_proof(item: _HistoryItem, size: int, log: Log) -> bytes:
    """The receipt for one history leaf, stripped of its entry: the body stays on the server."""
    if item.leaf >= size:
        raise LedgerError(f"leaf {item.leaf} is not in the tree of size {size}")
    receipt = log.receipt(item.leaf, size=size)
    if receipt.leaf_hash != item.leaf_hash:
        # the caller rendered a history that is not the log's: never prove it
        raise LedgerError(f"history item at leaf {item.leaf} has a leaf_hash other than the log's")
    return dataclasses.replace(receipt, entry=None).to_json().encode("utf-8")


def _export_document(
    doc_id: str, size: int, store: SqliteStore, objects: ObjectStore, log: Log, members: dict[str, bytes]
) -> dict[str, Any]:
    if not _DOCUMENT_ID.fullmatch(doc_id):
        raise LedgerError(f"{doc_id!r} is not a document id")
    found = store.documents.get_document(doc_id)
    if found is None:
        raise LedgerError(f"no document {doc_id} in the store")
    doc, status, leaf = found
    if leaf >= size:
        raise LedgerError(f"{doc_id} (leaf {leaf}) is not yet in the tree of size {size}")
    # The document's own received/amended entry stays in its receipt: it binds the original's sha256.
    receipt = log.receipt(leaf, size=size, document_id=doc_id)
    members[_document_receipt_member(doc_id)] = receipt.to_json().encode("utf-8")
    original = None
    if status != SEALED:
        data = objects.get(doc.sha256)
        if data is None or _sha256(data) != doc.sha256:
            # never export evidence the ledger would contradict; `casetrail verify` says more
            raise LedgerError(f"{doc_id}: the original bytes are missing or altered; run `casetrail verify`")
        original = _original_member(doc_id, _extension(doc.provenance.source_name))
        members[original] = data
    return {"id": doc_id, "leaf": leaf, "status": status, "sha256": doc.sha256, "original": original}


def _extension(source_name: str) -> str:
    # from the submitted name, so a reader's tools open it; "bin" when that name says nothing usable
    suffix = Path(source_name).suffix.lower().lstrip(".")
    return suffix if _EXTENSION.fullmatch(suffix) else "bin"


def _member_order(name: str) -> tuple[int, int, str]:
    # checkpoint and case first, then events by leaf number (not by text), then documents by id
    if name in (CHECKPOINT, CASE):
        return (0, 0 if name == CHECKPOINT else 1, "")
    if name.startswith("events/"):
        leaf, _, rest = name[len("events/") :].partition(".")
        return (1, int(leaf), rest)
    return (2, 0, name)


def _write_zip(out: Path | BinaryIO, members: list[tuple[str, bytes]]) -> None:
    if not isinstance(out, Path):
        _zip_into(out, members)
        return
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            _zip_into(handle, members)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _zip_into(handle: BinaryIO, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(handle, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            # Stored, not deflated: the bytes then depend on nothing but the content
            # (deflate output varies between zlib builds), and most evidence is compressed.
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, wherever it was made
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


# -- verification -------------------------------------------------------------------------


@dataclass
class CaseFileReport:
    ok: bool
    problems: list[str]
    documents: int
    sealed: int
    events: int
    tree_size: int
    origin: str
    warnings: list[str] = field(default_factory=list)


def verify_case_file(path: Path, verifier_key: str | None = None) -> CaseFileReport:
    """Check a case file offline; every problem is one line naming the member at fault.

    `verifier_key` is the log's C2SP verifier key, obtained independently of the bundle. Without
    it the manifest's own key is used and the report warns that this proves self-consistency
    only. Raises LedgerError if `path` cannot be read and NoteError if `verifier_key` is
    malformed; anything wrong inside the file is reported, never raised.
    """
    trusted = NoteVerifier.from_text(verifier_key) if verifier_key is not None else None
    try:
        handle = open(path, "rb")
    except OSError as error:
        raise LedgerError(f"{path}: cannot read the case file: {error.strerror or error}") from None
    with handle:
        return _Verification(path.name, trusted).run(handle)


@dataclass(frozen=True)
class _Document:
    id: str
    leaf: int
    status: str
    sha256: str
    original: str | None


@dataclass(frozen=True)
class _Manifest:
    case: str
    origin: str
    tree_size: int
    checkpoint: str
    verifier_key: str | None
    events: list[int]
    documents: list[_Document]
    members: dict[str, str]  # name -> sha256
    extras: list[str] = field(default_factory=list)

    def expected_members(self) -> set[str]:
        names = {CHECKPOINT, CASE, *self.extras}
        for leaf in self.events:
            names.add(_event_proof_member(leaf))
        for doc in self.documents:
            names.add(_document_receipt_member(doc.id))
            if doc.original is not None:
                names.add(doc.original)
        return names


class _Verification:
    """One pass over one bundle, collecting problems rather than stopping at the first."""

    def __init__(self, bundle_name: str, trusted: NoteVerifier | None) -> None:
        self.bundle_name = bundle_name
        self.trusted = trusted
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.members: dict[str, bytes] = {}
        self.unreadable: set[str] = set()  # in the archive, but reading them failed (reported)
        self.verifier: NoteVerifier | None = None
        self.checkpoint: Checkpoint | None = None  # set only once its signature has verified
        self.note: str | None = None

    def problem(self, member: str, reason: str) -> None:
        self.problems.append(f"{member}: {reason}")

    def run(self, handle: BinaryIO) -> CaseFileReport:
        manifest = self._read(handle)
        if manifest is not None:
            self._check_members(manifest)
            self._check_checkpoint(manifest)
            proved = self._check_events(manifest)
            self._check_documents(manifest)
            self._check_case(manifest, proved)
        return CaseFileReport(
            ok=not self.problems,
            problems=self.problems,
            documents=len(manifest.documents) if manifest else 0,
            sealed=sum(doc.status == SEALED for doc in manifest.documents) if manifest else 0,
            events=len(manifest.events) if manifest else 0,
            tree_size=manifest.tree_size if manifest else 0,
            origin=manifest.origin if manifest else "",
            warnings=self.warnings,
        )

    # -- the archive and its manifest ---------------------------------------------------

    def _read(self, handle: BinaryIO) -> _Manifest | None:
        try:
            archive = zipfile.ZipFile(handle)
        except _ZIP_ERRORS as error:
            self.problem(self.bundle_name, f"not a readable zip archive ({error})")
            return None
        with archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                self.problem(self.bundle_name, f"{len(infos)} members, over the limit of {MAX_MEMBERS}")
                return None
            for info in infos:
                if info.filename in self.members:
                    # two members of one name read differently in different tools: refuse both
                    self.problem(info.filename, "appears more than once in the archive")
                    continue
                data = self._read_member(archive, info)
                if data is not None:
                    self.members[info.filename] = data
        if MANIFEST not in self.members:
            self.problem(MANIFEST, "missing from the bundle; nothing can be checked without it")
            return None
        try:
            return _parse_manifest(self.members[MANIFEST])
        except ValueError as error:
            self.problem(MANIFEST, str(error))
            return None

    def _read_member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
        if info.file_size > MAX_MEMBER_BYTES:
            self.problem(info.filename, f"{info.file_size} bytes, over the limit of {MAX_MEMBER_BYTES}")
            return None
        try:
            with archive.open(info) as member:
                data = member.read(MAX_MEMBER_BYTES + 1)  # the declared size may lie
        except _ZIP_ERRORS as error:
            self.problem(info.filename, f"unreadable in the archive ({error})")
            self.unreadable.add(info.filename)
            return None
        if len(data) > MAX_MEMBER_BYTES:
            self.problem(info.filename, f"over the limit of {MAX_MEMBER_BYTES} bytes")
            return None
        return data

    def _check_members(self, manifest: _Manifest) -> None:
        expected = manifest.expected_members()
        for name in sorted((set(self.members) | set(manifest.members)) - expected - {MANIFEST}):
            self.problem(name, "not part of the case file manifest.json describes")
        for name in sorted(expected, key=_member_order):
            if name not in self.members and name not in self.unreadable:
                self.problem(name, "missing from the bundle")
            if name not in manifest.members:
                self.problem(name, "not listed among manifest.json's members")
            elif name in self.members and _sha256(self.members[name]) != manifest.members[name]:
                self.problem(name, "SHA-256 differs from the one in manifest.json")

    # -- the checkpoint -----------------------------------------------------------------

    def _check_checkpoint(self, manifest: _Manifest) -> None:
        if self.trusted is not None:
            self.verifier = self.trusted
        else:
            self.warnings.append(
                "the verifier key came from the bundle itself (manifest.json): this shows the case file is "
                "self-consistent, not that the log signed it; pass the log's key, obtained independently"
            )
            try:
                self.verifier = NoteVerifier.from_text(manifest.verifier_key or "")
            except NoteError as error:
                self.problem(MANIFEST, f"no usable verifier key ({error}); pass the log's key")
        raw = self.members.get(CHECKPOINT)
        if raw is None:
            return  # reported as missing already
        try:
            self.note = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.problem(CHECKPOINT, "not UTF-8 text")
            return
        if self.note != manifest.checkpoint:
            self.problem(CHECKPOINT, "differs from the checkpoint recorded in manifest.json")
        if self.verifier is None:
            return
        try:
            checkpoint = open_checkpoint(self.note, self.verifier)
        except NoteError as error:
            self.problem(CHECKPOINT, str(error))
            return
        if checkpoint.origin != manifest.origin:
            self.problem(CHECKPOINT, f"origin {checkpoint.origin!r} differs from manifest.json's {manifest.origin!r}")
        if checkpoint.size != manifest.tree_size:
            self.problem(CHECKPOINT, f"tree size {checkpoint.size} differs from manifest.json's {manifest.tree_size}")
        self.checkpoint = checkpoint

    def _receipt(self, member: str, leaf: int, document_id: str | None) -> Receipt | None:
        """The member's receipt, checked against the bundle's checkpoint, or None if unusable.

        A document's receipt must carry its entry (it binds the original's sha256); an event's
        must not (raw event bodies never belong in a case file). verify_receipt checks the
        entry against the leaf hash when there is one, and the leaf hash's inclusion always.
        """
        raw = self.members.get(member)
        if raw is None:
            return None
        try:
            receipt = Receipt.from_json(raw)
        except ReceiptError as error:
            self.problem(member, str(error))
            return None
        if receipt.leaf_index != leaf:
            self.problem(member, f"proves leaf {receipt.leaf_index}, not leaf {leaf}")
        if receipt.document_id != document_id:
            self.problem(member, f"is for {receipt.document_id or 'no document'}, not {document_id or 'no document'}")
        if document_id is not None and receipt.entry is None:
            self.problem(member, "carries no entry, so nothing it proves can be compared")
            return None
        if document_id is None and receipt.entry is not None:
            self.problem(member, "carries a ledger entry; a case file must hold no raw event bodies")
        if self.checkpoint is None or self.verifier is None:
            return receipt  # checkpoint.txt is not trusted, and says so: nothing to prove against
        if receipt.checkpoint != self.note:
            self.problem(member, f"is made against a different checkpoint than {CHECKPOINT}")
        else:
            try:
                verify_receipt(receipt, self.verifier)
            except ReceiptError as error:
                self.problem(member, str(error))
                return None
        return receipt

    # -- events, documents, the case ----------------------------------------------------

    def _check_events(self, manifest: _Manifest) -> dict[int, bytes]:
        """Leaf -> leaf hash of every event proof that verified (or could not be checked)."""
        hashes: dict[int, bytes] = {}
        for leaf in manifest.events:
            receipt = self._receipt(_event_proof_member(leaf), leaf, None)
            if receipt is not None:
                hashes[leaf] = receipt.leaf_hash
        return hashes

    def _check_documents(self, manifest: _Manifest) -> None:
        for doc in manifest.documents:
            member = _document_receipt_member(doc.id)
            receipt = self._receipt(member, doc.leaf, doc.id)
            if receipt is None or receipt.entry is None:  # reported already
                continue
            try:
                recorded = _document_sha256(receipt.entry, doc.id)
            except ValueError as error:
                self.problem(member, str(error))
                continue
            if recorded != doc.sha256:
                self.problem(MANIFEST, f"{doc.id}'s sha256 differs from the one in its ledger entry")
            data = self.members.get(doc.original) if doc.original is not None else None
            if doc.original is not None and data is not None and _sha256(data) != recorded:
                self.problem(doc.original, f"does not hash to the sha256 the ledger recorded for {doc.id}")

    def _check_case(self, manifest: _Manifest, proved: dict[int, bytes]) -> None:
        history = self._history(manifest)
        if history is None:
            return
        bundled = set(manifest.events)
        seen: set[int] = set()
        for position, raw in enumerate(history):
            try:
                item = _parse_history_item(raw)
            except ValueError as error:
                self.problem(CASE, f"history item {position} {error}")
                continue
            if item.leaf in seen:
                self.problem(CASE, f"history lists leaf {item.leaf} more than once")
                continue
            seen.add(item.leaf)
            member = _event_proof_member(item.leaf)
            if item.leaf not in bundled:
                self.problem(CASE, f"history item at leaf {item.leaf} has no proof in the bundle ({member})")
            elif item.leaf in proved and proved[item.leaf] != item.leaf_hash:
                self.problem(CASE, f"history item at leaf {item.leaf} has a leaf_hash other than {member} proves")
        for leaf in manifest.events:
            if leaf not in seen:
                self.problem(_event_proof_member(leaf), f"not in {CASE}'s history")

    def _history(self, manifest: _Manifest) -> list[object] | None:
        """case.json's history list, once its id is checked; None (reported) when unusable."""
        raw = self.members.get(CASE)
        if raw is None:
            return None
        try:
            case = json.loads(raw, object_pairs_hook=unique_keys)
        except (ValueError, RecursionError) as error:
            self.problem(CASE, f"not JSON ({error})")
            return None
        if not (isinstance(case, dict) and isinstance(case.get("id"), str) and isinstance(case.get("history"), list)):
            self.problem(CASE, 'must be an object with an "id" and a "history" list')
            return None
        if case["id"] != manifest.case:
            self.problem(CASE, f"is case {case['id']}, but manifest.json says {manifest.case}")
        history: list[object] = case["history"]
        return history


# -- parsing untrusted members --------------------------------------------------------------


def _load_object(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data, object_pairs_hook=unique_keys)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise ValueError(f"not JSON ({error})") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return value


def _parse_manifest(data: bytes) -> _Manifest:
    raw = _load_object(data)
    if raw.get("format") == _FORMAT_1:
        raise ValueError("case file format 1 carried raw event bodies; re-export with this version")
    if raw.get("format") != FORMAT:
        raise ValueError(f"format is {raw.get('format')!r}, not {FORMAT!r}")
    key = raw.get("verifier_key")
    if key is not None and not isinstance(key, str):
        raise ValueError("verifier_key must be a string or null")
    events = raw.get("events")
    if not isinstance(events, list):
        raise ValueError("events must be a list of leaf numbers")
    leaves = [_count(leaf, "each event leaf") for leaf in events]
    if len(set(leaves)) != len(leaves):
        raise ValueError("events lists a leaf more than once")
    documents = raw.get("documents")
    if not isinstance(documents, list):
        raise ValueError("documents must be a list")
    parsed = [_parse_document(item) for item in documents]
    if len({doc.id for doc in parsed}) != len(parsed):
        raise ValueError("documents lists a document more than once")
    extras = raw.get("extras", [])  # absent from bundles made before extras existed
    if not isinstance(extras, list) or not all(
        isinstance(name, str) and _EXTRA.fullmatch(name) and name not in (MANIFEST, CHECKPOINT, CASE) for name in extras
    ):
        raise ValueError("extras must be a list of plain member names")
    if len(set(extras)) != len(extras):
        raise ValueError("extras lists a member more than once")
    members = raw.get("members")
    if not isinstance(members, list):
        raise ValueError("members must be a list")
    hashes: dict[str, str] = {}
    for item in members:
        if not isinstance(item, dict):
            raise ValueError("each member must be an object")
        name, digest = _text(item.get("name"), "a member name"), item.get("sha256")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ValueError(f"the sha256 of {name} is not 64 lowercase hex digits")
        if name in hashes:
            raise ValueError(f"members lists {name} more than once")
        hashes[name] = digest
    return _Manifest(
        case=_text(raw.get("case"), "case"),
        origin=_text(raw.get("origin"), "origin"),
        tree_size=_count(raw.get("tree_size"), "tree_size"),
        checkpoint=_text(raw.get("checkpoint"), "checkpoint"),
        verifier_key=key,
        events=leaves,
        documents=parsed,
        members=hashes,
        extras=list(extras),
    )


def _parse_document(item: object) -> _Document:
    if not isinstance(item, dict):
        raise ValueError("each document must be an object")
    doc_id = item.get("id")
    if not isinstance(doc_id, str) or not _DOCUMENT_ID.fullmatch(doc_id):
        raise ValueError(f"{doc_id!r} is not a document id")
    status, digest, original = item.get("status"), item.get("sha256"), item.get("original")
    if not isinstance(status, str):
        raise ValueError(f"{doc_id} has no status")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise ValueError(f"the sha256 of {doc_id} is not 64 lowercase hex digits")
    if status == SEALED and original is not None:
        raise ValueError(f"{doc_id} is sealed, yet its original is listed")
    if status != SEALED:
        prefix = _original_member(doc_id, "")
        if not isinstance(original, str) or not original.startswith(prefix):
            raise ValueError(f"{doc_id} is not sealed, so its original must be {prefix}<ext>")
        if not _EXTENSION.fullmatch(original[len(prefix) :]):
            raise ValueError(f"{original} has an unusable extension")
    return _Document(doc_id, _count(item.get("leaf"), f"the leaf of {doc_id}"), status, digest, original)


def _document_sha256(entry: bytes, doc_id: str) -> str:
    """The sha256 a document's received/amended entry commits to."""
    raw = _load_object(entry)
    if raw.get("type") not in _DOCUMENT_EVENTS or raw.get("subject") != doc_id:
        raise ValueError(f"its entry is not {doc_id}'s received or amended event")
    body = raw.get("body")
    digest = body.get("sha256") if isinstance(body, dict) else None
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise ValueError(f"its entry records no sha256 for {doc_id}")
    return digest


__all__ = ["FORMAT", "CaseFileReport", "export_case_file", "history_leaf_hash", "verify_case_file"]
