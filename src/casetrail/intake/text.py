"""Plain text and Markdown: decode faithfully, normalise newlines, refuse binary.

The decoding order is the one that never guesses wrong on real submissions: a byte-order mark
is authoritative; otherwise valid UTF-8 is UTF-8 (random bytes almost never are); otherwise the
file came from a Windows tool and is cp1252. We keep the text as written (no stripping, no
Markdown rendering) because mention offsets point into it.
"""

from __future__ import annotations

import codecs
import re

from casetrail.errors import Malformed
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import MARKDOWN, TEXT, extension
from casetrail.model.document import ReadResult

# cp1252 as browsers decode it (WHATWG "windows-1252"): the five bytes Python's codec leaves
# undefined map to the C1 controls of the same value, so decoding can never fail.
_CP1252_TABLE: str = "".join(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(256))
_NOT_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7", "undefined"})
_NEWLINES = re.compile(r"\r\n?")
_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
# C0 controls other than tab, newline, form feed and carriage return, and DEL.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """Bytes -> str by BOM, then strict UTF-8, then cp1252. Raises Malformed on a lying BOM."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[3:].decode("utf-8")
        if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            return data.decode("utf-32")  # checked before UTF-16: FF FE 00 00 starts with FF FE
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
    except UnicodeDecodeError as err:
        raise Malformed(f"starts with a byte-order mark but is not valid {err.encoding.upper()} text") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]


def charset_codec(label: str | None) -> str | None:
    """Python's codec for a charset a document declares, or None if it is not a real one.

    Declarations come from the file, so "rot13", "unicode_escape" and the like are refused,
    and UTF-7 too (browsers refuse it). Latin-1 and ASCII mean cp1252, as browsers read them.
    """
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip())
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    if info.name in ("iso8859-1", "ascii", "latin-1"):
        return "cp1252"
    return info.name


def normalise_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text)


def read(data: bytes, name: str, limits: Limits) -> ReadResult:
    if not data:
        raise Malformed("empty file")
    # NUL never occurs in 8-bit text; in UTF-16/32 it is part of the encoding, so check after decoding.
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        raise Malformed("binary content (NUL bytes), not a text file")
    text = decode_text(data)
    if "\x00" in text:
        raise Malformed("binary content (NUL characters), not a text file")
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 20):
        raise Malformed("binary content (many control characters), not a text file")
    text = normalise_newlines(text)
    media_type = MARKDOWN if extension(name) in (".md", ".markdown") else TEXT
    title = None
    if media_type == MARKDOWN:
        heading = _ATX_H1.search(text)
        title = heading.group(1).strip() if heading else None
    return ReadResult(text=text, media_type=media_type, title=title or None)
