"""The `casetrail` command: a thin shell over the register, the log and the pipeline steps."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from casetrail.errors import CasetrailError, KeyCustodyError, NoteError, StoreError
from casetrail.intake.limits import Limits
from casetrail.intake.register import (
    Outcome,
    Register,
    Submission,
    configured_limits,
    iter_files,
)
from casetrail.ledger.checkpoint import Checkpoint, NoteSigner, NoteVerifier
from casetrail.ledger.latest import LatestCheckpoint, check_not_behind
from casetrail.ledger.merkle import leaf_hash
from casetrail.ledger.receipt import Receipt, verify_receipt
from casetrail.ledger.verification import verify_store
from casetrail.model.document import DocumentKind
from casetrail.store.home import Home

if TYPE_CHECKING:
    from casetrail.analysis import Analysis

T = TypeVar("T")

app = typer.Typer(help="Tamper-evident records for independent investigations.", no_args_is_help=True)
log_app = typer.Typer(help="The signed, append-only log.", no_args_is_help=True)
proof_app = typer.Typer(help="Inclusion and consistency proofs.", no_args_is_help=True)
log_app.add_typer(proof_app, name="proof")
app.add_typer(log_app, name="log")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class State:
    home: Home = Home(Path("casetrail-home"))


@app.callback()
def main_options(
    home: Annotated[Path, typer.Option("--home", envvar="CASETRAIL_HOME", help="The store's directory.")] = Path(
        "casetrail-home"
    ),
) -> None:
    State.home = Home(home)


def fail(message: str, code: int = 1) -> None:
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def run(action: Callable[[], T]) -> T:
    """The action's result; a casetrail error becomes a one-line message and exit code 1."""
    try:
        return action()
    except CasetrailError as error:
        fail(str(error))
        raise  # unreachable: fail exits


# -- set-up -------------------------------------------------------------------------------


@app.command()
def init(
    origin: Annotated[Optional[str], typer.Option(help="Log origin line (also the key name).")] = None,
    new_key_file: Annotated[
        Optional[Path], typer.Option(help="Make a new key file here (outside the home) and encrypt the store under it.")
    ] = None,
    key_file: Annotated[
        Optional[Path], typer.Option(help="Encrypt under this existing key file (outside the home).")
    ] = None,
    plaintext: Annotated[
        bool,
        typer.Option("--plaintext", help="UNSAFE for real material: no encryption at rest (tests, throwaway demos)."),
    ] = False,
    database: Annotated[
        Optional[str],
        typer.Option(
            metavar="URL",
            help="Keep the store in this PostgreSQL database (postgresql://USER@HOST/DB), recorded in config.json "
            "without its password; the password comes from CASETRAIL_DATABASE_URL, PGPASSWORD or ~/.pgpass.",
        ),
    ] = None,
) -> None:
    """Create a store and its Ed25519 log signing key; encrypted unless --plaintext.

    The key-encryption key comes from --new-key-file / --key-file, else CASETRAIL_KEY_FILE,
    CASETRAIL_PASSPHRASE or CASETRAIL_VAULT_KEY, else a passphrase asked on the terminal.
    The database is casetrail.db (SQLite) in the home, unless --database or CASETRAIL_DATABASE_URL
    names a PostgreSQL database."""
    home = State.home
    name = origin or f"casetrail.local/{os.urandom(6).hex()}"
    try:
        if database is not None:
            home.use_database(database)
        _choose_key(home, new_key_file, key_file, plaintext)
        register = Register.create(home, name)
    except CasetrailError as error:
        fail(str(error))
        return
    out.print(f"created {home.root} with log {name}")
    on_postgres = register.store.dialect == "postgres"
    if on_postgres:
        out.print(f"database: {register.store.path} (PostgreSQL; no password was written down)", markup=False)
    if home.key_source is not None and on_postgres:
        out.print(
            f"objects encrypted (AES-256-GCM) under the {home.key_source.describe()}; the database's encryption at "
            "rest is the PostgreSQL server's (see README, 'PostgreSQL')",
            markup=False,
        )
    elif home.key_source is not None:
        out.print(f"encrypted (SQLCipher 4, AES-256-GCM objects) under the {home.key_source.describe()}", markup=False)
    else:
        out.print("PLAINTEXT store: not encrypted at rest; unsafe for real material", markup=False)
    out.print(f"verifier key: {register.log.signer.verifier_key()}")
    register.store.close()


def _choose_key(home: Home, new_key_file: Path | None, key_file: Path | None, plaintext: bool) -> None:
    from casetrail.store.keys import checked_key_file, generate_key_file

    if sum(map(bool, (new_key_file, key_file, plaintext))) > 1:
        raise KeyCustodyError("choose one of --new-key-file, --key-file and --plaintext")
    home.plaintext = plaintext
    if key_file is not None:
        home.key_source = checked_key_file(key_file, home.root)
    elif new_key_file is not None:
        checked_key_file(new_key_file, home.root)  # refused inside the home before anything is written
        if home.parts():
            return  # Register.create refuses, naming what is there; no key file is left behind
        home.key_source = generate_key_file(new_key_file)


