"""Link evidence (`refs_at`) is read document first, whatever the planner estimates.

A widely named entity has thousands of mentions and a document a few dozen, so the pairs' documents
must drive: on PostgreSQL a plan of nested loops only (each LATERAL read parameterised by the one
before it), and entity_mentions never searched by entity; on SQLite the pairs, then the documents'
index. What the plan returns is checked by test_views.test_refs_at_reads_only_the_pairs_asked_for.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.store.analysis import STATEMENTS
from casetrail.store.database import POSTGRES
from casetrail.store.home import Home

INQUIRY = Path(__file__).parent / "inquiry"


@pytest.fixture()
def register(tmp_path: Path) -> Iterator[Register]:
    home = Home(tmp_path / "home")
    register = Register.create(home, "casetrail.test/refs-at")
    corpus = tmp_path / "corpus"
    shutil.copytree(INQUIRY, corpus)
    register.ingest(iter_files([corpus]), Submission("intake", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    yield register
    register.store.close()


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def test_link_evidence_is_read_through_the_documents(register: Register) -> None:
    view = Casework(register).entity_view()
    documents = [d for d, _ in register.store.documents.listing()]
    refs = [ref for found in view.by_document.many(documents).values() for ref in found]
    pairs = json.dumps(sorted({(ref.document_id, ref.entity_id) for ref in refs}))
    assert len(refs) > 1
    db = register.store.analysis.db
    sql = STATEMENTS(db.dialect)["mention_refs_at"]
    if db.dialect == POSTGRES:
        [(explained,)] = db.run("EXPLAIN (FORMAT JSON) " + sql, (pairs,)).fetchall()
        plan = list(nodes(explained[0]["Plan"]))
        assert [n["Node Type"] for n in plan if "Join" in n["Node Type"]] == []  # nested loops only
        for n in plan:
            if n.get("Relation Name") == "entity_mentions":
                assert "entity_id" not in n.get("Index Cond", ""), n
            if n.get("Relation Name") == "mentions" and "Index Cond" in n:
                assert "document_id" in n["Index Cond"], n
    else:
        steps = [row[3] for row in db.run("EXPLAIN QUERY PLAN " + sql, (pairs,)).fetchall()]
        assert steps[0].startswith("SCAN p") and "mentions_document" in steps[1], steps
