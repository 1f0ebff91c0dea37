"""The case file: exactly the case view its exporter may read, plus receipts.

`case.json` is the exporter's `CaseView`, with each history line carrying its event's leaf hash
so the bundle proves those events are in the log; no event body is in the bundle. The documents
are the ones the view lists (those the exporter may read), each with its receipt and original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casetrail.casefile import CaseFileOut, export_case_file, history_leaf_hash
from casetrail.errors import LedgerError
from casetrail.views import as_json
from casetrail.views.case import LINKS_MOST, build_case_view
from casetrail.views.sight import Sight

if TYPE_CHECKING:
    from casetrail.casework import Casework


def export_case(sight: Sight, casework: Casework, case_id: str, out: CaseFileOut) -> CaseFileOut:
    """Write the case file for `case_id` as `sight` may see it (to a path or a binary stream); the
    caller checked they may read it."""
    hashes = {}
    for entry in casework.book().cases[case_id].history:
        data = casework.store.ledger.get_entry(entry.leaf)
        if data is None:
            raise LedgerError(f"leaf {entry.leaf} is missing from the store")
        hashes[entry.leaf] = history_leaf_hash(data)
    view = build_case_view(sight, casework, case_id, hashes, links_shown=LINKS_MOST)  # as many as one page may hold
    return export_case_file(
        out,
        case=as_json(view),
        document_ids=[d.id for d in view.documents],
        store=casework.store,
        objects=casework.register.objects,
        log=casework.log,
    )
