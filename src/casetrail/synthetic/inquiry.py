"""A seeded generator of fictional inquiries whose ground truth is known exactly.

`generate_inquiry(n, seed)` builds a cast (officers of fictional forces, suspects with nicknames,
pseudonymous survivors, professionals) and `n` documents written in their voices. Each document
carries the list of true mentions: character spans computed while the text is assembled, so
`text[start:end] == mention.text` always holds, each tied to a cast id (None for descriptions of
unnamed officers, places, dates ...).

Typing conventions of the truth (they follow casetrail.model.MentionType):
  * a name with a police rank or collar number ("DS Hartley", "PC 4521 Ali") is OFFICER; the same
    officer named without a rank ("Hartley", "John Hartley") is PERSON;
  * nicknames ("Tiny") are PERSON with attributes {"nickname": ...};
  * survivors appear only by pseudonym (PSEUDONYM);
  * day- or month-level dates are DATE; seasons, years, decades and ranges are PERIOD;
  * a vehicle's description ("red Vauxhall Astra") and its registration mark are separate
    VEHICLE mentions, both tied to the owner.

`write_corpus` writes the documents as files (mostly .txt, some .md and .html) and, only when
asked, the truth as JSON somewhere outside the corpus directory.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from casetrail.model import Mention, MentionType
from casetrail.model.words import MONTH_NAMES
from casetrail.synthetic import names as N

TRUTH_EXTRACTOR = "truth@1"

# rank key -> (written forms, abbreviated first; carries a collar number)
RANKS: dict[str, tuple[tuple[str, ...], bool]] = {
    "PC": (("PC", "Police Constable", "Constable"), True),
    "DC": (("DC", "Det Con", "Detective Constable"), True),
    "Sgt": (("Sgt", "Sergeant", "PS"), True),
    "DS": (("DS", "Det Sgt", "Detective Sergeant"), True),
    "Insp": (("Insp", "Inspector"), False),
    "DI": (("DI", "Det Insp", "Detective Inspector"), False),
    "DCI": (("DCI", "Det Ch Insp", "Detective Chief Inspector"), False),
    "Supt": (("Supt", "Superintendent"), False),
    "Det Supt": (("Det Supt", "Detective Superintendent"), False),
    "Ch Supt": (("Ch Supt", "Chief Superintendent"), False),
}
RANK_KEYS: tuple[str, ...] = tuple(RANKS)
RANK_WEIGHTS: tuple[int, ...] = (30, 14, 10, 16, 6, 9, 6, 4, 3, 2)
TYPO_RATE = 0.05


@dataclass(frozen=True)
class Vehicle:
    registration: str  # as on the plate, e.g. "P412 KDL"
    format: str  # "suffix" (1963-83), "prefix" (1983-2001) or "current" (2001-)
    make: str
    model: str
    colour: str


@dataclass(frozen=True)
class CastMember:
    id: str
    kind: str  # "officer", "suspect", "survivor" or "professional"
    full_name: str  # the pseudonym, for survivors
    given_name: str | None = None
    surname: str | None = None
    sex: str = "m"
    rank: str | None = None  # a RANKS key
    force: str | None = None
    collar_number: str | None = None
    phone: str | None = None  # as usually written, e.g. "07700 900123"
    phone_e164: str | None = None
    vehicle: Vehicle | None = None
    nicknames: tuple[str, ...] = ()
    birth_year: int | None = None
    date_of_birth: str | None = None  # ISO
    role: str | None = None  # professionals: "social worker" ...
    title: str | None = None  # professionals: "Mrs", "Dr" ...


@dataclass(frozen=True)
class TruthMention:
    start: int
    end: int
    text: str
    type: str  # a MentionType value
    cast_id: str | None
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_mention(self, document_id: str) -> Mention:
        """The mention a perfect extractor would have recorded."""
        return Mention(
            document_id,
            self.start,
            self.end,
            self.text,
            MentionType(self.type),
            TRUTH_EXTRACTOR,
            1.0,
            dict(self.attributes),
        )


@dataclass(frozen=True)
class Statement:
    doc: str  # file name, e.g. "statement-000012.txt"
    kind: str  # "statement", "complaint" or "intelligence"
    submitted_by: str
    date: str  # ISO date the document was made
    text: str
    mentions: tuple[TruthMention, ...]


@dataclass(frozen=True)
class Inquiry:
    seed: int
    cast: tuple[CastMember, ...]
    statements: tuple[Statement, ...]

    def member(self, cast_id: str) -> CastMember:
        return self._index()[cast_id]

    def _index(self) -> dict[str, CastMember]:
        index = self.__dict__.get("_cast_index")
        if index is None:
            index = {m.id: m for m in self.cast}
            object.__setattr__(self, "_cast_index", index)
        return index


# --------------------------------------------------------------------------------------------
# The cast


def _plate(rng: random.Random, used: set[str]) -> tuple[str, str]:
    letters = "ABCDEFGHJKLMNPRSTUVWXY"
    while True:
        roll = rng.random()
        if roll < 0.65:
            fmt = "prefix"
            plate = f"{rng.choice('ABCDEFGHJKLMNPRSTVWXY')}{rng.randint(1, 999)} " + "".join(rng.choices(letters, k=3))
        elif roll < 0.8:
            fmt = "suffix"
            plate = "".join(rng.choices(letters, k=3)) + f" {rng.randint(1, 999)}{rng.choice('ABCDEFGHJKLMNPRSTVWXY')}"
        else:
            fmt = "current"
            age = rng.choice(("51", "02", "52", "03", "53", "04", "54", "05", "55", "06", "56", "07"))
            plate = "".join(rng.choices(letters, k=2)) + age + " " + "".join(rng.choices(letters, k=3))
        if plate not in used:
            used.add(plate)
            return plate, fmt


def _phone_pool(rng: random.Random) -> list[tuple[str, str]]:
    pool = [
        (
            f"{prefix} {local} {n:04d}" if prefix != "07700" else f"{prefix} {local}{n:03d}",
            f"{e164}{n:04d}" if prefix != "07700" else f"{e164}{n:03d}",
        )
        for prefix, local, e164 in N.PHONE_RANGES
        for n in range(1000)
    ]
    rng.shuffle(pool)
    return pool


def _cast_sizes(statements: int) -> dict[str, int]:
    return {
        "officer": max(12, statements // 40),
        "suspect": max(16, statements // 8),
        "survivor": max(12, statements // 3),
        "professional": max(6, statements // 60),
    }


# Anchors every inquiry has, so tests and demos can rely on the hard cases: two officers of one
# force sharing a surname, and a suspect sharing it too.
ANCHORS: tuple[dict[str, Any], ...] = (
    {
        "kind": "officer",
        "given_name": "John",
        "surname": "Hartley",
        "sex": "m",
        "rank": "DS",
        "force": "Northmoor Police",
    },
    {
        "kind": "officer",
        "given_name": "Sarah",
        "surname": "Hartley",
        "sex": "f",
        "rank": "PC",
        "force": "Northmoor Police",
    },
    {
        "kind": "officer",
        "given_name": "Hassan",
        "surname": "Ali",
        "sex": "m",
        "rank": "PC",
        "force": "Northmoor Police",
    },
    {"kind": "suspect", "given_name": "Mark", "surname": "Bolton", "sex": "m", "nicknames": ("Tiny",)},
    {"kind": "suspect", "given_name": "Darren", "surname": "Hartley", "sex": "m"},
)


def _build_cast(statements: int, rng: random.Random) -> list[CastMember]:
    sizes = _cast_sizes(statements)
    phones = _phone_pool(rng)
    plates: set[str] = set()
    used_names: set[tuple[str, str]] = set()
    used_collars: set[tuple[str, str]] = set()
    surnames_used: list[str] = []
    nicknames_used: set[str] = {n for a in ANCHORS for n in a.get("nicknames", ())}
    cast: list[CastMember] = []
    anchors = {kind: [a for a in ANCHORS if a["kind"] == kind] for kind in sizes}
    for kind in ("officer", "suspect", "professional"):
        for i in range(sizes[kind]):
            spec = anchors[kind][i] if i < len(anchors[kind]) else {}
            sex = spec.get("sex") or ("m" if rng.random() < {"officer": 0.75, "suspect": 0.92}.get(kind, 0.45) else "f")
            given = spec.get("given_name")
            surname = spec.get("surname")
            while given is None or surname is None or ((given, surname) in used_names and not spec):
                given = rng.choice(N.MALE_GIVEN if sex == "m" else N.FEMALE_GIVEN)
                # A share of the cast reuses surnames already in use, so resolution must keep
                # different people with one surname apart.
                if surnames_used and rng.random() < 0.15:
                    surname = rng.choice(surnames_used)
                else:
                    surname = rng.choice(N.SURNAMES)
            used_names.add((given, surname))
            surnames_used.append(surname)
            cid = f"C{len(cast) + 1:05d}"
            rank = force = collar = role = title = None
            nicknames: tuple[str, ...] = tuple(spec.get("nicknames", ()))
            if kind == "officer":
                rank = spec.get("rank") or rng.choices(RANK_KEYS, weights=RANK_WEIGHTS)[0]
                force = spec.get("force") or rng.choices(N.FORCES, weights=N.FORCE_WEIGHTS)[0]
                if RANKS[rank][1]:
                    while collar is None or (force, collar) in used_collars:
                        collar = str(rng.randint(100, 9999))
                    used_collars.add((force, collar))
                has_phone, has_vehicle = rng.random() < 0.25, rng.random() < 0.25
            elif kind == "suspect":
                if not nicknames and rng.random() < 0.45:
                    # Nicknames are unique while the list lasts, as they tend to be on one patch;
                    # a very large inquiry reuses them, and linkage must cope.
                    free = [n for n in N.NICKNAMES if n not in nicknames_used]
                    nicknames = (rng.choice(free) if free else rng.choice(N.NICKNAMES),)
                nicknames_used.update(nicknames)
                has_phone, has_vehicle = rng.random() < 0.75, rng.random() < 0.7
            else:
                role, title = rng.choice(N.PROFESSIONS)
                if title in ("Mrs", "Miss", "Ms") and sex == "m" or title == "Mr" and sex == "f":
                    title = "Ms" if sex == "f" else "Mr"
                has_phone = has_vehicle = False
            phone = e164 = None
            if has_phone and phones:
                phone, e164 = phones.pop()
            vehicle = None
            if has_vehicle:
                plate, fmt = _plate(rng, plates)
                make, model = rng.choice(N.MAKES_MODELS)
                vehicle = Vehicle(plate, fmt, make, model, rng.choice(N.COLOURS))
            birth_year = rng.randint(1945, 1978) if kind != "officer" else rng.randint(1945, 1975)
            dob = f"{birth_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            cast.append(
                CastMember(
                    id=cid,
                    kind=kind,
                    full_name=f"{given} {surname}",
                    given_name=given,
                    surname=surname,
                    sex=sex,
                    rank=rank,
                    force=force,
                    collar_number=collar,
                    phone=phone,
                    phone_e164=e164,
                    vehicle=vehicle,
                    nicknames=nicknames,
                    birth_year=birth_year,
                    date_of_birth=dob,
                    role=role,
                    title=title,
                )
            )
    for i in range(sizes["survivor"]):
        if i < len(N.PSEUDONYMS):
            pseudonym = N.PSEUDONYMS[i]
        else:
            # Beyond the word list, inquiries fall back on codes ("Child K17").
            pseudonym = f"Child {'ABCDEFGHJKLMNPRSTUVWXYZ'[i % 23]}{i // 23}"
        birth_year = rng.randint(1980, 1995)
        cast.append(
            CastMember(
                id=f"C{len(cast) + 1:05d}",
                kind="survivor",
                full_name=pseudonym,
                sex="f" if rng.random() < 0.85 else "m",
                birth_year=birth_year,
            )
        )
    return cast


# --------------------------------------------------------------------------------------------
# Templates. A slot in braces becomes text and usually a mention; see Writer.slot().

INTRO = (
    "My name for this inquiry is {ME}.",
    "I have been given the pseudonym {ME} for this statement.",
    "I am known in this inquiry as {ME}, which is not my real name.",
    "I am making this statement under the pseudonym {ME}.",
    "For the purposes of this statement I will be called {ME}.",
    "I grew up in {P} and went to school nearby.",
    "I was living at {P} with my mum and my two brothers {T}.",
    "What I describe here happened {T}, when I was {AGE}.",
    "I was {AGE} when it started.",
    "I was in care {T} and my social worker was {PRO}.",
    "{T} I was placed at {P}.",
    "I don't find it easy to talk about this, but I want it on record.",
    "Most of what follows happened around {P}.",
    "I was {AGE} and at secondary school in {P}.",
)

SUSPECT = (
    "I first met {S} at {P} {T}.",
    "{S} was a lot older than us; I think {he} was {SAGE} at the time.",
    "{S} drove {V} and would wait for me outside school.",
    "{He} used to pick us up in {V}.",
    "{S} gave me a phone number, {PH}, and told me to ring {him} whenever I wanted.",
    "I still remember {his} number: {PH}.",
    "{S} took me and {W} to {P} {T}.",
    "{S} introduced me to {S2}, who {he} said was {his} cousin.",
    "At {P}, {S} and {S2} gave us vodka and cannabis.",
    "{S} told me that if I said anything {he} would hurt my family.",
    "There were other men there, including {S2}.",
    "{W} told me later that {S} had done the same to her.",
    "I was {AGE} the first time {S} assaulted me.",
    "{S} used to ring the house from {PH} and ask for me.",
    "{S} often parked {V} on {P}.",
    "I was terrified of {S}.",
    "{S} said {he} knew {O} and that nobody would believe me.",
    "{S} boasted that {O} was 'sorted' and would never bother {him}.",
    "I saw {S} hand something to {O} through a car window at {P}.",
    "{S} had a flat above {P} where {he} took girls.",
    "Everyone round our way knew {S}.",
    "{S} once drove me to {P} in {V} and left me there.",
    "{He} kept texting me from {PH} even after I moved.",
    "{S} and {S2} would swap girls between them.",
    "{T}, {S} started asking me to bring friends, including {W}.",
    "I later heard that {S} had been arrested {T}, but {he} was back out within a day.",
)

OFFICER = (
    "{T}, {O} from {FO} picked me up from {P}.",
    "I told {O} what was happening, but {he} said I was 'making it up'.",
    "{O} took me back to {P} in a police car.",
    "When I went to {P} to report it, I spoke to {O}.",
    "{O} wrote something down, but I never heard anything again.",
    "{O} said I was a 'willing participant' and that there was nothing {he} could do.",
    "I saw {O} drinking with {S} at {P} {T}.",
    "{O} told my mum I was out of control.",
    "{His} collar number was {C}; I remember because I stared at it the whole time.",
    "I think {his} number was {C}.",
    "{O}, collar number {C}, was the one who drove me home.",
    "{O} and {O2} came to the house {T}.",
    "{O} drove {V}, not a police car.",
    "{O} gave me {his} own number, {PH}, and said to ring {him} and nobody else.",
    "I made a complaint about {O} to {F} {T}, but was told it was 'not substantiated'.",
    "{O} said that {S} was 'a good informant'.",
    "{O} was with {FO} at the time.",
    "{O} arrested me for being drunk and disorderly, but nobody arrested {S}.",
    "{O} never took a statement from me.",
    "{He} knew {S} by name and they were laughing together.",
    "{O} told {O2} that I was 'a known runaway'.",
    "I recognised {O} years later in the newspaper.",
    "{O} interviewed me {T} at {P}, with {PRO} sitting in.",
    "{O} was off duty, in {V}, when {he} saw me with {S} on {P}.",
)

DESCRIBED = (
    "{X} saw me in {S}'s car and did nothing.",
    "Once {X} stopped the car on {P} and spoke to {S}.",
    "I remember {X} laughing at me at {P}.",
    "{X} came to {P} but left after talking to {S}.",
    "{T}, {X} found me and {W} in a car with {S} and let {S} drive off.",
    "{X} told me to go home and stop wasting police time.",
)

FILLER = (
    "I don't remember everything.",
    "It was a long time ago, but some things I will never forget.",
    "I felt like nobody cared.",
    "I stopped going to school.",
    "My mum was struggling at the time.",
    "Nobody ever asked me if I was all right.",
    "I have had counselling since.",
    "I was drinking a lot by then.",
    "I thought at the time that he was my boyfriend.",
    "I didn't know what grooming was then.",
    "I have thought about this every day since.",
    "It went on for a long time.",
    "I was frightened all the time.",
    "I am not sure of the exact dates.",
    "I have tried to put things in order, but it is hard.",
)

CLOSING = (
    "I want the people who were supposed to protect me to be held to account.",
    "I am willing to speak to the inquiry again if it would help.",
    "I believe the contents of this statement are true.",
    "Signed, {ME}.",
    "I have nothing more to add at this time.",
    "I would like {FO} to explain why nothing was done.",
)

COMPLAINT_INTRO = (
    "I wish to make a formal complaint about the conduct of {O} of {FO}.",
    "This complaint concerns how {FO} dealt with what happened to me {T}.",
    "I am making this complaint as {ME}.",
    "I have complained before, {T}, but nothing was done.",
    "I am writing about {O}, who I believe failed to protect me and others.",
    "My complaint is about {O} and what {he} did and did not do.",
)

COMPLAINT_CLOSING = (
    "I ask that the conduct of {O} be investigated.",
    "I want to know why {FO} did nothing.",
    "I would like a written response to this complaint.",
    "I am happy to be contacted through the inquiry team, using the name {ME}.",
)

INTEL = (
    "Intelligence received {D} indicates that {S} is associating with young girls at {P}.",
    "{S} is believed to use the mobile number {PH}.",
    "{S} drives {V}.",
    "{S} (DOB {DOB}) is known to frequent {P}.",
    "Source reports that {S} and {S2} have been seen with a female believed to be {W}.",
    "{S} is known locally as {NICK}.",
    "Officer in case: {O}, {FO}.",
    "Information passed to {O} {T}.",
    "{X} attended {P} and no further action was taken.",
    "No further action. Filed by {O}.",
    "{S} has been seen in {V} outside {P} on several occasions.",
    "Vehicle {VREG} is linked to {S}.",
    "Telephone {PH} has been in contact with a number of missing children.",
    "{S} was stopped {T} in the company of {W}; no offences disclosed.",
    "Reporting officer: {O} (collar number {C}).",
    "Grading B2. Source believes {S} is supplying alcohol to children at {P}.",
)

_SLOT = re.compile(r"\{(\w+)\}")

Template = tuple[tuple[bool, str], ...]  # (is_slot, text)


def _compile(templates: tuple[str, ...]) -> tuple[tuple[Template, frozenset[str]], ...]:
    out = []
    for t in templates:
        parts: list[tuple[bool, str]] = []
        pos = 0
        for m in _SLOT.finditer(t):
            if m.start() > pos:
                parts.append((False, t[pos : m.start()]))
            parts.append((True, m.group(1)))
            pos = m.end()
        if pos < len(t):
            parts.append((False, t[pos:]))
        out.append((tuple(parts), frozenset(p for is_slot, p in parts if is_slot)))
    return tuple(out)


POOLS = {
    name: _compile(pool)
    for name, pool in {
        "intro": INTRO,
        "suspect": SUSPECT,
        "officer": OFFICER,
        "described": DESCRIBED,
        "filler": FILLER,
        "closing": CLOSING,
        "complaint_intro": COMPLAINT_INTRO,
        "complaint_closing": COMPLAINT_CLOSING,
        "intel": INTEL,
    }.items()
}

DESCRIPTORS = (
    "a uniformed officer in a marked car",
    "another officer I didn't know",
    "an older detective in a grey suit",
    "a policewoman whose name I never knew",
    "two officers in a patrol car",
    "a plain-clothes officer",
    "an officer with a beard",
    "the sergeant on the front desk",
    "a young constable",
    "an unnamed officer",
    "a tall officer with ginger hair",
    "a detective who said he was from CID",
)

# A piece of a sentence: its text and, if it is a mention, (type, cast id, attributes).
Piece = tuple[str, tuple[str, str | None, dict[str, Any]] | None]


# --------------------------------------------------------------------------------------------
# Writing one document


def _typo(word: str, rng: random.Random) -> str:
    """One-character edit (substitute, delete, insert or swap), keeping the first letter."""
    if len(word) < 4:
        return word
    letters = "abcdefghijklmnoprstuwy"
    for _ in range(5):
        i = rng.randint(1, len(word) - 1)
        op = rng.randint(0, 3)
        if op == 0:
            out = word[:i] + rng.choice(letters) + word[i + 1 :]
        elif op == 1:
            out = word[:i] + word[i + 1 :]
        elif op == 2:
            out = word[:i] + rng.choice(letters) + word[i:]
        elif i < len(word) - 1:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            continue
        if out != word:
            return out
    return word


class Writer:
    """Builds one document sentence by sentence, recording every mention's span as it goes."""

    def __init__(
        self,
        rng: random.Random,
        kind: str,
        me: CastMember | None,
        officers: list[CastMember],
        suspects: list[CastMember],
        others: list[CastMember],
        pros: list[CastMember],
        year: int,
    ) -> None:
        self.rng = rng
        self.kind = kind
        self.me = me
        self.officers = officers
        self.suspects = suspects
        self.others = others
        self.pros = pros
        self.year = year
        self.parts: list[str] = []
        self.offset = 0
        self.mentions: list[TruthMention] = []
        self.seen: set[str] = set()
        surnames = [p.surname for p in officers + suspects + pros]
        # People sharing a surname within one document are always named in full.
        self.clash = {s for s in surnames if surnames.count(s) > 1}
        self.focus: CastMember | None = None
        self.bound: dict[str, CastMember] = {}

    # -- low level
    def write_sentence(self, pieces: list[Piece]) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append(" ")
            self.offset += 1
        first = True
        for text, mention in pieces:
            if first and text:
                text = text[0].upper() + text[1:]
                first = False
            if mention is not None:
                mtype, cast_id, attrs = mention
                if mtype in ("person", "officer"):
                    attrs = dict(attrs)
                    if "name" in attrs and attrs["name"][:1].islower():
                        attrs["name"] = text  # keeps attributes in step with capitalisation
                self.mentions.append(TruthMention(self.offset, self.offset + len(text), text, mtype, cast_id, attrs))
            self.parts.append(text)
            self.offset += len(text)

    def end_paragraph(self) -> None:
        if self.parts:
            self.parts.append("\n\n")
            self.offset += 2

    # -- people
    def _name_part(self, text: str) -> str:
        if self.rng.random() < TYPO_RATE:
            words = text.split(" ")
            j = self.rng.randrange(len(words))
            words[j] = _typo(words[j], self.rng)
            return " ".join(words)
        return text

    def person(self, p: CastMember) -> list[Piece]:
        if p.kind == "survivor":
            return [(p.full_name, ("pseudonym", p.id, {}))]
        rng = self.rng
        first = p.id not in self.seen
        self.seen.add(p.id)
        clash = p.surname in self.clash
        given, surname = p.given_name or "", p.surname or ""
        if self.kind == "intelligence" and p.kind == "suspect" and rng.random() < 0.7:
            name = (
                self._name_part(surname).upper() + ", " + given
                if rng.random() < 0.5
                else given + " " + self._name_part(surname).upper()
            )
            return [(name, ("person", p.id, {"name": name}))]
        if p.kind == "officer":
            assert p.rank is not None
            forms, has_collar = RANKS[p.rank]
            rank = forms[0] if rng.random() < 0.6 else rng.choice(forms)
            roll = rng.random()
            if first or clash:
                if roll < 0.5 or clash and roll < 0.8:
                    name = self._name_part(f"{given} {surname}")
                elif roll < 0.62 and has_collar and p.collar_number and forms[0] in ("PC", "DC", "Sgt", "DS"):
                    name = self._name_part(surname)
                    text = f"{forms[0]} {p.collar_number} {name}"
                    return [
                        (text, ("officer", p.id, {"rank": forms[0], "name": name, "collar_number": p.collar_number}))
                    ]
                elif roll < 0.72:
                    sep = rng.choice((". ", ".")) if given[0] in "AI" else rng.choice((". ", " ", "."))
                    name = f"{given[0]}{sep}{self._name_part(surname)}"
                elif roll < 0.8 and given in N.DIMINUTIVES:
                    name = self._name_part(f"{rng.choice(N.DIMINUTIVES[given])} {surname}")
                elif roll < 0.9:
                    name = self._name_part(f"{given} {surname}")
                    return [(name, ("person", p.id, {"name": name}))]
                else:
                    name = self._name_part(surname)
                return [(f"{rank} {name}", ("officer", p.id, {"rank": rank, "name": name}))]
            if roll < 0.4:
                name = self._name_part(surname)
                return [(name, ("person", p.id, {"name": name}))]
            if roll < 0.85:
                name = self._name_part(surname)
            else:
                name = self._name_part(f"{given} {surname}")
            return [(f"{rank} {name}", ("officer", p.id, {"rank": rank, "name": name}))]
        if p.kind == "professional":
            roll = rng.random()
            if first or clash:
                if roll < 0.6:
                    name = self._name_part(f"{given} {surname}")
                    text = f"{p.title} {name}" if roll < 0.35 else name
                    out: list[Piece] = [
                        (text, ("person", p.id, {"name": name, "title": p.title} if roll < 0.35 else {"name": name}))
                    ]
                    if rng.random() < 0.5:
                        out.append((f" ({p.role})", None))
                    return out
                name = self._name_part(surname)
                return [(f"{p.title} {name}", ("person", p.id, {"name": name, "title": p.title}))]
            name = self._name_part(surname)
            return [(f"{p.title} {name}", ("person", p.id, {"name": name, "title": p.title}))]
        # suspects
        roll = rng.random()
        nick = p.nicknames[0] if p.nicknames else None
        if first or clash:
            if nick and roll < 0.15:
                g, s = self._name_part(f"{given} {surname}").split(" ", 1)
                return [(f"{g} '{nick}' {s}", ("person", p.id, {"name": f"{g} {s}", "nickname": nick}))]
            if nick and roll < 0.35:
                name = self._name_part(f"{given} {surname}")
                frame = rng.choice((" (known as '{}')", " (who everyone called '{}')", " ('{}')"))
                pre, post = frame.split("{}")
                return [
                    (name, ("person", p.id, {"name": name})),
                    (pre, None),
                    (nick, ("person", p.id, {"nickname": nick})),
                    (post, None),
                ]
            if nick and roll < 0.42 and not clash:
                return [("a man known as '", None), (nick, ("person", p.id, {"nickname": nick})), ("'", None)]
            if roll < 0.5 and given in N.DIMINUTIVES:
                name = self._name_part(f"{rng.choice(N.DIMINUTIVES[given])} {surname}")
            elif roll < 0.57:
                name = f"{given[0]}. {self._name_part(surname)}"
            else:
                name = self._name_part(f"{given} {surname}")
            return [(name, ("person", p.id, {"name": name}))]
        if nick and roll < 0.25:
            return [(nick, ("person", p.id, {"nickname": nick}))]
        if roll < 0.55:
            name = self._name_part(surname)
        elif roll < 0.7:
            name = given
        else:
            name = self._name_part(f"{given} {surname}")
        return [(name, ("person", p.id, {"name": name}))]

    # -- slots
    def _time(self, day: bool = False) -> list[Piece]:
        rng = self.rng
        y = self.year + rng.randint(0, 3)
        roll = 0.0 if day else rng.random()
        if roll < 0.25:
            d, m = rng.randint(1, 28), MONTH_NAMES[rng.randrange(12)]
            form = rng.randrange(4)
            if form == 0:
                return [("on ", None), (f"{d} {m} {y}", ("date", None, {}))]
            if form == 1:
                return [("on ", None), (f"{d:02d}/{MONTH_NAMES.index(m) + 1:02d}/{y}", ("date", None, {}))]
            if form == 2:
                suffix = "th" if 10 < d < 14 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
                return [("on the ", None), (f"{d}{suffix} of {m} {y}", ("date", None, {}))]
            return [
                ("on ", None),
                (
                    f"{d}{'th' if 10 < d < 14 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')} {m} {y}",
                    ("date", None, {}),
                ),
            ]
        if roll < 0.4:
            return [("in ", None), (f"{MONTH_NAMES[rng.randrange(12)]} {y}", ("date", None, {}))]
        if roll < 0.55:
            return [
                ("in the ", None),
                (f"{rng.choice(('summer', 'spring', 'autumn', 'winter'))} of {y}", ("period", None, {})),
            ]
        if roll < 0.7:
            decade = f"{y // 10 * 10}s"
            part = ("early", "early", "early", "early", "mid", "mid", "mid", "late", "late", "late")[y % 10]
            text = f"mid-{decade}" if part == "mid" else f"{part} {decade}"
            return [("in the ", None), (text, ("period", None, {}))]
        if roll < 0.8:
            return [(f"between {y} and {y + rng.randint(1, 4)}", ("period", None, {}))]
        if roll < 0.9:
            return [("in ", None), (str(y), ("period", None, {}))]
        return [
            ("around ", None),
            (f"{rng.choice(('Christmas', 'Easter', 'bonfire night'))} {y}", ("period", None, {})),
        ]

    def _age(self, p: CastMember | None) -> list[Piece] | None:
        if p is None or p.birth_year is None:
            return None
        years = max(10, self.year - p.birth_year + self.rng.randint(0, 1))
        roll = self.rng.random()
        attrs = {"years": years}
        if roll < 0.35:
            return [(str(years), ("age", p.id, attrs))]
        if roll < 0.6:
            return [(f"{years} years old", ("age", p.id, attrs))]
        if roll < 0.8:
            return [(f"aged {years}", ("age", p.id, attrs))]
        return [("only ", None), (str(years), ("age", p.id, attrs))]

    def _vehicle(self, p: CastMember, reg_only: bool = False) -> list[Piece] | None:
        v = p.vehicle
        if v is None:
            return None
        rng = self.rng
        plate = v.registration if rng.random() < 0.7 else v.registration.replace(" ", "")
        reg: Piece = (plate, ("vehicle", p.id, {"registration": v.registration.replace(" ", ""), "format": v.format}))
        if reg_only:
            return [reg]
        desc = f"{v.colour} {v.make} {v.model}" if rng.random() < 0.8 else f"{v.make} {v.model}"
        art = "an " if desc[0] in "aeiouAEIOU" else "a "
        head: list[Piece] = [
            (art, None),
            (
                desc,
                (
                    "vehicle",
                    p.id,
                    {"make": v.make, "model": v.model, "colour": v.colour if desc.startswith(v.colour) else None},
                ),
            ),
        ]
        roll = rng.random()
        if roll < 0.3:
            return head + [(", registration ", None), reg]
        if roll < 0.5:
            return head + [(" (", None), reg, (")", None)]
        if roll < 0.65:
            partial = v.registration.split(" ")[0]
            return head + [
                (" with a plate starting ", None),
                (partial, ("vehicle", p.id, {"registration": partial, "partial": True})),
            ]
        return head

    def _phone(self, p: CastMember) -> list[Piece] | None:
        if p.phone is None or p.phone_e164 is None:
            return None
        digits = p.phone.replace(" ", "")
        national = digits[1:]
        roll = self.rng.random()
        if digits.startswith("07"):
            forms = (
                p.phone,
                digits,
                f"+44 {national[:4]} {national[4:]}",
                f"{digits[:5]}-{digits[5:8]}-{digits[8:]}",
                f"{digits[:4]} {digits[4:7]} {digits[7:]}",
            )
        else:
            area, rest = p.phone.split(" ", 1)
            forms = (p.phone, f"({area}) {rest}", digits, f"{area}-{rest.replace(' ', '')}", f"+44 {area[1:]} {rest}")
        text = forms[int(roll * len(forms))]
        return [(text, ("phone", p.id, {"e164": p.phone_e164}))]

    def slot(self, name: str) -> list[Piece] | None:
        rng = self.rng
        b = self.bound
        if name in ("S", "S2", "O", "O2", "W", "PRO"):
            p = b.get(name)
            return None if p is None else self.person(p)
        focus = self.focus
        if name in ("he", "him", "his", "He", "His"):
            if focus is None:
                return None
            word = {"he": ("he", "she"), "him": ("him", "her"), "his": ("his", "her")}[name.lower()][focus.sex == "f"]
            return [(word.capitalize() if name[0].isupper() else word, None)]
        if name == "ME":
            return None if self.me is None else [(self.me.full_name, ("pseudonym", self.me.id, {}))]
        if name == "P":
            return [(rng.choice(N.PLACES), ("place", None, {}))]
        if name == "F":
            return [(rng.choice(N.UNITS + N.FORCES), ("organisation", None, {}))]
        if name == "FO":
            officer = b.get("O") or (focus if focus is not None and focus.kind == "officer" else None)
            force = officer.force if officer is not None and officer.force else N.FORCES[0]
            return [(force, ("organisation", None, {}))]
        if name == "T":
            return self._time()
        if name == "D":
            return self._time(day=True)
        if name == "AGE":
            return self._age(self.me)
        if name == "SAGE":
            p = b.get("S")
            pieces = self._age(p)
            return None if pieces is None else [("about ", None)] + [x for x in pieces if x[1] is not None]
        if name == "V":
            return None if focus is None else self._vehicle(focus)
        if name == "VREG":
            return None if focus is None else self._vehicle(focus, reg_only=True)
        if name == "PH":
            return None if focus is None else self._phone(focus)
        if name == "C":
            p = b.get("O")
            if p is None or p.collar_number is None:
                return None
            return [(p.collar_number, ("collar_number", p.id, {"number": p.collar_number}))]
        if name == "X":
            return [(rng.choice(DESCRIPTORS), ("described_person", None, {}))]
        if name == "NICK":
            p = b.get("S")
            if p is None or not p.nicknames:
                return None
            return [("'", None), (p.nicknames[0], ("person", p.id, {"nickname": p.nicknames[0]})), ("'", None)]
        if name == "DOB":
            p = b.get("S")
            if p is None or p.date_of_birth is None:
                return None
            y, m, d = p.date_of_birth.split("-")
            return [(f"{d}/{m}/{y}", ("date", p.id, {"date_of_birth": p.date_of_birth}))]
        raise KeyError(name)

    def _bind(self, slots: frozenset[str]) -> bool:
        """Choose who S, S2, O, O2, W and PRO are for one sentence; False if the cast can't fill it."""
        rng = self.rng
        focus = self.focus
        b: dict[str, CastMember] = {}
        for role, pool in (("S", self.suspects), ("O", self.officers)):
            if (
                role in slots
                or role + "2" in slots
                or (role == "S" and ({"SAGE", "NICK", "DOB"} & slots))
                or (role == "O" and ({"C", "FO"} & slots))
            ):
                if focus is not None and focus in pool:
                    first = focus
                elif pool:
                    first = rng.choice(pool)
                else:
                    return False
                b[role] = first
                if role + "2" in slots:
                    rest = [p for p in pool if p is not first]
                    if not rest:
                        return False
                    b[role + "2"] = rng.choice(rest)
        if "W" in slots:
            if not self.others:
                return False
            b["W"] = rng.choice(self.others)
        if "PRO" in slots:
            if not self.pros:
                return False
            b["PRO"] = rng.choice(self.pros)
        self.bound = b
        return True

    def sentence(self, pool: str, focus: CastMember | None = None, tries: int = 6) -> bool:
        templates = POOLS[pool]
        self.focus = focus
        # Until the focal person has been named, only templates that name them will do, so no
        # paragraph opens on a bare "He".
        named = None if focus is None or focus.id in self.seen else ("S" if focus.kind == "suspect" else "O")
        for _ in range(tries):
            parts, slots = templates[self.rng.randrange(len(templates))]
            if named is not None and named not in slots:
                continue
            if not self._bind(slots):
                continue
            pieces: list[Piece] = []
            for is_slot, text in parts:
                if is_slot:
                    got = self.slot(text)
                    if got is None:
                        break
                    pieces.extend(got)
                else:
                    pieces.append((text, None))
            else:
                self.write_sentence(pieces)
                return True
        return False

    def text(self) -> str:
        out = "".join(self.parts)
        return out[:-2] if out.endswith("\n\n") else out


