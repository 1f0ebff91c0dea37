"""C2SP signed notes (Ed25519) and tlog-checkpoint bodies.

See c2sp.org/signed-note and c2sp.org/tlog-checkpoint. A checkpoint is a note whose body is
"<origin>\\n<size>\\n<base64 root>\\n" plus optional extension lines, signed by the log's key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from casetrail.errors import NoteError

EM_DASH = "\u2014"
ED25519 = 0x01  # the signed-note signature type byte for Ed25519
MAX_SIGNATURES = 100  # the spec asks verifiers to cap signatures and to accept at least 16
_HEX8 = re.compile(r"[0-9a-f]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # the signed-note ban: controls below U+0020 but newline
_SPACE = re.compile(r"\s")


def strict_b64decode(text: str) -> bytes:
    """Standard base64 with padding, accepting only the canonical encoding.

    Python's decoder ignores the unused low bits of the last character, so two texts could
    decode alike; a ledger wants one spelling per value, so re-encode and compare.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError) as error:
        raise ValueError(f"not base64: {error}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("not canonical base64")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _check_key_name(name: str) -> None:
    if not isinstance(name, str) or not name or "+" in name or _SPACE.search(name) or _CONTROL.search(name):
        raise NoteError(f"bad key name {name!r}: it must be non-empty, without spaces or '+'")


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || public key)[:4], as a big-endian uint32."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _parse_key_text(text: str, what: str, parts_before: int) -> tuple[str, int, bytes]:
    """Split `<prefix...>+<name>+<hex8>+<base64(0x01||key)>` and check its pieces."""
    # Names hold no '+', but base64 may: split off the first fields only.
    parts = text.strip().split("+", parts_before + 2)
    if len(parts) != parts_before + 3:
        raise NoteError(f"malformed {what}: expected name+keyid+key")
    name, hex_id, encoded = parts[parts_before:]
    _check_key_name(name)
    if not _HEX8.fullmatch(hex_id):
        raise NoteError(f"malformed {what}: key id must be 8 lowercase hex digits")
    try:
        raw = strict_b64decode(encoded)
    except ValueError as error:
        raise NoteError(f"malformed {what}: {error}") from None
    if len(raw) != 33 or raw[0] != ED25519:
        raise NoteError(f"malformed {what}: not an Ed25519 key")
    return name, int(hex_id, 16), raw[1:]


