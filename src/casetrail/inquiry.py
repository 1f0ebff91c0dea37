"""One inquiry's composition root: the store, the log, the objects, the settings and the clock.

The CLI and the workbench open an `Inquiry` and touch nothing below it. It has the one way to
record events (`record`), and it wires the parts that record through it: casework changes,
read audits and account events all land in the ledger the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from casetrail.accounts import Accounts, in_ledger
from casetrail.casework import DEFAULT_SETTINGS, Casework
from casetrail.intake.register import Register, utc_now
from casetrail.ledger.log import Commit
from casetrail.ledger.record import record
from casetrail.model.event import Event, EventType
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home

Clock = Callable[[], str]


class Inquiry:
    def __init__(self, home: Home, register: Register | None = None, clock: Clock = utc_now) -> None:
        self.home = home
        self.register = register or Register.open(home)
        self.store = self.register.store
        self.log = self.register.log
        self.objects = self.register.objects
        self.settings: dict[str, Any] = {**DEFAULT_SETTINGS, **home.config()}
        self.clock = clock

    def record(self, events: Sequence[Event], write: Callable[[], None] | None = None) -> Commit:
        """Append events in one commit, indexed for the casework feed and the audit log."""
        return record(self.log, self.store.casework, events, write)

    def audit(self, actor: str, what: str, body: dict[str, Any]) -> Commit:
        """A read, with its reason: a `read.audited` event."""
        return self.record([Event(EventType.READ_AUDITED, what, self.clock(), actor, body)])

    @cached_property
    def casework(self) -> Casework:
        return Casework(self.register, self.settings)

    @cached_property
    def accounts(self) -> Accounts:
        # Always recorded: an account's creation and every change is a ledger event.
        return Accounts(AccountStore(self.store), in_ledger(self.log, self.store))