# -- intake -------------------------------------------------------------------------------


def open_register(limits: Limits | None = None) -> Register:
    """The store for a command that may write (read-only by itself when the store cannot be written)."""
    return run(lambda: Register.open(State.home, limits))


def open_reader() -> Register:
    """The store for a command that only reads: opened read-only, without config.json."""
    return run(lambda: Register.open(State.home, readonly=True, settings=False))


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to take in.")],
    receipts: Annotated[Optional[Path], typer.Option(help="Write one receipt JSON per new document here.")] = None,
    opening: Annotated[
        bool,
        typer.Option(
            help="Put in each receipt the opening of its committed fields (file name, submitter, title):"
            " for the submitter only, never anyone else."
        ),
    ] = False,
    kind: Annotated[Optional[DocumentKind], typer.Option(help="Kind of every document (default: guessed).")] = None,
    submitted_by: Annotated[str, typer.Option(help="Who handed the material over.")] = "unknown",
    channel: Annotated[str, typer.Option(help="How it arrived: upload, email, post, ...")] = "upload",
    max_bytes: Annotated[Optional[int], typer.Option(help="Refuse files over this size.")] = None,
    max_pages: Annotated[Optional[int], typer.Option(help="Refuse PDFs over this many pages.")] = None,
    batch: Annotated[int, typer.Option(help="Documents per durable commit.")] = 64,
) -> None:
    """Record documents; unreadable files fail one by one, the rest go in. Exit 1 if any failed."""
    limits = None
    if max_bytes is not None or max_pages is not None:
        base = run(lambda: configured_limits(State.home)) if State.home.exists() else Limits()
        changes = {k: v for k, v in {"max_bytes": max_bytes, "max_pages": max_pages}.items() if v is not None}
        limits = run(lambda: dataclasses.replace(base, **changes))
    register = open_register(limits)
    run(register.require_writable)
    for leftover in register.objects.clear_leftovers():
        err.print(f"removed {leftover}: a partial write left by an interrupted ingest", markup=False)
    if receipts is not None:
        receipts.mkdir(parents=True, exist_ok=True)
    files = list(iter_files(paths))
    counts = {"recorded": 0, "duplicate": 0, "failed": 0}
    progress = Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal or len(files) < 2,
    )
    task = progress.add_task("ingest", total=len(files))

    def report(outcome: Outcome) -> None:
        counts[outcome.status] += 1
        if outcome.receipt is not None and receipts is not None:
            issued = register.with_opening(outcome.receipt) if opening else outcome.receipt
            (receipts / f"{outcome.document_id}.receipt.json").write_text(issued.to_json())
        (err if outcome.status == "failed" else out).print(outcome.line(), markup=False)
        sys.stdout.flush()  # an acknowledgement is only worth something once it is out

    with progress:
        register.ingest(
            _advancing(files, progress, task), Submission(submitted_by, channel, kind), batch, on_outcome=report
        )
    out.print(f"{counts['recorded']} recorded, {counts['duplicate']} already held, {counts['failed']} failed")
    if counts["failed"]:
        raise typer.Exit(1)


def _advancing(files: list[Path], progress: Progress, task: TaskID) -> Iterator[Path]:
    for path in files:
        yield path
        progress.advance(task)


@app.command()
def documents(
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    no_text: Annotated[
        bool, typer.Option("--no-text", help="Only documents from which no text was read (sealed ones aside), and why.")
    ] = False,
) -> None:
    """List registered documents with kind, status and leaf."""
    register = open_register()
    if no_text:
        _documents_without_text(register, as_json)
        return
    rows = list(register.store.documents.iter_documents())
    if as_json:
        for doc, status, leaf in rows:
            doc = register.store.documents.with_reading(doc)  # the metadata as its ledger event holds it
            out.print(json.dumps({**doc.metadata(), "status": status, "leaf_index": leaf, "sha256": doc.sha256}))
        return
    table = Table("id", "kind", "status", "leaf", "source", "received")
    for doc, status, leaf in rows:
        table.add_row(doc.id, doc.kind.value, status, str(leaf), doc.provenance.source_name, doc.provenance.received_at)
    out.print(table)


def _documents_without_text(register: Register, as_json: bool) -> None:
    """Documents nothing can be found in until someone acts (OCR, a better scan, the typed original)."""
    reasons = register.store.documents.no_text_documents()
    found = [(register.store.documents.get_document(doc_id), reason) for doc_id, reason in reasons.items()]
    rows = [(row, reason or "no text found (recorded before casetrail kept a reason)") for row, reason in found if row]
    if as_json:
        for (doc, status, leaf), reason in rows:
            out.print(
                json.dumps(
                    {
                        "id": doc.id,
                        "source_name": doc.provenance.source_name,
                        "status": status,
                        "leaf_index": leaf,
                        "reason": reason,
                    }
                )
            )
        return
    table = Table("id", "status", "leaf", "source", "reason")
    for (doc, status, leaf), reason in rows:
        table.add_row(doc.id, status, str(leaf), doc.provenance.source_name, reason)
    out.print(table)
    out.print(f"{len(rows)} document(s) with no text found", markup=False)


