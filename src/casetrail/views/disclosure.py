"""A case's disclosure schedules as one viewer may see them: `disclosure show` and the bundle.

Built by inclusion, like every view here. An item is listed only when the viewer may read its
case and its document; a sensitive item (MG6D) only when they may also open the case's
identifying details (`Sight.identity`), since sensitive material is what must not travel. What
they may not see is counted (`withheld`), never described. The history holds only the events of
items listed, plus each listed document's received leaf, so a bundle proves those and no others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casetrail.casefile import CaseFileOut, export_case_file, history_leaf_hash
from casetrail.errors import LedgerError
from casetrail.model.disclosure import Disclosure, Item, Judgement, Schedule
from casetrail.model.event import Event, EventType
from casetrail.pdfwriter import tables
from casetrail.views import as_json
from casetrail.views.history import HistoryLine
from casetrail.views.sight import Sight

if TYPE_CHECKING:
    from casetrail.casework import Casework

TEST = "might reasonably be considered capable of undermining the case for the prosecution or of assisting the case for the accused"


@dataclass(frozen=True)
class JudgementLine:
    meets_test: bool
    finding: str  # the test in words, met or not
    reason: str
    by: str
    at: str


@dataclass(frozen=True)
class ItemLine:
    id: str
    schedule: str  # "MG6C" | "MG6D"
    document_id: str
    document_sha256: str | None
    document_leaf: int | None
    description: str
    sensitivity_reason: str | None  # MG6D only
    scheduled_by: str
    scheduled_at: str
    revisions: int
    judgement: JudgementLine | None  # the latest; None: not yet judged
    earlier_judgements: tuple[JudgementLine, ...]


@dataclass(frozen=True)
class ScheduleView:
    id: str  # the case id: the bundle's case.json carries it
    title: str
    test: str
    non_sensitive: tuple[ItemLine, ...]  # MG6C
    sensitive: tuple[ItemLine, ...]  # MG6D
    withheld: int  # items on the schedules this viewer may not see
    unscheduled: tuple[str, ...]  # the case's documents (that this viewer may read) on neither schedule
    history: tuple[HistoryLine, ...]


def visible_items(sight: Sight, disclosure: Disclosure, case_id: str) -> tuple[list[Item], int]:
    shown, withheld = [], 0
    for item in sorted(disclosure.for_case(case_id), key=lambda i: i.id):
        sensitive = item.current.schedule is Schedule.SENSITIVE
        if sight.document(item.document_id) and (not sensitive or sight.identity(case_id)):
            shown.append(item)
        else:
            withheld += 1
    return shown, withheld


def build_schedule_view(
    sight: Sight, casework: Casework, disclosure: Disclosure, case_id: str, leaf_hashes: Mapping[int, str] | None = None
) -> ScheduleView:
    """The viewer's schedules for a case; the caller checked they may read the case."""
    book = casework.book()
    case = book.cases[case_id]
    items, withheld = visible_items(sight, disclosure, case_id)
    lines = [_item_line(casework, item) for item in items]
    scheduled = {item.document_id for item in disclosure.for_case(case_id)}
    unscheduled = tuple(d for d in sorted(case.documents) if d not in scheduled and sight.document(d))
    return ScheduleView(
        case_id,
        case.title,
        TEST,
        tuple(line for line in lines if line.schedule == Schedule.NON_SENSITIVE.form),
        tuple(line for line in lines if line.schedule == Schedule.SENSITIVE.form),
        withheld,
        unscheduled,
        _history(casework, items, lines, leaf_hashes or {}),
    )


def _judgement(j: Judgement) -> JudgementLine:
    finding = ("meets the test: it " if j.meets_test else "does not meet the test: it is not material that ") + TEST
    return JudgementLine(j.meets_test, finding, j.reason, j.by, j.at)


def _item_line(casework: Casework, item: Item) -> ItemLine:
    found = casework.document(item.document_id)
    sha256, leaf = (found[0].sha256, found[2]) if found else (None, None)
    first, now = item.revisions[0], item.current
    judgements = [_judgement(j) for j in item.judgements]
    return ItemLine(
        item.id,
        now.schedule.form,
        item.document_id,
        sha256,
        leaf,
        now.description,
        now.sensitivity_reason,
        first.by,
        first.at,
        len(item.revisions),
        judgements[-1] if judgements else None,
        tuple(judgements[:-1]),
    )


