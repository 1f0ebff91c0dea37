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
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from casetrail.model.document import Document
from casetrail.model.event import canonical_json

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


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def field_salt(salt: bytes, path: str) -> bytes:
    return hmac.new(salt, path.encode("utf-8"), hashlib.sha256).digest()


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
