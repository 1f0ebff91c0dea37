"""PDF text via pypdf, page by page.

Encrypted PDFs are refused, including those that open without a password (an empty user
password with an owner password that restricts copying): their text is only reachable by
ignoring the author's protection, and an investigation should hold a copy it was given freely,
so the submitter is asked for an unprotected one. The message says which kind it was.
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PdfReadError

from casetrail.errors import Encrypted, Hostile, Malformed, TooLarge
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import PDF
from casetrail.intake.text import normalise_newlines
from casetrail.model.document import ReadResult

PAGE_BREAK = "\n\f\n"  # form feed between pages keeps page numbers recoverable from the text

# pypdf logs every repair it makes to a damaged file; those are not the user's concern here.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def read(data: bytes, name: str, limits: Limits) -> ReadResult:
    if b"%PDF-" not in data[:1024]:
        raise Malformed("not a PDF file (no %PDF- header)")
    # pypdf would rebuild a cut-off file and return whatever pages survive; an incomplete copy
    # of evidence must be noticed, not recorded as if whole.
    if b"%%EOF" not in data[-2048:]:
        raise Malformed("truncated PDF (no %%EOF marker at the end); ask for a complete copy")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except (FileNotDecryptedError, DependencyError) as err:
        raise Encrypted("password-protected PDF; ask for an unprotected copy") from err
    except NotImplementedError as err:  # pypdf knows only the Standard security handler
        if "encrypt" in str(err).lower():
            raise Encrypted("PDF uses an encryption or DRM scheme casetrail cannot open") from err
        raise Malformed(f"PDF uses a feature casetrail cannot read ({_first_line(err)})") from err
    except LimitReachedError as err:
        raise _limit_reached(err) from err
    except PdfReadError as err:
        raise Malformed(f"damaged PDF: {_first_line(err)}") from err
    if encrypted:
        raise Encrypted(_encryption_reason(reader))

    try:
        count = len(reader.pages)
    except LimitReachedError as err:
        raise _limit_reached(err) from err
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError, IndexError) as err:
        raise Malformed(f"damaged PDF: its page tree cannot be read ({_first_line(err)})") from err
    if count > limits.max_pages:
        raise TooLarge(f"PDF has {count:,} pages; the limit is {limits.max_pages:,}")

    pages: list[str] = []
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            page_text = page.extract_text() or ""
        except LimitReachedError as err:
            raise _limit_reached(err, f"page {number}") from err
        except Exception as err:  # pypdf raises many kinds on broken content streams
            raise Malformed(f"damaged PDF: page {number} cannot be read ({type(err).__name__})") from err
        # NUL appears when fonts map glyphs badly; it is never meaningful text.
        page_text = normalise_newlines(page_text.replace("\x00", "")).strip("\n")
        total += len(page_text) + len(PAGE_BREAK)
        if total > limits.max_text_chars:
            raise TooLarge(f"PDF text is over the {limits.max_text_chars:,}-character limit")
        pages.append(page_text)
    return ReadResult(text=PAGE_BREAK.join(pages), media_type=PDF, title=_title(reader), pages=count)


def _limit_reached(err: LimitReachedError, where: str = "PDF") -> Hostile:
    # pypdf's guards: reference loops, absurd declared sizes, decompression bombs.
    return Hostile(f"{where} trips a parser safety limit, as crafted or badly damaged files do ({_first_line(err)})")


def _encryption_reason(reader: PdfReader) -> str:
    try:
        opens_freely = bool(reader.decrypt(""))  # only to word the message; text is not read
    except Exception:
        opens_freely = False
    if opens_freely:
        return "encrypted PDF (it opens without a password but restricts copying); ask for an unprotected copy"
    return "password-protected PDF; ask for an unprotected copy"


def _title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except Exception:  # metadata is optional; a broken Info dictionary must not lose the text
        return None
    if not isinstance(title, str):
        return None
    title = " ".join(title.replace("\x00", "").split())
    return title or None


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
