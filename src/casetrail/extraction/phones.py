"""UK telephone numbers (PHONE) and postcodes (POSTCODE).

Phones come from libphonenumber's matcher with region GB. Its VALID leniency rejects Ofcom's
drama ranges (07700 900xxx, 0114 496 xxxx ...) that fictional and redacted documents use, so the
matcher runs at POSSIBLE leniency and a match is kept when libphonenumber calls it valid, or when it
is written as a UK number ("0...", "+44", "(0...") with a 9-10 digit national number. That drops
"1998", "1234567" and the like. Attributes: {"e164", "valid", "type"}.

Postcodes: the full pattern, including "GIR 0AA". The outward code must start with a real postcode
area (AB ... ZE) and respect the position rules (no Q/V/X first, no I/J/Z second, restricted third and
fourth letters); inward letters exclude C, I, K, M, O and V. Upper case only, space optional.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberType

from casetrail.extraction.extractor import build_mention
from casetrail.model import Mention, MentionType

CONFIDENCE_VALID_PHONE = 0.95
CONFIDENCE_POSSIBLE_PHONE = 0.8
CONFIDENCE_POSTCODE = 0.9

_UK_WRITTEN = re.compile(r"(?:\+\s?44|\(?0)")
_HAS_PHONE_DIGITS = re.compile(r"(?:\+\s?44|\b0|\(0)[\d\s().-]{8,}")

_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
}


class PhoneExtractor:
    """UK phone numbers, normalised to E.164."""

    name = "phones"
    version = "1.0.0"

    def __init__(self, region: str = "GB") -> None:
        self.region = region
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        if not _HAS_PHONE_DIGITS.search(text):
            return []  # the matcher is the slowest rule; most paragraphs have no candidate at all
        out: list[Mention] = []
        for match in phonenumbers.PhoneNumberMatcher(text, self.region, leniency=Leniency.POSSIBLE):
            number = match.number
            valid = phonenumbers.is_valid_number(number)
            national = phonenumbers.national_significant_number(number)
            if not valid and not (
                _UK_WRITTEN.match(match.raw_string) and number.country_code == 44 and 9 <= len(national) <= 10
            ):
                continue
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            kind = (
                _TYPES.get(phonenumbers.number_type(number), "unknown")
                if valid
                else ("mobile" if national.startswith("7") else "unknown")
            )
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    match.start,
                    match.end,
                    MentionType.PHONE,
                    CONFIDENCE_VALID_PHONE if valid else CONFIDENCE_POSSIBLE_PHONE,
                    {"e164": e164, "valid": valid, "type": kind},
                )
            )
        return out


# Postcode areas of the UK (and Crown dependencies), from Royal Mail's list.
POSTCODE_AREAS: frozenset[str] = frozenset(
    """
    AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX
    FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N
    NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF
    TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
    """.split()
)

_POSTCODE = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<gir>GIR ?0AA)"
    r"|(?P<outward>"
    r"[A-PR-UWYZ][0-9][0-9]?"  # A9, A99
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"  # AA9, AA99
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"  # A9A
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"  # AA9A
    r") ?(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})"
    r")(?![\w-])"
)


def postcode_area(outward: str) -> str:
    return outward[:2] if len(outward) > 1 and outward[1].isalpha() else outward[:1]


class PostcodeExtractor:
    """UK postcodes with a real postcode area, normalised to "OUTWARD INWARD"."""

    name = "postcodes"
    version = "1.0.0"

    def __init__(self) -> None:
        self.id = f"{self.name}@{self.version}"

    def extract(self, document_id: str, text: str) -> list[Mention]:
        out: list[Mention] = []
        for m in _POSTCODE.finditer(text):
            if m.group("gir"):
                outward, inward = "GIR", "0AA"
            else:
                outward, inward = m.group("outward"), m.group("inward")
                if postcode_area(outward) not in POSTCODE_AREAS:
                    continue
            out.append(
                build_mention(
                    self.id,
                    document_id,
                    text,
                    m.start(),
                    m.end(),
                    MentionType.POSTCODE,
                    CONFIDENCE_POSTCODE,
                    {
                        "postcode": f"{outward} {inward}",
                        "outward": outward,
                        "inward": inward,
                        "area": "GIR" if outward == "GIR" else postcode_area(outward),
                    },
                )
            )
        return out
