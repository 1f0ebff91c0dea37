"""checkpoint.py: C2SP signed notes and tlog checkpoints, against tessera's signed checkpoints."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from casetrail.errors import NoteError
from casetrail.ledger.checkpoint import (
    Checkpoint,
    NoteSigner,
    NoteVerifier,
    open_checkpoint,
    split_note,
)
from casetrail.ledger.merkle import EMPTY_ROOT

TILES = Path(__file__).resolve().parents[2].parent / "shared" / "vectors" / "tlog-tiles"
TESSERA_KEY = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"

# The example in golang.org/x/mod/sumdb/note's documentation: an outside implementation's key
# texts and signed note, which ours must read and reproduce byte for byte (Ed25519 is deterministic).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def _checkpoint_files() -> list[Path]:
    assert TILES.is_dir(), f"the tlog-tiles test vectors are missing: expected {TILES}"
    files = sorted(TILES.glob("checkpoint*"))
    assert len(files) == 17, [f.name for f in files]  # checkpoint.0 .. checkpoint.15, and checkpoint
    return files


CHECKPOINTS = _checkpoint_files()


@pytest.fixture(scope="module")
def tessera() -> NoteVerifier:
    return NoteVerifier.from_text(TESSERA_KEY)


@pytest.fixture(scope="module")
def signer() -> NoteSigner:
    return NoteSigner.generate("casetrail.test/log")


def _mutations(text: str) -> list[tuple[int, str]]:
    """Every one-character change worth trying: each position swapped for a look-alike."""
    out = []
    for position, char in enumerate(text):
        if char.isdigit():
            other = str((int(char) + 1) % 10)
        elif char.isalpha() and char.isascii():
            other = char.swapcase() if char.swapcase() != char else "x"
        else:
            other = {"+": "/", "/": "+", "=": "A", "\n": " ", " ": "\n"}.get(char, "-")
        out.append((position, text[:position] + other + text[position + 1 :]))
    return out


# --- tessera's checkpoints ----------------------------------------------------------------------


@pytest.mark.parametrize("path", CHECKPOINTS, ids=lambda p: p.name)
def test_tessera_checkpoint_verifies_and_parses(path: Path, tessera: NoteVerifier) -> None:
    checkpoint = open_checkpoint(path.read_text(encoding="utf-8"), tessera)
    want = 15 if path.name == "checkpoint" else int(path.suffix[1:])
    assert checkpoint.origin == "example.com/log/testdata"
    assert checkpoint.size == want and len(checkpoint.root) == 32 and checkpoint.extensions == ()
    body, _ = split_note(path.read_text(encoding="utf-8"))
    assert checkpoint.body() == body  # parse and body are exact inverses
    if want == 0:
        assert checkpoint.root == EMPTY_ROOT


@pytest.mark.parametrize("path", [TILES / "checkpoint.0", TILES / "checkpoint.13"], ids=lambda p: p.name)
def test_any_one_character_change_fails(path: Path, tessera: NoteVerifier) -> None:
    note = path.read_text(encoding="utf-8")
    body_end = note.index("\n\n") + 1
    tried = 0
    for position, changed in _mutations(note):
        try:
            opened = open_checkpoint(changed, tessera)
        except NoteError:
            tried += 1
            continue
        # The only survivable edit: none. Say where it happened if one ever does.
        part = "body" if position < body_end else "signature line"
        pytest.fail(f"changing {note[position]!r} at {position} ({part}) still verified: {opened}")
    assert tried == len(note)


def test_verifier_key_text_round_trips(tessera: NoteVerifier) -> None:
    assert tessera.to_text() == TESSERA_KEY
    assert tessera.name == "example.com/log/testdata" and tessera.key_id == 0x33D7B496
    assert NoteVerifier.from_text(TESSERA_KEY + "\n").to_text() == TESSERA_KEY  # as read from a file


def test_tessera_checkpoint_fails_under_another_key(signer: NoteSigner) -> None:
    impostor = NoteSigner.generate("example.com/log/testdata")  # same name, different key
    note = (TILES / "checkpoint.15").read_text(encoding="utf-8")
    for verifier in (impostor.verifier(), signer.verifier()):
        with pytest.raises(NoteError, match="no signature"):
            open_checkpoint(note, verifier)


# --- the Go reference example -------------------------------------------------------------------


def test_go_reference_example_byte_for_byte() -> None:
    go_signer = NoteSigner.from_text(GO_SKEY)
    assert go_signer.to_text() == GO_SKEY
    assert go_signer.verifier_key() == GO_VKEY
    assert go_signer.sign(GO_TEXT) == GO_NOTE
    assert NoteVerifier.from_text(GO_VKEY).verify(GO_NOTE) == GO_TEXT


def test_key_id_is_the_specified_hash(signer: NoteSigner) -> None:
    digest = hashlib.sha256(signer.name.encode() + b"\n\x01" + signer.public_key).digest()
    assert signer.key_id == int.from_bytes(digest[:4], "big")
    name, hex_id, key = signer.verifier_key().split("+", 2)
    assert (name, hex_id) == (signer.name, digest[:4].hex())
    assert base64.b64decode(key) == b"\x01" + signer.public_key
    assert signer.to_text().startswith(f"PRIVATE+KEY+{signer.name}+{digest[:4].hex()}+")
    # the secret is everything after "PRIVATE+KEY+name+id+"; base64 may itself hold a "+"
    secret = signer.to_text().split("+", 4)[4]
    assert "PRIVATE" not in repr(signer) and secret not in repr(signer)


# --- signing and verifying ----------------------------------------------------------------------


def test_sign_verify_round_trip(signer: NoteSigner) -> None:
    body = Checkpoint("casetrail.test/log", 42, bytes(range(32))).body()
    note = signer.sign(body)
    assert note.startswith(body + "\n\u2014 casetrail.test/log ") and note.endswith("\n")
    blob = base64.b64decode(note.rsplit(" ", 1)[1])
    assert len(blob) == 68 and int.from_bytes(blob[:4], "big") == signer.key_id
    verifier = NoteVerifier.from_text(signer.verifier_key())
    assert verifier.verify(note) == body
    assert open_checkpoint(note, verifier) == Checkpoint("casetrail.test/log", 42, bytes(range(32)))
    again = NoteSigner.from_text(signer.to_text())
    assert again.verifier_key() == signer.verifier_key() and again.sign(body) == note


def test_cosignatures_by_other_keys_are_ignored(signer: NoteSigner) -> None:
    body = Checkpoint(signer.name, 3, bytes(32)).body()
    witness = NoteSigner.generate("witness.example/w1")
    ours = signer.sign(body).split("\n\n", 1)[1]
    theirs = witness.sign(body).split("\n\n", 1)[1]
    unknown = f"\u2014 other.example/key {base64.b64encode(b'abcd' + bytes(64)).decode()}\n"
    for lines in (ours + theirs, theirs + ours, unknown + ours + theirs):
        note = body + "\n" + lines
        assert signer.verifier().verify(note) == body
        assert witness.verifier().verify(note) == body


def test_a_bad_signature_by_our_key_condemns_the_note(signer: NoteSigner) -> None:
    body = Checkpoint(signer.name, 3, bytes(32)).body()
    good = signer.sign(body).split("\n\n", 1)[1]
    bad = signer.sign(Checkpoint(signer.name, 4, bytes(32)).body()).split("\n\n", 1)[1]
    with pytest.raises(NoteError, match="does not verify"):
        signer.verifier().verify(body + "\n" + good + bad)


def test_checkpoint_origin_must_be_the_key_name(signer: NoteSigner) -> None:
    note = signer.sign(Checkpoint("somebody.else/log", 1, bytes(32)).body())
    assert signer.verifier().verify(note)  # the signature is fine ...
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(note, signer.verifier())  # ... but it is not this log's checkpoint


@pytest.mark.parametrize(
    "note",
    [
        "",
        "no newline",
        "body\n",
        "body\n\n",
        "body\n\n\u2014 casetrail.test/log",
        "body\n\nnot a signature line\n",
        "body\n\n\u2014 casetrail.test/log\n",
        "body\n\n\u2014 casetrail.test/log !!!!\n",
        "body\n\n\u2014 casetrail.test/log AAAA\n",
        "body\r\n\n\u2014 casetrail.test/log AAAAAAAA\n",
        "bo\tdy\n\n\u2014 casetrail.test/log AAAAAAAA\n",
        "body\n\n\u2014 casetrail.test/log AAAAAAAA\n\n",
        "body\n\n\u2014  casetrail.test/log AAAAAAAA\n",
        "body\n\n\u2014 casetrail.test/log AAAAAAB=\n",  # non-canonical base64
    ],
)
def test_malformed_notes_are_rejected(note: str, signer: NoteSigner) -> None:
    with pytest.raises(NoteError):
        signer.verifier().verify(note)


def test_too_many_signatures_are_rejected(signer: NoteSigner) -> None:
    body = Checkpoint(signer.name, 3, bytes(32)).body()
    ours = signer.sign(body).split("\n\n", 1)[1]
    fillers = [NoteSigner.generate(f"w{n}.example").sign(body).split("\n\n", 1)[1] for n in range(16)]
    assert signer.verifier().verify(body + "\n" + "".join(fillers) + ours) == body  # 17 is fine
    many = "".join(fillers) * 7  # 112 lines
    with pytest.raises(NoteError, match="more than"):
        signer.verifier().verify(body + "\n" + many + ours)


def test_sign_rejects_bad_bodies(signer: NoteSigner) -> None:
    for body in ("no final newline", "", "tab\there\n", "cr\r\n"):
        with pytest.raises(NoteError):
            signer.sign(body)


def test_bodies_with_blank_lines_split_at_the_last_one(signer: NoteSigner) -> None:
    body = "first\n\nsecond\n"
    assert signer.verifier().verify(signer.sign(body)) == body


@pytest.mark.parametrize(
    "vkey",
    [
        "",
        "name+33d7b496",
        "example.com/log/testdata+33d7b497+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",  # wrong id
        "example.com/log/testdata+33D7B496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",  # not lowercase
        "example.com/log/testdata+33d7b496+AuHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",  # type 0x02
        "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkk",  # short
        "example.com/log test+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",  # space in name
        "PRIVATE+KEY+example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
    ],
)
def test_malformed_verifier_keys_are_rejected(vkey: str) -> None:
    with pytest.raises(NoteError):
        NoteVerifier.from_text(vkey)


def test_malformed_signer_keys_are_rejected() -> None:
    for skey in (GO_VKEY, GO_SKEY.replace("c74f20a3", "c74f20a4"), GO_SKEY[:-2], "PRIVATE+KEY+x"):
        with pytest.raises(NoteError):
            NoteSigner.from_text(skey)
    with pytest.raises(NoteError):
        NoteSigner.generate("has+plus")


# --- checkpoint bodies --------------------------------------------------------------------------


def test_checkpoint_body_round_trip_with_extensions() -> None:
    checkpoint = Checkpoint("example.com/log", 20852163, bytes(range(32)), ("ext one", "ext-two"))
    body = checkpoint.body()
    assert body == f"example.com/log\n20852163\n{base64.b64encode(bytes(range(32))).decode()}\next one\next-two\n"
    assert Checkpoint.parse(body) == checkpoint


ROOT = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    "body",
    [
        f"origin\n15\n{ROOT}",  # no final newline
        "origin\n15\n",
        f"\n15\n{ROOT}\n",
        f"origin\n015\n{ROOT}\n",
        f"origin\n+15\n{ROOT}\n",
        f"origin\n 15\n{ROOT}\n",
        f"origin\n1_5\n{ROOT}\n",
        f"origin\n-1\n{ROOT}\n",
        f"origin\n\u0661\u0665\n{ROOT}\n",  # Arabic-Indic digits are digits to str.isdigit
        f"origin\n{2**64}\n{ROOT}\n",
        f"origin\n15\n{base64.b64encode(bytes(31)).decode()}\n",
        f"origin\n15\n{ROOT[:-2]}B=\n",  # same bytes, non-canonical spelling
        f"origin\n15\n{ROOT}\n\nextension after an empty line\n",
        f"origin\n15\n{ROOT} \n",
    ],
)
def test_checkpoint_parse_is_strict(body: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(body)


def test_checkpoint_zero_and_large_sizes() -> None:
    assert Checkpoint.parse(f"o\n0\n{ROOT}\n").size == 0
    assert Checkpoint.parse(f"o\n{2**64 - 1}\n{ROOT}\n").size == 2**64 - 1


def test_checkpoint_rejects_bad_fields() -> None:
    for args in (("", 1, bytes(32)), ("a\nb", 1, bytes(32)), ("o", -1, bytes(32)), ("o", 1, bytes(31))):
        with pytest.raises(NoteError):
            Checkpoint(*args)
    with pytest.raises(NoteError):
        Checkpoint("o", 1, bytes(32), ("",))
    with pytest.raises(NoteError):
        Checkpoint("o", True, bytes(32))
