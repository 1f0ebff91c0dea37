"""Regex building blocks for written personal names, shared by the rule extractors.

A name word is capitalised and may carry an apostrophe or Mc/Mac prefix and hyphenated parts:
"O'Neill", "McDonald", "Smith-Jones", "D'Arcy". Capitalised function words that open sentences
("The", "When", "He") and months are never name words, so "PC Smith In 1998" stops at "Smith".
Names never cross a line break: tokens are joined by spaces or tabs only.
"""

from __future__ import annotations

from casetrail.extraction.lexicon import read_lines

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


def _given_names() -> tuple[frozenset[str], frozenset[str]]:
    names: set[str] = set()
    ambiguous: set[str] = set()
    for line in read_lines("given_names.txt"):
        for word in line.split():
            if word.endswith("!"):
                ambiguous.add(word[:-1])
            names.add(word.rstrip("!"))
    return frozenset(names - STOP_CAPITALS), frozenset(ambiguous)


# Given names from data/given_names.txt, and those of them that are also everyday words or places
# ("Rose", "Grant", "Victoria"): a person on their own only when the document says so.
GIVEN_NAMES, AMBIGUOUS_GIVEN_NAMES = _given_names()

# Capitalised words that end the name of a place, venue, business or publication rather than a
# person ("Victoria Park", "Albert Hall", "Stanley Motors"); bodies' own words are in
# organisations.BODY_WORDS. Several are surnames too (Hill, Wood, Hall): a phrase ending in one is
# left to the place and body rules.
PLACE_AND_BUSINESS_WORDS: frozenset[str] = frozenset(
    """
    Street Road Lane Avenue Close Way Drive Crescent Terrace Place Square Grove Gardens Row Walk Park Estate
    Common Yard Fold Vale Parade Precinct Mews Rise View Croft Moor Hill Mill Green Bridge Wood Field Fields
    Top End Bottom Heights Side Bank Brow Brook Dale Dene Station Hospital School Academy College University
    Church Chapel Mosque Temple Centre Center Hotel Inn Arms Tavern Club House Hall Farm Heath Market Shop
    Stores Motors Garage Taxis Cars Bar Cafe Café Restaurant Takeaway Ltd Limited PLC Group Holdings Airport
    Stadium Dock Docks Wharf Quay Marina Pier Lodge Manor Tower Towers Flats Home Homes News FM Radio Times
    Post Echo Star Herald Gazette Mail Express Telegraph Guardian Mirror Press United City Rovers Town
    Show Festival Fair Cup League Awards Trophy Appeal Fund Charity Aid Night Valley Forest Woods Lake River
    Beach Island Castle Abbey Cathedral Palace Gate Junction Circus Retail Industrial Business
    """.split()
)

# Capitalised words that open sentences without being names or part of one: "Later Hartley rang",
# "Once Bell drove". (Not in STOP_CAPITALS, which shapes every name pattern.)
SENTENCE_OPENERS: frozenset[str] = frozenset(
    """Later Once Soon Afterwards Afterward Eventually Sometimes Often Usually Finally Recently Previously Meanwhile
    However Instead Still Again Anyway Apparently Unfortunately Luckily Yes Nobody Everyone Everybody Someone
    Somebody Only Even Just Maybe Perhaps Suddenly Initially Next Now Twice Another Both""".split()
)

# A surname written in capitals, as court lists and police logs write it: "DAVISON", "O'NEILL",
# "McDONAGH", "SMITH-JONES". It needs a vowel ("CCTV" is no name); callers drop abbreviations.
UPPER_SURNAME = r"(?<![\w'’-])(?=(?:Ma?c)?[A-Z'’-]*[AEIOUY])(?:[A-Z]['’]|Ma?c)?[A-Z]{2,}(?:-[A-Z]{2,})?(?![\w'’-])"

# One to three name words and a surname in capitals: "Nicholas John DAVISON", "Karl O'NEILL".
NAME_UPPER = rf"{NAME_WORD}(?:[ \t]+{NAME_WORD}){{0,2}}[ \t]+{UPPER_SURNAME}"

# Capitalised words that are never a surname in capitals: abbreviations of ranks, bodies, media and
# headline words. The person and police extractors add the bodies they know.
SHOUTED_NOT_NAMES: frozenset[str] = frozenset(
    """PC WPC DC DS DI DCI ACC DCC PCSO MP MPS CSE CCTV BBC ITV NHS DOB UK USA GB OK DEI LATEST REVEALED NEW NEWS
    UPDATE BREAKING EXCLUSIVE CROWN COURT POLICE COUNCIL HIGH LIVE WATCH READ MORE VIDEO AUDIO PICTURED UPDATED
    QC KC OBE MBE CBE JP""".split()
)


def upper_surname_ok(word: str) -> bool:
    """Whether a word in capitals may be a surname (not an abbreviation or a headline word)."""
    return word not in SHOUTED_NOT_NAMES and len(word.replace("'", "").replace("’", "")) >= 3


def name_from_upper(written: str) -> str:
    """ "Karl O'NEILL" -> "Karl O'Neill", "Sean McDONAGH" -> "Sean McDonagh": the surname in name case."""
    words = written.split()
    return " ".join(words[:-1] + [_name_case(words[-1])])


def _name_case(word: str) -> str:
    if not any(c.isupper() for c in word[3:]):
        return word  # already in name case
    out = []
    for part in word.split("-"):
        if part.startswith(("Mc", "MC")):
            out.append("Mc" + part[2:].capitalize())
        elif part.startswith(("Mac", "MAC")) and len(part) > 5:
            out.append("Mac" + part[3:].capitalize())
        elif len(part) > 2 and part[1] in "'’":
            out.append(part[0] + part[1] + part[2:].capitalize())
        else:
            out.append(part.capitalize())
    return "-".join(out)
