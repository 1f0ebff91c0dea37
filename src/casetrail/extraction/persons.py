"""People named with a title or a role, and police-intelligence style names.

The small spaCy model misses or clips names the text makes obvious: "Dr Alan Billings" (clipped to
"Alan Billings"), "whistleblowers Jayne Senior and Angie Heal" ("Jayne" only), "Mayor Oliver Coppard".
These rules record PERSON mentions for
  * an honorific + name: "Professor Alexis Jay", "Prof Jay", "Dr Alan Billings", "Mrs Hartley",
    "Cllr Smith", "Sir Mark Rowley" -> {"title", "name"} (span includes the title);
  * a role noun from data/roles.txt + a two- or three-word name: "solicitor David Greenwood",
    "whistleblowers Jayne Senior and Angie Heal", "fellow blogger, Richard Miller" -> {"role", "name"}
    (span is the name only);
  * names written as police intelligence writes them: "HARTLEY, Darren", "Darren HARTLEY" -> {"name"};
  * every other use, in the same document, of a two- or three-word name found above -> {"name", "learned"}.
Police ranks are the police extractor's: "PC Hassan Ali" is an OFFICER, never a PERSON here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from casetrail.extraction.extractor import build_mention
from casetrail.extraction.lexicon import read_sections, split_mapping
from casetrail.extraction.names import FULL_NAME, NAME, NAME_WORD
from casetrail.extraction.organisations import BODIES
from casetrail.model import Mention, MentionType

CONFIDENCE_TITLED = 0.85
CONFIDENCE_ROLE = 0.8
CONFIDENCE_UPPER = 0.7
CONFIDENCE_REPEAT = 0.75

TITLES: dict[str, str] = {
    "Mr": "Mr", "Mrs": "Mrs", "Ms": "Ms", "Miss": "Miss", "Mx": "Mx", "Dr": "Dr", "Doctor": "Dr",
    "Prof": "Prof", "Professor": "Prof", "Sir": "Sir", "Dame": "Dame", "Lord": "Lord", "Lady": "Lady",
    "Baroness": "Baroness", "Baron": "Baron", "Cllr": "Cllr", "Councillor": "Cllr", "Rev": "Rev", "Revd": "Rev",
    "Reverend": "Rev", "Father": "Fr", "Fr": "Fr", "Judge": "Judge", "Mayor": "Mayor", "Coroner": "Coroner",
}
_TITLE = "|".join(sorted(TITLES, key=len, reverse=True))
_TITLED = re.compile(rf"(?<![\w'’-])(?P<title>{_TITLE})\.?[ \t]+(?P<name>{NAME})")

# Roles that introduce a name by apposition. Generic nouns ("man", "girl") are left out: "man United".
_APPOSITION_CATEGORIES = ("police", "professional")
_EXTRA_APPOSITION = ("victim", "survivor", "witness", "complainant", "suspect", "whistleblower", "campaigner",
                     "activist", "MP", "chairman", "chair", "chief executive", "director", "leader", "secretary")


# "Constable Hassan Ali" is an OFFICER: rank words belong to the police extractor.
_RANK_WORDS = frozenset({"constable", "sergeant", "inspector", "superintendent", "detective", "commander",
                         "commissioner", "pcso"})


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
_ORG_AFTER = re.compile(r"[ \t]+(?:Police|Constabulary|Council|Agency|Commission|Service|Services|Office|Trust|"
                        r"Authority|Inspectorate|Solicitors|Department|Unit|Team|Squad|Court|News|Party|Ltd|Limited)\b")

_ABBREVIATIONS = frozenset({b.abbreviation for b in BODIES if b.abbreviation}) | {
    "PC", "WPC", "DC", "DS", "DI", "DCI", "ACC", "DCC", "PCSO", "MP", "CSE", "CCTV", "BBC", "ITV", "NHS", "DOB",
    "UK", "USA", "GB", "OK", "DEI", "LATEST", "REVEALED", "NEW", "NEWS", "UPDATE", "BREAKING", "EXCLUSIVE"}
_UPPER_SURNAME = r"(?P<surname>[A-Z]{2,}(?:[-'’][A-Z]{2,})?)"
_SURNAME_FIRST = re.compile(rf"(?<![\w'’-]){_UPPER_SURNAME},[ \t]+(?P<given>{NAME_WORD})")
_GIVEN_FIRST = re.compile(rf"(?<![\w'’-])(?P<given>{NAME_WORD})[ \t]+{_UPPER_SURNAME}(?![\w'’-])")


class PersonExtractor:
    """PERSON mentions from titles, role appositions and upper-case surnames."""

    name = "persons"
    version = "1.0.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        out: list[Mention] = []
        for m in _TITLED.finditer(text):
            title = TITLES[m.group("title")]
            if _ORG_AFTER.match(text, m.end()):
                continue
            out.append(build_mention(self.id, document_id, text, m.start(), m.end(), MentionType.PERSON,
                                     CONFIDENCE_TITLED, {"title": title, "name": m.group("name")}))
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
                out.append(build_mention(self.id, document_id, text, m.start(group), end, MentionType.PERSON,
                                         CONFIDENCE_ROLE, {"role": role, "name": m.group(group)}))
        for pattern in (_SURNAME_FIRST, _GIVEN_FIRST):
            for m in pattern.finditer(text):
                surname = m.group("surname")
                if surname in _ABBREVIATIONS or not re.search("[AEIOUY]", surname):
                    continue
                name = f"{m.group('given')} {surname.capitalize()}"
                out.append(build_mention(self.id, document_id, text, m.start(), m.end(), MentionType.PERSON,
                                         CONFIDENCE_UPPER, {"name": name, "surname_upper": surname}))
        out = _without_overlaps(out)
        return _without_overlaps(out + self._repeats(document_id, text, out))

    def _repeats(self, document_id: str, text: str, found: list[Mention]) -> list[Mention]:
        """Other uses of a full name already established here ("– Jayne Senior." after "whistleblower Jayne Senior")."""
        names = tuple(sorted({m.attributes["name"] for m in found
                              if len(m.attributes.get("name", "").split()) >= 2 and "surname_upper" not in m.attributes}))
        if not names:
            return []
        return [build_mention(self.id, document_id, text, m.start(), m.end(), MentionType.PERSON, CONFIDENCE_REPEAT,
                              {"name": m.group(), "learned": True})
                for m in _repeat_pattern(names).finditer(text)]


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
