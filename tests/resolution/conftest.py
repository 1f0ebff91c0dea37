"""Linkage engines for the resolution tests: DuckDB always, Spark when pyspark and Java are here.

Tests that take the `engine` fixture run once per engine. Spark runs share one local session
(created once per test process, by casetrail.resolution.engines); without pyspark (the `spark`
extra, part of `dev`) or Java they are skipped, saying why.
"""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.resolution.engines import spark_session, spark_unavailable_reason

SPARK_UNAVAILABLE = spark_unavailable_reason()
ENGINES = [
    "duckdb",
    pytest.param("spark", marks=pytest.mark.skipif(SPARK_UNAVAILABLE is not None, reason=str(SPARK_UNAVAILABLE))),
]


@pytest.fixture(scope="session")
def spark() -> Any:
    """The process's local SparkSession, started once for the whole test run."""
    if SPARK_UNAVAILABLE is not None:
        pytest.skip(SPARK_UNAVAILABLE)
    return spark_session()


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    if request.param == "spark":
        request.getfixturevalue("spark")
    return str(request.param)
