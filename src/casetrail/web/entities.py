"""An entity: its documents, mentions, timeline, cases and link chart."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from casetrail.web.context import render, signed_in, web, window
from casetrail.web.workbench import PAGE


async def entity_page(request: Request, entity_id: str, offset: int = 0) -> HTMLResponse:
    signed = signed_in(request)
    entity = web(request).bench.entity(signed.sight, entity_id, window(offset))
    return render(request, "entity.html", signed, entity=entity)


async def api_entity(request: Request, entity_id: str, offset: int = 0, limit: int = PAGE) -> dict[str, Any]:
    """An entity: `documents`, `timeline` and `mentions` cover one page of its documents, newest first."""
    return web(request).bench.entity(signed_in(request).sight, entity_id, window(offset, limit))
