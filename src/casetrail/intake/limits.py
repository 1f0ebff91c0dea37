"""Ceilings on what one input file may cost to read.

Every limit exists because intake takes files from people we cannot vet: a hostile or broken
file must fail alone with a clear reason instead of exhausting memory or time. The defaults are
generous for real statements and documents; a case can override them in its config
(`Limits(**config["limits"])`), so every field has a default and a plain int type.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * MB  # size of one file as submitted
    max_pages: int = 2_000  # PDF pages
    max_attachments: int = 100  # per e-mail
    max_unpacked_bytes: int = 200 * MB  # declared uncompressed size of a zip-based file (.docx)
    max_compression_ratio: int = 100  # per zip entry; above this it looks like a zip bomb
    max_zip_entries: int = 10_000  # members of a zip-based file
    max_depth: int = 5  # e-mails inside e-mails (applied by the pipeline)
    max_text_chars: int = 20_000_000  # extracted text; over it we refuse rather than truncate
    # Element nesting in HTML. libxml2 cannot parse deeper than 2,048 levels even in huge mode,
    # so anything deeper is refused whatever this says.
    max_html_depth: int = 2_000
    # Pixels in one image or rendered page: a 10-kilobyte PNG can declare 100,000 x 100,000
    # pixels and ask for 10 GB. An A4 page at 300 dpi is 8.7 million, a 48 MP phone photo 48.
    max_image_pixels: int = 60_000_000
    # OCR costs one to three seconds a page on one core; past this a scan is refused whole
    # rather than half read, so the investigator can split it or raise the limit knowingly.
    max_ocr_pages: int = 500
    ocr_seconds_per_page: int = 120  # Tesseract is killed after this (crafted images can stall it)
    max_messages: int = 10_000  # in one mbox mailbox
    max_cells: int = 5_000_000  # spreadsheet cells visited, empty padding included
    convert_seconds: int = 60  # an external converter (antiword for .doc) is killed after this

    def __post_init__(self) -> None:
        # A zero or negative limit is a config typo, not a wish to refuse everything.
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"limit {name} must be a positive integer, not {value!r}")
