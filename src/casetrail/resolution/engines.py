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
    Needs pyspark 4 (the `spark` extra pins it) and a Java runtime, 17 or later. If a
    SparkSession is already active in the process (a notebook on a cluster, say), it is used as
    it is: its owner puts Splink's similarity jar on its classpath and sets a checkpoint
    directory, where Splink writes its intermediate tables. Otherwise one local session is created on first use and kept for the life of the process: local mode on
    `SPARK_LOCAL_CORES` cores, bound to the loopback address, no web UI, scratch and checkpoint
    files under one temporary folder that is removed at exit. Splink's Jaro-Winkler and other
    similarity functions come from the jar inside the installed Splink wheel; nothing is fetched
    at run time (no spark.jars.packages).

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

import atexit
import importlib.metadata
import importlib.util
import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from casetrail.errors import CasetrailError

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")

SPARK_LOCAL_CORES = 2
# Settings for the local session: sized for a small machine (2 cores) and small-to-medium inquiries.
SPARK_LOCAL_CONF: dict[str, str] = {
    "spark.app.name": "casetrail-linkage",
    "spark.driver.memory": "2g",
    "spark.sql.shuffle.partitions": str(SPARK_LOCAL_CORES),
    "spark.default.parallelism": str(SPARK_LOCAL_CORES),
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
"""


class EngineUnavailable(CasetrailError):
    """The requested linkage engine cannot run here (e.g. Spark without pyspark or Java)."""


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def spark_unavailable_reason() -> str | None:
    """Why engine='spark' cannot run here, or None when it can (without starting anything)."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (install casetrail[spark])"
    version = importlib.metadata.version("pyspark")
    if int(version.split(".")[0]) < 4:
        return f"the spark engine needs pyspark 4 or later (install casetrail[spark]); found {version}"
    if _java() is None:
        return "the spark engine needs a Java runtime (17 or later); none on JAVA_HOME or PATH"
    return None


def check_engine(engine: str) -> None:
    """Fail before any work when the engine cannot run."""
    if engine not in ENGINES:
        raise EngineUnavailable(f"unknown linkage engine {engine!r}; use 'duckdb' or 'spark'")
    if engine == "spark":
        reason = spark_unavailable_reason()
        if reason is not None:
            raise EngineUnavailable(f"{reason}; use engine='duckdb'")


# --------------------------------------------------------------------------------------------
# The Spark session


_LOCK = threading.RLock()
_SESSION: Any = None  # the SparkSession casetrail created, if it did
_WORKDIR: Path | None = None
_RUNS = itertools.count()


def _cleanup_workdir() -> None:
    global _SESSION, _WORKDIR
    with _LOCK:
        if _SESSION is not None:
            try:
                _SESSION.stop()
            except Exception:  # noqa: BLE001 - the JVM may already be gone at exit
                pass
            _SESSION = None
        if _WORKDIR is not None:
            shutil.rmtree(_WORKDIR, ignore_errors=True)
            _WORKDIR = None


def _create_local_session() -> Any:
    global _SESSION, _WORKDIR
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    jar = similarity_jar_location()
    if not Path(jar).is_file():
        raise EngineUnavailable(f"Splink's similarity jar is missing at {jar}; reinstall splink")
    workdir = Path(tempfile.mkdtemp(prefix="casetrail-spark-"))
    log4j = workdir / "log4j2.properties"
    log4j.write_text(_LOG4J2)
    (workdir / "checkpoints").mkdir()
    builder = SparkSession.builder.master(f"local[{SPARK_LOCAL_CORES}]")
    conf = {
        **SPARK_LOCAL_CONF,
        "spark.jars": jar,
        "spark.local.dir": str(workdir / "local"),
        "spark.sql.warehouse.dir": str(workdir / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log4j}",
    }
    for key, value in conf.items():
        builder = builder.config(key, value)
    # Spark looks up the host's address at start; keep it, like every port it opens, on loopback.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if _WORKDIR is not None:  # an earlier session of ours was stopped by someone
        shutil.rmtree(_WORKDIR, ignore_errors=True)
    else:
        atexit.register(_cleanup_workdir)
    _WORKDIR = workdir
    try:
        session = builder.getOrCreate()
    except Exception as err:  # noqa: BLE001 - e.g. Java too old or missing: say so plainly
        raise EngineUnavailable(f"could not start a local Spark session: {err}") from err
    session.sparkContext.setLogLevel("ERROR")
    _SESSION = session
    return session


def spark_session() -> Any:
    """The process's SparkSession: the active one if there is one, else casetrail's local one."""
    check_engine("spark")
    from pyspark.sql import SparkSession

    with _LOCK:
        if _SESSION is not None and _SESSION.sparkContext._jsc is not None:
            return _SESSION
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        return _create_local_session()


def _owned(session: Any) -> bool:
    return session is _SESSION and _WORKDIR is not None


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

    with _LOCK:
        session = spark_session()
        run = next(_RUNS)
        checkpoints: Path | None = None
        if _owned(session):
            assert _WORKDIR is not None
            checkpoints = Path(tempfile.mkdtemp(prefix=f"run{run}-", dir=_WORKDIR / "checkpoints"))
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
