"""Independent accounts as casework reads them: documents grouped into accounts, the proposed
same-account pairs, and corroboration (how many independent accounts name an entity).

The accounts and proposals are kept in the store (`store.read_models`): the first process to
find them stale builds them under a claim, and every other waits and reads what it kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Hashable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from casetrail.errors import CaseworkError
from casetrail.linking.account_changes import documents_named, given_joins, plan_verdicts
from casetrail.linking.accounts import AccountProposal, CommonCounts, group_accounts, propose_and_count
from casetrail.linking.corroboration import Corroboration, corroborate
from casetrail.model.casework import Casebook, DocumentFacts
from casetrail.resolution.view import EntityView
from casetrail.store.read_models import ACCOUNTS, ReadModels

if TYPE_CHECKING:
    from casetrail.casework.reads import CaseReads

# Details that tie two reports to one account without being entities ("aged 14", "in 2003").
ACCOUNT_DETAIL_TYPES = ("age", "date", "period", "collar_number")
# A claim older than this is taken over: its builder died on another machine (one on this machine
# is seen to be gone at once, `_gone`), or is slow, in which case two build the same model and the
# later commit stands. Waiting is bounded by it.
ACCOUNTS_BUILD_LIMIT = timedelta(minutes=2)
CLAIM_POLL_S = 0.2


class Accounts:
    """One job of the casework reads: independent accounts, their proposals and corroboration."""

    def __init__(self, reads: CaseReads) -> None:
        self.reads = reads

    def facts(self, book: Casebook) -> list[DocumentFacts]:
        given = given_by(book)
        active = [doc for doc, status, _ in self.reads.documents() if status == "active"]
        return [
            DocumentFacts(
                doc.id, doc.kind.value, doc.provenance.source_name, doc.parent_id, doc.amends, given.get(doc.id)
            )
            for doc in active
        ]

    def grouped(self, book: Casebook | None = None) -> tuple[dict[str, str], list[AccountProposal]]:
        """Documents grouped into independent accounts, and proposed same-account pairs, all of them."""
        book = book or self.reads.book()
        if not self._keep_accounts(book):
            return self.reads.memo("accounts", self.key(book), lambda: self.compute(book))
        return self.reads.store.read_models.accounts(), self.reads.store.read_models.proposals()

    def ready(self, book: Casebook) -> None:
        """Make the accounts ready to read without reading them all: current in the store (built
        here if this process is the first to find them stale), or computed here on a read-only store."""
        if not self._keep_accounts(book):
            self.reads.memo("accounts", self.key(book), lambda: self.compute(book))

    def keep(self) -> str:
        """Build what the store keeps for every reader if it is stale (the accounts and proposals)."""
        if not self._keep_accounts(self.reads.book()):
            return "nothing (a read-only store)"
        kept = self.reads.store.read_models
        return f"{kept.account_count()} independent accounts, {kept.proposal_count()} same-account proposals"

    def proposals(self, book: Casebook | None = None) -> list[AccountProposal]:
        """The proposed same-account pairs, best first."""
        book = book or self.reads.book()
        if not self._keep_accounts(book):
            return self.grouped(book)[1]
        return self.reads.store.read_models.proposals()

    def proposals_between(self, document_ids: Iterable[str], book: Casebook | None = None) -> list[AccountProposal]:
        """The proposed same-account pairs whose two documents are both among `document_ids`, best
        first: what one viewer may be shown, read without the rest of the inquiry's."""
        book = book or self.reads.book()
        ids = set(document_ids)
        if not self._keep_accounts(book):
            return [p for p in self.grouped(book)[1] if p.left in ids and p.right in ids]
        return [p for _, p in self.reads.store.read_models.proposals_within(ids)]

    def key(self, book: Casebook) -> Hashable:
        # Not keyed on documents: a new upload names nobody until it is extracted, which moves
        # the mentions generation; amending, withdrawing or sealing moves all three. Of the book,
        # only what accounts read: who gave each document, and the human verdicts (opening a
        # case, naming a subject or linking cases leaves them as they were).
        return (
            self.reads.generations()[1:],
            self.reads.memo("given", (self.reads.book_leaf, id(book)), lambda: _given_digest(book)),
            len(book.account_comparisons),
            float(self.reads.settings["account_proposal_min_score"]),
        )

    def _keep_accounts(self, book: Casebook) -> bool:
        """Make the store's kept accounts and proposals current (store.read_models): the first
        process to find them stale builds them, under a claim, and every other waits and reads
        them. False on a read-only store, whose reader computes its own."""
        if self.reads.store.readonly:
            return False
        key = self.key(book)
        return self.reads.memo("accounts_kept", key, lambda: self._build_kept_accounts(book, json.dumps(key)))

    def _build_kept_accounts(self, book: Casebook, stamp: str) -> bool:
        kept = self.reads.store.read_models
        while kept.stamp(ACCOUNTS) != stamp:
            if take_claim(kept):
                try:
                    if not self._change_in_place(book, stamp):
                        accounts, proposals, counts = self.build(book)
                        at = datetime.now(UTC).isoformat()
                        kept.replace_accounts(stamp, at, accounts, proposals, counts, given_by(book))
                except BaseException:
                    kept.release(ACCOUNTS)
                    raise
                break
            time.sleep(CLAIM_POLL_S)  # another process is building them: read what it keeps
        return True

    def _change_in_place(self, book: Casebook, stamp: str) -> bool:
        """Bring the kept model up to `stamp` in place when all that changed since it was kept is
        new verdicts and documents newly given by a party, and `plan_verdicts` can take them: a few
        queries, where a build reads every mention (about 36 s at 30,000 documents). False when
        anything else changed, or a change needs a build."""
        kept = self.reads.store.read_models
        before, counts = kept.stamp(ACCOUNTS), kept.common_counts()
        if before is None or counts is None:
            return False
        old, new = json.loads(before), json.loads(stamp)
        known = old[2]  # `key`: (generations, who gave what, verdicts so far, threshold)
        if [old[0], old[3]] != [new[0], new[3]] or known > new[2]:
            return False
        verdicts, given = book.account_comparisons, given_by(book)
        was_given = kept.given() if old[1] != new[1] else given
        added = {doc: party for doc, party in given.items() if doc not in was_given}
        touched = set(added.values())
        party_documents = {doc for doc, party in given.items() if party in touched}  # the added among them
        accounts = kept.account_of(documents_named(verdicts) | party_documents)
        structure = given_joins(was_given, given, accounts)
        if structure is None:
            return False
        plan = plan_verdicts(verdicts, known, accounts, CommonCounts(*counts), structure)
        if plan is None:
            return False
        kept.apply_account_changes(stamp, datetime.now(UTC).isoformat(), plan.steps, plan.counts, added)
        return True

    def compute(self, book: Casebook) -> tuple[dict[str, str], list[AccountProposal]]:
        accounts, proposals, _ = self.build(book)
        return accounts, proposals

    def build(self, book: Casebook) -> tuple[dict[str, str], list[AccountProposal], CommonCounts]:
        """The accounts and proposals from every mention in the inquiry, with the detail counts
        that let later verdicts be taken in place (`_change_in_place`)."""
        facts = self.facts(book)
        view = self.reads.entity_view()
        accounts = group_accounts(facts, book.account_comparisons)
        names = {eid: e.name for eid, e in view.all_entities().items()}  # batch work: every entity, read now
        live = {f.id for f in facts}
        details = self.reads.store.analysis.detail_mention_refs(ACCOUNT_DETAIL_TYPES)
        mentions = [m for m in [*view.all_mentions(), *details] if m.document_id in live]
        proposals, counts = propose_and_count(
            facts,
            mentions,
            book.account_comparisons,
            names,
            min_score=float(self.reads.settings["account_proposal_min_score"]),
        )
        return accounts, proposals, counts

    def corroboration(self, entity_id: str, book: Casebook | None = None) -> Corroboration:
        """How many independent accounts name this entity; kept until accounts or the book change."""
        book = book or self.reads.book()
        view = self.reads.entity_view()
        if entity_id not in view.entities:
            raise CaseworkError(f"no entity {entity_id!r}; see `casetrail entities`")
        key = self.key(book)
        return self.reads.memo_item("corroboration", key, entity_id, lambda: self._corroboration(book, view, entity_id))

    def _corroboration(self, book: Casebook, view: EntityView, entity_id: str) -> Corroboration:
        named = view.by_entity.get(entity_id, [])
        documents = {m.document_id for m in named}
        if self._keep_accounts(book):
            accounts = self.reads.store.read_models.account_of(documents)
            # only the proposals between this entity's documents, not the whole inquiry's
            touching = [p for _, p in self.reads.store.read_models.proposals_within(documents)]
        else:
            accounts, proposals = self.grouped(book)
            touching = [p for p in proposals if p.left in documents and p.right in documents]
        mentions = [m for m in named if m.document_id in accounts]
        return corroborate(entity_id, view.entities[entity_id].name, mentions, accounts, touching)

    def subject_corroboration(
        self, book: Casebook | None = None, case_id: str | None = None
    ) -> dict[str, Corroboration]:
        """Corroboration for every entity that is a subject of an allegation (in one case, if given)."""
        book = book or self.reads.book()
        view = self.reads.entity_view()
        subjects = [s for s in book.subjects.values() if case_id is None or s.case_id == case_id]
        held = list(dict.fromkeys(eid for s in subjects for eid in view.current(s.entity)))
        view.entities.many(held)  # one read for them all: each `corroboration` then finds its entity kept
        return {eid: self.corroboration(eid, book) for eid in held}


