"""Cross-document linkage: which PersonRecords, from different documents, are one person.

The model is Fellegi-Sunter, built and run by Splink. Splink turns the settings into SQL, so
the same settings run on DuckDB (in process, the default) or Spark (engine="spark", for very
large inquiries; see casetrail.resolution.engines):

  * identical rows are scored once (group_identical): inquiries repeat their central figures
    in hundreds of documents, and scoring each distinct row keeps both the cost and the
    chance-agreement estimates sane;
  * u probabilities (how often two different people agree by chance) come from random
    sampling of row pairs, seeded so a re-run gives the same model;
  * the prior P(match) comes from near-certain rules (same full name, same phone, same collar
    number and force) and an assumed recall;
  * m probabilities (how often one person's records agree) come from expectation maximisation
    on blocked pairs, with no labels; where the data cannot teach a level, the priors set
    here stand (and see _train for a Splink 5 EM failure that is worked around);
  * pairs scoring at least `threshold` (match probability) are joined into clusters, strongest
    first, under the investigators' decisions: a REJECT keeps two records (or entities) apart
    whatever the model says, a CONFIRM joins them, a SPLIT takes a record out of its cluster.
    Cannot-links are kept while clustering, not by cutting clusters afterwards, so no third
    record can bridge a rejected pair. Records of one document whose names conflict are kept
    apart the same way;
  * records sharing a surname that cannot be one person (given names with different initials that are
    not forms of one name; a police rank against a civil role such as barrister or judge; "Mr" against
    "Ms") are kept apart across documents too, so a bare "Wright" cannot bridge two Wrights (_namesakes);
  * finally a record known only by a partial name ("DS Hartley", "Tiny") joins the one cluster
    it fits, when exactly one does (_attach_partial).

Pseudonyms are not modelled: an inquiry assigns each survivor one pseudonym, so records with the
same pseudonym are joined directly.

`LinkageSpec` describes the columns and how each is compared; `PERSON_SPEC` is the one for
PersonRecords and casetrail.resolution.febrl builds one for the FEBRL benchmark, so both run
through the same settings builder, training and clustering.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import jellyfish
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute

from casetrail.errors import DecisionError
from casetrail.model import Decision, DecisionKind, PersonRecord
from casetrail.resolution.engines import (
    Engine,
    EngineRun,
    EngineUnavailable,
    check_engine,
    open_engine,
)
from casetrail.resolution.given_names import name_keys
from casetrail.resolution.person_name import canonical_rank, fold

FieldKind = Literal["surname", "given", "exact", "identifier", "text", "date", "number"]
# Match probability at which person records join. Chosen on synthetic inquiries (bench/
# synthetic_resolution.py): 0.35 keeps pairwise precision near 0.97-0.99 while recall stays
# high; many records carry little more than a surname and rank, so higher thresholds strand them.
DEFAULT_THRESHOLD = 0.35
MIN_TRAINING_ROWS = 50

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldSpec:
    """One compared attribute. `column` names the input column; kinds:

    surname     null / exact / one edit / Jaro-Winkler >= 0.9 (transpositions) / else
    given       null / exact / equivalent forms (Mick~Michael) / one edit / initials agree / else;
                needs the companion columns <column>_keys (list) and <column>_initial
    exact       null / exact / else
    identifier  null / exact / one edit / two edits / else (ID numbers with typing errors)

    Edits are Levenshtein, not Damerau-Levenshtein: DuckDB's Damerau-Levenshtein is about ten
    times slower, and a transposition still lands in the next level (two edits, Jaro-Winkler).
    text        null / exact / Jaro-Winkler >= 0.9 / >= 0.7 / else
    date        null / exact / one edit / two edits / else (ISO or YYYYMMDD strings)
    number      null / within 2 / within 6 / else
    """

    column: str
    kind: FieldKind
    term_frequency: bool = False  # down-weight agreement on common values


@dataclass(frozen=True)
class LinkageSpec:
    fields: tuple[FieldSpec, ...]
    blocking: tuple[tuple[str, ...], ...]  # each: columns that must be equal for a pair to be scored
    training: tuple[tuple[str, ...], ...]  # EM sessions, each blocked on these columns
    prior_rules: tuple[tuple[str, ...], ...]  # near-certain rules, to estimate P(match)
    prior_recall: float = 0.7
    link_type: Literal["dedupe_only", "link_only", "link_and_dedupe"] = "dedupe_only"
    context_column: str | None = None  # carried but not compared (document id): ignored when folding rows
    u_max_pairs: float = 2e6
    em_max_pairs: float | None = 5e5
    max_iterations: int = 20


@dataclass(frozen=True)
class Edge:
    left: str
    right: str
    probability: float


@dataclass(frozen=True)
class Scored:
    edges: list[Edge]
    model: dict[str, Any]  # the trained Splink model (settings with m, u and prior), for the record
    # column -> [(value, term frequency)] over the scored rows, for scoring new records later (incremental)
    term_frequencies: dict[str, list[tuple[Any, float]]] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkResult:
    clusters: list[list[str]]
    edges: list[Edge]  # the scored pairs at or above the threshold
    skipped_decisions: list[Decision] = field(default_factory=list)  # overruled by later ones
    model: dict[str, Any] = field(default_factory=dict)
    term_frequencies: dict[str, list[tuple[Any, float]]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Settings


def _priors(comparison: Any, m: Sequence[float], u: Sequence[float]) -> Any:
    # Start values: the model stays usable when a level cannot be trained (tiny inquiries).
    return comparison.configure(m_probabilities=list(m), u_probabilities=list(u))


def comparison_for(spec: FieldSpec) -> Any:
    """The Splink comparison for one field, built from dialect-neutral level creators."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    c = spec.column
    tf = spec.term_frequency
    if spec.kind == "surname":
        levels = [
            cll.NullLevel(c),
            cll.ExactMatchLevel(c, term_frequency_adjustments=tf),
            cll.LevenshteinLevel(c, 1),
            cll.JaroWinklerLevel(c, 0.9),
            cll.ElseLevel(),
        ]
        return _priors(
            cl.CustomComparison(levels, output_column_name=c), [0.85, 0.08, 0.04, 0.03], [0.01, 0.005, 0.02, 0.965]
        )
    if spec.kind == "given":
        keys, initial = f"{c}_keys", f"{c}_initial"
        levels = [
            cll.NullLevel(initial),
            cll.ExactMatchLevel(c, term_frequency_adjustments=tf),
            cll.ArrayIntersectLevel(keys, 1),
            cll.LevenshteinLevel(c, 1),
            cll.CustomLevel(
                f"({c}_l IS NULL OR {c}_r IS NULL) AND {initial}_l = {initial}_r",
                label_for_charts="initials agree",
                base_dialect_str="duckdb",
            ),
            cll.ElseLevel(),
        ]
        return _priors(
            cl.CustomComparison(levels, output_column_name=c),
            [0.7, 0.1, 0.05, 0.1, 0.05],
            [0.01, 0.002, 0.005, 0.06, 0.923],
        )
    if spec.kind == "exact":
        levels = [cll.NullLevel(c), cll.ExactMatchLevel(c, term_frequency_adjustments=tf), cll.ElseLevel()]
        return _priors(cl.CustomComparison(levels, output_column_name=c), [0.9, 0.1], [0.05, 0.95])
    if spec.kind == "identifier":
        levels = [
            cll.NullLevel(c),
            cll.ExactMatchLevel(c),
            cll.LevenshteinLevel(c, 1),
            cll.LevenshteinLevel(c, 2),
            cll.ElseLevel(),
        ]
        return _priors(
            cl.CustomComparison(levels, output_column_name=c), [0.85, 0.08, 0.04, 0.03], [0.0001, 0.001, 0.005, 0.9939]
        )
    if spec.kind == "text":
        levels = [
            cll.NullLevel(c),
            cll.ExactMatchLevel(c, term_frequency_adjustments=tf),
            cll.JaroWinklerLevel(c, 0.9),
            cll.JaroWinklerLevel(c, 0.7),
            cll.ElseLevel(),
        ]
        return _priors(
            cl.CustomComparison(levels, output_column_name=c), [0.8, 0.1, 0.05, 0.05], [0.01, 0.02, 0.1, 0.87]
        )
    if spec.kind == "date":
        levels = [
            cll.NullLevel(c),
            cll.ExactMatchLevel(c),
            cll.LevenshteinLevel(c, 1),
            cll.LevenshteinLevel(c, 2),
            cll.ElseLevel(),
        ]
        return _priors(
            cl.CustomComparison(levels, output_column_name=c), [0.8, 0.1, 0.05, 0.05], [0.0005, 0.01, 0.05, 0.9395]
        )
    if spec.kind == "number":
        levels = [
            cll.NullLevel(c),
            cll.AbsoluteDifferenceLevel(c, 2),
            cll.AbsoluteDifferenceLevel(c, 6),
            cll.ElseLevel(),
        ]
        return _priors(cl.CustomComparison(levels, output_column_name=c), [0.6, 0.3, 0.1], [0.15, 0.3, 0.55])
    raise ValueError(f"unknown field kind {spec.kind!r}")