# --------------------------------------------------------------------------------------------
# The inquiry


class _Picker:
    """Draws cast members with a long-tailed popularity, fast (cumulative weights + bisect)."""

    def __init__(self, members: list[CastMember], skew: float) -> None:
        self.members = members
        total = 0.0
        self.cum: list[float] = []
        for i in range(len(members)):
            total += 1.0 / (i + 1) ** skew
            self.cum.append(total)

    def pick(self, rng: random.Random, k: int, exclude: CastMember | None = None) -> list[CastMember]:
        if not self.members:
            return []
        out: list[CastMember] = []
        for _ in range(k * 3):
            p = rng.choices(self.members, cum_weights=self.cum, k=1)[0]
            if p is not exclude and p not in out:
                out.append(p)
                if len(out) == k:
                    break
        return out


def _ext(index: int) -> str:
    # Mostly plain text; a steady share of Markdown and HTML exercises intake's readers.
    return {7: "md", 13: "html"}.get(index % 20, "txt")


def _document(i: int, rng: random.Random, pickers: dict[str, _Picker], survivors: list[CastMember]) -> Statement:
    kind = rng.choices(("statement", "complaint", "intelligence"), weights=(70, 15, 15))[0]
    officers = pickers["officer"].pick(rng, rng.choices((1, 2, 3), weights=(4, 4, 2))[0])
    suspects = pickers["suspect"].pick(rng, rng.choices((0, 1, 2, 3), weights=(1, 4, 4, 2))[0])
    me = None if kind == "intelligence" else survivors[rng.randrange(len(survivors))]
    others = pickers["survivor"].pick(rng, rng.choices((0, 1, 2), weights=(5, 4, 1))[0], exclude=me)
    pros = pickers["professional"].pick(rng, rng.choices((0, 1), weights=(3, 1))[0])
    # Events happen in the survivor's early teens; intelligence is dated independently.
    year = me.birth_year + rng.randint(11, 15) if me is not None and me.birth_year else rng.randint(1994, 2008)
    w = Writer(rng, kind, me, officers, suspects, others, pros, year)
    focal = officers + suspects
    rng.shuffle(focal)
    if kind == "intelligence":
        for p in focal:
            for _ in range(rng.randint(1, 3)):
                w.sentence("intel", p)
            if rng.random() < 0.5:
                w.end_paragraph()
        if rng.random() < 0.4:
            w.sentence("intel", None)
    else:
        intro = "intro" if kind == "statement" else "complaint_intro"
        first = officers[0] if kind == "complaint" else None
        for _ in range(rng.randint(1, 3)):
            w.sentence(intro, first)
        w.end_paragraph()
        # Every named participant gets a paragraph of their own, in shuffled order, with filler
        # and descriptions of unnamed officers mixed in.
        for p in focal:
            for _ in range(rng.randint(1, 4)):
                roll = rng.random()
                if roll < 0.12:
                    w.sentence("filler")
                elif roll < 0.2:
                    w.sentence("described")
                else:
                    w.sentence(p.kind, p)  # the "officer" or "suspect" pool
            if rng.random() < 0.75:
                w.end_paragraph()
        if not focal or rng.random() < 0.3:
            w.sentence("filler")
        w.end_paragraph()
        closing = "closing" if kind == "statement" else "complaint_closing"
        for _ in range(rng.randint(0, 2)):
            w.sentence(closing, officers[0] if officers else None)
    text = w.text()
    prefix = {"statement": "statement", "complaint": "complaint", "intelligence": "intel"}[kind]
    submitted_by = me.full_name if me is not None else f"{rng.choice(N.FORCES)} disclosure"
    made = f"{rng.randint(2014, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return Statement(f"{prefix}-{i:06d}.{_ext(i)}", kind, submitted_by, made, text, tuple(w.mentions))