def take_claim(kept: ReadModels) -> bool:
    """Take the claim on building the accounts: if nobody holds it, if its holder has held it
    too long, or if its holder was a process on this machine that is no longer running (killed
    mid-build: nobody need wait out `ACCOUNTS_BUILD_LIMIT` for it)."""
    now = datetime.now(UTC)
    me = f"{socket.gethostname()}:{os.getpid()}"
    if kept.claim(ACCOUNTS, now.isoformat(), (now - ACCOUNTS_BUILD_LIMIT).isoformat(), me):
        return True
    holder = kept.claim_holder(ACCOUNTS)
    return holder is not None and _gone(holder) and kept.take_over(ACCOUNTS, holder, me, now.isoformat())


def _gone(holder: str) -> bool:
    """Whether a claim's holder ("host:pid") was a process on this machine that no longer runs."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's process (PostgreSQL), or a holder that did not say: wait
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # someone else's live process
    return False


def given_by(book: Casebook) -> dict[str, str]:
    """Who gave each document in a case (document -> party; of a document in several cases, the
    party of the last): what the casebook adds to the accounts."""
    return {d: p for c in book.cases.values() for d, p in c.documents.items() if p}


def _given_digest(book: Casebook) -> str:
    return hashlib.sha256(json.dumps(sorted(given_by(book).items())).encode()).hexdigest()