@app.command()
def show(doc_id: str, text: Annotated[bool, typer.Option(help="Print the extracted text too.")] = False) -> None:
    """Show one document's record (and optionally its text)."""
    register = open_register()
    found = register.store.documents.get_document(doc_id)
    if found is None:
        fail(f"no document {doc_id}")
        return
    doc, status, leaf = register.store.documents.with_reading(found[0]), found[1], found[2]
    out.print(json.dumps({**doc.metadata(), "status": status, "leaf_index": leaf, "sha256": doc.sha256}, indent=2))
    if text:
        body = register.store.documents.get_text(doc_id)
        out.print(body if body is not None else "(sealed: content removed)", markup=False)


@app.command()
def amend(
    doc_id: str,
    path: Path,
    reason: Annotated[str, typer.Option(help="Why the new version was given.")],
    submitted_by: Annotated[str, typer.Option()] = "unknown",
    receipts: Annotated[Optional[Path], typer.Option(help="Write the new version's receipt here.")] = None,
    opening: Annotated[
        bool,
        typer.Option(
            help="Put in each receipt the opening of its committed fields (file name, submitter, title):"
            " for the submitter only, never anyone else."
        ),
    ] = False,
) -> None:
    """Record a new version of a document; the original stays as it was."""
    register = open_register()
    try:
        outcome = register.amend(doc_id, path, Submission(submitted_by, "amendment"), reason)
    except CasetrailError as error:
        fail(str(error))
        return
    (err if outcome.status == "failed" else out).print(outcome.line(), markup=False)
    if outcome.receipt is not None and receipts is not None:
        receipts.mkdir(parents=True, exist_ok=True)
        issued = register.with_opening(outcome.receipt) if opening else outcome.receipt
        (receipts / f"{outcome.document_id}.receipt.json").write_text(issued.to_json())
    if outcome.status == "failed":
        raise typer.Exit(1)


@app.command()
def withdraw(
    doc_id: str,
    reason: Annotated[str, typer.Option(help="Why it is withdrawn.")],
    actor: Annotated[str, typer.Option(help="Who withdraws it.")] = "unknown",
) -> None:
    """Mark a document withdrawn. It stays on record."""
    register = open_register()
    try:
        commit = register.withdraw(doc_id, actor, reason)
    except CasetrailError as error:
        fail(str(error))
        return
    out.print(f"withdrawn {doc_id} leaf {commit.indices[0]}")


@app.command()
def seal(
    doc_id: str,
    reason: Annotated[str, typer.Option(help="Why the content must go.")],
    order: Annotated[Optional[str], typer.Option(help="The court order or authority, if any.")] = None,
    actor: Annotated[str, typer.Option(help="Who seals it.")] = "unknown",
) -> None:
    """Remove a document's content; its hash stays in the log and verification still passes."""
    register = open_register()
    try:
        commit = register.seal(doc_id, actor, reason, order)
    except CasetrailError as error:
        fail(str(error))
        return
    out.print(f"sealed {doc_id}" + (f" leaf {commit.indices[0]}" if commit else " (content removal completed)"))


@app.command()
def receipt(
    doc_id: str,
    output: Annotated[Optional[Path], typer.Option("--out", help="Write here instead of stdout.")] = None,
    tlog_proof: Annotated[bool, typer.Option(help="c2sp.org/tlog-proof@v1 text instead of JSON.")] = False,
    opening: Annotated[
        bool,
        typer.Option(
            help="Put in each receipt the opening of its committed fields (file name, submitter, title):"
            " for the submitter only, never anyone else."
        ),
    ] = False,
) -> None:
    """Issue a fresh receipt for a document against the latest checkpoint."""
    register = open_reader()
    try:
        issued = register.receipt(doc_id, opening=opening)
    except CasetrailError as error:
        fail(str(error))
        return
    text = issued.to_tlog_proof() if tlog_proof else issued.to_json()
    if output:
        output.write_text(text)
    else:
        out.print(text, markup=False, end="")


# -- verification -------------------------------------------------------------------------


def load_verifier(key: str | None) -> NoteVerifier:
    """A verifier from --key (key text or a file holding it), else from the store's keys/log.vkey."""
    try:
        if key:
            text = Path(key).read_text().strip() if Path(key).is_file() else key.strip()
            return NoteVerifier.from_text(text)
        State.home.require()
        return NoteVerifier.from_text(State.home.verifier_key())
    except NoteError as error:
        fail(f"{key or State.home.verifier_path}: not a verifier key ({error}); pass the log's verifier key with --key")
    except (OSError, CasetrailError) as error:
        fail(f"{error}" if isinstance(error, CasetrailError) else f"{key}: {error}")
    raise AssertionError("unreachable: fail exits")


