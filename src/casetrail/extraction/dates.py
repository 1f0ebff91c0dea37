"""Dates (DATE), periods (PERIOD) and ages (AGE).

Typing follows casetrail's synthetic-inquiry truth:
  * DATE: a day or a month: "12 March 1998", "the 12th of March 1998", "March 12, 1998",
    "12/03/1998" (UK day/month order), "1998-03-12", "March 1998". Attributes {"iso", "year", "month",
    "day", "granularity"}; "iso" is as precise as the text ("1998-03", "1998-03-12").
  * PERIOD: anything longer, with {"start": year, "end": year}: a bare year in clear context ("in 1998",
    "since 2004" -> span "1998"; a year on its own is a quantity as often as a date, so context is
    required), seasons and festivals ("summer of 1998", "Christmas 1998"), decades ("late 1990s",
    "the mid-1990s" -> span without "the", "early 00s"), and ranges ("between 1997 and 2013", "from 1997
    to 2013", "1999-2011", "1997-98", "from the mid-1990s to early 2000s", "late 90s and early 00s").
    Decade parts: early = years 0-3, mid = 4-6, late = 7-9 of the decade.
  * AGE: "aged 11", "age 12", "the age of 12", "as young as 11", "a 14-year-old", "14 years old",
    "when I was 14" (span: the number), "in her thirties" / "in their teens" ({"min", "max"}).
    Attributes {"years": int} for an exact age.
Overlaps inside this extractor are resolved longest first, so "between 1997 and 2013" is one PERIOD,
not two years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from casetrail.extraction.extractor import build_mention
from casetrail.model import Mention, MentionType
from casetrail.model.words import MONTHS, NUMBER_WORDS, TENS

_DECADE_WORDS = {
    "teens": (13, 19),
    "twenties": (20, 29),
    "thirties": (30, 39),
    "forties": (40, 49),
    "fifties": (50, 59),
    "sixties": (60, 69),
    "seventies": (70, 79),
    "eighties": (80, 89),
    "nineties": (90, 99),
}

CONFIDENCE_DATE = 0.9
CONFIDENCE_PERIOD = 0.85
CONFIDENCE_YEAR = 0.8
CONFIDENCE_AGE = 0.9
CONFIDENCE_BARE_AGE = 0.75

_MONTH = (
    r"(?P<{g}>(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?P<{g}>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_WORD_NUMBER = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six"
    r"|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
)
_AGE_NUMBER = rf"(?P<{{g}}>1[01]\d|\d\d?|(?i:{_WORD_NUMBER}))"
_PART = r"(?P<{g}>(?i:early|mid|late))"
# A decade: "1990s", "mid-1990s", "late 90s", "the '80s"
_DECADE = rf"(?:{_PART}[- \t]?)?(?P<{{d}}>(?:19|20)\d0|['’]?\d0)['’]?s\b"

_END = r"(?![\w/])(?!-\d)"


def _g(pattern: str, **names: str) -> str:
    return pattern.format(**names)


_DATE_DAY_MONTH_YEAR = re.compile(
    rf"\b{_g(_DAY, g='day')}[ \t]+(?:of[ \t]+)?{_g(_MONTH, g='month')},?[ \t]+{_g(_YEAR, g='year')}{_END}"
)
_DATE_MONTH_DAY_YEAR = re.compile(
    rf"\b{_g(_MONTH, g='month')}[ \t]+{_g(_DAY, g='day')},?[ \t]+{_g(_YEAR, g='year')}{_END}"
)
_DATE_NUMERIC = re.compile(
    r"(?<![\w/.-])(?P<day>[12]\d|3[01]|0?[1-9])(?P<sep>[/.-])(?P<month>1[0-2]|0?[1-9])(?P=sep)"
    r"(?P<year>(?:19|20)\d\d|\d\d)(?![\w/]|[.-]\d)"
)
_DATE_ISO = re.compile(
    r"(?<![\w/.-])(?P<year>(?:19|20)\d\d)-(?P<month>1[0-2]|0[1-9])-(?P<day>[12]\d|3[01]|0[1-9])(?![\w/-])"
)
_DATE_MONTH_YEAR = re.compile(rf"\b{_g(_MONTH, g='month')}[ \t]+{_g(_YEAR, g='year')}{_END}")
_DATE_DAY_MONTH = re.compile(rf"\b{_g(_DAY, g='day')}[ \t]+(?:of[ \t]+)?{_g(_MONTH, g='month')}(?![\w])")

_SEASON = re.compile(
    r"\b(?P<season>(?i:spring|summer|autumn|fall|winter|christmas|easter|new[ \t]+year|bonfire[ \t]+night|halloween"
    r"|whitsun|half[ \t-]term))[ \t]+(?:of[ \t]+)?" + _g(_YEAR, g="year") + _END
)

_POINT = rf"(?:{_g(_DECADE, g='{p}p', d='{p}d')}|(?:{_g(_MONTH, g='{p}m')}[ \t]+)?{_g(_YEAR, g='{p}y')})"


def _point(prefix: str) -> str:
    return _POINT.replace("{p}", prefix)


_RANGE = re.compile(
    rf"(?:\b(?P<kw>(?i:between|from))[ \t]+(?:the[ \t]+)?{_point('a')}[ \t]+(?i:and|to|until|till|through|into)[ \t]+"
    rf"(?:the[ \t]+)?{_point('b')}"
    rf"|(?<![\w/.-]){_point('c')}[ \t]*(?:[-–—]|(?i:to|until|till|through))[ \t]*(?:the[ \t]+)?{_point('d')}"
    rf"|\b{_g(_DECADE, g='ep', d='ed')}[ \t]+(?i:and|into|through)[ \t]+(?:the[ \t]+)?{_g(_DECADE, g='fp', d='fd')}"
    rf"|(?<![\w/.-])(?P<gy>(?:19|20)\d\d)[-–](?P<hy>\d\d)(?![\w/]|[-–]\d))"
)

_DECADE_ALONE = re.compile(rf"(?<![\w'’-]){_g(_DECADE, g='part', d='decade')}")

_YEAR_IN_CONTEXT = re.compile(
    r"\b(?P<prep>(?i:in|since|by|during|until|till|before|after|around|circa|throughout|from|early|late|mid))"
    r"[ \t-]+" + _g(_YEAR, g="year") + r"(?![\w/]|[-–][\d]|['’]?s\b|,\d)"
)
_MORE_YEARS = re.compile(r"(?:[ \t]*,[ \t]*|[ \t]+(?:and|or)[ \t]+)" + _g(_YEAR, g="year") + r"(?![\w/]|[-–]\d|,\d)")

_AGE_AGED = re.compile(
    rf"\b(?P<cue>(?i:aged|age(?:[ \t]+of)?))[ \t]+(?:(?i:between)[ \t]+)?{_g(_AGE_NUMBER, g='n')}"
    rf"(?:[ \t]*(?:-|–|(?i:to|and))[ \t]*{_g(_AGE_NUMBER, g='m')})?(?![\w/.]\d|\w)"
)
_AGE_YEARS_OLD = re.compile(rf"\b{_g(_AGE_NUMBER, g='n')}[- \t](?i:years?|yrs?)[- \t](?i:old)\b")
_AGE_YOUNG_AS = re.compile(rf"\b(?i:(?:as[ \t]+)?(?:young|old)[ \t]+as)[ \t]+{_g(_AGE_NUMBER, g='n')}(?!\w|[.,]\d)")
_AGE_CUE = re.compile(r"(?i:\b(?:years?|yrs?)[- \t]old\b|\b(?:young|old)[ \t]+as\b)")
_AGE_BARE = re.compile(
    r"\b(?i:I|he|she|they|we|you)[ \t]+(?i:was|were|am|is|'m|’m|had[ \t]+just[ \t]+turned|turned)[ \t]+"
    r"(?:(?i:only|just|about|around|nearly|barely|roughly|approximately|maybe|probably|still)[ \t]+)?"
    r"(?P<n>[5-9]|[1-9]\d)(?!\w|[.,:/]\d|[ \t]*(?:%|(?i:percent|per|years?[ \t]+(?:ago|later|before|after|earlier)|miles?"
    r"|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|times|pounds|quid|grand|feet|foot|ft|metres?|yards?|mph|am|pm"
    r"|a\.m|p\.m|o['’]clock|stone|kg|of|out|in[ \t]+(?:the|a|line)|miles)\b))"
)
_AGE_DECADE = re.compile(
    r"\b(?i:in[ \t]+(?:his|her|their|my|your|our)[ \t]+)(?P<part>(?i:early|mid|late)[- \t]?)?"
    r"(?P<decade>(?i:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)|[2-9]0['’]?s)\b"
)


def _year2(two: str) -> int:
    n = int(two)
    return 1900 + n if n >= 30 else 2000 + n


def _decade_bounds(part: str | None, decade: str) -> tuple[int, int]:
    digits = decade.strip("'’")
    start = int(digits) if len(digits) == 4 else _year2(digits)
    part = (part or "").lower()
    if part == "early":
        return start, start + 3
    if part == "mid":
        return start + 4, start + 6
    if part == "late":
        return start + 7, start + 9
    return start, start + 9


def _number(word: str) -> int | None:
    word = word.lower().replace(" ", "-")
    if word.isdigit():
        return int(word)
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    tens, _, unit = word.partition("-")
    if tens in TENS:
        return TENS[tens] + (NUMBER_WORDS.get(unit, 0) if unit else 0)
    return None


@dataclass
class _Found:
    start: int
    end: int
    type: MentionType
    confidence: float
    attributes: dict[str, Any]


class DateExtractor:
    """Explicit dates, periods (years in context, seasons, decades, ranges) and ages."""

    name = "dates"
    version = "1.0.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        found: list[_Found] = []
        if any(ch.isdigit() for ch in text):  # every pattern below needs a digit or a year
            self._dates(text, found)
            self._periods(text, found)
        self._ages(text, found)
        kept: list[_Found] = []
        taken: list[tuple[int, int]] = []
        for f in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
            if all(f.end <= s or e <= f.start for s, e in taken):
                kept.append(f)
                taken.append((f.start, f.end))
        kept.sort(key=lambda f: f.start)
        return [
            build_mention(self.id, document_id, text, f.start, f.end, f.type, f.confidence, f.attributes) for f in kept
        ]

    # -- DATE
    def _dates(self, text: str, found: list[_Found]) -> None:
        for pattern in (_DATE_DAY_MONTH_YEAR, _DATE_MONTH_DAY_YEAR):
            for m in pattern.finditer(text):
                self._date(
                    found,
                    m.start(),
                    m.end(),
                    int(m.group("year")),
                    MONTHS[m.group("month").rstrip(".").lower()],
                    int(m.group("day")),
                )
        for m in _DATE_NUMERIC.finditer(text):
            year = m.group("year")
            self._date(
                found,
                m.start(),
                m.end(),
                int(year) if len(year) == 4 else _year2(year),
                int(m.group("month")),
                int(m.group("day")),
            )
        for m in _DATE_ISO.finditer(text):
            self._date(found, m.start(), m.end(), int(m.group("year")), int(m.group("month")), int(m.group("day")))
        for m in _DATE_MONTH_YEAR.finditer(text):
            self._date(
                found, m.start(), m.end(), int(m.group("year")), MONTHS[m.group("month").rstrip(".").lower()], None
            )
        for m in _DATE_DAY_MONTH.finditer(text):
            month = MONTHS[m.group("month").rstrip(".").lower()]
            found.append(
                _Found(
                    m.start(),
                    m.end(),
                    MentionType.DATE,
                    CONFIDENCE_DATE - 0.1,
                    {
                        "iso": f"--{month:02d}-{int(m.group('day')):02d}",
                        "year": None,
                        "month": month,
                        "day": int(m.group("day")),
                        "granularity": "day",
                    },
                )
            )

    @staticmethod
    def _date(found: list[_Found], start: int, end: int, year: int, month: int, day: int | None) -> None:
        if day is not None and day > (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31):
            return
        iso = f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")
        found.append(
            _Found(
                start,
                end,
                MentionType.DATE,
                CONFIDENCE_DATE,
                {
                    "iso": iso,
                    "year": year,
                    "month": month,
                    "day": day,
                    "granularity": "day" if day is not None else "month",
                },
            )
        )

    # -- PERIOD
    def _periods(self, text: str, found: list[_Found]) -> None:
        for m in _RANGE.finditer(text):
            bounds = self._range_bounds(m)
            if bounds is None:
                continue
            start_year, end_year = bounds
            if not start_year <= end_year or end_year - start_year > 100:
                continue
            found.append(
                _Found(
                    m.start(),
                    m.end(),
                    MentionType.PERIOD,
                    CONFIDENCE_PERIOD,
                    {"start": start_year, "end": end_year, "granularity": "range"},
                )
            )
        for m in _DECADE_ALONE.finditer(text):
            before = text[max(0, m.start() - 12) : m.start()].lower().split()
            if before and before[-1] in ("his", "her", "their", "my", "your", "our"):
                continue  # "in her 30s" is an age
            digits = m.group("decade").strip("'’")
            if len(digits) == 2 and not (m.group("part") or (before and before[-1] == "the")):
                continue  # a bare "60s" is as likely an age or a speed
            start_year, end_year = _decade_bounds(m.group("part"), m.group("decade"))
            found.append(
                _Found(
                    m.start(),
                    m.end(),
                    MentionType.PERIOD,
                    CONFIDENCE_PERIOD,
                    {
                        "start": start_year,
                        "end": end_year,
                        "granularity": "decade",
                        "part": (m.group("part") or "").lower() or None,
                    },
                )
            )
        for m in _SEASON.finditer(text):
            year = int(m.group("year"))
            found.append(
                _Found(
                    m.start(),
                    m.end(),
                    MentionType.PERIOD,
                    CONFIDENCE_PERIOD,
                    {
                        "start": year,
                        "end": year,
                        "granularity": "season",
                        "season": " ".join(m.group("season").lower().split()),
                    },
                )
            )
        for m in _YEAR_IN_CONTEXT.finditer(text):
            prep = m.group("prep").lower()
            if prep in ("early", "late", "mid"):
                year = int(m.group("year"))
                found.append(
                    _Found(
                        m.start(),
                        m.end(),
                        MentionType.PERIOD,
                        CONFIDENCE_YEAR,
                        {"start": year, "end": year, "granularity": "year", "part": prep},
                    )
                )
                continue
            self._year(found, m.start("year"), m.end("year"), int(m.group("year")))
            pos = m.end()
            while more := _MORE_YEARS.match(text, pos):  # "in 2004 and 2006"
                self._year(found, more.start("year"), more.end("year"), int(more.group("year")))
                pos = more.end()

    @staticmethod
    def _year(found: list[_Found], start: int, end: int, year: int) -> None:
        found.append(
            _Found(start, end, MentionType.PERIOD, CONFIDENCE_YEAR, {"start": year, "end": year, "granularity": "year"})
        )

    @staticmethod
    def _range_bounds(m: re.Match[str]) -> tuple[int, int] | None:
        if m.group("gy"):
            start = int(m.group("gy"))
            end = start // 100 * 100 + int(m.group("hy"))
            return (start, end) if end > start else None
        for a, b in (("a", "b"), ("c", "d"), ("e", "f")):
            first = _point_bounds(m, a)
            last = _point_bounds(m, b)
            if first is not None and last is not None:
                return first[0], last[1]
        return None

    # -- AGE
    def _ages(self, text: str, found: list[_Found]) -> None:
        for m in _AGE_AGED.finditer(text):
            n = _number(m.group("n"))
            if n is None or n > 120:
                continue
            upper = _number(m.group("m")) if m.group("m") else None
            if upper is not None and n < upper <= 120:
                found.append(_Found(m.start(), m.end(), MentionType.AGE, CONFIDENCE_AGE, {"min": n, "max": upper}))
            else:  # "aged 11 – two of them police officers": not a range
                found.append(_Found(m.start(), m.end("n"), MentionType.AGE, CONFIDENCE_AGE, {"years": n}))
        for cue in _AGE_CUE.finditer(text):  # the number patterns are costly: run them only near a cue
            for pattern in (_AGE_YEARS_OLD, _AGE_YOUNG_AS):
                for m in pattern.finditer(text, max(0, cue.start() - 30), cue.end() + 30):
                    n = _number(m.group("n"))
                    if n is not None and n <= 120 and m.start() <= cue.start() < m.end():
                        found.append(_Found(m.start(), m.end(), MentionType.AGE, CONFIDENCE_AGE, {"years": n}))
        for m in _AGE_BARE.finditer(text):
            found.append(
                _Found(m.start("n"), m.end("n"), MentionType.AGE, CONFIDENCE_BARE_AGE, {"years": int(m.group("n"))})
            )
        for m in _AGE_DECADE.finditer(text):
            decade = m.group("decade").lower()
            low, high = _DECADE_WORDS[decade] if decade in _DECADE_WORDS else (int(decade[:2]), int(decade[:2]) + 9)
            part = (m.group("part") or "").strip(" -\t").lower()
            if part == "early":
                high = low + 3
            elif part == "mid":
                low, high = low + 3, low + 6
            elif part == "late":
                low = low + 7 if decade != "teens" else 17
            found.append(_Found(m.start(), m.end(), MentionType.AGE, CONFIDENCE_AGE, {"min": low, "max": high}))


def _point_bounds(m: re.Match[str], prefix: str) -> tuple[int, int] | None:
    groups = m.groupdict()
    if groups.get(prefix + "d"):
        return _decade_bounds(groups.get(prefix + "p"), groups[prefix + "d"])
    if groups.get(prefix + "y"):
        year = int(groups[prefix + "y"])
        return year, year
    return None
