"""`casetrail verify`: recompute the log from the store and hold every record to it.

Three layers, each checked independently so a failure names what changed:
1. the tree: every leaf re-hashed, every stored subtree hash recomputed, every checkpoint's
   root and signature checked, the newest one covering the whole log;
2. the events: each leaf parsed; documents' expected state rebuilt from their events;
3. the records: each stored document's metadata, text and original bytes against that state.

Checkpoints kept outside the store (HOME/checkpoint.latest, a submitter's receipt, a court's or
a witness's copy: `verify --against`) are held against the recomputed tree: a store smaller
than one of them was rolled back or truncated, one with another root there has forked.
Leftovers that threaten nothing (partial object writes, objects no record names) are notes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from casetrail.errors import CasetrailError
from casetrail.ledger.checkpoint import Checkpoint, NoteVerifier, open_checkpoint
from casetrail.ledger.commitments import committed_paths, document_values, is_whole_committed, matches, open_event
from casetrail.ledger.latest import check_not_behind
from casetrail.ledger.merkle import CompactRange, leaf_hash
from casetrail.model.casework import CASEWORK_EVENTS, replay
from casetrail.model.event import Event, EventType
from casetrail.store.objects import ObjectStore
from casetrail.store.sqlite import SqliteStore

META_FIELDS = (
    "size",
    "media_type",
    "kind",
    "submitted_by",
    "channel",
    "received_at",
    "source_name",
    "title",
    "parent_id",
    "amends",
)


@dataclass(frozen=True)
class Problem:
    record: str  # "D-000004 (statement-4.txt)", "leaf 17", "checkpoint at size 20", ...
    reason: str

    def __str__(self) -> str:
        return f"{self.record}: {self.reason}"


@dataclass
class Report:
    size: int = 0
    checkpoint_size: int = 0
    root: bytes = b""
    documents: int = 0
    sealed: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a failure
    roots: dict[int, bytes] = field(default_factory=dict)  # recomputed roots at the witnesses' sizes

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Expected:
    leaf_index: int
    body: dict[str, Any]
    status: str = "active"


def verify_store(
    store: SqliteStore, objects: ObjectStore, verifier: NoteVerifier, witnesses: Sequence[tuple[str, str]] = ()
) -> Report:
    """`witnesses`: (where it was kept, signed checkpoint note) pairs from outside the store."""
    report = Report()
    for problem in store.integrity_problems():
        report.problems.append(Problem("database", f"SQLite integrity check: {problem}"))
    decisions: dict[int, dict[str, Any]] = {}
    casework: dict[int, Event] = {}
    opened = [(where, _open_witness(where, note, verifier, report)) for where, note in witnesses]
    wanted = {checkpoint.size for _, checkpoint in opened if checkpoint is not None}
    expected = _verify_tree(store.ledger, verifier, report, decisions, casework, wanted, store.ledger)
    for where, checkpoint in opened:
        if checkpoint is not None:
            _check_witness(where, checkpoint, report)
    _verify_documents(store, objects, expected, report)
    _verify_decisions(store, decisions, report)
    _verify_casework(store, casework, report)
    _note_leftovers(objects, expected, report)
    return report


def _open_witness(where: str, note: str, verifier: NoteVerifier, report: Report) -> Checkpoint | None:
    try:
        return open_checkpoint(note, verifier)
    except CasetrailError as err:
        report.problems.append(Problem(where, f"is not a checkpoint of this log: {err}"))
        return None


def _check_witness(where: str, checkpoint: Checkpoint, report: Report) -> None:
    try:
        check_not_behind(checkpoint, report.size, report.roots.get(checkpoint.size), "the store", where)
    except CasetrailError as err:
        report.problems.append(Problem(where, str(err)))


def _note_leftovers(objects: ObjectStore, expected: dict[str, _Expected], report: Report) -> None:
    for path in objects.leftovers():
        report.notes.append(f"{path}: a partial write left by an interrupted process (`casetrail ingest` removes it)")
    named = {want.body.get("sha256") for want in expected.values()}
    unnamed = [sha for sha in objects.iter_hashes() if sha not in named]
    if unnamed:
        report.notes.append(
            f"{len(unnamed)} object file(s) no record names (bytes written before an interrupted commit; "
            f"harmless, recorded if the same file is ingested again), e.g. {objects.path(unnamed[0])}"
        )


class LogSource(Protocol):
    """What the tree check reads: the store itself, or a log export (ledger/export.py)."""

    def iter_entries(self) -> Iterator[tuple[int, bytes]]: ...

    def iter_nodes_at(self, level: int) -> Iterator[tuple[int, int, bytes]]: ...

    def iter_checkpoints(self) -> Iterator[tuple[int, str]]: ...


def verify_log(source: LogSource, verifier: NoteVerifier, witnesses: Sequence[tuple[str, str]] = ()) -> Report:
    """The log alone, with no content and no key but the verifier key (`verify --log-only`): every
    leaf re-hashed, every stored subtree hash, every checkpoint's root and signature, each event
    readable, and the witnesses held to the tree. `documents` counts the documents recorded."""
    report = Report()
    opened = [(where, _open_witness(where, note, verifier, report)) for where, note in witnesses]
    wanted = {checkpoint.size for _, checkpoint in opened if checkpoint is not None}
    expected = _verify_tree(source, verifier, report, {}, {}, wanted)
    for where, checkpoint in opened:
        if checkpoint is not None:
            _check_witness(where, checkpoint, report)
    report.documents = len(expected)
    report.sealed = sum(1 for want in expected.values() if want.status == "sealed")
    return report


def _verify_tree(
    store: LogSource,
    verifier: NoteVerifier,
    report: Report,
    decisions: dict[int, dict[str, Any]],
    casework: dict[int, Event],
    wanted: set[int],
    opened_events: OpenedEvents | None = None,
) -> dict[str, _Expected]:
    kept = _Opened(opened_events) if opened_events is not None else None
    checkpoints = dict(store.iter_checkpoints())
    stored_levels: dict[int, Iterator[tuple[int, int, bytes]]] = {}
    tree = CompactRange()
    expected: dict[str, _Expected] = {}

    def stored_node(level: int) -> tuple[int, int, bytes] | None:
        if level not in stored_levels:
            stored_levels[level] = iter(store.iter_nodes_at(level))
        return next(stored_levels[level], None)

    if 0 in wanted:
        report.roots[0] = tree.root()
    for index, data in store.iter_entries():
        if index != tree.size:
            report.problems.append(Problem(f"leaf {tree.size}", "missing from the log (entries skip to {index})"))
            break
        for level, idx, digest in tree.append(leaf_hash(data)):
            row = stored_node(level)
            if row is None or (row[1], bytes(row[2])) != (idx, digest):
                who = _describe_leaf(data, idx) if level == 0 else f"tree node ({level}, {idx})"
                report.problems.append(Problem(who, "stored hash does not match the recomputed one"))
                if row is not None and row[1] != idx:
                    stored_levels.pop(level)  # resynchronise on the next query
        if tree.size in wanted:
            report.roots[tree.size] = tree.root()
        note = checkpoints.get(tree.size)
        if note is not None:
            _check_checkpoint(note, tree, verifier, report)
        _apply_event(index, data, expected, decisions, casework, report, kept)
    report.size = tree.size
    report.root = tree.root()
    sizes = sorted(checkpoints)
    if not sizes:
        if tree.size:
            report.problems.append(Problem("log", "no signed checkpoint covers the log"))
    else:
        report.checkpoint_size = sizes[-1]
        if sizes[-1] != tree.size:
            report.problems.append(
                Problem("log", f"latest checkpoint is at size {sizes[-1]} but the log holds {tree.size} leaves")
            )
    return expected


def _check_checkpoint(note: str, tree: CompactRange, verifier: NoteVerifier, report: Report) -> None:
    where = f"checkpoint at size {tree.size}"
    try:
        checkpoint = open_checkpoint(note, verifier)
    except CasetrailError as err:
        report.problems.append(Problem(where, f"signature does not verify: {err}"))
        return
    if checkpoint.size != tree.size or checkpoint.root != tree.root():
        report.problems.append(Problem(where, "signed root does not match the recomputed tree"))


def _describe_leaf(data: bytes, index: int) -> str:
    try:
        event = json.loads(data)
        if is_whole_committed(event.get("body", {})):
            return f"leaf {index}"  # its subject is a commitment: nothing to name
        return f"leaf {index} ({event['subject']})"
    except (ValueError, KeyError, TypeError):
        return f"leaf {index}"


class OpenedEvents(Protocol):
    def iter_opened(self) -> Iterator[tuple[int, bytes, bytes]]:
        """(leaf index, salt, event as recorded) of every whole-committed event, in leaf order."""
        ...


class _Opened:
    """The store's recorded events, read alongside the leaves in one pass (no query per leaf)."""

    def __init__(self, store: OpenedEvents) -> None:
        self._rows = iter(store.iter_opened())
        self._next = next(self._rows, None)

    def take(self, index: int) -> tuple[bytes, bytes] | None:
        while self._next is not None and self._next[0] < index:
            self._next = next(self._rows, None)
        if self._next is None or self._next[0] != index:
            return None
        _, salt, opened = self._next
        return salt, opened


