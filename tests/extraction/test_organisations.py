"""Bodies from the list, abbreviations the text defines, operations and name patterns."""

from __future__ import annotations

import pytest

from casetrail.extraction import OrganisationExtractor
from casetrail.model import MentionType

EXTRACTOR = OrganisationExtractor()


def orgs(text: str) -> list[tuple[str, str]]:
    out = []
    for m in EXTRACTOR.extract("doc", text):
        assert m.type is MentionType.ORGANISATION
        out.append((m.text, m.attributes["canonical"]))
    return out


def test_learned_abbreviation_applies_to_every_use() -> None:
    text = "Northmoor Widgets Board (NWB) met. Later the NWB said the NWB's staff knew."
    assert orgs(text) == [
        ("Northmoor Widgets Board", "Northmoor Widgets Board"),
        ("NWB", "Northmoor Widgets Board"),
        ("NWB", "Northmoor Widgets Board"),
        ("NWB", "Northmoor Widgets Board"),
    ]
    assert {m.attributes["source"] for m in EXTRACTOR.extract("doc", text)} == {"defined"}


def test_definition_overrides_the_list() -> None:
    text = "the Police Standards Directorate (PSD) reviewed it; PSD found nothing."
    assert ("PSD", "Police Standards Directorate") in orgs(text)


@pytest.mark.parametrize(
    ("text", "abbreviation", "canonical"),
    [
        ("South Yorkshire Police (SYP) officers", "SYP", "South Yorkshire Police"),
        ("the National Crime Agency (NCA) said", "NCA", "National Crime Agency"),
        ("Britain’s Independent Office for Police Conduct (IOPC) has", "IOPC", "Independent Office for Police Conduct"),
        ("Safer Neighbourhood Teams (SNTs) were introduced", "SNT", "Safer Neighbourhood Teams"),
        ("the Multi-Agency Safeguarding Hub (MASH) met", "MASH", "Multi-Agency Safeguarding Hub"),
    ],
)
def test_definitions(text: str, abbreviation: str, canonical: str) -> None:
    mentions = EXTRACTOR.extract("doc", text)
    assert [m.attributes["canonical"] for m in mentions] == [canonical, canonical]
    assert all(m.attributes["abbreviation"] == abbreviation for m in mentions)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("the IOPC said", "Independent Office for Police Conduct"),
        ("The IPCC said", "Independent Police Complaints Commission"),
        ("what's stopping the CPS?", "Crown Prosecution Service"),
        ("SYP's self-investigation", "South Yorkshire Police"),
        ("HMICFRS inspected", "His Majesty's Inspectorate of Constabulary and Fire & Rescue Services"),
        ("His Majesty’s Inspectorate of Constabulary", "His Majesty's Inspectorate of Constabulary"),
        ("Her Majesty's Inspectorate of Constabulary", "His Majesty's Inspectorate of Constabulary"),
        ("the Inspectorate of Constabulary", "His Majesty's Inspectorate of Constabulary"),
        ("referred to CEOP", "Child Exploitation and Online Protection Command"),
        ("the NPCC", "National Police Chiefs' Council"),
        ("South Yorkshire Police’s major crime unit", "South Yorkshire Police"),
    ],
)
def test_listed_bodies(text: str, canonical: str) -> None:
    assert [c for _t, c in orgs(text)] == [canonical]


@pytest.mark.parametrize(
    ("text", "span", "kind"),
    [
        ("Operation Linden, an IOPC review", "Operation Linden", "operation"),
        ("including Operation Stovewood, and", "Operation Stovewood", "operation"),
        ("officers of Northmoor Police said", "Northmoor Police", "police_force"),
        ("South Calder Constabulary", "South Calder Constabulary", "police_force"),
        ("Rotherham Metropolitan Borough Council told GB News", "Rotherham Metropolitan Borough Council", "council"),
        ("Wealdham Borough Council", "Wealdham Borough Council", "council"),
        ("the Child Protection Unit", "Child Protection Unit", "body"),
        ("Wealdham Children's Services", "Wealdham Children's Services", "body"),
        ("Picture: Ross Parry Agency", "Ross Parry Agency", "body"),
        ("compiled by Switalskis Solicitors allege", "Switalskis Solicitors", "body"),
        ("an ex-South Yorkshire Police officer", "South Yorkshire Police", "police_force"),
    ],
)
def test_patterns(text: str, span: str, kind: str) -> None:
    mentions = [m for m in EXTRACTOR.extract("doc", text) if m.text == span]
    assert len(mentions) == 1 and mentions[0].attributes["kind"] == kind


@pytest.mark.parametrize(
    "text",
    [
        "Rotherham Member of Parliament (MP) Sarah Champion",
        "child sexual exploitation (CSE) in Rotherham",
        "Children's Sexual Exploitation (CSE) in Rotherham",
        "Senior Police officers",
        "the operation was a success",
        "the council said",
    ],
)
def test_not_organisations(text: str) -> None:
    assert orgs(text) == []
