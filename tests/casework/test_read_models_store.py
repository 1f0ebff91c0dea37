"""The read models the store keeps (migration 0013, store/read_models.py): one process builds
the accounts and same-account proposals, every worker reads them back by query; sealing clears them.

Runs on both backends: with CASETRAIL_TEST_BACKEND=postgres the home's store is on PostgreSQL.
All names and documents here are fictional."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.intake.register import Register, Submission
from casetrail.linking.accounts import AccountProposal
from casetrail.store.home import Home

AT = "2026-03-01T09:00:00Z"
ACCOUNTS = {"D-000001": "A-1", "D-000002": "A-1", "D-000003": "A-2", "D-000004": "A-3", "D-000005": "A-4"}
PROPOSALS = [
    AccountProposal("D-000001", "D-000003", 0.925, ("both give the pseudonym 'Wren'", "both give 1998")),
    AccountProposal("D-000003", "D-000004", 0.5, ("both give the phone +447700900456",)),
    AccountProposal("D-000004", "D-000005", 0.25, ()),
    AccountProposal("D-000002", "D-000005", 0.1, ("both give the 1990s",)),
]


@pytest.fixture()
def register(tmp_path: Path) -> Register:
    return Register.create(Home(tmp_path / "home"), "casetrail.test/read-models")


def test_an_empty_store_keeps_no_model(register: Register) -> None:
    models = register.store.read_models
    assert models.stamp("accounts") is None
    assert models.proposals() == [] and models.proposal_count() == 0
    assert models.account_of(["D-000001"]) == {} and models.account_of([]) == {}
    assert models.account_count() == 0 and models.document_count() == 0
    assert models.proposals_within(["D-000001", "D-000003"]) == [] and models.proposals_within([]) == []


def test_accounts_and_proposals_round_trip(register: Register) -> None:
    models = register.store.read_models
    models.replace_accounts("stamp-1", AT, ACCOUNTS, PROPOSALS)
    assert models.stamp("accounts") == "stamp-1" and models.stamp("other") is None
    assert models.account_of(["D-000002", "D-000004", "D-000099", "D-000002"]) == {
        "D-000002": "A-1",
        "D-000004": "A-3",
    }
    assert models.account_count() == 4 and models.document_count() == 5

    got = models.proposals()
    assert got == PROPOSALS and models.proposal_count() == 4
    assert all(isinstance(p.reasons, tuple) and isinstance(p.score, float) for p in got)
    assert models.proposals(1, 2) == PROPOSALS[1:3]
    assert models.proposals(offset=3) == PROPOSALS[3:]
    assert models.proposals(limit=1) == PROPOSALS[:1]
    assert models.proposals(4) == [] and models.proposals(0, 0) == []

    # Only proposals with both sides among the ids: D-000003 is on the right of one and the left of
    # the next, and only the one whose other side is asked for too comes back.
    assert models.proposals_within(["D-000003", "D-000004", "D-000099"]) == [(1, PROPOSALS[1])]
    assert models.proposals_within(["D-000005", "D-000004", "D-000003", "D-000002"]) == [
        (1, PROPOSALS[1]),
        (2, PROPOSALS[2]),
        (3, PROPOSALS[3]),
    ]
    assert models.proposals_within(["D-000002"]) == [] and models.proposals_within(["D-000001", "D-000002"]) == []


def test_another_process_reads_what_one_built(register: Register, tmp_path: Path) -> None:
    register.store.read_models.replace_accounts("stamp-1", AT, ACCOUNTS, PROPOSALS)
    reader = Register.open(Home(tmp_path / "home"), readonly=True)
    try:
        models = reader.store.read_models
        assert models.stamp("accounts") == "stamp-1"
        assert models.proposals_within(["D-000001", "D-000003"]) == [(0, PROPOSALS[0])]
    finally:
        reader.store.close()


def test_a_second_build_replaces_the_first(register: Register) -> None:
    models = register.store.read_models
    models.replace_accounts("stamp-1", AT, ACCOUNTS, PROPOSALS)
    newer = [AccountProposal("D-000006", "D-000001", 0.75, ("both give the age 14",))]
    models.replace_accounts("stamp-2", "2026-03-02T09:00:00Z", {"D-000006": "A-9", "D-000001": "A-9"}, newer)
    assert models.stamp("accounts") == "stamp-2"
    assert models.account_of(ACCOUNTS) == {"D-000001": "A-9"}
    assert models.account_count() == 1 and models.document_count() == 2
    assert models.proposals() == newer and models.proposal_count() == 1
    assert models.proposals_within(["D-000001", "D-000003"]) == []
    assert models.proposals_within(["D-000001", "D-000006"]) == [(0, newer[0])]


def test_a_build_that_fails_leaves_the_model_it_would_have_replaced(register: Register) -> None:
    models = register.store.read_models
    models.replace_accounts("stamp-1", AT, ACCOUNTS, PROPOSALS)
    broken = [PROPOSALS[0], AccountProposal("D-000001", "D-000002", "high", ())]  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        models.replace_accounts("stamp-2", AT, {"D-000001": "A-7"}, broken)
    assert models.stamp("accounts") == "stamp-1"
    assert models.account_of(["D-000001"]) == {"D-000001": "A-1"} and models.proposals() == PROPOSALS


def test_changes_taken_in_place_close_up_the_ranks(register: Register) -> None:
    models = register.store.read_models
    extra = AccountProposal("D-000005", "D-000001", 0.05, ())  # again, the other way round
    counts = (4, 1, {("organisation", "entity:E-council"): (3, 3)})
    models.replace_accounts("stamp-1", AT, ACCOUNTS, [*PROPOSALS, extra], counts, {"D-000003": "P-1"})
    assert models.common_counts() == counts and models.given() == {"D-000003": "P-1"}
    assert models.claim("accounts", AT, "2026-03-01T08:58:00Z", "host:2")
    # D-000002/D-000005 (rank 3) and D-000005/D-000001 (rank 4); then A-3 joins A-2,
    # and what was between is now between A-2 and A-4 (rank 2)
    steps = [("drop", "A-4", "A-1"), ("join", "A-2", "A-3"), ("drop", "A-2", "A-4")]
    counted = (3, 1, {("organisation", "entity:E-council"): (2, 3)})
    models.apply_account_changes("stamp-2", AT, steps, counted, {"D-000004": "P-1"})
    assert models.given() == {"D-000003": "P-1", "D-000004": "P-1"}
    assert models.stamp("accounts") == "stamp-2"
    assert models.claim_holder("accounts") is None  # the claim went with the change
    remaining = PROPOSALS[:2]
    assert models.proposals() == remaining and models.proposal_count() == 2
    assert models.proposals(1, 1) == remaining[1:]  # pages are ranks: they must have closed up
    assert [rank for rank, _ in models.proposals_within(ACCOUNTS)] == [0, 1]
    assert models.account_of(["D-000003", "D-000004"]) == {"D-000003": "A-2", "D-000004": "A-2"}
    assert models.account_count() == 3
    assert models.common_counts() == (3, 1, {("organisation", "entity:E-council"): (2, 3)})
    models.clear()  # a seal: the counts go with the model
    assert models.common_counts() is None and models.proposals() == [] and models.given() == {}
    models.replace_accounts("stamp-3", AT, ACCOUNTS, PROPOSALS, counts)
    models.replace_accounts("stamp-4", AT, ACCOUNTS, PROPOSALS)  # a build that kept no counts
    assert models.common_counts() is None


def test_clear_forgets_every_model(register: Register) -> None:
    models = register.store.read_models
    models.replace_accounts("stamp-1", AT, ACCOUNTS, PROPOSALS)
    models.clear()
    assert models.stamp("accounts") is None
    assert models.proposals() == [] and models.proposal_count() == 0
    assert models.account_count() == 0 and models.document_count() == 0


def test_sealing_a_document_clears_the_read_models(register: Register, tmp_path: Path) -> None:
    source = tmp_path / "statement-wren.txt"
    source.write_text("Statement of the complainant known as 'Wren', taken on 3 February 2026 in Easterby.\n")
    [outcome] = register.ingest([source], Submission("intake", "test"))
    assert outcome.document_id is not None
    models = register.store.read_models
    proposal = AccountProposal(outcome.document_id, "D-000099", 0.9, ("both give the pseudonym 'Wren'",))
    models.replace_accounts("stamp-1", AT, {outcome.document_id: "A-1", "D-000099": "A-2"}, [proposal])
    assert models.proposal_count() == 1

    register.seal(outcome.document_id, "lead", "a fictional court order")
    assert models.stamp("accounts") is None
    assert models.proposals() == [] and models.document_count() == 0