def outside_checkpoints(against: list[Path]) -> list[tuple[str, str]]:
    """(where, signed note) for HOME/checkpoint.latest and each --against file (a checkpoint or a receipt)."""
    found: list[tuple[str, str]] = []
    latest = State.home.checkpoint_path
    if latest.is_file():
        found.append((str(latest), run(lambda: LatestCheckpoint(latest).read() or "")))
    for path in against:
        found.append((str(path), run(lambda: _checkpoint_in(path))))
    return found


def _checkpoint_in(path: Path) -> str:
    """The signed checkpoint in a file: the note itself, or a receipt's (JSON or tlog-proof)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(f"{path}: cannot be read ({error})") from None
    if text.lstrip().startswith("{"):
        return Receipt.from_json(text).checkpoint
    if text.startswith("c2sp.org/tlog-proof@v1"):
        return Receipt.from_tlog_proof(text).checkpoint
    return text


@app.command()
def verify(
    key: Annotated[Optional[str], typer.Option(help="Verifier key text or file.")] = None,
    against: Annotated[
        Optional[list[Path]],
        typer.Option(
            help="A checkpoint (or receipt) kept outside the store; the store must not be behind it. Repeatable."
        ),
    ] = None,
    log_only: Annotated[
        Optional[Path],
        typer.Option(
            "--log-only",
            metavar="DIR",
            help="Verify a log export (`casetrail log export DIR`) without the store and without its key.",
        ),
    ] = None,
) -> None:
    """Recompute the log from the store and check every record against it. Exit 1 on any failure.

    Needs only the database and the verifier key: not the signing key, not config.json. With
    --log-only DIR, only the tree, the checkpoints and their signatures, from an export."""
    if log_only is not None:
        _verify_log_only(log_only, key, against or [])
        return
    verifier = load_verifier(key)
    witnesses = outside_checkpoints(against or [])
    store = run(lambda: State.home.open_store(readonly=True))
    report = verify_store(store, run(lambda: State.home.objects(store)), verifier, witnesses)
    for problem in report.problems:
        err.print(f"FAIL {problem}", markup=False)
    for note in report.notes + _settings_notes():
        err.print(f"note: {note}", markup=False)
    status = "OK" if report.ok else f"FAILED ({len(report.problems)} problems)"
    against_text = f", held against {len(witnesses)} outside checkpoint(s)" if witnesses else ""
    out.print(
        f"{status}: {report.size} log entries, checkpoint at {report.checkpoint_size}, "
        f"root {base64.b64encode(report.root).decode()}, {report.documents} documents ({report.sealed} sealed)"
        f"{against_text}"
    )
    if not report.ok:
        raise typer.Exit(1)


def _verify_log_only(folder: Path, key: str | None, against: list[Path]) -> None:
    """`verify --log-only DIR`: an auditor's check of a log export; no store, no key-encryption key."""
    from casetrail.ledger.export import LogExport
    from casetrail.ledger.verification import verify_log

    export = run(lambda: LogExport(folder))
    notes = export.manifest_problems()
    if key is None:
        text = export.verifier_key()
        if text is None:
            fail(f"{folder}: no verifier key: pass the log's verifier key with --key")
        key = text
        notes.append("the verifier key was taken from the export itself: pass the copy you hold with --key")
    try:
        verifier = NoteVerifier.from_text(Path(key).read_text().strip() if Path(key).is_file() else key.strip())
    except (OSError, NoteError) as error:
        fail(f"{key}: not a verifier key ({error})")
        return
    witnesses = [(str(path), run(lambda: _checkpoint_in(path))) for path in against]
    try:
        report = verify_log(export, verifier, witnesses)
    except (KeyError, ValueError, TypeError) as error:
        fail(f"{folder}: the export is malformed ({type(error).__name__}: {error})")
        return
    except CasetrailError as error:
        fail(str(error))
        return
    for problem in report.problems:
        err.print(f"FAIL {problem}", markup=False)
    for note in notes:
        err.print(f"note: {note}", markup=False)
    status = "OK" if report.ok else f"FAILED ({len(report.problems)} problems)"
    out.print(
        f"{status} (log only): {report.size} log entries, checkpoint at {report.checkpoint_size}, "
        f"root {base64.b64encode(report.root).decode()}, {report.documents} documents recorded "
        f"({report.sealed} sealed); no content was checked"
    )
    if not report.ok:
        raise typer.Exit(1)


def _settings_notes() -> list[str]:
    """The log verifies without the settings, but a broken one stops other commands: say so."""
    try:
        configured_limits(State.home)
    except CasetrailError as error:
        return [f"{error} (the log was verified without it)"]
    if not State.home.signer_path.exists():
        return [f"{State.home.signer_path} is missing: this store can be verified but nothing can be added to it"]
    return []


