"""The accounts and same-account proposals are built once and kept in the store, for every reader.

A workbench runs several workers on one store. The first to find the kept accounts stale builds
them under a claim; the others wait for it and read what it kept, rather than each computing the
whole inquiry's proposals in its own memory. Runs on both backends. Everyone here is fictional.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.casework.accounts import take_claim
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import PartyRole
from casetrail.store.home import Home
from casetrail.store.read_models import ACCOUNTS

INQUIRY = Path(__file__).parent / "inquiry"


@pytest.fixture()
def home(tmp_path: Path) -> Home:
    home = Home(tmp_path / "home")
    register = Register.create(home, "casetrail.test/kept-accounts")
    register.ingest(iter_files([INQUIRY]), Submission("intake", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    return home


# Unrelated calls, each naming a place of its own: with them, no detail the inquiry's accounts share
# is near half of the accounts, so a join moves no detail's commonness and is taken in place.
FILLER = [
    "The caller asked when the bins on Alder Close would next be emptied.",
    "A resident wrote about a broken lamp post at the end of Birch Walk.",
    "The letter asked for a copy of the parking permit rules for Cedar Row.",
    "A shopkeeper reported graffiti on the bus shelter in Damson Lane.",
    "The caller wanted the opening hours of the library on Elder Street.",
    "A resident asked who mends the potholes along Fir Tree Drive.",
    "The email asked whether the swimming baths on Gorse Hill had reopened.",
    "A neighbour complained about a noisy alarm on Hazel Crescent.",
]


@pytest.fixture()
def wide_home(tmp_path: Path) -> Home:
    calls = tmp_path / "calls"
    calls.mkdir()
    for number, text in enumerate(FILLER, start=1):
        (calls / f"call-{number}.txt").write_text(text + "\n", encoding="utf-8")
    home = Home(tmp_path / "wide")
    register = Register.create(home, "casetrail.test/kept-accounts-wide")
    register.ingest(iter_files([INQUIRY, calls]), Submission("intake", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    return home


def reader(home: Home) -> Casework:
    """A reader in a process of its own: its own connection and its own memory."""
    return Casework(Register.open(home))


def refuse_to_compute(casework: Casework) -> None:
    def computing(*_: object) -> None:
        raise AssertionError("this reader should have read the kept accounts, not computed them")

    casework.accounts.build = computing  # type: ignore[method-assign]  # compute() builds too


def test_the_kept_accounts_are_what_a_reader_would_compute(home: Home) -> None:
    casework = reader(home)
    accounts, proposals = casework.accounts.compute(casework.book())
    assert proposals, "the test inquiry has a news article repeating a statement: a proposal"
    assert "accounts" in casework.accounts.keep()
    kept = casework.store.read_models
    assert kept.accounts() == accounts
    assert kept.proposals() == proposals
    assert casework.accounts.grouped() == (accounts, proposals)


def test_a_second_reader_reads_what_the_first_built(home: Home) -> None:
    first = reader(home)
    first.warm()
    second = reader(home)
    refuse_to_compute(second)
    assert second.accounts.grouped() == first.accounts.grouped()
    entity = next(iter(second.entity_view().all_entities()))
    assert second.accounts.corroboration(entity) == first.accounts.corroboration(entity)


def test_a_reader_waits_for_the_builder_that_holds_the_claim(home: Home) -> None:
    builder, waiting = reader(home), reader(home)
    book = builder.book()
    accounts, proposals = builder.accounts.compute(book)
    now = datetime.now(UTC)
    assert builder.store.read_models.claim(ACCOUNTS, now.isoformat(), (now - timedelta(minutes=2)).isoformat())
    stamp = json.dumps(builder.accounts.key(book))

    def build_later() -> None:
        time.sleep(0.5)
        builder.store.read_models.replace_accounts(stamp, datetime.now(UTC).isoformat(), accounts, proposals)

    thread = threading.Thread(target=build_later)
    thread.start()
    refuse_to_compute(waiting)
    try:
        assert waiting.accounts.proposals() == proposals
    finally:
        thread.join()
    assert waiting.store.read_models.stamp("building:" + ACCOUNTS) is None  # the claim went with the build


def test_a_dead_builders_claim_lapses(home: Home) -> None:
    casework = reader(home)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    kept = casework.store.read_models
    assert kept.claim(ACCOUNTS, long_ago.isoformat(), (long_ago - timedelta(minutes=2)).isoformat())
    # a live claim is not taken twice
    assert not kept.claim(ACCOUNTS, long_ago.isoformat(), (long_ago - timedelta(minutes=2)).isoformat())
    assert casework.accounts.proposals() == casework.accounts.compute(casework.book())[1]


def test_a_claim_held_by_a_process_here_that_is_gone_is_taken_at_once(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    casework = reader(home)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    holder = f"{socket.gethostname()}:{int(gone.stdout)}"
    now = datetime.now(UTC)
    assert casework.store.read_models.claim(ACCOUNTS, now.isoformat(), (now - timedelta(minutes=2)).isoformat(), holder)

    def wait(_: float) -> None:
        raise AssertionError("waited for a builder that is no longer running")

    monkeypatch.setattr("casetrail.casework.accounts.time.sleep", wait)
    assert casework.accounts.proposals() == casework.accounts.compute(casework.book())[1]
    assert casework.store.read_models.claim_holder(ACCOUNTS) is None  # taken over, built, released


def test_a_claim_held_by_a_running_process_or_another_machine_is_waited_for(home: Home) -> None:
    kept = reader(home).store.read_models
    now = datetime.now(UTC)
    for holder in (f"{socket.gethostname()}:{os.getpid()}", "another-host:1", ""):
        assert kept.claim(ACCOUNTS, now.isoformat(), (now - timedelta(minutes=2)).isoformat(), holder)
        assert not take_claim(kept)
        assert kept.claim_holder(ACCOUNTS) == holder
        kept.release(ACCOUNTS)


def test_a_decision_moves_the_kept_accounts_for_every_reader(home: Home) -> None:
    first, second = reader(home), reader(home)
    [proposal, *_] = first.accounts.proposals()
    first.compare("account", proposal.left, proposal.right, True, "the article quotes the statement", "lead")
    assert second.accounts.grouped()[0][proposal.left] == second.accounts.grouped()[0][proposal.right]
    assert (proposal.left, proposal.right) not in {(p.left, p.right) for p in second.accounts.proposals()}


@pytest.mark.parametrize("readonly", [False, True])
def test_proposals_between_some_documents_are_those_with_both_sides_among_them(home: Home, readonly: bool) -> None:
    reader(home).accounts.keep()
    casework = Casework(Register.open(home, readonly=readonly))
    [proposal, *_] = every = casework.accounts.proposals()
    others = sorted({doc.id for doc, _, _ in casework.documents()} - {proposal.left, proposal.right})
    both = [p for p in every if {p.left, p.right} <= {proposal.left, proposal.right, *others[:1]}]
    assert casework.accounts.proposals_between([proposal.left, proposal.right, *others[:1]]) == both
    assert proposal in both
    without_right = [proposal.left, *others]
    assert casework.accounts.proposals_between(without_right) == [
        p for p in every if {p.left, p.right} <= set(without_right)
    ]
    assert proposal not in casework.accounts.proposals_between([proposal.left, *others])


def test_verdicts_are_taken_into_the_kept_model_without_a_build(wide_home: Home) -> None:
    home = wide_home
    first = reader(home)
    first.warm()
    [proposal, *_] = first.accounts.proposals()
    first.compare("account", proposal.right, proposal.left, False, "two survivors, one officer", "lead")
    later = reader(home)
    refuse_to_compute(later)  # the kept model is brought up to date in place
    got = later.accounts.grouped()
    assert got == reader(home).accounts.compute(later.book())
    assert (proposal.left, proposal.right) not in {(p.left, p.right) for p in got[1]}
    assert later.store.read_models.stamp(ACCOUNTS) == json.dumps(later.accounts.key(later.book()))
    # undoing the refusal with "the same" joins the two accounts in place
    later.compare("account", proposal.left, proposal.right, True, "on review, one account", "lead")
    joined = later.accounts.grouped()
    assert joined == reader(home).accounts.compute(later.book())
    assert joined[0][proposal.left] == joined[0][proposal.right]
    # undoing that join can split an account: a build
    later.compare("account", proposal.left, proposal.right, False, "on review again, two", "lead")
    with pytest.raises(AssertionError, match="should have read the kept accounts"):
        later.accounts.grouped()
    assert reader(home).accounts.grouped() == reader(home).accounts.compute(later.book())


def test_documents_given_by_one_party_are_joined_in_the_kept_model_without_a_build(wide_home: Home) -> None:
    first = reader(wide_home)
    first.warm()
    documents = sorted(first.store.read_models.accounts())
    case = first.open_case("Two calls from one caller", "lead")
    caller = first.add_party(case.id, PartyRole.COMPLAINANT, "lead", pseudonym="Larch")
    first.add_documents(case.id, documents[:1], "lead", given_by=caller.id)  # one document: nothing to join
    later = reader(wide_home)
    refuse_to_compute(later)
    assert later.accounts.grouped() == reader(wide_home).accounts.compute(later.book())
    first.add_documents(case.id, documents[-2:], "lead", given_by=caller.id)  # now three from one party
    refuse_to_compute(later)
    joined = later.accounts.grouped()
    assert joined == reader(wide_home).accounts.compute(later.book())
    assert joined[0][documents[0]] == joined[0][documents[-1]] == joined[0][documents[-2]]
    # the same document given by another party in a second case may split an account: a build
    other = first.open_case("A second case", "lead")
    someone = first.add_party(other.id, PartyRole.WITNESS, "lead", pseudonym="Rowan")
    first.add_documents(other.id, documents[-1:], "lead", given_by=someone.id)
    with pytest.raises(AssertionError, match="should have read the kept accounts"):
        later.accounts.grouped()
    assert reader(wide_home).accounts.grouped() == reader(wide_home).accounts.compute(later.book())
