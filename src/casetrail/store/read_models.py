"""Read models (migration 0013): what the workbench derives from the store, kept in it, so that one
process builds each and every worker reads it by indexed queries rather than recomputing it in its
own memory.

Kept today, under the name "accounts": which documents form one independent account (document id
-> account id, casetrail.linking.accounts.group_accounts) and the proposed same-account pairs,
best first, each with its rank (its place in that order, from 0). `read_models` says which inputs
each kept model was built from: its builder's stamp, an opaque string it compares with the stamp
of what the store holds now, to tell whether the model is current.

A proposal's reasons quote names read from documents' text, so sealing a document clears every
read model (`clear`), and the next reader finds no stamp and builds them again from what remains.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from casetrail.model.casework import AccountProposal
from casetrail.store.database import Database, Statements, as_list

ACCOUNTS = "accounts"  # the read model `replace_accounts` keeps
ACCOUNT_COUNTS = "account_counts"  # kept with it: how many accounts, and the bound of the counts not held
BUILDING = "building:"  # the prefix of a builder's claim on a model
PROPOSAL_COLUMNS = "rank, left_id, right_id, score, reasons"
# (accounts, bound, held): casetrail.linking.accounts.CommonCounts as the store keeps it
KeptCounts = tuple[int, int, Mapping[tuple[str, str], tuple[int, int]]]
Step = tuple[str, str, str]  # casetrail.linking.account_changes.Step: ("drop" | "join", account, account)

STATEMENTS = Statements(
    {
        "stamp": "SELECT stamp FROM read_models WHERE name = ?",
        "set_stamp": (
            "INSERT INTO read_models (name, stamp, built_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp, built_at = excluded.built_at"
        ),
        # A builder's claim: a row named for the model it builds, taken if absent or older than the
        # given time (a builder that died), so that workers finding a model stale build it once.
        # The claim's stamp names its holder, so that a holder known to be gone can be replaced at once.
        "claim": (
            "INSERT INTO read_models (name, stamp, built_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET stamp = excluded.stamp, built_at = excluded.built_at"
            " WHERE read_models.built_at < ?"
        ),
        "take_over": "UPDATE read_models SET stamp = ?, built_at = ? WHERE name = ? AND stamp = ?",
        "forget": "DELETE FROM read_models WHERE name = ?",
        # Not the person index's stamp (store.analysis): a seal marks the entities to file again instead.
        "clear_read_models": "DELETE FROM read_models WHERE name <> 'person_keys'",
        "clear_accounts": "DELETE FROM document_accounts",
        "clear_proposals": "DELETE FROM account_proposals",
        "clear_counts": "DELETE FROM account_common_details",
        "add_count": "INSERT INTO account_common_details (detail_kind, detail_key, low, high) VALUES (?, ?, ?, ?)",
        "counts": "SELECT detail_kind, detail_key, low, high FROM account_common_details",
        "join_accounts": "UPDATE document_accounts SET account_id = ? WHERE account_id = ?",
        "clear_given": "DELETE FROM account_given",
        "add_given": "INSERT INTO account_given (document_id, party) VALUES (?, ?)",
        "given": "SELECT document_id, party FROM account_given",
        "add_account": "INSERT INTO document_accounts (document_id, account_id) VALUES (?, ?)",
        "add_proposal": f"INSERT INTO account_proposals ({PROPOSAL_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
        "account_of": (
            "SELECT document_id, account_id FROM document_accounts"
            " WHERE document_id IN (SELECT value FROM json_each(?))"
        ),
        "accounts": "SELECT document_id, account_id FROM document_accounts ORDER BY document_id",
        "account_count": "SELECT COUNT(DISTINCT account_id) FROM document_accounts",
        "document_count": "SELECT COUNT(*) FROM document_accounts",
        # Ranks run 0, 1, 2, ... with no gap (a drop closes them up), so a page is a
        # range of the primary key: read from the index, never skipped over as OFFSET would be.
        "proposals_from": f"SELECT {PROPOSAL_COLUMNS} FROM account_proposals WHERE rank >= ? ORDER BY rank",
        "proposals_between": (
            f"SELECT {PROPOSAL_COLUMNS} FROM account_proposals WHERE rank >= ? AND rank < ? ORDER BY rank"
        ),
        "proposal_count": "SELECT COUNT(*) FROM account_proposals",
        # The proposals between two accounts (given twice): found from each account's documents.
        "drop_proposals_between": (
            "DELETE FROM account_proposals WHERE rank IN (SELECT p.rank FROM document_accounts l"
            " JOIN account_proposals p ON p.left_id = l.document_id"
            " JOIN document_accounts r ON r.document_id = p.right_id"
            " WHERE l.account_id IN (?, ?) AND r.account_id IN (?, ?) AND l.account_id <> r.account_id)"
        ),
        # Ranks close up after a drop in two steps, so that no two rows ever hold one rank: the rows
        # that move go first to -1 - their new rank, which no row holds, then to their new rank.
        "park_moved_ranks": (
            "UPDATE account_proposals SET rank = -1 - n.place FROM (SELECT rank AS old,"
            " ROW_NUMBER() OVER (ORDER BY rank) - 1 AS place FROM account_proposals) n"
            " WHERE account_proposals.rank = n.old AND n.old <> n.place"
        ),
        "place_moved_ranks": "UPDATE account_proposals SET rank = -1 - rank WHERE rank < 0",
        # Found through the left side's index, kept if the right side is in the set too.
        "proposals_within": (
            f"SELECT {PROPOSAL_COLUMNS} FROM account_proposals WHERE left_id IN (SELECT value FROM json_each(?))"
            " AND right_id IN (SELECT value FROM json_each(?)) ORDER BY rank"
        ),
    },
    postgres={
        "account_of": "SELECT document_id, account_id FROM document_accounts WHERE document_id = ANY(%s)",
        "proposals_within": (
            f"SELECT {PROPOSAL_COLUMNS} FROM account_proposals WHERE left_id = ANY(%s) AND right_id = ANY(%s)"
            " ORDER BY rank"
        ),
    },
)


class ReadModels:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sql = STATEMENTS(db.dialect)

    def _list(self, values: Iterable[Any]) -> Any:
        return as_list(values, self.db.dialect)

    def stamp(self, name: str) -> str | None:
        """The stamp of the inputs the kept model `name` was built from; None if none is kept."""
        row = self.db.run(self.sql["stamp"], (name,)).fetchone()
        return None if row is None else str(row[0])

    def clear(self) -> None:
        """Forget every read model (sealing: proposals' reasons quote names read from text)."""
        with self.db.transaction():
            for name in ("clear_read_models", "clear_accounts", "clear_proposals", "clear_counts", "clear_given"):
                self.db.run(self.sql[name])

    def claim(self, name: str, at: str, expired_before: str, holder: str = "") -> bool:
        """Take the right to build `name` for `holder` (False: another holds it, since `expired_before`)."""
        with self.db.transaction():
            taken = self.db.run(self.sql["claim"], (BUILDING + name, holder, at, expired_before)).rowcount
        return bool(taken)

    def claim_holder(self, name: str) -> str | None:
        """Who holds the claim on building `name` (as `claim` was told); None if nobody does."""
        return self.stamp(BUILDING + name)

    def take_over(self, name: str, gone: str, holder: str, at: str) -> bool:
        """Take the claim on `name` from `gone`, a holder known to be no longer running (False: it
        changed hands or was released meanwhile)."""
        with self.db.transaction():
            taken = self.db.run(self.sql["take_over"], (holder, at, BUILDING + name, gone)).rowcount
        return bool(taken)

    def release(self, name: str) -> None:
        with self.db.transaction():
            self.db.run(self.sql["forget"], (BUILDING + name,))

    # -- accounts ---------------------------------------------------------------------------------

    def replace_accounts(
        self,
        stamp: str,
        at: str,
        accounts: Mapping[str, str],
        proposals: Sequence[AccountProposal],
        counts: KeptCounts | None = None,
        given: Mapping[str, str] | None = None,
    ) -> None:
        """Swap in the accounts (document id -> account id) and the proposals, ranked in the order
        given, built from the inputs `stamp` names at `at`, with what lets later verdicts and
        parties be taken in place: the detail counts, and who gave each document (none: every
        change needs a build). All in one commit (or in the caller's open transaction), so a
        reader sees the old model or the new, never a mixture."""
        with self.db.transaction():
            self.db.run(self.sql["clear_accounts"])
            self.db.run(self.sql["clear_proposals"])
            self.db.run_many(self.sql["add_account"], sorted(accounts.items()))
            self.db.run_many(
                self.sql["add_proposal"],
                (
                    (rank, p.left, p.right, float(p.score), json.dumps(list(p.reasons)))
                    for rank, p in enumerate(proposals)
                ),
            )
            self.db.run(self.sql["clear_given"])
            self._keep_counts(counts, at)
            if counts is not None:
                self.db.run_many(self.sql["add_given"], sorted((given or {}).items()))
            self._stamp_accounts(stamp, at)

    def apply_account_changes(
        self, stamp: str, at: str, steps: Iterable[Step], counts: KeptCounts, given: Mapping[str, str] | None = None
    ) -> None:
        """Take verdicts into the kept model in place (casetrail.linking.account_changes): each step
        in order, `("drop", a, b)` the proposals between accounts a and b, `("join", kept, joined)`
        joined's documents into kept; then close up the ranks, keep the counts and the documents
        newly `given` (document -> party), and stamp the model as built from the inputs `stamp`
        names. In one commit, as `replace_accounts` is."""
        with self.db.transaction():
            for step, first, second in steps:
                if step == "drop":
                    self.db.run(self.sql["drop_proposals_between"], (first, second, first, second))
                else:
                    self.db.run(self.sql["join_accounts"], (first, second))
            self.db.run(self.sql["park_moved_ranks"])
            self.db.run(self.sql["place_moved_ranks"])
            self._keep_counts(counts, at)
            self.db.run_many(self.sql["add_given"], sorted((given or {}).items()))
            self._stamp_accounts(stamp, at)

    def given(self) -> dict[str, str]:
        """Who gave each document, as the kept accounts model was built from it (document -> party)."""
        return {str(doc): str(party) for doc, party in self.db.run(self.sql["given"])}

    def common_counts(self) -> KeptCounts | None:
        """The detail counts kept with the accounts model: (accounts, bound, held); None if none are."""
        kept = self.stamp(ACCOUNT_COUNTS)
        if kept is None:
            return None
        numbers = json.loads(kept)
        held = {(str(k), str(key)): (int(low), int(high)) for k, key, low, high in self.db.run(self.sql["counts"])}
        return int(numbers["accounts"]), int(numbers["bound"]), held

    def _keep_counts(self, counts: KeptCounts | None, at: str) -> None:
        self.db.run(self.sql["clear_counts"])
        if counts is None:
            self.db.run(self.sql["forget"], (ACCOUNT_COUNTS,))
            return
        accounts, bound, held = counts
        rows = ((kind, key, low, high) for (kind, key), (low, high) in sorted(held.items()))
        self.db.run_many(self.sql["add_count"], rows)
        self.db.run(self.sql["set_stamp"], (ACCOUNT_COUNTS, json.dumps({"accounts": accounts, "bound": bound}), at))

    def _stamp_accounts(self, stamp: str, at: str) -> None:
        self.db.run(self.sql["set_stamp"], (ACCOUNTS, stamp, at))
        self.db.run(self.sql["forget"], (BUILDING + ACCOUNTS,))

    def account_of(self, document_ids: Iterable[str]) -> dict[str, str]:
        """Document id -> its account id, for those of `document_ids` the kept model holds."""
        wanted = sorted(set(document_ids))
        if not wanted:
            return {}
        rows = self.db.run(self.sql["account_of"], (self._list(wanted),))
        return {str(doc_id): str(account_id) for doc_id, account_id in rows}

    def accounts(self) -> dict[str, str]:
        """Every document the kept model places, with its account id (for whole-inquiry listings)."""
        return {str(doc_id): str(account_id) for doc_id, account_id in self.db.run(self.sql["accounts"])}

    def account_count(self) -> int:
        """How many distinct accounts the kept model holds."""
        return int(self.db.run(self.sql["account_count"]).fetchone()[0])

    def document_count(self) -> int:
        """How many documents the kept model places in an account."""
        return int(self.db.run(self.sql["document_count"]).fetchone()[0])

    def proposals(self, offset: int = 0, limit: int | None = None) -> list[AccountProposal]:
        """The kept proposals in rank order, from the `offset`-th, at most `limit` of them."""
        start = max(offset, 0)
        if limit is None:
            rows = self.db.run(self.sql["proposals_from"], (start,))
        else:
            rows = self.db.run(self.sql["proposals_between"], (start, start + max(limit, 0)))
        return [proposal for _, proposal in _proposals(rows)]

    def proposal_count(self) -> int:
        return int(self.db.run(self.sql["proposal_count"]).fetchone()[0])

    def proposals_within(self, document_ids: Iterable[str]) -> list[tuple[int, AccountProposal]]:
        """(rank, proposal) of every kept proposal between two of `document_ids`, in rank order:
        what corroboration keeps of them, read without the reasons of any other."""
        wanted = sorted(set(document_ids))
        if not wanted:
            return []
        listed = self._list(wanted)
        return _proposals(self.db.run(self.sql["proposals_within"], (listed, listed)))


def _proposals(rows: Iterable[Sequence[Any]]) -> list[tuple[int, AccountProposal]]:
    return [
        (int(rank), AccountProposal(str(left), str(right), float(score), tuple(str(r) for r in json.loads(reasons))))
        for rank, left, right, score, reasons in rows
    ]
