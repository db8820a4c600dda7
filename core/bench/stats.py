"""Timing a callable many times after a warm-up, and summarising the figures."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass


#: Unmeasured calls of each scenario before its measured ones: a worker's steady state is reached only
#: after PostgreSQL stops planning its statements. psycopg prepares a statement on its sixth run on a
#: connection, and PostgreSQL then plans the prepared statement afresh five more times before it keeps
#: a generic plan; with three warm-up calls, the card's median fell among the planned runs (2.0-2.2x
#: its page floor against 1.70-1.75x after twelve).
WARMUP_RUNS = 12
#: Measured runs per scenario unless ``--repeat`` says otherwise.
DEFAULT_REPEAT = 30


@dataclass
class Timing:
    median_ms: float
    p95_ms: float
    max_ms: float
    runs: int

    def as_dict(self) -> dict:
        return {"median_ms": round(self.median_ms, 3), "p95_ms": round(self.p95_ms, 3),
                "max_ms": round(self.max_ms, 3), "runs": self.runs}


def measure_side_by_side(calls: list, repeat: int, warmup: int = WARMUP_RUNS) -> list[Timing]:
    """Call each ``func`` of ``calls`` (``(func, prepare)`` or ``(func, prepare, cleanup)``) ``warmup``
    times unmeasured, then ``repeat`` times measured, taking turns: one call of each per round.

    ``prepare``, when given, runs before every call of its ``func`` outside the clock and its
    result is the argument: what a scenario needs but does not measure (the import's generated file).
    ``cleanup``, when given, runs after every call, outside the clock, with the same argument:
    it takes away what the call wrote, so a run leaves the database as it found it.

    A scenario and its floors measured one after the other met the machine in
    different moods (another process, the database's checkpoint), which moved
    their ratio by half; taking turns, each figure's median comes from the same
    stretch of time.
    """
    def timed_call(func, prepare, cleanup=None) -> float:
        arguments = () if prepare is None else (prepare(),)
        start = time.perf_counter()
        try:
            func(*arguments)
            return (time.perf_counter() - start) * 1000
        finally:
            if cleanup is not None:
                cleanup(*arguments)

    for _ in range(warmup):
        for call in calls:
            timed_call(*call)
    samples: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for taken, call in zip(samples, calls):
            taken.append(timed_call(*call))
    return [_summary(taken) for taken in samples]


def _summary(samples: list[float]) -> Timing:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return Timing(statistics.median(samples), p95, samples[-1], len(samples))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
