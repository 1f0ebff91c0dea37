"""Published figures that identify nobody: aggregate tables with small counts suppressed.

A public report or the oversight dashboard's export may show how many allegations, cases,
intelligence items and subjects there are, by category, force, year, outcome, time to action
and corroboration. A small count can identify someone ("the one rape allegation against an
officer of Northmoor Police in 2019"), so before anything leaves, every table goes through
`suppress`. Nothing here does IO; the CLI writes the files and records the release.

The tables (`tabulate`): each is a two-way table of counts with row totals, column totals and a
grand total, all published. No two tables share a margin over the same population, so each can
be protected on its own (linked-table suppression is not needed).

    allegations_by_category_and_outcome    allegations: category x current status (outcome)
    cases_by_force_and_year                cases: subjects' force x year opened
    intelligence_time_to_action            intelligence items: days to first action x year received
    subjects_by_force_and_corroboration    named subjects: force x independent accounts naming them

Never a dimension: ethnicity, religion, nationality or any other protected characteristic;
`DIMENSIONS` is the closed list of what a table may be cut by.

Suppression (`suppress`), the method:

1. Primary. Every published number (cell, row total, column total, grand total) from 1 to
   threshold - 1 is suppressed. The threshold is the setting `publication_threshold`, 10 by
   default: the rule the ONS and the health and crime statistics producers apply to counts
   under ten. Zeros are published: a zero identifies nobody, and hiding zeros hides nothing.
2. Secondary, by rectangles (the hypercube method of tau-ARGUS's GHMITER, in two dimensions).
   Write the table with its totals as an (R+1) x (C+1) grid. Every row and column equation
   ("the cells add up to the total") holds along a rectangle's corners taken with alternating
   signs: adding t to two opposite corners and taking t from the other two changes no total.
   So for each primary entry we make sure it is a corner of a rectangle whose four corners are
   all suppressed and all non-zero; if none exists yet, the cheapest one is added (cost: the
   sum of the values newly suppressed, totals last; ties broken by position, so the result is
   deterministic). Zeros are never used as corners.
3. Why that suffices. Anyone holding the published figures knows every published entry and
   every equation. Along each rectangle the suppressed corners can move by +-t for small t
   without breaking any equation or making any count negative (all four are non-zero), so
   every suppressed entry has at least two feasible values: it cannot be recovered exactly,
   neither by solving the row and column equations (rank), nor by peeling one unknown at a
   time, nor by bounding with non-negativity (linear programming). In graph terms: suppressed
   entries are edges between row and column nodes, and an entry is exactly determined by the
   equations precisely when its edge is a bridge; an edge on a rectangle is on a cycle.
   `tests/oversight/test_publication.py` runs all three attacks on every table it publishes.

What it does not promise: the feasible interval of a suppressed entry can be narrow (the
method guarantees more than one value, not a protection interval of a chosen width), and two
releases made at different times can be differenced: a figure that moved from 12 to 13 says one
allegation was added. Publish on a schedule, not on request.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from casetrail.model.casework import AllegationStatus, Casebook, parse_instant

DEFAULT_THRESHOLD = 10  # counts 1-9 are suppressed: the ONS rule for published health and crime figures
SUPPRESSED = "[c]"  # the ONS mark for a figure withheld to protect confidentiality
METHOD = (
    "primary: every cell and total from 1 to threshold-1 is suppressed (zeros are shown); secondary: "
    "each primary entry is made a corner of a rectangle of suppressed, non-zero entries (the hypercube "
    "method in two dimensions), so no suppressed figure can be derived exactly from the totals"
)
FORMAT = "casetrail-publication/1"

# What a table may be cut by. Protected characteristics are not on this list, by design.
DIMENSIONS = frozenset(
    {
        "allegation category",
        "outcome",
        "subjects' force",
        "year opened",
        "days to first action",
        "year received",
        "independent accounts",
    }
)

UNKNOWN_FORCE = "Force not recorded"
SEVERAL_FORCES = "More than one force"
NO_ACTION = "No action yet"
# Days from receipt to the first action raised for it (calendar days, UTC), as the report counts.
ACTION_BUCKETS: tuple[tuple[str, int], ...] = (("0 to 7 days", 7), ("8 to 30 days", 30), ("31 to 90 days", 90))
OVER_90 = "Over 90 days"
ACCOUNT_BUCKETS: tuple[tuple[str, int], ...] = (("None", 0), ("1", 1), ("2", 2), ("3 or 4", 4))
FIVE_OR_MORE = "5 or more"


class Suppression(StrEnum):
    PRIMARY = "primary"  # under the threshold
    SECONDARY = "secondary"  # suppressed so a primary one cannot be worked out


@dataclass(frozen=True)
class Table:
    """A two-way table of true counts: never published as it is."""

    name: str
    title: str
    unit: str  # what one count is: "allegations", "cases", ...
    row_dimension: str
    column_dimension: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[row][column]

    def __post_init__(self) -> None:
        if self.row_dimension not in DIMENSIONS or self.column_dimension not in DIMENSIONS:
            raise ValueError(f"{self.name}: a table is cut only by {sorted(DIMENSIONS)}")
        if len(self.counts) != len(self.rows) or any(len(r) != len(self.columns) for r in self.counts):
            raise ValueError(f"{self.name}: counts do not match its rows and columns")
        if not self.rows or not self.columns:
            raise ValueError(f"{self.name}: a table needs at least one row and one column")
        if any(v < 0 for r in self.counts for v in r):
            raise ValueError(f"{self.name}: counts cannot be negative")

    def grid(self) -> list[list[int]]:
        """The counts with their totals: row R is the column totals, column C the row totals."""
        rows = [[*r, sum(r)] for r in self.counts]
        totals = [sum(r[j] for r in rows) for j in range(len(self.columns) + 1)]
        return [*rows, totals]


@dataclass(frozen=True)
class PublishedTable:
    """A table as it may leave: each entry a count, or None where suppressed. No true value of a
    suppressed entry is kept here, so nothing built from this object can leak one."""

    name: str
    title: str
    unit: str
    row_dimension: str
    column_dimension: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    threshold: int
    values: tuple[tuple[int | None, ...], ...]  # (R+1) x (C+1): totals in the last row and column
    suppression: tuple[tuple[Suppression | None, ...], ...]

    @property
    def cells(self) -> int:
        return sum(len(r) for r in self.values)

    def count(self, kind: Suppression) -> int:
        return sum(s == kind for r in self.suppression for s in r)

    def summary(self) -> dict[str, Any]:
        """What the ledger records of a table: its shape and how much was withheld, no figures."""
        return {
            "name": self.name,
            "rows": len(self.rows),
            "columns": len(self.columns),
            "cells": self.cells,
            "suppressed_primary": self.count(Suppression.PRIMARY),
            "suppressed_secondary": self.count(Suppression.SECONDARY),
        }


# -- suppression ------------------------------------------------------------------------------


Entry = tuple[int, int]  # (row, column) in the grid with totals


def suppress(table: Table, threshold: int = DEFAULT_THRESHOLD) -> PublishedTable:
    """The table with primary and secondary suppression applied (see the module's docstring)."""
    if threshold < 1:
        raise ValueError("the publication threshold must be at least 1")
    grid = table.grid()
    primary = {(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if 0 < v < threshold}
    hidden = set(primary)
    # Smallest first: their rectangles are the likeliest to be shared by larger ones after them.
    for entry in sorted(primary, key=lambda e: (grid[e[0]][e[1]], e)):
        if not _protected(entry, grid, hidden):
            hidden |= _cheapest_rectangle(entry, grid, hidden)
    values = tuple(tuple(None if (i, j) in hidden else v for j, v in enumerate(row)) for i, row in enumerate(grid))
    kinds = tuple(
        tuple(
            Suppression.PRIMARY if (i, j) in primary else Suppression.SECONDARY if (i, j) in hidden else None
            for j in range(len(row))
        )
        for i, row in enumerate(grid)
    )
    return PublishedTable(
        table.name,
        table.title,
        table.unit,
        table.row_dimension,
        table.column_dimension,
        table.rows,
        table.columns,
        threshold,
        values,
        kinds,
    )


def _corners(entry: Entry, other: Entry) -> tuple[Entry, Entry, Entry]:
    """The other three corners of the rectangle spanned by `entry` and the opposite corner `other`."""
    (i, j), (k, m) = entry, other
    return (i, m), (k, j), (k, m)


def _protected(entry: Entry, grid: list[list[int]], hidden: set[Entry]) -> bool:
    """Whether `entry` is already a corner of a rectangle of suppressed, non-zero entries."""
    i, j = entry
    return any(
        all(c in hidden and grid[c[0]][c[1]] > 0 for c in _corners(entry, (k, m)))
        for k in range(len(grid))
        if k != i
        for m in range(len(grid[0]))
        if m != j
    )


def _cheapest_rectangle(entry: Entry, grid: list[list[int]], hidden: set[Entry]) -> set[Entry]:
    """The three corners to suppress with `entry`: all non-zero, least newly withheld.

    The all-totals rectangle (this entry's row total, column total and the grand total) always
    qualifies, since a non-zero entry has non-zero totals, so one is always found."""
    last_row, last_column = len(grid) - 1, len(grid[0]) - 1
    i, j = entry
    best: tuple[tuple[int, int, int, int], set[Entry]] | None = None
    for k in range(len(grid)):
        for m in range(len(grid[0])):
            if k == i or m == j:
                continue
            corners = _corners(entry, (k, m))
            if any(grid[a][b] == 0 for a, b in corners):
                continue  # a zero corner cannot move down: the rectangle would pin the entry
            new = [c for c in corners if c not in hidden]
            cost = sum(grid[a][b] for a, b in new)
            totals = sum(a == last_row or b == last_column for a, b in new)
            key = (cost, totals, k, m)
            if best is None or key < best[0]:
                best = (key, set(corners))
    assert best is not None, "a non-zero entry always has non-zero totals"
    return best[1]


# -- the tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedSubject:
    """A resolved person who is the subject of an allegation, as the corroboration table needs
    them: their force as recorded and how many independent accounts name them. No id."""

    force: str | None
    independent_accounts: int


def tabulate(
    book: Casebook,
    *,
    category_labels: Mapping[str, str] | None = None,
    subjects: Iterable[NamedSubject] = (),
    force_key: Callable[[str], str] | None = None,
) -> list[Table]:
    """Every published table, of true counts, from the casebook and the corroboration read model.

    `force_key` folds forces written differently ("SYP", "South Yorkshire Police") into one row;
    each row is labelled with its most common written form."""
    forces = _ForceNames(force_key or (lambda name: name.strip().casefold()))
    return [
        allegations_by_category_and_outcome(book, category_labels or {}),
        cases_by_force_and_year(book, forces),
        intelligence_time_to_action(book),
        subjects_by_force_and_corroboration(list(subjects), forces),
    ]


def allegations_by_category_and_outcome(book: Casebook, labels: Mapping[str, str]) -> Table:
    codes = list(labels) + sorted({a.category for a in book.allegations.values()} - set(labels))
    statuses = list(AllegationStatus)
    counts = Counter((a.category, a.status) for a in book.allegations.values())
    return Table(
        "allegations_by_category_and_outcome",
        "Allegations by category and outcome (current status)",
        "allegations",
        "allegation category",
        "outcome",
        tuple(labels.get(c, c) for c in codes),
        tuple(s.value.replace("_", " ") for s in statuses),
        tuple(tuple(counts[(c, s)] for s in statuses) for c in codes),
    )


def cases_by_force_and_year(book: Casebook, forces: _ForceNames) -> Table:
    pairs = []
    for case_id, case in book.cases.items():
        named: set[str | None] = {s.force for s in book.case_subjects(case_id)}
        pairs.append((forces.row(named), case.opened_at[:4]))
    return _two_way(
        "cases_by_force_and_year",
        "Cases by the subjects' force and year opened",
        "cases",
        "subjects' force",
        "year opened",
        pairs,
        rows=forces.order(r for r, _ in pairs),
        label=forces.label,
    )


def intelligence_time_to_action(book: Casebook) -> Table:
    pairs = []
    for item in book.intelligence.values():
        actions = book.actions_for(item.id)
        first = min((parse_instant(a.raised_at) for a in actions), default=None)
        days = None if first is None else (first.date() - parse_instant(item.received_at).date()).days
        pairs.append((_action_bucket(days), item.received_at[:4]))
    # Every bucket is a row, even an empty one: a reader sees the scale, and a zero is no secret.
    rows = [label for label, _ in ACTION_BUCKETS] + [OVER_90, NO_ACTION]
    return _two_way(
        "intelligence_time_to_action",
        "Intelligence items by days from receipt to first action",
        "intelligence items",
        "days to first action",
        "year received",
        pairs,
        rows=rows,
    )


def subjects_by_force_and_corroboration(subjects: Sequence[NamedSubject], forces: _ForceNames) -> Table:
    pairs = [(forces.row({s.force}), _account_bucket(s.independent_accounts)) for s in subjects]
    columns = [label for label, _ in ACCOUNT_BUCKETS] + [FIVE_OR_MORE]
    return _two_way(
        "subjects_by_force_and_corroboration",
        "Named subjects by force and the independent accounts that name them",
        "named subjects",
        "subjects' force",
        "independent accounts",
        pairs,
        rows=forces.order(r for r, _ in pairs),
        columns=columns,
        label=forces.label,
    )


def _action_bucket(days: int | None) -> str:
    if days is None:
        return NO_ACTION
    for label, most in ACTION_BUCKETS:
        if days <= most:
            return label
    return OVER_90


def _account_bucket(independent: int) -> str:
    for label, most in ACCOUNT_BUCKETS:
        if independent <= most:
            return label
    return FIVE_OR_MORE


def _two_way(
    name: str,
    title: str,
    unit: str,
    row_dimension: str,
    column_dimension: str,
    pairs: Sequence[tuple[str, str]],
    *,
    rows: Sequence[str],
    columns: Sequence[str] | None = None,
    label: Callable[[str], str] = str,
) -> Table:
    """Count (row, column) pairs. Columns default to those seen, in order (years); a table with
    nothing in it still has one row and one column, so its shape is the same every release."""
    counts = Counter(pairs)
    columns = list(columns) if columns is not None else sorted({c for _, c in pairs})
    rows, columns = list(rows) or ["None"], columns or ["None"]
    return Table(
        name,
        title,
        unit,
        row_dimension,
        column_dimension,
        tuple(label(r) for r in rows),
        tuple(columns),
        tuple(tuple(counts[(r, c)] for c in columns) for r in rows),
    )


class _ForceNames:
    """Folds the ways a force is written into one row label: its most common spelling."""

    def __init__(self, key: Callable[[str], str]) -> None:
        self.key = key
        self.spellings: dict[str, Counter[str]] = defaultdict(Counter)

    def row(self, written: set[str | None]) -> str:
        """The row for a case or subject whose force is written as these (None: not recorded)."""
        names = {w.strip() for w in written if w and w.strip()}
        folded = {self.key(w) for w in names}
        for w in names:
            self.spellings[self.key(w)][w] += 1
        if not folded:
            return UNKNOWN_FORCE
        if len(folded) > 1:
            return SEVERAL_FORCES
        return next(iter(folded))

    def label(self, folded: str) -> str:
        spellings = self.spellings.get(folded)
        if not spellings:
            return folded
        # the commonest; on a tie the fuller one ("Northmoor Police" over "NP"), for a reader's sake
        return min(spellings.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0]

    def order(self, rows: Iterable[str]) -> list[str]:
        """Named forces by label, then "more than one force", then "not recorded"."""
        seen = set(rows)
        named = sorted(seen - {UNKNOWN_FORCE, SEVERAL_FORCES}, key=lambda r: (self.label(r), r))
        return named + [r for r in (SEVERAL_FORCES, UNKNOWN_FORCE) if r in seen]


# -- writing ----------------------------------------------------------------------------------


def to_csv(table: PublishedTable) -> str:
    """One CSV: a header of the columns and "Total", a row per category, the totals last;
    suppressed figures as [c]."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([table.row_dimension, *table.columns, "Total"])
    for label, values in zip((*table.rows, "Total"), table.values):
        writer.writerow([label, *(SUPPRESSED if v is None else v for v in values)])
    return buffer.getvalue()


def to_json(table: PublishedTable) -> dict[str, Any]:
    """A table as JSON: suppressed figures are null (and listed, with why, in `suppressed`)."""
    last_row, last_column = len(table.rows), len(table.columns)
    return {
        "name": table.name,
        "title": table.title,
        "unit": table.unit,
        "threshold": table.threshold,
        "row_dimension": table.row_dimension,
        "column_dimension": table.column_dimension,
        "rows": list(table.rows),
        "columns": list(table.columns),
        "cells": [list(r[:last_column]) for r in table.values[:last_row]],
        "row_totals": [r[last_column] for r in table.values[:last_row]],
        "column_totals": list(table.values[last_row][:last_column]),
        "grand_total": table.values[last_row][last_column],
        "suppressed": [
            {"row": i, "column": j, "why": s.value}
            for i, r in enumerate(table.suppression)
            for j, s in enumerate(r)
            if s is not None
        ],
    }


def publish(tables: Iterable[Table], threshold: int = DEFAULT_THRESHOLD) -> list[PublishedTable]:
    return [suppress(t, threshold) for t in tables]


__all__ = [
    "DEFAULT_THRESHOLD",
    "DIMENSIONS",
    "FORMAT",
    "METHOD",
    "SUPPRESSED",
    "NamedSubject",
    "PublishedTable",
    "Suppression",
    "Table",
    "publish",
    "suppress",
    "tabulate",
    "to_csv",
    "to_json",
]