def _opened(index: int, leaf: dict[str, Any], kept: _Opened, report: Report) -> dict[str, Any] | None:
    """A whole-committed event as the store keeps it, if it recommits to exactly its leaf."""
    found = kept.take(index)
    if found is None:
        report.problems.append(Problem(f"leaf {index}", "its event as recorded is missing from the store"))
        return None
    event = open_event(leaf, *found)
    if event is None:
        report.problems.append(Problem(f"leaf {index}", "the event kept in the store no longer matches its leaf"))
    return event


def _apply_event(
    index: int,
    data: bytes,
    expected: dict[str, _Expected],
    decisions: dict[int, dict[str, Any]],
    casework: dict[int, Event],
    report: Report,
    opened_events: _Opened | None,
) -> None:
    try:
        event = json.loads(data)
        kind = EventType(event["type"])
        subject = event["subject"]
        body = event.get("body", {})
    except (ValueError, KeyError, TypeError):
        report.problems.append(Problem(f"leaf {index}", "is not a readable casetrail event"))
        return
    if is_whole_committed(body):
        if opened_events is None:
            return  # the log alone: the event's fields are commitments, and nothing else is asked of it
        event = _opened(index, event, opened_events, report)
        if event is None:
            return
        subject, body = event["subject"], event.get("body", {})
    if kind in (EventType.DOCUMENT_RECEIVED, EventType.DOCUMENT_AMENDED):
        expected[subject] = _Expected(index, body)
    elif kind == EventType.DOCUMENT_WITHDRAWN and subject in expected:
        if expected[subject].status != "sealed":
            expected[subject].status = "withdrawn"
    elif kind == EventType.DOCUMENT_SEALED and subject in expected:
        expected[subject].status = "sealed"
    elif kind == EventType.DECISION_RECORDED and "kind" in body:
        decisions[index] = {**body, "author": event.get("actor"), "at": event.get("at")}
    elif kind in CASEWORK_EVENTS:
        casework[index] = Event(kind, subject, event.get("at", ""), event.get("actor", ""), body)


