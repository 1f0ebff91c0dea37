"""Export to FollowTheMoney, so Aleph (and other FtM tools) can load casetrail's results.

Statements and conclusions stay apart here too: each mention becomes an FtM `Mention` (what a
document says, with the document it came from), and points at the entity casetrail resolved it
to through `resolved`. Documents carry provenance but, by default, not their text: statements
from survivors must not leave the inquiry because someone exported a graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from casetrail.model.document import Document
from casetrail.model.mention import Mention

SCHEMATA = {
    "person": "Person",
    "officer": "Person",
    "organisation": "Organization",
    "place": "Address",
    "vehicle": "Vehicle",
    "phone": None,  # FtM has no phone entity: numbers go on the people they belong to and on mentions
}
DOCUMENT_SCHEMATA = {
    "text/html": "HyperText",
    "message/rfc822": "Email",
    "application/pdf": "Pages",
    "text/plain": "PlainText",
    "text/markdown": "PlainText",
}


def make_id(*parts: str) -> str:
    return "ct-" + hashlib.sha1("|".join(parts).encode()).hexdigest()


def _proxy(schema: str, entity_id: str) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    return proxy


def document_proxy(doc: Document, status: str, text: str | None) -> EntityProxy:
    proxy = _proxy(DOCUMENT_SCHEMATA.get(doc.media_type, "Document"), make_id("document", doc.id))
    proxy.add("fileName", doc.provenance.source_name)
    proxy.add("title", doc.title or doc.provenance.source_name)
    proxy.add("mimeType", doc.media_type)
    proxy.add("fileSize", doc.size)
    proxy.add("retrievedAt", doc.provenance.received_at[:19])
    proxy.add("keywords", [doc.kind.value, status])
    proxy.add("description", f"casetrail {doc.id}; sha256 {doc.sha256}; submitted by {doc.provenance.submitted_by}")
    if text is not None and status != "sealed":
        proxy.add("bodyText", text)
    return proxy


def entity_proxy(entity: Mapping[str, Any]) -> EntityProxy | None:
    schema = SCHEMATA.get(entity["type"])
    if schema is None:
        return None
    proxy = _proxy(schema, make_id("entity", entity["id"]))
    attributes = entity.get("attributes", {})
    if schema == "Address":
        proxy.add("full", entity["name"])
    else:
        proxy.add("name", entity["name"])
    if schema == "Vehicle":
        proxy.add("registrationNumber", attributes.get("registration", []))
    else:
        proxy.add("alias", entity.get("aliases", []))
    if schema == "Person":
        proxy.add("position", attributes.get("rank", []))
        proxy.add("phone", attributes.get("phone", []))
        proxy.add("idNumber", [f"collar {n}" for n in attributes.get("collar_number", [])])
        if attributes.get("pseudonym"):
            proxy.add("description", "pseudonym given in the source; not a real name")
    proxy.add("keywords", [entity["type"], f"casetrail {entity['id']}"])
    return proxy


def mention_proxy(mid: int, mention: Mention, document_proxy_id: str, resolved: str | None) -> EntityProxy:
    proxy = _proxy("Mention", make_id("mention", str(mid)))
    proxy.add("name", mention.text)
    proxy.add("document", document_proxy_id)
    if resolved is not None:
        proxy.add("resolved", resolved)
    schema = {
        "person": "Person",
        "officer": "Person",
        "pseudonym": "Person",
        "organisation": "Organization",
        "vehicle": "Vehicle",
        "place": "Address",
        "postcode": "Address",
    }.get(mention.type.value)
    if schema:
        proxy.add("detectedSchema", schema)
    if mention.type.value == "phone":
        proxy.add("contextPhone", (mention.attributes or {}).get("e164") or mention.text)
    return proxy


def export(
    documents: Iterable[tuple[Document, str, str | None]],
    entities: Iterable[Mapping[str, Any]],
    mentions: Iterable[tuple[int, Mention]],
    entity_of_mention: Mapping[int, str],
) -> Iterator[dict[str, Any]]:
    """FtM entity dicts: documents, resolved entities, then the mentions linking the two."""
    doc_ids: dict[str, str] = {}
    for doc, status, text in documents:
        proxy = document_proxy(doc, status, text)
        doc_ids[doc.id] = proxy.id  # type: ignore[assignment]
        yield proxy.to_dict()
    entity_ids: dict[str, str] = {}
    for entity in entities:
        proxy = entity_proxy(entity)
        if proxy is None:
            continue
        entity_ids[entity["id"]] = proxy.id  # type: ignore[assignment]
        yield proxy.to_dict()
    for mid, mention in mentions:
        if mention.document_id not in doc_ids or mid not in entity_of_mention:
            continue
        resolved = entity_ids.get(entity_of_mention[mid])
        yield mention_proxy(mid, mention, doc_ids[mention.document_id], resolved).to_dict()
