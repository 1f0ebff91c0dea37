"""What a reader found besides the text: whether any text was found at all, and where each page's
text came from (a text layer or OCR, with Tesseract's confidence).

`Reading` extends `ReadResult` with optional fields only, so code that consumes a ReadResult
keeps working; `formats.read_file_bytes` always returns a Reading. It lives in its own module
because every reader builds one and formats.py imports every reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from casetrail.model.document import ReadResult

READ = "read"  # text was found
NO_TEXT = "no_text"  # the file was read faithfully and holds no text: recorded, and said so

TEXT_LAYER = "text"  # the page's own characters (a PDF text layer, a .docx, ...)
OCR = "ocr"  # recognised by Tesseract from pixels: may be wrong, and says how sure it was


@dataclass(frozen=True)
class PageSource:
    """One page (or image frame) of the text: where in `text` it sits and how it was read.

    `start`/`end` are character offsets into the final text, so a mention's offset tells
    whether it came from OCR. `confidence` is Tesseract's mean word confidence (0-100),
    weighted by word length; None for text-layer pages.
    """

    page: int  # 1-based
    start: int
    end: int
    method: str  # TEXT_LAYER or OCR
    confidence: float | None = None
    words: int = 0  # words Tesseract recognised (OCR pages only)


@dataclass(frozen=True)
class Reading(ReadResult):
    status: str = READ
    reason: str | None = None  # one line for the investigator when status is NO_TEXT
    page_sources: tuple[PageSource, ...] = field(default_factory=tuple)

    @property
    def ocr_pages(self) -> tuple[PageSource, ...]:
        return tuple(p for p in self.page_sources if p.method == OCR)


def no_text_reason(media_type: str, detail: str | None = None) -> str:
    """The line shown for an empty document, naming the likeliest cause for its format."""
    if detail:
        return f"no text found: {detail}"
    return f"no text found: {_LIKELY.get(media_type, 'the file holds no readable text (an image without OCR?)')}"


_LIKELY = {
    "application/pdf": "no text layer and OCR found no words (a blank or photographic page?)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "the document holds no typed text (pasted-in scans are not OCR'd; submit the scan itself)"
    ),
    "application/vnd.oasis.opendocument.text": (
        "the document holds no typed text (pasted-in scans are not OCR'd; submit the scan itself)"
    ),
    "application/msword": "the document holds no typed text (an image without OCR?)",
    "text/html": "the page has no readable text outside scripts, menus and forms",
    "text/csv": "every cell is empty",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "every cell is empty",
}
