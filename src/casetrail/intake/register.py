"""The document register: receiving, amending, withdrawing and sealing documents.

Every change here is a ledger event appended in the same transaction as the rows it
describes; nothing is acknowledged before that transaction commits, and nothing is deleted
without an event that says so (sealing removes content, never the record of it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from casetrail.errors import (
    CasetrailError,
    DecisionError,
    DiskFull,
    DuplicateContent,
    IntakeError,
    LedgerError,
    NoteError,
    ReadOnlyStore,
    SettingsError,
    SigningKeyError,
    StoreError,
)
from casetrail.intake.formats import read_file_bytes
from casetrail.intake.kinds import infer_kind
from casetrail.intake.limits import Limits
from casetrail.intake.reading import NO_TEXT, READ, PageSource, Reading
from casetrail.ledger.checkpoint import NoteSigner, NoteVerifier
from casetrail.ledger.commitments import (
    DOCUMENT_PATHS,
    Committed,
    commit_body,
    commit_event,
    committed_paths,
    document_values,
)
from casetrail.ledger.commitments import opening as opening_of
from casetrail.ledger.latest import LatestCheckpoint
from casetrail.ledger.log import Commit, Log
from casetrail.ledger.receipt import Receipt
from casetrail.ledger.record import append_events
from casetrail.model.document import (
    Document,
    DocumentKind,
    Provenance,
    TextSource,
    page_sources_sha256,
)
from casetrail.model.event import Event, EventType, document_event
from casetrail.store.home import Home
from casetrail.store.objects import ObjectStore
from casetrail.store.sqlite import SqliteStore


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Submission:
    """Who is handing material over, and how. `kind=None` lets casetrail guess per document."""

    submitted_by: str = "unknown"
    channel: str = "upload"
    kind: DocumentKind | None = None


@dataclass
class Outcome:
    """What became of one input: recorded, duplicate (already held) or failed (with a reason).

    A document recorded with no text carries its "no text found: ..." line as `reason` too:
    it is on record, but nobody should think it was read.
    """

    source: str
    status: str
    document_id: str | None = None
    leaf_index: int | None = None
    reason: str | None = None
    receipt: Receipt | None = None

    def line(self) -> str:
        if self.status == "recorded":
            line = f"recorded {self.document_id} leaf {self.leaf_index} {self.source}"
            return f"{line}: {self.reason}" if self.reason else line
        if self.status == "duplicate":
            return f"duplicate {self.source}: already recorded as {self.document_id}; nothing new recorded"
        return f"failed {self.source}: {self.reason}"


@dataclass
class _Pending:
    source: str
    name: str
    data: bytes
    text: str
    media_type: str
    title: str | None
    kind: DocumentKind
    parent: _Pending | None = None  # the e-mail this attachment came in
    amends: str | None = None
    reason: str | None = None  # why an amendment was given
    text_status: str = READ  # NO_TEXT when the reader found nothing to read
    text_reason: str | None = None  # the one line said about it
    page_sources: tuple[TextSource, ...] = ()
    # events to append in the same commit, after the documents', given the recorded document
    follow: Callable[[Document], list[Event]] | None = None
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.data).hexdigest()


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and every file under named folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield path


class _OverBudget(IntakeError):
    """The files unpacked from one submission came to more than max_unpacked_bytes."""


@dataclass
class _Budget:
    """Unpacked bytes left for one top-level file. Each reader bounds its own level, but a zip in
    an e-mail in a zip is unpacked level by level, so only a total across levels bounds the whole."""

    limit: int
    used: int = 0

    def charge(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise _OverBudget(
                f"the files inside it unpack to more than {self.limit:,} bytes in all (limit max_unpacked_bytes);"
                " nothing from it was recorded"
            )


class Register:
    def __init__(self, store: SqliteStore, objects: ObjectStore, log: Log, limits: Limits | None = None) -> None:
        self.store = store
        self.objects = objects
        self.log = log
        self.limits = limits or Limits()

    @classmethod
    def create(cls, home: Home, origin: str) -> Register:
        """A new store in `home`, with a fresh Ed25519 log signing key named `origin`."""
        signer = NoteSigner.generate(origin)
        home.create({"origin": origin, "limits": {}}, signer.to_text(), signer.verifier_key())
        return cls.open(home)

    @classmethod
    def open(
        cls, home: Home, limits: Limits | None = None, readonly: bool | None = None, settings: bool = True
    ) -> Register:
        """The register over `home`. Read-only when asked or when the store cannot be written;
        without the signing key it reads but refuses to append, saying why. `settings=False`
        skips config.json (commands that only read the log need nothing from it). A database
        behind the newest checkpoint kept beside it is refused outright (RollbackError)."""
        store = home.open_store(readonly)
        try:
            signer, no_signer = _load_signer(home)
            log = Log(
                store.ledger, signer, _load_verifier(home, signer), LatestCheckpoint(home.checkpoint_path), no_signer
            )
            log.check_latest()
            if limits is None and settings:
                limits = configured_limits(home)
        except BaseException:
            store.close()
            raise
        return cls(store, home.objects(store), log, limits)

    def require_writable(self) -> None:
        """Raise now, with the reason, if nothing could be recorded (before reading any input)."""
        if self.store.readonly and self.store.refusal:
            raise DiskFull(self.store.refusal)
        if self.store.readonly:
            raise ReadOnlyStore(
                f"{self.store.path} is read-only (a read-only copy or mount): nothing can be recorded in it"
            )
        self.log.signer  # noqa: B018 (raises SigningKeyError, saying what to do, when the key is gone)

    # -- receiving ------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        submission: Submission,
        batch_size: int = 64,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        """Record every readable file; each unreadable one fails alone with a one-line reason."""
        outcomes: list[Outcome] = []
        pending: list[_Pending] = []

        def emit(items: list[Outcome]) -> None:
            for item in items:
                outcomes.append(item)
                if on_outcome is not None:
                    on_outcome(item)

        for path in paths:
            read, failures = self._read_path(path, submission)
            emit(failures)
            pending.extend(read)
            if len(pending) >= batch_size:
                emit(self._record(pending, submission))
                pending = []
        if pending:
            emit(self._record(pending, submission))
        return outcomes

    def _read_path(self, path: Path, submission: Submission) -> tuple[list[_Pending], list[Outcome]]:
        source = str(path)
        try:
            if not path.is_file():
                raise IntakeError("not a regular file" if path.exists() else "no such file")
            size = path.stat().st_size
            if size > self.limits.max_bytes:
                raise IntakeError(f"{size} bytes is over the {self.limits.max_bytes}-byte limit")
            data = path.read_bytes()
        except (OSError, IntakeError) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            return [], [Outcome(source, "failed", reason=reason)]
        budget = _Budget(self.limits.max_unpacked_bytes)
        try:
            return self._read_bytes(source, path.name, data, submission, parent=None, depth=0, budget=budget)
        except _OverBudget as err:
            # All or nothing: half an archive on record would look like the whole of it.
            return [], [Outcome(source, "failed", reason=str(err))]

    def _read_bytes(
        self,
        source: str,
        name: str,
        data: bytes,
        submission: Submission,
        parent: _Pending | None,
        depth: int,
        budget: _Budget,
    ) -> tuple[list[_Pending], list[Outcome]]:
        try:
            result = read_file_bytes(data, name, self.limits)
        except IntakeError as err:
            return [], [Outcome(source, "failed", reason=str(err))]
        except Exception as err:  # a reader bug must not take the batch down
            return [], [Outcome(source, "failed", reason=f"unreadable ({type(err).__name__}: {err})")]
        kind = submission.kind or infer_kind(name, result.text, result.media_type)
        item = _pending(source, name, data, result, kind, parent)
        read, failures = [item], []
        if result.attachments and depth >= self.limits.max_depth:
            failures.append(Outcome(source, "failed", reason="attachments nested too deeply; not taken in"))
            return read, failures
        budget.charge(sum(len(attachment.data) for attachment in result.attachments))
        for attachment in result.attachments:
            more, fails = self._read_bytes(
                f"{source}/{attachment.name}",
                attachment.name,
                attachment.data,
                submission,
                parent=item,
                depth=depth + 1,
                budget=budget,
            )
            read.extend(more)
            failures.extend(fails)
        return read, failures

    def _record(self, pending: list[_Pending], submission: Submission) -> list[Outcome]:
        """Every item's outcome, whatever happens: a store failure (a full disk, a lock held too
        long) fails the batch's new items with its reason, and the caller goes on."""
        for _ in range(3):
            try:
                return self._record_batch(pending, submission)
            except DuplicateContent:
                continue  # another writer recorded some of these bytes first: look again
            except (StoreError, LedgerError) as err:
                return [Outcome(item.source, "failed", reason=str(err)) for item in pending]
        return [
            Outcome(item.source, "failed", reason="the same bytes kept arriving from another writer")
            for item in pending
        ]

    def _record_batch(self, pending: list[_Pending], submission: Submission) -> list[Outcome]:
        written = self._put_objects(pending)
        with self.store.transaction():
            # Inside the write lock: no other writer can record these bytes between look and write.
            outcomes, fresh, ids, first = self._sort_held(pending)
            self._drop_sealed_copies(outcomes, written)
            if not fresh:
                return outcomes
            received_at = utc_now()
            docs = self._documents(fresh, submission, received_at, ids)
            events = [self._document_event(doc, received_at, item.reason) for (doc, _), item in zip(docs, fresh)]
            leaves = [leaf for leaf, _ in events]

            def write_rows(indices: list[int]) -> None:
                # a statement per table, not per document: on a database server each is a round trip
                rows = list(zip(docs, fresh, indices, events))
                self.store.documents.add_documents([(doc, text, index) for (doc, text), _, index, _ in rows])
                self.store.documents.add_readings(
                    [(doc.id, item.text_status, item.text_reason, item.page_sources) for (doc, _), item, _, _ in rows]
                )
                self.store.ledger.add_commitments([(index, c.salt, c.held) for _, _, index, (_, c) in rows])

            # events that follow a document go after every document's, so indices[:len(docs)] stay theirs
            followed = [commit_event(e) for (doc, _), item in zip(docs, fresh) if item.follow for e in item.follow(doc)]
            leaves += [c.leaf for c in followed]

            def write_all(indices: list[int]) -> None:
                write_rows(indices)
                kept = zip(indices[len(docs) :], followed)
                self.store.ledger.add_opened_events((i, c.salt, c.opened) for i, c in kept if c.salt is not None)

            commit = self.log.append(leaves, also=write_all)
        # Durable from here on: only now is anyone told.
        receipts = self._receipts_or_none(commit, [leaf for leaf, _ in events], [doc.id for doc, _ in docs])
        for (doc, _), item, index, receipt in zip(docs, fresh, commit.indices, receipts):
            said = item.text_reason if item.text_status == NO_TEXT else None
            outcomes.append(
                Outcome(item.source, "recorded", document_id=doc.id, leaf_index=index, reason=said, receipt=receipt)
            )
        for outcome, item in first:
            outcome.document_id = ids.get(id(item))
        return outcomes

    def _put_objects(self, pending: list[_Pending]) -> set[str]:
        """Store the bytes of items not yet held (outside the write lock: fsyncs are slow).
        Returns the hashes whose objects this call created."""
        recorded = self.store.documents.find_documents_by_sha(item.sha256 for item in pending)
        wanted: dict[str, bytes] = {}
        for item in pending:
            if item.sha256 in recorded or item.sha256 in wanted or self.objects.has(item.sha256):
                continue  # held already, or sealed: a sealed document's bytes must not come back
            wanted[item.sha256] = item.data
        self.objects.put_many(list(wanted.values()))  # all fsynced before the commit that refers to them
        return set(wanted)

    def _drop_sealed_copies(self, outcomes: list[Outcome], written: set[str]) -> None:
        """Another writer recorded (and sealed) these bytes while ours were written: remove our copy."""
        for outcome in outcomes:
            found = self.store.documents.get_document(outcome.document_id) if outcome.document_id else None
            if found is not None and found[1] == "sealed" and found[0].sha256 in written:
                self.objects.remove(found[0].sha256)

    def _receipts_or_none(self, commit: Commit, leaves: list[bytes], doc_ids: list[str]) -> list[Receipt | None]:
        """The documents' receipts; if they cannot be built now (a full disk), the records stand
        without them: `casetrail receipt ID` issues one later."""
        try:
            return list(self.log.commit_receipts(commit, leaves, doc_ids))
        except CasetrailError:
            return [None] * len(doc_ids)

    def _sort_held(
        self, pending: list[_Pending]
    ) -> tuple[list[Outcome], list[_Pending], dict[int, str], list[tuple[Outcome, _Pending]]]:
        """(duplicates' outcomes, items to record, ids of held items, in-batch repeats and the item they repeat)."""
        outcomes: list[Outcome] = []
        fresh: list[_Pending] = []
        seen: dict[str, _Pending] = {}
        ids: dict[int, str] = {}  # id(pending item) -> document id, for attachments' parents
        repeats: list[tuple[Outcome, _Pending]] = []
        recorded = self.store.documents.find_documents_by_sha(item.sha256 for item in pending)
        for item in pending:
            held = recorded.get(item.sha256)
            if held is not None:
                ids[id(item)] = held[0].id
                outcomes.append(Outcome(item.source, "duplicate", document_id=held[0].id, leaf_index=held[2]))
            elif item.sha256 in seen:
                outcome = Outcome(item.source, "duplicate", reason=f"same bytes as {seen[item.sha256].source}")
                outcomes.append(outcome)
                repeats.append((outcome, seen[item.sha256]))
            else:
                seen[item.sha256] = item
                fresh.append(item)
        return outcomes, fresh, ids, repeats

    def _documents(
        self, fresh: list[_Pending], submission: Submission, received_at: str, ids: dict[int, str]
    ) -> list[tuple[Document, str]]:
        seq = self.store.documents.next_document_seq()
        docs: list[tuple[Document, str]] = []
        for offset, item in enumerate(fresh):
            doc_id = f"D-{seq + offset:06d}"
            ids[id(item)] = doc_id
            doc = Document(
                id=doc_id,
                sha256=item.sha256,
                text_sha256=hashlib.sha256(item.text.encode("utf-8")).hexdigest(),
                size=len(item.data),
                media_type=item.media_type,
                kind=item.kind,
                provenance=Provenance(submission.submitted_by, submission.channel, received_at, item.name),
                title=item.title,
                parent_id=ids.get(id(item.parent)) if item.parent is not None else None,
                amends=item.amends,
                text_status=NO_TEXT if item.text_status == NO_TEXT else None,
                text_reason=item.text_reason if item.text_status == NO_TEXT else None,
                page_sources_sha256=page_sources_sha256(item.page_sources) if item.page_sources else None,
            )
            docs.append((doc, item.text))
        return docs

    @staticmethod
    def _document_event(doc: Document, at: str, reason: str | None) -> tuple[bytes, Committed]:
        """The leaf (version 2: each identifying field a salted commitment, issue 12) and its salt.
        The actor is the submitter, so it carries the submitter's commitment too."""
        kind = EventType.DOCUMENT_AMENDED if doc.amends else EventType.DOCUMENT_RECEIVED
        body = document_event(kind, doc.metadata(), doc.sha256, doc.text_sha256)
        if reason is not None:
            body["reason"] = reason
        committed = commit_body(body, DOCUMENT_PATHS)
        actor = committed.body["document"]["submitted_by"]
        return Event(kind, doc.id, at, actor, committed.body).to_leaf(), committed

    # -- changing the record --------------------------------------------------------------

    def amend(self, doc_id: str, path: Path, submission: Submission, reason: str) -> Outcome:
        """Register a new version of a document. The original stays, untouched."""
        original = self._require(doc_id)
        read, failures = self._read_path(path, submission)
        if failures and not read:
            return failures[0]
        item = read[0]
        item.amends = doc_id
        item.reason = reason
        if submission.kind is None:
            item.kind = original[0].kind
        outcomes = self._record([item], submission)
        return outcomes[0]

    def amend_bytes(
        self,
        doc_id: str,
        name: str,
        data: bytes,
        submission: Submission,
        reason: str,
        follow: Callable[[Document], list[Event]] | None = None,
    ) -> Outcome:
        """Register bytes made here (a redacted copy, say) as a new version of a document.

        `follow(document)` gives events recorded in the same commit as the new version, so the
        version and what is said about it (the redaction) are on record together or not at all.
        Only the top-level file is taken: bytes made here carry no attachments."""
        original = self._require(doc_id)
        if len(data) > self.limits.max_bytes:
            raise IntakeError(f"{len(data)} bytes is over the {self.limits.max_bytes}-byte limit")
        try:
            result = read_file_bytes(data, name, self.limits)
        except IntakeError as err:
            return Outcome(name, "failed", reason=str(err))
        item = _pending(name, name, data, result, submission.kind or original[0].kind, None)
        item.amends = doc_id
        item.reason = reason
        item.follow = follow
        return self._record([item], submission)[0]

    def withdraw(self, doc_id: str, actor: str, reason: str) -> Commit:
        """The submitter withdraws a document: it stays on record, marked withdrawn."""
        _, status, _ = self._require(doc_id)
        if status != "active":
            raise DecisionError(f"{doc_id} is already {status}")
        event = Event(EventType.DOCUMENT_WITHDRAWN, doc_id, utc_now(), actor, {"reason": reason})
        return append_events(
            self.log, [event], also=lambda _: self.store.documents.set_document_status(doc_id, "withdrawn")
        )

    def seal(self, doc_id: str, actor: str, reason: str, order: str | None = None) -> Commit | None:
        """Remove a document's content (e.g. by court order). Its hash stays in the log forever.

        Returns None when the document was sealed already and only leftover content was removed.
        """
        doc, status, _ = self._require(doc_id)
        commit = None
        if status != "sealed":
            body = {"reason": reason, "order": order, "sha256": doc.sha256, "text_sha256": doc.text_sha256}
            event = Event(EventType.DOCUMENT_SEALED, doc_id, utc_now(), actor, body)

            def clear(_: list[int]) -> None:
                self.store.documents.set_document_status(doc_id, "sealed")
                self.store.documents.clear_text(doc_id)
                self.store.analysis.forget_document(doc_id)  # mentions, and the names entities took from it
                # Kept proposals' reasons quote names read from text: all read models go, and are
                # built again from what remains.
                self.store.read_models.clear()
                # Crypto-shredding (issue 12): the data key goes in the sealing commit, and the
                # search index is merged so the text's terms are gone rather than marked deleted.
                self.objects.shred(doc.sha256)
                self.store.documents.purge_search_index()

            commit = append_events(self.log, [event], also=clear)
        # After the commit: a crash here leaves bytes that `verify` reports and a re-seal removes
        # (unreadable already: their key went with the commit).
        self.objects.remove(doc.sha256)
        self.store.fold_wal()  # no WAL frame keeps the removed text for a later copy
        return commit

    def _require(self, doc_id: str) -> tuple[Document, str, int]:
        found = self.store.documents.get_document(doc_id)
        if found is None:
            raise DecisionError(f"no document {doc_id}")
        return found

    def receipt(self, doc_id: str, opening: bool = False) -> Receipt:
        """A fresh receipt for a document against the latest checkpoint. With `opening`, it also
        carries the salts and values of the entry's committed fields: for the submitter only."""
        doc, _, index = self._require(doc_id)
        issued = self.log.receipt(index, document_id=doc.id)
        return self.with_opening(issued) if opening else issued

    def with_opening(self, receipt: Receipt) -> Receipt:
        """`receipt` carrying the opening of its document entry's committed fields (the submitter's
        copy: it shows the file name, the submitter and the title in clear). A receipt for an entry
        recorded before commitments is returned as it is: that entry holds the values in clear."""
        if receipt.entry is None or receipt.document_id is None:
            return receipt
        paths = committed_paths(Event.from_leaf(receipt.entry).body)
        held = self.store.ledger.commitment(receipt.leaf_index)
        found = self.store.documents.get_document(receipt.document_id)
        if not paths or held is None or found is None:
            return receipt
        salt, kept = held
        values = document_values(self.store.documents.with_reading(found[0]), kept)
        return dataclasses.replace(receipt, opening=opening_of(salt, {p: values.get(p) for p in paths}))


