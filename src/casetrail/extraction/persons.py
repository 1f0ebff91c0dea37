"""People named with a title or a role, and police-intelligence style names.

The small spaCy model misses or clips names the text makes obvious: "Dr Alan Billings" (clipped to
"Alan Billings"), "whistleblowers Jayne Senior and Angie Heal" ("Jayne" only), "Mayor Oliver Coppard".
These rules record PERSON mentions for
  * an honorific + name: "Professor Alexis Jay", "Prof Jay", "Dr Alan Billings", "Mrs Hartley",
    "Cllr Smith", "Sir Mark Rowley" -> {"title", "name"} (span includes the title);
  * a role noun from data/roles.txt + a two- or three-word name: "solicitor David Greenwood",
    "whistleblowers Jayne Senior and Angie Heal", "fellow blogger, Richard Miller" -> {"role", "name"}
    (span is the name only);
  * names written as police intelligence writes them: "HARTLEY, Darren", "Darren HARTLEY" -> {"name"}
    (not "Vehicle ENY 281N": an upper-case word before a number is a registration or a code);
  * initials and a surname: "D. Hartley", "J.R. Platt" -> {"name", "initials"} (not dotted country
    abbreviations, "U.S. Army", nor a code's letter ending a sentence, "Child A. Hartley said");
  * a given name from data/given_names.txt and one or two more name words: "Piotr Platt", "Ngozi
    Wood" -> {"name", "given_name"}; not when a word of it ends places or bodies ("Victoria Park",
    "Albert Hall", "Stanley Motors"), a body word follows ("Ross Parry Agency"), or a determiner or
    another capitalised word comes before it ("a Ted Baker jacket"; "Det Supt Pete Quinn" is the
    police extractor's, "Mayor Oliver Coppard" the title rule's);
  * every other use, in the same document, of a two- or three-word name found above -> {"name", "learned"}.
  * an elected or statutory office before a name: "Police and Crime Commissioner Dr Alan Billings",
    "PCC Donna Jeffers", "Children's Commissioner Ruth Ellery" -> {"role", "name", "title"?};
Surnames in capitals take up to three name words before them ("Nicholas John DAVISON", "Karl O'NEILL"),
and later bare uses of such a surname ("DAVISON denied it") are PERSON too. Names inside a photo
credit ("Photograph: Kieran Holt/PA") are not recorded (see credits.py).
Police ranks are the police extractor's: "PC Hassan Ali" is an OFFICER, never a PERSON here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from casetrail.extraction.credits import Credits
from casetrail.extraction.extractor import build_mention
from casetrail.extraction.lexicon import read_sections, split_mapping
from casetrail.extraction.names import (
    FULL_NAME,
    GIVEN_NAMES,
    NAME,
    NAME_WORD,
    PLACE_AND_BUSINESS_WORDS,
    SENTENCE_OPENERS,
    STOP_CAPITALS,
    UPPER_SURNAME,
    name_from_upper,
    upper_surname_ok,
)
from casetrail.extraction.organisations import BODIES, BODY_WORDS
from casetrail.extraction.police import civil_office_before
from casetrail.model import Mention, MentionType

CONFIDENCE_TITLED = 0.85
CONFIDENCE_ROLE = 0.8
CONFIDENCE_UPPER = 0.7
CONFIDENCE_REPEAT = 0.75
CONFIDENCE_INITIALS = 0.7
CONFIDENCE_GIVEN = 0.7

TITLES: dict[str, str] = {
    "Mr": "Mr",
    "Mrs": "Mrs",
    "Ms": "Ms",
    "Miss": "Miss",
    "Mx": "Mx",
    "Dr": "Dr",
    "Doctor": "Dr",
    "Prof": "Prof",
    "Professor": "Prof",
    "Sir": "Sir",
    "Dame": "Dame",
    "Lord": "Lord",
    "Lady": "Lady",
    "Baroness": "Baroness",
    "Baron": "Baron",
    "Cllr": "Cllr",
    "Councillor": "Cllr",
    "Rev": "Rev",
    "Revd": "Rev",
    "Reverend": "Rev",
    "Father": "Fr",
    "Fr": "Fr",
    "Judge": "Judge",
    "Mayor": "Mayor",
    "Coroner": "Coroner",
}
_TITLE = "|".join(sorted(TITLES, key=len, reverse=True))
_TITLED = re.compile(rf"(?<![\w'’-])(?P<title>{_TITLE})\.?[ \t]+(?P<name>{NAME})")

# Roles that introduce a name by apposition. Generic nouns ("man", "girl") are left out: "man United".
_APPOSITION_CATEGORIES = ("police", "professional")
_EXTRA_APPOSITION = (
    "victim",
    "survivor",
    "witness",
    "complainant",
    "suspect",
    "whistleblower",
    "campaigner",
    "activist",
    "MP",
    "chairman",
    "chair",
    "chief executive",
    "director",
    "leader",
    "secretary",
)


# "Constable Hassan Ali" is an OFFICER: rank words belong to the police extractor.
_RANK_WORDS = frozenset(
    {"constable", "sergeant", "inspector", "superintendent", "detective", "commander", "commissioner", "pcso"}
)


def _role_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for category, lines in read_sections("roles.txt").items():
        if category not in _APPOSITION_CATEGORIES:
            continue
        for line in lines:
            canonical, written = split_mapping(line)
            for form in written:
                if not _RANK_WORDS.intersection(form.lower().split()):
                    forms[form] = canonical
    for word in _EXTRA_APPOSITION:
        forms.setdefault(word, word.lower())
    plurals = {f + "s": c for f, c in forms.items() if not f.endswith("s")}
    return {**forms, **plurals}


_ROLE_FORMS = _role_forms()


def _either_case(word: str) -> str:
    return f"[{word[0].lower()}{word[0].upper()}]{re.escape(word[1:])}".replace(r"\ ", r"[ \t]+")


_ROLE = "|".join(_either_case(w) for w in sorted(_ROLE_FORMS, key=len, reverse=True))
_APPOSITION = re.compile(
    rf"(?<![\w'’-])(?P<role>{_ROLE})(?P<comma>,?)[ \t]+(?P<name>{FULL_NAME})"
    rf"(?:[ \t]+and[ \t]+(?P<second>{FULL_NAME}))?"
)
_ORG_AFTER = re.compile(
    r"[ \t]+(?:Police|Constabulary|Council|Agency|Commission|Service|Services|Office|Trust|"
    r"Authority|Inspectorate|Solicitors|Department|Unit|Team|Squad|Court|News|Party|Ltd|Limited)\b"
)

_NOT_NAME_AFTER = re.compile(r"[ \t]+(?:" + "|".join(sorted(PLACE_AND_BUSINESS_WORDS | BODY_WORDS)) + r")(?![\w'’-])")
_ABBREVIATIONS = frozenset({b.abbreviation for b in BODIES if b.abbreviation}) | {
    "PC",
    "WPC",
    "DC",
    "DS",
    "DI",
    "DCI",
    "ACC",
    "DCC",
    "PCSO",
    "MP",
    "CSE",
    "CCTV",
    "BBC",
    "ITV",
    "NHS",
    "DOB",
    "UK",
    "USA",
    "GB",
    "OK",
    "DEI",
    "LATEST",
    "REVEALED",
    "NEW",
    "NEWS",
    "UPDATE",
    "BREAKING",
    "EXCLUSIVE",
}
_UPPER_SURNAME = rf"(?P<surname>{UPPER_SURNAME})"
# "DAVISON, Nicholas John"; "Nicholas John DAVISON", "Karl O'NEILL" (not "Vehicle ENY 281N")
_SURNAME_FIRST = re.compile(rf"{_UPPER_SURNAME},[ \t]+(?P<given>{NAME_WORD}(?:[ \t]+{NAME_WORD})?)")
_GIVEN_FIRST = re.compile(
    rf"(?<![\w'’-])(?P<given>{NAME_WORD}(?:[ \t]+{NAME_WORD}){{0,2}})[ \t]+{_UPPER_SURNAME}"
    rf"(?![ \t]+[A-Z]*\d)"
)
# An elected or statutory office before a name: "Police and Crime Commissioner Dr Alan Billings",
# "PCC Donna Jeffers", "Children's Commissioner Ruth Ellery". Not police ranks (issue 13).
_OFFICE = re.compile(
    rf"(?<![\w'’-])(?P<office>(?i:police[ \t]+(?:and|&)[ \t]+crime[ \t]+commissioner)|PCC|"
    rf"[A-Z][\w'’]*[ \t]+Commissioner)(?:[ \t]*,)?[ \t]+(?:(?P<title>{_TITLE})\.?[ \t]+)?(?P<name>{FULL_NAME})"
)
_INITIALLED = re.compile(rf"(?<![\w.'’-])(?P<initials>(?:[A-Z]\.[ \t]?){{1,3}})(?P<surname>{NAME_WORD})")
_NOT_INITIALS = frozenset({"U.S.", "U.K.", "U.N.", "E.U.", "U.S.A.", "G.B.", "N.B.", "P.S.", "A.M.", "P.M."})
_CAPITALISED_WORD = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]+(?![\w'’-])")
_FULL_NAME_AT = re.compile(FULL_NAME)
_NOT_NAME_ENDINGS = PLACE_AND_BUSINESS_WORDS | BODY_WORDS
_BEFORE_GIVEN = re.compile(r"(?:(?<![\w'’-])(?i:a|an|the)|[A-Z][\w.'’/-]*)[ \t]+$")
# Abbreviations written with a full stop before a name: "Det. Supt. Pete Quinn" is not a sentence end.
_DOTTED = frozenset(
    {
        "Det",
        "Supt",
        "Sgt",
        "Insp",
        "Ch",
        "Con",
        "Const",
        "Asst",
        "Cdr",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "Rev",
        "Revd",
        "Fr",
        "St",
        "Cllr",
        "Capt",
        "Col",
        "Lt",
        "Gen",
        "Maj",
        "Sr",
        "Jr",
        "No",
    }
)
_CODE_WORD_BEFORE = re.compile(
    r"(?:Child|Girl|Boy|Victim|Witness|Person|Complainant|Survivor|Officer|Plan|Grade|"
    r"Category|Class|Type|Section|Appendix|Exhibit|Year)[ \t]+$"
)


class PersonExtractor:
    """PERSON mentions from titles, role appositions and upper-case surnames."""

    name = "persons"
    version = "1.2.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        out: list[Mention] = self._offices(document_id, text)  # first: they win ties with the title rule
        for m in _TITLED.finditer(text):
            title = TITLES[m.group("title")]
            if _ORG_AFTER.match(text, m.end()):
                continue
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    m.start(),
                    m.end(),
                    MentionType.PERSON,
                    CONFIDENCE_TITLED,
                    {"title": title, "name": m.group("name")},
                )
            )
        for m in _APPOSITION.finditer(text):
            role_written = " ".join(m.group("role").split())
            role = _ROLE_FORMS.get(role_written) or _ROLE_FORMS.get(role_written[0].lower() + role_written[1:])
            if role is None:
                continue
            plural = role_written.endswith("s") and role_written[:-1].lower() in {f.lower() for f in _ROLE_FORMS}
            if m.group("comma") and plural:
                continue  # "officers, South Yorkshire Police said": a list, not an apposition
            names = ["name", "second"] if m.group("second") and plural else ["name"]
            for group in names:
                end = m.end(group)
                if _ORG_AFTER.match(text, end):
                    continue
                out.append(
                    build_mention(
                        self.id,
                        document_id,
                        text,
                        m.start(group),
                        end,
                        MentionType.PERSON,
                        CONFIDENCE_ROLE,
                        {"role": role, "name": m.group(group)},
                    )
                )
        out.extend(self._upper_surnamed(document_id, text))
        for m in _INITIALLED.finditer(text):
            initials = "".join(m.group("initials").split())
            if initials in _NOT_INITIALS or _CODE_WORD_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                continue
            if _ORG_AFTER.match(text, m.end()):
                continue
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    m.start(),
                    m.end(),
                    MentionType.PERSON,
                    CONFIDENCE_INITIALS,
                    {"name": " ".join(m.group().split()), "initials": initials},
                )
            )
        out.extend(self._given_named(document_id, text))
        out = _without_overlaps(out)
        out = _without_overlaps(
            out + self._repeats(document_id, text, out) + self._upper_repeats(document_id, text, out)
        )
        credits = Credits(text)
        return [m for m in out if not credits.covers(m.start, m.end)]

    def _offices(self, document_id: str, text: str) -> list[Mention]:
        """People named with an elected or statutory office: {"role", "name", "title"?}."""
        out: list[Mention] = []
        for m in _OFFICE.finditer(text):
            office = " ".join(m.group("office").split())
            if office == "PCC" or office.lower().startswith("police"):
                role = "police and crime commissioner"
            elif civil_office_before(text, m.end("office") - len("Commissioner")):
                role = office.lower()
            else:
                continue  # "Met Commissioner Sir Roland Vance": a police rank
            start = m.start("title") if m.group("title") else m.start("name")
            attributes = {"role": role, "name": m.group("name")}
            if m.group("title"):
                attributes["title"] = TITLES[m.group("title")]
            out.append(
                build_mention(
                    self.id, document_id, text, start, m.end(), MentionType.PERSON, CONFIDENCE_TITLED, attributes
                )
            )
        return out

    def _upper_surnamed(self, document_id: str, text: str) -> list[Mention]:
        """ "Nicholas John DAVISON", "DAVISON, Nicholas": {"name": in name case, "surname_upper"}."""
        out: list[Mention] = []
        for pattern in (_SURNAME_FIRST, _GIVEN_FIRST):
            for m in pattern.finditer(text):
                surname = m.group("surname")
                if surname in _ABBREVIATIONS or not upper_surname_ok(surname):
                    continue
                start = m.start()
                given_words = m.group("given").split()
                if pattern is _GIVEN_FIRST:
                    while (
                        len(given_words) > 1
                        and given_words[0] not in GIVEN_NAMES
                        and (given_words[0] in SENTENCE_OPENERS or given_words[0].lower() in _ROLE_FORMS)
                    ):
                        start = text.index(given_words[1], start + len(given_words[0]))  # "Defendant Nicholas ..."
                        given_words = given_words[1:]
                name = name_from_upper(f"{' '.join(given_words)} {surname}")
                out.append(
                    build_mention(
                        self.id,
                        document_id,
                        text,
                        start,
                        m.end(),
                        MentionType.PERSON,
                        CONFIDENCE_UPPER,
                        {"name": name, "surname_upper": surname},
                    )
                )
        return out

    def _upper_repeats(self, document_id: str, text: str, found: list[Mention]) -> list[Mention]:
        """Later uses of a surname first written in capitals with a given name: "DAVISON denied it"."""
        surnames = {
            str(m.attributes["surname_upper"]): str(m.attributes["name"])
            for m in found
            if m.attributes.get("surname_upper")
        }
        if not surnames:
            return []
        return [
            build_mention(
                self.id,
                document_id,
                text,
                m.start(),
                m.end(),
                MentionType.PERSON,
                CONFIDENCE_REPEAT,
                {
                    "name": str(surnames[m.group()]).split()[-1],
                    "learned_from": surnames[m.group()],
                    "learned": True,
                    "surname_upper": m.group(),
                },
            )
            for m in _repeat_pattern(tuple(sorted(surnames))).finditer(text)
        ]

    def _given_named(self, document_id: str, text: str) -> list[Mention]:
        """ "Piotr Platt": a known given name and one or two more name words."""
        out: list[Mention] = []
        for word in _CAPITALISED_WORD.finditer(text):
            if word.group() not in GIVEN_NAMES:
                continue
            m = _FULL_NAME_AT.match(text, word.start())
            if m is None or any(w in _NOT_NAME_ENDINGS for w in m.group().split()[1:]):
                continue
            if _ORG_AFTER.match(text, m.end()) or _NOT_NAME_AFTER.match(text, m.end()):
                continue
            before = _BEFORE_GIVEN.search(text, max(0, m.start() - 30), m.start())
            if before:
                previous = before.group().split()[0]
                sentence_end = (
                    previous.endswith(".") and any(c.islower() for c in previous) and previous[:-1] not in _DOTTED
                )
                if previous not in STOP_CAPITALS and previous not in SENTENCE_OPENERS and not sentence_end:
                    continue
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    m.start(),
                    m.end(),
                    MentionType.PERSON,
                    CONFIDENCE_GIVEN,
                    {"name": " ".join(m.group().split()), "given_name": word.group()},
                )
            )
        return out

    def _repeats(self, document_id: str, text: str, found: list[Mention]) -> list[Mention]:
        """Other uses of a full name already established here ("– Jayne Senior." after "whistleblower Jayne Senior")."""
        names = tuple(
            sorted(
                {
                    m.attributes["name"]
                    for m in found
                    if len(m.attributes.get("name", "").split()) >= 2 and "surname_upper" not in m.attributes
                }
            )
        )
        if not names:
            return []
        return [
            build_mention(
                self.id,
                document_id,
                text,
                m.start(),
                m.end(),
                MentionType.PERSON,
                CONFIDENCE_REPEAT,
                {"name": m.group(), "learned": True},
            )
            for m in _repeat_pattern(names).finditer(text)
        ]


@lru_cache(maxsize=256)
def _repeat_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(n).replace(r"\ ", r"[ \t]+") for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{alternation})(?![\w-])")


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if all(m.end <= k.start or k.end <= m.start for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)
