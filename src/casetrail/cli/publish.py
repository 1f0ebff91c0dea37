"""`casetrail publish`: aggregate tables for a public report, small counts suppressed.

A thin shell over `casetrail.oversight.publication`. The files are built in memory, written to
a temporary directory beside OUT, the release is recorded in the ledger (its threshold, each
table's shape and suppression counts, every file's SHA-256; never a figure's underlying case),
and only then is the directory moved into place: what is on disk is exactly what was recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from casetrail.casework import Casework
from casetrail.cli.app import app, err, fail, out, run
from casetrail.cli.casework import DEFAULT_BY, By, open_casework
from casetrail.errors import CaseworkError
from casetrail.intake.register import utc_now
from casetrail.ledger.record import record
from casetrail.model.event import Event, EventType
from casetrail.oversight.publication import (
    DEFAULT_THRESHOLD,
    FORMAT,
    METHOD,
    NamedSubject,
    PublishedTable,
    publish,
    tabulate,
    to_csv,
    to_json,
)
from casetrail.policy.organisations import fold_organisation

SETTING = "publication_threshold"
MANIFEST = "manifest.json"


@app.command("publish")
def publish_command(
    out_dir: Annotated[Path, typer.Argument(metavar="OUT", help="A new (or empty) directory for the release.")],
    threshold: Annotated[
        int | None,
        typer.Option(help=f"Suppress counts below this (default: the {SETTING} setting, else {DEFAULT_THRESHOLD})."),
    ] = None,
    format: Annotated[str, typer.Option("--format", help="csv (one file per table) or json (one file)")] = "csv",
    by: By = DEFAULT_BY,
) -> None:
    """Write the published tables and record the release in the ledger."""
    if format not in ("csv", "json"):
        fail("--format must be csv or json")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        fail(f"{out_dir} exists and is not an empty directory: a release is written whole, to a new place")
    casework = open_casework()
    limit = threshold if threshold is not None else int(casework.settings.get(SETTING, DEFAULT_THRESHOLD))
    if limit < 1:
        fail("--threshold must be at least 1")
    if limit < DEFAULT_THRESHOLD:
        err.print(f"warning: a threshold of {limit} is below the ONS rule of {DEFAULT_THRESHOLD}", markup=False)
    tables = run(
        lambda: publish(
            tabulate(
                casework.book(),
                category_labels={c.code: c.label for c in casework.categories},
                subjects=named_subjects(casework),
                force_key=fold_organisation,
            ),
            limit,
        )
    )
    files = render(tables, format)
    release = run(lambda: write_release(casework, out_dir, tables, files, limit, format, by))
    out.print(f"released {release} to {out_dir}: {len(tables)} tables, threshold {limit}", markup=False)


def named_subjects(casework: Casework) -> list[NamedSubject]:
    """Each resolved subject once, with its recorded force and independent accounts; ids stay here."""
    book = casework.book()
    view = casework.entity_view()
    forces: dict[str, str | None] = {}
    for subject in sorted(book.subjects.values(), key=lambda s: s.id):
        for eid in view.current(subject.entity):
            if forces.get(eid) is None:
                forces[eid] = subject.force
    found = casework.accounts.subject_corroboration(book)
    return [NamedSubject(forces.get(eid), c.independent) for eid, c in sorted(found.items())]


def render(tables: list[PublishedTable], format: str) -> dict[str, bytes]:
    if format == "csv":
        return {f"{t.name}.csv": to_csv(t).encode("utf-8") for t in tables}
    return {"tables.json": _json({"tables": [to_json(t) for t in tables]})}


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _next_release(casework: Casework) -> str:
    released = sum(
        Event.from_leaf(data).type == EventType.PUBLICATION_RELEASED
        for _, data in casework.store.casework.casework_entries()
    )
    return f"PUB-{released + 1:04d}"


def write_release(
    casework: Casework,
    out_dir: Path,
    tables: list[PublishedTable],
    files: dict[str, bytes],
    threshold: int,
    format: str,
    by: str,
) -> str:
    if not by.strip():
        raise CaseworkError("every release needs an actor (--by)")
    staging = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        with casework.store.transaction():  # the release number cannot race another publish
            release = _next_release(casework)
            at = utc_now()
            manifest = {
                "format": FORMAT,
                "release": release,
                "generated_at": at,
                "threshold": threshold,
                "method": METHOD,
                "suppressed_mark": "[c]" if format == "csv" else None,
                "tables": [t.summary() for t in tables],
                "files": [{"name": n, "sha256": _sha256(d), "size": len(d)} for n, d in sorted(files.items())],
            }
            everything = {**files, MANIFEST: _json(manifest)}
            for name, data in everything.items():
                (staging / name).write_bytes(data)
            body = {
                "release": release,
                "threshold": threshold,
                "format": format,
                "tables": manifest["tables"],
                "files": {n: _sha256(d) for n, d in sorted(everything.items())},
            }
            record(
                casework.log, casework.store.casework, [Event(EventType.PUBLICATION_RELEASED, release, at, by, body)]
            )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # not recorded: nothing was released
        raise
    # Recorded: from here the staged files are the release and are never deleted on failure.
    if out_dir.exists():
        out_dir.rmdir()  # empty, checked before
    staging.rename(out_dir)
    return release