def _pending(
    source: str, name: str, data: bytes, result: Reading, kind: DocumentKind, parent: _Pending | None
) -> _Pending:
    """The item to record, carrying what the reader said about how (and whether) it read the text."""
    item = _Pending(source, name, data, result.text, result.media_type, result.title, kind, parent)
    item.text_status = result.status
    item.text_reason = result.reason
    item.page_sources = tuple(_stored(source) for source in result.page_sources)
    return item


def _stored(source: PageSource) -> TextSource:
    return TextSource(source.page, source.start, source.end, source.method, source.confidence, source.words)


def configured_limits(home: Home) -> Limits:
    """The intake limits config.json sets (checked field by field), else the defaults."""
    given = home.config().get("limits") or {}
    try:
        return Limits(**given)
    except TypeError:
        known = ", ".join(f.name for f in fields(Limits))
        unknown = sorted(set(given) - {f.name for f in fields(Limits)})
        raise SettingsError(
            f'{home.config_path}: field "limits.{unknown[0]}" is not a limit casetrail knows ({known}): '
            "correct its name or remove it"
        ) from None
    except ValueError as err:
        raise SettingsError(f"{home.config_path}: {err}: correct it, or remove it to use the default") from None


def _load_signer(home: Home) -> tuple[NoteSigner | None, str]:
    """(signer, "") or (None, what is wrong with the key and what to do)."""
    try:
        return NoteSigner.from_text(home.signer_key()), ""
    except SigningKeyError as err:
        return None, str(err)
    except NoteError as err:
        return None, home.lost_signer(f"is damaged ({err})")


def _load_verifier(home: Home, signer: NoteSigner | None) -> NoteVerifier:
    """keys/log.vkey, checked against the signing key; derived from that key if the file is gone."""
    if signer is not None and not home.verifier_path.exists():
        return signer.verifier()
    try:
        verifier = NoteVerifier.from_text(home.verifier_key())
    except NoteError as err:
        raise SettingsError(
            f"{home.verifier_path} is damaged ({err}): restore it from your backup or from the verifier_key of any receipt"
        ) from None
    if signer is not None and signer.key_id != verifier.key_id:
        raise SettingsError(
            f"{home.signer_path} and {home.verifier_path} are not a pair (key ids {signer.key_id:08x} and "
            f"{verifier.key_id:08x}): one was replaced; restore both from your backup "
            "(`casetrail verify --key FILE` shows which key signed this log's checkpoints)"
        )
    return verifier


__all__ = ["CasetrailError", "Outcome", "Register", "Submission", "iter_files"]
