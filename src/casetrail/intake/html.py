"""HTML pages (saved news articles, web forms, HTML e-mail bodies) to their readable text.

lxml parses only: it has no script engine, and with no_network it never loads a DTD, image,
stylesheet or frame. Scripts and page furniture are cut out of the tree before any text is
taken, so their contents never reach the record. libxml2 silently stops parsing at its nesting
limit, which would lose everything after the trap, so hitting it is an error, not a warning.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

import lxml.etree
import lxml.html

from casetrail.errors import Hostile, Malformed
from casetrail.intake.limits import Limits
from casetrail.intake.sniff import HTML
from casetrail.intake.text import charset_codec, decode_text
from casetrail.model.document import ReadResult

# Never text of the page: code, page furniture, embedded documents, and forms.
_DROP = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "template",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "canvas",
    "head",
)
# Elements that start a new paragraph of text.
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_CELLS = frozenset({"td", "th"})
_SPACE = re.compile(r"\s+")
_CELL_GAP = re.compile(r" *\t *")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Bytes -> str: BOM, then the charset the caller or a <meta> declares, then UTF-8/cp1252."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data)
    meta = _META_CHARSET.search(data[:4096])
    for candidate in (declared, meta.group(1).decode("ascii") if meta else None):
        codec = charset_codec(candidate)
        if codec is None:
            continue
        if codec.startswith(("utf-16", "utf-32", "cp1252")):
            break  # as browsers do: UTF-16 without a BOM is a lie; cp1252 is our fallback anyway
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            break  # the declaration is wrong; fall back to what the bytes say
    return decode_text(data)


def html_to_text(data: bytes, limits: Limits, declared_encoding: str | None = None) -> tuple[str, str | None]:
    """(article text, title) of an HTML document; paragraphs separated by blank lines."""
    markup = decode_html(data, declared_encoding)
    if not markup.strip():
        return "", None
    # Parsing UTF-8 bytes with the encoding fixed makes libxml2 ignore <meta>/<?xml?> claims
    # we have already resolved. huge_tree lifts libxml2's 256-level cap to 2,048 so that our
    # own limit decides; it also allows text nodes over 10 MB, which max_bytes bounds anyway.
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = lxml.html.document_fromstring(markup.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return "", None  # nothing element-like at all, e.g. only a doctype
    for entry in parser.error_log:
        if entry.type_name == "ERR_RESOURCE_LIMIT":
            raise Hostile("HTML nested too deeply to read safely (a parser trap)")
        if entry.level_name == "FATAL":
            raise Malformed(f"HTML could not be parsed completely: {entry.message.strip()}")
    depth = _max_depth(root)
    if depth > limits.max_html_depth:
        raise Hostile(f"HTML nested {depth} levels deep; the limit is {limits.max_html_depth}")

    title = _title(root)
    for element in list(root.iter(*_DROP)):
        if element.tag == "header" and any(a.tag == "article" for a in element.iterancestors()):
            continue  # an article's own header holds its headline and byline, not page furniture
        if element.getparent() is not None:  # may already be gone with a dropped ancestor
            element.drop_tree()
    text = "\n\n".join(_paragraphs(_content_roots(root)))
    return text, title


def read(data: bytes, name: str, limits: Limits) -> ReadResult:
    text, title = html_to_text(data, limits)
    return ReadResult(text=text, media_type=HTML, title=title)


def _max_depth(root: lxml.html.HtmlElement) -> int:
    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _title(root: lxml.html.HtmlElement) -> str | None:
    for path in (".//title", ".//h1"):
        element = root.find(path)
        if element is not None:
            title = _SPACE.sub(" ", "".join(element.itertext())).strip()
            if title:
                return title
    return None


def _content_roots(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The article if the page marks one, else <main>, else every <article>, else the body."""
    articles: list[lxml.html.HtmlElement] = list(root.iterfind(".//article"))
    if len(articles) == 1:
        return articles
    main = root.find(".//main")
    if main is not None:
        return [main]
    if articles:
        return [a for a in articles if not any(p.tag == "article" for p in a.iterancestors())]
    body = root.find("body")
    return [body if body is not None else root]


def _paragraphs(roots: Iterable[lxml.html.HtmlElement]) -> list[str]:
    """Walk the tree without recursion (depth is attacker-controlled), cutting at block edges."""
    paragraphs: list[str] = []
    pieces: list[str] = []
    pre = 0  # inside <pre>: keep whitespace as written

    def flush() -> None:
        lines = "".join(pieces).split("\n")
        pieces.clear()
        if pre:
            kept = "\n".join(line.rstrip() for line in lines).strip("\n")
        else:
            kept = "\n".join(_CELL_GAP.sub("\t", line).strip(" \t") for line in lines).strip()
        if kept.strip():
            paragraphs.append(kept)

    def add(text: str | None) -> None:
        if text:
            pieces.append(text if pre else _SPACE.sub(" ", text))

    for root in roots:
        for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start":
                if tag in _BLOCKS:
                    flush()
                if tag == "pre":
                    pre += 1
                elif tag == "br":
                    pieces.append("\n")
                add(element.text)
                continue
            if tag in _BLOCKS:
                flush()
            if tag == "pre":
                pre -= 1
            elif tag in _CELLS:
                pieces.append("\t")  # cells of a row on one line, tab-separated
            if element is not root:
                add(element.tail)
        flush()
    return paragraphs
