"""Editable word lists packaged under extraction/data/, read once per process.

Files are UTF-8 text: one entry per line, `#` starts a comment, blank lines are ignored.
Investigators can extend them (a new car make, a local body) without touching code.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def read_lines(name: str) -> tuple[str, ...]:
    """Non-blank, comment-stripped lines of data/<name>."""
    raw = resources.files("casetrail.extraction").joinpath("data", name).read_text(encoding="utf-8")
    lines = []
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return tuple(lines)


@cache
def read_sections(name: str) -> dict[str, tuple[str, ...]]:
    """Lines of data/<name> grouped under `[section]` headers ("" before the first header)."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in read_lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    return {key: tuple(value) for key, value in sections.items()}


def split_mapping(line: str, separator: str = ":") -> tuple[str, tuple[str, ...]]:
    """'canonical: a, b, c' -> ('canonical', ('a', 'b', 'c')); a bare 'word' maps to itself."""
    if separator not in line:
        word = line.strip()
        return word, (word,)
    key, _, rest = line.partition(separator)
    values = tuple(v.strip() for v in rest.split(",") if v.strip())
    return key.strip(), values or (key.strip(),)
