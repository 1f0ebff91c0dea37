"""The process's Spark session, shared by every step that runs on Spark (linkage, extraction).

Needs pyspark 4 (the `spark` extra pins it) and a Java runtime, 17 or later. If a SparkSession is
already active in the process (a notebook on a cluster, say), it is used as it is: its owner
configures it (for linkage, Splink's similarity jar and a checkpoint directory; for extraction,
casetrail and its spaCy model installed on the executors). Otherwise one local session is created
on first use and kept for the life of the process: local mode on `SPARK_LOCAL_CORES` cores, bound
to the loopback address, no web UI, its files under one private folder that is removed at exit.

One session serves both steps, so the local one is started ready for either: Splink's
Jaro-Winkler and other similarity functions come from the jar inside the installed Splink wheel
(nothing is fetched at run time, no spark.jars.packages), and its Python workers run this
interpreter (PYSPARK_PYTHON, unless set), where casetrail is importable.

Plaintext passes through the local session's folder: document text parallelized for extraction
is written there by PySpark before the JVM reads it, and Spark's shuffle and spill files and
Splink's checkpoints hold mention names. So the folder is made in memory-backed scratch
(`casetrail.store.scratch`: /dev/shm or CASETRAIL_SCRATCH), and the JVM's own temporary directory
is put inside it too; only with no scratch at all does it fall back to the system temporary
directory. A session casetrail did not create keeps its owner's folders.

This module sits beside the steps (extraction and resolution both import it) and takes nothing
from the store but its scratch folder (tests/test_layers.py).
"""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from casetrail.errors import CasetrailError
from casetrail.store.scratch import scratch_dir

SPARK_LOCAL_CORES = 2
# Settings for the local session: sized for a small machine (2 cores) and small-to-medium inquiries.
SPARK_LOCAL_CONF: dict[str, str] = {
    "spark.app.name": "casetrail",
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
logger.executor.name = org.apache.spark.executor.Executor
logger.executor.level = off
logger.tasks.name = org.apache.spark.scheduler.TaskSetManager
logger.tasks.level = off
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
"""
# A failed task is logged by the executor and the scheduler, Java stack and all, then raised to
# the caller with the same words; the caller's one line is enough, so those two loggers are off.
# PySpark counts as a shell: unless its gateway's logger says "error" too, Spark announces on
# stderr that it sets the root level to WARN, and does.


class EngineUnavailable(CasetrailError):
    """The requested engine cannot run here (e.g. Spark without pyspark or Java)."""


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def spark_unavailable_reason() -> str | None:
    """Why Spark cannot run here, or None when it can (without starting anything)."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (install casetrail[spark])"
    version = importlib.metadata.version("pyspark")
    if int(version.split(".")[0]) < 4:
        return f"the spark engine needs pyspark 4 or later (install casetrail[spark]); found {version}"
    if _java() is None:
        return "the spark engine needs a Java runtime (17 or later); none on JAVA_HOME or PATH"
    return None


def require_spark(hint: str = "") -> None:
    """Fail before any work when Spark cannot run; `hint` says what to use instead."""
    reason = spark_unavailable_reason()
    if reason is not None:
        raise EngineUnavailable(f"{reason}{hint}")


# Held while the session is created, and by a linkage run for its whole length (a reentrant lock,
# so such a run may ask for the session while holding it).
SESSION_LOCK = threading.RLock()
_SESSION: Any = None  # the SparkSession casetrail created, if it did
_WORKDIR: Path | None = None


def spark_session() -> Any:
    """The process's SparkSession: the active one if there is one, else casetrail's local one."""
    require_spark()
    from pyspark.sql import SparkSession

    with SESSION_LOCK:
        if _SESSION is not None and _SESSION.sparkContext._jsc is not None:
            return _SESSION
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        return _create_local_session()


def own_workdir(session: Any) -> Path | None:
    """The private folder of `session` when casetrail created it, else None (its owner's session)."""
    return _WORKDIR if session is _SESSION and _WORKDIR is not None else None


def _create_local_session() -> Any:
    global _SESSION, _WORKDIR
    from pyspark.sql import SparkSession

    jar = _similarity_jar()
    workdir = _new_workdir()
    builder = SparkSession.builder.master(f"local[{SPARK_LOCAL_CORES}]")
    for key, value in {**SPARK_LOCAL_CONF, **_local_paths(workdir), "spark.jars": jar}.items():
        builder = builder.config(key, value)
    # Spark looks up the host's address at start; keep it, like every port it opens, on loopback.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers run "python3" from PATH unless told otherwise: that one may not have casetrail.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
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


def _similarity_jar() -> str:
    """Splink's similarity UDFs for Spark, from the installed wheel (linkage needs them on the classpath)."""
    from splink.backends.spark import similarity_jar_location

    jar = similarity_jar_location()
    if not Path(jar).is_file():
        raise EngineUnavailable(f"Splink's similarity jar is missing at {jar}; reinstall splink")
    return str(jar)


def _new_workdir() -> Path:
    """The local session's private folder (mode 0700), in memory-backed scratch when there is one."""
    workdir = Path(tempfile.mkdtemp(prefix="casetrail-spark-", dir=scratch_dir()))
    (workdir / "log4j2.properties").write_text(_LOG4J2)
    for folder in ("checkpoints", "local", "tmp"):
        (workdir / folder).mkdir()
    return workdir


def _local_paths(workdir: Path) -> dict[str, str]:
    """Every folder the local session writes to, inside `workdir`."""
    java_options = f"-Dlog4j2.configurationFile=file:{workdir / 'log4j2.properties'} -Djava.io.tmpdir={workdir / 'tmp'}"
    return {
        "spark.local.dir": str(workdir / "local"),  # shuffle, spill, and PySpark's parallelized data
        "spark.sql.warehouse.dir": str(workdir / "warehouse"),
        "spark.driver.extraJavaOptions": java_options,
    }


def _cleanup_workdir() -> None:
    global _SESSION, _WORKDIR
    with SESSION_LOCK:
        if _SESSION is not None:
            try:
                _SESSION.stop()
            except Exception:  # noqa: BLE001 - the JVM may already be gone at exit
                pass
            _SESSION = None
        if _WORKDIR is not None:
            shutil.rmtree(_WORKDIR, ignore_errors=True)
            _WORKDIR = None


__all__ = [
    "EngineUnavailable",
    "SESSION_LOCK",
    "SPARK_LOCAL_CONF",
    "SPARK_LOCAL_CORES",
    "own_workdir",
    "require_spark",
    "spark_session",
    "spark_unavailable_reason",
]
