"""Places: a packaged gazetteer (data/uk_places.txt) and street/venue name patterns.

The small spaCy model reads many English towns as people ("Rotherham" PERSON). A short editable
list fixes the places an inquiry keeps naming; since rules beat spaCy in `select`, a listed place is
never left as a PERSON. Patterns add what statements name most: streets ("Wharf Street", "Birks Lane",
"Cross Keys Yard") and venues ("Northmoor bus station", "the Greenhill flats", "the Crown Inn").
Street words that are also common surnames (Hill, Green, Wood, Mill, Bridge, Field), listed towns that
are also surnames ("Bolton!") and single unknown capitalised words count only after a locative
preposition ("at Copley Mill", "in Bolton", "came to Kettleby" -> no: "to" is too often "spoke to
Hartley"; "at Kettleby", "a flat above Kettleby", "known to frequent Kettleby", "officers attended
Kettleby" -> yes): "Benny Hill" and "Mark Bolton" stay people. After a verb of going ("went to
Kettleby", "took me back to Eastfield", "picked me up from Eastfield") a single word is a place too,
unless it is a given name or
the text also writes it after a name, initial or rank ("I went to Hartley" where "DS Hartley" appears). A street word that is a surname
counts after "to", "on", "above", "opposite" or "off" too ("stopped the car on Copley Mill"), but not
after a given name ("introduced me to Ngozi Wood" names a person).
Attributes: {"kind": "country" | "region" | "settlement" | "street" | "venue" | "locality",
"source": "list" | "pattern"}.
"""

from __future__ import annotations

import re

from casetrail.extraction.extractor import build_mention
from casetrail.extraction.lexicon import read_sections
from casetrail.extraction.names import GIVEN_NAMES, STOP_CAPITALS
from casetrail.model import Mention, MentionType

CONFIDENCE_LIST = 0.85
CONFIDENCE_STREET = 0.8
CONFIDENCE_VENUE = 0.7
CONFIDENCE_LOCATIVE = 0.55

_GAZETTEER: dict[str, str] = {
    name.rstrip("!"): kind for kind, names in read_sections("uk_places.txt").items() for name in names
}
# listed names that are also surnames ("Bolton!"): places only after a locative preposition
_SURNAME_LIKE = frozenset(
    name.rstrip("!") for names in read_sections("uk_places.txt").values() for name in names if name.endswith("!")
)
_LOCATIVE = r"(?:in|at|from|near|outside|around|across|towards|into|behind|past)"
_LOCATIVE_BEFORE = re.compile(rf"\b(?i:{_LOCATIVE})[ \t]+$")
_LISTED = re.compile(
    r"(?<![\w'’-])(?:"
    + "|".join(re.escape(n).replace(r"\ ", r"[ \t]+") for n in sorted(_GAZETTEER, key=len, reverse=True))
    + r")(?!-?\w)"
)

