"""Search folds accents on both backends: SQLite's FTS5 index (unicode61 remove_diacritics) and
PostgreSQL's GIN index over the folded text (migrations_postgres/0014). Runs on the backend the
suite runs on (CASETRAIL_TEST_BACKEND). Everyone here is fictional."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.intake.register import Register, Submission, iter_files
from casetrail.store.home import Home


@pytest.fixture()
def register(tmp_path: Path) -> Register:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Zoë Ferrand told DC Sinéad Ó Ceallaigh about the café on Brûlé Lane.\n")
    (corpus / "b.txt").write_text("Zoe Ferrand was not at the cafe that night, the fictional diary says.\n")
    register = Register.create(Home(tmp_path / "home"), "casetrail.test/search-accents")
    register.ingest(iter_files([corpus]), Submission("intake", "test"))
    return register


@pytest.mark.parametrize(
    ("words", "found"),
    [
        (["zoe"], {"a.txt", "b.txt"}),
        (["Zoë"], {"a.txt", "b.txt"}),
        (["sinead", "ceallaigh"], {"a.txt"}),
        (["SINÉAD"], {"a.txt"}),
        (["brule", "lane"], {"a.txt"}),
        (["cafe", "night"], {"b.txt"}),
        (["zoé", "café"], {"a.txt", "b.txt"}),
    ],
)
def test_a_search_matches_with_or_without_accents(register: Register, words: list[str], found: set[str]) -> None:
    names = {doc.id: doc.provenance.source_name for doc, _, _ in register.store.documents.iter_documents()}
    texts = dict(register.store.documents.iter_texts())
    hits = register.store.documents.search_documents(words, 10)
    assert {names[doc_id] for doc_id, _ in hits} == found
    for doc_id, snippet in hits:  # quoted as written, never folded
        shown = snippet.replace("\x02", "").replace("\x03", "").replace("…", " ").split()
        assert shown and all(word in texts[doc_id] for word in shown), snippet