@app.command("verify-receipt")
def verify_receipt_command(
    receipt_path: Annotated[Path, typer.Argument(metavar="RECEIPT")],
    key: Annotated[Optional[str], typer.Option(help="Verifier key text or file.")] = None,
) -> None:
    """Check a receipt offline against its checkpoint; with the store at hand, also that the store
    still holds it: not behind it, not forked from it."""
    try:
        text = receipt_path.read_text()
        held = Receipt.from_tlog_proof(text) if text.startswith("c2sp.org/tlog-proof@v1") else Receipt.from_json(text)
    except (OSError, UnicodeDecodeError, CasetrailError) as error:
        fail(f"{receipt_path}: {error}")
        return
    verifier = load_verifier(key)
    try:
        checkpoint = verify_receipt(held, verifier)
        out.print(f"OK: leaf {held.leaf_index} is in {checkpoint.origin} at tree size {checkpoint.size}")
        if State.home.exists() and _same_log(verifier):
            _hold_store_to(held, checkpoint, verifier)
    except CasetrailError as error:
        fail(f"{receipt_path}: {error}")


def _hold_store_to(held: Receipt, checkpoint: Checkpoint, verifier: NoteVerifier) -> None:
    """The store must hold everything the receipt's checkpoint proves the log once held."""
    register = open_reader()
    log = register.log
    size = log.size
    root = log.root_at(checkpoint.size) if checkpoint.size <= size else None
    check_not_behind(checkpoint, size, root, f"the store at {State.home.root}", "this receipt")
    latest_size, note = log.latest_checkpoint()
    if latest_size > held.tree_size:
        proof = log.consistency_proof(held.tree_size, latest_size)
        later = verify_receipt(held, verifier, later_checkpoint=note, consistency=proof)
        out.print(f"OK: still present in the store's latest checkpoint, tree size {later.size}")
    else:
        out.print(f"OK: the store's latest checkpoint is this receipt's, tree size {latest_size}")


def _same_log(verifier: NoteVerifier) -> bool:
    """Whether the store at hand is the receipt's log (by its verifier key, or failing that its signing key)."""
    try:
        return NoteVerifier.from_text(State.home.verifier_key()).key_id == verifier.key_id
    except (OSError, CasetrailError):
        pass
    try:
        return NoteSigner.from_text(State.home.signer_key()).key_id == verifier.key_id
    except (OSError, CasetrailError):
        return False


# -- the log ------------------------------------------------------------------------------


@log_app.command("checkpoint")
def log_checkpoint() -> None:
    """Print the latest signed checkpoint."""
    register = open_reader()
    _, note = run(register.log.latest_checkpoint)
    out.print(note, markup=False, end="")


@log_app.command("export")
def log_export(folder: Annotated[Path, typer.Argument(metavar="DIR")]) -> None:
    """Write the log (entries as stored, subtree hashes, signed checkpoints) into a new folder, for an
    auditor who checks it with `verify --log-only DIR --key VKEY` and no other key."""
    from casetrail.ledger.export import write_export

    register = open_reader()
    home = State.home
    verifier = run(lambda: NoteVerifier.from_text(home.verifier_key()))
    size = run(lambda: write_export(register.store, verifier.to_text(), verifier.name, folder))
    out.print(f"exported {size} log entries to {folder}: entries, subtree hashes and signed checkpoints")
    out.print(
        "it holds no content, but event types, times, ids and any field recorded in clear "
        "(read-audit reasons and usernames among them): see README, 'A log that reveals nothing'",
        markup=False,
    )


@log_app.command("key")
def log_key() -> None:
    """Print the log's verifier key (C2SP note verifier-key format)."""
    home = State.home
    run(home.require)
    if not home.verifier_path.exists() and home.signer_path.exists():
        # The key file is gone but the signing key holds the same public key: recreate it from that.
        out.print(run(lambda: NoteSigner.from_text(home.signer_key()).verifier_key()), markup=False)
        return
    out.print(run(lambda: NoteVerifier.from_text(home.verifier_key()).to_text()), markup=False)


@proof_app.command("consistency")
def proof_consistency(old: int, new: int) -> None:
    """Print a consistency proof between two tree sizes as JSON."""
    register = open_reader()
    try:
        proof = register.log.consistency_proof(old, new)
        body = {
            "size1": old,
            "size2": new,
            "root1": base64.b64encode(register.log.root_at(old)).decode(),
            "root2": base64.b64encode(register.log.root_at(new)).decode(),
            "proof": [base64.b64encode(h).decode() for h in proof],
        }
    except CasetrailError as error:
        fail(str(error))
        return
    out.print(json.dumps(body), markup=False)


@proof_app.command("inclusion")
def proof_inclusion(
    index: int, size: Annotated[Optional[int], typer.Option(help="Tree size (default: latest).")] = None
) -> None:
    """Print an inclusion proof for a leaf as JSON."""
    register = open_reader()
    try:
        tree = size if size is not None else register.log.size
        proof = register.log.inclusion_proof(index, tree)
        entry = register.store.ledger.get_entry(index)
        body = {
            "leaf_index": index,
            "tree_size": tree,
            "leaf_hash": base64.b64encode(leaf_hash(entry or b"")).decode(),
            "root": base64.b64encode(register.log.root_at(tree)).decode(),
            "proof": [base64.b64encode(h).decode() for h in proof],
        }
    except CasetrailError as error:
        fail(str(error))
        return
    out.print(json.dumps(body), markup=False)