_CAPWORD = r"(?:[A-Z][a-z]+(?:-[A-Za-z][a-z]*)*|St\.?)"
_NOT_FIRST = r"(?!(?:The|A|An|In|On|At|To|From|By|Of|And|Or|But|When|Then|He|She|They|We|I|It|This|That|His|Her)\b)"
_STREET_WORDS = (
    "Street|Road|Lane|Avenue|Close|Way|Drive|Crescent|Terrace|Place|Square|Grove|Gardens|Row|Walk|"
    "Park|Estate|Common|Yard|Fold|Vale|Parade|Precinct|Mews|Rise|View|Croft|Moor"
)
_STREET = re.compile(
    rf"(?<![\w'’-]){_NOT_FIRST}(?P<name>{_CAPWORD}(?:[ \t]+{_CAPWORD}){{0,2}}[ \t]+(?:{_STREET_WORDS}))(?!-?\w)"
)
# Street words that are also surnames ("Benny Hill"), and single unknown place names ("Kettleby"),
# count only after a locative preposition: "at Copley Mill", "to Slade Hill", "came to Kettleby".
_SURNAME_STREET = re.compile(
    rf"\b(?i:{_LOCATIVE}|to|on|above|below|opposite|off|frequents?|frequented|attended)[ \t]+(?:the[ \t]+)?{_NOT_FIRST}"
    rf"(?P<name>{_CAPWORD}(?:[ \t]+{_CAPWORD}){{0,2}}[ \t]+"
    r"(?:Hill|Mill|Green|Bridge|Wood|Field|Fields|Top|End|Bottom|Heights|Side|Bank|Brow))(?!-?\w)(?!['’]s\b)"
)
_LOCATIVE_WORD = re.compile(
    rf"\b(?i:in|at|near|outside|around|behind|above|below|beyond|opposite|frequents?|frequented|attended)[ \t]+{_NOT_FIRST}(?P<name>[A-Z][a-z]{{3,}})(?![\w'’-])"
    rf"(?![ \t]+[A-Z])(?![ \t]*\()"
)
# "went to Kettleby", "took me back to Eastfield": where someone goes is a place.
_MOTION_TO = re.compile(
    r"\b(?:(?i:went|go|goes|going|came|come|comes|coming|moved|drove|driven|walked|ran|travelled|returned|headed|"
    r"took|taken|brought)(?:[ \t]+[a-z]+){0,3}?[ \t]+to"
    r"|(?i:picked|collected|fetched)[ \t]+(?i:me|us|her|him|them)[ \t]+up[ \t]+from)[ \t]+"
    rf"{_NOT_FIRST}(?P<name>[A-Z][a-z]{{3,}})(?![\w'’-])(?![ \t]+[A-Z])(?![ \t]*\()"
)
_NOT_PLACES = frozenset(
    {
        "Christmas",
        "Easter",
        "Halloween",
        "Ramadan",
        "Eid",
        "Diwali",
        "Parliament",
        "Court",
        "Custody",
        "Care",
        "Total",
        "Fact",
        "Time",
        "Public",
        "Private",
        "General",
        "Particular",
        "Summer",
        "Winter",
        "Spring",
        "Autumn",
        "Mass",
        "Church",
        "Chapel",
        "Mosque",
        "Temple",
        "Synagogue",
        "Gurdwara",
        "School",
        "College",
        "University",
        "Work",
        "Hospital",
        "Prison",
        "Bed",
    }
)
_VENUE = re.compile(
    rf"(?<![\w'’-]){_NOT_FIRST}(?P<name>{_CAPWORD}(?:[ \t]+{_CAPWORD}){{0,2}}[ \t]+(?:"
    r"Inn|Arms|Tavern|Hotel|pub|bus[ \t]+station|train[ \t]+station|railway[ \t]+station|police[ \t]+station|"
    r"shopping[ \t]+(?:centre|precinct)|snooker[ \t]+hall|youth[ \t]+club|car[ \t]+park|estate|flats|takeaway|"
    r"market|taxi[ \t]+rank|children['’]s[ \t]+home|care[ \t]+home|leisure[ \t]+centre|retail[ \t]+park))(?!-?\w)"
)


class PlaceExtractor:
    """PLACE mentions from the gazetteer and street/venue patterns."""

    name = "places"
    version = "1.1.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        found: list[tuple[int, int, float, dict[str, str]]] = []
        for m in _STREET.finditer(text):
            found.append((m.start("name"), m.end("name"), CONFIDENCE_STREET, {"kind": "street", "source": "pattern"}))
        for m in _VENUE.finditer(text):
            found.append((m.start("name"), m.end("name"), CONFIDENCE_VENUE, {"kind": "venue", "source": "pattern"}))
        for m in _SURNAME_STREET.finditer(text):
            if m.group("name").split()[0] in GIVEN_NAMES:
                continue  # "introduced me to Ngozi Wood": a person
            found.append(
                (m.start("name"), m.end("name"), CONFIDENCE_STREET - 0.1, {"kind": "street", "source": "pattern"})
            )
        for m in _LOCATIVE_WORD.finditer(text):
            if m.group("name") not in STOP_CAPITALS and m.group("name") not in _NOT_PLACES:
                found.append(
                    (m.start("name"), m.end("name"), CONFIDENCE_LOCATIVE, {"kind": "locality", "source": "pattern"})
                )
        for m in _MOTION_TO.finditer(text):
            name = m.group("name")
            if name in STOP_CAPITALS or name in _NOT_PLACES or name in GIVEN_NAMES or _named_person(text, name):
                continue
            found.append(
                (m.start("name"), m.end("name"), CONFIDENCE_LOCATIVE, {"kind": "locality", "source": "pattern"})
            )
        for m in _LISTED.finditer(text):
            name = " ".join(m.group().split())
            if name in _SURNAME_LIKE and not _LOCATIVE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                continue
            found.append(
                (m.start(), m.end(), CONFIDENCE_LIST, {"kind": _GAZETTEER.get(name, "settlement"), "source": "list"})
            )
        kept: list[tuple[int, int, float, dict[str, str]]] = []
        for f in sorted(found, key=lambda f: (-(f[1] - f[0]), -f[2], f[0])):
            if all(f[1] <= k[0] or k[1] <= f[0] for k in kept):
                kept.append(f)
        kept.sort()
        return [build_mention(self.id, document_id, text, s, e, MentionType.PLACE, c, a) for s, e, c, a in kept]


def _named_person(text: str, word: str) -> bool:
    """True when the text puts a name, an initial or a rank before `word` ("Dean Hartley", "D. Hartley", "PC Hartley")."""
    for m in re.finditer(rf"(?<![\w'’-])(?P<before>[A-Z][\w'’.-]*)[ \t]+{re.escape(word)}(?![\w-])", text):
        if m.group("before") not in STOP_CAPITALS:
            return True
    return False
