"""Where Splink's SQL runs: DuckDB in this process (the default), or Spark at national scale.

The model is written once (linkage.build_settings); Splink turns it into SQL for either engine.
This module only opens an engine's database API for one linkage run, registers Arrow tables in
it, and cleans up after the run. Nothing here compares anything.

DuckDB
    One in-memory database per run, closed when the run ends. Past its memory limit DuckDB
    spills to a temporary directory (by default `.tmp` in the working directory), and what it
    spills is mention names in clear. So it spills only to a private folder in memory-backed
    scratch (`casetrail.store.scratch`: /dev/shm or CASETRAIL_SCRATCH); with no scratch it does
    not spill at all, and a run that outgrows memory fails rather than write names to disk.

Spark
    The process's one SparkSession (`casetrail.spark`, shared with extraction on Spark): the active
    session if there is one, whose owner puts Splink's similarity jar on its classpath and sets a
    checkpoint directory, where Splink writes its intermediate tables; else casetrail's local one,
    with the jar from the installed Splink wheel and its checkpoints in memory-backed scratch.

    Runs share the session one at a time (a lock): each run writes Splink's intermediate tables
    as parquet under its own checkpoint folder, and on leaving drops the temporary views it made
    and removes that folder.

Do the engines agree?
    Same settings, same pairs scored, same clusters on everything tried: the synthetic inquiry of
    tests/resolution (1,734 records: the model and probabilities agree to about 1e-15, sums taken
    in another order), a smaller one, and 1,500 + 1,500 FEBRL4 records (identical clusters).
    One function differs: Jaro-Winkler. DuckDB's jaro_winkler_similarity halves the count of
    out-of-order characters with integer division (as jellyfish and Winkler's strcmp95 do); the
    UDF Splink ships for Spark (Apache commons-text) divides exactly, so for strings with an odd
    count Spark's similarity is lower (by up to 0.06 on the synthetic surnames, where 1 pair in
    9,316 crosses the 0.9 level). Where such pairs are sampled or scored, u, m and probabilities
    move a little: up to 1e-5 in a probability on the smaller inquiry, 2e-4 on FEBRL4's
    addresses, and a pair near the threshold could fall on the other side.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

# The session lives in casetrail.spark since extraction runs on it too; its names stay importable here.
from casetrail.spark import (
    SESSION_LOCK,
    SPARK_LOCAL_CONF,
    SPARK_LOCAL_CORES,
    EngineUnavailable,
    own_workdir,
    require_spark,
    spark_session,
    spark_unavailable_reason,
)

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")


def check_engine(engine: str) -> None:
    """Fail before any work when the engine cannot run."""
    if engine not in ENGINES:
        raise EngineUnavailable(f"unknown linkage engine {engine!r}; use 'duckdb' or 'spark'")
    if engine == "spark":
        require_spark(hint="; use engine='duckdb'")


_RUNS = itertools.count()


# --------------------------------------------------------------------------------------------
# One linkage run


@dataclass
class EngineRun:
    """An engine opened for one linkage run: its Splink database API and how to load tables."""

    engine: Engine
    db_api: Any
    prefix: str = ""  # Spark: table names are unique to the run (views live in a shared session)

    def register(self, table: pa.Table, name: str) -> Any:
        """An Arrow table as a Splink input (a SplinkDataFrame), named `name` in Splink's output."""
        if self.engine == "spark":
            frame = self.db_api.spark.createDataFrame(table)  # Spark 4 takes Arrow as it is
            return self.db_api.register(frame, dataset_display_name=name, table_name=f"{self.prefix}{name}")
        return self.db_api.register(table, dataset_display_name=name)


@contextmanager
def open_engine(engine: Engine) -> Iterator[EngineRun]:
    """Open `engine` for one run; on Spark, hold the session and clean up on leaving."""
    check_engine(engine)
    if engine == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        with ExitStack() as stack:
            connection = duckdb.connect(":memory:", config={"temp_directory": _duckdb_spill(stack)})
            stack.callback(connection.close)  # before the spill folder goes
            yield EngineRun("duckdb", DuckDBAPI(connection))
        return
    from splink import SparkAPI

    with SESSION_LOCK:
        session = spark_session()
        run = next(_RUNS)
        checkpoints: Path | None = None
        workdir = own_workdir(session)
        if workdir is not None:
            checkpoints = Path(tempfile.mkdtemp(prefix=f"run{run}-", dir=workdir / "checkpoints"))
            session.sparkContext.setCheckpointDir(str(checkpoints))
            lineage: str | None = "parquet"
        elif (
            session.sparkContext._jsc.sc().getCheckpointDir().isEmpty()
            and "DATABRICKS_RUNTIME_VERSION" not in os.environ
        ):
            raise EngineUnavailable(
                "the active SparkSession has no checkpoint directory for Splink's intermediate tables; "
                "set one with spark.sparkContext.setCheckpointDir(...)"
            )
        else:
            lineage = None  # Splink's default for that session (parquet, or Delta tables on Databricks)
        views = _temp_views(session)
        try:
            yield EngineRun(
                "spark",
                SparkAPI(spark_session=session, break_lineage_method=lineage),
                prefix=f"casetrail_{os.getpid()}_{run}_",
            )
        finally:
            for view in _temp_views(session) - views:
                session.catalog.dropTempView(view)
            if checkpoints is not None:
                shutil.rmtree(checkpoints, ignore_errors=True)


def _duckdb_spill(stack: ExitStack) -> str:
    """DuckDB's temp_directory for one run: a folder in memory-backed scratch, removed with the
    run, or "" (never spill) when there is no scratch."""
    from casetrail.store.scratch import scratch_dir, scratch_directory

    if scratch_dir() is None:
        return ""
    return str(stack.enter_context(scratch_directory("casetrail-duckdb-")) / "spill")


def _temp_views(session: Any) -> set[str]:
    return {t.name for t in session.catalog.listTables() if t.isTemporary}


__all__ = [
    "ENGINES",
    "Engine",
    "EngineRun",
    "EngineUnavailable",
    "SPARK_LOCAL_CONF",
    "SPARK_LOCAL_CORES",
    "check_engine",
    "open_engine",
    "spark_session",
    "spark_unavailable_reason",
]
