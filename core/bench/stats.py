"""Timing a callable many times after a warm-up, and summarising the figures."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass


@dataclass
class Timing:
    median_ms: float
    p95_ms: float
    max_ms: float
    runs: int

    def as_dict(self) -> dict:
        return {"median_ms": round(self.median_ms, 3), "p95_ms": round(self.p95_ms, 3),
                "max_ms": round(self.max_ms, 3), "runs": self.runs}


def measure(func, repeat: int, warmup: int = 3, prepare=None) -> Timing:
    """Call ``func`` ``warmup`` times unmeasured, then ``repeat`` times measured.

    ``prepare``, when given, runs before every call outside the clock and its
    result is ``func``'s argument: what a scenario needs but does not measure
    (the import's generated file).
    """
    def timed_call() -> float:
        arguments = () if prepare is None else (prepare(),)
        start = time.perf_counter()
        func(*arguments)
        return (time.perf_counter() - start) * 1000

    for _ in range(warmup):
        timed_call()
    samples = [timed_call() for _ in range(repeat)]
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return Timing(statistics.median(samples), p95, samples[-1], len(samples))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
