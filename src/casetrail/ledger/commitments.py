"""Salted commitments: a log that reveals nothing (issue 12).

A version-2 event leaf (`"v": 2` in its body) carries, in place of each identifying field, the
hex SHA-256 commitment

    commit(field salt, value) = SHA-256("casetrail-commitment/v1" 0x00 || field salt || canonical JSON of value)
    field salt                = HMAC-SHA-256(event salt, field path)

where the event salt is 32 random bytes kept only in the encrypted database (table
`commitments`), and the field path names the field within the event ("document.source_name",
"reason"). The body lists the committed paths under "committed", so an outside auditor sees
which fields were hidden, and an event without "v" (recorded before this) is read as it always was.

A field salt opens one field and nothing else: giving a court the file name (its field salt and
value) tells it nothing about the submitter, whose field salt is a different HMAC of the event salt.

Every other event (casework, read audits with their reasons and search terms, accounts, decisions,
withdrawals and seals) is logged whole-committed (`commit_event`): its subject and actor are each
replaced by a commitment, and its body by "event", a commitment to the recorded leaf's exact bytes
(SHA-256 of the domain, the "event" field salt and those bytes); the event as recorded is
kept beside its salt in the encrypted database (`commitments.opened`), where the workbench reads
it and `verify` recommits it and compares. Only the type and the time stay in clear, and the
events that name no one: a publication's thresholds and hashes, a key rotation's key ids.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from casetrail.model.document import Document
from casetrail.model.event import Event, EventType, canonical_json

VERSION = 2
DOMAIN = b"casetrail-commitment/v1\x00"
SALT_BYTES = 32
# Free text and names in a document.received/amended event: what it was called, who gave it,
# how (the channel is free text too), its title, the no-text line, and an amendment's reason.
DOCUMENT_PATHS = (
    "document.submitted_by",
    "document.channel",
    "document.source_name",
    "document.title",
    "document.text_reason",
    "reason",
)
# Committed values the store keeps nowhere else (in commitments.held).
HELD_PATHS = frozenset({"reason"})
# The fields of a whole-committed event, and the events logged otherwise: documents' own per-field
# scheme above, and events that hold no name (published hashes and thresholds, key ids and counts).
WHOLE_PATHS = ("actor", "event", "subject")
NOT_WHOLE = frozenset(
    {
        EventType.DOCUMENT_RECEIVED,
        EventType.DOCUMENT_AMENDED,
        EventType.PUBLICATION_RELEASED,
        EventType.KEYS_ROTATED,
        EventType.STORE_ENCRYPTED,
    }
)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def field_salt(salt: bytes, path: str) -> bytes:
    return hmac.digest(salt, path.encode("utf-8"), "sha256")  # one-shot: verify computes millions


def commitment(salt: bytes, value: Any) -> str:
    """The commitment to `value` under one field salt (hex)."""
    return hashlib.sha256(DOMAIN + salt + canonical_json(value)).hexdigest()


def get_path(body: Mapping[str, Any], path: str) -> Any:
    value: Any = body
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _set_path(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        body = body[part]
    body[last] = value


def _has_path(body: Mapping[str, Any], path: str) -> bool:
    *parents, last = path.split(".")
    value: Any = body
    for part in parents:
        if not isinstance(value, Mapping) or part not in value:
            return False
        value = value[part]
    return isinstance(value, Mapping) and last in value


@dataclass(frozen=True)
class Committed:
    """A version-2 body, the event salt behind it, and the values to keep in `commitments.held`."""

    body: dict[str, Any]
    salt: bytes
    held: dict[str, Any]


def commit_body(body: dict[str, Any], paths: Iterable[str], salt: bytes | None = None) -> Committed:
    """`body` with each of `paths` it holds replaced by its commitment, marked version 2."""
    salt = new_salt() if salt is None else salt
    out: dict[str, Any] = {**body, "document": dict(body["document"])} if "document" in body else dict(body)
    committed, held = [], {}
    for path in paths:
        if not _has_path(out, path):
            continue
        value = get_path(out, path)
        if path in HELD_PATHS:
            held[path] = value
        _set_path(out, path, commitment(field_salt(salt, path), value))
        committed.append(path)
    out["v"] = VERSION
    out["committed"] = sorted(committed)
    return Committed(out, salt, held)


def committed_paths(body: Mapping[str, Any]) -> list[str]:
    """The paths a body commits to: none for a body recorded before version 2."""
    if body.get("v") != VERSION:
        return []
    paths = body.get("committed")
    return [p for p in paths if isinstance(p, str)] if isinstance(paths, list) else []


def matches(body: Mapping[str, Any], path: str, salt: bytes, value: Any) -> bool:
    return hmac.compare_digest(str(get_path(body, path)), commitment(field_salt(salt, path), value))


def document_values(doc: Document, held: Mapping[str, Any]) -> dict[str, Any]:
    """Every committable value of a stored document (rebuilt with its reading), by path, plus the
    values `commitments.held` keeps for the event."""
    values: dict[str, Any] = {f"document.{key}": value for key, value in doc.metadata().items()}
    values.update(held)
    return values


def opening(salt: bytes, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What a receipt carries to open these fields: each one's field salt (hex) and value."""
    return {path: {"salt": field_salt(salt, path).hex(), "value": value} for path, value in values.items()}


