"""Analysis: the extraction and resolution steps run over the store, and decisions recorded.

This module composes pipeline steps; it sits beside the CLI (and later the web app) above the
steps, which never import each other. Mentions are recorded once per extractor version; entities
are conclusions, rebuilt on every run from the mentions and the investigators' decisions, which
are ledger events and therefore survive every re-run.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from casetrail.errors import DecisionError
from casetrail.extraction.parallel import extract_chunks
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.extraction.spark import ExtractionEngine, extract_chunks_on_spark
from casetrail.intake.register import Register, utc_now
from casetrail.ledger.log import Commit
from casetrail.ledger.record import append_events
from casetrail.model.entity import Decision, DecisionKind, Entity, PersonRecord
from casetrail.model.event import Event, EventType
from casetrail.model.mention import Mention, MentionType
from casetrail.resolution.coreference import build_records, resolve_document
from casetrail.resolution.incremental import (
    Known,
    Trained,
    link_new_keyed,
    link_new_records,
    lookup_keys,
    row_data,
    row_keys,
)
from casetrail.resolution.linkage import Edge, LinkResult, cluster, person_row, resolve_links
from casetrail.resolution.matching import PERSON_KEYS

# Splink narrates training at WARNING; a CLI user needs the result, not the EM log.
logging.getLogger("splink").setLevel(logging.ERROR)

PERSON_TYPES = {MentionType.PERSON, MentionType.OFFICER, MentionType.PSEUDONYM}
# Mention types that become entities by a normalised key (the registration, the number, ...).
KEYED_TYPES = {
    MentionType.ORGANISATION: "organisation",
    MentionType.PLACE: "place",
    MentionType.POSTCODE: "place",
    MentionType.VEHICLE: "vehicle",
    MentionType.PHONE: "phone",
}


# What a person entity lists of its records' attributes.
PERSON_FIELDS = ("rank", "collar_number", "force", "phone", "vehicle", "nickname")
# An incremental run links new records with the model the last full run trained; once the inquiry
# has grown past this many times the documents that model was trained on, the next run is full.
RETRAIN_GROWTH = 2.0


@dataclass(frozen=True)
class Summary:
    documents_read: int  # documents whose mentions this run read (an incremental run: new ones only)
    mentions: int
    entities: int  # entities after the run (all of them, after an incremental run too)
    by_type: dict[str, int]
    incremental: bool = False
    note: str = ""  # why a full run was made when an incremental one was asked for, or what it left


@dataclass
class _Read:
    """What resolution reads of some documents: their mentions, person records and keyed mentions."""

    documents: list[str]
    by_doc: dict[str, list[tuple[int, Mention]]]
    records: list[PersonRecord] = field(default_factory=list)
    members: dict[str, list[tuple[int, Mention]]] = field(default_factory=dict)  # record id -> its mentions
    keyed: dict[str, dict[str, list[tuple[int, Mention]]]] = field(
        default_factory=lambda: defaultdict(dict)
    )  # type -> "document|key" -> mentions

    @property
    def mention_count(self) -> int:
        return sum(len(v) for v in self.by_doc.values())


def record_id(mention: Mention) -> str:
    return f"{mention.document_id}:{mention.start}"


def entity_id(kind: str, members: Iterable[str]) -> str:
    """Stable across runs while the entity keeps its earliest record."""
    anchor = min(members, key=_record_order)
    return "E-" + hashlib.sha256(f"{kind}|{anchor}".encode()).hexdigest()[:10]


def _record_order(rid: str) -> tuple[str, int]:
    doc, _, start = rid.rpartition(":")
    return doc, int(start) if start.isdigit() else 0


class Analysis:
    def __init__(self, register: Register, pipeline: ExtractionPipeline | None = None) -> None:
        self.register = register
        self.store = register.store
        self._pipeline = pipeline

    @property
    def pipeline(self) -> ExtractionPipeline:
        if self._pipeline is None:
            self._pipeline = ExtractionPipeline()
        return self._pipeline

    @property
    def pipeline_id(self) -> str:
        return "+".join(sorted(f"{e.name}@{e.version}" for e in self.pipeline.extractors))

    # -- extraction -----------------------------------------------------------------------

    def extract(
        self,
        on_document: Callable[[str], None] | None = None,
        batch: int = 64,
        jobs: int = 1,
        engine: ExtractionEngine = "processes",
    ) -> int:
        """Read every document this pipeline version has not read; returns how many were read.

        `jobs` worker processes compute the mentions of `batch` documents at a time; this process
        alone writes them, a batch per transaction and in the serial order, so the rows are the
        serial run's and a failure keeps every batch written before it (extraction.parallel).
        `engine="spark"` computes the same batches on Spark instead, as many at once as the
        session has cores (extraction.spark); the writing, and so the rows, are the same.
        """
        todo = self.store.analysis.documents_to_extract(self.pipeline_id)
        done = 0
        for results in self._extracted(todo, batch, jobs, engine):
            with self.store.transaction():
                for doc_id, mentions in results:
                    self.store.analysis.add_mentions(mentions)
                self.store.analysis.mark_extracted([doc_id for doc_id, _ in results], self.pipeline_id, utc_now())
            done += len(results)
            if on_document is not None:
                for doc_id, _ in results:
                    on_document(doc_id)
        return done

    def _extracted(
        self, todo: list[tuple[str, str]], batch: int, jobs: int, engine: ExtractionEngine
    ) -> Iterator[list[tuple[str, list[Mention]]]]:
        """The mentions of `todo`, chunk by chunk in input order, from the chosen engine."""
        if engine == "spark":
            if jobs != 1:  # Spark's parallelism is its session's; a process count would mean nothing
                raise ValueError("jobs is for engine='processes'; Spark reads as many batches at once as it has cores")
            return extract_chunks_on_spark(self.pipeline, todo, chunk_size=batch)
        if engine != "processes":
            raise ValueError(f"unknown extraction engine {engine!r}; use 'processes' or 'spark'")
        return extract_chunks(self.pipeline, todo, chunk_size=batch, jobs=jobs)

    # -- resolution -----------------------------------------------------------------------

    def resolve(self, incremental: bool = False) -> Summary:
        """Resolve entities from the mentions, under the investigators' decisions.

        A full run (the default) reads every resolvable document, trains the linkage model and
        rebuilds every entity. `incremental=True` resolves only the documents the entities do not
        cover yet, against those entities and with the model the last full run trained
        (casetrail.resolution.incremental): new records join existing entities or make new ones,
        and two existing entities are never merged. When it cannot build on the last run it makes
        a full run and says why in `Summary.note`: no full run kept, another extraction pipeline,
        a decision recorded since that reshapes resolved entities (one that only places new
        records is applied incrementally), a covered document withdrawn, sealed or amended, or
        the inquiry grown past `RETRAIN_GROWTH` times what the model was trained on.
        """
        if not incremental:
            return self._resolve_full()
        base = self._incremental_base()
        if isinstance(base, str):
            return replace(self._resolve_full(), note=f"full run: {base}")
        return self._resolve_new(*base)

    def _incremental_base(self) -> tuple[Trained, list[str]] | str:
        """The trained model an incremental run builds on and the documents it resolves, or why
        there is nothing to build on."""
        tables = self.store.analysis
        run = tables.last_run()
        if run is None:
            return "no earlier run to build on"
        if run["pipeline"] != self.pipeline_id:
            return "the extraction pipeline changed since the last run"
        if self._decisions_unsettled(int(run["decisions"])):
            return "a decision recorded since the last run changes entities already resolved"
        if tables.resolved_but_gone():
            return "a resolved document was withdrawn, sealed or amended"
        kept = tables.last_model()
        if kept is None:
            return "the last full run kept no trained model (too few person records)"
        trained_on, model = kept
        documents = tables.unresolved_documents()
        covered = tables.resolved_count() + len(documents)
        if covered > RETRAIN_GROWTH * max(trained_on, 1):
            return f"the inquiry has grown from {trained_on} to {covered} documents since the model was trained"
        frequencies = {column: [(v, float(p)) for v, p in pairs] for column, pairs in model["term_frequencies"].items()}
        return Trained(model["model"], frequencies), documents

    def _decisions_unsettled(self, since: int) -> bool:
        """Whether a decision recorded after leaf `since` reshapes what is resolved already.

        One that only places new records (a new record confirmed into an entity, kept apart from
        one, or split off) an incremental run applies as a full run would. One that joins two
        entities, parts records one entity holds, or splits resolved records needs a full run."""
        if self.store.analysis.newest_decision() <= since:
            return False
        events = [Event.from_leaf(data) for idx, data in self.store.analysis.decision_entries() if idx > since]
        if not events:
            return False
        sides = [(e.body.get("left_records", []), e.body.get("right_records", [])) for e in events]
        held = self.store.analysis.record_entities({r for left, right in sides for r in (*left, *right)})
        for event, (left_records, right_records) in zip(events, sides):
            left = {held[r][0] for r in left_records if r in held}
            right = {held[r][0] for r in right_records if r in held}
            kind = DecisionKind(event.body["kind"])
            if kind == DecisionKind.CONFIRM and len(left | right) > 1:
                return True
            if kind == DecisionKind.SPLIT and not event.body.get("right"):
                if left:
                    return True
            elif kind != DecisionKind.CONFIRM and left & right:
                return True
        return False

    def _read(self, documents: list[str] | None) -> _Read:
        """Mentions and records of `documents` (None: every resolvable document)."""
        current = {f"{e.name}@{e.version}" for e in self.pipeline.extractors}
        by_doc: dict[str, list[tuple[int, Mention]]] = defaultdict(list)
        if documents is None:
            documents = self.store.analysis.resolvable_documents()
            wanted = set(documents)
            for mid, mention in self.store.analysis.iter_mentions(extractors=current):
                if mention.document_id in wanted:
                    by_doc[mention.document_id].append((mid, mention))
        else:
            for mid, mention in self.store.analysis.iter_mentions_of(documents, current):
                by_doc[mention.document_id].append((mid, mention))
        read = _Read(documents, by_doc)
        for doc_id in sorted(by_doc):
            ids = {id(m): mid for mid, m in by_doc[doc_id]}
            chosen = self.pipeline.select(m for _, m in by_doc[doc_id])
            text = self.store.documents.get_text(doc_id)
            people = [m for m in chosen if m.type in PERSON_TYPES]
            clusters = resolve_document(people, text)
            for c, rec in zip(clusters, build_records(clusters, chosen, text)):
                read.records.append(rec)
                read.members[rec.record_id] = [(ids[id(m)], m) for m in c.mentions]
            for m in chosen:
                kind = KEYED_TYPES.get(m.type)
                key = _key(m) if kind else None
                if kind and key:
                    read.keyed[kind].setdefault(f"{doc_id}|{key}", []).append((ids[id(m)], m))
        return read

    def _resolve_full(self) -> Summary:
        read = self._read(None)
        decisions, aliases = self._decisions()
        entities: list[tuple[Entity, list[tuple[int, str]]]] = []
        linked = resolve_links(read.records, decisions, entities=aliases) if read.records else LinkResult([], [])
        by_record = {r.record_id: r for r in read.records}
        for group in linked.clusters:
            entities.append(_person_entity([by_record[rid] for rid in group], read.members))
        for kind, groups in read.keyed.items():
            entities.extend(_keyed_entities(kind, groups, decisions, aliases))
        model = {"model": linked.model, "term_frequencies": linked.term_frequencies} if linked.model else None
        resolved = set(read.by_doc) | self.store.analysis.extracted_documents(self.pipeline_id, read.documents)
        entity_of = {rid: entity.id for entity, pairs in entities for _, rid in pairs}
        anchors = {entity.id: min((rid for _, rid in pairs), key=_record_order) for entity, pairs in entities if pairs}
        with self.store.transaction():
            self.store.analysis.replace_entities(entities, PERSON_KEYS, utc_now())
            self.store.analysis.clear_resolution_state()
            self._keep(read.records, entity_of)
            self.store.analysis.set_anchors(sorted(anchors.items()))
            self.store.analysis.set_keyed_tails(_tails(read, entity_of))
            run = self.store.analysis.add_run(
                "full", self.pipeline_id, self.store.analysis.newest_decision(), len(resolved), utc_now(), model
            )
            self.store.analysis.mark_resolved(sorted(resolved), run)
        by_type = Counter(entity.type for entity, _ in entities)
        return Summary(len(read.by_doc), read.mention_count, len(entities), dict(by_type))

    def _keep(self, records: Iterable[PersonRecord], entity_of: Mapping[str, str]) -> None:
        """Each record's content (once per distinct row, with its lookup keys) and how many records
        of each entity say it: what the next, incremental run links new records against."""
        rows: dict[str, tuple[list[Any], list[str]]] = {}
        held: Counter[tuple[str, str]] = Counter()
        names: Counter[tuple[str, str]] = Counter()
        for rec in records:
            digest, data, columns = row_data(rec)
            if digest not in rows:
                rows[digest] = (data, row_keys(rec, columns))
            held[(digest, entity_of[rec.record_id])] += 1
            if rec.full_name:
                names[(entity_of[rec.record_id], rec.full_name)] += 1
        self.store.analysis.add_rows((digest, row, keys) for digest, (row, keys) in rows.items())
        self.store.analysis.add_holdings((digest, entity, n) for (digest, entity), n in sorted(held.items()))
        self.store.analysis.add_names((entity, name, n) for (entity, name), n in sorted(names.items()))

    def _resolve_new(self, trained: Trained, documents: list[str]) -> Summary:
        """An incremental run: the documents not covered yet, against the entities stored."""
        tables = self.store.analysis
        if not documents:
            counts = tables.entity_counts()
            return Summary(0, 0, sum(counts.values()), counts, incremental=True, note="no new documents")
        read = self._read(documents)
        decisions, aliases = self._decisions()
        new_people = {r.record_id for r in read.records}
        keyed_new = {
            kind: {record_id(m) for ms in groups.values() for _, m in ms} for kind, groups in read.keyed.items()
        }
        named = {rid for rids in aliases.values() for rid in rids} - new_people
        named -= {rid for rids in keyed_new.values() for rid in rids}
        resolved = tables.record_entities(named)  # record -> (entity holding it, its type)

        def nodes(new: set[str], types: set[str]) -> tuple[dict[str, list[str]], set[str]]:
            """Decisions' records as nodes: new records as they are, resolved ones as their entities."""
            out: dict[str, list[str]] = {}
            for key, rids in aliases.items():
                found = [
                    rid if rid in new else resolved[rid][0]
                    for rid in rids
                    if rid in new or (rid in resolved and resolved[rid][1] in types)
                ]
                out[key] = list(dict.fromkeys(found))
            return out, {n for ns in out.values() for n in ns} - new

        entity_of: dict[str, str] = {}  # new record -> the entity it ends in
        added: list[tuple[Entity, list[tuple[int, str]]]] = []
        grown: dict[str, tuple[Entity, list[tuple[int, str]]]] = {}  # old id -> (entity now, new members)
        anchors: dict[str, str] = {}
        wanted: set[frozenset[str]] = set()
        older: dict[tuple[str, str], str] = {}  # (kind, key) -> its newest record stored

        if read.records:
            node_aliases, named_entities = nodes(new_people, {"person", "officer"})
            rows = tables.rows_by_keys(k for r in read.records for k in lookup_keys(r))
            holders = tables.holders(rows)
            known = Known(holders=holders)
            known.add(rows)
            # Entities a new record known only by a partial name could attach to (linkage._attach_partial):
            # those with a full name of its surname, or with its nickname, told apart by what their
            # rows sharing a key with the new records say (all their rows of that surname, or with
            # that nickname: a record known only by its surname or nickname asks for those).
            columns = [person_row(r) for r in read.records if r.type != "pseudonym"]
            weak_surnames = {c["surname"] for c in columns if c["surname"] and not c["given_initial"]}
            weak_nicknames = {c["nickname"] for c in columns if c["nickname"] and not c["surname"]}
            profiled: set[str] = set()
            for digest in list(known.digests()):
                c = known.person(digest)
                if known.value(digest, "type") != "pseudonym" and (
                    (c["surname"] in weak_surnames and c["given_initial"]) or c["nickname"] in weak_nicknames
                ):
                    profiled.update(holders.get(digest, {}))
            profiles: dict[str, dict[str, int]] = {}
            for digest, held in holders.items():
                for holder, n in held.items():
                    if holder in profiled:
                        profiles.setdefault(holder, {})[digest] = n
            known.profiles = profiles
            link = link_new_records(read.records, known, trained, decisions, node_aliases, entity_nodes=named_entities)
            wanted |= link.wanted_merges
            by_record = {r.record_id: r for r in read.records}
            clusters = [
                ([n for n in c if n not in new_people], [by_record[n] for n in c if n in new_people])
                for c in link.clusters
            ]
            touched = {olds[0] for olds, news in clusters if olds and news}
            names = tables.names(touched)
            old_entities = tables.entities_in(touched)
            old_anchors = tables.anchors(touched)
            for olds, news in clusters:
                if not news:
                    continue
                if olds and olds[0] in old_entities:
                    old = old_entities[olds[0]]
                    entity, members, anchor = _grown_person(
                        old, names.get(old.id, {}), old_anchors.get(old.id), news, read.members
                    )
                    grown[old.id] = (entity, members)
                else:
                    entity, members = _person_entity(news, read.members)
                    anchor = min((r.record_id for r in news), key=_record_order)
                    added.append((entity, members))
                anchors[entity.id] = anchor
                entity_of.update((r.record_id, entity.id) for r in news)

        for kind, groups in read.keyed.items():
            by_key: dict[str, list[tuple[int, Mention]]] = defaultdict(list)
            for doc_key, mentions in groups.items():
                by_key[doc_key.split("|", 1)[1]].extend(mentions)
            mention_of: dict[str, list[tuple[int, Mention]]] = defaultdict(list)
            chains: dict[str, list[str]] = {}
            for key, mentions in by_key.items():
                chains[key] = sorted({record_id(m) for _, m in mentions}, key=_record_order)
                for mid, m in mentions:
                    mention_of[record_id(m)].append((mid, m))
            stored_tails = tables.keyed_tails(kind, chains)
            older.update(((kind, key), rid) for key, (rid, _) in stored_tails.items())
            tails = {key: entity for key, (_, entity) in stored_tails.items()}
            node_aliases, named_entities = nodes(keyed_new[kind], {kind})
            link = link_new_keyed(chains, tails, decisions, node_aliases, named_entities)
            wanted |= link.wanted_merges
            old_entities = tables.entities_in({n for c in link.clusters for n in c if n not in keyed_new[kind]})
            for group in link.clusters:
                fresh = [n for n in group if n in keyed_new[kind]]
                existing = [n for n in group if n not in keyed_new[kind]]
                if not fresh:
                    continue
                said = [pair for rid in fresh for pair in mention_of[rid]]
                if existing and existing[0] in old_entities:
                    entity = _grown_keyed(kind, old_entities[existing[0]], said)
                    grown[entity.id] = (entity, [(mid, record_id(m)) for mid, m in said])
                else:
                    entity, pairs = _keyed_entity(kind, fresh, mention_of)
                    added.append((entity, pairs))
                    anchors[entity.id] = min(fresh, key=_record_order)
                entity_of.update((rid, entity.id) for rid in fresh)

        covered = set(read.by_doc) | tables.extracted_documents(self.pipeline_id, documents)
        with self.store.transaction():
            tables.add_entities(added, PERSON_KEYS)
            for old_id, (entity, members) in grown.items():
                tables.update_entity(old_id, entity, PERSON_KEYS, members)
            self._keep(read.records, entity_of)
            tables.set_anchors(sorted(anchors.items()))
            tables.set_keyed_tails(_tails(read, entity_of, older))
            run = tables.add_run(
                "incremental",
                self.pipeline_id,
                tables.newest_decision(),
                tables.resolved_count() + len(covered),
                utc_now(),
                None,
            )
            tables.mark_resolved(sorted(covered), run)
        counts = tables.entity_counts()
        note = f"{len(added)} new entities, {len(grown)} grown"
        if wanted:
            note += (
                f"; {len(wanted)} pairs of existing entities the new documents would join are left for a full run"
                " (casetrail analyse --full)"
            )
        return Summary(len(read.by_doc), read.mention_count, sum(counts.values()), counts, True, note)

    # -- decisions ------------------------------------------------------------------------

    def decide(self, kind: DecisionKind, left: str, right: str | None, author: str, reason: str) -> Commit:
        """Record an investigator's decision as a ledger event; it binds every later run.

        Entity ids are translated to the records they hold now, and the event keeps those
        records, so the decision means the same thing however later runs number entities.
        """
        if not reason.strip():
            raise DecisionError("a decision needs a reason")
        current: dict[str, list[str]] = defaultdict(list)
        for record, entity_id in self.store.analysis.entity_records().items():
            current[entity_id].append(record)
        left_records = self._expand(left, current)
        right_records = self._expand(right, current) if right else []
        if kind != DecisionKind.SPLIT and not right_records:
            raise DecisionError(f"{kind.value} needs two entities or records")
        at = utc_now()
        body = {
            "kind": kind.value,
            "left": left,
            "right": right,
            "reason": reason,
            "left_records": left_records,
            "right_records": right_records,
        }
        event = Event(EventType.DECISION_RECORDED, left, at, author, body)
        decision = Decision(kind, left, right, author, reason, at)

        def write(indices: list[int]) -> None:
            self.store.analysis.add_decision(indices[0], decision)

        return append_events(self.register.log, [event], also=write)

    def _expand(self, ref: str, current: dict[str, list[str]]) -> list[str]:
        if ref in current:
            return sorted(current[ref])
        if re.fullmatch(r"D-\d{6}:\d+", ref):
            return [ref]
        raise DecisionError(f"no entity or record {ref!r}; see `casetrail entities`")

    def _decisions(self) -> tuple[list[Decision], dict[str, list[str]]]:
        """Decisions from the ledger, with the record lists their events fixed."""
        decisions, aliases = [], {}
        events = {index: Event.from_leaf(data) for index, data in self.store.analysis.decision_entries()}
        for index, event in sorted(events.items()):
            body = event.body
            left_key, right_key = f"decision-{index}-left", f"decision-{index}-right"
            aliases[left_key] = body.get("left_records", [])
            aliases[right_key] = body.get("right_records", [])
            decisions.append(
                Decision(
                    DecisionKind(body["kind"]),
                    left_key,
                    right_key if body.get("right") else None,
                    event.actor,
                    body.get("reason", ""),
                    event.at,
                )
            )
        return decisions, aliases


