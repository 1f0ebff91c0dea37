"""Receipts: what a submitter holds to prove, offline, that their document is in the log.

A receipt is an inclusion proof for one leaf against a signed checkpoint, plus the leaf data
so the holder can recompute the leaf hash. Two encodings: casetrail's JSON, and the
interoperable c2sp.org/tlog-proof@v1 text (with the leaf data as its `extra`).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from casetrail.errors import NoteError, ProofError, ReceiptError
from casetrail.ledger.checkpoint import (
    Checkpoint,
    NoteVerifier,
    open_checkpoint,
    split_note,
    strict_b64decode,
)
from casetrail.ledger.commitments import check_opening
from casetrail.ledger.merkle import (
    HASH_SIZE,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

VERSION = "casetrail-receipt/1"
TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"
_KEYS = (
    "version",
    "origin",
    "leaf_index",
    "tree_size",
    "leaf_hash",
    "inclusion_proof",
    "checkpoint",
    "entry",
    "document_id",
    "verifier_key",
)
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _decode(text: object, what: str, size: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ReceiptError(f"{what} must be a base64 string")
    try:
        raw = strict_b64decode(text)
    except ValueError as error:
        raise ReceiptError(f"{what}: {error}") from None
    if size is not None and len(raw) != size:
        raise ReceiptError(f"{what} must be {size} bytes, not {len(raw)}")
    return raw


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReceiptError(f"{what} must be a non-negative integer")
    return value


def _opening(value: object) -> dict[str, dict[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(item, dict) and set(item) == {"salt", "value"} and isinstance(item["salt"], str)
        for item in value.values()
    ):
        raise ReceiptError('receipt opening must map each field to {"salt": hex, "value": ...}')
    return value


def _optional_text(value: object, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ReceiptError(f"{what} must be a string or null")
    return value


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`json.loads` hook for untrusted JSON: a repeated key reads differently in different parsers."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {key!r} appears twice")
        seen[key] = value
    return seen


@dataclass(frozen=True)
class Receipt:
    origin: str
    leaf_index: int  # 0-based
    tree_size: int
    leaf_hash: bytes
    inclusion_proof: list[bytes]
    checkpoint: str  # the signed note, verbatim
    entry: bytes | None = None  # the leaf data, so the holder can recompute leaf_hash
    document_id: str | None = None
    verifier_key: str | None = None  # informational only; never trusted
    # The submitter's copy only (issue 12): path -> {"salt": hex field salt, "value": ...}, opening
    # the entry's committed fields (its file name, submitter, title) so they can be shown to a court.
    opening: dict[str, dict[str, Any]] | None = None

    def to_json(self) -> str:
        value = {
            "version": VERSION,
            "origin": self.origin,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": _b64(self.leaf_hash),
            "inclusion_proof": [_b64(digest) for digest in self.inclusion_proof],
            "checkpoint": self.checkpoint,
            "entry": None if self.entry is None else _b64(self.entry),
            "document_id": self.document_id,
            "verifier_key": self.verifier_key,
        }
        if self.opening is not None:
            value["opening"] = self.opening
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Receipt:
        try:
            raw = json.loads(text, object_pairs_hook=unique_keys)
        except (ValueError, TypeError, RecursionError) as error:  # JSONDecodeError is a ValueError
            raise ReceiptError(f"receipt is not JSON: {error}") from None
        if not isinstance(raw, dict):
            raise ReceiptError("receipt JSON must be an object")
        if set(raw) - {"opening"} != set(_KEYS):
            missing, extra = sorted(set(_KEYS) - set(raw)), sorted(set(raw) - set(_KEYS) - {"opening"})
            raise ReceiptError(f"receipt JSON keys are wrong (missing {missing}, unexpected {extra})")
        if raw["version"] != VERSION:
            raise ReceiptError(f"unknown receipt version {raw['version']!r}, expected {VERSION!r}")
        if not isinstance(raw["origin"], str) or not raw["origin"]:
            raise ReceiptError("receipt origin must be a non-empty string")
        if not isinstance(raw["checkpoint"], str) or not raw["checkpoint"]:
            raise ReceiptError("receipt checkpoint must be the signed note text")
        if not isinstance(raw["inclusion_proof"], list):
            raise ReceiptError("receipt inclusion_proof must be a list")
        return cls(
            origin=raw["origin"],
            leaf_index=_count(raw["leaf_index"], "leaf_index"),
            tree_size=_count(raw["tree_size"], "tree_size"),
            leaf_hash=_decode(raw["leaf_hash"], "leaf_hash", HASH_SIZE),
            inclusion_proof=[
                _decode(digest, f"inclusion_proof[{n}]", HASH_SIZE) for n, digest in enumerate(raw["inclusion_proof"])
            ],
            checkpoint=raw["checkpoint"],
            entry=None if raw["entry"] is None else _decode(raw["entry"], "entry"),
            document_id=_optional_text(raw["document_id"], "document_id"),
            verifier_key=_optional_text(raw["verifier_key"], "verifier_key"),
            opening=_opening(raw.get("opening")),
        )

    def to_tlog_proof(self) -> str:
        """The c2sp.org/tlog-proof@v1 text, carrying the leaf data as `extra`.

        document_id, verifier_key and any opening have no place in that format and are left out.
        """
        if self.entry is None:
            raise ReceiptError("a tlog-proof needs the entry: without it the leaf hash cannot be rebuilt")
        lines = [TLOG_PROOF_HEADER, f"extra {_b64(self.entry)}", f"index {self.leaf_index}"]
        lines += [_b64(digest) for digest in self.inclusion_proof]
        return "\n".join(lines) + "\n\n" + self.checkpoint

    @classmethod
    def from_tlog_proof(cls, text: str, entry: bytes | None = None) -> Receipt:
        """Parse a tlog-proof; `entry` supplies the leaf data when the proof has no `extra`.

        Origin and tree size are read from the (not yet verified) checkpoint; `verify_receipt`
        is what checks it.
        """
        if not isinstance(text, str):
            raise ReceiptError("a tlog-proof is text")
        lines = text.split("\n")
        if lines[0] != TLOG_PROOF_HEADER:
            raise ReceiptError(f"not a tlog-proof: the first line must be {TLOG_PROOF_HEADER}")
        at = 1
        extra: bytes | None = None
        if at < len(lines) and lines[at].startswith("extra "):
            extra = _decode(lines[at][len("extra ") :], "tlog-proof extra")
            at += 1
        if at >= len(lines) or not lines[at].startswith("index "):
            raise ReceiptError("tlog-proof lacks its index line")
        index_text = lines[at][len("index ") :]
        if not _DECIMAL.fullmatch(index_text):
            raise ReceiptError(f"bad tlog-proof index {index_text!r}")
        at += 1
        proof: list[bytes] = []
        while at < len(lines) and lines[at]:
            proof.append(_decode(lines[at], f"tlog-proof hash {len(proof)}", HASH_SIZE))
            at += 1
        if at >= len(lines):
            raise ReceiptError("tlog-proof lacks the blank line before its checkpoint")
        note = "\n".join(lines[at + 1 :])
        if extra is not None and entry is not None and extra != entry:
            raise ReceiptError("the entry given differs from the tlog-proof's extra data")
        data = extra if extra is not None else entry
        if data is None:
            raise ReceiptError("tlog-proof has no extra data; pass the entry to rebuild the leaf hash")
        try:
            body, _ = split_note(note)
            checkpoint = Checkpoint.parse(body)
        except NoteError as error:
            raise ReceiptError(f"tlog-proof checkpoint: {error}") from error
        return cls(
            origin=checkpoint.origin,
            leaf_index=int(index_text),
            tree_size=checkpoint.size,
            leaf_hash=leaf_hash(data),
            inclusion_proof=proof,
            checkpoint=note,
            entry=data,
        )


def _entry_body(entry: bytes) -> dict[str, Any]:
    try:
        value = json.loads(entry)
    except ValueError:
        return {}
    body = value.get("body") if isinstance(value, dict) else None
    return body if isinstance(body, dict) else {}


def _entry_subject(entry: bytes) -> str | None:
    """The `subject` of a casetrail event leaf, or None when the entry is not one."""
    try:
        value = json.loads(entry)
    except ValueError:
        return None
    subject = value.get("subject") if isinstance(value, dict) else None
    return subject if isinstance(subject, str) else None


def verify_receipt(
    receipt: Receipt,
    verifier: NoteVerifier,
    later_checkpoint: str | None = None,
    consistency: list[bytes] | None = None,
) -> Checkpoint:
    """Check a receipt offline; return the checkpoint it was checked against.

    With `later_checkpoint` (signed by the same key) and a consistency proof from the receipt's
    tree to it, also check the leaf is still in that later tree and return the later checkpoint.
    Raises ReceiptError, naming what failed, on any problem.
    """
    if not isinstance(receipt, Receipt):
        raise ReceiptError("not a receipt")
    try:
        checkpoint = open_checkpoint(receipt.checkpoint, verifier)
    except NoteError as error:
        raise ReceiptError(f"receipt checkpoint: {error}") from error
    if receipt.origin != checkpoint.origin:
        raise ReceiptError(f"receipt origin {receipt.origin!r} differs from its checkpoint's {checkpoint.origin!r}")
    if receipt.tree_size != checkpoint.size:
        raise ReceiptError(f"receipt tree size {receipt.tree_size} differs from its checkpoint's {checkpoint.size}")
    if receipt.entry is not None:
        if not isinstance(receipt.entry, bytes) or leaf_hash(receipt.entry) != receipt.leaf_hash:
            raise ReceiptError("the receipt's entry does not hash to its leaf hash")
        # Event leaves name their document: a receipt must not claim some other document.
        subject = _entry_subject(receipt.entry)
        if receipt.document_id is not None and subject is not None and subject != receipt.document_id:
            raise ReceiptError(f"the receipt is for {receipt.document_id} but its entry is about {subject}")
    if receipt.opening is not None:
        if receipt.entry is None:
            raise ReceiptError("the receipt opens fields but carries no entry to hold them to")
        wrong = check_opening(_entry_body(receipt.entry), receipt.opening)
        if wrong:
            raise ReceiptError(f"the receipt's opening does not match its entry's commitment: {', '.join(wrong)}")
    try:
        verify_inclusion(
            receipt.leaf_hash, receipt.leaf_index, checkpoint.size, receipt.inclusion_proof, checkpoint.root
        )
    except ProofError as error:
        raise ReceiptError(f"inclusion proof: {error}") from error
    if later_checkpoint is None:
        if consistency is not None:
            raise ReceiptError("a consistency proof needs the later checkpoint it leads to")
        return checkpoint
    try:
        later = open_checkpoint(later_checkpoint, verifier)
    except NoteError as error:
        raise ReceiptError(f"later checkpoint: {error}") from error
    try:
        verify_consistency(checkpoint.size, later.size, consistency or [], checkpoint.root, later.root)
    except ProofError as error:
        raise ReceiptError(f"consistency with the checkpoint at size {later.size}: {error}") from error
    return later
