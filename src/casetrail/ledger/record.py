"""The one way an event enters the ledger: appended as a leaf and indexed, in one commit.

Casework changes, read audits and account events all come through `record`, so each is
acknowledged only after the commit that holds both its leaf and its index row (the casework
feed and the audit log read that index).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from casetrail.ledger.log import Commit, Log
from casetrail.model.event import Event


class EventIndex(Protocol):
    def add_casework_events(self, rows: Iterable[tuple[int, str, str]]) -> None: ...


def record(log: Log, index: EventIndex, events: Sequence[Event], write: Callable[[], None] | None = None) -> Commit:
    """Append `events` in one durable commit; `write()` puts the caller's own rows in that commit."""

    def also(indices: list[int]) -> None:
        if write is not None:
            write()
        index.add_casework_events((i, event.type.value, event.subject) for i, event in zip(indices, events))

    return log.append([event.to_leaf() for event in events], also=also)