def _key(m: Mention) -> str | None:
    a = m.attributes or {}
    if m.type == MentionType.VEHICLE:
        reg = a.get("registration")
        return re.sub(r"\s", "", str(reg)).upper() if reg and not a.get("partial") else None
    if m.type == MentionType.PHONE:
        return str(a.get("e164") or re.sub(r"\D", "", m.text)) or None
    if m.type == MentionType.ORGANISATION:
        return _fold(str(a.get("canonical") or m.text))
    return _fold(m.text)


def _fold(text: str) -> str:
    text = re.sub(r"^(the)\s+", "", text.strip(), flags=re.I)
    return re.sub(r"[^\w]+", " ", text).strip().casefold()


def _person_entity(
    group: list[PersonRecord], members: dict[str, list[tuple[int, Mention]]]
) -> tuple[Entity, list[tuple[int, str]]]:
    names = Counter(r.full_name for r in group if r.full_name)
    longest = max(names, key=lambda n: (len(n.split()), names[n], n)) if names else "unnamed"
    pseudonym = all(r.type == "pseudonym" for r in group)
    officer = any(r.type == "officer" or r.rank for r in group)
    kind = "officer" if officer else "person"
    linked = [(mid, r.record_id) for r in group for mid, _ in members[r.record_id]]
    aliases = sorted({m.text for r in group for _, m in members[r.record_id]} | set(names) - {longest})
    attributes: dict[str, object] = {"pseudonym": True} if pseudonym else {}
    for attr in PERSON_FIELDS:
        values = sorted({str(getattr(r, attr)) for r in group if getattr(r, attr)})
        if values:
            attributes[attr] = values
    entity = Entity(entity_id(kind, [r.record_id for r in group]), kind, longest, tuple(aliases), attributes=attributes)
    return entity, linked


