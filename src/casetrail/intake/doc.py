"""Word 97-2003 .doc, through antiword (Debian package `antiword`).

Why antiword: it is the lightest maintained Debian tool that reads the Word binary format
properly (the piece table, so fast-saved and edited documents come out in order): 600 KB
depending on libc alone, where LibreOffice headless is over 130 MB, starts in seconds and
needs a writable profile. Debian carries its security fixes. Being C reading hostile bytes,
it runs as a separate process with a time limit, a memory ceiling and no right to write
files, on a private copy of the bytes.

Before antiword sees a file, the OLE directory and the Word header (FIB) are checked here, so
encrypted documents get a clear refusal instead of antiword's guess.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess

from casetrail.errors import Encrypted, Hostile, Malformed, TooLarge, UnsupportedFormat
from casetrail.intake.limits import Limits
from casetrail.intake.reading import Reading
from casetrail.intake.sniff import DOC, OLE_MAGIC
from casetrail.intake.text import normalise_newlines
from casetrail.store.scratch import scratch_directory

MISSING = (
    "reading .doc files needs antiword, which is not installed here (run make install, or apt-get install antiword)"
)
_MEMORY = 1024 * 1024 * 1024  # address space for antiword: generous for any real document
_WORD_MAGIC = (0xA5EC, 0xA5DC)  # wIdent of Word 97-2003 and of Word 6/95
_F_ENCRYPTED = 0x0100  # FIB flags at offset 0x0A
# A memory ceiling, no files written, no core dumps. prlimit (util-linux, in every Debian)
# rather than preexec_fn, which is unsafe when the workbench runs intake on worker threads.
_CONFINED = ("prlimit", f"--as={_MEMORY}", "--fsize=0", "--core=0", "--")


def read(data: bytes, name: str, limits: Limits) -> Reading:
    if not data.startswith(OLE_MAGIC):
        raise Malformed("not a Word 97-2003 document (no OLE header)")
    _check_header(data)
    if shutil.which("antiword") is None or shutil.which("prlimit") is None:
        raise UnsupportedFormat(MISSING)
    text = _antiword(data, limits)
    text = normalise_newlines(text).strip("\n")
    return Reading(text=text, media_type=DOC, title=_title(data))


def _check_header(data: bytes) -> None:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            if not ole.exists("WordDocument"):
                raise Malformed("not a Word document: the OLE file has no WordDocument stream")
            fib = ole.openstream("WordDocument").read(64)
    except (Malformed, Encrypted):
        raise
    except Exception as err:  # olefile's many kinds of damage report
        raise Malformed(f"damaged .doc: its OLE structure cannot be read ({type(err).__name__})") from err
    if len(fib) < 12:
        raise Malformed("damaged .doc: the Word header is cut short")
    ident, flags = struct.unpack_from("<H", fib, 0)[0], struct.unpack_from("<H", fib, 0x0A)[0]
    if ident not in _WORD_MAGIC:
        raise Malformed("damaged .doc: the Word header is not recognisable")
    if flags & _F_ENCRYPTED:
        raise Encrypted("password-protected Word document; ask for an unprotected copy")


def _antiword(data: bytes, limits: Limits) -> str:
    # The private copy lives in memory-backed scratch (store.scratch), never on disk.
    with scratch_directory("casetrail-doc-") as folder:
        path = os.path.join(folder, "input.doc")
        with open(path, "wb") as handle:
            handle.write(data)
        try:
            done = subprocess.run(
                [*_CONFINED, "antiword", "-w", "0", "-m", "UTF-8.txt", path],
                capture_output=True,
                timeout=limits.convert_seconds,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "LC_ALL": "C.UTF-8"},
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise Hostile(f".doc took antiword over {limits.convert_seconds} seconds and was stopped") from err
    if len(done.stdout) > 4 * limits.max_text_chars:
        raise TooLarge(f".doc text is over the {limits.max_text_chars:,}-character limit")
    if done.returncode != 0:
        raise _failure(done.stderr.decode("utf-8", errors="replace"), done.returncode)
    return done.stdout.decode("utf-8", errors="replace")


def _failure(stderr: str, code: int) -> Exception:
    message = " ".join(stderr.split())
    lowered = message.lower()
    if "encrypt" in lowered or "password" in lowered:
        return Encrypted("password-protected Word document; ask for an unprotected copy")
    if code < 0:  # killed by a signal: the memory ceiling or a crash on crafted input
        return Hostile(f"antiword stopped on this .doc (signal {-code}): damaged or crafted file")
    detail = message.replace("input.doc", "the file")[:160] or f"exit status {code}"
    return Malformed(f"damaged or unreadable .doc ({detail})")


def _title(data: bytes) -> str | None:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            title = ole.get_metadata().title
    except Exception:  # optional metadata; a damaged summary stream must not lose the text
        return None
    if isinstance(title, bytes):
        title = title.decode("cp1252", errors="replace")
    title = " ".join((title or "").replace("\x00", "").split())
    return title or None
