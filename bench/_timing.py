"""Small helpers shared by the benchmarks: repeat a command, take the median, print a ratio.

Ratios are measured pair by pair (A, B, A, B, ...) in the same run, so a machine whose speed drifts (a shared
2-core CI runner) moves both sides of each pair alike; each ratio is printed with its range and its baseline.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time


def bench_env(**extra) -> dict:
    """The environment for timed commands: as a student's has it, so bytecode is cached (no
    PYTHONDONTWRITEBYTECODE, which would recompile every module on every start)."""
    env = dict(os.environ, **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


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


def cpu_of_command(argv: list[str], env=None, cwd=None) -> tuple[float, float]:
    """One run of ``argv``: its wall time and its CPU time (user + system, the kernel's account of the child).

    On a shared machine the wall time of a short command is mostly waiting for a core; the CPU time says what the
    command itself cost, so it is printed beside the wall-time ratio.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def paired_with_cpu(a: list[str], b: list[str], runs: int, env=None, cwd=None, warmup: int = 1) -> tuple:
    """As :func:`paired`, and each run's CPU time too: ``(wall_a, wall_b, cpu_a, cpu_b)``."""
    for _ in range(warmup):
        cpu_of_command(a, env, cwd)
        cpu_of_command(b, env, cwd)
    wa, wb, ca, cb = [], [], [], []
    for _ in range(runs):
        for argv, walls, cpus in ((a, wa, ca), (b, wb, cb)):
            wall, cpu = cpu_of_command(argv, env, cwd)
            walls.append(wall)
            cpus.append(cpu)
    return wa, wb, ca, cb


def paired(a: list[str], b: list[str], runs: int, env=None, cwd=None, warmup: int = 1) -> tuple[list, list]:
    """Times of ``a`` and ``b`` run in turn ``runs`` times each (after ``warmup`` untimed pairs)."""
    for _ in range(warmup):
        time_command(a, 1, env, cwd)
        time_command(b, 1, env, cwd)
    ta, tb = [], []
    for _ in range(runs):
        ta += time_command(a, 1, env, cwd)
        tb += time_command(b, 1, env, cwd)
    return ta, tb


def ratio_row(label: str, ta: list[float], baseline: str, tb: list[float], target: float | None,
              cpu: tuple[list[float], list[float]] | None = None) -> dict:
    """One line of a report: medians of both sides, the median of the pairwise ratios and their range (and, given
    ``cpu``, the median of the pairwise ratios of CPU time; the target is judged on wall time, as the issue says)."""
    ratios = sorted(x / y for x, y in zip(ta, tb))
    ratio = statistics.median(ratios)
    extra = {}
    if cpu is not None:
        ca, cb = cpu
        extra = {"cpu_ms": round(median_ms(ca), 1), "baseline_cpu_ms": round(median_ms(cb), 1),
                 "cpu_ratio": round(statistics.median(x / y for x, y in zip(ca, cb) if y > 0), 2)}
    return {**extra, "what": label, "ms": round(median_ms(ta), 1), "baseline": baseline, "baseline_ms": round(median_ms(tb), 1),
            "ratio": round(ratio, 2), "ratio_min": round(ratios[0], 2), "ratio_max": round(ratios[-1], 2),
            "target": target, "within_target": None if target is None else ratio <= target}


def print_rows(title: str, rows: list[dict], markdown: str | None = None) -> None:
    """The rows for people (and, with ``markdown``, appended as a table to that file: CI's job summary)."""
    print(title)
    for r in rows:
        target = f"target <= x{r['target']}: {'met' if r['within_target'] else 'NOT met'}" if r["target"] else ""
        cpu = f"  cpu x{r['cpu_ratio']:.2f} ({r['cpu_ms']:.0f}/{r['baseline_cpu_ms']:.0f} ms)" if "cpu_ratio" in r else ""
        print(f"  {r['what']:<34} {r['ms']:8.1f} ms  x{r['ratio']:5.2f} (x{r['ratio_min']}..x{r['ratio_max']}) "
              f"of {r['baseline']} ({r['baseline_ms']:.1f} ms)  {target}{cpu}")
    if markdown:
        with open(markdown, "a", encoding="utf-8") as out:
            out.write(f"\n### {title}\n\n| command | median | baseline (same run) | ratio (min..max) | target "
                      "| CPU ratio |\n|---|---:|---|---:|---|---:|\n")
            for r in rows:
                target = f"≤ x{r['target']} {'✅' if r['within_target'] else '⚠️ not met'}" if r["target"] else ""
                out.write(f"| `{r['what']}` | {r['ms']:.0f} ms | `{r['baseline']}` {r['baseline_ms']:.0f} ms | "
                          f"x{r['ratio']:.2f} (x{r['ratio_min']:.2f}..x{r['ratio_max']:.2f}) | {target} | "
                          + (f"x{r['cpu_ratio']:.2f}" if "cpu_ratio" in r else "") + " |\n")
