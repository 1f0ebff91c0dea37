"""Casework: the investigation's working objects, recorded in the ledger and checked by policy.

This package composes steps (like `analysis`): it reads the store, asks resolution who a member
of staff is, asks linking what connects cases and accounts, asks policy whether an assignment
is independent and asks oversight what is overdue. Every change is a ledger event appended
through the log; the state is `model.casework.replay` over those events.

    reads.py         the casebook and the read models computed from it, kept between calls
    links.py         case links and their evidence (`reads.links`)
    accounts.py      independent accounts, same-account proposals, corroboration (`reads.accounts`)
    independence.py  the assignment rules' inputs and verdicts (`reads.independence`)
    commands.py      `Casework`: the reads plus the commands, each a ledger event
    presentation.py  the operator's full rendering of a case (CLI, JSON)
"""

from casetrail.casework.accounts import ACCOUNT_DETAIL_TYPES
from casetrail.casework.commands import Casework
from casetrail.casework.links import POLICY_LINK_KINDS
from casetrail.casework.reads import (
    ASSIGNMENT_CONFLICT,
    DEFAULT_SETTINGS,
    WEB_CHANNEL,
    CaseReads,
)
from casetrail.resolution.view import EntityView

__all__ = [
    "WEB_CHANNEL",
    "ACCOUNT_DETAIL_TYPES",
    "ASSIGNMENT_CONFLICT",
    "DEFAULT_SETTINGS",
    "POLICY_LINK_KINDS",
    "CaseReads",
    "Casework",
    "EntityView",
]
