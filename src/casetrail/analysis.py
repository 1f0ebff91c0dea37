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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from casetrail.errors import DecisionError
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.register import Register, utc_now
from casetrail.ledger.log import Commit
from casetrail.model.entity import Decision, DecisionKind, Entity, PersonRecord
from casetrail.model.event import Event, EventType
from casetrail.model.mention import Mention, MentionType
from casetrail.resolution.coreference import build_records, resolve_document
from casetrail.resolution.linkage import Edge, cluster, link_records

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


@dataclass(frozen=True)
class Summary:
    documents_read: int
    mentions: int
    entities: int
    by_type: dict[str, int]


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

    def extract(self, on_document: Callable[[str], None] | None = None, batch: int = 64) -> int:
        """Read every document this pipeline version has not read; returns how many were read."""
        todo = self.store.documents_to_extract(self.pipeline_id)
        done = 0
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            results = list(self.pipeline.stream(chunk))
            with self.store.transaction():
                for doc_id, mentions in results:
                    self.store.add_mentions(mentions)
                self.store.mark_extracted([doc_id for doc_id, _ in results], self.pipeline_id, utc_now())
            done += len(results)
            if on_document is not None:
                for doc_id, _ in results:
                    on_document(doc_id)
        return done

    # -- resolution -----------------------------------------------------------------------

    def resolve(self) -> Summary:
        current = {f"{e.name}@{e.version}" for e in self.pipeline.extractors}
        documents = set(self.store.resolvable_documents())
        by_doc: dict[str, list[tuple[int, Mention]]] = defaultdict(list)
        for mid, mention in self.store.iter_mentions(extractors=current):
            if mention.document_id in documents:
                by_doc[mention.document_id].append((mid, mention))
        decisions, aliases = self._decisions()

        records: list[PersonRecord] = []
        members: dict[str, list[tuple[int, Mention]]] = {}  # record id -> its mentions
        keyed: dict[str, dict[str, list[tuple[int, Mention]]]] = defaultdict(dict)  # type -> key -> mentions
        for doc_id in sorted(by_doc):
            ids = {id(m): mid for mid, m in by_doc[doc_id]}
            chosen = self.pipeline.select(m for _, m in by_doc[doc_id])
            text = self.store.get_text(doc_id)
            people = [m for m in chosen if m.type in PERSON_TYPES]
            clusters = resolve_document(people, text)
            for c, rec in zip(clusters, build_records(clusters, chosen, text)):
                records.append(rec)
                members[rec.record_id] = [(ids[id(m)], m) for m in c.mentions]
            for m in chosen:
                kind = KEYED_TYPES.get(m.type)
                key = _key(m) if kind else None
                if kind and key:
                    keyed[kind].setdefault(f"{doc_id}|{key}", []).append((ids[id(m)], m))

        entities: list[tuple[Entity, list[tuple[int, str]]]] = []
        person_clusters = link_records(records, decisions, entities=aliases) if records else []
        by_record = {r.record_id: r for r in records}
        for group in person_clusters:
            entities.append(_person_entity([by_record[rid] for rid in group], members))
        for kind, groups in keyed.items():
            entities.extend(_keyed_entities(kind, groups, decisions, aliases))
        with self.store.transaction():
            self.store.replace_entities(entities)
        by_type = Counter(entity.type for entity, _ in entities)
        return Summary(len(by_doc), sum(len(v) for v in by_doc.values()), len(entities), dict(by_type))

    # -- decisions ------------------------------------------------------------------------

    def decide(self, kind: DecisionKind, left: str, right: str | None, author: str, reason: str) -> Commit:
        """Record an investigator's decision as a ledger event; it binds every later run.

        Entity ids are translated to the records they hold now, and the event keeps those
        records, so the decision means the same thing however later runs number entities.
        """
        if not reason.strip():
            raise DecisionError("a decision needs a reason")
        current: dict[str, list[str]] = defaultdict(list)
        for record, entity_id in self.store.entity_records().items():
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
            self.store.add_decision(indices[0], decision)

        return self.register.log.append([event.to_leaf()], also=write)

    def _expand(self, ref: str, current: dict[str, list[str]]) -> list[str]:
        if ref in current:
            return sorted(current[ref])
        if re.fullmatch(r"D-\d{6}:\d+", ref):
            return [ref]
        raise DecisionError(f"no entity or record {ref!r}; see `casetrail entities`")

    def _decisions(self) -> tuple[list[Decision], dict[str, list[str]]]:
        """Decisions from the ledger, with the record lists their events fixed."""
        decisions, aliases = [], {}
        events = {index: Event.from_leaf(data) for index, data in self.store.decision_entries()}
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
    for field in ("rank", "collar_number", "force", "phone", "vehicle", "nickname"):
        values = sorted({str(getattr(r, field)) for r in group if getattr(r, field)})
        if values:
            attributes[field] = values
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
    result = []
    for group in clusters:
        mentions = [pair for rid in group for pair in mention_of[rid]]
        texts = Counter(m.text for _, m in mentions)
        canonical = Counter(str((m.attributes or {}).get("canonical") or m.text) for _, m in mentions)
        name = canonical.most_common(1)[0][0]
        attributes: dict[str, object] = {}
        if kind == "vehicle":
            regs = sorted(
                {str(m.attributes.get("registration")) for _, m in mentions if m.attributes.get("registration")}
            )
            attributes = {"registration": regs} if regs else {}
            name = regs[0] if regs else name
        entity = Entity(entity_id(kind, group), kind, name, tuple(sorted(set(texts) - {name})), attributes=attributes)
        result.append((entity, [(mid, record_id(m)) for mid, m in mentions]))
    return result
