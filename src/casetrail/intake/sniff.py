"""Deciding which reader a file goes to: by its content first, then by its name.

Content wins because submitters rename files (a PDF saved as "statement.txt" is still a PDF);
the name only decides when the bytes carry no signature. Anything we cannot read faithfully is
refused here with a one-line reason, so nothing is ever recorded with garbage text.
"""

from __future__ import annotations

import io
import re
import zipfile

from casetrail.errors import UnsupportedFormat

TEXT = "text/plain"
MARKDOWN = "text/markdown"
HTML = "text/html"
PDF = "application/pdf"
EML = "message/rfc822"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
MSG = "application/vnd.ms-outlook"
MBOX = "application/mbox"
ODT = "application/vnd.oasis.opendocument.text"
RTF = "application/rtf"
DOC = "application/msword"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
ZIP = "application/zip"

MEDIA_TYPES: tuple[str, ...] = (
    TEXT,
    MARKDOWN,
    HTML,
    PDF,
    EML,
    DOCX,
    PNG,
    JPEG,
    TIFF,
    MSG,
    MBOX,
    ODT,
    RTF,
    DOC,
    XLSX,
    CSV,
    ZIP,
)
IMAGES = frozenset({PNG, JPEG, TIFF})

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: legacy Office, encrypted OOXML

_BY_EXTENSION: dict[str, str] = {
    ".txt": TEXT,
    ".text": TEXT,
    ".log": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".pdf": PDF,
    ".eml": EML,
    ".docx": DOCX,
    ".csv": CSV,
    ".tsv": CSV,
    ".mbox": MBOX,
    ".mbx": MBOX,
}

# Binary formats whose name alone must not route text to their reader: the content decides.
_BINARY_EXTENSIONS: dict[str, str] = {
    ".png": "a PNG image",
    ".jpg": "a JPEG image",
    ".jpeg": "a JPEG image",
    ".tif": "a TIFF image",
    ".tiff": "a TIFF image",
    ".doc": "a Word 97-2003 .doc file",
    ".msg": "an Outlook .msg file",
    ".odt": "an OpenDocument text file",
    ".xlsx": "an Excel workbook",
    ".zip": "a zip archive",
}

# Names that say plainly "this is text": header-like opening lines do not turn them into e-mail.
_TEXT_EXTENSIONS = frozenset({".txt", ".text", ".log", ".md", ".markdown"})

# Signatures of common files we do not read, so the reason names what the file actually is.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"\xca\xfe\xba\xbe", "an executable or Java class file"),
    (b"\xcf\xfa\xed\xfe", "an executable (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "an executable (Mach-O)"),
    (b"\x00asm", "a WebAssembly module"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"%!PS", "a PostScript file (save it as PDF)"),
    (b"OggS", "an audio/video file (Ogg)"),
    (b"fLaC", "an audio file (FLAC)"),
)

_UNSUPPORTED_EXTENSIONS: dict[str, str] = {
    ".docm": "a macro-enabled Word file (save it as .docx or PDF)",
    ".xls": "an Excel 97-2003 spreadsheet (save it as .xlsx or CSV)",
    ".ppt": "a presentation",
    ".pptx": "a presentation",
}
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"
_MBOX_SEPARATOR = re.compile(rb"^From \S+ .*\d\d:\d\d", re.MULTILINE)  # "From sender date-with-time"

_EMAIL_HEADERS = frozenset(
    {
        b"from",
        b"to",
        b"cc",
        b"bcc",
        b"subject",
        b"date",
        b"message-id",
        b"mime-version",
        b"received",
        b"return-path",
        b"reply-to",
        b"sender",
        b"delivered-to",
        b"content-type",
        b"in-reply-to",
        b"references",
        b"x-mailer",
        b"user-agent",
        b"content-transfer-encoding",
    }
)
# Headers a mail system always writes; a text that merely starts "To: ..." has none of them.
_EMAIL_MARKERS = frozenset({b"from", b"date", b"message-id", b"mime-version", b"received", b"return-path"})
_HEADER_LINE = re.compile(rb"([!-9;-~]+):")  # field name: printable ASCII except ':'
_HTML_START = re.compile(r"<!doctype\s+html|<html[\s>]")
_HTML_ANYWHERE = re.compile(r"<(?:html|head|body)[\s>]")


