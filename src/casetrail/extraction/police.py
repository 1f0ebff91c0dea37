"""Police officers named with a rank and/or collar number, and collar/warrant numbers.

"PC Hassan Ali", "Det. Supt. Pete Quinn", "P.C. J. Smith", "PC 1234 Smith", "PC Smith 1234",
"A/Sgt O'Neill" become OFFICER mentions with attributes
{"rank": canonical rank, "name": name or None, "collar_number": digits or None, "rank_text": as written}.
Numbers given with a cue ("collar number 4521", "warrant no. 12345", "his number was 4521") become
COLLAR_NUMBER mentions spanning the number only, and are attached to an officer named just before
("PC Smith, collar number 4521"). Later uses of an officer's name without the rank ("Hartley" after
"DS John Hartley") are PERSON mentions with {"name", "officer_name", "learned": True}.

Prose writes ranks in other places too (issue 13), and these are officers as well: after the name in
apposition ("Helen Marsh, assistant chief constable, said"; span: the name), before a comma ("Former
Detective, Carol Henshaw"), in the plural ("Detective Constables Neil Harper and Paul Riggs": one
officer each), with a knighthood between rank and name ("Chief Constable Sir Peter Halloran": name
"Peter Halloran"), and with the surname in capitals ("DS Peter HALE"). "Commissioner" after a word
that makes it an office ("Police and Crime Commissioner", "Children's Commissioner") is no rank: the
person extractor records that person with the office as role.

A capitalised full-word rank with no name ("those ranked Chief Superintendent and above", "the
Chief Constable said") is a DESCRIBED_PERSON: someone identifiable by role, not by name. Lower-case
ranks with no name ("a sergeant") are left to the descriptor extractor. Abbreviations with no name
("PC", "DC") say nothing on their own ("PC" is also a personal computer, "DC" a city) and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from casetrail.extraction.extractor import build_mention
from casetrail.extraction.names import (
    FULL_NAME,
    NAME,
    NAME_UPPER,
    STOP_CAPITALS,
    upper_surname_ok,
)
from casetrail.model import Mention, MentionType

# canonical rank -> written forms. Dotted forms ("P.C.", "Det. Supt.") and lower-case full words
# ("police constable") are derived when the regex is built; "Det"/"Detective" + a uniform rank
# is derived too (see _DETECTIVE).
RANKS: dict[str, tuple[str, ...]] = {
    "PC": ("PC", "Police Constable", "Constable"),
    "WPC": ("WPC", "Woman Police Constable", "W/PC"),
    "Sgt": ("Sgt", "Sergeant", "PS", "Police Sergeant", "P/Sgt"),
    "Insp": ("Insp", "Inspector"),
    "Ch Insp": ("Ch Insp", "Chief Inspector", "Chief Insp", "C/Insp"),
    "Supt": ("Supt", "Superintendent"),
    "Ch Supt": ("Ch Supt", "Chief Superintendent", "Chief Supt", "C/Supt"),
    "ACC": ("ACC", "Assistant Chief Constable", "Asst Chief Constable"),
    "DCC": ("DCC", "Deputy Chief Constable"),
    "Chief Constable": ("Chief Constable",),
    "PCSO": ("PCSO", "Police Community Support Officer"),
    "Special Constable": ("Special Constable", "SC"),
    "Commander": ("Commander", "Cdr"),
    "Commissioner": ("Commissioner",),
    "DC": ("DC", "D/Con", "TDC"),
    "DS": ("DS", "D/Sgt", "DSgt"),
    "DI": ("DI", "D/Insp"),
    "DCI": ("DCI", "D/Ch/Insp"),
    "Det Supt": ("DSupt", "D/Supt", "DSU"),
    "Det Ch Supt": ("DCS", "D/Ch/Supt"),
    "Det": ("Detective", "Det"),  # detective of unstated rank
}

# "Detective"/"Det" + uniform rank word -> detective rank.
_DETECTIVE: dict[str, tuple[str, ...]] = {
    "DC": ("Constable", "Con", "Const"),
    "DS": ("Sergeant", "Sgt"),
    "DI": ("Inspector", "Insp"),
    "DCI": ("Chief Inspector", "Ch Insp", "Chief Insp", "Ch Inspector"),
    "Det Supt": ("Superintendent", "Supt"),
    "Det Ch Supt": ("Chief Superintendent", "Ch Supt", "Chief Supt"),
}

# Short forms that take an optional full stop ("Sgt.", "Det.").
_ABBREVIATIONS = frozenset({"Sgt", "Insp", "Supt", "Det", "Ch", "Con", "Const", "Asst", "Cdr"})

# Ranks too ambiguous to mean a person when no name follows ("John Constable", "Commander" of a ship).
_NO_BARE = frozenset({"Constable", "Detective", "Commander", "Commissioner", "Special Constable"})

# Words after "PC" that mean a computer, not a constable.
_PC_NOT_NAMES = frozenset(
    {
        "World",
        "Magazine",
        "Gamer",
        "Games",
        "Format",
        "Plus",
        "Pro",
        "Advisor",
        "User",
        "Specialist",
        "Tools",
        "Mag",
        "Doctor",
        "Repair",
        "Repairs",
        "Support",
        "Shop",
    }
)

CONFIDENCE_NAMED = 0.9
CONFIDENCE_COLLAR_ONLY = 0.85
CONFIDENCE_COLLAR = 0.85
CONFIDENCE_BARE_RANK = 0.6
CONFIDENCE_LATER_NAME = 0.7


def _rank_key(written: str) -> str:
    return re.sub(r"[\s./]", "", written).lower()


def _all_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for canonical, written in RANKS.items():
        for w in written:
            forms[w] = canonical
    for canonical, words in _DETECTIVE.items():
        for prefix in ("Detective", "Det"):
            for word in words:
                forms[f"{prefix} {word}"] = canonical
    return forms


_FORMS = _all_forms()
_CANONICAL = {_rank_key(w): c for w, c in _FORMS.items()}


def _token_pattern(token: str, last: bool) -> str:
    if "/" in token:
        return re.escape(token)
    if len(token) >= 2 and token.isupper():  # PC, DCI: also "P.C.", "D.C.I."
        return r"\.?".join(re.escape(ch) for ch in token) + (r"\.?" if last else "")
    if token in _ABBREVIATIONS:
        return re.escape(token) + (r"\.?" if last else "")
    return f"[{token[0]}{token[0].lower()}]{re.escape(token[1:])}"  # full word, either case


def _form_pattern(written: str) -> str:
    tokens = written.split()
    out = []
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        out.append(_token_pattern(token, last))
        if not last:
            # after an abbreviation, "Det.Supt" and "Det. Supt" are both seen
            out.append(r"(?:\.[ \t]*|[ \t]+)" if token in _ABBREVIATIONS else r"[ \t]+")
    return "".join(out)


_RANK_ALT = "|".join(_form_pattern(w) for w in sorted(_FORMS, key=len, reverse=True))
_COLLAR = r"\d{2,6}[A-Z]{0,2}(?!\w)(?![/.:-]\d)"
# A knighthood or doctorate between a rank and the name: "Chief Constable Sir Peter Halloran".
_HONORIFIC = r"(?:(?P<honorific>Sir|Dame|Lord|Lady|Dr)\.?[ \t]+)"

_OFFICER = re.compile(
    rf"(?<![\w/])(?:(?P<acting>[Aa]cting[ \t]+|A/)|(?P<temporary>[Tt]emporary[ \t]+|T/))?"
    rf"(?P<rank>{_RANK_ALT})(?![\w/])"
    rf"(?:[ \t]+(?P<collar1>{_COLLAR}))?"
    rf"(?:[ \t]+{_HONORIFIC}?(?P<name>{NAME_UPPER}|{NAME}))?"
    rf"(?:(?<=\w)[ \t]+(?P<collar2>{_COLLAR}))?"
)

# Ranks written in full words ("assistant chief constable", "Detective Sergeant"), which prose also
# puts after a name or before a comma; abbreviations there ("Smith, DC") are too often something else.
_WORD_FORMS = sorted((w for w in _FORMS if "/" not in w and all(len(t) > 3 for t in w.split())), key=len, reverse=True)
_RANK_WORDS_ALT = "|".join(_form_pattern(w) for w in _WORD_FORMS)
_PLURAL_ALT = "|".join(_form_pattern(w) + "s" for w in _WORD_FORMS if not w.endswith("s"))
_CLAUSE_END = r"(?=[ \t]*(?:[,.;:)]|$)|[ \t]+(?i:at|of|with|for|in|from|who|until|when|and|since|between|on)\b)"
# "Helen Marsh, assistant chief constable, said"; "Tom Bryant, then a detective sergeant with the force".
_RANK_AFTER = re.compile(
    rf"(?<![\w'’-]){_HONORIFIC}?(?P<name>{NAME_UPPER}|{FULL_NAME}),[ \t]+"
    r"(?:(?i:then|now|formerly|later|the|a|an|who[ \t]+was|who[ \t]+is|retired|former|serving|acting)[ \t]+){0,3}"
    r"(?:(?P<force>[A-Z][\w'’]*(?:[ \t]+[A-Z][\w'’]*){0,2})[ \t]+)??"
    rf"(?P<rank>{_RANK_WORDS_ALT})(?![\w/'’-]){_CLAUSE_END}",
    re.MULTILINE,
)
# "Former Detective, Carol Henshaw, told": a capitalised rank, a comma, a full name.
_RANK_COMMA = re.compile(
    rf"(?<![\w/])(?P<rank>{_RANK_WORDS_ALT}),[ \t]+{_HONORIFIC}?(?P<name>{NAME_UPPER}|{FULL_NAME})(?![\w'’-])"
)
# "Detective Constables Neil Harper and Paul Riggs": one plural rank, several officers.
_PLURAL = re.compile(
    rf"(?<![\w/])(?P<rank>{_PLURAL_ALT})[ \t]+(?P<names>{FULL_NAME}(?:[ \t]*,[ \t]*{FULL_NAME})*"
    rf",?[ \t]+(?:and|&)[ \t]+{FULL_NAME})"
)
_FULL_NAME_RE = re.compile(FULL_NAME)
_PLURAL_RANK_WORD = re.compile(r"(?:Constable|Sergeant|Inspector|Superintendent|Officer|Commander)s")
# What comes before "Commissioner" when it is an elected or statutory office, not the Met's rank:
# "Police and Crime Commissioner", "Children's Commissioner", "Victims' Commissioner".
_POLICE_BEFORE_COMMISSIONER = frozenset(
    {
        "police",
        "met",
        "metropolitan",
        "assistant",
        "deputy",
        "yard",
        "force's",
        "acting",
        "temporary",
        "the",
        "a",
        "former",
        "retired",
        "new",
        "then",
    }
)
_WORD_BEFORE = re.compile(r"(?P<word>[\w'’]+)[ \t]+$")

_COLLAR_CUE = re.compile(
    r"(?i:(?P<cue>(?:collar|shoulder|epaulette|badge|(?P<warrant>warrant)(?:[ \t]+card)?)[ \t]+"
    r"(?:number|no\.?|num\.?|#)|(?:his|her|their|the[ \t]+officer['’]s)[ \t]+(?:collar[ \t]+)?number))"
    r"[ \t]*(?:(?i:was|is|of)[ \t]+|:[ \t]*)?(?P<number>[1-9]\d{0,6}[A-Z]{0,2}|0\d{1,5})(?!\w)"
)

# Between an officer and a following collar cue: "PC Smith, collar number", "DS Smith (collar number".
_ATTACH_GAP = re.compile(r"[ \t]*[,(–-]?[ \t]*(?:with[ \t]+)?(?:(?:his|her)[ \t]+)?")
_DETERMINER_BEFORE = re.compile(r"\b(?i:a|an|the|another|this|that|his|her|their|one)[ \t]+$")
_CAPITALISED_BEFORE = re.compile(r"(?:^|[ \t(])(?P<word>[A-Z][a-z]+)[ \t]+$")


@lru_cache(maxsize=256)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(n).replace(r"\ ", r"[ \t]+") for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{alternation})(?![\w-])")


@dataclass
class _Officer:
    start: int
    end: int
    rank: str
    rank_text: str
    name: str | None
    collar: tuple[int, int] | None
    acting: bool
    temporary: bool


class PoliceExtractor:
    """Officers by rank and name/collar number; collar and warrant numbers."""

    name = "police"
    version = "1.1.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        officers: list[_Officer] = []
        out: list[Mention] = []
        for m in _OFFICER.finditer(text):
            rank_text = m.group("rank")
            canonical = _CANONICAL.get(_rank_key(rank_text))
            if canonical is None:  # pragma: no cover - every alternative comes from _FORMS
                continue
            name = _clean_name(m.group("name"))
            if name and canonical == "PC" and name.split()[0] in _PC_NOT_NAMES:
                continue
            if canonical == "Commissioner" and civil_office_before(text, m.start("rank")):
                continue  # "Police and Crime Commissioner Matthew Crane" is no police officer
            if name and _PLURAL_RANK_WORD.fullmatch(name.split()[0]):
                continue  # "Detective Constables Neil Harper and ...": the plural rule's
            # "PC 1234 Smith" / "PC 1234" / "PC Smith 1234": the number before or, with a name, after it
            collar: tuple[int, int] | None = None
            if m.group("collar1"):
                collar = m.span("collar1")
            elif name and m.group("collar2"):
                collar = m.span("collar2")
            if name or collar:
                end = max(m.start("name") + len(name) if name else -1, collar[1] if collar else -1)
                officers.append(
                    _Officer(
                        m.start(),
                        end,
                        canonical,
                        rank_text,
                        name,
                        collar,
                        bool(m.group("acting")),
                        bool(m.group("temporary")),
                    )
                )
                continue
            described = self._bare_rank(document_id, text, m.start("rank"), m.end("rank"), canonical)
            if described is not None:
                out.append(described)

        officers.extend(self._written_around(text, officers))
        officers.sort(key=lambda o: o.start)
        for cue in _COLLAR_CUE.finditer(text):
            number = cue.group("number")
            if cue.group("cue").lower().split()[0] in ("his", "her", "their", "the") and (
                number.startswith("0") or len(number) > 6
            ):
                continue  # "his number was 07700 900123" is a phone number
            owner = self._owner(officers, text, cue.start())
            if owner is not None:
                owner.collar = cue.span("number")
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    *cue.span("number"),
                    MentionType.COLLAR_NUMBER,
                    CONFIDENCE_COLLAR,
                    {
                        "number": number,
                        "kind": "warrant" if cue.group("warrant") else "collar",
                        "officer_name": owner.name if owner else None,
                    },
                )
            )

        for o in officers:
            number = text[o.collar[0] : o.collar[1]] if o.collar else None
            attributes: dict[str, object] = {
                "rank": o.rank,
                "name": o.name,
                "collar_number": number,
                "rank_text": o.rank_text,
            }
            if o.acting:
                attributes["acting"] = True
            if o.temporary:
                attributes["temporary"] = True
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    o.start,
                    o.end,
                    MentionType.OFFICER,
                    CONFIDENCE_NAMED if o.name else CONFIDENCE_COLLAR_ONLY,
                    attributes,
                )
            )
            if o.collar and o.start <= o.collar[0] < o.end:  # number written inside the officer's span
                out.append(
                    build_mention(
                        self.id,
                        document_id,
                        text,
                        *o.collar,
                        MentionType.COLLAR_NUMBER,
                        CONFIDENCE_COLLAR,
                        {"number": number, "kind": "collar", "officer_name": o.name},
                    )
                )
        out.extend(self._later_names(document_id, text, officers))
        out.sort(key=lambda mention: (mention.start, mention.end))
        return out

    def _written_around(self, text: str, known: list[_Officer]) -> list[_Officer]:
        """Officers whose rank comes after the name, before a comma, or in the plural."""
        found: list[_Officer] = []
        taken = [(o.start, o.end) for o in known]

        def add(start: int, end: int, rank_text: str, name: str) -> None:
            canonical = _CANONICAL.get(_rank_key(rank_text))
            if canonical is None or any(s < end and start < e for s, e in taken):
                return
            taken.append((start, end))
            found.append(_Officer(start, end, canonical, rank_text, name, None, False, False))

        for m in _RANK_AFTER.finditer(text):
            rank = m.group("rank")
            if _CANONICAL.get(_rank_key(rank)) == "Commissioner" and civil_office_before(text, m.start("rank")):
                continue
            name = _clean_name(m.group("name"))
            if name:
                add(m.start(), m.start("name") + len(name), rank, name)
        for m in _RANK_COMMA.finditer(text):
            name = _clean_name(m.group("name"))
            if name and m.group("rank")[0].isupper() and not civil_office_before(text, m.start("rank")):
                add(
                    m.start("honorific") if m.group("honorific") else m.start("name"),
                    m.start("name") + len(name),
                    m.group("rank"),
                    name,
                )
        for m in _PLURAL.finditer(text):
            rank = m.group("rank")[:-1]  # "Constables" -> "Constable"
            names = list(_FULL_NAME_RE.finditer(text, m.start("names"), m.end("names")))
            for i, n in enumerate(names):
                add(m.start() if i == 0 else n.start(), n.end(), rank, " ".join(n.group().split()))
        return found

    def _later_names(self, document_id: str, text: str, officers: list[_Officer]) -> list[Mention]:
        """Uses of an officer's name without the rank ("Hartley" after "DS John Hartley") as PERSON.

        The same officer named without rank or number is a PERSON (casetrail's convention); the
        full name it may belong to is kept in "officer_name" as a hint for resolution, not a decision.
        """
        names: dict[str, str] = {}
        for o in officers:
            if not o.name:
                continue
            words = o.name.split()
            if len(words) >= 2 and not any(w.endswith(".") or len(w) == 1 for w in words):
                names.setdefault(o.name, o.name)
            if len(words[-1]) >= 3 and words[-1] not in STOP_CAPITALS:
                names.setdefault(words[-1], o.name)
        if not names:
            return []
        taken = [(o.start, o.end) for o in officers]
        out = []
        for m in _names_pattern(tuple(sorted(names))).finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    m.start(),
                    m.end(),
                    MentionType.PERSON,
                    CONFIDENCE_LATER_NAME,
                    {"name": m.group(), "officer_name": names[m.group()], "learned": True},
                )
            )
        return out

    def _bare_rank(self, document_id: str, text: str, start: int, end: int, canonical: str) -> Mention | None:
        written = text[start:end]
        if not written[0].isupper() or written.isupper() or written.rstrip(".") in _NO_BARE:
            return None
        if not any(len(word) > 5 for word in written.split()):  # "Sgt", "Det Supt": abbreviations
            return None
        if _DETERMINER_BEFORE.search(text, max(0, start - 12), start):
            return None  # "the Chief Constable": the descriptor extractor records the whole phrase
        before = _CAPITALISED_BEFORE.search(text, max(0, start - 40), start)
        if before is not None and before.group("word") not in STOP_CAPITALS:
            return None  # "John Constable", "Ofsted Inspector": part of another name
        return build_mention(
            self.id,
            document_id,
            text,
            start,
            end,
            MentionType.DESCRIBED_PERSON,
            CONFIDENCE_BARE_RANK,
            {"role": written.lower(), "rank": canonical, "description": written},
        )

    @staticmethod
    def _owner(officers: list[_Officer], text: str, cue_start: int) -> _Officer | None:
        """The officer named immediately before a collar-number cue, if it has no number yet."""
        for o in reversed(officers):
            if o.end > cue_start:
                continue
            if o.collar is None and cue_start - o.end <= 12 and _ATTACH_GAP.fullmatch(text, o.end, cue_start):
                return o
            return None
        return None


def _clean_name(name: str | None) -> str | None:
    """The name as resolution should read it: a surname in capitals that is an abbreviation is dropped
    ("PC Smith CCTV" -> "Smith"); otherwise it stays as written."""
    if not name:
        return name
    words = name.split()
    if len(words) > 1 and words[-1].isupper() and not upper_surname_ok(words[-1]):
        return name[: name.rfind(words[-1])].rstrip()
    return name


def canonical_rank_of(written: str) -> str | None:
    """The canonical rank of a written form ("Police Constable", "P.C.", "Constables") or None."""
    key = _rank_key(written)
    return _CANONICAL.get(key) or (_CANONICAL.get(key[:-1]) if key.endswith("s") else None)


# The rank alternations, singular and plural, for the other extractors (officer ciphers: "PC 'W'").
RANK_PATTERN = _RANK_ALT
PLURAL_RANK_PATTERN = _PLURAL_ALT


def civil_office_before(text: str, rank_start: int) -> bool:
    """True when the word before "Commissioner" makes it an office, not a rank ("Children's Commissioner",
    "police and crime commissioner"); "Met Commissioner" and "Assistant Commissioner" are ranks."""
    m = _WORD_BEFORE.search(text, max(0, rank_start - 30), rank_start)
    if m is None:
        return False
    word = m.group("word")
    if word.lower() in _POLICE_BEFORE_COMMISSIONER:
        return False
    return word[0].isupper() and word not in STOP_CAPITALS or word.lower() in ("crime", "children's", "victims")