def _keyed_entities(
    kind: str, groups: dict[str, list[tuple[int, Mention]]], decisions: list[Decision], aliases: dict[str, list[str]]
) -> list[tuple[Entity, list[tuple[int, str]]]]:
    """Mentions of one type grouped by key across documents, under the same decisions as people."""
    by_key: dict[str, list[tuple[int, Mention]]] = defaultdict(list)
    for doc_key, mentions in groups.items():
        by_key[doc_key.split("|", 1)[1]].extend(mentions)
    ids: list[str] = []
    edges: list[Edge] = []
    mention_of: dict[str, list[tuple[int, Mention]]] = defaultdict(list)
    for mentions in by_key.values():
        rids = sorted({record_id(m) for _, m in mentions}, key=_record_order)
        for mid, m in mentions:
            mention_of[record_id(m)].append((mid, m))
        ids.extend(rids)
        edges.extend(Edge(a, b, 1.0) for a, b in zip(rids, rids[1:]))
    clusters, _ = cluster(ids, edges, decisions, entities=aliases)
    return [_keyed_entity(kind, group, mention_of) for group in clusters]


def _keyed_entity(
    kind: str, group: list[str], mention_of: Mapping[str, list[tuple[int, Mention]]]
) -> tuple[Entity, list[tuple[int, str]]]:
    mentions = [pair for rid in group for pair in mention_of[rid]]
    texts = Counter(m.text for _, m in mentions)
    canonical = Counter(str((m.attributes or {}).get("canonical") or m.text) for _, m in mentions)
    name = canonical.most_common(1)[0][0]
    attributes: dict[str, object] = {}
    if kind == "vehicle":
        regs = sorted({str(m.attributes.get("registration")) for _, m in mentions if m.attributes.get("registration")})
        attributes = {"registration": regs} if regs else {}
        name = regs[0] if regs else name
    entity = Entity(entity_id(kind, group), kind, name, tuple(sorted(set(texts) - {name})), attributes=attributes)
    return entity, [(mid, record_id(m)) for mid, m in mentions]


