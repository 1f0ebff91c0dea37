"""Properties of merkle.py over random trees, plus the store-facing helpers."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.errors import ProofError
from casetrail.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    consistency_proof_from_leaves,
    consistency_ranges,
    hash_range,
    inclusion_proof,
    inclusion_proof_from_leaves,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    nodes_needed,
    perfect_nodes,
    root_from_inclusion,
    root_of,
    verify_consistency,
    verify_inclusion,
)

Node = tuple[int, int]
PROPERTY = settings(max_examples=40, deadline=None)


def mth(hashes: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, recursively, as the definition every fast path must match."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def leaves(size: int, seed: int = 0) -> list[bytes]:
    return [leaf_hash(seed.to_bytes(4, "big") + n.to_bytes(4, "big")) for n in range(size)]


class Tree:
    """A log built the way a store builds it: CompactRange appends, every new node kept."""

    def __init__(self, hashes: list[bytes]) -> None:
        self.hashes = hashes
        self.nodes: dict[Node, bytes] = {}
        self.roots = [EMPTY_ROOT]
        edge = CompactRange()
        for digest in hashes:
            for level, index, node in edge.append(digest):
                assert (level, index) not in self.nodes
                self.nodes[(level, index)] = node
            self.roots.append(edge.root())
        self.fetches = 0

    def fetch(self, keys: Iterable[Node]) -> Mapping[Node, bytes]:
        self.fetches += 1
        return {key: self.nodes[key] for key in keys}


trees = st.builds(leaves, st.integers(1, 300), st.integers(0, 2**32 - 1)).map(Tree)


def flip(digest: bytes, bit: int) -> bytes:
    bit %= len(digest) * 8
    return digest[: bit // 8] + bytes([digest[bit // 8] ^ (1 << bit % 8)]) + digest[bit // 8 + 1 :]


# --- construction ---------------------------------------------------------------------------------


def test_known_hashes() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert root_of([]) == EMPTY_ROOT and CompactRange().root() == EMPTY_ROOT


@PROPERTY
@given(st.integers(0, 300), st.integers(0, 2**32 - 1))
def test_root_of_and_compact_range_match_the_definition_for_every_prefix(size: int, seed: int) -> None:
    hashes = leaves(size, seed)
    tree = Tree(hashes)
    for prefix in range(size + 1):
        assert tree.roots[prefix] == root_of(hashes[:prefix])
    assert root_of(hashes) == mth(hashes)


@PROPERTY
@given(trees)
def test_compact_range_nodes_are_the_perfect_subtrees_and_rebuild_the_edge(tree: Tree) -> None:
    for (level, index), digest in tree.nodes.items():
        assert digest == mth(tree.hashes[index << level : (index + 1) << level])
    size = len(tree.hashes)
    assert len(tree.nodes) == 2 * size - size.bit_count()  # each perfect subtree once
    for prefix in range(size + 1):  # a store reloads the edge from stored nodes at any size
        keys = CompactRange.peaks_for(prefix)
        edge = CompactRange(prefix, [tree.nodes[key] for key in keys])
        assert edge.size == prefix and edge.root() == tree.roots[prefix]
    resumed = CompactRange(size // 2, [tree.nodes[key] for key in CompactRange.peaks_for(size // 2)])
    for digest in tree.hashes[size // 2 :]:
        resumed.append(digest)
    assert resumed.root() == tree.roots[size]


def test_compact_range_rejects_a_wrong_edge() -> None:
    with pytest.raises(ValueError):
        CompactRange(3, [bytes(32)])
    with pytest.raises(ValueError):
        CompactRange(1, [bytes(31)])
    with pytest.raises(ValueError):
        CompactRange().append(b"short")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**64), st.integers(0, 2**20))
def test_perfect_nodes_cover_a_range_exactly_and_maximally(start: int, length: int) -> None:
    end = start + length
    nodes = perfect_nodes(start, end)
    position = start
    for level, index in nodes:
        assert index << level == position  # contiguous and aligned
        position += 1 << level
        parent = (level + 1, index >> 1)
        assert not (parent[1] << parent[0] >= start and (parent[1] + 1) << parent[0] <= end)  # maximal
    assert position == end
    levels = [level for level, _ in nodes]
    peak = levels.index(max(levels)) if levels else 0
    assert levels[: peak + 1] == sorted(levels[: peak + 1]) and levels[peak:] == sorted(levels[peak:], reverse=True)


def test_perfect_nodes_examples() -> None:
    assert perfect_nodes(0, 0) == []
    assert perfect_nodes(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert perfect_nodes(3, 13) == [(0, 3), (2, 1), (2, 2), (0, 12)]
    assert CompactRange.peaks_for(6) == [(2, 0), (1, 2)]
    with pytest.raises(ValueError):
        perfect_nodes(5, 4)


# --- proofs --------------------------------------------------------------------------------------


@PROPERTY
@given(trees)
def test_every_generated_proof_verifies(tree: Tree) -> None:
    size = len(tree.hashes)
    for index in range(size):
        tree.fetches = 0
        proof = inclusion_proof(index, size, tree.fetch)
        assert tree.fetches == 1  # one store query per proof
        verify_inclusion(tree.hashes[index], index, size, proof, tree.roots[size])
        assert len(proof) == len(inclusion_ranges(index, size))
    for size1 in range(1, size + 1):
        tree.fetches = 0
        proof = consistency_proof(size1, size, tree.fetch)
        assert tree.fetches == (1 if size1 < size else 0)
        verify_consistency(size1, size, proof, tree.roots[size1], tree.roots[size])


@PROPERTY
@given(trees, st.data())
def test_store_proofs_equal_in_memory_proofs_and_every_prefix_tree(tree: Tree, data: st.DataObject) -> None:
    size = len(tree.hashes)
    smaller = data.draw(st.integers(1, size))
    index = data.draw(st.integers(0, smaller - 1))
    assert inclusion_proof(index, smaller, tree.fetch) == inclusion_proof_from_leaves(index, tree.hashes[:smaller])
    assert consistency_proof(smaller, size, tree.fetch) == consistency_proof_from_leaves(smaller, tree.hashes)
    for start, end in inclusion_ranges(index, smaller) + consistency_ranges(smaller, size):
        assert hash_range(start, end, tree.nodes) == mth(tree.hashes[start:end])


def _sides(index: int, size: int) -> list[bool]:
    """Whether each inclusion-proof hash sits left of the path: all the verifier acts on."""
    return [end <= index for _, end in inclusion_ranges(index, size)]


def _recipe(size1: int, size2: int) -> tuple[object, ...]:
    """What the consistency verifier does with a proof: seed choice, then each hash's role."""
    if not 0 < size1 < size2:
        return ("invalid" if not 0 < size1 <= size2 else "equal",)
    ranges = consistency_ranges(size1, size2)
    perfect = size1 & (size1 - 1) == 0
    rest = ranges if perfect else ranges[1:]
    return (perfect, tuple(end <= size1 for _, end in rest))


