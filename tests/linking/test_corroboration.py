"""Corroboration counts accounts, not documents, and shows how far pending proposals could lower it."""

from __future__ import annotations

import pytest

from casetrail.linking.accounts import (
    AccountProposal,
    group_accounts,
    propose_same_accounts,
)
from casetrail.linking.corroboration import Corroboration, corroborate, repeat_subjects
from casetrail.model.casework import DocumentFacts, MentionRef

ALI = "E-hassan-ali"


def d(n: int) -> str:
    return f"D-{n:06d}"


def named(*documents: int, entity: str = ALI, text: str = "PC Hassan Ali") -> list[MentionRef]:
    return [MentionRef(d(n), 10 * i, 10 * i + len(text), text, "officer", entity) for i, n in enumerate(documents)]


def book() -> tuple[list[DocumentFacts], list[MentionRef]]:
    """Two articles (one says "Willow", one an anonymous survivor), a statement and its amendment, and
    a second complainant's statement: five documents, four accounts, perhaps three."""
    documents = [
        DocumentFacts(d(1), "article", "news-000"),
        DocumentFacts(d(2), "article", "news-001"),
        DocumentFacts(d(3), "statement", "statement-rowan", given_by="P-0001"),
        DocumentFacts(d(4), "statement", "statement-rowan-2", amends=d(3)),
        DocumentFacts(d(5), "statement", "statement-hazel", given_by="P-0002"),
    ]
    mentions = named(1, 2, 3, 4, 5) + [
        MentionRef(d(1), 200, 207, "aged 11", "age", ""),
        MentionRef(d(2), 200, 206, "age 11", "age", ""),
        MentionRef(d(1), 300, 304, "1997", "period", ""),
        MentionRef(d(2), 300, 304, "1997", "period", ""),
    ]
    return documents, mentions


def test_reports_of_one_account_count_once() -> None:
    documents, mentions = book()
    accounts = group_accounts(documents, [])
    # every account names the officer, so here he counts for little; the age and the year remain
    proposals = propose_same_accounts(documents, mentions, [], {ALI: "PC Hassan Ali"}, min_score=0.5)
    assert [(p.left, p.right) for p in proposals] == [(d(1), d(2))]
    assert proposals[0].score == pytest.approx(1 - 0.7 * 0.75 * (1 - 0.35 * 0.2), abs=1e-4)  # 0.51175
    assert proposals[0].reasons[-1] == "both name PC Hassan Ali (common to most accounts)"
    result = corroborate(ALI, "PC Hassan Ali", [m for m in mentions if m.entity_id == ALI], accounts, proposals)
    assert result.documents == (d(1), d(2), d(3), d(4), d(5))
    assert result.accounts == ((d(1),), (d(2),), (d(3), d(4)), (d(5),))
    assert result.independent == 4
    assert result.at_least == 3  # if the two articles are one survivor's account
    assert result.possibly_same == tuple(proposals)
    as_json = result.to_json()
    assert as_json["independent"] == 4 and as_json["at_least"] == 3
    assert as_json["accounts"] == [[d(1)], [d(2)], [d(3), d(4)], [d(5)]]
    assert as_json["possibly_same"][0]["left"] == d(1)


def test_only_proposals_among_the_entitys_documents_are_kept() -> None:
    accounts = {d(1): d(1), d(2): d(2), d(3): d(3), d(4): d(3)}
    proposals = [
        AccountProposal(d(1), d(9), 0.9, ("elsewhere",)),  # d(9) does not name the entity
        AccountProposal(d(3), d(4), 0.9, ("stale",)),  # already one account
        AccountProposal(d(1), d(2), 0.7, ("both give 1997",)),
    ]
    result = corroborate(ALI, "PC Hassan Ali", named(1, 2, 3, 4), accounts, proposals)
    assert [p.reasons for p in result.possibly_same] == [("both give 1997",)]
    assert (result.independent, result.at_least) == (3, 2)


def test_chained_proposals_union_and_unmapped_documents_stand_alone() -> None:
    proposals = [
        AccountProposal(d(1), d(2), 0.7, ()),
        AccountProposal(d(2), d(3), 0.7, ()),
        AccountProposal(d(1), d(3), 0.7, ()),
    ]
    result = corroborate(ALI, "PC Hassan Ali", named(1, 2, 3, 4, 4), {}, proposals)
    assert result.accounts == ((d(1),), (d(2),), (d(3),), (d(4),))
    assert (result.independent, result.at_least) == (4, 2)


def test_repeat_subjects_meet_the_threshold_most_corroborated_first() -> None:
    one = Corroboration("E-1", "Sgt Dale Pickering", (d(1),), ((d(1),),))
    three = Corroboration("E-3", "PC Hassan Ali", (d(1), d(2), d(3)), ((d(1),), (d(2),), (d(3),)))
    two = Corroboration("E-2", "DC Marcia Vennet", (d(1), d(2), d(3)), ((d(1), d(2)), (d(3),)))
    assert repeat_subjects([one, two, three], threshold=2) == [three, two]
    assert repeat_subjects([one, two, three], threshold=1) == [three, two, one]
    assert repeat_subjects([one, two, three], threshold=4) == []


@pytest.mark.parametrize("threshold", [0, -1])
def test_threshold_below_one_is_refused(threshold: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        repeat_subjects([], threshold)
