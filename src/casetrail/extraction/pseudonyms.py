"""Names that stand in for a person: pseudonyms of survivors, and nicknames.

PSEUDONYM mentions come from
  * an explicit cue: "given the pseudonym Willow", "under the pseudonym Willow", "known in this inquiry
    as Willow", "my name for this inquiry is Willow", "I will be called Willow", "using the name Willow",
    "Willow (not her real name)", "Darren Jones, whose name we changed to protect his anonymity";
  * a capitalised one- or two-word name in quotes (straight or curly) right after a survivor/victim/
    woman/girl/witness cue or "pseudonym"/"known as"/"called": `One survivor, "Willow," says`,
    `Another victim, 'Emma', who`. A quoted word without such a cue ("Yes," she said) is not a name;
  * the writer naming themselves with one word or a code: "I am making this complaint as Finch",
    "Signed, Skye." (a full name, "Signed, Jo Bell.", is not taken);
  * anonymised codes: "Child K17", "Girl A", "Witness 3"; ciphers for officers and witnesses, "Officer J",
    "PC 'W'" ({"name": "PC W", "rank": "PC"}), "Miss A", "Mr X", and plural ones, "Police Constables A, B
    and C" (one mention per letter, each named "PC A", "PC B" ...);
  * every later bare use, in the same document, of a name established above ("Girls like Willow and
    Emma"; "Jones is keen to stress" after "Darren Jones, whose name we changed"), attributes
    {"name": the pseudonym as introduced, "learned": True};
  * any use of a name in the inquiry's pseudonym register, if one is given (survivors named in
    another survivor's statement carry no cue): {"name", "registered": True}.

"known as"/"called" in quotes is a pseudonym when the nearby text is about a survivor ("a girl known
as 'Jo'"); otherwise it is a nickname ("a man known as 'Tiny'", "Mark 'Tiny' Bolton") and becomes a
PERSON mention with {"nickname": ...}, as casetrail's synthetic truth types nicknames. Right after a
name or a man ("Bilal Ali (known as 'Slim')", "a man known as 'Tinker'") it is always a nickname, even
in a sentence about a survivor.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from casetrail.extraction.extractor import build_mention
from casetrail.extraction.names import NAME, NAME_WORD, STOP_CAPITALS
from casetrail.extraction.police import (
    PLURAL_RANK_PATTERN,
    RANK_PATTERN,
    canonical_rank_of,
)
from casetrail.model import Mention, MentionType

CONFIDENCE_EXPLICIT = 0.9
CONFIDENCE_QUOTED = 0.8
CONFIDENCE_CODE = 0.85
CONFIDENCE_LEARNED = 0.75
CONFIDENCE_REGISTERED = 0.85
VERSION = "1.2.0"
CONFIDENCE_NICKNAME = 0.75

_OPEN = "\"“‘'"
_CLOSE = {'"': '"”', "“": '”"', "‘": "’'", "'": "'’"}

# A pseudonym: one or two capitalised words ("Willow", "Rose Ann") or a code ("Child K17").
_CODE = r"(?:Child|Victim|Witness|Complainant|Survivor|Girl|Boy|Person)[ \t]+(?:[A-Z]{1,2}\d{0,3}|\d{1,3})(?!\w)"
_PNAME = rf"(?:{_CODE}|{NAME_WORD}(?:[ \t-]{NAME_WORD})?)"

_QUOTED = re.compile(rf"(?<![\w])(?P<open>[{_OPEN}])(?P<name>{_PNAME})(?P<punct>[,.!?]?)(?P<close>[\"”’'])(?![\w])")

_VICTIM = (
    r"survivors?|victims?|wom[ae]n|girls?|witness(?:es)?|complainants?|teenagers?|schoolgirls?|child|"
    r"mother|daughter|sister|young[ \t]+(?:woman|person)"
)
_NICK_CUE = (
    r"known(?:[ \t]+\w+)?[ \t]+as|called|calling|named|nicknamed|referred[ \t]+to[ \t]+as|went[ \t]+by|goes[ \t]+by"
)
_BEFORE_QUOTE = re.compile(
    rf"(?i:\b(?P<cue>{_VICTIM}|pseudonym|alias|{_NICK_CUE}))[ \t]*[,:(]?[ \t]*(?:(?i:is|was|as)[ \t]+)?$"
)
_AFTER_QUOTE = re.compile(
    r"[ \t]*,?[ \t]*(?:\(?(?i:not[ \t]+(?:her|his|their|my)[ \t]+real[ \t]+name)|(?i:a|an|the|one)[ \t]+"
    r"(?i:survivor|victim|woman|girl|witness|complainant))"
)
_SENTENCE_START = re.compile(r"[.!?]\s+|\n")
# What a "known as"/"called" cue follows when the quoted name is a man's nickname, whatever the
# sentence is about: a name ("Bilal Ali (known as 'Slim')") or a man ("a man known as 'Tinker'").
_NICKNAMED_BEFORE_CUE = re.compile(
    rf"(?:{NAME_WORD}|(?<![\w'’-])(?i:a|an|the|this|that|one)[ \t]+(?:(?i:older|young|big|little|tall|short)[ \t]+)?"
    r"(?i:man|lad|guy|bloke|fella|fellow))[ \t]*[(,]?[ \t]*(?:(?i:who[ \t]+)?(?i:was|is|everyone)[ \t]+)?$"
)
_VICTIM_NEARBY = re.compile(rf"(?i:\b(?:{_VICTIM}|pseudonym|anonymity|anonymous)\b)")

_EXPLICIT = re.compile(
    r"(?i:(?:given|under|using|with|assigned|granted|giving[ \t]+(?:her|him|them))[ \t]+(?:the|a)[ \t]+"
    r"(?:pseudonym|name|alias)(?:[ \t]+of)?"
    r"|pseudonym[ \t]*:"
    r"|(?:known|referred[ \t]+to|identified)[ \t]+in[ \t]+this[ \t]+(?:inquiry|statement|report|article|investigation"
    r"|review|complaint)[ \t]+as"
    r"|my[ \t]+name[ \t]+for[ \t]+this[ \t]+(?:inquiry|statement|investigation|report)[ \t]+is"
    r"|(?:will|shall|would)[ \t]+be[ \t]+(?:called|known[ \t]+as|referred[ \t]+to[ \t]+as)"
    r"|(?:whom|who)[ \t]+we[ \t]+(?:are[ \t]+|will[ \t]+)?call(?:ing)?"
    r"|(?:we|I)[ \t]+(?:are[ \t]+|will[ \t]+|have[ \t]+)?call(?:ing|ed)?[ \t]+(?:her|him|them)"
    r"|identified[ \t]+only[ \t]+as|named[ \t]+here[ \t]+as)"
    rf"[ \t]+['\"“‘]?(?P<name>{_PNAME})(?![\w-])"
)

# The writer naming themselves with one word or a code, which an anonymised inquiry's submissions do
# only with a pseudonym: "I am making this complaint as Finch", "Signed, Skye." (not "Signed, Jo Bell").
_SELF_NAMED = re.compile(
    rf"(?:(?i:making|giving|submitting|bringing|writing)[ \t]+this[ \t]+(?i:statement|complaint|account|submission)"
    rf"[ \t]+as|(?<![\w'’-])Signed[ \t]*[,:]?)[ \t]+(?P<name>{_CODE}|{NAME_WORD})(?=[ \t]*(?:[.,;!]|\n|$))"
)
_NOT_REAL_NAME = re.compile(
    rf"(?<![\w'’.-])(?P<name>{NAME})[ \t]*,?[ \t]*(?:\([ \t]*|(?:(?i:which|who))[ \t]+(?:(?i:is)[ \t]+)?)?"
    r"(?i:not[ \t]+(?:her|his|their|my)[ \t]+real[ \t]+name|names?[ \t]+(?:has[ \t]+|have[ \t]+)?(?:been[ \t]+)?changed)"
)
_NAME_CHANGED = re.compile(
    rf"(?<![\w'’.-])(?P<name>{NAME})[ \t]*,[ \t]*(?i:whose|his|her|their)[ \t]+(?i:real[ \t]+)?(?i:names?)[ \t]+"
    r"(?i:we[ \t]+(?:have[ \t]+)?changed|(?:has|have)[ \t]+been[ \t]+changed|(?:was|were|is)[ \t]+changed"
    r"|(?:has|have)[ \t]+been[ \t]+(?:withheld|altered)|we[ \t]+(?:have[ \t]+)?(?:altered|withheld))"
)
_CODE_RE = re.compile(rf"(?<![\w-]){_CODE}")

# Ciphers inquiries and courts give officers and other witnesses: "Officer J", "PC 'W'", "Miss A",
# "Mr X", and in the plural "Police Constables A, B and C". A letter (and up to two digits), quoted or
# not; not an initial before a surname ("Miss A. Hartley", "PC A Smith"), not "I" unquoted.
_LETTER = r"[A-Z]\d{0,2}"
_CIPHER = (
    rf"(?:['‘\"“](?P<quoted>{_LETTER})['’\"”]|(?P<bare>(?!I(?!\d)){_LETTER}))"
    r"(?![\w-])(?!['’](?!s\b))(?![ \t]*\.?[ \t]*[A-Z][a-z])"
)
_OFFICER_CIPHER = re.compile(rf"(?<![\w/'’-])(?P<rank>{RANK_PATTERN}|Officer)[ \t]+{_CIPHER}")
_TITLE_CIPHER = re.compile(rf"(?<![\w'’-])(?P<title>Mr|Mrs|Miss|Ms|Mx)\.?[ \t]+{_CIPHER}")
_PLURAL_CIPHERS = re.compile(
    rf"(?<![\w/])(?P<rank>{PLURAL_RANK_PATTERN}|Officers)[ \t]+(?P<first>{_LETTER})"
    rf"(?P<rest>(?:[ \t]*,[ \t]*{_LETTER})*,?[ \t]+(?:and|&)[ \t]+{_LETTER})(?![\w'’-])"
)
_LETTER_RE = re.compile(rf"(?<![\w'’-]){_LETTER}(?![\w'’-])")

# "Mark 'Tiny' Bolton"
_NICK_INSIDE = re.compile(
    rf"(?P<given>{NAME_WORD})[ \t]+(?P<open>[{_OPEN}])(?P<nick>[A-Z][\w]*(?:[ \t][A-Z][\w]*)?)[\"”’'][ \t]+"
    rf"(?P<surname>{NAME_WORD})"
)
_QUOTE_AFTER_WORD = re.compile(rf"(?<=[a-z])[ \t]+[{_OPEN}](?=[A-Z])")
_CHANGED_CUE = re.compile(
    r"(?i:not[ \t]+(?:her|his|their|my)[ \t]+real[ \t]+name|names?[ \t]+(?:we[ \t]+(?:have[ \t]+)?)?"
    r"(?:(?:has|have|was|were|is)[ \t]+)?(?:been[ \t]+)?(?:changed|withheld|altered))"
)
# "Mark Bolton ('Tiny')"
_NICK_BRACKETED = re.compile(
    rf"(?<=[a-z])[ \t]*\([ \t]*[{_OPEN}](?P<nick>[A-Z][\w]*(?:[ \t][A-Z][\w]*)?)[\"”’'][ \t]*\)"
)


@dataclass
class _Name:
    start: int
    end: int
    type: MentionType
    confidence: float
    attributes: dict[str, Any]


@lru_cache(maxsize=256)
def _learned_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(n).replace(r"\ ", r"[ \t]+") for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{alternation})(?![\w-])")


class PseudonymExtractor:
    """Pseudonyms (PSEUDONYM) and nicknames (PERSON with a "nickname" attribute)."""

    name = "pseudonyms"

    def __init__(self, register: Iterable[str] = ()) -> None:
        """`register`: pseudonyms the inquiry has assigned ("Willow", "Child K17"); every use is a PSEUDONYM.

        A register changes what is found, so its fingerprint is part of the version:
        VERSION without one, VERSION + "+reg.<sha256 prefix>" with one.
        """
        self.register = tuple(sorted({" ".join(n.split()) for n in register if n.strip()}))
        self.version = VERSION
        if self.register:
            digest = hashlib.sha256("\n".join(self.register).encode("utf-8")).hexdigest()[:12]
            self.version = f"{VERSION}+reg.{digest}"
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        found: list[_Name] = []
        self._explicit(text, found)
        self._quoted(text, found)
        self._nicknames(text, found)
        for m in _CODE_RE.finditer(text):
            found.append(
                _Name(m.start(), m.end(), MentionType.PSEUDONYM, CONFIDENCE_CODE, {"name": m.group(), "cue": "code"})
            )
        self._ciphers(text, found)
        found = _without_overlaps(found)
        self._learn(text, found, self.register)
        found.sort(key=lambda n: (n.start, n.end))
        return [
            build_mention(self.id, document_id, text, n.start, n.end, n.type, n.confidence, n.attributes) for n in found
        ]

    @staticmethod
    def _explicit(text: str, found: list[_Name]) -> None:
        for m in _EXPLICIT.finditer(text):
            found.append(
                _Name(
                    *m.span("name"),
                    MentionType.PSEUDONYM,
                    CONFIDENCE_EXPLICIT,
                    {"name": m.group("name"), "cue": "explicit"},
                )
            )
        for m in _SELF_NAMED.finditer(text):
            found.append(
                _Name(
                    *m.span("name"),
                    MentionType.PSEUDONYM,
                    CONFIDENCE_EXPLICIT,
                    {"name": m.group("name"), "cue": "self-named"},
                )
            )
        seen: set[tuple[int, int]] = set()
        for cue in _CHANGED_CUE.finditer(text):  # the name patterns are costly: run them only near a cue
            for pattern in (_NAME_CHANGED, _NOT_REAL_NAME):
                for m in pattern.finditer(text, max(0, cue.start() - 90), cue.end()):
                    name = m.group("name")
                    if name.split()[0] in STOP_CAPITALS or m.span("name") in seen or m.end() != cue.end():
                        continue
                    seen.add(m.span("name"))
                    found.append(
                        _Name(
                            *m.span("name"),
                            MentionType.PSEUDONYM,
                            CONFIDENCE_EXPLICIT,
                            {"name": name, "cue": "name changed"},
                        )
                    )

    @staticmethod
    def _ciphers(text: str, found: list[_Name]) -> None:
        """Officer and witness ciphers: {"name": "PC W", "cue": "code", "rank"?: canonical rank}."""
        for m in _OFFICER_CIPHER.finditer(text):
            letter = m.group("quoted") or m.group("bare")
            rank = "Officer" if m.group("rank") == "Officer" else canonical_rank_of(m.group("rank"))
            attributes: dict[str, Any] = {"name": f"{rank} {letter}", "cue": "code"}
            if rank != "Officer":
                attributes["rank"] = rank
            found.append(_Name(m.start(), m.end(), MentionType.PSEUDONYM, CONFIDENCE_CODE, attributes))
        for m in _TITLE_CIPHER.finditer(text):
            letter = m.group("quoted") or m.group("bare")
            found.append(
                _Name(
                    m.start(),
                    m.end(),
                    MentionType.PSEUDONYM,
                    CONFIDENCE_CODE,
                    {"name": f"{m.group('title')} {letter}", "cue": "code"},
                )
            )
        for m in _PLURAL_CIPHERS.finditer(text):
            written = m.group("rank")
            rank = "Officer" if written == "Officers" else canonical_rank_of(written)
            extra = {"rank": rank} if rank != "Officer" else {}
            found.append(
                _Name(
                    m.start(),
                    m.end("first"),
                    MentionType.PSEUDONYM,
                    CONFIDENCE_CODE + 0.01,
                    {"name": f"{rank} {m.group('first')}", "cue": "code", **extra},
                )
            )
            for letter in _LETTER_RE.finditer(text, m.start("rest"), m.end("rest")):
                found.append(
                    _Name(
                        letter.start(),
                        letter.end(),
                        MentionType.PSEUDONYM,
                        CONFIDENCE_CODE + 0.01,
                        {"name": f"{rank} {letter.group()}", "cue": "code", **extra},
                    )
                )

    @staticmethod
    def _quoted(text: str, found: list[_Name]) -> None:
        for m in _QUOTED.finditer(text):
            if m.group("close") not in _CLOSE[m.group("open")]:
                continue
            before = _BEFORE_QUOTE.search(text, max(0, m.start() - 50), m.start())
            after = _AFTER_QUOTE.match(text, m.end())
            if before is None and after is None:
                continue
            name = m.group("name")
            cue = (before.group("cue") if before else "after").lower()
            if re.fullmatch(_NICK_CUE, cue, re.IGNORECASE) or cue.startswith("known"):
                # nickname or pseudonym: decided by what the sentence is about
                window = _SENTENCE_START.split(text[max(0, m.start() - 120) : m.start()])[-1]
                cue_start = before.start("cue") if before else m.start()
                nicknamed = cue == "nicknamed" or _NICKNAMED_BEFORE_CUE.search(text, max(0, cue_start - 60), cue_start)
                if not nicknamed and _VICTIM_NEARBY.search(window):
                    found.append(
                        _Name(*m.span("name"), MentionType.PSEUDONYM, CONFIDENCE_QUOTED, {"name": name, "cue": cue})
                    )
                else:
                    found.append(
                        _Name(*m.span("name"), MentionType.PERSON, CONFIDENCE_NICKNAME, {"nickname": name, "cue": cue})
                    )
                continue
            found.append(_Name(*m.span("name"), MentionType.PSEUDONYM, CONFIDENCE_QUOTED, {"name": name, "cue": cue}))

    @staticmethod
    def _nicknames(text: str, found: list[_Name]) -> None:
        for quote in _QUOTE_AFTER_WORD.finditer(text):
            m = _NICK_INSIDE.search(text, max(0, quote.start() - 40), quote.end() + 60)
            if m is None or not m.start("open") == quote.end() - 1:
                continue
            found.append(
                _Name(
                    m.start(),
                    m.end(),
                    MentionType.PERSON,
                    CONFIDENCE_NICKNAME,
                    {"name": f"{m.group('given')} {m.group('surname')}", "nickname": m.group("nick")},
                )
            )
        for m in _NICK_BRACKETED.finditer(text):
            found.append(
                _Name(
                    *m.span("nick"),
                    MentionType.PERSON,
                    CONFIDENCE_NICKNAME,
                    {"nickname": m.group("nick"), "cue": "brackets"},
                )
            )

    @staticmethod
    def _learn(text: str, found: list[_Name], register: tuple[str, ...]) -> None:
        """Mark other bare uses of every pseudonym/nickname introduced in this document or registered."""
        names: dict[str, tuple[MentionType, dict[str, Any]]] = {
            n: (MentionType.PSEUDONYM, {"name": n, "registered": True}) for n in register
        }
        for n in found:
            if n.type is MentionType.PSEUDONYM:
                full = n.attributes["name"]
                names.setdefault(full, (MentionType.PSEUDONYM, {"name": full, "learned": True}))
                if n.attributes.get("cue") != "code":
                    for token in full.split():
                        if len(token) >= 3 and token not in STOP_CAPITALS:
                            names.setdefault(token, (MentionType.PSEUDONYM, {"name": full, "learned": True}))
            elif "nickname" in n.attributes:
                nick = n.attributes["nickname"]
                names.setdefault(nick, (MentionType.PERSON, {"nickname": nick, "learned": True}))
        if not names:
            return
        taken = [(n.start, n.end) for n in found]
        for m in _learned_pattern(tuple(sorted(names))).finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            mention_type, attributes = names[" ".join(m.group().split())]
            confidence = CONFIDENCE_REGISTERED if attributes.get("registered") else CONFIDENCE_LEARNED
            found.append(_Name(m.start(), m.end(), mention_type, confidence, dict(attributes)))


def _without_overlaps(found: list[_Name]) -> list[_Name]:
    kept: list[_Name] = []
    for n in sorted(found, key=lambda n: (-n.confidence, -(n.end - n.start), n.start)):
        if all(n.end <= k.start or k.end <= n.start for k in kept):
            kept.append(n)
    return kept
