"""PersonIndex: which entities a member of staff is, for the independence and need-to-know bars."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.model.entity import Entity
from casetrail.resolution.matching import (
    Given,
    GivenNames,
    PersonIndex,
    Wanted,
    given_agreement,
    matching,
)
from casetrail.resolution.person_name import parse_name


def entity(id: str, name: str, *aliases: str, kind: str = "officer", **attributes: Any) -> Entity:
    return Entity(id, kind, name, aliases=tuple(aliases), attributes=attributes)


HARTLEYS = PersonIndex(
    [
        entity("E-darren", "PC Darren Hartley", "Darren Hartley", "PC Hartley", "Hartley"),
        entity("E-ds", "DS Hartley"),
        entity("E-initial", "D. Hartley", kind="person"),
        entity("E-bare", "Hartley", kind="person"),
        entity("E-mrs", "Mrs Hartley", kind="person"),
        entity("E-collar", "PC 4521", collar_number=["4521"]),
        entity("E-kev", "Kev Hartley", kind="person"),
        entity("E-pseudonym", "Darren Hartley", kind="person", pseudonym=True),
    ]
)


def test_staff_not_matched_on_surname_alone() -> None:
    # Darren's cluster holds a bare "PC Hartley" too; it must not let Sarah in through that alias.
    found = HARTLEYS.match("Sarah Hartley")
    assert "E-darren" not in found and "E-initial" not in found and "E-kev" not in found
    assert "E-bare" not in found and "E-mrs" not in found  # a surname with no rank says nothing
    assert "E-ds" in found  # ... but an officer known only as "DS Hartley" might be her


@pytest.mark.parametrize(
    ("staff", "expected"),
    [
        ("Darren Hartley", {"E-darren", "E-initial", "E-ds"}),
        ("PC Darren Hartley", {"E-darren", "E-initial", "E-ds"}),
        ("D. Hartley", {"E-darren", "E-initial", "E-ds"}),
        ("HARTLEY, Darren", {"E-darren", "E-initial", "E-ds"}),
        ("Daz Hartley", {"E-darren", "E-initial", "E-ds"}),  # a familiar form of Darren
        ("Kevin Hartley", {"E-kev", "E-ds"}),
        ("Sarah Hartley", {"E-ds"}),
        ("Hartley", set()),  # staff registered by surname alone match no one
        ("Sarah Whitcombe", set()),
    ],
)
def test_matches_by_name(staff: str, expected: set[str]) -> None:
    assert HARTLEYS.match(staff) == expected


def test_collar_numbers() -> None:
    index = PersonIndex(
        [
            entity("E-4521", "PC Darren Hartley", collar_number=["4521"]),
            entity("E-7730", "PC D. Hartley", collar_number=["7730"]),
            entity("E-bare", "PC 4521", collar_number=["4521"]),
            entity("E-ds", "DS Hartley", collar_number=["4521"]),
        ]
    )
    assert index.match("Darren Hartley", "4521") == {"E-4521", "E-bare", "E-ds"}
    assert index.match("Darren Hartley", "7730") == {"E-7730"}  # 4521's holder is another Darren Hartley
    assert index.match("Sarah Hartley", "4521") == {"E-bare", "E-ds"}  # a shared collar does not beat Sarah vs Darren
    assert index.match("Sarah Okafor", "4521") == {"E-bare"}  # nor does it beat another surname
    assert index.match("PC 4521") == {"E-bare", "E-4521", "E-ds"}  # the collar read from the name itself


def test_a_different_collar_rules_out_a_surname_only_officer() -> None:
    index = PersonIndex([entity("E-ds", "DS Hartley", collar_number=["1180"])])
    assert index.match("Sarah Hartley") == {"E-ds"}
    assert index.match("Sarah Hartley", "2291") == set()


def test_judged_over_every_written_form() -> None:
    # A cluster that resolution fused wrongly (Darren and Sarah) still bars both: a missed bar is worse.
    fused = PersonIndex([entity("E-1", "PC Darren Hartley", "PC Sarah Hartley")])
    assert fused.match("Sarah Hartley") == {"E-1"}
    # An alias under another surname (a misspelling resolution joined) still finds the entity.
    spelled = PersonIndex([entity("E-2", "Darren Whitlok", "Constable D. Whitlock")])
    assert spelled.match("Darren Whitlock") == {"E-2"}
    assert spelled.match("Diane Whitlock") == {"E-2"}  # "D." may be Diane: only the initial is known
    assert spelled.match("Peter Whitlock") == set()


def test_given_agreement() -> None:
    def names(written: str) -> GivenNames:
        return GivenNames.of([parse_name(written)])

    assert given_agreement(names("Michael Bolton"), names("Mick Bolton")) is Given.AGREE
    assert given_agreement(names("Bill Platt"), names("W. Platt")) is Given.AGREE  # William's initial
    assert given_agreement(names("J. Platt"), names("John Platt")) is Given.AGREE
    assert given_agreement(names("Jayne Platt"), names("Jay Platt")) is Given.CONFLICT  # whole names only
    assert given_agreement(names("Sarah Hartley"), names("D. Hartley")) is Given.CONFLICT
    assert given_agreement(names("Sarah Hartley"), names("DS Hartley")) is Given.UNKNOWN


# -- the index's keys only narrow: it finds what judging every entity finds ---------------------

RANKS = ("", "PC ", "DS ", "Sergeant ", "Mrs ")
GIVEN = ("", "Darren ", "D. ", "Michael ", "Mick ", "M. ", "Bill ", "William ", "W. ", "Sarah ", "Kev ", "Kevin ")
SURNAMES = ("Hartley", "Whitlok", "Okafor-Quist")
COLLARS = (None, "4471", "1180")


def written() -> st.SearchStrategy[str]:
    return st.builds(
        lambda r, g, s: f"{r}{g}{s}", st.sampled_from(RANKS), st.sampled_from(GIVEN), st.sampled_from(SURNAMES)
    )


@st.composite
def entities(draw: st.DrawFn) -> list[Entity]:
    found = []
    for n in range(draw(st.integers(1, 8))):
        collar = draw(st.sampled_from(COLLARS))
        attributes: dict[str, Any] = {"collar_number": [collar]} if collar else {}
        if draw(st.booleans()) and draw(st.booleans()):
            attributes["pseudonym"] = True
        kind = draw(st.sampled_from(("person", "officer", "vehicle")))
        found.append(entity(f"E-{n}", draw(written()), *draw(st.lists(written(), max_size=2)), kind=kind, **attributes))
    return found


@given(entities(), st.sampled_from(GIVEN), st.sampled_from(SURNAMES), st.sampled_from(COLLARS))
@settings(max_examples=300, deadline=None)
def test_the_index_finds_what_judging_every_entity_finds(
    known: list[Entity], given_name: str, surname: str, collar: str | None
) -> None:
    wanted = Wanted.of(f"{given_name}{surname}", collar)
    assert PersonIndex(known).match(f"{given_name}{surname}", collar) == matching(wanted, known)
