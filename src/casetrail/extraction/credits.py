"""Photo and picture credits: "Photograph: Kieran Holt/PA Wire", "Picture: Stuart Pell".

A credit names the photographer and the agency, who are no part of the account; news pages scatter
them through the text, and read as prose they add people and bodies nobody in the case met. The person
rules skip names inside a credit, and spaCy's entities there (but dates) are dropped. "Pictured: ..." and "Image caption, ..." are not credits: they name
the people in the story.
"""

from __future__ import annotations

import bisect
import re

_CREDIT = re.compile(
    r"(?<![\w'’-])(?:Photograph|Photographs|Photo|Picture|Pictures|Image|Images|Credit|Photo[ \t]+credit|"
    r"Image[ \t]+credit|Photography)(?:[ \t]+by)?[ \t]*(?::|[ \t]+by[ \t])[^\n]{0,80}"
)


class Credits:
    """The credit spans of one text, asked whether a span lies inside one."""

    def __init__(self, text: str) -> None:
        spans = (
            [m.span() for m in _CREDIT.finditer(text)]
            if "Ph" in text or "Pi" in text or "Im" in text or "Cr" in text
            else []
        )
        self._starts = [s for s, _ in spans]
        self._ends = [e for _, e in spans]

    def covers(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start) - 1
        return i >= 0 and end <= self._ends[i]
