"""The one way an event enters the ledger: appended as a leaf and indexed, in one commit.

Casework changes, read audits and account events all come through `record`, so each is
acknowledged only after the commit that holds both its leaf and its index row (the casework
feed and the audit log read that index). Events outside casework (withdrawals, seals, decisions,
redactions) come through `append_events`, which `record` uses too: every leaf so made is
committed (ledger/commitments.py), with the event as recorded kept in the encrypted store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from casetrail.ledger.commitments import commit_event
from casetrail.ledger.log import Commit, Log
from casetrail.model.event import Event


class EventIndex(Protocol):
    def add_casework_events(self, rows: Iterable[tuple[int, str, str]]) -> None: ...


def append_events(log: Log, events: Sequence[Event], also: Callable[[list[int]], None] | None = None) -> Commit:
    """Append `events` as leaves that name no one (ledger/commitments.py), keeping each event as
    recorded beside its salt, in one durable commit; `also(indices)` adds the caller's rows."""
    committed = [commit_event(event) for event in events]

    def keep(indices: list[int]) -> None:
        log.store.add_opened_events((i, c.salt, c.opened) for i, c in zip(indices, committed) if c.salt is not None)
        if also is not None:
            also(indices)

    return log.append([c.leaf for c in committed], also=keep)


def record(log: Log, index: EventIndex, events: Sequence[Event], write: Callable[[], None] | None = None) -> Commit:
    """Append `events` in one durable commit; `write()` puts the caller's own rows in that commit."""

    def also(indices: list[int]) -> None:
        if write is not None:
            write()
        index.add_casework_events((i, event.type.value, event.subject) for i, event in zip(indices, events))

    return append_events(log, events, also)
