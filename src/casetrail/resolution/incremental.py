"""Incremental linkage (issue 14): new records resolved against the entities a full run concluded.

A full run (casetrail.analysis) trains the model on every record and clusters them all. It keeps
what an incremental run needs: the trained model and the term frequencies it scored with; each
distinct record content (a "row": what a record says, without its id) with how many records of
each entity say it; and lookup keys for those rows: one per blocking rule the row can be blocked
by (Soundex and initial; Soundex and rank; phone; collar number and force; vehicle; nickname; a
pseudonym by its name), and for the surname alone, narrower keys (lookup_keys says why). An
incremental run:

  * scores the new records against the stored rows they share a key with, which are the pairs
    a full run's blocking would score but same-surname namesakes (Splink's `predict_between` with
    the trained model and term frequencies: nothing is trained), and against each other
    (`predict_within`, and each repeated row against itself, as a full run does);
  * clusters, strongest pair first, over a partition whose nodes are the new records and the
    existing entities: a pair with a stored row is a pair with each entity holding that row;
  * keeps every rule of the full run: investigators' decisions (their records mapped to the
    entities holding them now), pseudonyms joined by name, records of one document whose names
    conflict kept apart, namesakes kept apart, a partial name attached to the one cluster it fits;
  * never joins two existing entities. That is a merge, and merges, like retraining the model and
    applying a new decision, wait for a full run; the pairs of entities new evidence would have
    joined are reported (`wanted_merges`).

Keyed entities (vehicles, phones, organisations, places) are exact-key joins, so incrementally
they are a lookup: the newest record of a key (the tail of the key's chain in a full run) names
the entity a new record of that key joins (`link_new_keyed`).

What an incremental run does not do, and a full run does: retrain the model; let a new record
bridge two existing entities; attach an existing entity known only by a partial name to a person
who first appears in the new documents; take a record back out of an entity when new evidence
makes its attachment ambiguous. So the two disagree a little, and more as the share of new
documents grows (tests/resolution/test_incremental.py measures it); a full run now and then
(`casetrail analyse --full`) resets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pyarrow as pa

from casetrail.model import Decision, PersonRecord
from casetrail.resolution.coreference import RoledRecord
from casetrail.resolution.engines import Engine, open_engine
from casetrail.resolution.linkage import (
    DEFAULT_THRESHOLD,
    PERSON_SCHEMA,
    PERSON_SPEC,
    Edge,
    _attach_weak,
    _conflicts_within_documents,
    _edges,
    _Identity,
    _initials_conflict,
    _namesakes,
    _Partition,
    _partition,
    _quiet_splink,
    _Strong,
    group_identical,
    person_row,
)
from casetrail.resolution.person_name import fold

# What a row keeps of a record: everything but its id and document; then the linkage columns.
ROW_FIELDS = tuple(f.name for f in fields(RoledRecord) if f.name not in ("record_id", "document_id"))
COLUMNS = tuple(name for name in PERSON_SCHEMA.names if name not in ("unique_id", "document_id"))
_AT = {name: i for i, name in enumerate(ROW_FIELDS)}


# --------------------------------------------------------------------------------------------
# Rows: what records say, stored once per distinct content


def row_of(record: PersonRecord) -> dict[str, Any]:
    """The content of a record (JSON-ready)."""
    row = {name: getattr(record, name, None) for name in ROW_FIELDS}
    row["roles"] = list(getattr(record, "roles", ()) or ())
    row["police"] = bool(getattr(record, "police", False))
    return row


def row_digest(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()[:24]


def row_data(record: PersonRecord) -> tuple[str, list[Any], dict[str, Any]]:
    """(digest, what is stored, linkage columns): the stored form is a list, the record's content
    (ROW_FIELDS) then its linkage columns (COLUMNS, linkage.person_row), so that an incremental
    run reads both back without recomputing the columns."""
    row = row_of(record)
    columns = person_row(record)
    return row_digest(row), [row[name] for name in ROW_FIELDS] + [columns[c] for c in COLUMNS], columns


def record_of(row: Mapping[str, Any], record_id: str, document_id: str = "") -> RoledRecord:
    values: dict[str, Any] = {name: row.get(name) for name in ROW_FIELDS}
    values["roles"] = tuple(row.get("roles") or ())
    values["police"] = bool(row.get("police"))
    return RoledRecord(record_id=record_id, document_id=document_id, **values)


def modelled(record: PersonRecord) -> bool:
    """Whether linkage scores the record at all (as resolve_links decides)."""
    r = record
    return r.type != "pseudonym" and bool(
        r.surname or r.given_name or r.nickname or r.phone or r.vehicle or r.collar_number
    )


def row_keys(record: PersonRecord, columns: Mapping[str, Any] | None = None) -> list[str]:
    """The keys a stored row is found by (see lookup_keys, which says what a new record asks for)."""
    if record.type == "pseudonym":
        return [f"ps:{fold(record.full_name or '')}"]
    if not modelled(record):
        return []
    r = columns if columns is not None else person_row(record)
    keys = _rule_keys(r)
    if r["surname"]:
        keys.append(f"sn:{r['surname']}")
        if not r["given_initial"]:
            keys.append(f"s0:{r['surname']}")
        keys.extend(f"gk:{r['surname']}|{k}" for k in r["given_keys"] or ())
    return keys


def lookup_keys(record: PersonRecord, columns: Mapping[str, Any] | None = None) -> list[str]:
    """The keys of the stored rows a new record is scored against.

    Every blocking rule of PERSON_SPEC but the surname alone, as a full run blocks; then, for the
    surname alone: a record with no given name meets every row of its surname, and one with a
    given name or initial meets those with none ("Hartley") and those giving a form of its name
    ("Bill" for "William"), since a row of its surname with a given name of another initial, and
    not a form of its own, is a namesake it is kept from (linkage._namesakes) unless an identifier
    agrees, which its own keys find. So a new "John Hartley" is not scored against every Hartley."""
    if record.type == "pseudonym":
        return [f"ps:{fold(record.full_name or '')}"]
    if not modelled(record):
        return []
    r = columns if columns is not None else person_row(record)
    keys = _rule_keys(r)
    if r["surname"]:
        if r["given_initial"]:
            keys.append(f"s0:{r['surname']}")
            keys.extend(f"gk:{r['surname']}|{k}" for k in r["given_keys"] or ())
        else:
            keys.append(f"sn:{r['surname']}")
    return keys


def _rule_keys(r: Mapping[str, Any]) -> list[str]:
    """One key per blocking rule (but the surname alone) whose columns the row has."""
    keys = []
    for i, rule in enumerate(PERSON_SPEC.blocking):
        values = [r[c] for c in rule]
        if rule != ("surname",) and all(v not in (None, "") for v in values):
            keys.append(f"b{i}:" + "|".join(str(v) for v in values))
    return keys


def identity_of(record: PersonRecord) -> _Identity:
    """linkage._Identity.of([record]), for one record."""
    gender = getattr(record, "gender", None)
    police = bool(getattr(record, "police", False) or record.rank)
    return _Identity(frozenset(getattr(record, "roles", ())), frozenset([gender] if gender else ()), police)


# --------------------------------------------------------------------------------------------
# What is known: the trained model and the stored rows the new records touch


@dataclass(frozen=True)
class Trained:
    """A full run's model: Splink's settings with m, u and prior, and its term frequencies."""

    model: dict[str, Any]
    term_frequencies: dict[str, list[tuple[Any, float]]] = field(default_factory=dict)


@dataclass
class Known:
    """Existing entities as far as the new records reach them.

    holders   digest -> {entity id: how many of its records say it}, for the rows sharing a key
              with a new record (those are scored)
    profiles  entity id -> {digest: records}: every row of the entities a new record known only
              by a partial name could attach to
    Rows are added as stored (`add`); a row's record and columns are read from it when asked.
    """

    holders: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    profiles: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    _data: dict[str, Sequence[Any]] = field(default_factory=dict, repr=False)
    _records: dict[str, RoledRecord] = field(default_factory=dict, repr=False)
    _columns: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _identities: dict[str, _Identity] = field(default_factory=dict, repr=False)

    def add(self, stored: Mapping[str, Sequence[Any]]) -> None:
        """Rows as stored (row_data's list), by digest."""
        self._data.update(stored)

    def __contains__(self, digest: object) -> bool:
        return digest in self._data

    def digests(self) -> Iterable[str]:
        return self._data.keys()

    def value(self, digest: str, name: str) -> Any:
        """One field of the record's content (a ROW_FIELDS name)."""
        return self._data[digest][_AT[name]]

    def record(self, digest: str) -> RoledRecord:
        found = self._records.get(digest)
        if found is None:
            found = self._records[digest] = record_of(dict(zip(ROW_FIELDS, self._data[digest])), digest)
        return found

    def person(self, digest: str) -> dict[str, Any]:
        """The row's linkage columns (linkage.person_row), with the digest as its id."""
        found = self._columns.get(digest)
        if found is None:
            data = self._data[digest]
            if len(data) == len(ROW_FIELDS) + len(COLUMNS):
                found = {"unique_id": digest, "document_id": "", **dict(zip(COLUMNS, data[len(ROW_FIELDS) :]))}
            else:
                found = person_row(self.record(digest))
            self._columns[digest] = found
        return found

    def identity(self, digest: str) -> _Identity:
        found = self._identities.get(digest)
        if found is None:
            gender, rank = self.value(digest, "gender"), self.value(digest, "rank")
            found = _Identity(
                frozenset(self.value(digest, "roles") or ()),
                frozenset([gender] if gender else ()),
                bool(self.value(digest, "police") or rank),
            )
            self._identities[digest] = found
        return found

    def modelled(self, digest: str) -> bool:
        if self.value(digest, "type") == "pseudonym":
            return False
        return any(
            self.value(digest, name)
            for name in ("surname", "given_name", "nickname", "phone", "vehicle", "collar_number")
        )


@dataclass
class IncrementalLink:
    clusters: list[list[str]]  # those holding new records: their ids, then the existing entity joined, if any
    edges: int
    wanted_merges: set[frozenset[str]]  # pairs of existing entities new evidence would have joined
    skipped_decisions: list[Decision]


def _clusters(part: _Anchored, ids: Iterable[str]) -> list[list[str]]:
    """The clusters holding new records: their ids (sorted), then the existing entity they joined."""
    groups: dict[str, list[str]] = {}
    for rid in ids:
        groups.setdefault(part.find(rid), []).append(rid)
    out = []
    for root, members in groups.items():
        entity = part.entity_of.get(root)
        out.append(sorted(members) + ([entity] if entity else []))
    return sorted(out)


class _Anchored(_Partition):
    """A partition in which no component may hold two existing entities."""

    def __init__(self, ids: Iterable[str], anchors: Iterable[str]) -> None:
        super().__init__(ids)
        self.entity_of: dict[str, str] = {a: a for a in anchors}  # root -> the existing entity it holds
        self.wanted: set[frozenset[str]] = set()

    def _both(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra != rb and ra in self.entity_of and rb in self.entity_of:
            self.wanted.add(frozenset((self.entity_of[ra], self.entity_of[rb])))
            return True
        return False

    def allowed(self, a: str, b: str) -> bool:
        if not super().allowed(a, b):
            return False
        return not self._both(a, b)

    def union(self, a: str, b: str) -> None:
        if self._both(a, b):
            return
        ra, rb = self.find(a), self.find(b)
        held = self.entity_of.pop(ra, None) or self.entity_of.pop(rb, None)
        super().union(a, b)
        if held is not None:
            self.entity_of[self.find(a)] = held


# --------------------------------------------------------------------------------------------
# Person records


def link_new_records(
    records: Sequence[PersonRecord],
    known: Known,
    trained: Trained,
    decisions: Sequence[Decision] = (),
    entities: Mapping[str, Sequence[str]] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    engine: Engine = "duckdb",
    entity_nodes: Iterable[str] = (),
) -> IncrementalLink:
    """Cluster new records with each other and with the existing entities in `known`.

    `entities` maps decision keys to node ids (new record ids, or the existing entities holding
    the records a decision named); `entity_nodes` lists existing entities decisions name that
    `known` may not hold."""
    ids = [r.record_id for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError("record ids must be unique")
    anchors = sorted({e for held in known.holders.values() for e in held} | set(entity_nodes) | set(known.profiles))
    part = _Anchored([*ids, *anchors], anchors)
    pseudonyms: dict[str, list[str]] = {}
    scored: list[PersonRecord] = []
    for r in records:
        if r.type == "pseudonym":
            pseudonyms.setdefault(fold(r.full_name or ""), []).append(r.record_id)
        elif modelled(r):
            scored.append(r)
    scored.sort(key=lambda r: r.record_id)
    edges = _score_new(scored, known, trained, threshold, engine) if scored else []
    pseudonym_holders: dict[str, set[str]] = {}
    for digest, held in known.holders.items():
        if digest in known and known.value(digest, "type") == "pseudonym":
            pseudonym_holders.setdefault(fold(known.value(digest, "full_name") or ""), set()).update(held)
    for name, members in pseudonyms.items():
        members.sort()
        edges.extend(Edge(members[0], other, 1.0) for other in members[1:])
        edges.extend(Edge(members[0], entity, 1.0) for entity in sorted(pseudonym_holders.get(name, ())))
    # Cannot-links matter only for entities a new record could join: by a scored pair or a decision.
    # (A cluster a partial name attaches to is never a namesake: attaching checks that itself.)
    reach = {n for e in edges for n in (e.left, e.right)} | set(entity_nodes)
    apart = _conflicts_within_documents(scored) + _new_namesakes(scored, known, reach)
    _, skipped, isolated = _partition(part.parent, edges, decisions, entities, apart, False, part)
    _attach_new(part, scored, known, isolated)
    return IncrementalLink(_clusters(part, ids), len(edges), part.wanted, skipped)


def _score_new(
    records: Sequence[PersonRecord], known: Known, trained: Trained, threshold: float, engine: Engine
) -> list[Edge]:
    """Pairs at or above `threshold`: new with new (repeated rows against themselves too, as in a
    full run) and new with stored rows, an edge to a stored row becoming one to each holder."""
    from splink import Linker

    table = pa.Table.from_pylist([person_row(r) for r in records], schema=PERSON_SCHEMA)
    groups = group_identical(table, ("unique_id", "document_id"))
    stored = sorted(d for d in known.holders if d in known and known.modelled(d))
    old = pa.Table.from_pylist([{**known.person(d), "document_id": None} for d in stored], schema=PERSON_SCHEMA)
    model = json.loads(json.dumps(trained.model))
    model.pop("linker_uid", None)
    within: list[Edge] = []
    between: list[Edge] = []
    selves: list[Edge] = []
    with open_engine(engine) as run, _quiet_splink():
        new_frame = run.register(groups.table, "new_records")
        linker = Linker(new_frame, model, log_level=None)
        for f in PERSON_SPEC.fields:
            if f.term_frequency:
                pairs = trained.term_frequencies.get(f.column, [])
                tf = pa.table(
                    {
                        f.column: pa.array([v for v, _ in pairs], type=pa.string()),
                        f"tf_{f.column}": pa.array([p for _, p in pairs], type=pa.float64()),
                    }
                )
                linker.table_management.register_term_frequency_lookup(run.register(tf, f"tf_{f.column}"), f.column)
        inference = linker.inference
        if groups.table.num_rows >= 2:
            within = _edges(
                inference.predict_within(new_frame, threshold_match_probability=threshold, warning_mode="never")
            )
        if old.num_rows:
            old_frame = run.register(old, "known_rows")
            between = _edges(
                inference.predict_between(
                    new_frame, old_frame, threshold_match_probability=threshold, warning_mode="never"
                )
            )
        multi = [rid for rid, ms in groups.members.items() if len(ms) > 1]
        if multi:
            reps = groups.table.filter(pa.compute.is_in(groups.table.column("unique_id"), pa.array(multi)))
            twin_ids = pa.compute.binary_join_element_wise(reps.column("unique_id"), pa.scalar("#twin"), "")
            twins = reps.set_column(reps.schema.get_field_index("unique_id"), "unique_id", twin_ids)
            of = reps.column("unique_id").combine_chunks()
            selves = _edges(
                inference.predict_between(
                    run.register(reps.append_column("twin_of", of), "reps"),
                    run.register(twins.append_column("twin_of", of), "twins"),
                    blocking_rules_to_generate_predictions=["l.twin_of = r.twin_of"],
                    threshold_match_probability=threshold,
                    warning_mode="never",
                )
            )
    out: dict[tuple[str, str], float] = {}

    def edge(a: str, b: str, p: float) -> None:
        if out.get((a, b), -1.0) < p:
            out[(a, b)] = p

    for e in within:
        left, right = groups.members[e.left], groups.members[e.right]
        for a in left:
            edge(a, right[0], e.probability)
        for b in right[1:]:
            edge(left[0], b, e.probability)
    for e in selves:
        rep = e.left if not e.left.endswith("#twin") else e.right
        members = groups.members[rep]
        for m in members[1:]:
            edge(members[0], m, e.probability)
    for e in between:  # one edge per new record and entity: the strongest of its rows
        new, row = (e.left, e.right) if e.left in groups.members else (e.right, e.left)
        for entity in known.holders.get(row, {}):
            for a in groups.members[new]:
                edge(a, entity, e.probability)
    return [Edge(a, b, p) for (a, b), p in out.items()]


IDENTIFIERS = ("phone", "collar_number", "vehicle", "date_of_birth")


@dataclass
class _Bucket:
    """Records of one surname saying the same given name, roles, gender and police or not."""

    row: dict[str, Any]
    identity: _Identity
    new: list[str] = field(default_factory=list)  # new record ids
    held: set[str] = field(default_factory=set)  # entities in reach holding a stored record of it
    said: list[Sequence[Any]] = field(default_factory=list)  # new records' identifiers
    stored: list[str] = field(default_factory=list)  # digests of its stored rows
    _identifiers: dict[str, set[Any]] | None = None

    def identifiers(self, known: Known) -> dict[str, set[Any]]:
        """Every phone, collar number, vehicle and date of birth its records give (read when needed)."""
        if self._identifiers is None:
            found: dict[str, set[Any]] = {}
            values = [*self.said, *([known.value(d, name) for name in IDENTIFIERS] for d in self.stored)]
            for given in values:
                for name, value in zip(IDENTIFIERS, given):
                    if value is not None:
                        found.setdefault(name, set()).add(value)
            self._identifiers = found
        return self._identifiers

    def conflicts(self, other: _Bucket, known: Known) -> bool:
        """linkage._buckets_conflict, over the buckets' records new and stored."""
        if not (_initials_conflict(self.row, other.row) or self.identity.contradicts(other.identity)):
            return False
        mine, theirs = self.identifiers(known), other.identifiers(known)
        return not any(values & theirs.get(name, set()) for name, values in mine.items())


def _new_namesakes(records: Sequence[PersonRecord], known: Known, reach: set[str]) -> list[tuple[str, str]]:
    """linkage._namesakes for new records: among themselves as in a full run, and against stored
    rows of their surnames, where a new record is kept from every entity in `reach` holding a
    record of a conflicting bucket (a bucket gathers the new and stored records saying the same)."""
    pairs = list(_namesakes(records))
    buckets: dict[str, dict[tuple[Any, ...], _Bucket]] = {}

    def bucket(row: dict[str, Any], identity: _Identity) -> _Bucket:
        key = (row["given"], row["given_initial"], identity.roles, identity.genders, identity.police)
        found = buckets.setdefault(row["surname"], {}).get(key)
        if found is None:
            found = buckets[row["surname"]][key] = _Bucket(row, identity)
        return found

    for r in records:
        row = person_row(r)
        if row["surname"]:
            b = bucket(row, identity_of(r))
            b.new.append(r.record_id)
            b.said.append([getattr(r, name) for name in IDENTIFIERS])
    for digest, held in known.holders.items():
        if digest not in known or known.value(digest, "type") == "pseudonym" or not known.value(digest, "surname"):
            continue
        row = known.person(digest)
        if row["surname"] in buckets:
            b = bucket(row, known.identity(digest))
            b.stored.append(digest)
            b.held.update(e for e in held if e in reach)
    for by_key in buckets.values():
        for left in by_key.values():
            if not left.new:
                continue
            for right in by_key.values():
                if right is not left and right.held and left.conflicts(right, known):
                    pairs.extend((n, e) for n in left.new for e in sorted(right.held))
    return pairs


def _attach_new(part: _Partition, records: Sequence[PersonRecord], known: Known, isolated: set[str]) -> None:
    """linkage._attach_partial for clusters of new records only: one known by a partial name joins
    the one cluster (new, or an existing entity with what it holds) with a full name that fits."""
    anchored = part.entity_of if isinstance(part, _Anchored) else {}
    rows: dict[str, list[dict[str, Any]]] = {}
    identity: dict[str, _Identity] = {}

    def add(node: str, row: dict[str, Any], who: _Identity) -> None:
        root = part.find(node)
        rows.setdefault(root, []).append(row)
        identity[root] = identity[root].merged(who) if root in identity else who

    for r in records:
        add(r.record_id, person_row(r), identity_of(r))
    for entity, digests in known.profiles.items():
        for digest in digests:
            if digest in known and known.value(digest, "type") != "pseudonym":
                add(entity, known.person(digest), known.identity(digest))
    strong_by_surname: dict[str, set[str]] = {}
    strong_by_nickname: dict[str, set[str]] = {}
    profile: dict[str, tuple[set[str], set[str]]] = {}
    weak: list[str] = []
    roots_isolated = {part.find(x) for x in isolated if x in part.parent}
    for root, rs in rows.items():
        if root in roots_isolated:
            continue
        full = [c for c in rs if c["surname"] and c["given_initial"]]
        profile[root] = ({c["rank"] for c in rs if c["rank"]}, {c["given_initial"] for c in rs if c["given_initial"]})
        if full:
            for c in full:
                strong_by_surname.setdefault(c["surname"], set()).add(root)
            for c in rs:
                if c["nickname"]:
                    strong_by_nickname.setdefault(c["nickname"], set()).add(root)
        elif root not in anchored:
            weak.append(root)
    first = {root: min(r["unique_id"] for r in rs) for root, rs in rows.items()}
    strong = _Strong(strong_by_surname, strong_by_nickname, profile, identity)
    _attach_weak(part, sorted(weak, key=lambda w: first[w]), rows, strong)


# --------------------------------------------------------------------------------------------
# Keyed records


def link_new_keyed(
    chains: Mapping[str, Sequence[str]],
    tails: Mapping[str, str],
    decisions: Sequence[Decision] = (),
    entities: Mapping[str, Sequence[str]] | None = None,
    entity_nodes: Iterable[str] = (),
) -> IncrementalLink:
    """New keyed records (key -> their record ids, in record order) against existing entities
    (key -> the entity holding the key's newest record): the chain a full run builds, continued."""
    anchors = sorted(set(tails.values()) | set(entity_nodes))
    ids = [rid for rids in chains.values() for rid in rids]
    part = _Anchored([*ids, *anchors], anchors)
    edges: list[Edge] = []
    for key, rids in chains.items():
        chain = ([tails[key]] if key in tails else []) + list(rids)
        edges.extend(Edge(a, b, 1.0) for a, b in zip(chain, chain[1:]))
    _, skipped, _ = _partition(part.parent, edges, decisions, entities, (), False, part)
    return IncrementalLink(_clusters(part, ids), len(edges), part.wanted, skipped)


__all__ = [
    "IncrementalLink",
    "Known",
    "ROW_FIELDS",
    "Trained",
    "link_new_keyed",
    "link_new_records",
    "lookup_keys",
    "COLUMNS",
    "identity_of",
    "row_data",
    "modelled",
    "record_of",
    "row_digest",
    "row_keys",
    "row_of",
]