def _verify_documents(store: SqliteStore, objects: ObjectStore, expected: dict[str, _Expected], report: Report) -> None:
    seen: set[str] = set()
    for row in store.documents.iter_document_rows():
        doc_id = row["id"]
        seen.add(doc_id)
        report.documents += 1
        name = f"{doc_id} ({row['source_name']})"
        want = expected.get(doc_id)
        if want is None:
            report.problems.append(Problem(name, "is in the store but was never recorded in the log"))
            continue
        meta = want.body.get("document", {})
        committed = committed_paths(want.body)
        hidden = {path.removeprefix("document.") for path in committed}
        changed = [f for f in META_FIELDS if f not in hidden and row[f] != meta.get(f)]
        if row["sha256"] != want.body.get("sha256"):
            changed.append("sha256")
        if row["text_sha256"] != want.body.get("text_sha256"):
            changed.append("text_sha256")
        if row["status"] != want.status:
            changed.append("status")
        if row["leaf_index"] != want.leaf_index:
            changed.append("leaf_index")
        changed += _reading_changes(store, doc_id, meta, hidden)
        changed += _commitment_changes(store, doc_id, want, committed)
        if changed:
            report.problems.append(Problem(name, f"metadata no longer matches the log: {', '.join(changed)}"))
        sha = want.body.get("sha256", "")
        if want.status == "sealed":
            report.sealed += 1
            if row["text"] is not None or objects.has(sha):
                report.problems.append(Problem(name, "is sealed but its content is still in the store"))
            continue
        text = row["text"]
        if text is None or hashlib.sha256(text.encode("utf-8")).hexdigest() != want.body.get("text_sha256"):
            report.problems.append(Problem(name, "extracted text no longer matches the log"))
        data = objects.get(sha)
        if data is None:
            report.problems.append(Problem(name, "original bytes are missing from the object store"))
        elif hashlib.sha256(data).hexdigest() != sha:
            report.problems.append(Problem(name, "original bytes no longer match the log"))
    for doc_id in expected.keys() - seen:
        body = expected[doc_id].body
        name = doc_id if committed_paths(body) else f"{doc_id} ({body.get('document', {}).get('source_name')})"
        report.problems.append(Problem(name, "is recorded in the log but missing from the store"))