def hoist_home(argv: list[str]) -> list[str]:
    """Accept `--home DIR` after the command name too, as people type it either way."""
    rest, hoisted, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg == "--home" and i + 1 < len(argv):
            hoisted, i = ["--home", argv[i + 1]], i + 2
            continue
        if arg.startswith("--home="):
            hoisted, i = [arg], i + 1
            continue
        rest.append(arg)
        i += 1
    return hoisted + rest


def main() -> None:
    app(args=hoist_home(sys.argv[1:]), prog_name="casetrail")


# -- extraction and resolution ------------------------------------------------------------

decide_app = typer.Typer(help="Investigators' decisions on entities: each is a ledger event.", no_args_is_help=True)
export_app = typer.Typer(help="Export results for other tools.", no_args_is_help=True)
app.add_typer(decide_app, name="decide")
app.add_typer(export_app, name="export")


def open_analysis(model: str | None = None) -> Analysis:
    """The analysis over this store; the spaCy model comes from --model, else config.json."""
    from casetrail.analysis import Analysis
    from casetrail.extraction.pipeline import ExtractionPipeline

    register = open_register()
    chosen = model or State.home.config().get("spacy_model")
    return Analysis(register, ExtractionPipeline(spacy_model=chosen) if chosen else None)


def extraction_jobs(engine: str, jobs: int | None) -> int:
    """The worker processes `analyse` extracts with, once `--engine` and `--jobs` are known to go
    together and the engine to be able to run; else one line and exit 1."""
    from casetrail.extraction.parallel import default_jobs
    from casetrail.extraction.spark import EXTRACTION_ENGINES
    from casetrail.spark import spark_unavailable_reason

    if engine not in EXTRACTION_ENGINES:
        fail(f"unknown --engine {engine!r}; use processes or spark")
    if engine == "processes":
        return jobs or default_jobs()
    if jobs is not None:  # rejected rather than ignored: Spark's parallelism is the session's cores
        fail(
            "--jobs is for --engine processes; on Spark, extraction runs as many batches at once as the session has cores"
        )
    reason = spark_unavailable_reason()
    if reason is not None:
        fail(f"--engine spark cannot run here: {reason}")
    return 1


@app.command()
def analyse(
    model: Annotated[
        Optional[str], typer.Option(help="spaCy pipeline package (default: config, else en_core_web_sm).")
    ] = None,
    jobs: Annotated[
        Optional[int],
        typer.Option(
            "--jobs",
            min=1,
            help="Processes that extract at once (default: every core); 1 extracts in this process.",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Where extraction runs: processes (this machine, --jobs of them) or spark (the active"
            " SparkSession, else a local one; needs casetrail[spark] and Java 17+). The same mentions either way.",
        ),
    ] = "processes",
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Resolve every document afresh, retraining the linkage model (default: only new documents,"
            " against the entities of the last run, when that run can be built on).",
        ),
    ] = False,
) -> None:
    """Extract mentions from documents not yet read, then resolve entities.

    New documents are resolved against the entities already concluded, with the model the last
    full run trained; `--full` re-resolves everything (and merges entities new evidence joins)."""
    from casetrail.extraction.parallel import ExtractionError
    from casetrail.spark import EngineUnavailable

    jobs = extraction_jobs(engine, jobs)  # before the store is opened: a choice that cannot run touches nothing
    analysis = open_analysis(model)
    todo = len(analysis.store.analysis.documents_to_extract(analysis.pipeline_id))
    progress = Progress(
        TextColumn("reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal or todo < 2,
    )
    with progress:
        task = progress.add_task("extract", total=todo)
        try:
            read = analysis.extract(on_document=lambda _: progress.advance(task), jobs=jobs, engine=engine)  # type: ignore[arg-type]
        except ExtractionError as error:
            fail(f"{error}; the documents read before them are kept, and `casetrail analyse` goes on from there")
        except EngineUnavailable as error:  # Spark would not start: nothing was read
            fail(str(error))
    summary = analysis.resolve(incremental=not full)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.by_type.items()))
    how = "new documents only, against the existing entities" if summary.incremental else "full run"
    resolved = f"resolved {summary.mentions} mentions in {summary.documents_read} documents ({how})"
    out.print(f"read {read} new documents; {resolved}")
    if summary.note:
        out.print(summary.note)
    out.print(f"{summary.entities} entities: {kinds}")
    # The workbench's kept views are built here, by the writer, once: its workers then read them.
    from casetrail.inquiry import Inquiry

    kept = Inquiry(State.home, analysis.register).casework.accounts.keep()
    out.print(f"kept for the workbench: {kept}")


@app.command()
def entities(
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    type_: Annotated[Optional[str], typer.Option("--type", help="Only this entity type.")] = None,
) -> None:
    """List resolved entities with the documents that mention them."""
    register = open_register()
    rows = [e for e in register.store.analysis.list_entities() if type_ is None or e["type"] == type_]
    if format == "json":
        keys = ("id", "type", "name", "aliases", "documents", "mention_count", "attributes", "records")
        out.print(json.dumps([{k: e[k] for k in keys} for e in rows], indent=2), markup=False)
        return
    table = Table("id", "type", "name", "documents", "mentions", "aliases")
    for e in sorted(rows, key=lambda e: (-len(e["documents"]), e["name"])):
        table.add_row(
            e["id"],
            e["type"],
            e["name"],
            str(len(e["documents"])),
            str(e["mention_count"]),
            ", ".join(e["aliases"][:4]),
        )
    out.print(table)


