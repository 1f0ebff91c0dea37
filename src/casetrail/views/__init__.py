"""The read side: what one person may see, built by inclusion.

Every response, page, export and error that shows casework is made from a view in this
package. A view is a frozen dataclass built from a `Sight` (who is looking and what they can
reach): a field is present only because a rule here said this viewer may see it. Nothing is
built whole and then trimmed, and no ledger event body is ever copied out; history is rendered
line by line from the fields each event type may show.

    sight.py       Sight: the viewer, their reach, and the one shape of every check
    conflicts.py   independence verdicts as the requester may see them (kinds, not places)
    history.py     a case's ledger history, one rendered line per event
    case.py        the case page and API
    oversight.py   the overseer's dashboard
    export.py      the case file: exactly the case view, plus receipts
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any

_PLAIN = (str, int, float, bool, type(None))


def as_json(view: Any) -> Any:
    """A view as JSON-ready data: dicts, lists, strings, numbers, booleans and None."""
    if isinstance(view, _PLAIN):
        return view
    if isinstance(view, (list, tuple)):
        return [as_json(v) for v in view]
    if isinstance(view, dict):
        return {k: as_json(v) for k, v in view.items()}
    if is_dataclass(view) and not isinstance(view, type):
        return {name: as_json(getattr(view, name)) for name in _names(type(view))}
    return view


@cache
def _names(kind: type) -> tuple[str, ...]:
    """A view class's field names, looked up once per class (a case's API answer has thousands of lines)."""
    return tuple(f.name for f in fields(kind))
