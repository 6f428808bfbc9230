"""Small helpers shared by the benchmarks: repeat a command, take the median, print a ratio."""

from __future__ import annotations

import statistics
import subprocess
import time


def time_command(argv: list[str], runs: int, env=None, cwd=None) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        times.append(time.perf_counter() - started)
    return times


def time_call(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000
