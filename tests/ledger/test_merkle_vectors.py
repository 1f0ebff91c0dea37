"""merkle.py against published vectors: transparency-dev's RFC 6962 cases and tessera's tiled log.

The vectors are read from ../shared/vectors beside the repository and never copied into it.
A missing folder is a collection error, not a skip: these tests are the point of the module.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from casetrail.errors import ProofError
from casetrail.ledger.checkpoint import Checkpoint, split_note
from casetrail.ledger.merkle import (
    EMPTY_ROOT,
    consistency_proof_from_leaves,
    inclusion_proof_from_leaves,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "vectors"
RFC6962 = VECTORS / "rfc6962"
TILES = VECTORS / "tlog-tiles"

# The leaf inputs of the RFC 6962 reference tree (transparency-dev merkle's testonly data,
# first used by Certificate Transparency); checked below against the vectors' own roots.
RFC6962_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
RFC6962_HASHES = [leaf_hash(data) for data in RFC6962_LEAVES]

# Vectors whose expectation contradicts the rules we hold to, with the reason. Each is still
# run: it must fail the way described, so a change in either side shows up here.
# Vectors whose published expectation we do not follow, with the reason. None at present:
# equal-size consistency compares roots without a length check, as upstream does.
CONFLICTS: dict[str, tuple[str, str]] = {}


def _vector_files(kind: str) -> list[Path]:
    folder = RFC6962 / kind
    assert folder.is_dir(), f"the RFC 6962 test vectors are missing: expected {folder}"
    files = sorted(folder.rglob("*.json"))
    assert len(files) >= 50, f"only {len(files)} vectors under {folder}"
    return files


def _id(path: Path) -> str:
    return path.relative_to(RFC6962).as_posix()


def _load(path: Path) -> dict[str, Any]:
    vector: dict[str, Any] = json.loads(path.read_text())
    return vector


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b64(item) for item in vector["proof"] or []]


def _check_inclusion(vector: dict[str, Any]) -> None:
    verify_inclusion(
        _b64(vector["leafHash"]), vector["leafIdx"], vector["treeSize"], _proof(vector), _b64(vector["root"])
    )


def _check_consistency(vector: dict[str, Any]) -> None:
    verify_consistency(vector["size1"], vector["size2"], _proof(vector), _b64(vector["root1"]), _b64(vector["root2"]))


INCLUSION = _vector_files("inclusion")
CONSISTENCY = _vector_files("consistency")


def _run(path: Path, check: Any) -> None:
    vector = _load(path)
    conflict = CONFLICTS.get(_id(path))
    if conflict is not None:
        _reason, message = conflict
        with pytest.raises(ProofError, match=message):
            check(vector)
    elif vector["wantErr"]:
        with pytest.raises(ProofError):
            check(vector)
    else:
        check(vector)


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_vector(path: Path) -> None:
    _run(path, _check_inclusion)


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_vector(path: Path) -> None:
    _run(path, _check_consistency)


def test_both_outcomes_are_represented() -> None:
    outcomes = [_load(path)["wantErr"] for path in INCLUSION + CONSISTENCY]
    assert outcomes.count(False) >= 10 and outcomes.count(True) >= 150


def test_reference_tree_matches_the_vectors_roots() -> None:
    """The reconstructed leaves really are the vectors' tree: every happy root is a prefix root."""
    prefix_roots = {root_of(RFC6962_HASHES[:size]): size for size in range(1, 9)}
    happy = [_load(path) for path in INCLUSION if not _load(path)["wantErr"]]
    matched = [v for v in happy if _b64(v["root"]) in prefix_roots]
    assert len(matched) >= 5  # inclusion/{0..4}/happy-path
    for vector in matched:
        assert prefix_roots[_b64(vector["root"])] == vector["treeSize"]


@pytest.mark.parametrize("path", [p for p in INCLUSION if not _load(p)["wantErr"]], ids=_id)
def test_generated_inclusion_proofs_equal_the_vectors(path: Path) -> None:
    vector = _load(path)
    size, index = vector["treeSize"], vector["leafIdx"]
    if _b64(vector["root"]) != root_of(RFC6962_HASHES[:size]):
        # only the single-entry vector, whose leaf is its own: nothing to rebuild
        assert path.parent.name == "single-entry"
        assert _b64(vector["root"]) == _b64(vector["leafHash"]) and size == 1 and not _proof(vector)
        assert inclusion_proof_from_leaves(0, [_b64(vector["leafHash"])]) == []
        return
    assert RFC6962_HASHES[index] == _b64(vector["leafHash"])
    assert inclusion_proof_from_leaves(index, RFC6962_HASHES[:size]) == _proof(vector)


