"""File names from people we cannot vet, made safe to write to disk and to show to staff.

A submitted name is untrusted text twice over: as a path it may climb out of the upload folder
("../../x", "C:\\x"), and as text it may lie to the reader. A right-to-left override (U+202E)
makes "statement<RLO>gpj.exe" display as "statementexe.jpg"; zero-width characters make two
names that look the same differ. So `safe_name` keeps only the last path segment and drops every
character that is invisible or controls layout, then normalises what is left to NFC so that the
same name typed on two systems is one name.
"""

from __future__ import annotations

import unicodedata

FALLBACK = "upload"
MAX_STEM_BYTES = 150  # file systems cap a name at 255 bytes; room is left for a suffix and extension
MAX_EXTENSION_CHARS = 12  # longer than this after the last dot, it is part of the name
# Controls (Cc: NUL, tab, escape), format characters (Cf: bidi overrides and isolates, zero-width
# space and joiners, soft hyphen, BOM), private use (Co), lone surrogates (Cs, which cannot be
# encoded to UTF-8 for the file system) and line/paragraph separators (Zl, Zp).
DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def safe_name(submitted: str | None) -> str:
    """A name to write a submitted file under: one segment, visible characters only, NFC, bounded.

    Never empty, ".", "..", or a name with "/", "\\" or a control or format character in it.
    """
    name = _last_segment(_visible(submitted or ""))
    # Cutting a long name with no extension can leave what looks like one at its new end ("... .0");
    # a second pass tidies that, so a safe name passed in again comes back unchanged.
    return _shaped(_shaped(name))


def _shaped(name: str) -> str:
    """Stem cut to length and extension kept; never "", "." or ".." (checked after the cut)."""
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > MAX_EXTENSION_CHARS or extension.strip() != extension:
        stem, extension = name, ""
    stem = _cut(stem)
    if not stem.strip("."):
        stem = FALLBACK
    return f"{stem}.{extension}" if extension else stem


def _visible(text: str) -> str:
    # Drop first, then normalise: removing a joiner can leave a base letter beside its accent.
    kept = "".join(c for c in text if unicodedata.category(c) not in DROPPED_CATEGORIES)
    return unicodedata.normalize("NFC", kept)


def _last_segment(text: str) -> str:
    # Both separators, whatever the server's OS: the name may come from a Windows browser. Dots
    # at the end go too (Windows drops them, so "a." and "a" would be one file there).
    return _trimmed(text.replace("\\", "/").rsplit("/", 1)[-1])


def _cut(stem: str) -> str:
    """At most MAX_STEM_BYTES of UTF-8, never splitting a character; no spaces at either end and
    no dots at the end, as for the whole name."""
    return _trimmed(stem.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore"))


def _trimmed(text: str) -> str:
    """No white space (of any kind, U+00A0 too) at either end, and no dots at the end."""
    end = len(text)
    while end and (text[end - 1] == "." or text[end - 1].isspace()):
        end -= 1
    return text[:end].lstrip()
