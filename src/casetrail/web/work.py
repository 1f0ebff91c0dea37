"""Casework in the browser and the API: cases, parties, allegations, subjects, documents' life."""

from __future__ import annotations

from casetrail.web.routes_table import Route

ROUTES: tuple[Route, ...] = ()
