"""Regex building blocks for written personal names, shared by the rule extractors.

A name word is capitalised and may carry an apostrophe or Mc/Mac prefix and hyphenated parts:
"O'Neill", "McDonald", "Smith-Jones", "D'Arcy". Capitalised function words that open sentences
("The", "When", "He") and months are never name words, so "PC Smith In 1998" stops at "Smith".
Names never cross a line break: tokens are joined by spaces or tabs only.
"""

from __future__ import annotations

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"

# Capitalised words that are almost never part of a personal name in running text.
STOP_CAPITALS: frozenset[str] = frozenset(
    """
    The A An And Or But If In On At Of For From To By With Without As Into Onto Over Under After Before
    During Since Until While When Where Which Who Whom Whose What Why How That This These Those There
    Here Then Than Thus So Yet Also Not No Nor Both Either Neither Each Every All Any Some Such
    He She It They We You I Him Her His Hers Its Their Theirs Our Ours Your Yours My Me Us Them
    Is Was Were Are Be Been Being Had Has Have Did Do Does Said Says Told Asked Would Could Should
    Will Can May Might Must Shall Mr Mrs Ms Miss Dr Sir
    January February March April June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    Police Constabulary Council Office Agency Service Services Commission Court Station Road Street
    Lane Avenue Unit Team Squad Department Inquiry Report Operation Today Yesterday Tomorrow
    """.split()
)

_STOP = "|".join(sorted(STOP_CAPITALS, key=len, reverse=True))

# One capitalised name word (no stop word), e.g. "Smith", "O'Neill", "McDonald", "Smith-Jones".
NAME_WORD = (
    rf"(?<!\w)(?<!\w['’])(?!(?:{_STOP})\b)"
    rf"(?:[{_UPPER}][{_LOWER}]?['’])?(?:Ma?c)?[{_UPPER}][{_LOWER}]+"
    rf"(?:-(?:[{_UPPER}][{_LOWER}]?['’])?[{_UPPER}][{_LOWER}]+)*(?!\w)"
)

# Initials: "J.", "J. R.", "J.R." or a bare "J" followed by a space.
INITIALS = rf"(?<![\w.])(?<!\w['’])(?:(?:[{_UPPER}]\.[ \t]?){{1,3}}|[{_UPPER}][ \t])"

# Lower-case surname particles between name words: "van der Merwe", "de Souza".
_PARTICLE = r"(?:de|da|di|du|del|della|der|den|van|von|le|la|bin|ibn|al)"

# A personal name of one to three words, optionally led by initials: "J. Smith", "Hassan Ali".
NAME = (
    rf"(?:(?:{INITIALS})[ \t]*{NAME_WORD}"
    rf"|{NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{NAME_WORD}){{0,2}})"
)

# Two or three name words: for appositions ("solicitor David Greenwood") where one word is too weak.
FULL_NAME = rf"{NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{NAME_WORD}){{1,2}}"

