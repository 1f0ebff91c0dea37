"""safe_name: one path segment, nothing invisible or layout-controlling, NFC, bounded."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.intake.names import FALLBACK, MAX_STEM_BYTES, safe_name

BIDI_AND_INVISIBLE = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
)


def test_file_names_lose_bidi_controls() -> None:
    # Displayed with the override, this reads "statementexe.jpg".
    assert safe_name("statement\u202egpj.exe") == "statementgpj.exe"
    assert safe_name("\u2067interview\u2069 notes\u200b.pdf") == "interview notes.pdf"
    assert safe_name("\ufeffreport.docx") == "report.docx"
    for char in BIDI_AND_INVISIBLE:
        assert char not in safe_name(f"a{char}b{char}.t{char}xt"), f"U+{ord(char):04X}"


def test_controls_separators_and_private_use_go() -> None:
    assert safe_name("line\u2028one\u2029two.txt") == "lineonetwo.txt"
    assert safe_name("bell\x07\x1b[31mred\x7f.txt") == "bell[31mred.txt"
    assert safe_name("pri\ue000vate.txt") == "private.txt"
    assert safe_name("lone\ud800surrogate.txt") == "lonesurrogate.txt"


def test_names_are_nfc() -> None:
    decomposed = "Cafe\u0301 statement.txt"
    assert safe_name(decomposed) == "Caf\u00e9 statement.txt"
    # A zero-width joiner between a letter and its accent goes, and the two then compose.
    assert safe_name("Zoe\u200d\u0308.txt") == "Zo\u00eb.txt"


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ayla\\statement.pdf", "statement.pdf"),
        ("folder/", FALLBACK),
        ("..", FALLBACK),
        ("...", FALLBACK),
        (". .", FALLBACK),
        (".. .", FALLBACK),
        ("a. .", "a"),
        ("minutes.", "minutes"),
        (".\u202e.", FALLBACK),
        ("   ", FALLBACK),
        ("", FALLBACK),
        (None, FALLBACK),
        ("nul\x00byte.txt", "nulbyte.txt"),
        (".hidden", f"{FALLBACK}.hidden"),
        ("archive.tar.gz", "archive.tar.gz"),
        ("notes.averyveryverylongextension", "notes.averyveryverylongextension"),
    ],
)
def test_what_app_safe_name_already_did(submitted: str | None, expected: str) -> None:
    assert safe_name(submitted) == expected


def test_long_names_keep_their_extension_and_whole_characters() -> None:
    name = safe_name("\u00e9" * 400 + ".pdf")
    stem, _, extension = name.rpartition(".")
    assert extension == "pdf"
    assert len(stem.encode("utf-8")) <= MAX_STEM_BYTES and set(stem) == {"\u00e9"}


# Short names from the characters that matter find the corner cases; long ones test the cut.
TRICKY = st.text(alphabet=st.sampled_from("./\\ \x00a\u202e\u200b\u0301e\u00e9"), max_size=8)


@given(st.one_of(st.none(), st.text(), TRICKY, st.text(alphabet=st.sampled_from(". a\u00e9\u202e"), min_size=140)))
def test_output_is_always_one_visible_segment(submitted: str | None) -> None:
    name = safe_name(submitted)
    assert name not in ("", ".", "..")
    assert not ({"/", "\\", "\x00"} & set(name))
    assert all(unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"} for c in name)
    assert name == unicodedata.normalize("NFC", name)
    assert name == name.strip()
    assert len(name.encode("utf-8")) <= 255
    assert safe_name(name) == name  # already safe: left as it is
