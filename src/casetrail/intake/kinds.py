"""Guessing a document's kind from its name and opening words, when the submitter did not say.

Deliberately conservative: a wrong guess is worse than `other`, which an investigator can
correct by re-registering with --kind. Only words about the document itself are used.
"""

from __future__ import annotations

import re

from casetrail.model.document import DocumentKind

_NAME_CUES = (
    (re.compile(r"statement|witness|account|interview", re.I), DocumentKind.STATEMENT),
    (re.compile(r"complaint|allegation", re.I), DocumentKind.COMPLAINT),
    (re.compile(r"intel|intelligence|\bsis\b|5x5", re.I), DocumentKind.INTELLIGENCE),
    (re.compile(r"news|article|press|report", re.I), DocumentKind.PUBLIC),
)
_TEXT_CUES = (
    (re.compile(r"\b(witness statement|statement of witness|my statement)\b", re.I), DocumentKind.STATEMENT),
    (
        re.compile(r"\b(complaint (form|against|about)|i wish to complain|i want to complain)\b", re.I),
        DocumentKind.COMPLAINT,
    ),
    (re.compile(r"\b(intelligence report|intelligence log|source handling)\b", re.I), DocumentKind.INTELLIGENCE),
)


def infer_kind(name: str, text: str, media_type: str) -> DocumentKind:
    for pattern, kind in _NAME_CUES:
        if pattern.search(name):
            return kind
    opening = text[:2000]
    for pattern, kind in _TEXT_CUES:
        if pattern.search(opening):
            return kind
    if media_type == "text/html":
        return DocumentKind.PUBLIC
    return DocumentKind.OTHER
