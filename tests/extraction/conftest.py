"""Fixtures for extraction tests: one spaCy-backed pipeline for the whole session (loading it costs a second)."""

from __future__ import annotations

import pytest

from casetrail.extraction import ExtractionPipeline, SpacyNerExtractor


@pytest.fixture(scope="session")
def pipeline() -> ExtractionPipeline:
    return ExtractionPipeline()


@pytest.fixture(scope="session")
def spacy_ner(pipeline: ExtractionPipeline) -> SpacyNerExtractor:
    found = [e for e in pipeline.extractors if isinstance(e, SpacyNerExtractor)]
    assert found, "the default pipeline runs spaCy"
    return found[0]
