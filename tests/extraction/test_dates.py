"""Dates (DATE), periods (PERIOD) and ages (AGE)."""

from __future__ import annotations

import pytest

from casetrail.extraction import DateExtractor
from casetrail.model import Mention, MentionType

EXTRACTOR = DateExtractor()


def typed(text: str, kind: MentionType) -> list[Mention]:
    return [m for m in EXTRACTOR.extract("doc", text) if m.type is kind]


@pytest.mark.parametrize(
    ("text", "span", "iso"),
    [
        ("It happened on 12 March 1998 at night.", "12 March 1998", "1998-03-12"),
        ("on the 12th of March 1998", "12th of March 1998", "1998-03-12"),
        ("on March 12, 1998", "March 12, 1998", "1998-03-12"),
        ("on 12/03/1998", "12/03/1998", "1998-03-12"),
        ("on 1/3/98", "1/3/98", "1998-03-01"),
        ("on 12.03.98", "12.03.98", "1998-03-12"),
        ("dated 1998-03-12", "1998-03-12", "1998-03-12"),
        ("in March 1998", "March 1998", "1998-03"),
        ("He died in January 2015, a week later.", "January 2015", "2015-01"),
        ("since Sept 2004", "Sept 2004", "2004-09"),
    ],
)
def test_dates(text: str, span: str, iso: str) -> None:
    found = typed(text, MentionType.DATE)
    assert [(m.text, m.attributes["iso"]) for m in found] == [(span, iso)]


def test_impossible_day_is_not_a_date() -> None:
    assert typed("on 31/02/1998", MentionType.DATE) == []


@pytest.mark.parametrize(
    ("text", "span", "start", "end"),
    [
        ("Between 1997 and 2013, at least 1,400 children", "Between 1997 and 2013", 1997, 2013),
        ("abused from 1997 to 2013 by men", "from 1997 to 2013", 1997, 2013),
        ("in post 1999-2011 as chief", "1999-2011", 1999, 2011),
        ("in post 1999–2011 as chief", "1999–2011", 1999, 2011),
        ("the 1997-98 season", "1997-98", 1997, 1998),
        ("in the late 1990s", "late 1990s", 1997, 1999),
        ("during the mid-1990s", "mid-1990s", 1994, 1996),
        ("in the early 2000s", "early 2000s", 2000, 2003),
        ("in the 1980s", "1980s", 1980, 1989),
        ("in the late 90s", "late 90s", 1997, 1999),
        ("from the mid-1990s to early 2000s", "from the mid-1990s to early 2000s", 1994, 2003),
        ("in the late 90s and early 00s will", "late 90s and early 00s", 1997, 2003),
        ("from March 1998 to June 1999", "from March 1998 to June 1999", 1998, 1999),
        ("It started in 1998.", "1998", 1998, 1998),
        ("around 2004 under Labour", "2004", 2004, 2004),
        ("in the summer of 1998", "summer of 1998", 1998, 1998),
        ("around Christmas 2001", "Christmas 2001", 2001, 2001),
    ],
)
def test_periods(text: str, span: str, start: int, end: int) -> None:
    found = typed(text, MentionType.PERIOD)
    assert [(m.text, m.attributes["start"], m.attributes["end"]) for m in found] == [(span, start, end)]


def test_listed_years_each_count() -> None:
    found = typed("information passed to them in 2004 and 2006 about", MentionType.PERIOD)
    assert [m.text for m in found] == ["2004", "2006"]


@pytest.mark.parametrize(
    "text",
    [
        "at least 1,400 children",
        "1998 officers were trained",
        "a woman in her 60s",
        "doing 60s on the bypass",
        "Room 2004 was empty.",
    ],
)
def test_not_periods(text: str) -> None:
    assert typed(text, MentionType.PERIOD) == []


@pytest.mark.parametrize(
    ("text", "span", "years"),
    [
        ("raped at age 12 by an officer", "age 12", 12),
        ("first targeted aged 11 – two of them police officers", "aged 11", 11),
        ("from the age of 12 by a serving officer", "age of 12", 12),
        ("some were as young as 11, according to", "as young as 11", 11),
        ("some of whom were young as 11", "young as 11", 11),
        ("a 14-year-old girl", "14-year-old", 14),
        ("she was 14 years old", "14 years old", 14),
        ("a fourteen-year-old girl", "fourteen-year-old", 14),
        ("aged eleven at the time", "aged eleven", 11),
        ("I was 14 when it started.", "14", 14),
        ("I was only 13.", "13", 13),
        ("I think he was about 45 at the time.", "45", 45),
    ],
)
def test_ages(text: str, span: str, years: int) -> None:
    found = typed(text, MentionType.AGE)
    assert [(m.text, m.attributes["years"]) for m in found] == [(span, years)]


@pytest.mark.parametrize(
    ("text", "span", "low", "high"),
    [
        ("a man in his thirties", "in his thirties", 30, 39),
        ("a woman in her late 30s", "in her late 30s", 37, 39),
        ("girls in their teens at the time", "in their teens", 13, 19),
        ("aged between 11 and 15", "aged between 11 and 15", 11, 15),
    ],
)
def test_age_ranges(text: str, span: str, low: int, high: int) -> None:
    found = typed(text, MentionType.AGE)
    assert [(m.text, m.attributes["min"], m.attributes["max"]) for m in found] == [(span, low, high)]


@pytest.mark.parametrize(
    "text",
    ["I was 5 minutes late.", "he was 6 foot tall", "I was 18 months into it", "the Stone Age", "it was 14.5 miles"],
)
def test_not_ages(text: str) -> None:
    assert typed(text, MentionType.AGE) == []
