"""The working queues: actions, intelligence, the overseer's inbox, proposals, entities, administration."""

from __future__ import annotations

from casetrail.web.routes_table import Route

ROUTES: tuple[Route, ...] = ()
