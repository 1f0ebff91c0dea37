"""A log export for an outside auditor (issue 12): the log without the store and without its key.

The whole database is encrypted, so an auditor without the key-encryption key cannot read the log
in place. The key holder writes the log out (`casetrail log export DIR`) and the auditor checks it
with the verifier key alone (`casetrail verify --log-only DIR --key VKEY`):

    DIR/entries.jsonl      {"index": i, "entry": base64 of the leaf's bytes as stored}, one per leaf
    DIR/nodes.jsonl        {"level": l, "index": i, "hash": base64}, every stored perfect subtree
    DIR/checkpoints.jsonl  {"size": n, "note": the signed checkpoint}
    DIR/log.vkey           the verifier key the log says it has (an auditor uses their own copy)
    DIR/manifest.json      format, origin, tree size and each file's SHA-256

Entries are exactly what the tree hashes, so the auditor learns what the leaves hold: event types,
times, ids, sizes, media types and content hashes; for documents recorded with commitments, salted
commitments instead of names, submitters, titles and reasons. Older events, and `read.audited`
reasons and usernames, and `account.*` usernames, are in clear in their leaves and so in the export.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from casetrail.errors import StoreError
from casetrail.store.sqlite import SqliteStore

FORMAT = "casetrail-log-export/1"
FILES = ("entries.jsonl", "nodes.jsonl", "checkpoints.jsonl", "log.vkey")


def write_export(store: SqliteStore, verifier_key: str, origin: str, dest: Path) -> int:
    """Write the log into `dest` (new or empty); returns the tree size exported. One read
    transaction, so entries, nodes and checkpoints are one consistent state of the log."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise StoreError(f"{dest} is not an empty directory: a log export is written into a new one")
    dest.mkdir(parents=True, exist_ok=True)
    # One snapshot for entries, nodes and checkpoints: SQLite's read transaction is one already;
    # PostgreSQL's default (READ COMMITTED) would let each query see newer commits.
    snapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if store.dialect == "postgres" else "BEGIN"
    store.conn.execute(snapshot)
    try:
        size = store.ledger.ledger_size()
        with _writer(dest / "entries.jsonl") as handle:
            for index, data in store.ledger.iter_entries(0, size):
                handle.write(json.dumps({"index": index, "entry": _b64(data)}) + "\n")
        with _writer(dest / "nodes.jsonl") as handle:
            for level, index, digest in store.ledger.iter_nodes():
                handle.write(json.dumps({"level": level, "index": index, "hash": _b64(bytes(digest))}) + "\n")
        with _writer(dest / "checkpoints.jsonl") as handle:
            for tree_size, note in store.ledger.iter_checkpoints():
                if tree_size <= size:
                    handle.write(json.dumps({"size": tree_size, "note": note}) + "\n")
    finally:
        store.conn.execute("COMMIT")
    (dest / "log.vkey").write_text(verifier_key.strip() + "\n", encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "origin": origin,
        "tree_size": size,
        "files": {name: _sha256(dest / name) for name in FILES},
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return size


class LogExport:
    """An export read back: the `LogSource` the tree check reads (ledger/verification.py)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        missing = [
            name for name in ("entries.jsonl", "nodes.jsonl", "checkpoints.jsonl") if not (root / name).is_file()
        ]
        if missing:
            raise StoreError(f"{root}: not a casetrail log export ({', '.join(missing)} missing)")

    def manifest_problems(self) -> list[str]:
        """Files whose SHA-256 differs from the manifest's (a note: the signatures decide)."""
        try:
            files = json.loads((self.root / "manifest.json").read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return ["manifest.json is missing or unreadable"]
        return [
            f"{name} differs from the manifest's SHA-256"
            for name, digest in files.items()
            if not (self.root / name).is_file() or _sha256(self.root / name) != digest
        ]

    def verifier_key(self) -> str | None:
        path = self.root / "log.vkey"
        return path.read_text(encoding="utf-8").strip() if path.is_file() else None

    def iter_entries(self) -> Iterator[tuple[int, bytes]]:
        for row in self._rows("entries.jsonl"):
            yield int(row["index"]), base64.b64decode(row["entry"])

    def iter_nodes_at(self, level: int) -> Iterator[tuple[int, int, bytes]]:
        for row in self._rows("nodes.jsonl"):
            if int(row["level"]) == level:
                yield level, int(row["index"]), base64.b64decode(row["hash"])

    def iter_checkpoints(self) -> Iterator[tuple[int, str]]:
        for row in self._rows("checkpoints.jsonl"):
            yield int(row["size"]), str(row["note"])

    def _rows(self, name: str) -> Iterator[dict]:  # type: ignore[type-arg]
        with open(self.root / name, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError("not an object")
                except ValueError as err:
                    raise StoreError(f"{self.root / name}: line {number} is not a JSON object ({err})") from None
                yield row


class _writer:
    """A file written, flushed and fsynced."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "w", encoding="utf-8")

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self.handle

    def __exit__(self, *exc: object) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
