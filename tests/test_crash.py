"""SIGKILL during a large ingest, 20+ times: every acknowledged document survives and verifies."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import CliRun

WORDS = (
    "officer car statement night park flat station van told said saw drove phone called "
    "late early summer winter street house shop corner school friend sister brother"
).split()


def write_corpus(folder: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir()
    for n in range(count):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(150, 400)))
        (folder / f"statement-{n:05d}.txt").write_text(f"Statement {n} of a fictional witness.\n\n{words}\n")


def run_and_kill(home: Path, corpus: Path, delay: float) -> list[tuple[str, int, str]]:
    """Start an ingest, SIGKILL it after `delay` seconds, return what it acknowledged."""
    command = [sys.executable, "-m", "casetrail", "--home", str(home), "ingest", str(corpus), "--batch", "16"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    acknowledged: list[tuple[str, int, str]] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            parts = line.split()
            if len(parts) == 5 and parts[0] == "recorded":
                acknowledged.append((parts[1], int(parts[3]), Path(parts[4]).name))

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join()
    return acknowledged


def test_kill_during_ingest_loses_nothing_acknowledged(tmp_path: Path, cli: CliRun) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 1500, seed=7)
    cli("init")
    rng = random.Random(2026)
    acknowledged: dict[str, tuple[int, str]] = {}
    killed_mid_run = 0
    for _ in range(20):
        for doc_id, leaf, name in run_and_kill(cli.home, corpus, rng.uniform(0.6, 2.5)):  # type: ignore[attr-defined]
            acknowledged[doc_id] = (leaf, name)
        held = {
            row["id"]: (row["leaf_index"], row["source_name"])
            for row in map(json.loads, cli("documents", "--json").stdout.splitlines())
        }
        missing = {d: a for d, a in acknowledged.items() if held.get(d) != a}
        assert not missing, f"acknowledged but lost or changed after SIGKILL: {missing}"
        verified = cli("verify", check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        if len(held) < 1500:
            killed_mid_run += 1
    assert acknowledged, "no run got far enough to acknowledge anything"
    assert killed_mid_run >= 15, f"only {killed_mid_run} kills landed mid-ingest; the test is not exercising crashes"