@app.command()
def mentions(
    document: Annotated[Optional[str], typer.Option(help="Only this document.")] = None,
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Show every recorded mention: span, type, extractor and confidence."""
    register = open_register()
    rows = list(register.store.analysis.iter_mentions(document_id=document))
    if format == "json":
        for mid, m in rows:
            record = {
                "id": mid,
                "document": m.document_id,
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "type": m.type.value,
                "extractor": m.extractor,
                "confidence": m.confidence,
                "attributes": m.attributes,
            }
            out.print(json.dumps(record), markup=False)
        return
    table = Table("document", "span", "type", "text", "extractor", "conf.")
    for _, m in rows:
        table.add_row(m.document_id, f"{m.start}-{m.end}", m.type.value, m.text, m.extractor, f"{m.confidence:.2f}")
    out.print(table)


def _decide(kind: str, left: str, right: str | None, reason: str, author: str) -> None:
    from casetrail.model.entity import DecisionKind

    analysis = open_analysis()
    try:
        commit = analysis.decide(DecisionKind(kind), left, right, author, reason)
    except CasetrailError as error:
        fail(str(error))
        return
    out.print(f"recorded {kind} decision at leaf {commit.indices[0]}; run `casetrail analyse` to apply it")


@decide_app.command("confirm")
def decide_confirm(
    left: str,
    right: str,
    reason: Annotated[str, typer.Option(help="Why they are the same.")],
    author: Annotated[str, typer.Option(help="Who decides.")] = "unknown",
) -> None:
    """Two entities (or records) are the same: merge them, whatever the model says."""
    _decide("confirm", left, right, reason, author)


@decide_app.command("reject")
def decide_reject(
    left: str,
    right: str,
    reason: Annotated[str, typer.Option(help="Why they differ.")],
    author: Annotated[str, typer.Option(help="Who decides.")] = "unknown",
) -> None:
    """Two entities (or records) are different: keep them apart, whatever the model says."""
    _decide("reject", left, right, reason, author)


@decide_app.command("split")
def decide_split(
    target: Annotated[str, typer.Argument(help="An entity (split into its records) or one record (D-000001:120).")],
    reason: Annotated[str, typer.Option(help="Why.")],
    author: Annotated[str, typer.Option(help="Who decides.")] = "unknown",
) -> None:
    """Split an entity into its records, or take one record out of its entity."""
    _decide("split", target, None, reason, author)


@export_app.command("ftm")
def export_ftm(
    output: Annotated[Path, typer.Argument(metavar="OUT", help="File to write (FtM JSON lines).")],
    include_text: Annotated[
        bool, typer.Option(help="Include document text (off by default: survivors' accounts).")
    ] = False,
) -> None:
    """Write documents, entities and mentions as FollowTheMoney entities (JSON lines) for Aleph."""
    from casetrail.oversight.ftm import export

    register = open_register()
    store = register.store
    docs = [
        (d, status, store.documents.get_text(d.id) if include_text else None)
        for d, status, _ in store.documents.iter_documents()
    ]
    rows = store.analysis.list_entities()
    entity_of = {mid: eid for eid, mid in store.analysis.entity_mentions()}
    count = 0
    with output.open("w") as handle:
        for item in export(docs, rows, store.analysis.iter_mentions(), entity_of):
            handle.write(json.dumps(item, sort_keys=True) + "\n")
            count += 1
    out.print(f"wrote {count} FollowTheMoney entities to {output}")


# -- demo ---------------------------------------------------------------------------------


@app.command()
def demo(
    statements: Annotated[int, typer.Option(help="How many synthetic statements to generate.")] = 200,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 1,
    fresh: Annotated[bool, typer.Option(help="Start from an empty store (removes the demo home).")] = False,
    analyse_too: Annotated[bool, typer.Option("--analyse/--no-analyse", help="Also extract and resolve.")] = True,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Then start the workbench on it.")] = False,
    port: Annotated[int, typer.Option(help="Workbench port, with --serve.")] = 8000,
) -> None:
    """Generate a fictional inquiry, ingest and analyse it, build its casework, verify, summarise; optionally serve it."""
    from casetrail.synthetic.inquiry import generate_inquiry, write_corpus

    home = State.home
    if fresh and home.root.exists():
        if any(home.root.iterdir()) and not run(home.exists):
            fail(f"{home.root} is not empty and holds no casetrail store; refusing to remove it")
        shutil.rmtree(home.root)
    _demo_key()
    if not home.exists():
        init(origin=None)
    corpus = home.root / "inbox"
    if not corpus.exists():
        write_corpus(generate_inquiry(statements, seed=seed), corpus)
    register = open_register()
    outcomes = register.ingest(iter_files([corpus]), Submission("demo-generator", "synthetic"))
    recorded = sum(1 for o in outcomes if o.status == "recorded")
    failed = [o for o in outcomes if o.status == "failed"]
    for outcome in failed:
        err.print(outcome.line(), markup=False)
    summary = casework = None
    if analyse_too:
        from casetrail.analysis import Analysis

        analysis = Analysis(register)
        analysis.extract()
        summary = analysis.resolve()
        from casetrail.casework import Casework
        from casetrail.demo import build_demo_casework

        casework = build_demo_casework(Casework(register, home.config()))
    report = verify_store(register.store, register.objects, NoteVerifier.from_text(home.verifier_key()))
    table = Table("demo inquiry", "")
    table.add_row("store", str(home.root))
    table.add_row("documents recorded now", str(recorded))
    for status, n in sorted(register.store.documents.count_documents().items()):
        table.add_row(f"documents {status}", str(n))
    table.add_row("failed inputs", str(len(failed)))
    if summary is not None:
        table.add_row("mentions resolved", str(summary.mentions))
        for kind, n in sorted(summary.by_type.items()):
            table.add_row(f"entities: {kind}", str(n))
    if casework is not None:
        table.add_row("cases opened", str(len(casework.cases)))
        table.add_row("assignments made / refused", f"{casework.assignments} / {casework.refusals}")
        table.add_row("intelligence items", str(casework.intelligence))
        table.add_row("escalations to the overseer", str(casework.escalations))
        table.add_row("repeat-subject alerts", str(casework.alerts))
    table.add_row("log entries", str(report.size))
    table.add_row("checkpoint root", base64.b64encode(report.root).decode())
    table.add_row("verification", "OK" if report.ok else f"FAILED: {len(report.problems)} problems")
    out.print(table)
    for problem in report.problems[:20]:
        err.print(f"FAIL {problem}", markup=False)
    if not report.ok or failed:
        raise typer.Exit(1)
    if casework is not None:
        logins = _demo_logins(register)
        out.print("demo logins (fictional staff; password for all: " + DEMO_PASSWORD + "):")
        for username, what in logins:
            out.print(f"  {username:<13} {what}")
    if serve_after:
        from casetrail.cli.workbench import serve

        serve(host="127.0.0.1", port=port)


DEMO_PASSWORD = "casetrail-demo-only"
DEMO_PASSPHRASE = "casetrail-demo-passphrase-fictional-data-only"


def _demo_key() -> None:
    """The demo's store is encrypted like a real one; with no key source given, under a printed
    demo passphrase (fictional data only: a real store's passphrase is never printed)."""
    from casetrail.store.keys import ENV_KEY_FILE, ENV_PASSPHRASE, ENV_VAULT_KEY

    if any(os.environ.get(name) for name in (ENV_KEY_FILE, ENV_PASSPHRASE, ENV_VAULT_KEY)):
        return
    os.environ[ENV_PASSPHRASE] = DEMO_PASSPHRASE
    out.print(
        f"demo store encrypted under the demo passphrase {DEMO_PASSPHRASE!r}; to use it from the CLI:", markup=False
    )
    out.print(f"  export {ENV_PASSPHRASE}={DEMO_PASSPHRASE}", markup=False)


def _demo_logins(register: Register) -> list[tuple[str, str]]:
    """Workbench accounts for the demo's fictional staff (created once)."""
    from casetrail.accounts import Accounts, in_ledger
    from casetrail.casework import Casework
    from casetrail.store.accounts import AccountStore

    accounts = Accounts(AccountStore(register.store), record=in_ledger(register.log, register.store))
    staff = {s.name: s.id for s in Casework(register).book().staff.values()}
    wanted = [
        ("supervisor", ["supervisor"], staff.get("Helen Marsh"), "supervisor: every case, assigns staff"),
        ("investigator", ["investigator"], staff.get("Owen Pryce"), "investigator: only the cases assigned to him"),
        ("overseer", ["overseer"], staff.get("Ruth Calder"), "independent overseer: dashboard, waivers"),
        ("auditor", ["auditor"], None, "auditor: the read audit and integrity, no case content"),
        ("intake", ["intake"], None, "intake: uploads"),
    ]
    existing = {u.username for u in accounts.list_users()}
    for username, roles, staff_id, _ in wanted:
        if username not in existing:
            accounts.create_user(username, DEMO_PASSWORD, roles, staff_id=staff_id, by="casetrail demo")
    return [(username, what) for username, _, _, what in wanted]


# Casework commands live in their own module; importing it registers them on `app`.
from casetrail.cli import backup as _backup  # noqa: E402, F401
from casetrail.cli import casework as _casework  # noqa: E402, F401
from casetrail.cli import disclosure as _disclosure  # noqa: E402, F401
from casetrail.cli import keys as _keys  # noqa: E402, F401
from casetrail.cli import publish as _publish  # noqa: E402, F401
from casetrail.cli import redact as _redact  # noqa: E402, F401
from casetrail.cli import users as _users  # noqa: E402, F401
from casetrail.cli import workbench as _workbench  # noqa: E402, F401
