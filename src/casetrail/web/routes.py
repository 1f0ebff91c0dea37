"""Every route of the workbench, in one flat table: method, path, handler, and how it is listed.

Pages (HTML, left out of the OpenAPI schema) and the JSON API side by side. Every handler lives
in the module of its page family; none holds a rule of its own.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, Response

from casetrail.web import (
    cases,
    dashboard,
    disclosure,
    documents,
    entities,
    integrity,
    queues,
    search,
    signin,
    work,
)
from casetrail.web.routes_table import Route


def _zip() -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/zip": {}}}}


PAGES: tuple[Route, ...] = (
    Route("GET", "/login", signin.login_page),
    Route("POST", "/login", signin.login),
    Route("GET", "/login/totp", signin.totp_page),
    Route("POST", "/login/totp", signin.totp),
    Route("POST", "/logout", signin.logout),
    Route("GET", "/", documents.inbox_page),
    Route("POST", "/upload", documents.upload_page),
    Route("GET", "/documents/{doc_id}", documents.document_page),
    Route("POST", "/documents/{doc_id}/mentions/{mention_id}/decision", documents.decide_page),
    Route("GET", "/entities/{entity_id}", entities.entity_page),
    Route("GET", "/cases", cases.cases_page),
    Route("GET", "/cases/{case_id}", cases.case_page),
    Route("POST", "/cases/{case_id}/parties/{party_id}/identity", cases.identity_page),
    Route("POST", "/cases/{case_id}/assign", cases.assign_page),
    Route("POST", "/cases/{case_id}/export", cases.export_page),
    Route("GET", "/search", search.search_page),
    Route("GET", "/oversight", dashboard.oversight_page),
    Route("GET", "/integrity", integrity.integrity_page),
    Route("POST", "/integrity/receipt", integrity.receipt_page),
    Route("GET", "/audit", dashboard.audit_page),
)

API: tuple[Route, ...] = (
    Route("GET", "/api/me", signin.me, "session"),
    Route("GET", "/api/documents", documents.api_documents, "documents"),
    Route("POST", "/api/documents", documents.api_upload, "documents"),
    Route("GET", "/api/documents/{doc_id}", documents.api_document, "documents"),
    Route("POST", "/api/documents/{doc_id}/mentions/{mention_id}/decision", documents.api_decide, "documents"),
    Route("GET", "/api/entities/{entity_id}", entities.api_entity, "entities"),
    Route("GET", "/api/cases", cases.api_cases, "cases"),
    Route("GET", "/api/cases/{case_id}", cases.api_case, "cases"),
    Route("GET", "/api/cases/{case_id}/export", cases.api_export, "cases", Response),
    Route("GET", "/api/cases/{case_id}/parties/{party_id}/identity", cases.api_identity, "cases"),
    Route("GET", "/api/cases/{case_id}/assignable", cases.api_assignable, "cases"),
    Route("POST", "/api/cases/{case_id}/assignments", cases.api_assign, "cases"),
    Route("GET", "/api/search", search.api_search, "search"),
    Route("GET", "/api/oversight", dashboard.api_oversight, "oversight"),
    Route("GET", "/api/integrity", integrity.api_integrity, "integrity"),
    Route("POST", "/api/receipts/verify", integrity.api_verify_receipt, "integrity"),
    Route("GET", "/api/audit", dashboard.api_audit, "audit"),
)

ROUTES = PAGES + API + work.ROUTES + queues.ROUTES + disclosure.ROUTES


def options(route: Route) -> dict[str, Any]:
    """The keyword arguments FastAPI's `add_api_route` takes for one table row."""
    found: dict[str, Any] = {"methods": [route.method], "include_in_schema": route.tag is not None}
    if route.tag is not None:
        found["tags"] = [route.tag]
    elif route.method == "GET":
        found["response_class"] = HTMLResponse
    if route.response_class is not None:
        found["response_class"] = route.response_class
        found["responses"] = _zip()
    return found