def extension(name: str) -> str:
    """Lower-case extension of the last path component ('' if none): 'a/B.DOCX' -> '.docx'."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and stem.strip(".") else ""


def detect(data: bytes, name: str) -> str:
    """The media type of `data`, one of MEDIA_TYPES, or UnsupportedFormat with a one-line reason."""
    ext = extension(name)
    head = data[:8192]

    if head.startswith(b"%PDF-") or (ext == ".pdf" and b"%PDF-" in data[:1024]):
        return PDF  # readers accept junk before the header; only trust that when named .pdf
    if head.startswith(OLE_MAGIC):
        return _detect_ole(data, ext)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return _detect_zip(data, ext)
    for magic, media_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return media_type
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return RTF
    reason = _binary_signature(head)
    if reason is not None:
        raise UnsupportedFormat(f"this is {reason}, which casetrail cannot read")

    opening = _opening_text(head)
    if _HTML_START.match(opening) or (
        opening.startswith(("<!--", "<?xml", "<head", "<body", "<meta")) and _HTML_ANYWHERE.search(opening)
    ):
        return HTML
    if ext not in _TEXT_EXTENSIONS and _looks_like_mbox(data, ext):
        return MBOX
    if ext not in _TEXT_EXTENSIONS | {".csv", ".tsv"} and _looks_like_email(data[:65536], whole=len(data) <= 65536):
        return EML

    if ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    if ext in _BINARY_EXTENSIONS:
        raise UnsupportedFormat(f"named {ext!r} but the content is not {_BINARY_EXTENSIONS[ext]}; check the file")
    if ext in _UNSUPPORTED_EXTENSIONS:
        raise UnsupportedFormat(f"this looks like {_UNSUPPORTED_EXTENSIONS[ext]}, which casetrail cannot read")
    if ext == "" and _looks_like_text(head):
        return TEXT
    if ext:
        raise UnsupportedFormat(
            f"unsupported file type {ext!r}: expected text, HTML, PDF, e-mail (.eml, .msg, mbox), Word (.docx, .doc),"
            " .odt, .rtf, .xlsx, .csv, .zip or an image (PNG, JPEG, TIFF)"
        )
    raise UnsupportedFormat("no file extension and the content is not recognisable text")


def ole_streams(data: bytes) -> set[str] | None:
    """Top-level stream and storage names of an OLE compound file, None if it does not parse.

    The directory is read, not searched for names: an Outlook message carrying a .doc holds
    that document's own directory names inside one of its streams.
    """
    import olefile  # imported here: only OLE files pay for it

    try:
        with olefile.OleFileIO(data) as ole:
            return {entry[0] for entry in ole.listdir(streams=True, storages=True) if entry}
    except Exception:  # olefile raises OSError, struct errors and more on damaged files
        return None


def _detect_ole(data: bytes, ext: str) -> str:
    streams = ole_streams(data)
    if streams is None:
        if ext in (".docx", ".xlsx"):
            return DOCX if ext == ".docx" else XLSX  # the reader names encrypted and damaged files
        raise UnsupportedFormat(
            "a damaged or unrecognised Microsoft Office (OLE) file; ask for a fresh copy, or save it as .docx, PDF or .eml"
        )
    if "EncryptedPackage" in streams:
        return XLSX if ext == ".xlsx" else DOCX  # password-protected OOXML; the reader refuses it
    if "WordDocument" in streams:
        return DOC
    if "__properties_version1.0" in streams or any(s.startswith("__substg1.0_") for s in streams):
        return MSG
    if "Workbook" in streams or "Book" in streams:
        raise UnsupportedFormat("this is an Excel 97-2003 .xls workbook, which casetrail cannot read; save it as .xlsx")
    if "PowerPoint Document" in streams:
        raise UnsupportedFormat(
            "this is a PowerPoint 97-2003 presentation, which casetrail cannot read; save it as PDF"
        )
    raise UnsupportedFormat(
        "a Microsoft Office (OLE) file of a kind casetrail cannot read; save it as .docx, PDF or .eml"
    )


def _detect_zip(data: bytes, ext: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except Exception:  # a damaged zip: an Office name earns it a reader that can say why
        if ext in (".docx", ".xlsx", ".odt"):
            return {".docx": DOCX, ".xlsx": XLSX, ".odt": ODT}[ext]
        if ext == ".zip":
            return ZIP
        raise UnsupportedFormat("a damaged zip archive, not a document casetrail can read") from None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if mimetype.strip() == _ODF_TEXT:
        return ODT
    if mimetype.startswith(b"application/vnd.oasis.opendocument."):
        raise UnsupportedFormat("this is an OpenDocument spreadsheet or presentation; save it as .xlsx or PDF")
    if "ppt/presentation.xml" in names:
        raise UnsupportedFormat("this is a PowerPoint presentation, which casetrail cannot read")
    if ext == ".docx":
        return DOCX  # the reader reports the missing word/document.xml as Malformed
    return ZIP


def _looks_like_mbox(data: bytes, ext: str) -> bool:
    """A Unix mailbox: "From " separator lines, each followed by a message's headers.

    One message with an envelope line is just an e-mail; two or more, or a .mbox name, is a
    mailbox whose messages each become a document.
    """
    if not data.startswith(b"From "):
        return False
    if not _looks_like_email(data[:65536], whole=len(data) <= 65536):
        return False
    return ext in (".mbox", ".mbx") or len(_MBOX_SEPARATOR.findall(data, 0, 4 * 1024 * 1024)) >= 2


def _binary_signature(head: bytes) -> str | None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith(b"MZ") and b"\x00" in head[:64]:
        return "a Windows executable"
    if head[4:8] == b"ftyp":
        return "an audio/video or HEIC image file"
    if head.startswith(b"RIFF") and head[8:12] in (b"WAVE", b"AVI ", b"WEBP"):
        return "an audio/video or WebP image file"
    return None


def _opening_text(head: bytes) -> str:
    """The first characters, lower-cased and left-stripped, decoded just well enough to sniff."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    return text.lstrip("\ufeff \t\r\n").lower()


def _looks_like_email(head: bytes, whole: bool) -> bool:
    """RFC 822: a block of header lines ending in a blank line, with headers mail systems write."""
    lines = head.split(b"\n")
    if lines and lines[0].startswith(b"From "):
        lines = lines[1:]  # mbox envelope line
    if not whole:
        lines = lines[:-1]  # the last line may be cut off where `head` ends
    seen: set[bytes] = set()
    complete = False
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            complete = True
            break
        if line[:1] in (b" ", b"\t"):
            if not seen:
                return False
            continue  # folded continuation of the previous header
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        seen.add(match.group(1).lower())
    else:
        complete = whole and bool(seen)  # headers only, no body
    known = seen & _EMAIL_HEADERS
    return complete and len(known) >= 2 and bool(seen & _EMAIL_MARKERS)


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return controls <= len(head) // 100
