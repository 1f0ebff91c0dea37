"""One entry point from a file's bytes to its text: limits, detection, dispatch, containment.

`read_file_bytes` is the only function the pipeline needs. Its contract: it returns a
Reading (a ReadResult with a status) whose text is valid UTF-8-encodable, NUL-free and within
max_text_chars, or it raises an IntakeError subclass whose message is one line a person can act
on. A file read faithfully that holds no text is not an error, but it is never silent either:
its status is NO_TEXT with a reason the register shows. Whatever a parser
library throws on hostile bytes is converted here, so one bad file can never take a batch down
or put a traceback in front of an investigator.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from casetrail.errors import Hostile, IntakeError, Malformed, TooLarge
from casetrail.intake import (
    archive,
    doc,
    docx,
    html,
    mail,
    mbox,
    msg,
    ocr,
    odt,
    pdf,
    rtf,
    sheets,
    text,
)
from casetrail.intake.limits import Limits
from casetrail.intake.reading import (
    NO_TEXT,
    OCR,
    READ,
    TEXT_LAYER,
    PageSource,
    Reading,
    no_text_reason,
)
from casetrail.intake.sniff import (
    CSV,
    DOC,
    DOCX,
    EML,
    HTML,
    JPEG,
    MARKDOWN,
    MBOX,
    MSG,
    ODT,
    PDF,
    PNG,
    RTF,
    TEXT,
    TIFF,
    XLSX,
    ZIP,
    detect,
)
from casetrail.model.document import ReadResult

__all__ = ["NO_TEXT", "OCR", "READ", "TEXT_LAYER", "PageSource", "Reading", "read_file_bytes", "one_line"]

Reader = Callable[[bytes, str, Limits], ReadResult]

READERS: dict[str, Reader] = {
    TEXT: text.read,
    MARKDOWN: text.read,
    HTML: html.read,
    PDF: pdf.read,
    EML: mail.read,
    DOCX: docx.read,
    PNG: ocr.read_image,
    JPEG: ocr.read_image,
    TIFF: ocr.read_image,
    MSG: msg.read,
    MBOX: mbox.read,
    ODT: odt.read,
    RTF: rtf.read,
    DOC: doc.read,
    XLSX: sheets.read_xlsx,
    CSV: sheets.read_csv,
    ZIP: archive.read,
}

_DESCRIPTION = {
    TEXT: "text",
    MARKDOWN: "Markdown",
    HTML: "HTML",
    PDF: "PDF",
    EML: "e-mail",
    DOCX: ".docx",
    PNG: "PNG image",
    JPEG: "JPEG image",
    TIFF: "TIFF image",
    MSG: "Outlook .msg",
    MBOX: "mailbox",
    ODT: ".odt",
    RTF: "RTF",
    DOC: ".doc",
    XLSX: ".xlsx",
    CSV: "CSV",
    ZIP: "zip archive",
}
_MAX_MESSAGE = 300
_MAX_TITLE = 500


def read_file_bytes(data: bytes, name: str, limits: Limits | None = None) -> Reading:
    """Read one submitted file. Never truncates: over a limit is an error, not a shorter text."""
    limits = limits or Limits()
    data = bytes(data)
    if len(data) > limits.max_bytes:
        raise TooLarge(f"file is {_size(len(data))}; the limit is {_size(limits.max_bytes)}")
    if not data:
        raise Malformed("empty file")
    media_type = ""
    try:
        media_type = detect(data, name)
        result = READERS[media_type](data, name, limits)
        result = _checked(result, media_type, limits)
    except IntakeError as err:
        message = one_line(str(err)) or type(err).__name__
        if message == str(err):
            raise
        raise type(err)(message) from err
    except RecursionError as err:
        raise Hostile(f"{_DESCRIPTION.get(media_type, 'file')} nested too deeply to read safely") from err
    except MemoryError as err:
        raise TooLarge("too large to read in memory") from err
    except Exception as err:  # a parser library's own exception: the file is damaged or a trap
        what = _DESCRIPTION.get(media_type, "file")
        detail = one_line(str(err))
        reason = f"{type(err).__name__}: {detail}" if detail else type(err).__name__
        raise Malformed(one_line(f"damaged or unreadable {what} ({reason})")) from err
    return result


def one_line(message: str) -> str:
    """A message safe to show on one line: whitespace collapsed, control characters gone, capped."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in message)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= _MAX_MESSAGE else cleaned[: _MAX_MESSAGE - 1] + "…"


def _checked(result: ReadResult, media_type: str, limits: Limits) -> Reading:
    """Enforce the output contract whatever the reader did."""
    if len(result.text) > limits.max_text_chars:
        raise TooLarge(f"extracted text is {len(result.text):,} characters; the limit is {limits.max_text_chars:,}")
    cap, what = _child_cap(media_type, limits)
    if len(result.attachments) > cap:
        raise TooLarge(f"{len(result.attachments):,} {what}; the limit is {cap:,}")
    clean_text = _encodable(result.text.replace("\x00", ""))
    title = result.title
    if title is not None:
        title = one_line(_encodable(title))[:_MAX_TITLE] or None
    reading = (
        result
        if isinstance(result, Reading)
        else Reading(**{f.name: getattr(result, f.name) for f in dataclasses.fields(result)})
    )
    status, reason = _status(reading, clean_text, media_type)
    if (clean_text, title, reading.media_type, reading.status, reading.reason) == (
        reading.text,
        reading.title,
        media_type,
        status,
        reason,
    ):
        return reading
    return dataclasses.replace(
        reading, text=clean_text, title=title, media_type=media_type, status=status, reason=reason
    )


def _status(reading: Reading, text: str, media_type: str) -> tuple[str, str | None]:
    """NO_TEXT whenever nothing but whitespace was read, whatever the reader said: this is the
    one place that guarantees no document is ever recorded silently empty."""
    if text.strip():
        return READ, None
    reason = reading.reason if reading.status == NO_TEXT and reading.reason else no_text_reason(media_type)
    return NO_TEXT, one_line(reason)


def _child_cap(media_type: str, limits: Limits) -> tuple[int, str]:
    # A mailbox or an archive is a container of many files by nature; an e-mail is not.
    if media_type == MBOX:
        return limits.max_messages, "messages"
    if media_type == ZIP:
        return limits.max_zip_entries, "archive members"
    return limits.max_attachments, "attachments"


def _encodable(value: str) -> str:
    # Lone surrogates (from broken UTF-16 in PDFs or 8-bit mail headers) cannot be stored or hashed.
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", errors="replace").decode("utf-8")


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):,.1f} MB"
    if count >= 1024:
        return f"{count / 1024:,.1f} KB"
    return f"{count} bytes"
