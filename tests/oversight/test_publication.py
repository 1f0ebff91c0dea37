"""Published figures identify nobody: no count under the threshold, and no suppressed figure
can be worked out from what is published.

The attacks here know nothing of how `suppress` chose its cells; they see only the published
table, as a reader would:
  peel       an equation (a row or column and its total) with one unknown gives it; repeat.
  solve      Gaussian elimination over the rationals on every row and column equation at once:
             an unknown is recovered when the equations fix it whatever the others are.
  bound      linear programming with every count >= 0: the least and greatest value each
             unknown can take; equal means recovered.
Each attack is first shown to succeed against weaker suppression, so a pass means something.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog  # type: ignore[import-untyped]

from casetrail.model.event import Event, EventType
from casetrail.oversight.publication import (
    NamedSubject,
    PublishedTable,
    Suppression,
    Table,
    publish,
    suppress,
    tabulate,
    to_csv,
    to_json,
)
from tests.oversight.events import action, book, intelligence

Entry = tuple[int, int]


# -- the attacks ----------------------------------------------------------------------------------


def equations(values: list[list[int | None]]) -> list[list[tuple[Entry, int]]]:
    """Every published equation as (entry, coefficient) terms that sum to zero."""
    last_row, last_column = len(values) - 1, len(values[0]) - 1
    found = [[((i, j), 1) for j in range(last_column)] + [((i, last_column), -1)] for i in range(last_row + 1)]
    found += [[((i, j), 1) for i in range(last_row)] + [((last_row, j), -1)] for j in range(last_column + 1)]
    return found


def peel(values: list[list[int | None]]) -> dict[Entry, int]:
    """Solve one-unknown equations until none is left."""
    known = [list(r) for r in values]
    recovered: dict[Entry, int] = {}
    progress = True
    while progress:
        progress = False
        for terms in equations(known):
            unknown = [(e, c) for e, c in terms if known[e[0]][e[1]] is None]
            if len(unknown) == 1:
                (i, j), coefficient = unknown[0]
                rest = sum(c * (known[e[0]][e[1]] or 0) for e, c in terms if (e, c) != unknown[0])
                known[i][j] = recovered[(i, j)] = -rest * coefficient
                progress = True
    return recovered


def solve(values: list[list[int | None]]) -> dict[Entry, Fraction]:
    """Row-reduce all equations at once; return each unknown the equations pin down."""
    unknowns = sorted((i, j) for i, r in enumerate(values) for j, v in enumerate(r) if v is None)
    index = {e: k for k, e in enumerate(unknowns)}
    rows = []
    for terms in equations(values):
        row = [Fraction(0)] * (len(unknowns) + 1)
        for (i, j), c in terms:
            if values[i][j] is None:
                row[index[(i, j)]] += c
            else:
                row[-1] -= c * values[i][j]  # type: ignore[operator]
        rows.append(row)
    pivots: list[tuple[int, int]] = []  # (row, column)
    r = 0
    for col in range(len(unknowns)):
        found = next((k for k in range(r, len(rows)) if rows[k][col] != 0), None)
        if found is None:
            continue
        rows[r], rows[found] = rows[found], rows[r]
        rows[r] = [v / rows[r][col] for v in rows[r]]
        for k in range(len(rows)):
            if k != r and rows[k][col] != 0:
                rows[k] = [a - rows[k][col] * b for a, b in zip(rows[k], rows[r])]
        pivots.append((r, col))
        r += 1
    recovered = {}
    for at, col in pivots:
        if all(rows[at][k] == 0 for k in range(len(unknowns)) if k != col):
            recovered[unknowns[col]] = rows[at][-1]
    return recovered


def bound(values: list[list[int | None]]) -> dict[Entry, tuple[float, float]]:
    """The least and greatest value of each unknown, given the equations and counts >= 0."""
    unknowns = sorted((i, j) for i, r in enumerate(values) for j, v in enumerate(r) if v is None)
    index = {e: k for k, e in enumerate(unknowns)}
    a_eq, b_eq = [], []
    for terms in equations(values):
        row, rhs = [0.0] * len(unknowns), 0.0
        for (i, j), c in terms:
            if values[i][j] is None:
                row[index[(i, j)]] += c
            else:
                rhs -= c * values[i][j]  # type: ignore[operator]
        if any(row):
            a_eq.append(row)
            b_eq.append(rhs)
    found = {}
    for e, k in index.items():
        objective = [0.0] * len(unknowns)
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        objective[k] = -1.0
        high = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0, "the published table must be consistent"
        found[e] = (low.fun, -high.fun if high.status == 0 else float("inf"))
    return found


def values_of(table: PublishedTable) -> list[list[int | None]]:
    return [list(r) for r in table.values]


def hide(table: Table, entries: set[Entry]) -> list[list[int | None]]:
    return [[None if (i, j) in entries else v for j, v in enumerate(r)] for i, r in enumerate(table.grid())]


def table_of(counts: list[list[int]]) -> Table:
    return Table(
        "t",
        "test",
        "allegations",
        "allegation category",
        "outcome",
        tuple(f"r{i}" for i in range(len(counts))),
        tuple(f"c{j}" for j in range(len(counts[0]))),
        tuple(tuple(r) for r in counts),
    )


def assert_safe(table: Table, published: PublishedTable, threshold: int) -> None:
    grid = table.grid()
    for i, row in enumerate(published.values):
        for j, v in enumerate(row):
            assert v is None or v == grid[i][j], "a published figure must be the true one"
            assert v is None or not 0 < v < threshold, f"{v} at {(i, j)} is under the threshold"
            kind = published.suppression[i][j]
            assert (v is None) == (kind is not None)
            assert kind != Suppression.SECONDARY or grid[i][j] > 0, "zeros are never suppressed"
    values = values_of(published)
    assert peel(values) == {}, "peeling recovered a suppressed figure"
    assert solve(values) == {}, "the row and column equations recovered a suppressed figure"


# -- the attacks work -----------------------------------------------------------------------------

SMALL = [[3, 40, 25], [30, 12, 18], [22, 15, 31]]


def test_primary_suppression_alone_is_undone_by_the_totals() -> None:
    table = table_of(SMALL)
    only_primary = hide(table, {(0, 0)})
    assert peel(only_primary) == {(0, 0): 3}
    assert solve(only_primary) == {(0, 0): 3}


def test_two_per_row_and_column_is_not_enough_against_solving_everything_at_once() -> None:
    # Two separate rectangles of suppressed cells joined by one more cell: every row and column
    # with a suppression has two (so peeling is stuck), yet the joining cell is a bridge between
    # the rectangles, and the equations taken together fix it.
    counts = [[11] * 4 for _ in range(4)]
    table = table_of(counts)
    pattern = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)}
    values = hide(table, pattern)
    assert peel(values) == {}
    assert solve(values) == {(0, 2): 11}


def test_bounding_with_non_negativity_can_pin_a_figure_the_equations_leave_open() -> None:
    # A rectangle with zero corners: the equations leave a free direction, but counts cannot go
    # below zero (the second column's two hidden cells add up to 0), so only the true value is
    # feasible. `suppress` never uses zero corners.
    table = table_of([[3, 0, 20], [5, 0, 11], [12, 10, 13]])
    values = hide(table, {(0, 0), (0, 1), (1, 0), (1, 1)})
    assert solve(values) == {}
    low, high = bound(values)[(0, 0)]
    assert low == pytest.approx(3) and high == pytest.approx(3)


# -- suppression ----------------------------------------------------------------------------------


def test_a_small_cell_is_hidden_with_enough_others_that_nothing_can_be_recovered() -> None:
    table = table_of(SMALL)
    published = suppress(table, 10)
    assert published.values[0][0] is None and published.suppression[0][0] == Suppression.PRIMARY
    assert published.count(Suppression.SECONDARY) >= 3
    assert_safe(table, published, 10)
    assert all(high - low >= 1 for low, high in bound(values_of(published)).values())


def test_small_totals_are_suppressed_too() -> None:
    table = table_of([[2, 3], [0, 1]])  # every total under ten: the whole table goes, the zero stays
    published = suppress(table, 10)
    assert published.values[1][0] == 0
    assert sum(v is None for r in published.values for v in r) == 8
    assert_safe(table, published, 10)


def test_threshold_one_suppresses_nothing_and_zeros_always_show() -> None:
    table = table_of(SMALL)
    assert suppress(table, 1).values == tuple(tuple(r) for r in table.grid())
    with pytest.raises(ValueError):
        suppress(table, 0)


def test_a_table_cannot_be_cut_by_a_protected_characteristic() -> None:
    with pytest.raises(ValueError, match="cut only by"):
        Table("t", "t", "cases", "ethnicity", "year opened", ("a",), ("b",), ((1,),))


counts_strategy = st.integers(1, 6).flatmap(
    lambda rows: st.integers(1, 6).flatmap(
        lambda columns: st.lists(
            st.lists(
                st.one_of(st.just(0), st.integers(1, 12), st.integers(10, 60)), min_size=columns, max_size=columns
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_strategy, threshold=st.integers(2, 15))
def test_no_random_table_gives_up_a_suppressed_figure(counts: list[list[int]], threshold: int) -> None:
    table = table_of(counts)
    assert_safe(table, suppress(table, threshold), threshold)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_strategy, threshold=st.integers(2, 15))
def test_no_random_table_pins_a_suppressed_figure_even_with_non_negativity(
    counts: list[list[int]], threshold: int
) -> None:
    published = suppress(table_of(counts), threshold)
    for entry, (low, high) in bound(values_of(published)).items():
        # each suppressed figure sits on a rectangle of non-zero ones: it can move by one either way
        assert high - low >= 2 - 1e-6, f"{entry} is pinned to [{low}, {high}]"


# -- the tables -----------------------------------------------------------------------------------


def _casebook() -> object:
    events: list[Event] = []
    for n in range(1, 25):
        case = f"C-{n:04d}"
        year = "2019" if n <= 14 else "2021"
        events.append(
            Event(
                EventType.CASE_OPENED,
                case,
                f"{year}-03-0{1 + n % 8}T10:00:00Z",
                "S-0001",
                {"title": f"Fictional complaint {n}", "kind": "complaint"},
            )
        )
        allegation = f"AL-{n:04d}"
        category = "assault" if n % 3 else "neglect_of_duty"
        events.append(
            Event(
                EventType.ALLEGATION_RECORDED,
                allegation,
                f"{year}-03-10T10:00:00Z",
                "S-0001",
                {"case": case, "category": category, "summary": ""},
            )
        )
        force = ("Northmoor Police" if n % 2 else "NP") if n <= 20 else "Southfield Constabulary"
        events.append(
            Event(
                EventType.SUBJECT_ADDED,
                allegation,
                f"{year}-03-11T10:00:00Z",
                "S-0001",
                {"subject_id": f"SU-{n:04d}", "case": case, "unknown": {"role": "driver"}, "force": force},
            )
        )
    events.append(intelligence("I-0001", "2020-01-02", "2020-01-09"))
    events.append(action("A-0001", "2020-01-05T09:00:00Z", "2020-02-01", intelligence="I-0001"))
    events.append(intelligence("I-0002", "2020-01-02", "2020-01-09"))
    return book(*events)


def test_the_tables_count_what_the_casebook_holds() -> None:
    def fold(name: str) -> str:
        return "northmoor" if name in ("NP", "Northmoor Police") else name.casefold()

    subjects = [NamedSubject("Northmoor Police", 3)] * 12 + [NamedSubject(None, 1)]
    tables = {
        t.name: t
        for t in tabulate(
            _casebook(),
            category_labels={"assault": "Assault", "rape": "Rape"},  # type: ignore[arg-type]
            subjects=subjects,
            force_key=fold,
        )
    }
    allegations = tables["allegations_by_category_and_outcome"]
    assert allegations.rows == ("Assault", "Rape", "neglect_of_duty")
    assert allegations.grid()[0][0] == 16 and allegations.grid()[1][-1] == 0 and allegations.grid()[-1][-1] == 24
    cases = tables["cases_by_force_and_year"]
    assert cases.rows == ("Northmoor Police", "Southfield Constabulary")  # "NP" folded in, the commoner spelling shown
    assert cases.columns == ("2019", "2021") and cases.counts == ((14, 6), (0, 4))
    timing = tables["intelligence_time_to_action"]
    assert timing.counts[0] == (1,) and timing.counts[-1] == (1,)
    corroboration = tables["subjects_by_force_and_corroboration"]
    assert corroboration.rows == ("Northmoor Police", "Force not recorded")
    assert corroboration.counts == ((0, 0, 0, 12, 0), (0, 1, 0, 0, 0))
    for published in publish(tables.values()):
        assert_safe(tables[published.name], published, 10)


def test_output_marks_suppressed_figures_and_holds_no_hidden_value() -> None:
    table = table_of(SMALL)
    published = suppress(table, 10)
    rows = list(csv.reader(io.StringIO(to_csv(published))))
    assert rows[0] == ["allegation category", "c0", "c1", "c2", "Total"]
    assert rows[1][1] == "[c]" and rows[-1][0] == "Total"
    data = to_json(published)
    assert data["cells"][0][0] is None and {"row": 0, "column": 0, "why": "primary"} in data["suppressed"]
    hidden = {table.grid()[i][j] for i, r in enumerate(published.values) for j, v in enumerate(r) if v is None}
    assert 3 in hidden and "3" not in [c for row in rows[1:] for c in row[1:]]
    assert set(published.summary()) == {
        "name",
        "rows",
        "columns",
        "cells",
        "suppressed_primary",
        "suppressed_secondary",
    }


# -- the command ----------------------------------------------------------------------------------


def test_publish_writes_safe_tables_and_records_the_release(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--origin", "casetrail.test/publish")
    for n in range(12):
        cli("case", "open", f"Fictional complaint {n}", "--by", "lead")
    for n in range(1, 13):
        cli("allegation", "add", f"C-{n:04d}", "--category", "assault" if n < 12 else "rape", "--by", "lead")
    out = tmp_path / "release"
    result = cli("publish", out, "--by", "analyst")
    assert "released PUB-0001" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["threshold"] == 10 and len(manifest["tables"]) == 4
    allegations = list(csv.reader((out / "allegations_by_category_and_outcome.csv").open()))
    assert allegations[0][0] == "allegation category" and allegations[-1][0] == "Total"
    assert allegations[-1][-1] == "12" and allegations[-1][1] == "12"  # 12 recorded allegations
    rape = next(r for r in allegations if r[0] == "Rape")
    assert rape[1] == "[c]" and rape[-1] == "[c]"  # the one rape allegation is not shown
    for name in (n for n in manifest["files"]):
        for row in list(csv.reader((out / name["name"]).open()))[1:]:
            assert all(c == "[c]" or int(c) == 0 or int(c) >= 10 for c in row[1:])
    assert cli("publish", out, check=False).returncode != 0  # a release is never written over another
    assert cli("verify").returncode == 0  # the release event is indexed and replays

    from casetrail.intake.register import (
        Register,  # here: the pure tests above need no store
    )
    from casetrail.store.home import Home

    register = Register.open(Home(cli.home), readonly=True, settings=False)  # type: ignore[attr-defined]
    released = [
        Event.from_leaf(d)
        for _, d in register.store.casework.casework_entries()
        if Event.from_leaf(d).type == EventType.PUBLICATION_RELEASED
    ]
    assert [e.subject for e in released] == ["PUB-0001"] and released[0].actor == "analyst"
    files = released[0].body["files"]
    assert files == {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in out.iterdir()}
    assert "C-0" not in json.dumps(released[0].body)  # shapes and hashes, never a case
    json_out = tmp_path / "release-json"
    cli("publish", json_out, "--format", "json", "--threshold", "12", "--by", "analyst")
    body = json.loads((json_out / "manifest.json").read_text())
    assert body["release"] == "PUB-0002" and body["threshold"] == 12
    assert (json_out / "tables.json").exists()
