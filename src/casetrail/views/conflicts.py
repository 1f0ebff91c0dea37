"""Independence verdicts as the person reading them may see them.

A refusal says what kind of conflict exists, not where: "connected to a linked case", never
which case, whose subject or which allegation. Someone barred from a case must not learn, by
proposing themselves, which cases are about them. The full reasons are in the ledger
(`assignment.checked`) and go to the independent overseer, and even then only for the cases
the overseer may read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from casetrail.model.casework import Conflict, Rule, Verdict
from casetrail.views.sight import Sight

KINDS: dict[Rule, str] = {
    Rule.PARTY_IN_CASE: "connected to this case (a subject, complainant or witness in it)",
    Rule.PARTY_IN_LINKED_CASE: "connected to a linked case",
    Rule.NAMED_IN_DOCUMENTS: "named in this case's documents",
    Rule.SAME_FORCE: "same force as a subject",
    Rule.SAME_UNIT: "same unit as a subject",
}
# Rules whose detail can only concern the case being staffed (so reading it needs that case alone).
_THIS_CASE = frozenset({Rule.PARTY_IN_CASE, Rule.NAMED_IN_DOCUMENTS, Rule.SAME_FORCE, Rule.SAME_UNIT})


@dataclass(frozen=True)
class ConflictLine:
    rule: str
    kind: str
    waivable: bool
    detail: str | None = None  # the full reason: only for an overseer who may read its case
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerdictView:
    allowed: bool
    conflicts: tuple[ConflictLine, ...]
    waived: tuple[tuple[ConflictLine, str], ...] = ()  # (conflict, waiver id)
    error: str | None = None


def conflict_line(sight: Sight, case_id: str, conflict: Conflict) -> ConflictLine:
    line = ConflictLine(conflict.rule.value, KINDS[conflict.rule], conflict.waivable)
    if not sight.oversees() or not sight.case(case_id):
        return line
    where = conflict.case_id or (case_id if conflict.rule in _THIS_CASE else None)
    if where is None or not sight.case(where):
        return line
    return ConflictLine(line.rule, line.kind, line.waivable, conflict.detail, conflict.evidence)


def conflict_lines(sight: Sight, case_id: str, conflicts: Sequence[Conflict]) -> tuple[ConflictLine, ...]:
    return tuple(conflict_line(sight, case_id, c) for c in conflicts)


def verdict_view(sight: Sight, case_id: str, verdict: Verdict) -> VerdictView:
    return VerdictView(
        verdict.allowed,
        conflict_lines(sight, case_id, verdict.conflicts),
        tuple((conflict_line(sight, case_id, c), w) for c, w in verdict.waived),
    )


def refused(error: str) -> VerdictView:
    """A request that never reached the rules (already assigned, unknown staff id)."""
    return VerdictView(False, (), (), error)
