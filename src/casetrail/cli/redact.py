"""`casetrail redact DOC`: a redacted copy of a document, recorded as a new version of it.

A thin shell over `casetrail.redaction`. Spans come from `--span START:END` (character offsets
into the document's text, as `casetrail mentions` shows them) and/or `--suggest` (the
document's mentions of the `--kinds` chosen). `--dry-run` lists the spans and records nothing.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casetrail.cli.app import app, open_register, out, run
from casetrail.cli.casework import DEFAULT_BY, By
from casetrail.errors import RedactionError
from casetrail.redaction import KINDS, Span, parse_kinds, parse_span, redact, suggest


@app.command("redact")
def redact_command(
    doc_id: str,
    span: Annotated[
        list[str], typer.Option("--span", help="START:END, character offsets into the text; repeat for more.")
    ] = [],
    suggest_spans: Annotated[
        bool, typer.Option("--suggest", help="Add the spans suggested from the document's mentions.")
    ] = False,
    kinds: Annotated[
        Optional[str],
        typer.Option(
            help=f"With --suggest: kinds to suggest, comma-separated ({', '.join(KINDS)}; default person,place,phone,plate)."
        ),
    ] = None,
    reason: Annotated[
        Optional[str], typer.Option(help="Why it is redacted (recorded; required unless --dry-run).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the spans; record nothing.")] = False,
    by: By = DEFAULT_BY,
) -> None:
    """Record a redacted copy of a document as a new version; print the new version's id.

    Without --span, the suggested spans are applied (as with --suggest)."""
    register = open_register()
    text = register.store.documents.get_text(doc_id) or ""

    def spans() -> list[Span]:
        given = [parse_span(value) for value in span]
        if suggest_spans or not given:
            given += suggest(register, doc_id, parse_kinds(kinds))
        return given

    chosen = run(spans)
    if dry_run:
        for item in sorted(chosen, key=lambda s: (s.start, s.end)):
            shown = text[item.start : item.end] if 0 <= item.start < item.end <= len(text) else "(outside the text)"
            out.print(f"{item.start}:{item.end} {item.kind} {' '.join(shown.split())}", markup=False)
        if not chosen:
            out.print(f"no spans suggested for {doc_id} (run `casetrail analyse` first?)", markup=False)
        return

    def record() -> str:
        if reason is None:
            raise RedactionError("a redaction needs its reason (--reason)")
        return redact(register, doc_id, chosen, reason, by).version

    out.print(run(record), markup=False)
