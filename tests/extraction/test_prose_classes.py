"""Issue 13, "Real prose": each class of error, on our own sentences (tests/extraction/prose_cases.py)."""

from __future__ import annotations

import pytest

from casetrail.extraction import ExtractionPipeline
from tests.extraction.prose_cases import CASES, Case, check_cases


@pytest.fixture(scope="module")
def outcomes(pipeline: ExtractionPipeline) -> dict[str, list[tuple[object, bool]]]:
    out: dict[str, list[tuple[object, bool]]] = {}
    for case, want, ok in check_cases(pipeline):
        out.setdefault(str(case), []).append((want, ok))
    return out


@pytest.mark.parametrize("case", CASES, ids=str)
def test_prose_case(outcomes: dict[str, list[tuple[object, bool]]], pipeline: ExtractionPipeline, case: Case) -> None:
    failed = [want for want, ok in outcomes[str(case)] if not ok]
    if failed:
        found = [(m.type.value, m.text, m.attributes) for m in pipeline.select(pipeline.extract("x", case.text))]
        pytest.fail(f"unmet: {failed}\nselected: {found}")
