"""Search: entity names and document text, only what the viewer may read."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from casetrail.web.context import render, signed_in, web, window
from casetrail.web.workbench import PAGE


async def search_page(request: Request, q: str = "", offset: int = 0) -> HTMLResponse:
    signed = signed_in(request)
    found = web(request).bench.search(signed.sight, q, window(offset)) if q.strip() else None
    return render(request, "search.html", signed, q=q, found=found)


async def api_search(request: Request, q: str, offset: int = 0, limit: int = PAGE) -> dict[str, Any]:
    """Entities whose names hold every word, and documents whose text does: only what you may read."""
    return web(request).bench.search(signed_in(request).sight, q, window(offset, limit))
