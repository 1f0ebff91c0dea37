"""`casetrail serve`: the workbench over this store."""

from __future__ import annotations

import logging
import os
from typing import Annotated

import typer

from casetrail.cli.app import State, app, out, run
from casetrail.store.home import Home


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    access_log: Annotated[
        bool, typer.Option(help="Log each request as method, route pattern, status and time (never its URL).")
    ] = True,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes on the one store, each with its own connection and views.")
    ] = 1,
) -> None:
    """Start the workbench: web UI and HTTP API (OpenAPI at /openapi.json)."""
    import uvicorn

    from casetrail.web.app import create_app
    from casetrail.web.auth import secure_cookies_default
    from casetrail.web.protocol import NoDelayProtocol

    State.home.require()
    secure = secure_cookies_default(host)
    application = None
    if workers == 1:
        application = run(lambda: create_app(State.home, secure_cookies=secure, warm=True))
    else:
        run(lambda: _hand_to_workers(State.home, secure, access_log))
    loading = f"each of {workers} worker processes loads" if workers > 1 else "loading"
    out.print(
        f"casetrail workbench on http://{host}:{port}/ (store {State.home.root}); "
        f"{loading} the inquiry's views first, which takes a while on a large inquiry"
    )
    # uvicorn's access log would write each request's query string (search terms, reasons): the
    # app logs its own lines, with route patterns only (web/app.py `_access_log`).
    logging.basicConfig(format="%(asctime)s %(name)s %(message)s", level=logging.WARNING)
    logging.getLogger("casetrail.access").setLevel(logging.INFO if access_log else logging.WARNING)
    if application is not None:
        uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False, http=NoDelayProtocol)
        return
    # Several workers: uvicorn binds the port here and starts each from the factory's import string.
    uvicorn.run(
        "casetrail.web.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        http=NoDelayProtocol,
    )


def _hand_to_workers(home: Home, secure_cookies: bool, access_log: bool) -> None:
    """Open the store once here, so that a locked store, a wrong passphrase or a pending migration
    is dealt with before any worker starts, then put in the environment what each worker needs to
    open it again (`web.app.app_from_environment`). A passphrase asked on the terminal goes there
    too, as CASETRAIL_PASSPHRASE: inherited by the workers, never written to disk."""
    from casetrail.inquiry import Inquiry
    from casetrail.store.keys import ENV_PASSPHRASE, PassphraseSource, source_from_env
    from casetrail.store.scratch import scratch_dir
    from casetrail.web.app import ENV_ACCESS_LOG, ENV_HOME, ENV_SECURE_COOKIES

    scratch_dir()
    asked = None
    if home.encrypted() and home.key_source is None:
        home.key_source = source_from_env(home.root)  # the environment's source, else the terminal's answer
        if isinstance(home.key_source, PassphraseSource) and not os.environ.get(ENV_PASSPHRASE):
            asked = home.key_source.passphrase
    Inquiry(home).store.close()  # migrates, checks the key, the signing key and the checkpoint
    if asked is not None:
        os.environ[ENV_PASSPHRASE] = asked
    os.environ[ENV_HOME] = str(home.root.resolve())
    os.environ[ENV_SECURE_COOKIES] = "1" if secure_cookies else "0"
    os.environ[ENV_ACCESS_LOG] = "1" if access_log else "0"
