"""Rich Text Format (.rtf): the document's characters, without its markup, in one linear pass.

Written here rather than taken from a library because RTF is simple to tokenise and a hostile
file must cost time in proportion to its size: one compiled pattern, no backtracking, a group
stack bounded in depth. Non-text destinations (font and colour tables, pictures, embedded
objects, field instructions, metadata, comments) are skipped; `\\binN` data is stepped over by
its declared length. Characters come from `\\uN` (Unicode) or `\\'xx` bytes in the document's
ANSI code page (`\\ansicpgN`, default cp1252). Per-font character sets are not followed, so
\\'xx bytes in a non-Western font without \\uN alternatives may decode wrongly; every writer
since Word 97 emits \\uN for non-ASCII text.
"""

from __future__ import annotations

import codecs
import re

from casetrail.errors import Hostile, Malformed
from casetrail.intake.limits import Limits
from casetrail.intake.reading import Reading
from casetrail.intake.sniff import RTF
from casetrail.intake.text import normalise_newlines

_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|[\r\n]+|([^\\{}\r\n]+)", re.DOTALL
)
_SKIP = frozenset(
    b"fonttbl colortbl stylesheet info pict object objdata fldinst themedata datastore latentstyles listtable "
    b"listoverridetable rsidtbl generator xmlnstbl annotation atnid atnauthor atndate header headerl headerr "
    b"headerf footer footerl footerr footerf filetbl revtbl userprops docvar xe tc bkmkstart bkmkend "
    b"shpinst sp sn sv nonshppict mmathPr background".split()
)
_CHARS = {
    b"par": "\n",
    b"line": "\n",
    b"sect": "\n\n",
    b"page": "\n\n",
    b"row": "\n",
    b"cell": "\t",
    b"nestcell": "\t",
    b"tab": "\t",
    b"emdash": "\u2014",
    b"endash": "\u2013",
    b"lquote": "\u2018",
    b"rquote": "\u2019",
    b"ldblquote": "\u201c",
    b"rdblquote": "\u201d",
    b"bullet": "\u2022",
    b"emspace": "\u2003",
    b"enspace": "\u2002",
}
_SYMBOLS = {b"~": "\xa0", b"-": "", b"_": "\u2011", b"\\": "\\", b"{": "{", b"}": "}", b"\n": "\n", b"\r": "\n"}
_MAX_DEPTH = 500  # Word nests a few dozen groups; thousands are a trap for recursive readers


class _State:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.title: list[str] = []
        self.codepage = "cp1252"
        self.pending = bytearray()  # \'xx bytes waiting to be decoded together (multi-byte code pages)


def read(data: bytes, name: str, limits: Limits) -> Reading:
    start = data.find(b"{\\rtf")
    if start < 0 or start > 16:
        raise Malformed("not an RTF document (no {\\rtf header)")
    state = _State()
    _walk(data, start, state)
    # \uN gives characters above U+FFFF as two surrogate halves; join them back into one.
    text = "".join(state.out).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = normalise_newlines(text)
    text = "\n".join(line.rstrip(" \t") for line in text.split("\n")).strip("\n")
    title = " ".join("".join(state.title).split()) or None
    return Reading(text=text, media_type=RTF, title=title)


def _walk(data: bytes, start: int, state: _State) -> None:
    # Each stack frame: (skipping, unicode skip count, destination name)
    stack: list[tuple[bool, int, bytes]] = []
    skipping, uc, destination, to_skip = False, 1, b"", 0
    position = start
    closed = False
    while position < len(data):
        match = _TOKEN.match(data, position)
        if match is None:  # a lone backslash at the very end
            break
        position = match.end()
        word, arg, hexbyte, symbol, brace, plain = match.groups()
        if hexbyte is None:
            _flush(state, skipping, destination)
        if brace == b"{":
            if len(stack) >= _MAX_DEPTH:
                raise Hostile(f"RTF groups nested more than {_MAX_DEPTH} deep")
            stack.append((skipping, uc, destination))
            to_skip = 0
        elif brace == b"}":
            if not stack:
                raise Malformed("damaged RTF: a group closes that never opened")
            skipping, uc, destination = stack.pop()
            to_skip = 0
            if not stack:
                closed = True
                break
        elif word is not None:
            if word == b"bin" and arg:
                position += max(0, int(arg))  # raw bytes of the declared length, never text
                continue
            if to_skip and word != b"u":
                to_skip = 0
            skipping, uc, destination, to_skip = _control(state, word, arg, skipping, uc, destination, to_skip)
        elif hexbyte is not None:
            if to_skip:
                to_skip -= 1  # the ANSI stand-in after a \uN
            elif not skipping:
                state.pending.append(int(hexbyte, 16))
        elif symbol is not None:
            if symbol == b"*":
                skipping = True  # an optional destination this reader does not know
            elif not skipping:
                _emit(state, destination, _SYMBOLS.get(symbol, ""))
        elif plain is not None:
            if to_skip:
                consumed = min(to_skip, len(plain))
                plain, to_skip = plain[consumed:], to_skip - consumed
            if not skipping and plain:
                _emit(state, destination, plain.decode(state.codepage, errors="replace"))
    _flush(state, skipping, destination)
    if not closed:
        raise Malformed("truncated RTF: the document's groups never close; ask for a complete copy")


def _control(state, word, arg, skipping, uc, destination, to_skip):
    if word in _SKIP:
        return True, uc, destination, 0
    if word == b"title":
        return False, uc, b"title", 0  # inside \info, which is otherwise skipped
    if word == b"ansicpg" and arg:
        codec = f"cp{int(arg)}"
        try:
            codecs.lookup(codec)
            state.codepage = codec
        except LookupError:
            pass  # an unknown code page: keep cp1252 rather than fail the whole document
        return skipping, uc, destination, 0
    if word == b"uc" and arg:
        return skipping, max(0, min(int(arg), 10)), destination, 0
    if word == b"u" and arg:
        if not skipping:
            _emit(state, destination, _unichar(int(arg)))
        return skipping, uc, destination, uc
    if not skipping and word in _CHARS:
        _emit(state, destination, _CHARS[word])
    return skipping, uc, destination, 0


def _unichar(value: int) -> str:
    value = value + 0x10000 if value < 0 else value  # RTF writes code points above 32767 as negative
    return chr(value) if 0 <= value <= 0x10FFFF else "\ufffd"


def _emit(state: _State, destination: bytes, text: str) -> None:
    (state.title if destination == b"title" else state.out).append(text)


def _flush(state: _State, skipping: bool, destination: bytes) -> None:
    if state.pending:
        if not skipping:
            _emit(state, destination, bytes(state.pending).decode(state.codepage, errors="replace"))
        state.pending.clear()
