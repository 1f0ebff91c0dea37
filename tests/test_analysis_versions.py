"""Mentions are never rewritten: a newer extractor version adds rows beside the old ones."""

from __future__ import annotations

from pathlib import Path

from casetrail.analysis import Analysis
from casetrail.extraction.pipeline import ExtractionPipeline, rule_extractors
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.ledger.checkpoint import NoteSigner
from casetrail.store.home import Home


class Bumped:
    """An existing extractor under a newer version string."""

    def __init__(self, inner: object, version: str) -> None:
        self.inner, self.name, self.version = inner, inner.name, version  # type: ignore[attr-defined]

    def extract(self, document_id: str, text: str) -> list:
        from dataclasses import replace

        return [replace(m, extractor=f"{self.name}@{self.version}") for m in self.inner.extract(document_id, text)]


def test_newer_extractor_adds_a_version_and_keeps_the_old(tmp_path: Path, news_dir: Path) -> None:
    home = Home(tmp_path / "home")
    signer = NoteSigner.generate("test.example/versions")
    home.create({"origin": signer.name, "limits": {}}, signer.to_text(), signer.verifier_key())
    register = Register.open(home)
    register.ingest(iter_files([news_dir]), Submission())
    rules = rule_extractors()
    first = Analysis(register, ExtractionPipeline(rules, spacy_model=None))
    assert first.extract() == 5
    old = list(register.store.analysis.iter_mentions())
    assert old
    assert first.extract() == 0  # same version: nothing to read again
    bumped = [Bumped(e, e.version + "-next") if e.name == "police" else e for e in rules]
    second = Analysis(register, ExtractionPipeline(bumped, spacy_model=None))
    assert second.extract() == 5
    after = list(register.store.analysis.iter_mentions())
    assert [pair for pair in after if pair in old] == old, "earlier mentions changed or vanished"
    new = [m for _, m in after if m.extractor.endswith("-next")]
    assert new and all(m.extractor.startswith("police@") for m in new)
    assert len(after) == len(old) + len(new)