@PROPERTY
@given(trees, st.data())
def test_tampered_inclusion_proofs_fail(tree: Tree, data: st.DataObject) -> None:
    size = len(tree.hashes)
    index = data.draw(st.integers(0, size - 1))
    leaf, root = tree.hashes[index], tree.roots[size]
    proof = inclusion_proof(index, size, tree.fetch)
    bit = data.draw(st.integers(0, 255))
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        bad = proof[:position] + [flip(proof[position], bit)] + proof[position + 1 :]
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, bad, root)
        with pytest.raises(ProofError, match="hashes"):
            verify_inclusion(leaf, index, size, proof[:-1], root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, flip(root, bit))
    with pytest.raises(ProofError):
        verify_inclusion(flip(leaf, bit), index, size, proof, root)
    with pytest.raises(ProofError, match="hashes"):
        verify_inclusion(leaf, index, size, proof + [root], root)
    shift = data.draw(st.integers(0, 9))
    other_index = index ^ (1 << shift)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, other_index, size, proof, root)
    # A proof does not pin the tree size by itself (the signed checkpoint does): another size
    # passes exactly when the verifier would combine the same hashes the same way.
    other_size = size ^ (1 << data.draw(st.integers(0, 9)))
    same_walk = index < other_size and _sides(index, other_size) == _sides(index, size)
    try:
        verify_inclusion(leaf, index, other_size, proof, root)
    except ProofError:
        assert not same_walk
    else:
        assert same_walk


