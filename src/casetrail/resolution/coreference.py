"""Within-document resolution: which person mentions in one document are the same person.

Mentions are read in order. A full name ("DS John Hartley", "Professor Alexis Jay") opens a
cluster; a later surname, rank + surname or title + surname ("Hartley", "DS Hartley", "Prof Jay")
joins the one earlier cluster with that surname. Matching is on whole tokens, case-folded
("Jayne" is never "Jay"). When two earlier clusters share the surname and nothing in the
mention (its rank) tells them apart, the mention stays on its own, flagged ambiguous: a wrong
merge inside one document is worse than a missed one, because linkage builds on it.

Then `build_records` turns each cluster into a PersonRecord for cross-document linkage, adding
attributes found near the cluster's mentions. Association is deliberately simple: a phone,
vehicle registration, collar number or force goes to the nearest person mention in the same
sentence (ties go to the earlier mention); an age or date of birth only to the nearest person
mention *before* it in the sentence ("Bolton, then aged 40"), because "I was 13 when Bolton ..."
is usually the narrator's age. Without the document text, "same sentence" becomes "within
SENTENCE_WINDOW characters".
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import jellyfish

from casetrail.model import Mention, MentionType, PersonRecord
from casetrail.resolution.given_names import is_known_given_name, name_keys
from casetrail.resolution.person_name import (
    CIVIL_TITLES,
    TITLE_GENDER,
    PersonName,
    canonical_rank,
    display,
    fold,
    parse_name,
)

PERSON_TYPES = frozenset({MentionType.PERSON, MentionType.OFFICER, MentionType.PSEUDONYM})
SENTENCE_WINDOW = 80  # characters, when no text is available
# "Mark Bolton (known as 'Tiny')": a nickname right after a name, joined only by punctuation or a
# "known as" phrase, names that person. Without the text, only a gap of a few characters counts.
NICKNAME_GAP = 4
_NICKNAME_LINK = re.compile(
    r"""^[\s,(–—-]*(?:(?:also |who was |who is |better |commonly )?known as|aka|a\.k\.a\.?|nicknamed|called|"""
    r"""who (?:everyone|we|they|people) (?:called|call)|alias)?[\s'"‘“(]*$""",
    re.IGNORECASE,
)
_BOUNDARY = re.compile(r"[.!?]['\")\]’”]*(?:\s+|$)|\n\s*\n")
_FORCE = re.compile(r"\b(police|constabulary|cid|squad)\b", re.IGNORECASE)
# Occupations (roles from the extractors) that no police officer holds at the same time: a record with
# one of them and a record with a police rank are two people, whatever their surnames (issue 13).
CIVIL_ROLES: frozenset[str] = frozenset(
    {
        "solicitor",
        "barrister",
        "judge",
        "mp",
        "councillor",
        "mayor",
        "police and crime commissioner",
        "children's commissioner",
        "journalist",
        "social worker",
        "teacher",
        "doctor",
        "nurse",
        "youth worker",
        "coroner",
        "civil servant",
    }
)
# Counsel in court reports: "Rebecca Wright KC", "Rebecca Wright, prosecuting", "Prosecuting, Rebecca Wright".
_COUNSEL_AFTER = re.compile(
    r"[ \t]*,?[ \t]*(?:KC|QC)\b|[ \t]*,[ \t]*(?i:prosecuting|defending|for[ \t]+the[ \t]+"
    r"(?:prosecution|defence|crown))\b"
)
_COUNSEL_BEFORE = re.compile(
    r"(?i:prosecuting|defending|for[ \t]+the[ \t]+(?:prosecution|defence|crown))[ \t]*,?[ \t]*$"
)


@dataclass(frozen=True)
class RoledRecord(PersonRecord):
    """A PersonRecord with what the text says a person is, for telling namesakes apart across documents:
    `roles` (civil occupations, "barrister", "judge"), `gender` ("m"/"f" from a title) and `police`
    (a rank or an officer mention). Linkage never joins records these contradict."""

    roles: tuple[str, ...] = ()
    gender: str | None = None
    police: bool = False


@dataclass(frozen=True)
class MentionCluster:
    """Mentions in one document judged to be one person, with the fullest name they give."""

    document_id: str
    canonical: str
    mentions: tuple[Mention, ...]
    type: str  # "officer" if any mention carries a rank, else "person" or "pseudonym"
    given_name: str | None = None
    initial: str | None = None
    surname: str | None = None
    nicknames: tuple[str, ...] = ()
    rank: str | None = None
    title: str | None = None
    collar_number: str | None = None
    ambiguous: bool = False  # a bare surname that could be either of two earlier people

    @property
    def record_id(self) -> str:
        first = self.mentions[0]
        return f"{first.document_id}:{first.start}"


@dataclass
class _Group:
    mentions: list[Mention] = field(default_factory=list)
    names: list[PersonName] = field(default_factory=list)
    given: str | None = None
    initial: str | None = None
    surname: str | None = None
    rank: str | None = None
    title: str | None = None
    nicknames: list[str] = field(default_factory=list)
    collar: str | None = None
    pseudonym: str | None = None
    ambiguous: bool = False

    @property
    def surname_key(self) -> str | None:
        return fold(self.surname) if self.surname else None

    @property
    def full(self) -> bool:
        return self.surname is not None and self.initial is not None

    def add(self, mention: Mention, name: PersonName | None) -> None:
        self.mentions.append(mention)
        if name is None:
            return
        self.names.append(name)
        if name.surname and (self.surname is None or (name.given and not self.given)):
            self.surname = self.surname or name.surname
        if name.given and not self.given:
            self.given = name.given
        if name.initial and not self.initial:
            self.initial = name.initial
        self.rank = self.rank or name.rank
        self.title = self.title or name.title
        self.collar = self.collar or name.collar_number
        if name.nickname and fold(name.nickname) not in {fold(n) for n in self.nicknames}:
            self.nicknames.append(name.nickname)


def _name_of(m: Mention) -> PersonName:
    """Parse the mention's text; fill gaps from what the extractor normalised."""
    attrs = m.attributes or {}
    name = parse_name(m.text, rank=attrs.get("rank"), collar_number=_str(attrs.get("collar_number")))
    if attrs.get("nickname") and not name.nickname:
        nick = str(attrs["nickname"])
        # A mention that is just the nickname carries no name parts of its own.
        if fold(nick) == fold(m.text.strip("'\"‘’“” ")):
            return PersonName(text=m.text, nickname=nick, rank=name.rank, collar_number=name.collar_number)
        name = replace(name, nickname=nick)
    if attrs.get("name") and not name.surname:
        alt = parse_name(str(attrs["name"]))
        name = replace(name, given=alt.given, initial=alt.initial, surname=alt.surname)
    elif attrs.get("name") and attrs.get("title") and not name.title:
        # "Judge Simon Barlow": the extractor knows the title, which parse_name may read as a given name
        alt = parse_name(str(attrs["name"]))
        if alt.surname:
            name = replace(
                name,
                given=alt.given,
                initial=alt.initial,
                surname=alt.surname,
                title=str(attrs["title"]),
                prefix=str(attrs["title"]),
            )
    return name


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _given_compatible(
    a_given: str | None, a_initial: str | None, b_given: str | None, b_initial: str | None, fuzzy: bool
) -> bool:
    if a_given and b_given:
        fa, fb = fold(a_given), fold(b_given)
        if fa == fb or set(name_keys(fa)) & set(name_keys(fb)):
            return True
        return fuzzy and min(len(fa), len(fb)) >= 4 and jellyfish.damerau_levenshtein_distance(fa, fb) <= 1
    if a_initial and b_initial:
        return a_initial == b_initial
    return True


def _surname_match(group: _Group, key: str, fuzzy: bool) -> bool:
    gk = group.surname_key
    if gk is None:
        return False
    if gk == key:
        return True
    return fuzzy and min(len(gk), len(key)) >= 5 and jellyfish.damerau_levenshtein_distance(gk, key) <= 1


def _rank_compatible(group: _Group, rank: str | None) -> bool:
    return rank is None or group.rank is None or group.rank == rank


def resolve_document(mentions: Iterable[Mention], text: str | None = None) -> list[MentionCluster]:
    """Cluster one document's PERSON, OFFICER and PSEUDONYM mentions; other types are ignored.

    `text`, the document's text, is optional; with it, a nickname is tied to the name just before
    it only when the words between say so ("(known as 'Tiny')").
    """
    people = sorted((m for m in mentions if m.type in PERSON_TYPES), key=lambda m: (m.start, m.end))
    groups: list[_Group] = []
    previous: tuple[Mention, _Group] | None = None
    for m in people:
        if m.type == MentionType.PSEUDONYM:
            # the name the extractor gives ("PC B" for the "B" of "Police Constables A, B and C")
            key = fold(str((m.attributes or {}).get("name") or m.text))
            group = next((g for g in groups if g.pseudonym == key), None)
            if group is None:
                group = _Group(pseudonym=key)
                groups.append(group)
            group.add(m, None)
            previous = None
            continue
        name = _name_of(m)
        group = _place(m, name, groups, previous, text)
        group.add(m, name)
        previous = (m, group)
    return [_cluster(g) for g in groups]


def _introduces_nickname(m: Mention, previous: Mention, text: str | None) -> bool:
    gap = m.start - previous.end
    if gap < 0:
        return False
    if text is None:
        return gap <= NICKNAME_GAP
    return gap <= 40 and _NICKNAME_LINK.match(text[previous.end : m.start]) is not None


def _place(
    m: Mention, name: PersonName, groups: list[_Group], previous: tuple[Mention, _Group] | None, text: str | None
) -> _Group:
    def new(ambiguous: bool = False) -> _Group:
        g = _Group(ambiguous=ambiguous)
        groups.append(g)
        return g

    named = [g for g in groups if g.pseudonym is None]
    if name.surname is None and name.initial is None and name.nickname:
        key = fold(name.nickname)
        match = [g for g in named if key in {fold(n) for n in g.nicknames}]
        if len(match) == 1:
            return match[0]
        if previous is not None and not previous[1].nicknames and _introduces_nickname(m, previous[0], text):
            return previous[1]  # the nickname introduced right after a name
        return new()
    if name.surname is None:
        return new()
    key = fold(name.surname)
    if name.has_full_name:
        for fuzzy in (False, True):
            match = [
                g
                for g in named
                if g.full
                and _surname_match(g, key, fuzzy)
                and _given_compatible(g.given, g.initial, name.given, name.initial, fuzzy)
            ]
            if len(match) > 1 and name.given:
                exact = [g for g in match if g.given and fold(g.given) == fold(name.given)]
                match = exact or match
            if len(match) == 1:
                return match[0]
            if match:
                return new(ambiguous=True)
        # A surname-only cluster opened earlier ("DS Hartley ... DS John Hartley") is this person
        # if it is the only one with that surname.
        partial = [
            g
            for g in named
            if not g.full and g.surname_key == key and _rank_compatible(g, name.rank) and not g.ambiguous
        ]
        same_surname = [g for g in named if g.surname_key == key]
        if len(partial) == 1 and len(same_surname) == 1:
            return partial[0]
        return new()
    # A surname alone, perhaps with a rank or title: exact surnames first, then a given name or
    # nickname alone ("Mark", "Tiny"), then surnames one typo away.
    for fuzzy in (False, True):
        match = [g for g in named if g.full and _surname_match(g, key, fuzzy)]
        if name.rank:
            match = [g for g in match if _rank_compatible(g, name.rank)]
            if len(match) > 1:
                match = [g for g in match if g.rank == name.rank] or match
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            return new(ambiguous=True)
        match = [
            g
            for g in named
            if not g.full and not g.ambiguous and _surname_match(g, key, fuzzy) and _rank_compatible(g, name.rank)
        ]
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            return new(ambiguous=True)
        if not fuzzy and name.rank is None and name.title is None:
            keys = set(name_keys(key))
            match = [g for g in named if any(n.given and set(name_keys(fold(n.given))) & keys for n in g.names)]
            if len(match) == 1:
                return match[0]
            match = [g for g in named if key in {fold(n) for n in g.nicknames}]
            if len(match) == 1:
                return match[0]
    return new()


def _cluster(g: _Group) -> MentionCluster:
    first = g.mentions[0]
    if g.pseudonym is not None:
        name = str((first.attributes or {}).get("name") or first.text)
        return MentionCluster(first.document_id, name, tuple(g.mentions), MentionType.PSEUDONYM.value)
    officer = g.rank is not None or any(m.type == MentionType.OFFICER for m in g.mentions)
    surname, given = g.surname, g.given
    given_only = False
    if (
        surname
        and not g.full
        and g.rank is None
        and g.title is None
        and not g.collar
        and is_known_given_name(surname)
        and len(g.names)
        and all(n.surname == surname for n in g.names)
    ):
        # A lone "Mark" never tied to a surname is a given name, not a surname.
        given, surname, given_only = surname, None, True
    canonical = _canonical(g, given, surname)
    return MentionCluster(
        document_id=first.document_id,
        canonical=canonical,
        mentions=tuple(g.mentions),
        type=MentionType.OFFICER.value if officer else MentionType.PERSON.value,
        given_name=given,
        initial=g.initial or (fold(given)[:1] if given_only and given else None),
        surname=surname,
        nicknames=tuple(g.nicknames),
        rank=g.rank,
        title=g.title,
        collar_number=g.collar,
        ambiguous=g.ambiguous,
    )


def _canonical(g: _Group, given: str | None, surname: str | None) -> str:
    """The fullest form: rank/title as written in the best mention + given name + surname."""

    def score(n: PersonName) -> tuple[int, int, int, int]:
        return (n.given is not None, n.surname is not None, n.prefix is not None, -g.names.index(n))

    best = max(g.names, key=score) if g.names else None
    prefix = best.prefix if best is not None and best.prefix else None
    if prefix is None:
        prefix = g.rank or g.title
    first = best.given if best is not None and best.given else given
    if first is None and g.initial and surname:
        first = g.initial.upper() + "."
    parts = [p for p in (prefix, display(first) if first else None, surname) if p]
    if not parts or (not surname and not first):
        return g.nicknames[0] if g.nicknames else g.mentions[0].text
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Records


def _sentence_index(text: str | None, mentions: list[Mention]) -> Callable[[int], int]:
    if text is None:
        return lambda pos: 0  # one "sentence"; _nearest applies SENTENCE_WINDOW instead
    spans = sorted((m.start, m.end) for m in mentions)
    starts = [s for s, _ in spans]
    bounds: list[int] = []
    for b in _BOUNDARY.finditer(text):
        pos = b.start()
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and spans[i][0] <= pos < spans[i][1]:
            continue  # the dot of "J. Hartley" inside a mention
        word = text[max(0, pos - 5) : pos].split()[-1:] or [""]
        if word[0].casefold().rstrip(".") in {"mr", "mrs", "ms", "dr", "st", "no", "prof", "sgt", "insp", "supt"}:
            continue
        bounds.append(b.end())
    return lambda pos: bisect.bisect_right(bounds, pos)


def _nearest(
    target: Mention,
    people: list[tuple[Mention, int]],
    sentence: Callable[[int], int],
    text: str | None,
    before_only: bool,
    officers_only: bool = False,
) -> int | None:
    best: tuple[int, int, int] | None = None
    for m, cluster_index in people:
        if officers_only and m.type != MentionType.OFFICER:
            continue
        if text is not None:
            if sentence(m.start) != sentence(target.start):
                continue
        if m.end <= target.start:
            distance, after = target.start - m.end, 0
        elif before_only:
            continue
        else:
            distance, after = max(0, m.start - target.end), 1
        if text is None and distance > SENTENCE_WINDOW:
            continue
        key = (distance, after, cluster_index)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def _phone(m: Mention) -> str | None:
    e164 = (m.attributes or {}).get("e164")
    if e164:
        return str(e164)
    digits = re.sub(r"\D", "", m.text)
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits or None


def _registration(m: Mention) -> str | None:
    attrs = m.attributes or {}
    if attrs.get("partial"):
        return None  # half a plate is not an identifier
    reg = attrs.get("registration")
    return re.sub(r"\s", "", str(reg)).upper() if reg else None


def _age(m: Mention) -> int | None:
    years = (m.attributes or {}).get("years")
    if years is not None:
        return int(years)
    digits = re.findall(r"\d+", m.text)
    return int(digits[0]) if digits else None


def build_records(
    clusters: list[MentionCluster], mentions: Iterable[Mention], text: str | None = None
) -> list[PersonRecord]:
    """One PersonRecord per cluster, with phone, vehicle, age, DOB, collar and force found nearby."""
    all_mentions = sorted(mentions, key=lambda m: (m.start, m.end))
    people = [(m, i) for i, c in enumerate(clusters) if c.type != MentionType.PSEUDONYM.value for m in c.mentions]
    sentence = _sentence_index(text, all_mentions)
    found: list[dict[str, Counter[object]]] = [{} for _ in clusters]

    def note(index: int | None, key: str, value: object) -> None:
        if index is not None and value is not None:
            found[index].setdefault(key, Counter())[value] += 1

    for m in all_mentions:
        attrs = m.attributes or {}
        if m.type == MentionType.PHONE:
            note(_nearest(m, people, sentence, text, before_only=False), "phone", _phone(m))
        elif m.type == MentionType.VEHICLE:
            note(_nearest(m, people, sentence, text, before_only=False), "vehicle", _registration(m))
        elif m.type == MentionType.AGE:
            note(_nearest(m, people, sentence, text, before_only=True), "age", _age(m))
        elif m.type == MentionType.DATE and attrs.get("date_of_birth"):
            note(_nearest(m, people, sentence, text, before_only=True), "date_of_birth", str(attrs["date_of_birth"]))
        elif m.type == MentionType.COLLAR_NUMBER:
            number = attrs.get("number") or attrs.get("collar_number") or re.sub(r"\D", "", m.text)
            index = _nearest(m, people, sentence, text, before_only=False, officers_only=True)
            note(index, "collar_number", str(number) if number else None)
        elif m.type == MentionType.ORGANISATION and _FORCE.search(m.text):
            note(_nearest(m, people, sentence, text, before_only=False, officers_only=True), "force", m.text)

    records = []
    for c, extra in zip(clusters, found):

        def pick(key: str) -> object | None:
            counts = extra.get(key)
            return counts.most_common(1)[0][0] if counts else None

        collar = c.collar_number or pick("collar_number")
        age = pick("age")
        records.append(
            RoledRecord(
                record_id=c.record_id,
                document_id=c.mentions[0].document_id,
                type=c.type,
                full_name=c.canonical,
                # An initial alone travels as a one-letter given name ("J"); linkage reads it so.
                given_name=c.given_name or (c.initial.upper() if c.initial else None),
                surname=c.surname,
                nickname=c.nicknames[0] if c.nicknames else None,
                rank=c.rank,
                collar_number=str(collar) if collar else None,
                force=_str(pick("force")),
                age=int(age) if isinstance(age, int) else None,
                date_of_birth=_str(pick("date_of_birth")),
                phone=_str(pick("phone")),
                vehicle=_str(pick("vehicle")),
                roles=_roles(c, text),
                gender=_gender(c),
                police=c.type == MentionType.OFFICER.value,
            )
        )
    return records


def _roles(c: MentionCluster, text: str | None) -> tuple[str, ...]:
    """Civil occupations the document gives this person: extractors' roles, office titles, counsel cues."""
    roles = {str(m.attributes.get("role")) for m in c.mentions if (m.attributes or {}).get("role") in CIVIL_ROLES}
    if c.title in CIVIL_TITLES:
        roles.add(c.title.lower())
    if text is not None and any(
        _COUNSEL_AFTER.match(text, m.end) or _COUNSEL_BEFORE.search(text, max(0, m.start - 40), m.start)
        for m in c.mentions
    ):
        roles.add("barrister")
    return tuple(sorted(roles))


def _gender(c: MentionCluster) -> str | None:
    """ "m" or "f" when the titles used for this person say so, and agree."""
    found = {TITLE_GENDER[t] for t in _titles(c) if t in TITLE_GENDER}
    return found.pop() if len(found) == 1 else None


def _titles(c: MentionCluster) -> set[str]:
    out = {c.title} if c.title else set()
    for m in c.mentions:
        title = (m.attributes or {}).get("title")
        out.add(str(title) if title else parse_name(m.text).title or "")
    return out - {""}


def records_for_document(mentions: Iterable[Mention], text: str | None = None) -> list[PersonRecord]:
    """resolve_document + build_records for one document's mentions."""
    mentions = list(mentions)
    return build_records(resolve_document(mentions, text), mentions, text)


__all__ = [
    "MentionCluster",
    "RoledRecord",
    "build_records",
    "canonical_rank",
    "records_for_document",
    "resolve_document",
]