# -- incremental runs ---------------------------------------------------------------------------


def _grown_person(
    old: Entity,
    names: Mapping[str, int],
    anchor: str | None,
    news: list[PersonRecord],
    members: Mapping[str, list[tuple[int, Mention]]],
) -> tuple[Entity, list[tuple[int, str]], str]:
    """An existing person entity with new records, named, typed and identified as _person_entity
    would the lot: from what it says now (`names`: how many of its records give each full name)
    and the new records. Returns the entity, the new records' (mention id, record id) and its
    anchor (earliest record, which its id is made from)."""
    counts = Counter(names)
    counts.update(str(r.full_name) for r in news if r.full_name)
    longest = max(counts, key=lambda n: (len(n.split()), counts[n], n)) if counts else "unnamed"
    texts = {m.text for r in news for _, m in members[r.record_id]}
    # _person_entity's aliases: the mentions' texts, and the names but the longest. The texts of
    # old records are in the old aliases; the old name joins them if another is the longest now
    # (and the new longest leaves them, unless a new mention says it: old texts are not told apart).
    aliases = set(old.aliases) | texts | (set(counts) - {longest})
    if longest != old.name and longest not in texts:
        aliases.discard(longest)
    attributes: dict[str, object] = {}
    if old.attributes.get("pseudonym") and all(r.type == "pseudonym" for r in news):
        attributes["pseudonym"] = True
    for name in PERSON_FIELDS:
        values = {str(v) for v in old.attributes.get(name) or []}  # type: ignore[union-attr]
        values |= {str(getattr(r, name)) for r in news if getattr(r, name)}
        if values:
            attributes[name] = sorted(values)
    officer = old.type == "officer" or any(r.type == "officer" or r.rank for r in news)
    kind = "officer" if officer else "person"
    first = min([*([anchor] if anchor else []), *(r.record_id for r in news)], key=_record_order)
    entity = Entity(entity_id(kind, [first]), kind, longest, tuple(sorted(aliases)), attributes=attributes)
    return entity, [(mid, r.record_id) for r in news for mid, _ in members[r.record_id]], first