def _verify_decisions(store: SqliteStore, decisions: dict[int, dict[str, Any]], report: Report) -> None:
    """Each stored decision must be exactly the one its ledger event recorded, and none missing."""
    stored = {row["leaf_index"]: row for row in store.analysis.iter_decision_rows()}
    for index, row in stored.items():
        want = decisions.get(index)
        name = f"decision at leaf {index}"
        if want is None:
            report.problems.append(Problem(name, "is in the store but not in the log"))
            continue
        fields = {
            "kind": "kind",
            "left_ref": "left",
            "right_ref": "right",
            "author": "author",
            "reason": "reason",
            "at": "at",
        }
        changed = [column for column, key in fields.items() if row[column] != want.get(key)]
        if changed:
            report.problems.append(Problem(name, f"no longer matches the log: {', '.join(changed)}"))
    for index in decisions.keys() - stored.keys():
        report.problems.append(Problem(f"decision at leaf {index}", "is in the log but missing from the store"))


def _verify_casework(store: SqliteStore, casework: dict[int, Event], report: Report) -> None:
    """The casework index must list exactly the casework events, and their history must replay."""
    stored = {index: (kind, subject) for index, kind, subject in store.casework.iter_casework_rows()}
    for index, (kind, subject) in stored.items():
        want = casework.get(index)
        if want is None:
            report.problems.append(Problem(f"casework event at leaf {index}", "is indexed but not in the log"))
        elif (want.type.value, want.subject) != (kind, subject):
            report.problems.append(Problem(f"casework event at leaf {index}", "index no longer matches the log"))
    for index in sorted(casework.keys() - stored.keys()):
        report.problems.append(
            Problem(f"casework event at leaf {index} ({casework[index].subject})", "is in the log but not indexed")
        )
    try:
        replay(sorted(casework.items()))
    except (KeyError, ValueError, TypeError) as err:
        report.problems.append(Problem("casework", f"the recorded history does not replay: {err!r}"))


READING_FIELDS = ("text_status", "text_reason", "page_sources_sha256")


def _reading_changes(
    store: SqliteStore, doc_id: str, meta: dict[str, object], hidden: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """How the text was read (no text; which pages by OCR), where the event committed to it.
    Fields in `hidden` are commitments, held to the store by _commitment_changes."""
    if not any(field in meta for field in READING_FIELDS):
        return []  # recorded before readings were kept, or read plainly: nothing committed
    found = store.documents.get_document(doc_id)
    if found is None:
        return [field for field in READING_FIELDS if field not in hidden]
    now = store.documents.with_reading(found[0]).metadata()
    return [field for field in READING_FIELDS if field not in hidden and now.get(field) != meta.get(field)]


def _commitment_changes(store: SqliteStore, doc_id: str, want: _Expected, paths: list[str]) -> list[str]:
    """A version-2 event's committed fields (issue 12): each commitment recomputed from the store's
    value and the event's salt. A changed value, or a changed salt, names the field."""
    if not paths:
        return []  # recorded before commitments: its fields were compared in clear
    held = store.ledger.commitment(want.leaf_index)
    found = store.documents.get_document(doc_id)
    if held is None:
        return ["commitment salt (missing from the store)"]
    if found is None:
        return [path.removeprefix("document.") for path in paths]
    salt, kept = held
    values = document_values(store.documents.with_reading(found[0]), kept)
    return [path.removeprefix("document.") for path in paths if not matches(want.body, path, salt, values.get(path))]
