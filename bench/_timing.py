"""Timing helpers the bench scripts share (a module, not a bench: `make bench` skips `_*.py`)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any


def pct(samples: Sequence[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (0.95 of 60 samples is the 57th smallest); NaN
    for no samples (a short run may not reach every route)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def repeat(fn: Callable[[int], Any], reps: int, budget: float, least: int = 3) -> list[float]:
    """Seconds per call of fn(i): `reps` calls, or fewer (never under `least`) once `budget` is spent."""
    samples: list[float] = []
    spent = 0.0
    for i in range(reps):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
        spent += samples[-1]
        if spent > budget and len(samples) >= least:
            break
    return samples
