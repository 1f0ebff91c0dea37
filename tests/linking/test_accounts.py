"""Accounts: grouping documents that report one account, and proposing more for a human to confirm."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.linking.accounts import (
    COMMON_FACTOR,
    REPEAT_FACTOR,
    WEIGHTS,
    AccountProposal,
    group_accounts,
    latest_verdicts,
    propose_same_accounts,
)
from casetrail.model.casework import Comparison, DocumentFacts, MentionRef


def doc(n: int, **kw: str | None) -> DocumentFacts:
    return DocumentFacts(f"D-{n:06d}", kw.pop("kind", None) or "statement", f"source-{n}", **kw)  # type: ignore[arg-type]


def verdict(left: int, right: int, same: bool, leaf: int) -> Comparison:
    return Comparison(f"D-{left:06d}", f"D-{right:06d}", same, "reviewed", "S-0001", "2025-01-01T00:00:00Z", leaf)


def ref(document: int, start: int, text: str, type_: str, entity: str = "") -> MentionRef:
    return MentionRef(f"D-{document:06d}", start, start + len(text), text, type_, entity)


def noisy_or(*weights: float) -> float:
    miss = 1.0
    for w in weights:
        miss *= 1 - w
    return round(1 - miss, 4)


# -- group_accounts ----------------------------------------------------------------------------


def test_structural_rules_join_documents() -> None:
    documents = [
        doc(1),
        doc(2, amends="D-000001"),  # an amendment is the same account
        doc(3),
        doc(4, parent_id="D-000003"),  # so is an attachment
        doc(5, given_by="P-0001"),
        doc(6, given_by="P-0001"),  # so is everything one party gave
        doc(7),
        doc(8, given_by="P-0002"),
    ]
    assert group_accounts(documents, []) == {
        "D-000001": "D-000001",
        "D-000002": "D-000001",
        "D-000003": "D-000003",
        "D-000004": "D-000003",
        "D-000005": "D-000005",
        "D-000006": "D-000005",
        "D-000007": "D-000007",
        "D-000008": "D-000008",
    }


def test_account_id_is_the_smallest_document_id_even_when_it_is_the_amendment() -> None:
    accounts = group_accounts([doc(9), doc(4, amends="D-000009")], [])
    assert accounts == {"D-000004": "D-000004", "D-000009": "D-000004"}


def test_human_same_joins_and_newest_verdict_wins() -> None:
    documents = [doc(1), doc(2), doc(3), doc(4)]
    accounts = group_accounts(
        documents, [verdict(1, 2, True, leaf=10), verdict(3, 4, True, leaf=11), verdict(4, 3, False, leaf=12)]
    )
    assert accounts == {"D-000001": "D-000001", "D-000002": "D-000001", "D-000003": "D-000003", "D-000004": "D-000004"}
    # the order comparisons arrive in does not matter: the ledger leaf does
    reordered = group_accounts(documents, [verdict(4, 3, False, leaf=12), verdict(3, 4, True, leaf=11)])
    assert reordered["D-000004"] == "D-000004"
    rejoined = group_accounts(documents, [verdict(3, 4, False, leaf=5), verdict(3, 4, True, leaf=6)])
    assert rejoined["D-000004"] == "D-000003"


def test_human_not_same_never_splits_structure() -> None:
    documents = [doc(1, given_by="P-0001"), doc(2, given_by="P-0001")]
    assert group_accounts(documents, [verdict(1, 2, False, leaf=3)])["D-000002"] == "D-000001"


def test_references_to_unknown_documents_are_ignored() -> None:
    documents = [doc(1, amends="D-000099"), doc(2)]
    assert group_accounts(documents, [verdict(2, 77, True, leaf=1)]) == {"D-000001": "D-000001", "D-000002": "D-000002"}


def test_latest_verdicts_are_unordered_pairs() -> None:
    assert latest_verdicts([verdict(1, 2, True, 1), verdict(2, 1, False, 2)]) == {
        frozenset({"D-000001", "D-000002"}): False
    }


@st.composite
def corpora(draw: st.DrawFn) -> tuple[list[DocumentFacts], list[Comparison]]:
    n = draw(st.integers(1, 12))
    ids = [f"D-{i:06d}" for i in range(1, n + 1)]
    maybe_id = st.one_of(st.none(), st.sampled_from(ids))
    documents = [
        DocumentFacts(
            i,
            "statement",
            "s",
            parent_id=draw(maybe_id),
            amends=draw(maybe_id),
            given_by=draw(st.one_of(st.none(), st.sampled_from(["P-1", "P-2", "P-3"]))),
        )
        for i in ids
    ]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids), st.booleans()), max_size=10))
    comparisons = [Comparison(a, b, same, "r", "S-1", "2025-01-01", leaf) for leaf, (a, b, same) in enumerate(pairs)]
    return documents, comparisons


@given(corpora(), st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_group_accounts_is_a_partition_invariant_under_order(
    corpus: tuple[list[DocumentFacts], list[Comparison]], rnd: random.Random
) -> None:
    documents, comparisons = corpus
    accounts = group_accounts(documents, comparisons)
    assert set(accounts) == {d.id for d in documents}  # every document, once
    for doc_id, account in accounts.items():
        assert accounts[account] == account  # an account id is a member of its own account ...
        assert account <= doc_id  # ... and the smallest one
    for d in documents:  # structural rules always hold
        for other in (d.amends, d.parent_id):
            if other is not None:
                assert accounts[d.id] == accounts[other]
    by_party: dict[str, set[str]] = {}
    for d in documents:
        if d.given_by:
            by_party.setdefault(d.given_by, set()).add(accounts[d.id])
    assert all(len(a) == 1 for a in by_party.values())
    shuffled_docs, shuffled_comparisons = documents[:], comparisons[:]
    rnd.shuffle(shuffled_docs)
    rnd.shuffle(shuffled_comparisons)
    assert group_accounts(shuffled_docs, shuffled_comparisons) == accounts


# -- propose_same_accounts ---------------------------------------------------------------------

ALI = "E-hassan-ali"
WILLOW = "E-willow"
NAMES = {ALI: "PC Hassan Ali", WILLOW: "Willow"}


def willow_mentions() -> list[MentionRef]:
    """The shape of news articles 000 and 001: "Willow" in one, an anonymous survivor in the other."""
    return [
        ref(1, 40, "Willow", "pseudonym", WILLOW),
        ref(1, 120, "PC Hassan Ali", "officer", ALI),
        ref(1, 300, "aged 11", "age"),
        ref(1, 500, "between 1997 and 2013", "period"),
        ref(1, 700, "South Yorkshire Police", "organisation", "E-syp"),
        ref(2, 60, "age 11", "age"),
        ref(2, 70, "1997", "period"),
        ref(2, 110, "Police Constable Hassan Ali", "officer", ALI),
        ref(2, 400, "South Yorkshire Police", "organisation", "E-syp"),
    ]


def test_the_willow_article_and_the_anonymous_article_are_proposed_as_one_account() -> None:
    proposals = propose_same_accounts([doc(1), doc(2)], willow_mentions(), [], NAMES)
    expected = noisy_or(WEIGHTS["officer"], WEIGHTS["age"], WEIGHTS["year"], WEIGHTS["organisation"])
    assert proposals == [
        AccountProposal(
            "D-000001",
            "D-000002",
            expected,
            ("both name PC Hassan Ali", "both give the age 11", "both give 1997", "both name South Yorkshire Police"),
        )
    ]
    assert expected == 0.669
    assert proposals[0].to_json()["reasons"][0] == "both name PC Hassan Ali"


def test_officer_and_age_alone_fall_below_the_default_threshold() -> None:
    mentions = [m for m in willow_mentions() if m.type in ("officer", "age")]
    assert propose_same_accounts([doc(1), doc(2)], mentions, [], NAMES) == []
    lowered = propose_same_accounts([doc(1), doc(2)], mentions, [], NAMES, min_score=0.5)
    assert [(p.left, p.right, p.score) for p in lowered] == [("D-000001", "D-000002", noisy_or(0.35, 0.3))]
    assert lowered[0].score == 0.545


def test_a_shared_pseudonym_is_strong_on_its_own() -> None:
    mentions = [ref(1, 0, "Willow", "pseudonym", WILLOW), ref(2, 10, "Willow", "pseudonym", WILLOW)]
    [proposal] = propose_same_accounts([doc(1), doc(2), doc(3)], mentions, [], NAMES)
    assert (proposal.score, proposal.reasons) == (0.9, ("both use the pseudonym Willow",))


def test_documents_already_in_one_account_are_not_proposed() -> None:
    documents = [doc(1, given_by="P-0001"), doc(2, given_by="P-0001")]
    assert propose_same_accounts(documents, willow_mentions(), [], NAMES) == []


def test_a_human_no_stops_the_proposal_for_the_whole_account() -> None:
    # D-000003 amends D-000001, so a "no" on 1-2 covers 3-2 as well
    documents = [doc(1), doc(2), doc(3, amends="D-000001")]
    mentions = willow_mentions() + [
        ref(3, 0, "PC Hassan Ali", "officer", ALI),
        ref(3, 20, "aged 11", "age"),
        ref(3, 40, "in 1997", "period"),
    ]
    assert {(p.left, p.right) for p in propose_same_accounts(documents, mentions, [], NAMES)} == {
        ("D-000001", "D-000002"),
        ("D-000002", "D-000003"),
    }
    assert propose_same_accounts(documents, mentions, [verdict(2, 1, False, leaf=4)], NAMES) == []
    # a later "yes" joins them: nothing left to propose either
    later = [verdict(2, 1, False, leaf=4), verdict(1, 2, True, leaf=5)]
    assert propose_same_accounts(documents, mentions, later, NAMES) == []
    # a later "no" after a "yes" splits the accounts again but still stops the proposal
    again = [verdict(1, 2, True, leaf=5), verdict(1, 2, False, leaf=6)]
    assert propose_same_accounts(documents, mentions, again, NAMES) == []


def test_details_named_in_most_documents_count_little() -> None:
    documents = [doc(i) for i in range(1, 7)]
    mentions = [ref(i, 0, "PC Hassan Ali", "officer", ALI) for i in range(1, 7)]
    mentions += [
        ref(1, 30, "aged 11", "age"),
        ref(2, 30, "eleven", "age"),
        ref(1, 50, "12 March 1998", "date"),
        ref(2, 50, "1998-03-12", "date"),
    ]
    proposals = propose_same_accounts(documents, mentions, [], NAMES, min_score=0.0)
    # only the pair with rarer details is a candidate; the officer every document names adds a little
    assert [(p.left, p.right) for p in proposals] == [("D-000001", "D-000002")]
    assert proposals[0].reasons == (
        "both give the date 12 March 1998",
        "both give the age 11",
        "both name PC Hassan Ali (common to most accounts)",
    )
    assert proposals[0].score == noisy_or(WEIGHTS["date"], WEIGHTS["age"], WEIGHTS["officer"] * COMMON_FACTOR)


def test_dates_periods_and_decades_normalise() -> None:
    mentions = [
        ref(1, 0, "the late 1990s", "period"),
        ref(2, 0, "late 90s", "period"),
        ref(1, 20, "March 1999", "date"),
        ref(2, 20, "14/03/1999", "date"),
        ref(1, 40, "1997-98", "period"),
        ref(2, 40, "in 1998", "period"),
    ]
    [proposal] = propose_same_accounts([doc(1), doc(2)], mentions, [], min_score=0.0)
    # "March 1999" and the 14th share the month (which covers the year); 1998 ends the range in both
    assert proposal.reasons == ("both give March 1999", "both give 1998", "both give the late 1990s")
    assert proposal.score == noisy_or(WEIGHTS["month"], WEIGHTS["year"], WEIGHTS["decade"])


def test_further_details_of_one_kind_count_half_as_much() -> None:
    mentions = [
        ref(i, 10 * k, year, "period") for i in (1, 2) for k, year in enumerate(("in 2014", "in 2015", "in 2022"))
    ]
    [proposal] = propose_same_accounts([doc(1), doc(2)], mentions, [], min_score=0.0)
    assert proposal.reasons == ("both give 2014", "both give 2015", "both give 2022")
    assert proposal.score == noisy_or(0.25, 0.25 * REPEAT_FACTOR, 0.25 * REPEAT_FACTOR**2) == 0.3848


def test_unresolved_mentions_compare_by_text_and_collar_numbers_by_digits() -> None:
    mentions = [
        ref(1, 0, "07700 900123", "phone"),
        ref(2, 0, "07700 900123", "phone"),
        ref(1, 20, "collar number 4521", "collar_number"),
        ref(2, 20, "4521", "collar_number"),
    ]
    [proposal] = propose_same_accounts([doc(1), doc(2)], mentions, [])
    assert proposal.reasons == ("both give the phone number 07700 900123", "both give collar number 4521")
    assert proposal.score == noisy_or(0.5, 0.45)


def test_mentions_of_documents_not_given_are_ignored() -> None:
    assert propose_same_accounts([doc(1)], willow_mentions(), [], NAMES) == []


def test_proposals_scale_through_the_index() -> None:
    # 4,000 documents: pairs share a pseudonym, all share one force. All pairs would be 8 million.
    n = 4000
    documents = [doc(i) for i in range(1, n + 1)]
    mentions = [ref(i, 0, "Poppy", "pseudonym", f"E-p{(i + 1) // 2}") for i in range(1, n + 1)]
    mentions += [ref(i, 30, "the force", "organisation", "E-force") for i in range(1, n + 1)]
    proposals = propose_same_accounts(documents, mentions, [])
    assert len(proposals) == n // 2
    assert proposals[0] == AccountProposal(
        "D-000001",
        "D-000002",
        noisy_or(0.9, 0.03 * COMMON_FACTOR),
        ("both use the pseudonym Poppy", "both name the force (common to most accounts)"),
    )


DETAIL_MENTIONS = [
    ("Poppy", "pseudonym", "E-poppy"),
    ("PC Ann Vale", "officer", "E-vale"),
    ("Josh Reed", "person", "E-reed"),
    ("AB12 CDE", "vehicle", "E-car"),
    ("07700 900456", "phone", ""),
    ("collar number 812", "collar_number", ""),
    ("aged 13", "age", ""),
    ("14 March 2003", "date", ""),
    ("in the early 2000s", "period", ""),
    ("2004", "period", ""),
    ("Eastwood", "place", "E-eastwood"),
    ("the council", "organisation", "E-council"),
]


@given(
    st.lists(st.sets(st.sampled_from(range(len(DETAIL_MENTIONS))), max_size=8), min_size=2, max_size=10),
    st.sampled_from([0.3, 0.6, 0.66, 0.9, 0.95]),
)
@settings(max_examples=200, deadline=None)
def test_a_threshold_keeps_exactly_the_pairs_that_score_at_least_it(picks: list[set[int]], min_score: float) -> None:
    # Pairs below the threshold are skipped before they are scored: none that reaches it may be lost.
    documents = [doc(i) for i in range(1, len(picks) + 1)]
    mentions = [ref(i, 40 * k, *DETAIL_MENTIONS[k]) for i, chosen in enumerate(picks, start=1) for k in sorted(chosen)]
    every = propose_same_accounts(documents, mentions, [], min_score=0.0)
    assert propose_same_accounts(documents, mentions, [], min_score=min_score) == [
        p for p in every if p.score >= min_score
    ]