def generate_inquiry(statements: int, seed: int = 0) -> Inquiry:
    """A fictional inquiry of `statements` documents; the same seed gives the same inquiry."""
    if statements < 0:
        raise ValueError("statements must be >= 0")
    rng = random.Random(seed)
    cast = _build_cast(statements, rng)
    by_kind: dict[str, list[CastMember]] = {}
    for m in cast:
        by_kind.setdefault(m.kind, []).append(m)
    pickers = {kind: _Picker(members, 0.8 if kind != "survivor" else 0.5) for kind, members in by_kind.items()}
    docs = tuple(_document(i + 1, rng, pickers, by_kind["survivor"]) for i in range(statements))
    return Inquiry(seed, tuple(cast), docs)


# --------------------------------------------------------------------------------------------
# Files


def _html(statement: Statement) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in statement.text.split("\n\n"))
    title = html.escape(f"{statement.kind.capitalize()} of {statement.submitted_by}")
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title></head>\n'
        f"<body>\n{paragraphs}\n</body>\n</html>\n"
    )


def truth_dict(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "seed": inquiry.seed,
        "cast": [asdict(m) for m in inquiry.cast],
        "documents": [
            {
                "doc": s.doc,
                "kind": s.kind,
                "submitted_by": s.submitted_by,
                "date": s.date,
                "text": s.text,
                "mentions": [asdict(m) for m in s.mentions],
            }
            for s in inquiry.statements
        ],
    }