class NoteVerifier:
    """Checks notes signed by one Ed25519 key, ignoring signatures by other keys."""

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_key_name(name)
        if len(public_key) != 32:
            raise NoteError("an Ed25519 public key is 32 bytes")
        self.name = name
        self.public_key = bytes(public_key)
        self.key_id = key_id(name, self.public_key)
        self._key = Ed25519PublicKey.from_public_bytes(self.public_key)

    @classmethod
    def from_text(cls, vkey: str) -> NoteVerifier:
        """Parse `<name>+<hex8 key id>+<base64(0x01 || public key)>`."""
        name, hex_id, public_key = _parse_key_text(vkey, "verifier key", 0)
        verifier = cls(name, public_key)
        if verifier.key_id != hex_id:
            raise NoteError(f"verifier key id {hex_id:08x} does not match its key ({verifier.key_id:08x})")
        return verifier

    def to_text(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{_b64(bytes([ED25519]) + self.public_key)}"

    def verify(self, note: str) -> str:
        """Return the note's body if this key signed it; raise NoteError otherwise."""
        body, signatures = split_note(note)
        verified = False
        for name, signature in signatures:
            if name != self.name or int.from_bytes(signature[:4], "big") != self.key_id:
                continue  # another key's (a cosigner's, or a rotated key's): not ours to judge
            try:
                self._key.verify(signature[4:], body.encode("utf-8"))
            except InvalidSignature:
                # a known key's bad signature condemns the whole note (spec: SHOULD reject)
                raise NoteError(f"the signature by {self.name} does not verify") from None
            verified = True
        if not verified:
            raise NoteError(f"the note carries no signature by {self.name}+{self.key_id:08x}")
        return body

    def __repr__(self) -> str:
        return f"NoteVerifier({self.to_text()!r})"


class NoteSigner:
    """Signs notes with one Ed25519 key; `to_text` is the secret and must be kept as such."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_key_name(name)
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id(name, self.public_key)

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_text(cls, skey: str) -> NoteSigner:
        """Parse `PRIVATE+KEY+<name>+<hex8 key id>+<base64(0x01 || 32-byte seed)>`."""
        if not skey.strip().startswith("PRIVATE+KEY+"):
            raise NoteError("malformed signer key: it must start with PRIVATE+KEY+")
        name, hex_id, seed = _parse_key_text(skey, "signer key", 2)
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        if signer.key_id != hex_id:
            raise NoteError(f"signer key id {hex_id:08x} does not match its key ({signer.key_id:08x})")
        return signer

    def to_text(self) -> str:
        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{_b64(bytes([ED25519]) + seed)}"

    def verifier_key(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{_b64(bytes([ED25519]) + self.public_key)}"

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.public_key)

    def sign(self, body: str) -> str:
        """The signed note: body, a blank line, and this key's signature line."""
        _check_body(body)
        signature = self._key.sign(body.encode("utf-8"))
        blob = self.key_id.to_bytes(4, "big") + signature
        return f"{body}\n{EM_DASH} {self.name} {_b64(blob)}\n"

    def __repr__(self) -> str:
        return f"NoteSigner({self.verifier_key()!r})"  # never the private key


def _check_body(body: str) -> None:
    if not isinstance(body, str) or not body.endswith("\n"):
        raise NoteError("a note body must be text ending in a newline")
    if _CONTROL.search(body):
        raise NoteError("a note must not contain control characters other than newline")
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError("a note must be valid UTF-8") from None


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Split a signed note into its body and (key name, key id || signature) pairs.

    Only the shape is checked here, not any signature.
    """
    if not isinstance(note, str):
        raise NoteError("a note is text")
    _check_body(note)
    split = note.rfind("\n\n")  # the body may hold blank lines; the last one ends it
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    body, tail = note[: split + 1], note[split + 2 :]
    lines = tail[:-1].split("\n") if tail else []
    if not lines:
        raise NoteError("malformed note: no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    signatures: list[tuple[str, bytes]] = []
    for line in lines:
        if not line.startswith(EM_DASH + " "):
            raise NoteError(f"malformed signature line {line[:40]!r}")
        name, space, encoded = line[2:].rpartition(" ")
        if not space:
            raise NoteError(f"malformed signature line {line[:40]!r}")
        _check_key_name(name)
        try:
            blob = strict_b64decode(encoded)
        except ValueError as error:
            raise NoteError(f"malformed signature by {name}: {error}") from None
        if len(blob) < 5:
            raise NoteError(f"malformed signature by {name}: too short")
        signatures.append((name, blob))
    return body, signatures


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, size and RFC 6962 root, plus optional extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin or "\n" in self.origin or _CONTROL.search(self.origin):
            raise NoteError(f"bad checkpoint origin {self.origin!r}")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or not 0 <= self.size < 1 << 64:
            raise NoteError(f"bad checkpoint size {self.size!r}")
        if not isinstance(self.root, bytes) or len(self.root) != 32:
            raise NoteError("a checkpoint root is 32 bytes")
        if not isinstance(self.extensions, tuple):
            raise NoteError("checkpoint extensions must be a tuple of lines")
        for line in self.extensions:
            if not isinstance(line, str) or not line or "\n" in line or _CONTROL.search(line):
                raise NoteError(f"bad checkpoint extension line {line!r}")

    def body(self) -> str:
        lines = [self.origin, str(self.size), _b64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse a checkpoint body strictly (no leading zeros, canonical base64, 32-byte root)."""
        if not isinstance(body, str) or not body.endswith("\n"):
            raise NoteError("a checkpoint body is text ending in a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("a checkpoint has at least three lines: origin, size, root")
        origin, size, root, *extensions = lines
        if not origin:
            raise NoteError("the checkpoint origin is empty")
        if not _DECIMAL.fullmatch(size):
            raise NoteError(f"bad checkpoint size {size!r}: a decimal without leading zeros")
        try:
            raw_root = strict_b64decode(root)
        except ValueError as error:
            raise NoteError(f"bad checkpoint root: {error}") from None
        return cls(origin, int(size), raw_root, tuple(extensions))


def open_checkpoint(note: str, verifier: NoteVerifier) -> Checkpoint:
    """Verify a signed checkpoint note, parse it, and hold its origin to the key's name."""
    checkpoint = Checkpoint.parse(verifier.verify(note))
    if checkpoint.origin != verifier.name:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not the key's name {verifier.name!r}")
    return checkpoint
