"""Helpers shared by the benchmark scripts: machine description and robust timing."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def machine() -> str:
    """One line describing where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    import torch

    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, torch {torch.__version__}"
    )


def best_of(fn: Callable[[], object], repeat: int = 7) -> float:
    """Minimum wall time of `repeat` calls: the least disturbed by a shared machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved(
    fns: dict[str, Callable[[], object]],
    repeat: int = 7,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Best-of timings taken in alternation, so that load drifts hit every contender.

    `clock=time.process_time` counts this process's CPU time only: on a shared machine a
    run of seconds is always preempted somewhere, and wall time then counts the wait.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = clock()
            fn()
            times[name].append(clock() - start)
    return {name: min(ts) for name, ts in times.items()}


def median(values: list[float]) -> float:
    return statistics.median(values)


def rss_mib() -> float:
    """Resident memory of this process now (not the peak)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
