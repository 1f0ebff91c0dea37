"""Plain PDFs written by casetrail: redacted copies re-rendered page by page, and disclosure schedules.

One library (fpdf2) and one core font (Helvetica), so a fresh machine needs no font files. The
core fonts hold Latin-1 only: typographic quotes and dashes become their ASCII forms and any
other character outside Latin-1 becomes "?" (said in the README). Nothing of an input PDF is
copied: a redacted copy is new text on new pages, so none of the original's content streams,
fonts, images or metadata can carry removed text along.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.fonts import FontFace

_ASCII = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2022": "*",
        "\u00a0": " ",
        "\f": "",
        "\t": "    ",
    }
)
# A fixed date: the same input gives the same bytes (and the date of writing is in the ledger).
_FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def latin1(text: str) -> str:
    """`text` in what the core font can draw."""
    text = text.translate(_ASCII)
    return "".join(c if ord(c) < 256 and (c == "\n" or c.isprintable()) else "?" for c in text)


def _new(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_title(latin1(title))
    pdf.set_producer("casetrail")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_font("Helvetica", size=10)
    return pdf


def text_pages(pages: Sequence[str], title: str) -> bytes:
    """A PDF with one page (or more, when it runs over) per item of `pages`."""
    pdf = _new(title)
    for page in pages or [""]:
        pdf.add_page()
        pdf.multi_cell(0, 5, latin1(page), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def tables(
    title: str, intro: Sequence[str], sections: Sequence[tuple[str, Sequence[str], Sequence[Sequence[str]]]]
) -> bytes:
    """A PDF with a title, lines of introduction, and one table per (heading, columns, rows)."""
    pdf = _new(title)
    pdf.add_page(orientation="L")
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for line in intro:
        pdf.multi_cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    for heading, columns, rows in sections:
        pdf.ln(4)
        pdf.set_font("Helvetica", style="B", size=12)
        pdf.multi_cell(0, 7, latin1(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=8)
        if not rows:
            pdf.multi_cell(0, 5, "No items.", new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=4.5) as table:
            table.row([latin1(c) for c in columns])
            for row in rows:
                table.row([latin1(cell) for cell in row])
    return bytes(pdf.output())


__all__ = ["latin1", "tables", "text_pages"]
