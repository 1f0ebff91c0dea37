"""An independent RFC 9162 verifier, written straight from §2.1.3.2 and §2.1.4.2.

Deliberately shares no code with casetrail.ledger, so receipts are checked the way an outside
party with only the RFC and the `cryptography` package would check them.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion_ok(leaf_hash: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def consistency_ok(size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes) -> bool:
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0 or size1 > size2 or not proof:
        return False
    if size1 & (size1 - 1) == 0:  # a power of two: root1 is the first node of the path
        proof = [root1, *proof]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _node(c, fr)
            sr = _node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


def open_note(note: str, vkey: str) -> tuple[str, int, bytes]:
    """Check a C2SP signed note against a verifier key; return (origin, size, root)."""
    name, key_hash, key = vkey.split("+", 2)
    raw = base64.b64decode(key)
    assert raw[0] == 1, "not an Ed25519 key"
    public = Ed25519PublicKey.from_public_bytes(raw[1:])
    body, _, signatures = note.partition("\n\n")
    body += "\n"
    for line in signatures.splitlines():
        if not line.startswith("\u2014 "):
            continue
        signer, blob = line[2:].rsplit(" ", 1)
        sig = base64.b64decode(blob)
        if signer == name and sig[:4].hex() == key_hash:
            public.verify(sig[4:], body.encode())  # raises on a bad signature
            origin, size, root = body.splitlines()[:3]
            return origin, int(size), base64.b64decode(root)
    raise AssertionError("no signature by that key")
