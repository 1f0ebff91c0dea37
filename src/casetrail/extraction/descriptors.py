"""People described but not named: "another unnamed officer", "a uniformed officer in a marked car",
"the driver of a silver car", "a youth worker", "42 named police officers", "one of the officers".

A descriptor is a determiner (or a count), up to five modifiers, a role noun from data/roles.txt,
and optionally one qualifier from data/descriptor_qualifiers.txt (vehicle, clothing, neutral
appearance, workplace, "in uniform", "in care", "in his thirties"), which may come as a relative
clause ("a detective who said he was from CID") or say the person was not known to the speaker
("another officer I didn't know", which counts as unnamed). Attributes:
{"role": canonical role, "head": the role as written, "description": the whole phrase,
 "category": "police" | "professional" | "generic", "count": n for groups, "unnamed": True when the
 text says so ("unnamed", "unknown", "unidentified")}.

Neutral by design: if any modifier names an ethnicity, religion or nationality (data/
excluded_descriptors.txt) the phrase is not recorded at all; no such attribute is ever built.
A role followed or preceded by a name ("the officer, Hassan Ali", "David Greenwood, a solicitor", "a man
known as 'Tiny'", "my social worker was Dr Haigh") names someone and is skipped here: the name
extractors own it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from casetrail.extraction.extractor import build_mention
from casetrail.extraction.lexicon import read_lines, read_sections, split_mapping
from casetrail.extraction.names import FULL_NAME, NAME_WORD
from casetrail.model import Mention, MentionType

CONFIDENCE = {"police": 0.8, "professional": 0.75, "generic": 0.6}

_IRREGULAR = {
    "man": "men",
    "woman": "women",
    "child": "children",
    "person": "people",
    "gentleman": "gentlemen",
    "policeman": "policemen",
    "policewoman": "policewomen",
    "ex-policeman": "ex-policemen",
    "schoolchild": "schoolchildren",
    "bobby": "bobbies",
    "lady": "ladies",
    "passer-by": "passers-by",
    "member of parliament": "members of parliament",
}

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}

_UNNAMED_WORDS = frozenset({"unnamed", "unknown", "unidentified", "anonymous", "nameless"})

_STOP = (
    "and|or|but|nor|to|of|in|on|at|by|for|with|from|as|is|was|were|are|be|been|being|had|has|have|did|do|does|"
    "who|whom|whose|which|that|than|then|not|no|he|she|it|they|we|you|i|him|her|them|his|their|its|our|my|your|"
    "this|these|those|there|here|said|says|told|would|could|should|will|can|may|might|must|a|an|the|another|one|"
    "when|where|if|so|also|after|before|about|into|over|up|out|off|all|because|while|what|how|why|just|even|"
    "against|towards|toward|without|within|between|among|across|through|under|upon|via|per|like|unlike|including|"
    "despite|during|since|until|among|amongst|onto|around|behind|beside|near"
)


def _plural(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    head, _, last = word.rpartition(" ")
    prefix = f"{head} " if head else ""
    if last in _IRREGULAR:
        return prefix + _IRREGULAR[last]
    if last.endswith("man") and not last.endswith("human"):
        return prefix + last[:-3] + "men"
    if last.endswith(("s", "x", "ch", "sh")):
        return prefix + last + "es"
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        return prefix + last[:-1] + "ies"
    return prefix + last + "s"


@dataclass(frozen=True)
class _Roles:
    singular: dict[str, tuple[str, str]]  # written form (lower) -> (canonical, category)
    plural: dict[str, str]  # plural written form (lower) -> singular written form (lower)


def _load_roles() -> _Roles:
    singular: dict[str, tuple[str, str]] = {}
    for category, lines in read_sections("roles.txt").items():
        for line in lines:
            canonical, forms = split_mapping(line)
            for form in forms:
                singular.setdefault(form.lower(), (canonical, category or "generic"))
    plural = {_plural(form): form for form in singular}
    return _Roles(singular, plural)


_ROLES = _load_roles()
_EXCLUDED = frozenset(read_lines("excluded_descriptors.txt"))
_EXCLUDED_SUFFIXES = ("-heritage", "-origin", "-born", "-descent")


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _phrase(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in sorted(words, key=len, reverse=True))


_QUALIFIERS = read_sections("descriptor_qualifiers.txt")
_WORN = _phrase(_QUALIFIERS.get("worn_or_driven", ()))
_PLACE = _phrase(_QUALIFIERS.get("place", ()))

_MOD = rf"(?!(?i:{_STOP})\b)[\w'’][\w'’-]*"
_FILLER = rf"(?:(?!(?i:{_STOP})\b)[a-z][\w'’-]*[ \t]+){{0,3}}?"
_POSSESSIVE = r"(?:(?:a|an|the|his|her|their)[ \t]+)?"
_QUALIFIER = (
    rf"(?P<qual>[ \t]+(?:"
    rf"(?i:in|inside|driving|wearing|with|of)[ \t]+{_POSSESSIVE}{_FILLER}(?i:{_WORN})"
    rf"|(?i:on|at|from)[ \t]+{_POSSESSIVE}{_FILLER}(?i:{_PLACE})"
    rf"|in[ \t]+(?:uniform|plain[ \t-]+clothes|civvies|care)"
    rf"|(?i:who|that)[ \t]+(?:(?i:said|says|claimed|told[ \t]+(?:me|us))[ \t]+(?:he|she|they)[ \t]+)?(?i:was|were|is|worked)"
    rf"[ \t]+(?i:from|at|on|in|for)[ \t]+{_POSSESSIVE}{_FILLER}(?i:{_PLACE})"
    rf"|(?P<unknown>(?:I|we)[ \t]+(?:didn['’]t|did[ \t]+not|don['’]t|do[ \t]+not|never)[ \t]+(?:know|knew|recognise|recognised))"
    rf"|in[ \t]+(?:his|her|their)[ \t]+(?:(?:early|mid|late)[- \t]?)?(?:teens|twenties|thirties|forties|fifties|sixties"
    rf"|seventies|[2-7]0['’]?s)"
    rf")(?![\w-]))?"
)

# A role noun followed by another ("the child victims", "a woman police officer") is a modifier.
_NOT_BEFORE_ROLE = rf"(?![ \t]+(?i:{_alternation(set(_ROLES.singular) | set(_ROLES.plural))})(?![\w-]))"
_SINGULAR = re.compile(
    rf"(?<![\w'’-])(?P<det>(?i:another|an|a|the|this|that|his|her|their|my|our|one|some))[ \t]+"
    rf"(?P<mods>(?:{_MOD}[ \t]+){{0,5}}?)(?P<role>(?i:{_alternation(_ROLES.singular)}))(?![\w-]){_NOT_BEFORE_ROLE}"
    rf"{_QUALIFIER}"
)
_COUNT = rf"(?i:one[ \t]+of[ \t]+the|one[ \t]+of[ \t]+(?:his|her|their)|\d[\d,]*|{_alternation(_NUMBER_WORDS)}|several)"
_PLURAL = re.compile(
    rf"(?<![\w'’-])(?P<det>{_COUNT})[ \t]+(?P<mods>(?:{_MOD}[ \t]+){{0,5}}?)"
    rf"(?P<role>(?i:{_alternation(_ROLES.plural)}))(?![\w-]){_NOT_BEFORE_ROLE}{_QUALIFIER}"
)

# "the officer Hassan Ali", "One survivor, \"Willow,\"", "a man known as 'Tiny'", "my social worker was
# Dr Haigh": the role is followed by a name.
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Cllr|Councillor|Rev|Father)\.?"
_NAME_AFTER = re.compile(
    rf"[ \t]*,?[ \t]*(?:[\"“‘']?[ \t]*{NAME_WORD}"
    rf"|\(?(?i:(?:who[ \t]+(?:was|is)[ \t]+)?(?:known(?:[ \t]+locally)?[ \t]+as|called|named|nicknamed))[ \t]+[\"“‘']?[ \t]*[A-Z]"
    rf"|(?i:was|is)[ \t]+(?:{_TITLE}[ \t]+{NAME_WORD}|{FULL_NAME}))"
)
# "the pseudonym Child A4"; not the pronoun: "another officer I didn't know"
_CODE_AFTER = re.compile(r"[ \t]+(?:(?!I[ \t]+[a-z])[A-Z]{1,2}\d{0,3}|\d{1,3})(?![\w'’-])")
# "David Greenwood, a solicitor": a full name then a comma; not "with GB News, a retired officer".
_NAME_BEFORE = re.compile(rf"(?<![\w'’-]){FULL_NAME}[ \t]*,[ \t]*$")
_PREPOSITION_BEFORE = re.compile(r"\b(?i:with|to|from|at|in|on|by|for|of)[ \t]+$")


class DescriptorExtractor:
    """Described-but-unnamed people (DESCRIBED_PERSON)."""

    name = "descriptors"
    version = "1.1.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        out: list[Mention] = []
        taken: list[tuple[int, int]] = []
        for pattern, plural in ((_PLURAL, True), (_SINGULAR, False)):
            for m in pattern.finditer(text):
                start, end = m.start(), m.end()
                if any(s < end and start < e for s, e in taken):
                    continue
                mention = self._describe(document_id, text, m, plural)
                if mention is not None:
                    out.append(mention)
                    taken.append((start, end))
        out.sort(key=lambda mention: mention.start)
        return out

    def _describe(self, document_id: str, text: str, m: re.Match[str], plural: bool) -> Mention | None:
        mods = m.group("mods").split()
        if any(_excluded(mod) for mod in mods):
            return None
        if m.group("qual") is None and (_NAME_AFTER.match(text, m.end()) or _CODE_AFTER.match(text, m.end())):
            return None
        named = _NAME_BEFORE.search(text, max(0, m.start() - 60), m.start())
        if named and not _PREPOSITION_BEFORE.search(text, max(0, named.start() - 8), named.start()):
            return None
        head = m.group("role").lower()
        if plural:
            head = _ROLES.plural[" ".join(head.split())]
        head = " ".join(head.split())
        # the most specific role the modifiers and head spell: "youth" + "worker" -> "youth worker"
        words = [w.lower() for w in mods] + head.split()
        role_written = head
        for i in range(len(words)):
            candidate = " ".join(words[i:])
            if candidate in _ROLES.singular:
                role_written = candidate
                break
        canonical, category = _ROLES.singular[role_written]
        if category == "generic" and m.group("role")[:1].isupper() and m.group("det")[:1].islower():
            return None  # "that Big Man had done the same": a nickname, not a description
        det = " ".join(m.group("det").lower().split())
        if plural and category == "generic" and not det.startswith("one of"):
            return None  # "1,400 children", "five women": a group, not a person to resolve
        attributes: dict[str, object] = {
            "role": canonical,
            "head": role_written,
            "description": m.group(),
            "category": category,
            "qualifier": m.group("qual").strip() if m.group("qual") else None,
        }
        if any(w.lower() in _UNNAMED_WORDS for w in mods) or m.group("unknown"):
            attributes["unnamed"] = True
        if plural:
            count = _count(det)
            if det.startswith("one of"):
                attributes["count"] = 1
                attributes["of_group"] = True
            elif count is not None:
                attributes["count"] = count
            else:
                attributes["count"] = None  # "several"
        return build_mention(
            self.id,
            document_id,
            text,
            m.start(),
            m.end(),
            MentionType.DESCRIBED_PERSON,
            CONFIDENCE[category],
            attributes,
        )


def _excluded(modifier: str) -> bool:
    word = modifier.lower().strip("'’")
    if word in _EXCLUDED or word.endswith(_EXCLUDED_SUFFIXES):
        return True
    return any(part in _EXCLUDED for part in word.split("-"))


def _count(det: str) -> int | None:
    if det in _NUMBER_WORDS:
        return _NUMBER_WORDS[det]
    digits = det.replace(",", "")
    return int(digits) if digits.isdigit() else None
