"""One entry point from a file's bytes to its text: limits, detection, dispatch, containment.

`read_file_bytes` is the only function the pipeline needs. Its contract: it returns a
ReadResult whose text is valid UTF-8-encodable, NUL-free and within max_text_chars, or it raises
an IntakeError subclass whose message is one line a person can act on. Whatever a parser
library throws on hostile bytes is converted here, so one bad file can never take a batch down
or put a traceback in front of an investigator.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from casetrail.errors import Hostile, IntakeError, Malformed, TooLarge
from casetrail.intake import docx, html, mail, pdf, text
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import DOCX, EML, HTML, MARKDOWN, PDF, TEXT, detect
from casetrail.model.document import ReadResult

Reader = Callable[[bytes, str, Limits], ReadResult]

READERS: dict[str, Reader] = {
    TEXT: text.read,
    MARKDOWN: text.read,
    HTML: html.read,
    PDF: pdf.read,
    EML: mail.read,
    DOCX: docx.read,
}

_DESCRIPTION = {TEXT: "text", MARKDOWN: "Markdown", HTML: "HTML", PDF: "PDF", EML: "e-mail", DOCX: ".docx"}
_MAX_MESSAGE = 300
_MAX_TITLE = 500


def read_file_bytes(data: bytes, name: str, limits: Limits | None = None) -> ReadResult:
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


def _checked(result: ReadResult, media_type: str, limits: Limits) -> ReadResult:
    """Enforce the output contract whatever the reader did."""
    if len(result.text) > limits.max_text_chars:
        raise TooLarge(f"extracted text is {len(result.text):,} characters; the limit is {limits.max_text_chars:,}")
    if len(result.attachments) > limits.max_attachments:
        raise TooLarge(f"{len(result.attachments)} attachments; the limit is {limits.max_attachments}")
    clean_text = _encodable(result.text.replace("\x00", ""))
    title = result.title
    if title is not None:
        title = one_line(_encodable(title))[:_MAX_TITLE] or None
    if clean_text == result.text and title == result.title and result.media_type == media_type:
        return result
    return dataclasses.replace(result, text=clean_text, title=title, media_type=media_type)


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
