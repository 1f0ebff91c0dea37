"""OpenDocument text (.odt): paragraphs, headings, lists and tables from content.xml, in order.

An .odt is a zip, measured like a .docx before anything inflates. The XML is parsed with
entities and network access off (no billion-laughs, no external fetch). Tracked deletions,
comments and the notes' citation marks are not the author's current text and are skipped;
text boxes are read where they stand.
"""

from __future__ import annotations

from lxml import etree

from casetrail.errors import Encrypted, Hostile, Malformed
from casetrail.intake import archive
from casetrail.intake.limits import Limits
from casetrail.intake.reading import Reading
from casetrail.intake.sniff import ODT

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_P, _H, _S, _TAB, _BREAK = (f"{{{_TEXT}}}{t}" for t in ("p", "h", "s", "tab", "line-break"))
_TABLE_T, _ROW, _CELL = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row", f"{{{_TABLE}}}table-cell"
_SKIP = frozenset(
    {f"{{{_TEXT}}}tracked-changes", f"{{{_OFFICE}}}annotation", f"{{{_TEXT}}}note-citation", f"{{{_TEXT}}}bookmark-ref"}
)
_MAX_DEPTH = 1_000  # libxml2's own default ceiling is 256 without huge_tree; real documents nest < 30


def read(data: bytes, name: str, limits: Limits) -> Reading:
    infos = archive.entries(data, limits, ".odt")
    by_name = {info.filename: info for info in infos}
    if "content.xml" not in by_name:
        raise Malformed("not an OpenDocument text: the .odt has no content.xml")
    if "META-INF/manifest.xml" in by_name:
        manifest = archive.read_member(data, by_name["META-INF/manifest.xml"], ".odt")
        if b"encryption-data" in manifest:
            raise Encrypted("password-protected .odt; ask for an unprotected copy")
    root = _parse(archive.read_member(data, by_name["content.xml"], ".odt"), "content.xml")
    body = root.find(f"{{{_OFFICE}}}body")
    blocks = _blocks(body if body is not None else root, 0)
    text = "\n\n".join(block for block in blocks if block.strip())
    title = _title(data, by_name)
    return Reading(text=text, media_type=ODT, title=title)


def _parse(xml: bytes, part: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as err:
        raise Malformed(f"damaged .odt: {part} does not parse ({str(err).splitlines()[0][:200]})") from err


def _blocks(container: etree._Element, depth: int) -> list[str]:
    if depth > _MAX_DEPTH:
        raise Hostile(f".odt content nested more than {_MAX_DEPTH} levels deep")
    blocks: list[str] = []
    for child in container.iterchildren():
        if child.tag in _SKIP:
            continue
        if child.tag in (_P, _H):
            blocks.append(_inline(child))
            blocks.extend(_frames(child, depth))
        elif child.tag == _TABLE_T:
            blocks.append(_table(child, depth))
        else:  # sections, lists, list items, office:text: containers of paragraphs
            blocks.extend(_blocks(child, depth + 1))
    return blocks


def _inline(paragraph: etree._Element) -> str:
    """A paragraph's characters; spans and links flattened, frames left for _frames."""
    pieces: list[str] = [paragraph.text or ""]
    for child in paragraph.iterchildren():
        if child.tag in _SKIP or child.tag.endswith("}frame"):
            pass
        elif child.tag == _S:
            pieces.append(" " * _count(child))
        elif child.tag == _TAB:
            pieces.append("\t")
        elif child.tag == _BREAK:
            pieces.append("\n")
        elif child.tag in (_P, _H):
            pass
        else:
            pieces.append(_inline(child))
        pieces.append(child.tail or "")
    return "".join(pieces)


def _frames(paragraph: etree._Element, depth: int) -> list[str]:
    # Text boxes (draw:frame/draw:text-box) hold paragraphs of their own.
    # Only the outermost boxes: a box inside a box is read with its container's paragraphs.
    found: list[str] = []
    for box in paragraph.iter("{*}text-box"):
        if not any(
            a.tag == box.tag for a in box.iterancestors() if a is not paragraph and paragraph in a.iterancestors()
        ):
            found.extend(_blocks(box, depth + 1))
    return found


def _table(table: etree._Element, depth: int) -> str:
    rows = []
    for row in table.iter(_ROW):
        cells = [" ".join(b.strip() for b in _blocks(cell, depth + 1) if b.strip()) for cell in row.iterchildren(_CELL)]
        rows.append("\t".join(cells).rstrip("\t"))
    return "\n".join(row for row in rows if row)


def _count(space: etree._Element) -> int:
    try:
        return max(1, min(int(space.get(f"{{{_TEXT}}}c", "1")), 1000))
    except ValueError:
        return 1


def _title(data: bytes, by_name: dict) -> str | None:
    if "meta.xml" not in by_name:
        return None
    try:
        meta = _parse(archive.read_member(data, by_name["meta.xml"], ".odt"), "meta.xml")
    except Malformed:
        return None  # optional metadata; a damaged meta.xml must not lose the text
    title = meta.find(f".//{{{_DC}}}title")
    text = " ".join((title.text or "").split()) if title is not None else ""
    return text or None
