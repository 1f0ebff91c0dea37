"""Cases linked through shared entities and by hand, most specific evidence first."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.linking.links import CaseLinkage, link_cases, linked_cases
from casetrail.model.casework import MentionRef

KINDS = {
    "E-van": "vehicle",
    "E-force": "organisation",
    "E-phone": "phone",
    "E-pickering": "officer",
    "E-lane": "place",
    "E-vennet": "person",
}
NAMES = {
    "E-van": "R123ABC",
    "E-force": "Northdale Police",
    "E-phone": "+447700900123",
    "E-pickering": "Sgt Dale Pickering",
    "E-lane": "Mill Lane",
    "E-vennet": "Marcia Vennet",
    "E-rowan": "Rowan",
}
CASES = {
    "C-0001": {"D-000001"},
    "C-0002": {"D-000002", "D-000005"},
    "C-0003": {"D-000003"},
    "C-0004": {"D-000004"},
    "C-0005": {"D-000006"},
}


def m(doc: int, start: int, entity: str, type_: str) -> MentionRef:
    text = NAMES[entity]
    return MentionRef(f"D-{doc:06d}", start, start + len(text), text, type_, entity)


MENTIONS = [
    m(1, 0, "E-van", "vehicle"),
    m(2, 0, "E-van", "vehicle"),
    m(5, 40, "E-van", "vehicle"),
    m(1, 20, "E-force", "organisation"),
    m(2, 20, "E-force", "organisation"),
    m(3, 20, "E-force", "organisation"),
    m(2, 60, "E-phone", "phone"),
    m(3, 60, "E-phone", "phone"),
    m(4, 0, "E-pickering", "officer"),
    m(1, 80, "E-rowan", "pseudonym"),
    m(4, 80, "E-rowan", "pseudonym"),
    m(3, 100, "E-lane", "place"),
    m(4, 100, "E-lane", "place"),
    m(6, 0, "E-vennet", "person"),  # named in one case only: links nothing
    MentionRef("D-000001", 120, 127, "aged 11", "age", ""),
    MentionRef("D-000002", 120, 127, "aged 11", "age", ""),
]
SUBJECTS = {"C-0001": {"E-pickering"}, "C-0003": {"E-pickering"}}


def pairs(linkages: list[CaseLinkage]) -> list[tuple[str, str]]:
    return [(k.left, k.right) for k in linkages]


def test_cases_link_through_shared_entities_and_subjects() -> None:
    linkages = link_cases(CASES, MENTIONS, KINDS, NAMES, SUBJECTS, pseudonymous={"E-rowan"})
    assert pairs(linkages) == [
        ("C-0001", "C-0002"),
        ("C-0001", "C-0003"),
        ("C-0001", "C-0004"),
        ("C-0002", "C-0003"),
        ("C-0003", "C-0004"),
    ]
    by_pair = {(k.left, k.right): k for k in linkages}

    one_two = by_pair["C-0001", "C-0002"]
    assert [(s.entity_id, s.kind, s.cases_sharing) for s in one_two.shared] == [
        ("E-van", "vehicle", 2),
        ("E-force", "organisation", 3),
    ]
    van = one_two.shared[0]
    assert van.name == "R123ABC"
    assert [(e.document_id, e.start) for e in van.evidence] == [("D-000001", 0), ("D-000002", 0), ("D-000005", 40)]

    one_four = by_pair["C-0001", "C-0004"]  # a subject of one case is named in the other
    assert [(s.entity_id, s.kind, s.subject_in) for s in one_four.shared] == [
        ("E-pickering", "subject", ("C-0001",)),
        ("E-rowan", "pseudonym", ()),
    ]
    assert [e.document_id for e in one_four.shared[0].evidence] == ["D-000004"]

    one_three = by_pair["C-0001", "C-0003"]  # the same subject in both: no mention needed
    assert [(s.entity_id, s.kind, s.subject_in) for s in one_three.shared] == [
        ("E-pickering", "subject", ("C-0001", "C-0003")),
        ("E-force", "organisation", ()),
    ]
    assert one_three.shared[0].evidence == ()
    assert [e.document_id for e in one_three.shared[1].evidence] == ["D-000001", "D-000003"]

    two_three = by_pair["C-0002", "C-0003"]
    assert [s.kind for s in two_three.shared] == ["phone", "organisation"]
    three_four = by_pair["C-0003", "C-0004"]
    assert [(s.kind, s.name) for s in three_four.shared] == [("subject", "Sgt Dale Pickering"), ("place", "Mill Lane")]

    assert linked_cases(linkages, "C-0001") == {"C-0002", "C-0003", "C-0004"}
    assert linked_cases(linkages, "C-0005") == set()


def test_links_recorded_by_hand_stand_alone_or_join_shared_entities() -> None:
    recorded = [
        ("C-0005", "C-0002", "same care home"),
        ("C-0002", "C-0005", "same care home"),
        ("C-0001", "C-0002", "same complainant's sister"),
        ("C-0004", "C-0004", "ignored"),
    ]
    linkages = link_cases(CASES, MENTIONS, KINDS, NAMES, {}, recorded)
    by_pair = {(k.left, k.right): k for k in linkages}
    assert by_pair["C-0002", "C-0005"] == CaseLinkage("C-0002", "C-0005", (), ("same care home",))
    assert by_pair["C-0001", "C-0002"].recorded == ("same complainant's sister",)
    assert len(by_pair["C-0001", "C-0002"].shared) == 2
    as_json = by_pair["C-0001", "C-0002"].to_json()
    assert as_json["shared"][0]["evidence"][0] == {
        "document_id": "D-000001",
        "start": 0,
        "end": 7,
        "text": "R123ABC",
        "type": "vehicle",
        "entity_id": "E-van",
    }
    assert ("C-0004", "C-0004") not in by_pair


def test_unresolved_and_unknown_entities_do_not_link() -> None:
    # without kinds, only pseudonyms and subjects link
    linkages = link_cases(CASES, MENTIONS, {}, NAMES, SUBJECTS, pseudonymous={"E-rowan"})
    assert pairs(linkages) == [("C-0001", "C-0003"), ("C-0001", "C-0004"), ("C-0003", "C-0004")]


def test_an_entity_in_too_many_cases_links_nothing_by_itself_but_is_still_listed() -> None:
    linkages = link_cases(CASES, MENTIONS, KINDS, NAMES, {}, max_cases_sharing=2)
    by_pair = {(k.left, k.right): k for k in linkages}
    # the force (3 cases) made C-0001/C-0003 a link before; now only the van and the phone link
    assert ("C-0001", "C-0003") not in by_pair
    assert [s.entity_id for s in by_pair["C-0001", "C-0002"].shared] == ["E-van", "E-force"]
    assert [s.entity_id for s in by_pair["C-0002", "C-0003"].shared] == ["E-phone", "E-force"]


def test_shared_entities_order_by_kind_then_rarity() -> None:
    kinds = {"E-a": "place", "E-b": "place", "E-c": "organisation", "E-d": "officer", "E-e": "phone"}
    cases = {f"C-{i:04d}": {f"D-{i:06d}"} for i in range(1, 5)}
    mentions = [
        MentionRef(f"D-{doc:06d}", 0, 1, e, "x", e)
        for e, docs in {"E-a": (1, 2, 3), "E-b": (1, 2), "E-c": (1, 2), "E-d": (1, 2, 3, 4), "E-e": (1, 2)}.items()
        for doc in docs
    ]
    [first, *_] = link_cases(cases, mentions, kinds, {}, {})
    assert (first.left, first.right) == ("C-0001", "C-0002")
    assert [(s.entity_id, s.cases_sharing) for s in first.shared] == [
        ("E-e", 2),
        ("E-d", 4),
        ("E-b", 2),
        ("E-a", 3),
        ("E-c", 2),
    ]
    assert first.shared[0].name == "E-e"  # no name given: the mention's text


def test_thousands_of_cases_link_through_the_index() -> None:
    n = 6000  # all pairs would be 18 million
    cases = {f"C-{i:05d}": {f"D-{i:06d}"} for i in range(n)}
    mentions = [MentionRef(f"D-{i:06d}", 0, 7, "VAN", "vehicle", f"E-v{i // 2}") for i in range(n)]
    kinds = {f"E-v{i}": "vehicle" for i in range(n // 2)}
    linkages = link_cases(cases, mentions, kinds, {}, {})
    assert len(linkages) == n // 2
    assert pairs(linkages)[:2] == [("C-00000", "C-00001"), ("C-00002", "C-00003")]


@st.composite
def books(draw: st.DrawFn) -> tuple[dict[str, set[str]], list[MentionRef], dict[str, set[str]]]:
    n_cases = draw(st.integers(1, 6))
    docs = [f"D-{i:06d}" for i in range(draw(st.integers(1, 8)))]
    cases = {f"C-{c:04d}": set(draw(st.lists(st.sampled_from(docs), max_size=3))) for c in range(n_cases)}
    entities = ["E-1", "E-2", "E-3", "E-4"]
    mentions = [
        MentionRef(doc, i, i + 1, "x", "person", e)
        for i, (doc, e) in enumerate(
            draw(st.lists(st.tuples(st.sampled_from(docs), st.sampled_from(entities)), max_size=12))
        )
    ]
    subjects = {c: set(draw(st.lists(st.sampled_from(entities), max_size=2))) for c in cases}
    return cases, mentions, subjects


@given(books())
@settings(max_examples=200, deadline=None)
def test_links_match_the_all_pairs_definition(
    book: tuple[dict[str, set[str]], list[MentionRef], dict[str, set[str]]],
) -> None:
    cases, mentions, subjects = book
    kinds = {e: "person" for e in ("E-1", "E-2", "E-3", "E-4")}
    linkages = link_cases(cases, mentions, kinds, {}, subjects)

    def held(case: str) -> set[str]:
        return {mm.entity_id for mm in mentions if mm.document_id in cases[case]} | subjects[case]

    expected = {(a, b): held(a) & held(b) for a, b in itertools.combinations(sorted(cases), 2) if held(a) & held(b)}
    assert {(k.left, k.right): {s.entity_id for s in k.shared} for k in linkages} == expected
    for k in linkages:
        for s in k.shared:
            assert s.cases_sharing == sum(s.entity_id in held(c) for c in cases)
            assert set(s.subject_in) == {c for c in (k.left, k.right) if s.entity_id in subjects[c]}