@PROPERTY
@given(trees, st.data())
def test_tampered_consistency_proofs_fail(tree: Tree, data: st.DataObject) -> None:
    size2 = len(tree.hashes)
    size1 = data.draw(st.integers(1, size2))
    root1, root2 = tree.roots[size1], tree.roots[size2]
    proof = consistency_proof(size1, size2, tree.fetch)
    bit = data.draw(st.integers(0, 255))
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        bad = proof[:position] + [flip(proof[position], bit)] + proof[position + 1 :]
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, bad, root1, root2)
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof[:-1], root1, root2)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, flip(root1, bit), root2)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, root1, flip(root2, bit))
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof + [root2], root1, root2)
    if size1 != size2:
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof, root2, root1)
    shift = data.draw(st.integers(0, 9))
    for other1, other2 in ((size1 ^ (1 << shift), size2), (size1, size2 ^ (1 << shift))):
        same_walk = _recipe(other1, other2) == _recipe(size1, size2)
        try:
            verify_consistency(other1, other2, proof, root1, root2)
        except ProofError:
            assert not same_walk
        else:
            assert same_walk


def test_verification_rejects_malformed_input() -> None:
    hashes = leaves(5)
    root = root_of(hashes)
    proof = inclusion_proof_from_leaves(2, hashes)
    verify_inclusion(hashes[2], 2, 5, proof, root)
    for index, size in ((5, 5), (-1, 5), (0, 0), (2**64, 5)):
        with pytest.raises(ProofError):
            verify_inclusion(hashes[2], index, size, proof, root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(hashes[2][:31], 2, 5, proof, root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(hashes[2], 2, 5, [proof[0] + b"\x00", *proof[1:]], root)
    with pytest.raises(ProofError, match="32-byte"):
        verify_inclusion(hashes[2], 2, 5, proof, root + b"\x00")
    with pytest.raises(ProofError):
        verify_inclusion(hashes[2], True, 5, proof, root)  # a bool is not an index
    assert root_from_inclusion(hashes[2], 2, 5, proof) == root

    c = consistency_proof_from_leaves(3, hashes)
    verify_consistency(3, 5, c, root_of(hashes[:3]), root)
    with pytest.raises(ProofError, match="larger"):
        verify_consistency(5, 3, c, root, root_of(hashes[:3]))
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 5, [], EMPTY_ROOT, root)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(ProofError):
        verify_consistency(3, 5, [], root_of(hashes[:3]), root)
    verify_consistency(5, 5, [], root, root)
    with pytest.raises(ProofError):
        verify_consistency(5, 5, [root], root, root)
    with pytest.raises(ProofError, match="different roots"):
        verify_consistency(5, 5, [], root, flip(root, 0))


def test_proof_generation_rejects_impossible_trees() -> None:
    hashes = leaves(4)
    for args in ((4, 4), (-1, 4), (0, 0)):
        with pytest.raises(ProofError):
            inclusion_ranges(*args)
    for args in ((0, 4), (5, 4)):
        with pytest.raises(ProofError):
            consistency_ranges(*args)
    assert consistency_proof_from_leaves(4, hashes) == []
    with pytest.raises(ProofError):
        consistency_proof_from_leaves(0, hashes)


def test_nodes_needed_and_hash_range() -> None:
    tree = Tree(leaves(13))
    ranges = inclusion_ranges(4, 13)
    assert ranges == [(5, 6), (6, 8), (0, 4), (8, 13)]
    assert nodes_needed(ranges) == {(0, 5), (1, 3), (2, 0), (2, 2), (0, 12)}
    assert consistency_ranges(6, 13) == [(4, 6), (6, 8), (0, 4), (8, 13)]
    assert consistency_ranges(4, 13) == [(4, 8), (8, 13)]
    assert hash_range(8, 13, tree.nodes) == mth(tree.hashes[8:13])
    assert hash_range(0, 0, {}) == EMPTY_ROOT
    with pytest.raises(ProofError, match="missing"):
        hash_range(8, 13, {(2, 2): bytes(32)})
    with pytest.raises(ValueError):
        hash_range(1, 4, tree.nodes)  # not a subtree of the RFC tree: a fold would be wrong


def test_a_million_leaves_in_a_few_seconds() -> None:
    hashes = leaves(1_000_003)
    start = time.perf_counter()
    root = root_of(hashes)
    elapsed = time.perf_counter() - start
    edge = CompactRange()
    for digest in hashes:
        edge.append(digest)
    assert edge.root() == root
    # generous: about 0.5 s on a laptop; only an accidental quadratic or recursive path fails it
    assert elapsed < 10, f"root_of took {elapsed:.1f}s for a million leaves"
    proof = inclusion_proof_from_leaves(999_999, hashes)
    verify_inclusion(hashes[999_999], 999_999, len(hashes), proof, root)
