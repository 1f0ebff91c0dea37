"""PDF text via pypdf, page by page.

Encrypted PDFs are refused, including those that open without a password (an empty user
password with an owner password that restricts copying): their text is only reachable by
ignoring the author's protection, and an investigation should hold a copy it was given freely,
so the submitter is asked for an unprotected one. The message says which kind it was.

Pages without a text layer are rendered (PDFium, through pypdfium2) and read by Tesseract; only
those pages, so a mixed file keeps the exact characters of its typed pages. A page counts as
scanned when its text layer has almost nothing and it has something drawn: a Bates number
stamped onto a scan must not hide the statement underneath, and a blank separator page needs
no OCR at all. Every page's source (text layer or OCR, with confidence) goes into the Reading.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import math
from typing import TYPE_CHECKING

from pypdf import PdfReader
from pypdf.errors import (
    DependencyError,
    FileNotDecryptedError,
    LimitReachedError,
    PdfReadError,
)

from casetrail.errors import Encrypted, Hostile, Malformed, TooLarge
from casetrail.intake import ocr
from casetrail.intake.limits import Limits
from casetrail.intake.reading import NO_TEXT, OCR, TEXT_LAYER, PageSource, Reading
from casetrail.intake.sniff import PDF
from casetrail.intake.text import normalise_newlines

if TYPE_CHECKING:
    from PIL.Image import Image
    from pypdfium2 import PdfPage

PAGE_BREAK = "\n\f\n"  # form feed between pages keeps page numbers recoverable from the text
OCR_DPI = 300  # Tesseract's accuracy falls off below about 300 dpi for 10-12 pt type
_STAMP_CHARS = 40  # a text layer this short may be only a stamp (Bates number, page footer)
_SCAN_COVERAGE = 0.5  # ...and then the page is a scan if images cover at least half of it

# pypdf logs every repair it makes to a damaged file; those are not the user's concern here.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def read(data: bytes, name: str, limits: Limits) -> Reading:
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
    recognised = _ocr_pages(data, pages, limits)
    return _assemble(pages, recognised, _title(reader), count)


def _assemble(pages: list[str], recognised: dict[int, ocr.Recognised], title: str | None, count: int) -> Reading:
    texts: list[str] = []
    sources: list[PageSource] = []
    offset = 0
    for index, layer_text in enumerate(pages):
        found = recognised.get(index)
        page_text = found.text if found is not None else layer_text
        if texts:
            offset += len(PAGE_BREAK)
        if found is not None:
            sources.append(PageSource(index + 1, offset, offset + len(page_text), OCR, found.confidence, found.words))
        else:
            sources.append(PageSource(index + 1, offset, offset + len(page_text), TEXT_LAYER))
        texts.append(page_text)
        offset += len(page_text)
    text = PAGE_BREAK.join(texts)
    reading = Reading(text=text, media_type=PDF, title=title, pages=count, page_sources=tuple(sources))
    if text.strip():
        return reading
    if recognised:
        reason = f"no text found: no text layer, and OCR found no words on {len(recognised)} scanned page(s)"
    else:
        reason = "no text found: the PDF has no text layer and no images (blank pages?)"
    return dataclasses.replace(reading, status=NO_TEXT, reason=reason)


def _ocr_pages(data: bytes, pages: list[str], limits: Limits) -> dict[int, ocr.Recognised]:
    """OCR for the pages that are scans, by index; {} when every page has its own text."""
    candidates = [i for i, text in enumerate(pages) if len("".join(text.split())) < _STAMP_CHARS]
    if not candidates:
        return {}
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as err:
        raise Malformed(f"damaged PDF: its pages cannot be rendered for OCR ({_first_line(err)})") from err
    try:
        scanned = [i for i in candidates if _is_scan(document[i], pages[i])]
        if not scanned:
            return {}
        if len(scanned) > limits.max_ocr_pages:
            raise TooLarge(f"PDF has {len(scanned):,} scanned pages to OCR; the limit is {limits.max_ocr_pages:,}")
        ocr.require()
        return {
            i: ocr.recognise(_render(document[i], limits), limits, dpi=_dpi_for(document[i], limits)) for i in scanned
        }
    finally:
        document.close()


def _is_scan(page: PdfPage, layer_text: str) -> bool:
    import pypdfium2.raw as pdfium_c

    drawn = (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_SHADING)
    objects = list(page.get_objects(max_depth=3))  # scanners often wrap the image in a form
    if not layer_text.strip():
        # Text drawn as outlines or an image: something to read. Nothing drawn: a blank page.
        return any(obj.type in drawn for obj in objects)
    width, height = page.get_size()
    covered = 0.0
    for obj in objects:
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            covered += max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
    return width * height > 0 and covered / (width * height) >= _SCAN_COVERAGE


def _scale(page: PdfPage, limits: Limits) -> float:
    width, height = page.get_size()  # points, 1/72 inch
    scale = OCR_DPI / 72
    area = max(width * height, 1.0)
    # A page declared kilometres wide is rendered smaller rather than exhausting memory.
    return min(scale, math.sqrt(limits.max_image_pixels / area))


def _dpi_for(page: PdfPage, limits: Limits) -> int:
    return max(1, round(_scale(page, limits) * 72))


def _render(page: PdfPage, limits: Limits) -> Image:
    bitmap = page.render(scale=_scale(page, limits), grayscale=True)
    return bitmap.to_pil()


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
