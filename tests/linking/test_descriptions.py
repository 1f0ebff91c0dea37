"""Unknown subjects compared on their descriptions; neutral on ethnicity, religion and nationality."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.linking.descriptions import (
    DEFAULT_MIN_SCORE,
    P_FORCE,
    P_PERIOD,
    P_PLATE,
    W_FORCE,
    W_PLATE_FITS,
    W_PLATE_SAME,
    W_RANK,
    WEAK_CEILING,
    UnknownProposal,
    canonical_rank,
    compare_descriptions,
    neutral_words,
    propose_unknown_matches,
    protected_terms,
    same_force,
)
from casetrail.model.casework import Comparison, Description, Period, Subject


def noisy_or(*weights: float) -> float:
    miss = 1.0
    for w in weights:
        miss *= 1 - w
    return 1 - miss


def unknown(sid: str, case: str, **fields: object) -> Subject:
    return Subject(sid, f"AL-{sid}", case, unknown=Description(**fields))  # type: ignore[arg-type]


def verdict(left: str, right: str, same: bool, leaf: int) -> Comparison:
    return Comparison(left, right, same, "looked at both", "S-0001", "2025-01-01T00:00:00Z", leaf)


# -- fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("SYP", "South Yorkshire Police", True),
        ("the South Yorkshire Police force", "south yorkshire", True),
        ("GMP", "Greater Manchester Police", True),
        ("Met", "Metropolitan Police Service", True),
        ("MPS", "the Metropolitan Police", True),
        ("Northdale Constabulary", "Northdale Police", True),
        ("SYP", "WYP", False),
        ("South Yorkshire Police", "West Yorkshire Police", False),
    ],
)
def test_forces_compare_by_name_and_acronym(a: str, b: str, same: bool) -> None:
    assert same_force(a, b) is same
    assert same_force(b, a) is same


@pytest.mark.parametrize(
    ("text", "rank"),
    [
        ("PC", "PC"),
        ("Police Constable", "PC"),
        ("W.P.C.", "PC"),
        ("a uniformed constable", "PC"),
        ("PS", "Sgt"),
        ("custody sergeant", "Sgt"),
        ("Det. Sgt", "DS"),
        ("DS", "DS"),
        ("detective constable", "DC"),
        ("Chief Constable", "Chief Constable"),
        ("DCI", "DCI"),
        ("Insp.", "Insp"),
        ("officer", None),
    ],
)
def test_ranks_have_one_canonical_form(text: str, rank: str | None) -> None:
    assert canonical_rank(text) == rank


def test_a_partial_registration_with_force_and_rank_is_proposed_without_rank_it_is_not() -> None:
    a = Description(force="SYP", rank="PC", vehicle="marked car, reg started R12?")
    b = Description(force="South Yorkshire Police", rank="Police Constable", vehicle="R123 ABC, a red Ford Escort")
    score, reasons, differences = compare_descriptions(a, b)
    assert score == round(noisy_or(W_FORCE, W_RANK, W_PLATE_FITS), 4) == 0.4443
    assert reasons == [
        "same force (South Yorkshire Police)",
        "same rank (PC)",
        "registrations could match (R12... / R123ABC)",
    ]
    assert differences == []
    assert score >= DEFAULT_MIN_SCORE
    no_rank = compare_descriptions(Description(force="SYP", vehicle="R12?"), b)[0]
    assert no_rank == round(noisy_or(W_FORCE, W_PLATE_FITS), 4) == 0.3825
    assert no_rank < DEFAULT_MIN_SCORE

    subjects = [
        unknown("SU-0001", "C-0001", force="SYP", rank="PC", vehicle="R12?"),
        unknown("SU-0002", "C-0002", force="South Yorkshire Police", rank="PC", vehicle="R123 ABC"),
        unknown("SU-0003", "C-0003", force="SYP", vehicle="R12?"),
    ]
    proposals = propose_unknown_matches(subjects, [])
    assert [(p.left, p.right, p.score) for p in proposals] == [("SU-0001", "SU-0002", 0.4443)]


def test_registrations() -> None:
    same = compare_descriptions(Description(vehicle="R123ABC"), Description(vehicle="silver van r123 abc"))
    assert same == (W_PLATE_SAME, ["same registration R123ABC"], [])
    pattern = compare_descriptions(Description(vehicle="R1?3ABC"), Description(vehicle="R123 ABC"))
    assert pattern[0] == W_PLATE_FITS
    ending = compare_descriptions(Description(vehicle="plate ends in 3ABC"), Description(vehicle="R123 ABC"))
    assert ending[1] == ["registrations could match (...3ABC / R123ABC)"]
    # a model name is not a partial registration
    assert compare_descriptions(Description(vehicle="Audi A4"), Description(vehicle="A123 BCD"))[2] == []
    # different full registrations: a difference, which lowers what else agrees
    a = Description(rank="PC", vehicle="R123 ABC", physical="tattoo on his neck")
    b = Description(rank="PC", vehicle="S456 DEF", physical="neck tattoo")
    score, reasons, differences = compare_descriptions(a, b)
    assert differences == ["registrations differ (R123ABC vs S456DEF)"]
    assert reasons == ["same rank (PC)", "both described as neck, tattoo"]
    assert score == round(noisy_or(W_RANK, noisy_or(0.3, 0.1)) * P_PLATE, 4)


def test_disagreements_lower_the_score_and_are_listed() -> None:
    a = Description(force="SYP", rank="PC", period=Period("1997", "1999"), physical="tall, glasses, scar")
    b = Description(force="Northdale Police", rank="DS", period=Period("2005", "2006"), physical="short, glasses, scar")
    score, reasons, differences = compare_descriptions(a, b)
    assert reasons == ["both described as glasses, scar"]
    assert differences == [
        "different forces (Northdale Police vs SYP)",
        "different ranks (DS vs PC)",
        "periods do not overlap (1997-1999 vs 2005-2006)",
        "described differently: short vs tall",
    ]
    assert score == round(noisy_or(0.3, 0.3) * P_FORCE * 0.6 * P_PERIOD * 0.7, 4)
    # a detective of unstated rank is not a different rank from a DS
    assert compare_descriptions(Description(rank="Detective"), Description(rank="DS")) == (0.0, [], [])


def test_periods_overlap_in_proportion() -> None:
    score, reasons, _ = compare_descriptions(
        Description(period=Period("1997", "2000")), Description(period=Period("1999", "2002"))
    )
    assert reasons == ["periods overlap (1999-2000)"]
    assert score == round(0.15 * 2 / 6, 4)


def test_hair_and_eye_colours_compare_without_words_for_skin() -> None:
    a = Description(physical="black hair, brown eyes, dark-skinned, stocky")
    b = Description(physical="short dark hair and dark eyes, heavy-set")
    score, reasons, differences = compare_descriptions(a, b)
    assert reasons == ["both described as dark-eyed, dark-haired, stocky"]
    assert score == round(noisy_or(0.1, 0.1, 0.1), 4)
    fair = compare_descriptions(a, Description(physical="blond"))
    assert fair == (0.0, [], ["described differently: dark-haired vs fair-haired"])


# -- neutral by design --------------------------------------------------------------------------


def test_protected_terms_are_thorough() -> None:
    terms = protected_terms()
    assert len(terms) > 250
    for term in (
        "asian",
        "white",
        "black",
        "pakistani",
        "british",
        "muslim",
        "christian",
        "sikh",
        "jewish",
        "irish",
        "mixed race",
        "eastern european",
        "hijab",
        "turban",
        "urdu",
        "roma",
        "heritage",
    ):
        assert term in terms, term


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (Description(physical="Asian"), Description(physical="asian")),
        (Description(physical="British-Pakistani Muslim man"), Description(physical="pakistani, muslim, british")),
        (Description(physical="white, Irish accent, Catholic"), Description(physical="White Irish catholic")),
        (Description(physical="dark-skinned, wore a turban"), Description(physical="dark skin, turban")),
        (Description(role="Asian officer"), Description(role="an asian officer")),
        (Description(place="the Sikh gurdwara"), Description(place="sikh gurdwara")),
        (Description(unit="Eastern European team"), Description(unit="eastern european squad")),
    ],
)
def test_agreeing_only_on_protected_terms_scores_zero(left: Description, right: Description) -> None:
    assert compare_descriptions(left, right) == (0.0, [], [])
    subjects = [Subject("SU-0001", "AL-1", "C-0001", unknown=left), Subject("SU-0002", "AL-2", "C-0002", unknown=right)]
    assert propose_unknown_matches(subjects, [], min_score=0.0) == []


def test_protected_terms_are_removed_from_text() -> None:
    assert neutral_words("a British-Pakistani Muslim man with a turban, olive complexion, tall") == [
        "a",
        "man",
        "with",
        "a",
        "tall",
    ]


def _protected_in(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("-", " "))
    found = []
    for term in protected_terms():
        parts = term.split()
        for i in range(len(words) - len(parts) + 1):
            window = words[i : i + len(parts)]
            if window == parts or window[:-1] + [window[-1].removesuffix("s")] == parts:
                found.append(term)
    return found


NEUTRAL_WORDS = [
    "tall",
    "short",
    "slim",
    "stocky",
    "tattoo",
    "scar",
    "glasses",
    "beard",
    "moustache",
    "dark hair",
    "grey hair",
    "blue eyes",
    "6ft",
    "uniformed",
    "custody",
    "driver",
    "Mill Lane",
    "station",
    "CID",
    "red",
    "Ford",
    "Escort",
    "R123 ABC",
    "R12?",
]
PROTECTED_WORDS = [
    "Asian",
    "white",
    "black",
    "brown",
    "Pakistani",
    "British",
    "Muslim",
    "Sikh",
    "Jewish",
    "Irish",
    "Christian",
    "mixed-race",
    "Eastern European",
    "dark-skinned",
    "turban",
    "hijab",
    "Somali",
    "Kashmiri",
    "Roma",
    "Urdu-speaking",
    "of Bangladeshi heritage",
]
FORCES = ["SYP", "South Yorkshire Police", "British Transport Police", "Northdale Constabulary", None]
RANKS = ["PC", "Police Constable", "DS", "Sgt", "Detective", None]


def texts() -> st.SearchStrategy[str | None]:
    words = st.lists(st.sampled_from(NEUTRAL_WORDS + PROTECTED_WORDS), max_size=5)
    return st.one_of(st.none(), words.map(", ".join))


@st.composite
def descriptions(draw: st.DrawFn) -> Description:
    years = draw(st.one_of(st.none(), st.tuples(st.integers(1990, 2010), st.integers(0, 5))))
    period = Period(str(years[0]), str(years[0] + years[1])) if years else None
    return Description(
        force=draw(st.sampled_from(FORCES)),
        unit=draw(texts()),
        rank=draw(st.sampled_from(RANKS)),
        role=draw(texts()),
        vehicle=draw(texts()),
        place=draw(texts()),
        period=period,
        physical=draw(texts()),
    )


@given(descriptions(), descriptions())
@settings(max_examples=300, deadline=None)
def test_comparison_is_symmetric_bounded_and_never_names_a_protected_term(a: Description, b: Description) -> None:
    result = compare_descriptions(a, b)
    assert compare_descriptions(b, a) == result
    score, reasons, differences = result
    assert 0.0 <= score <= 1.0
    for text in reasons + differences:
        assert _protected_in(text) == [], text
    assert compare_descriptions(a, a)[2] == []  # nothing differs from itself


@given(
    st.lists(descriptions(), min_size=2, max_size=8), st.integers(1, 3), st.sampled_from([0.2, DEFAULT_MIN_SCORE, 0.6])
)
@settings(max_examples=150, deadline=None)
def test_proposals_equal_comparing_every_pair(found: list[Description], n_cases: int, min_score: float) -> None:
    subjects = [Subject(f"SU-{i:04d}", f"AL-{i}", f"C-{i % n_cases}", unknown=d) for i, d in enumerate(found)]
    expected = []
    for i, a in enumerate(subjects):
        for b in subjects[i + 1 :]:
            score, _, _ = compare_descriptions(a.unknown, b.unknown)  # type: ignore[arg-type]
            if a.case_id != b.case_id and score >= min_score and score > 0:
                expected.append((a.id, b.id, score))
    got = [(p.left, p.right, p.score) for p in propose_unknown_matches(subjects, [], min_score=min_score)]
    assert sorted(got) == sorted(expected)
    assert [s for _, _, s in got] == sorted((s for _, _, s in got), reverse=True)


# -- proposing ------------------------------------------------------------------------------------


def test_proposals_skip_the_same_case_and_decided_pairs() -> None:
    plate = {"vehicle": "R123 ABC"}
    subjects = [
        unknown("SU-0001", "C-0001", **plate),
        unknown("SU-0002", "C-0001", **plate),
        unknown("SU-0003", "C-0002", **plate),
        unknown("SU-0004", "C-0003", **plate),
        Subject("SU-0005", "AL-5", "C-0004", entity=None, staff_id="S-0009"),
    ]  # not unknown: never compared
    everything = {(p.left, p.right) for p in propose_unknown_matches(subjects, [])}
    assert everything == {
        ("SU-0001", "SU-0003"),
        ("SU-0001", "SU-0004"),
        ("SU-0002", "SU-0003"),
        ("SU-0002", "SU-0004"),
        ("SU-0003", "SU-0004"),
    }
    decided = [
        verdict("SU-0003", "SU-0001", False, 1),
        verdict("SU-0004", "SU-0003", True, 2),
        verdict("SU-0002", "SU-0004", True, 3),
        verdict("SU-0002", "SU-0004", False, 4),
    ]
    assert {(p.left, p.right) for p in propose_unknown_matches(subjects, decided)} == {
        ("SU-0001", "SU-0004"),
        ("SU-0002", "SU-0003"),
    }


def test_force_and_unit_recorded_on_the_subject_fill_in_the_description() -> None:
    a = Subject("SU-0001", "AL-1", "C-0001", unknown=Description(rank="PC", vehicle="R12?"), force="SYP")
    b = Subject(
        "SU-0002", "AL-2", "C-0002", unknown=Description(force="South Yorkshire Police", rank="PC", vehicle="R123 ABC")
    )
    [proposal] = propose_unknown_matches([a, b], [])
    assert proposal == UnknownProposal(
        "SU-0001",
        "SU-0002",
        0.4443,
        ("same force (South Yorkshire Police)", "same rank (PC)", "registrations could match (R12... / R123ABC)"),
        (),
    )


def test_weak_fields_alone_never_reach_the_default_threshold() -> None:
    a = Description(force="SYP", rank="PC", period=Period("1997", "1997"))
    score = compare_descriptions(a, a)[0]
    assert score == round(WEAK_CEILING, 4) < DEFAULT_MIN_SCORE
    assert (
        propose_unknown_matches(
            [Subject("SU-1", "AL-1", "C-1", unknown=a), Subject("SU-2", "AL-2", "C-2", unknown=a)], []
        )
        == []
    )
