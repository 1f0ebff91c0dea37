"""`casetrail serve`: the workbench over this store."""

from __future__ import annotations

from typing import Annotated

import typer

from casetrail.cli.app import State, app, out, run


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Start the workbench: web UI and HTTP API (OpenAPI at /openapi.json)."""
    import uvicorn

    from casetrail.web.app import create_app
    from casetrail.web.auth import secure_cookies_default

    State.home.require()
    application = run(lambda: create_app(State.home, secure_cookies=secure_cookies_default(host), warm=True))
    out.print(
        f"casetrail workbench on http://{host}:{port}/ (store {State.home.root}); "
        "loading the inquiry's views first, which takes a while on a large inquiry"
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")