def _rule(columns: tuple[str, ...]) -> Any:
    from splink import block_on

    return block_on(*columns)


def build_settings(spec: LinkageSpec, prior: float | None = None) -> Any:
    """Splink settings for a spec; dialect-neutral, so one model serves DuckDB and Spark."""
    from splink import SettingsCreator

    extra = {} if prior is None else {"probability_two_random_records_match": prior}
    return SettingsCreator(
        **extra,
        link_type=spec.link_type,
        comparisons=[comparison_for(f) for f in spec.fields],
        blocking_rules_to_generate_predictions=[_rule(cols) for cols in spec.blocking],
        max_iterations=spec.max_iterations,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


@dataclass(frozen=True)
class _Groups:
    """Records with identical compared values, folded into one representative row each."""

    table: pa.Table  # one row per group; unique_id = the group's first member
    members: dict[str, list[str]]  # representative id -> member ids (representative first)


def group_identical(table: pa.Table, ignore: Sequence[str]) -> _Groups:
    """Fold rows that agree on every column but `ignore` (ids, document) into one row.

    An inquiry repeats its central figures in hundreds of documents ("DS John Hartley" over and
    over), so raw records are dominated by a few people. Scoring each distinct row once is far
    cheaper, and it keeps u and term frequencies honest: u is chance agreement between
    *different* people, which random pairs of raw records, so often the same person twice,
    overstate badly. Identical rows score identically, so nothing is lost; whether the members
    of one group are one person is scored separately (see _self_scores).
    """
    columns = [c for c in table.column_names if c not in ignore]
    ids = table.column("unique_id").to_pylist()
    members: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(table.select(columns).to_pylist()):
        key = tuple(tuple(v) if isinstance(v, list) else v for v in row.values())
        members.setdefault(key, []).append(i)
    firsts = sorted(rows[0] for rows in members.values())
    groups = {ids[rows[0]]: [ids[i] for i in rows] for rows in members.values()}
    return _Groups(table.take(pa.array(firsts, type=pa.int64())), groups)


def _fix_m(model: dict[str, Any], columns: set[str]) -> dict[str, Any]:
    for comparison in model.get("comparisons", []):
        if comparison.get("output_column_name") in columns:
            for level in comparison.get("comparison_levels", []):
                if not level.get("is_null_level"):
                    level["fix_m_probability"] = True
    return model


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink warns about levels it cannot train; expected here, and kept in the saved model."""
    splink_logger = logging.getLogger("splink")
    level = splink_logger.level
    splink_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        splink_logger.setLevel(level)


def _train(linker: Any, frames: Sequence[Any], spec: LinkageSpec, seed: int, rows: int) -> Any:
    """u by seeded random sampling, P(match) from near-certain rules, m by EM. Returns the linker."""
    from splink import Linker
    from splink.blocking_rule_library import block_on

    # Sampling EM pairs only pays on large inputs (and its probe finds nothing in small ones).
    em_max_pairs = spec.em_max_pairs if rows > 20_000 else None

    linker.training.estimate_u_using_random_sampling(max_pairs=spec.u_max_pairs, seed=seed, num_chunks=1)
    try:
        linker.training.estimate_probability_two_random_records_match(
            [_rule(cols) for cols in spec.prior_rules], recall=spec.prior_recall
        )
    except Exception as err:  # noqa: BLE001 - tiny or odd inputs; keep the default prior
        logger.info("prior not estimated: %s", err)
    model = linker.misc.save_model_to_json()
    prior = model.get("probability_two_random_records_match") or 0.0
    if not 1e-7 <= prior <= 0.5:
        # A handful of records can make the rules find no pairs, or every pair: keep a sane prior.
        model["probability_two_random_records_match"] = min(max(prior, 1e-4), 0.5)
        linker = Linker(frames if len(frames) > 1 else frames[0], model, log_level=None)
    for cols in spec.training:
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*cols), estimate_without_term_frequencies=True, max_pairs=em_max_pairs
            )
        except ValueError as err:
            # Splink 5 aborts EM when a level never seen among matches (two records of one
            # person with different phones, say) has its m driven to 0, and leaves the prior
            # changed. Start again from the model as it was, with the m of the identifier
            # comparisons held, and train the rest.
            logger.info("EM on %s: %s; retrying with identifier m fixed", cols, err)
            fixed = {f.column for f in spec.fields if f.kind in ("exact", "identifier", "date")}
            linker = Linker(frames if len(frames) > 1 else frames[0], _fix_m(before, fixed), log_level=None)
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*cols), estimate_without_term_frequencies=True, max_pairs=em_max_pairs
                )
            except Exception as err2:  # noqa: BLE001 - the priors stand
                logger.info("EM on %s skipped: %s", cols, err2)
        except Exception as err:  # noqa: BLE001 - e.g. no pairs in the block: the priors stand
            logger.info("EM on %s skipped: %s", cols, err)
    return linker


def _edges(predictions: Any) -> list[Edge]:
    rows = predictions.as_pyarrow_table().select(["unique_id_l", "unique_id_r", "match_probability"]).to_pydict()
    predictions.drop_table_from_database_and_remove_from_cache()
    return [
        Edge(str(a), str(b), float(p))
        for a, b, p in zip(rows["unique_id_l"], rows["unique_id_r"], rows["match_probability"])
    ]


def _self_scores(linker: Any, run: EngineRun, groups: _Groups, spec: LinkageSpec, threshold: float) -> dict[str, float]:
    """P(match) of each multi-member group's row with an identical copy of itself.

    Splink never compares a row with itself, so each such row meets a twin, paired by one
    blocking rule, under the trained model and the term frequencies of the main table.
    """
    from splink import Linker

    multi = [rid for rid, ms in groups.members.items() if len(ms) > 1]
    if not multi:
        return {}
    reps = groups.table.filter(pa.compute.is_in(groups.table.column("unique_id"), pa.array(multi)))
    twins = reps.set_column(
        reps.schema.get_field_index("unique_id"),
        "unique_id",
        pa.compute.binary_join_element_wise(reps.column("unique_id"), pa.scalar("#twin"), ""),
    )
    both = pa.concat_tables([reps, twins]).append_column(
        "twin_of",
        pa.concat_arrays([reps.column("unique_id").combine_chunks(), reps.column("unique_id").combine_chunks()]),
    )
    model = linker.misc.save_model_to_json()
    model["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": "l.twin_of = r.twin_of", "sql_dialect": "duckdb"}
    ]
    model.pop("linker_uid", None)
    twin_linker = Linker(run.register(both, "twins"), model, log_level=None)
    for f in spec.fields:
        if f.term_frequency:
            twin_linker.table_management.register_term_frequency_lookup(
                linker.table_management.compute_tf_table(f.column), f.column
            )
    return {
        e.left if not e.left.endswith("#twin") else e.right: e.probability
        for e in _edges(twin_linker.inference.predict(threshold_match_probability=threshold, warning_mode="never"))
    }


def _counted_prior(table: pa.Table, spec: LinkageSpec) -> float:
    """P(two random records match) from pairs agreeing on the prior rules, divided by their recall.

    The same estimate Splink makes with `estimate_probability_two_random_records_match`, done
    directly: for a few dozen records Splink's default (1e-4) assumes a population far larger
    than the inquiry, and no name agreement can overcome it.
    """
    n = table.num_rows
    if n < 2:
        return 1e-4
    rows = table.to_pylist()
    agreeing = 0
    for columns in spec.prior_rules:
        counts: Counter[tuple[Any, ...]] = Counter()
        for row in rows:
            key = tuple(row.get(c) for c in columns)
            if all(v not in (None, "", []) for v in key):
                counts[tuple(tuple(v) if isinstance(v, list) else v for v in key)] += 1
        agreeing += sum(k * (k - 1) // 2 for k in counts.values())
    estimate = agreeing / spec.prior_recall / (n * (n - 1) / 2)
    return min(max(estimate, 1e-4), 0.5)


def score_pairs(
    tables: Sequence[pa.Table],
    spec: LinkageSpec,
    threshold: float = DEFAULT_THRESHOLD,
    engine: Engine = "duckdb",
    seed: int = 0,
) -> Scored:
    """Train the model on `tables` (one to deduplicate, two to link) and return pairs >= threshold.

    For one table, identical rows are scored once (see group_identical) and the edges are then
    spread back over every record: each group's members are chained together when the group
    scores at least `threshold` against itself, and an edge between two groups becomes edges
    from each member of one to the first member of the other.
    """
    if sum(t.num_rows for t in tables) < 2:
        return Scored([], {})
    with open_engine(engine) as run:
        return _score_pairs(run, tables, spec, threshold, seed)


def _score_pairs(run: EngineRun, tables: Sequence[pa.Table], spec: LinkageSpec, threshold: float, seed: int) -> Scored:
    from splink import Linker

    groups: _Groups | None = None
    total_rows = sum(t.num_rows for t in tables)
    # Too few records to train on: estimate the prior from the records themselves (before
    # identical rows are collapsed), as Splink's deterministic-rule estimate would.
    prior = _counted_prior(tables[0], spec) if len(tables) == 1 and total_rows < MIN_TRAINING_ROWS else None
    if len(tables) == 1:
        ignore = ("unique_id",) + ((spec.context_column,) if spec.context_column else ())
        groups = group_identical(tables[0], ignore)
        tables = [groups.table]
    frames = [run.register(t, f"records_{i}") for i, t in enumerate(tables)]
    rows = sum(t.num_rows for t in tables)
    with _quiet_splink():
        linker = Linker(frames if len(frames) > 1 else frames[0], build_settings(spec, prior), log_level=None)
        # Below MIN_TRAINING_ROWS distinct rows there is nothing to learn from: the priors score.
        if rows >= MIN_TRAINING_ROWS:
            linker = _train(linker, frames, spec, seed, rows)
        edges = (
            _edges(linker.inference.predict(threshold_match_probability=threshold, warning_mode="never"))
            if rows >= 2
            else []
        )
    model = linker.misc.save_model_to_json()
    with _quiet_splink():
        frequencies = _term_frequencies(linker, spec) if rows >= 2 else {}
    if groups is None:
        return Scored(edges, model, frequencies)
    spread: list[Edge] = []
    for e in edges:
        left, right = groups.members[e.left], groups.members[e.right]
        spread.extend(Edge(a, right[0], e.probability) for a in left)
        spread.extend(Edge(left[0], b, e.probability) for b in right[1:])
    with _quiet_splink():
        selves = _self_scores(linker, run, groups, spec, threshold)
    for rep, p in selves.items():
        members = groups.members[rep]
        spread.extend(Edge(members[0], m, p) for m in members[1:])
    return Scored(spread, model, frequencies)


def _term_frequencies(linker: Any, spec: LinkageSpec) -> dict[str, list[tuple[Any, float]]]:
    """The term frequencies the model scored with, kept so that new records score the same way."""
    out: dict[str, list[tuple[Any, float]]] = {}
    for f in spec.fields:
        if f.term_frequency:
            table = linker.table_management.compute_tf_table(f.column).as_pyarrow_table().to_pydict()
            out[f.column] = sorted(zip(table[f.column], (float(v) for v in table[f"tf_{f.column}"])))
    return out


# --------------------------------------------------------------------------------------------
# Clustering under decisions


class _Partition:
    """Union-find whose components carry the components they must never join."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent: dict[str, str] = {i: i for i in ids}
        self.size: dict[str, int] = dict.fromkeys(self.parent, 1)
        self.cannot: dict[str, set[str]] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def allowed(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        return rb not in self.cannot.get(ra, ())

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if len(self.cannot.get(ra, ())) < len(self.cannot.get(rb, ())):
            ra, rb = rb, ra  # move the smaller set of partners
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        moved = self.cannot.pop(rb, set())
        for partner in moved:
            self.cannot[partner].discard(rb)
            self.cannot[partner].add(ra)
        if moved:
            self.cannot.setdefault(ra, set()).update(moved)

    def forbid(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        self.cannot.setdefault(ra, set()).add(rb)
        self.cannot.setdefault(rb, set()).add(ra)

    def clusters(self) -> list[list[str]]:
        groups: dict[str, list[str]] = {}
        for x in self.parent:
            groups.setdefault(self.find(x), []).append(x)
        return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def _expand(ref: str | None, ids: set[str], entities: Mapping[str, Sequence[str]], strict: bool) -> list[str]:
    if ref is None:
        return []
    if ref in ids:
        return [ref]
    if ref in entities:
        return [r for r in entities[ref] if r in ids]
    if strict:
        raise DecisionError(f"decision refers to {ref!r}, which is neither a record nor an entity here")
    return []


def cluster(
    ids: Iterable[str],
    edges: Iterable[Edge],
    decisions: Sequence[Decision] = (),
    entities: Mapping[str, Sequence[str]] | None = None,
    apart: Iterable[tuple[str, str]] = (),
    strict: bool = False,
) -> tuple[list[list[str]], list[Decision]]:
    """Cluster scored pairs, strongest first, without ever breaking a decision.

    Decisions are applied newest first, so a later decision overrules an earlier one that
    contradicts it (the earlier one is returned as skipped). `entities` maps entity ids to record
    ids, so a decision may name an entity. `apart` lists pairs the model must never join (two
    records of one document naming different people); a CONFIRM still overrides them.
    Returns (clusters sorted, skipped decisions).
    """
    part, skipped, isolated = _partition(ids, edges, decisions, entities, apart, strict)
    return part.clusters(), skipped


def _partition(
    ids: Iterable[str],
    edges: Iterable[Edge],
    decisions: Sequence[Decision],
    entities: Mapping[str, Sequence[str]] | None,
    apart: Iterable[tuple[str, str]],
    strict: bool,
    part: _Partition | None = None,
) -> tuple[_Partition, list[Decision], set[str]]:
    """`part`, when given, is a partition already holding `ids` (an incremental run's, which
    refuses to join two existing entities); otherwise a fresh one is made."""
    entities = entities or {}
    part = _Partition(ids) if part is None else part
    known = set(part.parent)
    isolated: set[str] = set()
    skipped: list[Decision] = []
    ordered = sorted(range(len(decisions)), key=lambda i: (decisions[i].at, i), reverse=True)
    for i in ordered:
        d = decisions[i]
        left = _expand(d.left, known, entities, strict)
        right = _expand(d.right, known, entities, strict)
        if d.kind == DecisionKind.CONFIRM:
            group = left + right
            if any(r in isolated for r in group) or not all(part.allowed(group[0], r) for r in group[1:]):
                skipped.append(d)
                continue
            for r in group[1:]:
                part.union(group[0], r)
        elif d.kind == DecisionKind.REJECT:
            if any(part.find(a) == part.find(b) for a in left for b in right):
                skipped.append(d)
                continue
            for a in left:
                for b in right:
                    part.forbid(a, b)
        elif d.kind == DecisionKind.SPLIT:
            if right:
                if any(part.find(a) == part.find(b) for a in left for b in right):
                    skipped.append(d)
                    continue
                for a in left:
                    for b in right:
                        part.forbid(a, b)
            else:
                isolated.update(left)
    for a, b in apart:
        if a in known and b in known and part.find(a) != part.find(b):
            part.forbid(a, b)
    for e in sorted(edges, key=lambda e: (-round(e.probability, 9), e.left, e.right)):
        if e.left in isolated or e.right in isolated or e.left not in known or e.right not in known:
            continue
        if part.allowed(e.left, e.right):
            part.union(e.left, e.right)
    return part, skipped, isolated


def _attach_partial(part: _Partition, records: Sequence[PersonRecord], isolated: set[str]) -> None:
    """Join clusters known only by a partial name to the one cluster that fits, if only one does.

    "DS Hartley", "Hartley" or "Tiny" alone score too low pairwise to link to anything, yet in
    most inquiries only one person fits them. This is coreference's rule, across documents: a
    cluster whose records give no given name joins the single cluster with a full name that has
    the same surname and no conflicting rank or initial (or, for a nickname alone, the single
    cluster with that nickname). With two candidates it stays apart. Decisions still hold.
    """
    rows = {r.record_id: person_row(r) for r in records if r.type != "pseudonym"}
    by_id = {r.record_id: r for r in records}
    members: dict[str, list[str]] = {}
    for rid in rows:
        members.setdefault(part.find(rid), []).append(rid)
    strong_by_surname: dict[str, set[str]] = {}
    strong_by_nickname: dict[str, set[str]] = {}
    profile: dict[str, tuple[set[str], set[str]]] = {}  # root -> (ranks, initials)
    weak: list[str] = []
    for root, rids in members.items():
        if any(r in isolated for r in rids):
            continue  # a record taken out of its cluster by a SPLIT neither joins nor receives
        rs = [rows[r] for r in rids]
        full = [r for r in rs if r["surname"] and r["given_initial"]]
        profile[root] = ({r["rank"] for r in rs if r["rank"]}, {r["given_initial"] for r in rs if r["given_initial"]})
        if full:
            for r in full:
                strong_by_surname.setdefault(r["surname"], set()).add(root)
            for r in rs:
                if r["nickname"]:
                    strong_by_nickname.setdefault(r["nickname"], set()).add(root)
        else:
            weak.append(root)
    identity = {root: _Identity.of([by_id[r] for r in rids]) for root, rids in members.items()}
    clusters = {root: [rows[r] for r in rids] for root, rids in members.items()}
    strong = _Strong(strong_by_surname, strong_by_nickname, profile, identity)
    _attach_weak(part, sorted(weak, key=lambda w: min(members[w])), clusters, strong)


@dataclass
class _Strong:
    """The clusters a partial name may join, and what each says: surname and nickname -> the
    clusters with a full name that give it; root -> (ranks, initials) and identity."""

    by_surname: dict[str, set[str]]
    by_nickname: dict[str, set[str]]
    profile: dict[str, tuple[set[str], set[str]]]
    identity: dict[str, _Identity]


def _attach_weak(
    part: _Partition, weak: Sequence[str], rows: Mapping[str, Sequence[Mapping[str, Any]]], strong: _Strong
) -> None:
    """Each weak cluster, in the order given, joins the one strong cluster that fits it, if only one does
    (shared by the full run, `_attach_partial`, and the incremental one, `incremental._attach_new`)."""
    profile, identity = strong.profile, strong.identity
    for root in weak:
        surnames = {r["surname"] for r in rows[root] if r["surname"]}
        nicknames = {r["nickname"] for r in rows[root] if r["nickname"]}
        if len(surnames) == 1:
            ranks, initials = profile[root]
            candidates = {
                c
                for c in strong.by_surname.get(next(iter(surnames)), set())
                if not (ranks and profile[c][0] and not ranks & profile[c][0])
                and not (initials and not initials & profile[c][1])
                and not identity[root].contradicts(identity[c])
            }
        elif not surnames and len(nicknames) == 1:
            candidates = set(strong.by_nickname.get(next(iter(nicknames)), set()))
        else:
            continue
        if len(candidates) == 1:
            target = next(iter(candidates))
            if part.allowed(root, target):
                part.union(root, target)
                # what the joined record says now binds the cluster: "DI Wright" cannot follow
                # "Chief Constable Wright" into it on the strength of the surname alone
                profile[target] = (profile[target][0] | profile[root][0], profile[target][1] | profile[root][1])
                identity[target] = identity[target].merged(identity[root])


# --------------------------------------------------------------------------------------------
# PersonRecords

PERSON_SPEC = LinkageSpec(
    fields=(
        FieldSpec("surname", "surname", term_frequency=True),
        FieldSpec("given", "given"),
        FieldSpec("nickname", "exact"),
        FieldSpec("rank", "exact"),
        FieldSpec("collar_number", "exact"),
        FieldSpec("force", "exact"),
        FieldSpec("phone", "exact"),
        FieldSpec("vehicle", "exact"),
        FieldSpec("age", "number"),
        FieldSpec("date_of_birth", "date"),
    ),
    blocking=(
        ("surname",),
        ("surname_sx", "given_initial"),
        ("surname_sx", "rank"),
        ("phone",),
        ("collar_number", "force"),
        ("vehicle",),
        ("nickname",),
    ),
    training=(("surname",), ("given", "given_initial")),
    prior_rules=(("surname", "given"), ("phone",), ("collar_number", "force")),
    prior_recall=0.6,
    link_type="dedupe_only",
    context_column="document_id",
)

PERSON_SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("document_id", pa.string()),
        ("surname", pa.string()),
        ("surname_sx", pa.string()),
        ("given", pa.string()),
        ("given_keys", pa.list_(pa.string())),
        ("given_initial", pa.string()),
        ("nickname", pa.string()),
        ("rank", pa.string()),
        ("collar_number", pa.string()),
        ("force", pa.string()),
        ("phone", pa.string()),
        ("vehicle", pa.string()),
        ("age", pa.int64()),
        ("date_of_birth", pa.string()),
    ]
)


def _opt(value: str | None) -> str | None:
    if value is None:
        return None
    v = fold(value)
    return v or None


def person_row(r: PersonRecord) -> dict[str, Any]:
    """The normalised columns PERSON_SPEC compares."""
    surname = _opt(r.surname)
    given = _opt(r.given_name)
    initial = given[0] if given else None
    if given is not None and len(given) == 1:
        given = None  # an initial alone
    return {
        "unique_id": r.record_id,
        "document_id": r.document_id,
        "surname": surname,
        "surname_sx": jellyfish.soundex(surname) if surname else None,
        "given": given,
        "given_keys": list(name_keys(given)) if given else None,
        "given_initial": initial,
        "nickname": _opt(r.nickname),
        "rank": canonical_rank(r.rank) or (r.rank or None),
        "collar_number": re.sub(r"\D", "", r.collar_number) or None if r.collar_number else None,
        "force": _opt(r.force),
        "phone": re.sub(r"[^\d+]", "", r.phone) or None if r.phone else None,
        "vehicle": re.sub(r"\s", "", r.vehicle).upper() or None if r.vehicle else None,
        "age": r.age,
        "date_of_birth": r.date_of_birth,
    }


def resolve_links(
    records: Sequence[PersonRecord],
    decisions: Sequence[Decision] = (),
    threshold: float = DEFAULT_THRESHOLD,
    *,
    engine: Engine = "duckdb",
    seed: int = 0,
    entities: Mapping[str, Sequence[str]] | None = None,
    strict: bool = False,
    same_document_apart: bool = True,
    attach_partial: bool = True,
    spec: LinkageSpec = PERSON_SPEC,
) -> LinkResult:
    """Link PersonRecords across documents; see the module docstring. Deterministic for a seed."""
    ids = [r.record_id for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError("record ids must be unique")
    check_engine(engine)
    pseudonyms: dict[str, list[str]] = {}
    modelled: list[PersonRecord] = []
    for r in records:
        if r.type == "pseudonym":
            pseudonyms.setdefault(fold(r.full_name or ""), []).append(r.record_id)
        elif r.surname or r.given_name or r.nickname or r.phone or r.vehicle or r.collar_number:
            modelled.append(r)
    # Records sorted by id, so the tables (and the model) do not depend on input order.
    modelled.sort(key=lambda r: r.record_id)
    table = pa.Table.from_pylist([person_row(r) for r in modelled], schema=PERSON_SCHEMA)
    scored = score_pairs([table], spec, threshold, engine, seed) if len(modelled) > 1 else Scored([], {})
    edges = list(scored.edges)
    for members in pseudonyms.values():
        members.sort()
        edges.extend(Edge(members[0], other, 1.0) for other in members[1:])
    apart = _conflicts_within_documents(modelled) if same_document_apart else []
    apart += _namesakes(modelled)
    part, skipped, isolated = _partition(ids, edges, decisions, entities, apart, strict)
    if attach_partial:
        _attach_partial(part, modelled, isolated)
    return LinkResult(part.clusters(), edges, skipped, scored.model, scored.term_frequencies)


def _conflicts_within_documents(records: Sequence[PersonRecord]) -> list[tuple[str, str]]:
    """Pairs of records in one document whose names cannot be one person's.

    Coreference kept them apart and their names disagree (different surnames, or given names
    that are neither equal nor equivalent), so no chain of cross-document links may join them:
    this is what stops "Darren Hartley" and "DS John Hartley" fusing through a bare "Hartley".
    Records it could not tell apart ("Hartley" beside "John Hartley") get no such constraint.
    """
    by_document: dict[str, list[PersonRecord]] = {}
    for r in records:
        by_document.setdefault(r.document_id, []).append(r)
    pairs: list[tuple[str, str]] = []
    for rs in by_document.values():
        rows = [person_row(r) for r in rs]
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                a, b = rows[i], rows[j]
                if _names_conflict(a, b):
                    pairs.append((a["unique_id"], b["unique_id"]))
    return pairs


@dataclass(frozen=True)
class _Identity:
    """What records say a person is, beyond the name: civil roles, gender by title, police or not."""

    roles: frozenset[str] = frozenset()
    genders: frozenset[str] = frozenset()
    police: bool = False

    @staticmethod
    def of(records: Iterable[PersonRecord]) -> _Identity:
        roles: set[str] = set()
        genders: set[str] = set()
        police = False
        for r in records:
            roles.update(getattr(r, "roles", ()))
            gender = getattr(r, "gender", None)
            if gender:
                genders.add(gender)
            police = police or bool(getattr(r, "police", False) or r.rank)
        return _Identity(frozenset(roles), frozenset(genders), police)

    def merged(self, other: _Identity) -> _Identity:
        return _Identity(self.roles | other.roles, self.genders | other.genders, self.police or other.police)

    def contradicts(self, other: _Identity) -> bool:
        if self.genders and other.genders and not self.genders & other.genders:
            return True  # "Ms Wright" and "Mr Wright"
        return (self.police and bool(other.roles)) or (other.police and bool(self.roles))  # officer vs barrister


def _namesakes(records: Sequence[PersonRecord]) -> list[tuple[str, str]]:
    """Pairs of records, in different documents, sharing a surname but not a person.

    Issue 13: a prosecuting barrister and a chief constable both called Wright were one entity, joined
    through records that gave only the surname. Records whose given names conflict, or whose roles,
    police rank or titled gender contradict each other, are kept apart unless a phone, collar number,
    vehicle or date of birth agrees. Records are bucketed by what they say, so the pairs stay few:
    each member of one bucket is kept from the first member of a conflicting bucket, and back.
    """
    by_surname: dict[str, dict[tuple[Any, ...], list[PersonRecord]]] = {}
    for r in records:
        row = person_row(r)
        if not row["surname"]:
            continue
        identity = _Identity.of([r])
        key = (row["given"], row["given_initial"], identity.roles, identity.genders, identity.police)
        by_surname.setdefault(row["surname"], {}).setdefault(key, []).append(r)
    pairs: list[tuple[str, str]] = []
    for buckets in by_surname.values():
        keys = list(buckets)
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                left, right = buckets[keys[i]], buckets[keys[j]]
                if _buckets_conflict(left, right):
                    pairs.extend((r.record_id, right[0].record_id) for r in left)
                    pairs.extend((left[0].record_id, r.record_id) for r in right[1:])
    return pairs


def _buckets_conflict(left: list[PersonRecord], right: list[PersonRecord]) -> bool:
    a, b = person_row(left[0]), person_row(right[0])
    if _shared_identifier(left, right):
        return False
    return _initials_conflict(a, b) or _Identity.of(left[:1]).contradicts(_Identity.of(right[:1]))


def _initials_conflict(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Given names that cannot be one person's across documents: different initials, and not forms of
    one name ("Bill", "William"). Same-initial names are left to the model: statements are typed by
    hand, so "Josehp" and "Joe" may well be one man."""
    if not (a["given_initial"] and b["given_initial"]) or a["given_initial"] == b["given_initial"]:
        return False
    return not (a["given_keys"] and b["given_keys"] and set(a["given_keys"]) & set(b["given_keys"]))


def _shared_identifier(left: list[PersonRecord], right: list[PersonRecord]) -> bool:
    for field_name in ("phone", "collar_number", "vehicle", "date_of_birth"):
        values = {getattr(r, field_name) for r in left} - {None}
        if values & ({getattr(r, field_name) for r in right} - {None}):
            return True
    return False


def _names_conflict(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if (
        a["surname"]
        and b["surname"]
        and a["surname"] != b["surname"]
        and jellyfish.damerau_levenshtein_distance(a["surname"], b["surname"]) > 1
    ):
        return True
    if a["given_initial"] and b["given_initial"]:
        if a["given"] and b["given"]:
            return (
                a["given"] != b["given"]
                and not set(a["given_keys"]) & set(b["given_keys"])
                and jellyfish.damerau_levenshtein_distance(a["given"], b["given"]) > 1
            )
        return a["given_initial"] != b["given_initial"]
    return False


def link_records(
    records: list[PersonRecord],
    decisions: list[Decision],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    engine: Engine = "duckdb",
    seed: int = 0,
    entities: Mapping[str, Sequence[str]] | None = None,
) -> list[list[str]]:
    """Clusters of record ids: each cluster is one person. See resolve_links for the details."""
    return resolve_links(records, decisions, threshold, engine=engine, seed=seed, entities=entities).clusters


__all__ = [
    "DEFAULT_THRESHOLD",
    "Edge",
    "Engine",
    "Scored",
    "check_engine",
    "group_identical",
    "EngineUnavailable",
    "FieldSpec",
    "LinkResult",
    "LinkageSpec",
    "PERSON_SPEC",
    "build_settings",
    "cluster",
    "comparison_for",
    "link_records",
    "person_row",
    "resolve_links",
    "score_pairs",
]
