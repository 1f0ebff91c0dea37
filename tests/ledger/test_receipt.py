"""receipt.py: receipts from an in-memory log, verified offline, tampered with, re-encoded."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from casetrail.errors import ReceiptError
from casetrail.ledger.checkpoint import Checkpoint, NoteSigner
from casetrail.ledger.merkle import (
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
)
from casetrail.ledger.receipt import Receipt, verify_receipt
from casetrail.model.event import Event, EventType

ORIGIN = "casetrail.test/log"
JSON_KEYS = [
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
]


def doc_id(n: int) -> str:
    return f"D-{n + 1:06d}"


class MemoryLog:
    """Just enough of a log: leaves, stored perfect nodes, a signed checkpoint per size asked."""

    def __init__(self, signer: NoteSigner, size: int) -> None:
        self.signer = signer
        self.entries = [
            Event(EventType.DOCUMENT_RECEIVED, doc_id(n), "2026-01-01T00:00:00Z", "tester", {"n": n}).to_leaf()
            for n in range(size)
        ]
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.roots: list[bytes] = []
        edge = CompactRange()
        self.roots.append(edge.root())
        for entry in self.entries:
            self.nodes.update(((level, index), digest) for level, index, digest in edge.append(leaf_hash(entry)))
            self.roots.append(edge.root())

    def fetch(self, keys: Iterable[tuple[int, int]]) -> Mapping[tuple[int, int], bytes]:
        return {key: self.nodes[key] for key in keys}

    def checkpoint(self, size: int) -> str:
        return self.signer.sign(Checkpoint(ORIGIN, size, self.roots[size]).body())

    def receipt(self, index: int, size: int) -> Receipt:
        return Receipt(
            origin=ORIGIN,
            leaf_index=index,
            tree_size=size,
            leaf_hash=leaf_hash(self.entries[index]),
            inclusion_proof=inclusion_proof(index, size, self.fetch),
            checkpoint=self.checkpoint(size),
            entry=self.entries[index],
            document_id=doc_id(index),
            verifier_key=self.signer.verifier_key(),
        )

    def consistency(self, size1: int, size2: int) -> list[bytes]:
        return consistency_proof(size1, size2, self.fetch)


@pytest.fixture(scope="module")
def signer() -> NoteSigner:
    return NoteSigner.generate(ORIGIN)


@pytest.fixture(scope="module")
def log(signer: NoteSigner) -> MemoryLog:
    return MemoryLog(signer, 1010)


@pytest.fixture(scope="module")
def receipt(log: MemoryLog) -> Receipt:
    return log.receipt(6, 10)


def flip(digest: bytes) -> bytes:
    return bytes([digest[0] ^ 1]) + digest[1:]


# --- verifying ----------------------------------------------------------------------------------


def test_every_receipt_of_a_small_log_verifies(log: MemoryLog, signer: NoteSigner) -> None:
    verifier = signer.verifier()
    for size in (1, 2, 7, 10):
        for index in range(size):
            checkpoint = verify_receipt(log.receipt(index, size), verifier)
            assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (ORIGIN, size, log.roots[size])


def test_receipt_without_entry_still_verifies(receipt: Receipt, signer: NoteSigner) -> None:
    bare = dataclasses.replace(receipt, entry=None)
    assert verify_receipt(bare, signer.verifier()).size == 10


def test_receipt_at_10_verifies_against_a_later_checkpoint_at_1010(log: MemoryLog, signer: NoteSigner) -> None:
    verifier = signer.verifier()
    for index in (0, 6, 9):
        held = log.receipt(index, 10)
        later = verify_receipt(
            held, verifier, later_checkpoint=log.checkpoint(1010), consistency=log.consistency(10, 1010)
        )
        assert later.size == 1010 and later.root == log.roots[1010]
    # the same tree is trivially consistent with itself
    assert verify_receipt(log.receipt(3, 10), verifier, log.checkpoint(10), []).size == 10
    assert verify_receipt(log.receipt(3, 10), verifier, log.checkpoint(10)).size == 10


def test_later_checkpoint_problems_fail(log: MemoryLog, signer: NoteSigner, receipt: Receipt) -> None:
    verifier = signer.verifier()
    good = log.consistency(10, 1010)
    later = log.checkpoint(1010)
    attempts: list[dict[str, Any]] = [
        {"later_checkpoint": later, "consistency": [flip(good[0]), *good[1:]]},
        {"later_checkpoint": later, "consistency": good[:-1]},
        {"later_checkpoint": later, "consistency": None},
        {"later_checkpoint": later, "consistency": log.consistency(10, 1009)},
        {"later_checkpoint": log.checkpoint(1009), "consistency": good},
        {"later_checkpoint": log.checkpoint(5), "consistency": []},  # an earlier "later" tree
        {
            "later_checkpoint": NoteSigner.generate(ORIGIN).sign(Checkpoint(ORIGIN, 1010, log.roots[1010]).body()),
            "consistency": good,
        },
        {"later_checkpoint": later.replace("1010", "1011", 1), "consistency": good},
        {"later_checkpoint": None, "consistency": good},
    ]
    for kwargs in attempts:
        with pytest.raises(ReceiptError):
            verify_receipt(receipt, verifier, **kwargs)


def _tamperings(log: MemoryLog, receipt: Receipt, signer: NoteSigner) -> dict[str, Receipt]:
    other = log.receipt(7, 10)
    replace = dataclasses.replace
    proof = receipt.inclusion_proof
    note = receipt.checkpoint
    return {
        "origin": replace(receipt, origin="somebody.else/log"),
        "leaf_index +1": replace(receipt, leaf_index=receipt.leaf_index + 1),
        "leaf_index -1": replace(receipt, leaf_index=receipt.leaf_index - 1),
        "leaf_index beyond": replace(receipt, leaf_index=10),
        "tree_size +1": replace(receipt, tree_size=11),
        "tree_size -1": replace(receipt, tree_size=9),
        "leaf_hash": replace(receipt, leaf_hash=flip(receipt.leaf_hash)),
        "leaf_hash without entry": replace(receipt, leaf_hash=flip(receipt.leaf_hash), entry=None),
        "leaf_hash and entry of another leaf": replace(receipt, leaf_hash=other.leaf_hash, entry=other.entry),
        "entry": replace(receipt, entry=receipt.entry.replace(b'"n":6', b'"n":7')),  # type: ignore[union-attr]
        "entry and leaf_hash rewritten together": replace(
            receipt,
            entry=(changed := receipt.entry.replace(b"tester", b"forger")),  # type: ignore[union-attr]
            leaf_hash=leaf_hash(changed),
        ),
        "document_id": replace(receipt, document_id=doc_id(7)),
        **{
            f"inclusion_proof[{n}]": replace(receipt, inclusion_proof=[*proof[:n], flip(proof[n]), *proof[n + 1 :]])
            for n in range(len(proof))
        },
        "inclusion_proof dropped": replace(receipt, inclusion_proof=proof[:-1]),
        "inclusion_proof extended": replace(receipt, inclusion_proof=[*proof, proof[0]]),
        "inclusion_proof reordered": replace(receipt, inclusion_proof=proof[::-1]),
        "inclusion_proof of another leaf": replace(receipt, inclusion_proof=other.inclusion_proof),
        "checkpoint body": replace(receipt, checkpoint=note.replace("\n10\n", "\n11\n", 1)),
        "checkpoint signature": replace(receipt, checkpoint=note[:-6] + ("A" if note[-6] != "A" else "B") + note[-5:]),
        "checkpoint of another size": replace(receipt, checkpoint=log.checkpoint(11)),
        "checkpoint by another key": replace(
            receipt, checkpoint=NoteSigner.generate(ORIGIN).sign(Checkpoint(ORIGIN, 10, log.roots[10]).body())
        ),
        "checkpoint unsigned": replace(receipt, checkpoint=note.split("\n\n")[0] + "\n"),
    }


def test_tampering_with_any_field_fails(log: MemoryLog, receipt: Receipt, signer: NoteSigner) -> None:
    verifier = signer.verifier()
    assert verify_receipt(receipt, verifier).size == 10
    tamperings = _tamperings(log, receipt, signer)
    assert len(tamperings) >= 20
    for what, tampered in tamperings.items():
        with pytest.raises(ReceiptError):
            verify_receipt(tampered, verifier)
            pytest.fail(f"tampered {what} still verified")


def test_errors_name_what_failed(log: MemoryLog, receipt: Receipt, signer: NoteSigner) -> None:
    verifier = signer.verifier()
    tamperings = _tamperings(log, receipt, signer)
    expected = {
        "leaf_hash": "entry does not hash",
        "inclusion_proof[0]": "inclusion proof",
        "tree_size +1": "tree size",
        "checkpoint signature": "checkpoint",
        "document_id": "D-000008",
    }
    for what, words in expected.items():
        with pytest.raises(ReceiptError, match=words):
            verify_receipt(tamperings[what], verifier)


def test_verifier_key_in_the_receipt_is_never_trusted(receipt: Receipt, signer: NoteSigner) -> None:
    forger = NoteSigner.generate(ORIGIN)
    forged = dataclasses.replace(
        receipt,
        checkpoint=forger.sign(Checkpoint.parse(receipt.checkpoint.split("\n\n")[0] + "\n").body()),
        verifier_key=forger.verifier_key(),
    )
    with pytest.raises(ReceiptError):
        verify_receipt(forged, signer.verifier())
    # and an altered verifier_key alone changes nothing: it is informational
    assert verify_receipt(dataclasses.replace(receipt, verifier_key="x+00000000+AA=="), signer.verifier())


def test_a_receipt_fails_under_another_logs_key(receipt: Receipt) -> None:
    with pytest.raises(ReceiptError):
        verify_receipt(receipt, NoteSigner.generate("other.example/log").verifier())


# --- JSON ---------------------------------------------------------------------------------------


def test_json_round_trip_and_shape(receipt: Receipt) -> None:
    text = receipt.to_json()
    raw = json.loads(text)
    assert list(raw) == JSON_KEYS
    assert raw["version"] == "casetrail-receipt/1"
    assert base64.b64decode(raw["leaf_hash"], validate=True) == receipt.leaf_hash
    assert [base64.b64decode(h, validate=True) for h in raw["inclusion_proof"]] == receipt.inclusion_proof
    assert base64.b64decode(raw["entry"], validate=True) == receipt.entry
    assert raw["checkpoint"] == receipt.checkpoint and raw["document_id"] == "D-000007"
    assert Receipt.from_json(text) == receipt
    bare = dataclasses.replace(receipt, entry=None, document_id=None, verifier_key=None)
    assert json.loads(bare.to_json())["entry"] is None
    assert Receipt.from_json(bare.to_json()) == bare


def _edit(receipt: Receipt, **changes: Any) -> str:
    raw = json.loads(receipt.to_json())
    for key, value in changes.items():
        if value is KeyError:
            del raw[key]
        else:
            raw[key] = value
    return json.dumps(raw)


@pytest.mark.parametrize(
    "changes",
    [
        {"version": "casetrail-receipt/2"},
        {"version": KeyError},
        {"checkpoint": KeyError},
        {"entry": KeyError},
        {"surprise": 1},
        {"origin": ""},
        {"origin": 5},
        {"leaf_index": -1},
        {"leaf_index": 1.0},
        {"leaf_index": "6"},
        {"leaf_index": True},
        {"tree_size": None},
        {"leaf_hash": "not base64!"},
        {"leaf_hash": base64.b64encode(bytes(31)).decode()},
        {"leaf_hash": base64.urlsafe_b64encode(b"\xfb" * 32).decode()},
        {"inclusion_proof": "AAAA"},
        {"inclusion_proof": [5]},
        {"inclusion_proof": [base64.b64encode(bytes(33)).decode()]},
        {"checkpoint": 7},
        {"entry": 7},
        {"entry": "%%%"},
        {"document_id": 7},
        {"verifier_key": ["x"]},
    ],
    ids=repr,
)
def test_malformed_json_is_rejected(receipt: Receipt, changes: dict[str, Any]) -> None:
    with pytest.raises(ReceiptError):
        Receipt.from_json(_edit(receipt, **changes))


@pytest.mark.parametrize("text", ["", "not json", "[]", "null", '"receipt"', "[" * 100_000, b"\xff\xfe"])
def test_non_receipt_json_is_rejected(text: str | bytes) -> None:
    with pytest.raises(ReceiptError):
        Receipt.from_json(text)


def test_duplicate_json_keys_are_rejected(receipt: Receipt) -> None:
    text = receipt.to_json()
    doubled = text.replace('"leaf_index": 6,', '"leaf_index": 6,\n  "leaf_index": 7,', 1)
    assert doubled != text
    with pytest.raises(ReceiptError, match="appears twice"):
        Receipt.from_json(doubled)


# --- c2sp.org/tlog-proof@v1 ---------------------------------------------------------------------


def test_tlog_proof_format(receipt: Receipt) -> None:
    text = receipt.to_tlog_proof()
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    assert lines[1] == "extra " + base64.b64encode(receipt.entry or b"").decode()
    assert lines[2] == "index 6"
    hashes = lines[3 : 3 + len(receipt.inclusion_proof)]
    assert [base64.b64decode(h, validate=True) for h in hashes] == receipt.inclusion_proof
    assert lines[3 + len(hashes)] == ""
    assert text.endswith("\n\n" + receipt.checkpoint)  # the note verbatim, signatures and all


def test_tlog_proof_round_trip_and_verifies(log: MemoryLog, receipt: Receipt, signer: NoteSigner) -> None:
    back = Receipt.from_tlog_proof(receipt.to_tlog_proof())
    # the format has no room for the informational fields; everything verifiable survives
    assert back == dataclasses.replace(receipt, document_id=None, verifier_key=None)
    assert verify_receipt(back, signer.verifier()).size == 10
    assert back.to_tlog_proof() == receipt.to_tlog_proof()
    single = log.receipt(0, 1)  # an empty inclusion proof: index line, then the blank line
    assert single.inclusion_proof == []
    assert Receipt.from_tlog_proof(single.to_tlog_proof()) == dataclasses.replace(
        single, document_id=None, verifier_key=None
    )


def test_tlog_proof_with_a_detached_entry(receipt: Receipt, signer: NoteSigner) -> None:
    text = receipt.to_tlog_proof()
    lines = text.split("\n")
    detached = "\n".join(lines[:1] + lines[2:])  # no extra line: the holder keeps the entry
    with pytest.raises(ReceiptError, match="entry"):
        Receipt.from_tlog_proof(detached)
    held = Receipt.from_tlog_proof(detached, entry=receipt.entry)
    assert verify_receipt(held, signer.verifier()).size == 10
    with pytest.raises(ReceiptError, match="differs"):
        Receipt.from_tlog_proof(text, entry=b"something else")
    with pytest.raises(ReceiptError):  # wrong detached entry: a wrong leaf hash, caught by the proof
        verify_receipt(Receipt.from_tlog_proof(detached, entry=b"something else"), signer.verifier())


def test_tlog_proof_needs_the_entry(receipt: Receipt) -> None:
    with pytest.raises(ReceiptError):
        dataclasses.replace(receipt, entry=None).to_tlog_proof()


def _tlog_variants(text: str) -> list[str]:
    lines = text.split("\n")
    return [
        "c2sp.org/tlog-proof@v2\n" + "\n".join(lines[1:]),
        "\n".join(lines[1:]),
        "\n".join(lines[:2] + lines[3:]),  # no index line
        "\n".join(lines[:2] + ["index 06"] + lines[3:]),
        "\n".join(lines[:2] + ["index -6"] + lines[3:]),
        "\n".join(lines[:2] + ["index  6"] + lines[3:]),
        "\n".join(lines[:3] + ["AAAA"] + lines[4:]),
        "\n".join(lines[:3] + ["not base64!"] + lines[4:]),
        "\n".join(lines[:1] + ["extra !!"] + lines[2:]),
        text.split("\n\n")[0],  # no checkpoint
        text.split("\n\n")[0] + "\n\n",
        text.replace("\n\ncasetrail.test/log\n10\n", "\n\ncasetrail.test/log\n010\n", 1),
        text.encode(),  # type: ignore[list-item]
    ]


def test_malformed_tlog_proofs_are_rejected(receipt: Receipt) -> None:
    for variant in _tlog_variants(receipt.to_tlog_proof()):
        with pytest.raises(ReceiptError):
            Receipt.from_tlog_proof(variant)


def test_tampered_tlog_proofs_fail_verification(receipt: Receipt, signer: NoteSigner) -> None:
    text = receipt.to_tlog_proof()
    lines = text.split("\n")
    other_index = "\n".join(lines[:2] + ["index 7"] + lines[3:])
    swapped = "\n".join(lines[:3] + [lines[4], lines[3]] + lines[5:])
    for variant in (other_index, swapped):
        with pytest.raises(ReceiptError):
            verify_receipt(Receipt.from_tlog_proof(variant), signer.verifier())