def check_opening(body: Mapping[str, Any], opened: Mapping[str, Any]) -> list[str]:
    """The opened paths whose salt and value do not reproduce the body's commitment."""
    wrong = []
    committed = set(committed_paths(body))
    for path, item in opened.items():
        try:
            salt = bytes.fromhex(item["salt"])
            ok = path in committed and hmac.compare_digest(str(get_path(body, path)), commitment(salt, item["value"]))
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            wrong.append(path)
    return wrong


@dataclass(frozen=True)
class CommittedEvent:
    """An event ready to append: its leaf, and (when the leaf holds commitments) the salt and the
    event as recorded, for `commitments` (LedgerStorage.add_opened_events)."""

    leaf: bytes
    salt: bytes | None
    opened: bytes


def commit_event(event: Event, salt: bytes | None = None) -> CommittedEvent:
    """The leaf for `event`: whole-committed unless its type is logged otherwise (NOT_WHOLE).

    The subject and the actor are committed as values (each can be opened alone); "event" commits
    to the recorded leaf's exact bytes, so checking it hashes those bytes and re-encodes nothing."""
    if event.type in NOT_WHOLE:
        return CommittedEvent(event.to_leaf(), None, event.to_leaf())
    salt = new_salt() if salt is None else salt
    opened = event.to_leaf()
    return CommittedEvent(
        _committed_leaf(event.type.value, event.at, event.subject, event.actor, opened, salt), salt, opened
    )


def _committed_leaf(kind: str, at: str, subject: str, actor: str, opened: bytes, salt: bytes) -> bytes:
    body = {
        "v": VERSION,
        "committed": list(WHOLE_PATHS),
        "event": hashlib.sha256(DOMAIN + field_salt(salt, "event") + opened).hexdigest(),
    }
    subject_c = commitment(field_salt(salt, "subject"), subject)
    actor_c = commitment(field_salt(salt, "actor"), actor)
    return canonical_json({"type": kind, "subject": subject_c, "at": at, "actor": actor_c, "body": body})


def is_whole_committed(body: Mapping[str, Any]) -> bool:
    return committed_paths(body) == list(WHOLE_PATHS)


def opens(leaf: bytes, salt: bytes, opened: bytes) -> bool:
    """Whether `opened`, committed under `salt`, is exactly `leaf`."""
    return open_event(leaf, salt, opened) is not None


def open_event(leaf: bytes | Mapping[str, Any], salt: bytes, opened: bytes) -> dict[str, Any] | None:
    """The recorded event (parsed) if, committed under `salt`, it is `leaf` (its bytes, or the leaf
    already parsed: `verify` has it, and comparing values spares re-encoding it); else None."""
    try:
        raw = json.loads(opened)
        kind, at, subject, actor = (raw[key] for key in ("type", "at", "subject", "actor"))
        if not all(isinstance(value, str) for value in (kind, at, subject, actor)):
            return None
        parsed = json.loads(leaf) if isinstance(leaf, bytes) else leaf
        want = {
            "type": kind,
            "subject": commitment(field_salt(salt, "subject"), subject),
            "at": at,
            "actor": commitment(field_salt(salt, "actor"), actor),
            "body": {
                "v": VERSION,
                "committed": list(WHOLE_PATHS),
                "event": hashlib.sha256(DOMAIN + field_salt(salt, "event") + opened).hexdigest(),
            },
        }
        return dict(raw) if parsed == want else None
    except (ValueError, KeyError, TypeError):
        return None