def _history(
    casework: Casework, items: list[Item], lines: list[ItemLine], hashes: Mapping[int, str]
) -> tuple[HistoryLine, ...]:
    found: list[HistoryLine] = []
    for item, line in zip(items, lines):
        for number, revision in enumerate(item.revisions, start=1):
            what = "scheduled" if number == 1 else f"changed (revision {number})"
            summary = f"{item.id} ({item.document_id}) {what} on {revision.schedule.form}: {revision.description}"
            found.append(
                HistoryLine(
                    revision.leaf,
                    revision.at,
                    EventType.DISCLOSURE_ITEM_SCHEDULED.value,
                    revision.by,
                    summary,
                    hashes.get(revision.leaf),
                )
            )
        for judgement in item.judgements:
            verdict = "might undermine or assist" if judgement.meets_test else "does not undermine or assist"
            found.append(
                HistoryLine(
                    judgement.leaf,
                    judgement.at,
                    EventType.DISCLOSURE_JUDGED.value,
                    judgement.by,
                    f"{item.id} judged: {verdict}: {judgement.reason}",
                    hashes.get(judgement.leaf),
                )
            )
        if line.document_leaf is not None:
            # The document's own leaf, so the bundle proves the item's material is in the log. Its
            # submitter is not shown: the schedule describes material, not who handed it over.
            entry = casework.store.ledger.get_entry(line.document_leaf)
            recorded = Event.from_leaf(entry) if entry is not None else None
            found.append(
                HistoryLine(
                    line.document_leaf,
                    recorded.at if recorded else "",
                    recorded.type.value if recorded else "document.received",
                    "",
                    f"{item.document_id} recorded, sha256 {line.document_sha256}",
                    hashes.get(line.document_leaf),
                )
            )
    unique = {h.leaf: h for h in found}  # a document scheduled in two cases is still one leaf
    return tuple(sorted(unique.values(), key=lambda h: h.leaf))


def pdf_name(case_id: str) -> str:
    return f"schedules-{case_id}.pdf"


def _test_cell(line: ItemLine) -> str:
    if line.judgement is None:
        return "not yet judged"
    verdict = "MEETS the test" if line.judgement.meets_test else "does not meet the test"
    return f"{verdict}: {line.judgement.reason}"


def schedules_pdf(view: ScheduleView) -> bytes:
    """The schedules for a court: one table for MG6C, one for MG6D (with the reason for sensitivity)."""
    intro = [
        f"Case {view.id}: {view.title}",
        f"Disclosure test: whether the material {view.test}.",
        "Each item names its document and the leaf of the ledger entry that records it; the signed bundle"
        " this PDF travels in proves those entries (casetrail verify-case-file).",
    ]
    if view.withheld:
        intro.append(f"{view.withheld} item(s) on these schedules are not shown to this viewer.")
    if view.unscheduled:
        intro.append(f"Documents of the case on neither schedule: {', '.join(view.unscheduled)}.")

    def rows(lines: tuple[ItemLine, ...], sensitive: bool) -> list[list[str]]:
        found = []
        for number, line in enumerate(lines, start=1):
            document = line.document_id + (f" (leaf {line.document_leaf})" if line.document_leaf is not None else "")
            row = [str(number), line.id, document, line.description]
            if sensitive:
                row.append(line.sensitivity_reason or "")
            row += [_test_cell(line), line.judgement.by if line.judgement else "", line.scheduled_by]
            found.append(row)
        return found

    common = ["No.", "Item", "Document", "Description"]
    after = ["Disclosure test and reason", "Judged by", "Scheduled by"]
    return tables(
        f"Schedules of unused material: case {view.id}",
        intro,
        [
            ("MG6C: schedule of non-sensitive unused material", [*common, *after], rows(view.non_sensitive, False)),
            (
                "MG6D: schedule of sensitive unused material",
                [*common, "Reason for sensitivity", *after],
                rows(view.sensitive, True),
            ),
        ],
    )


def export_schedules(
    sight: Sight, casework: Casework, disclosure: Disclosure, case_id: str, out: CaseFileOut
) -> CaseFileOut:
    """The signed bundle: a case file (format 2) whose case.json is the viewer's schedules, with
    the same schedules as a PDF for a court (`pdf_name(case_id)`, covered by the manifest's hashes).

    It reuses the case file exactly, so `casetrail verify-case-file` checks it offline: every
    history line's leaf is proved in the signed checkpoint. No document is bundled: a schedule
    lists unused material, it does not hand it over (sensitive material least of all); each
    item names its document's sha256 and the history proves that document's leaf."""
    hashes = {}
    for line in build_schedule_view(sight, casework, disclosure, case_id).history:
        data = casework.store.ledger.get_entry(line.leaf)
        if data is None:
            raise LedgerError(f"leaf {line.leaf} is missing from the store")
        hashes[line.leaf] = history_leaf_hash(data)
    view = build_schedule_view(sight, casework, disclosure, case_id, hashes)
    return export_case_file(
        out,
        case=as_json(view),
        document_ids=[],
        store=casework.store,
        objects=casework.register.objects,
        log=casework.log,
        extra_members={pdf_name(case_id): schedules_pdf(view)},
    )
