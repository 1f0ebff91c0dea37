"""One row of the workbench's route table (`routes.ROUTES`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.responses import Response


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Callable[..., Any]
    tag: str | None = None  # API routes: their OpenAPI tag; None: a page, left out of the schema
    response_class: type[Response] | None = None
