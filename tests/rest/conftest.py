"""Helpers for the at-rest suite (issue 12): the CLI in this process with a chosen environment,
and scanners that look for a planted name in raw bytes, and in SQLCipher pages decrypted with the key."""

from __future__ import annotations

import base64
import gc
from collections.abc import Iterator, Mapping
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

CANARY = "Marigold Quennell"
STATEMENT = (
    "Statement of Marigold Quennell, a fictional survivor, taken at the fictional Larkspur Home.\n"
    "Marigold Quennell said a grey van collected her from the gate on Thursdays.\n"
)
RESERVE = 80  # SQLCipher 4: a 16-byte IV and a 64-byte HMAC at the end of every page
PAGE = 4096
WAL_HEADER, FRAME_HEADER = 32, 24


class Ran:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = code, stdout, stderr


def ct(home: Path, *args: str | Path, env: Mapping[str, str | None] | None = None) -> Ran:
    """`casetrail --home HOME ARGS...` in this process, `env` over the test run's (None removes)."""
    from typer.testing import CliRunner

    from casetrail.cli.app import app, hoist_home

    result = CliRunner().invoke(
        app, hoist_home(["--home", str(home), *map(str, args)]), env={"COLUMNS": "250", **(env or {})}
    )
    gc.collect()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"casetrail {' '.join(map(str, args))} raised {result.exception!r}") from result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)


def one_line_error(result: Ran) -> str:
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def forms(canary: str) -> list[bytes]:
    """The canary as UTF-8 (any case), UTF-16 and in base64 at each of the three alignments."""
    found = {
        canary.encode(),
        canary.lower().encode(),
        canary.upper().encode(),
        canary.encode("utf-16-le"),
        canary.encode("utf-16-be"),
    }
    raw = canary.encode()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        found.add(encoded[4 if shift else 0 : -4])  # the middle, which does not depend on neighbours
    return sorted(found)


def hits(data: bytes, canary: str = CANARY) -> list[bytes]:
    lowered = data.lower()
    return [form for form in forms(canary) if form in data or form.lower() in lowered]


def files_under(root: Path) -> Iterator[Path]:
    yield from (p for p in sorted(root.rglob("*")) if p.is_file())


def raw_hits(root: Path, canary: str = CANARY) -> dict[str, list[bytes]]:
    """Every file under `root` whose bytes hold the canary in any form (file names included)."""
    found = {str(p): hits(p.read_bytes(), canary) for p in files_under(root)}
    found.update(
        {f"name:{p}": [canary.encode()] for p in root.rglob("*") if canary.split()[-1].lower() in p.name.lower()}
    )
    return {where: forms_ for where, forms_ in found.items() if forms_}


def decrypt_page(key: bytes, page: bytes, first: bool) -> bytes:
    """One SQLCipher 4 page (AES-256-CBC under the raw key, IV in the reserved tail); page 1 keeps
    its 16-byte salt in the clear."""
    iv = page[len(page) - RESERVE : len(page) - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[16 if first else 0 : len(page) - RESERVE]) + decryptor.finalize()


def decrypted_pages(key: bytes, db: Path) -> Iterator[bytes]:
    """Every page of the database file and of its WAL, decrypted: free pages and old frames too."""
    data = db.read_bytes()
    for offset in range(0, len(data), PAGE):
        yield decrypt_page(key, data[offset : offset + PAGE], offset == 0)
    wal = db.with_name(db.name + "-wal")
    frames = wal.read_bytes() if wal.exists() else b""
    for offset in range(WAL_HEADER, len(frames) - FRAME_HEADER - PAGE + 1, FRAME_HEADER + PAGE):
        page = frames[offset + FRAME_HEADER : offset + FRAME_HEADER + PAGE]
        yield decrypt_page(key, page, False) + decrypt_page(key, page, True)  # page 1 or not: both readings