def write_corpus(inquiry: Inquiry, out_dir: Path, truth_path: Path | None = None) -> list[Path]:
    """Write each document into `out_dir`; the truth goes to `truth_path` only, never into out_dir.

    Spans in the truth are offsets into each document's `text` (also stored in the truth): the
    .txt and .md files hold exactly that text; the .html files wrap each paragraph in <p>.
    Returns the document paths, in order.
    """
    out_dir = Path(out_dir)
    if truth_path is not None:
        truth_path = Path(truth_path)
        if truth_path.resolve().is_relative_to(out_dir.resolve()):
            raise ValueError("truth_path must lie outside out_dir, or an ingest of out_dir would read it")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for s in inquiry.statements:
        path = out_dir / s.doc
        body = _html(s) if s.doc.endswith(".html") else s.text + "\n"
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    if truth_path is not None:
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        truth_path.write_text(json.dumps(truth_dict(inquiry), ensure_ascii=False), encoding="utf-8")
    return paths


def read_truth(truth_path: Path) -> Inquiry:
    """Load an inquiry written by write_corpus(..., truth_path=...)."""
    raw = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    cast = []
    for m in raw["cast"]:
        vehicle = Vehicle(**m["vehicle"]) if m.get("vehicle") else None
        cast.append(CastMember(**{**m, "vehicle": vehicle, "nicknames": tuple(m.get("nicknames", ()))}))
    docs = tuple(
        Statement(
            d["doc"],
            d["kind"],
            d["submitted_by"],
            d["date"],
            d["text"],
            tuple(TruthMention(**t) for t in d["mentions"]),
        )
        for d in raw["documents"]
    )
    return Inquiry(raw["seed"], tuple(cast), docs)


def iter_person_mentions(statement: Statement) -> Iterator[TruthMention]:
    """The mentions that name or stand for a person (what resolution consumes)."""
    return (m for m in statement.mentions if m.type in ("person", "officer", "pseudonym"))


__all__: list[str] = [
    "CastMember",
    "Inquiry",
    "Statement",
    "TruthMention",
    "Vehicle",
    "generate_inquiry",
    "write_corpus",
    "read_truth",
    "truth_dict",
    "iter_person_mentions",
]
