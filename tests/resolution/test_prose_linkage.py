"""Issue 13, "Real prose", across documents: shared surnames, given names alone, officer ciphers.

Document sets are in tests/extraction/prose_cases.py (our own sentences); each runs through
extraction, coreference and linkage as `casetrail analyse` does.
"""

from __future__ import annotations

import pytest

from casetrail.extraction import ExtractionPipeline
from tests.extraction.prose_cases import LINK_CASES, LinkCase, link_outcome


@pytest.fixture(scope="module")
def pipeline() -> ExtractionPipeline:
    return ExtractionPipeline()


@pytest.mark.parametrize("case", LINK_CASES, ids=str)
def test_link_case(pipeline: ExtractionPipeline, case: LinkCase) -> None:
    outcome = link_outcome(pipeline, case)
    assert outcome, "a link case must expect something"
    failed = [(kind, names) for kind, names, held in outcome if not held]
    assert failed == []
