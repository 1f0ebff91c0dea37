"""Word .docx: paragraphs and table cells, in document order.

A .docx is a zip, so the archive is inspected before python-docx touches it: zipfile never
inflates an entry past its declared size, which makes the declared sizes a trustworthy bound
and lets us refuse zip bombs on the central directory alone. The text is taken from the XML
python-docx loads rather than from Paragraph.text, which skips tracked insertions, content
controls and text boxes; all of those are what the author wrote.
Headers, footers, footnotes and comments are not read.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from lxml import etree

from casetrail.errors import Encrypted, Malformed, UnsupportedFormat
from casetrail.intake import archive
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import DOCX, OLE_MAGIC
from casetrail.model.document import ReadResult

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _T, _TAB, _BR, _CR = qn("w:p"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_TBL, _TR, _TC = qn("w:tbl"), qn("w:tr"), qn("w:tc")
_SDT, _SDT_CONTENT, _CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
_TEXTBOX, _NO_BREAK_HYPHEN, _R = qn("w:txbxContent"), qn("w:noBreakHyphen"), qn("w:r")
# Not text: formatting, deleted or moved-away revisions, and the duplicate of every text box
# that Word keeps for old readers (mc:Fallback).
_SKIP = frozenset({qn("w:pPr"), qn("w:rPr"), qn("w:del"), qn("w:moveFrom"), _MC_FALLBACK})


def read(data: bytes, name: str, limits: Limits) -> ReadResult:
    if data.startswith(OLE_MAGIC):
        raise _ole_error(data)
    _inspect_zip(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except (ValueError, KeyError) as err:  # python-docx: wrong content type, missing part
        raise Malformed(f"not a readable Word .docx document ({_first_line(err)})") from err
    except etree.XMLSyntaxError as err:
        raise Malformed(f"damaged .docx: its XML does not parse ({_first_line(err)})") from err
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:  # a member fails to inflate
        raise Malformed(f"damaged .docx: the zip archive is corrupt ({_first_line(err)})") from err
    body = document.element.body
    text = "\n\n".join(block for block in _blocks(body) if block.strip())
    return ReadResult(text=text, media_type=DOCX, title=_title(document))


def _ole_error(data: bytes) -> Exception:
    # Directory entry names in an OLE file are UTF-16LE; they say what the container holds.
    if "EncryptedPackage".encode("utf-16-le") in data:
        return Encrypted("password-protected Word document; ask for an unprotected copy")
    if "WordDocument".encode("utf-16-le") in data:
        return UnsupportedFormat("a Word 97-2003 .doc file named .docx; save it as .docx or PDF")
    return Encrypted("password-protected or rights-managed Office file (OLE container, not a zip)")


def _inspect_zip(data: bytes, limits: Limits) -> None:
    """Refuse bombs and damage from the central directory alone, before anything is inflated."""
    infos = archive.entries(data, limits, ".docx")
    if not any(entry.filename == "word/document.xml" for entry in infos):
        raise Malformed("not a Word document: the .docx has no word/document.xml")


def _blocks(container: etree._Element) -> list[str]:
    """Paragraph and table texts of a body, cell, text box or content control, in order."""
    blocks: list[str] = []
    for child in container.iterchildren():
        if child.tag == _P:
            textboxes: list[etree._Element] = []
            blocks.append(_paragraph(child, textboxes))
            for box in textboxes:
                blocks.extend(_blocks(box))
        elif child.tag == _TBL:
            rows = []
            for row in child.iterchildren(_TR):
                # One line per row, cells tab-separated; a cell's paragraphs joined by spaces.
                cells = [" ".join(b.strip() for b in _blocks(cell) if b.strip()) for cell in row.iterchildren(_TC)]
                rows.append("\t".join(cells).rstrip("\t"))
            blocks.append("\n".join(row for row in rows if row))
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                blocks.extend(_blocks(content))
        elif child.tag == _CUSTOM_XML:
            blocks.extend(_blocks(child))
    return blocks


def _paragraph(paragraph: etree._Element, textboxes: list[etree._Element]) -> str:
    pieces: list[str] = []
    walker = etree.iterwalk(paragraph, events=("start",))
    for _, element in walker:
        tag = element.tag
        if tag in _SKIP:
            walker.skip_subtree()
        elif tag == _TEXTBOX:
            textboxes.append(element)  # its paragraphs follow this one as blocks of their own
            walker.skip_subtree()
        elif tag == _T:
            pieces.append(element.text or "")
        elif element.getparent() is not None and element.getparent().tag == _R:
            if tag == _TAB:
                pieces.append("\t")
            elif tag in (_BR, _CR):
                pieces.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                pieces.append("-")
    return "".join(pieces)


def _title(document: WordDocument) -> str | None:
    try:
        title = document.core_properties.title
    except Exception:  # optional metadata; a damaged core.xml must not lose the text
        return None
    title = " ".join((title or "").split())
    return title or None


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
