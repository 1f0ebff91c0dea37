"""English words that several steps read as numbers: the months and the numbers written out.

Extraction (dates and ages), linking (an account's dates and ages) and the synthetic generator
(the dates it writes) all read or write the same words; they may not import each other, so the
words live here. Pure data: no IO.
"""

from __future__ import annotations

from typing import Final

# The months in order, as written in running text.
MONTH_NAMES: Final[tuple[str, ...]] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# A month's name or abbreviation, lower case, -> its number (1-12). "may" has no shorter form;
# September is both "sep" and "sept". The order (full names, then abbreviations) is kept: patterns
# built from the keys list them in it.
MONTHS: Final[dict[str, int]] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

# "zero" to "nineteen" -> 0-19.
NUMBER_WORDS: Final[dict[str, int]] = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}

# The tens from "twenty" to "ninety" -> 20-90.
TENS: Final[dict[str, int]] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