def _grown_keyed(kind: str, old: Entity, mentions: list[tuple[int, Mention]]) -> Entity:
    """An existing keyed entity with new mentions of its key: their spellings become aliases (the
    name stays: the most common spelling of a grown entity is not recounted until a full run)."""
    name, attributes = old.name, dict(old.attributes)
    if kind == "vehicle":
        regs = set(attributes.get("registration") or [])  # type: ignore[arg-type]
        regs |= {str(m.attributes.get("registration")) for _, m in mentions if m.attributes.get("registration")}
        if regs:
            attributes["registration"] = sorted(regs)
            name = sorted(regs)[0]
    aliases = (set(old.aliases) | {m.text for _, m in mentions}) - {name}
    return Entity(old.id, kind, name, tuple(sorted(aliases)), attributes=attributes)


def _tails(
    read: _Read, entity_of: Mapping[str, str], older: Mapping[tuple[str, str], str] | None = None
) -> list[tuple[str, str, str, str]]:
    """(kind, key, newest record, its entity) for every key read, unless a newer record is stored."""
    tails: dict[tuple[str, str], str] = {}
    for kind, groups in read.keyed.items():
        for doc_key, mentions in groups.items():
            key = doc_key.split("|", 1)[1]
            for _, m in mentions:
                rid = record_id(m)
                tail = tails.get((kind, key))
                if tail is None or _record_order(rid) > _record_order(tail):
                    tails[(kind, key)] = rid
    older = older or {}
    return [
        (kind, key, rid, entity_of[rid])
        for (kind, key), rid in sorted(tails.items())
        if (kind, key) not in older or _record_order(rid) > _record_order(older[(kind, key)])
    ]
