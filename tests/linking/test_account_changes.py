"""New verdicts applied to a kept accounts model (linking.account_changes) give what a build gives.

Everyone here is fictional."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from casetrail.linking.account_changes import Step, given_joins, plan_verdicts
from casetrail.linking.accounts import AccountProposal, CommonCounts, group_accounts, propose_and_count
from casetrail.model.casework import Comparison, DocumentFacts, MentionRef
from tests.linking.test_accounts import DETAIL_MENTIONS, doc, ref, verdict

MIN_SCORE = 0.3


def build(
    documents: Sequence[DocumentFacts], mentions: Sequence[MentionRef], comparisons: Sequence[Comparison]
) -> tuple[dict[str, str], list[AccountProposal], CommonCounts]:
    proposals, counts = propose_and_count(documents, mentions, comparisons, min_score=MIN_SCORE)
    return group_accounts(documents, comparisons), proposals, counts


def apply(
    steps: Sequence[Step], accounts: Mapping[str, str], proposals: Sequence[AccountProposal]
) -> tuple[dict[str, str], list[AccountProposal]]:
    """What the store does with the steps (store.read_models.apply_account_changes), in memory."""
    kept, shown = dict(accounts), list(proposals)
    for step, a, b in steps:
        if step == "drop":
            shown = [p for p in shown if {kept[p.left], kept[p.right]} != {a, b}]
        else:
            kept = {d: a if account == b else account for d, account in kept.items()}
    return kept, shown


@st.composite
def inquiries(draw: st.DrawFn) -> tuple[list[DocumentFacts], list[MentionRef], list[Comparison], int, int]:
    picks = draw(st.lists(st.sets(st.sampled_from(range(len(DETAIL_MENTIONS))), max_size=8), min_size=2, max_size=12))
    n = len(picks)
    parties = st.one_of(st.none(), st.sampled_from(["P-1", "P-2"]))
    documents = [doc(i, given_by=draw(parties)) for i in range(1, n + 1)]
    mentions = [ref(i, 40 * k, *DETAIL_MENTIONS[k]) for i, chosen in enumerate(picks, start=1) for k in sorted(chosen)]
    said = draw(st.lists(st.tuples(st.integers(1, n + 1), st.integers(1, n + 1), st.booleans()), max_size=10))
    comparisons = [verdict(a, b, same, leaf) for leaf, (a, b, same) in enumerate(said)]  # n + 1 is not live
    first = draw(st.integers(0, len(comparisons)))
    second = draw(st.integers(first, len(comparisons)))
    return documents, mentions, comparisons, first, second


@given(inquiries())
@settings(max_examples=400, deadline=None)
def test_verdicts_taken_in_place_give_what_a_build_gives(
    inquiry: tuple[list[DocumentFacts], list[MentionRef], list[Comparison], int, int],
) -> None:
    documents, mentions, comparisons, first, second = inquiry
    accounts, proposals, counts = build(documents, mentions, comparisons[:first])
    for known, upto in ((first, second), (second, len(comparisons))):  # twice: counts carried over
        plan = plan_verdicts(comparisons[:upto], known, accounts, counts)
        if plan is None:
            return
        accounts, proposals = apply(plan.steps, accounts, proposals)
        counts = plan.counts
        built_accounts, built_proposals, _ = build(documents, mentions, comparisons[:upto])
        assert accounts == built_accounts
        assert proposals == built_proposals


def test_a_join_is_taken_in_place_and_carries_a_refusal_to_the_joined_account() -> None:
    # 1 and 2 share a pseudonym; 3 shares one with 2 but was refused against 1: once 1 and 2 are
    # one account, 3 is refused against both
    documents = [doc(i) for i in (1, 2, 3, 4)]
    mentions = [
        ref(1, 0, "Poppy", "pseudonym", "E-poppy"),
        ref(2, 0, "Poppy", "pseudonym", "E-poppy"),
        ref(2, 20, "Wren", "pseudonym", "E-wren"),
        ref(3, 0, "Wren", "pseudonym", "E-wren"),
        ref(4, 0, "aged 13", "age"),
    ]
    before = [verdict(1, 3, False, 0)]
    accounts, proposals, counts = build(documents, mentions, before)
    assert {(p.left, p.right) for p in proposals} == {("D-000001", "D-000002"), ("D-000002", "D-000003")}
    plan = plan_verdicts([*before, verdict(2, 1, True, 1)], 1, accounts, counts)
    assert plan is not None
    assert plan.steps == (
        ("drop", "D-000002", "D-000001"),
        ("join", "D-000001", "D-000002"),
        ("drop", "D-000001", "D-000003"),
    )
    assert apply(plan.steps, accounts, proposals)[1] == []


def test_undoing_a_join_or_a_join_that_moves_commonness_needs_a_build() -> None:
    documents = [doc(i) for i in range(1, 7)]
    mentions = [ref(i, 0, "the council", "organisation", "E-council") for i in range(1, 5)]
    joined = [verdict(5, 6, True, 0)]
    accounts, _, counts = build(documents, mentions, joined)
    assert plan_verdicts([*joined, verdict(6, 5, False, 1)], 1, accounts, counts) is None
    # the council: 4 of 5 accounts, common; joining two that both name it leaves 3 of 4, common still,
    # but 3 of 4 might as well be 4 of 4 or, after two such joins, 2 of 3: not common (count > 2)
    plan = plan_verdicts([*joined, verdict(1, 2, True, 1)], 1, accounts, counts)
    assert plan is not None
    assert plan_verdicts([*joined, verdict(1, 2, True, 1), verdict(3, 4, True, 2)], 1, accounts, counts) is None


@given(inquiries(), st.data())
@settings(max_examples=300, deadline=None)
def test_documents_newly_given_by_one_party_are_joined_in_place(
    inquiry: tuple[list[DocumentFacts], list[MentionRef], list[Comparison], int, int], data: st.DataObject
) -> None:
    documents, mentions, comparisons, first, _ = inquiry
    parties = st.one_of(st.none(), st.sampled_from(["P-1", "P-2", "P-3"]))
    later = [d if d.given_by else replace(d, given_by=data.draw(parties)) for d in documents]
    accounts, proposals, counts = build(documents, mentions, comparisons[:first])
    before = {d.id: d.given_by for d in documents if d.given_by}
    now = {d.id: d.given_by for d in later if d.given_by}
    joins = given_joins(before, now, accounts)
    assert joins is not None
    plan = plan_verdicts(comparisons, first, accounts, counts, joins)
    if plan is None:
        return
    accounts, proposals = apply(plan.steps, accounts, proposals)
    built_accounts, built_proposals, _ = build(later, mentions, comparisons)
    assert accounts == built_accounts
    assert proposals == built_proposals


def test_a_party_changed_or_gone_needs_a_build() -> None:
    live = {"D-000001", "D-000002", "D-000003"}
    assert given_joins({"D-000001": "P-1"}, {"D-000001": "P-2"}, live) is None
    assert given_joins({"D-000001": "P-1"}, {}, live) is None
    now = {"D-000001": "P-1", "D-000002": "P-1", "D-000003": "P-1", "D-000009": "P-1"}  # 9 is not live
    assert given_joins({"D-000001": "P-1"}, now, live) == [("D-000001", "D-000002"), ("D-000001", "D-000003")]
