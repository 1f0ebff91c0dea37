"""casetrail's linkage path on FEBRL-style person records (given name, surname, date of birth,
an ID number, address), used to benchmark the resolution code on FEBRL4 (bench/febrl4.py).

It is the same machinery as PersonRecord linkage: the spec below goes through the same settings
builder (linkage.build_settings), the same seeded training and the same decision-aware
clustering; only the columns differ. Nothing here knows which records truly match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from casetrail.model import Decision
from casetrail.resolution.given_names import name_keys
from casetrail.resolution.linkage import (
    Engine,
    FieldSpec,
    LinkageSpec,
    LinkResult,
    check_engine,
    cluster,
    score_pairs,
)

FEBRL_THRESHOLD = 0.9  # records here are rich (ID number, DOB, address): a confident cut-off

FEBRL_COLUMNS: tuple[str, ...] = (
    "given_name",
    "surname",
    "date_of_birth",
    "soc_sec_id",
    "street_number",
    "address_1",
    "suburb",
    "postcode",
    "state",
)

FEBRL_SPEC = LinkageSpec(
    fields=(
        FieldSpec("given_name", "given"),
        FieldSpec("surname", "surname"),
        FieldSpec("date_of_birth", "date"),
        FieldSpec("soc_sec_id", "identifier"),
        FieldSpec("street_number", "exact"),
        FieldSpec("address_1", "text"),
        FieldSpec("suburb", "text"),
        FieldSpec("postcode", "exact"),
        FieldSpec("state", "exact"),
    ),
    # An ID number, a date of birth, a given name or a surname in common is enough to look at a pair.
    blocking=(("soc_sec_id",), ("date_of_birth",), ("given_name",), ("surname",), ("postcode", "street_number")),
    training=(("date_of_birth",), ("soc_sec_id",)),
    prior_rules=(("soc_sec_id", "date_of_birth"),),
    prior_recall=0.7,
    link_type="link_only",
    u_max_pairs=8e5,
    em_max_pairs=None,
)

FEBRL_SCHEMA = pa.schema(
    [("unique_id", pa.string())]
    + [(c, pa.string()) for c in FEBRL_COLUMNS]
    + [("given_name_keys", pa.list_(pa.string())), ("given_name_initial", pa.string())]
)


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip().casefold()
    return text or None if text not in ("nan", "none") else None


def febrl_table(rows: Iterable[Mapping[str, Any]], id_column: str = "rec_id") -> pa.Table:
    """Normalised columns for FEBRL_SPEC from FEBRL-style rows (dicts)."""
    out: dict[str, list[Any]] = {name: [] for name in FEBRL_SCHEMA.names}
    for row in rows:
        out["unique_id"].append(str(row[id_column]))
        for c in FEBRL_COLUMNS:
            out[c].append(_clean(row.get(c)))
        given = out["given_name"][-1]
        out["given_name_keys"].append(list(name_keys(given)) if given else None)
        out["given_name_initial"].append(given[0] if given else None)
    return pa.table(out, schema=FEBRL_SCHEMA)


def link_febrl(
    left: Iterable[Mapping[str, Any]],
    right: Iterable[Mapping[str, Any]],
    decisions: Sequence[Decision] = (),
    threshold: float = FEBRL_THRESHOLD,
    *,
    engine: Engine = "duckdb",
    seed: int = 0,
    id_column: str = "rec_id",
) -> LinkResult:
    """Link two FEBRL-style datasets; clusters hold record ids from either side."""
    check_engine(engine)
    a, b = febrl_table(left, id_column), febrl_table(right, id_column)
    scored = score_pairs([a, b], FEBRL_SPEC, threshold, engine, seed)
    ids = a.column("unique_id").to_pylist() + b.column("unique_id").to_pylist()
    clusters, skipped = cluster(ids, scored.edges, decisions)
    return LinkResult(clusters, scored.edges, skipped, scored.model)


__all__ = ["FEBRL_SPEC", "FEBRL_THRESHOLD", "febrl_table", "link_febrl"]