# (the conflicting vector has placeholder roots: no tree to rebuild; it is checked above)
@pytest.mark.parametrize(
    "path",
    # placeholder roots (not 32-byte hashes) name no real tree to rebuild
    [
        p
        for p in CONSISTENCY
        if not _load(p)["wantErr"] and _id(p) not in CONFLICTS and len(_b64(_load(p)["root1"])) == 32
    ],
    ids=_id,
)
def test_generated_consistency_proofs_equal_the_vectors(path: Path) -> None:
    vector = _load(path)
    size1, size2 = vector["size1"], vector["size2"]
    assert _b64(vector["root1"]) == root_of(RFC6962_HASHES[:size1])
    assert _b64(vector["root2"]) == root_of(RFC6962_HASHES[:size2])
    assert consistency_proof_from_leaves(size1, RFC6962_HASHES[:size2]) == _proof(vector)


def test_all_reference_tree_proofs_verify_against_its_roots() -> None:
    roots = [root_of(RFC6962_HASHES[:size]) for size in range(9)]
    assert roots[0] == EMPTY_ROOT
    for size in range(1, 9):
        for index in range(size):
            proof = inclusion_proof_from_leaves(index, RFC6962_HASHES[:size])
            verify_inclusion(RFC6962_HASHES[index], index, size, proof, roots[size])
        for size1 in range(1, size + 1):
            proof = consistency_proof_from_leaves(size1, RFC6962_HASHES[:size])
            verify_consistency(size1, size, proof, roots[size1], roots[size])


# --- tessera's 15-entry tiled log ----------------------------------------------------------------


def _entry_bundle(raw: bytes) -> list[bytes]:
    """C2SP tlog-tiles entry bundle: each entry is a big-endian uint16 length, then its bytes."""
    entries, at = [], 0
    while at < len(raw):
        assert at + 2 <= len(raw), "truncated entry length"
        length = int.from_bytes(raw[at : at + 2], "big")
        assert at + 2 + length <= len(raw), "truncated entry"
        entries.append(raw[at + 2 : at + 2 + length])
        at += 2 + length
    return entries


def _hash_tile(raw: bytes) -> list[bytes]:
    assert len(raw) % 32 == 0
    return [raw[at : at + 32] for at in range(0, len(raw), 32)]


def _checkpoint(name: str) -> Checkpoint:
    body, _ = split_note((TILES / name).read_text(encoding="utf-8"))
    return Checkpoint.parse(body)


def _tile_sizes() -> list[int]:
    assert TILES.is_dir(), f"the tlog-tiles test vectors are missing: expected {TILES}"
    sizes = sorted(int(path.name) for path in (TILES / "tile" / "0" / "000.p").iterdir())
    assert sizes == list(range(1, 16))
    return sizes


@pytest.mark.parametrize("size", _tile_sizes())
def test_tile_leaf_hashes_and_checkpoint_roots(size: int) -> None:
    entries = _entry_bundle((TILES / "tile" / "entries" / "000.p" / str(size)).read_bytes())
    hashes = _hash_tile((TILES / "tile" / "0" / "000.p" / str(size)).read_bytes())
    assert len(entries) == len(hashes) == size
    assert [leaf_hash(entry) for entry in entries] == hashes
    checkpoint = _checkpoint(f"checkpoint.{size}")
    assert checkpoint.size == size
    assert root_of(hashes) == checkpoint.root


def test_tiles_are_prefixes_of_one_log() -> None:
    full = _hash_tile((TILES / "tile" / "0" / "000.p" / "15").read_bytes())
    for size in range(1, 15):
        assert _hash_tile((TILES / "tile" / "0" / "000.p" / str(size)).read_bytes()) == full[:size]
    assert _checkpoint("checkpoint.0").root == EMPTY_ROOT == root_of([])
    assert _checkpoint("checkpoint") == _checkpoint("checkpoint.15")


def test_proofs_across_the_tiled_logs_checkpoints() -> None:
    hashes = _hash_tile((TILES / "tile" / "0" / "000.p" / "15").read_bytes())
    roots = {size: _checkpoint(f"checkpoint.{size}").root for size in range(16)}
    for size in range(1, 16):
        for index in range(size):
            proof = inclusion_proof_from_leaves(index, hashes[:size])
            verify_inclusion(hashes[index], index, size, proof, roots[size])
        for size1 in range(1, size + 1):
            proof = consistency_proof_from_leaves(size1, hashes[:size])
            verify_consistency(size1, size, proof, roots[size1], roots[size])
        if size > 1:
            with pytest.raises(ProofError):  # and not against a neighbouring checkpoint
                verify_inclusion(hashes[0], 0, size, inclusion_proof_from_leaves(0, hashes[:size]), roots[size - 1])
