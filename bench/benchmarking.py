"""Module 19's figures: how often the harness's 95% percentile-bootstrap interval of the median holds the true median
(simulated lopsided timings, many experiments per sample size), the clock's resolution, and why a tiny call is timed
`number` calls at a time (one call per repeat measures the clock, not the call).

Run: python bench/benchmarking.py [--experiments N] [--json PATH]. Uses the instructor's tinytorch/ of this repository.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from tinytorch.bench import Benchmark, bootstrap_ci, machine_info  # noqa: E402


def coverage(size: int, experiments: int, sigma: float = 0.5) -> float:
    """The share of experiments whose 95% interval holds the true median (1.0) of lognormal(0, sigma) timings."""
    hits = 0
    for seed in range(experiments):
        data = np.random.default_rng(10_000 + seed).lognormal(mean=0.0, sigma=sigma, size=size)
        low, high = bootstrap_ci(data, resamples=1000, seed=seed)
        hits += low <= 1.0 <= high
    return hits / experiments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiments", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    out: dict = {"bench": "benchmarking", "machine": machine_info(), "experiments": args.experiments}

    print(f"== coverage of the 95% bootstrap interval of the median ({args.experiments} experiments each) ==")
    out["coverage"] = {}
    for size in (5, 10, 20, 50, 100):
        share = coverage(size, args.experiments)
        out["coverage"][size] = share
        print(f"{size:4d} timings per experiment: the interval held the true median in {share:.1%}")

    info = time.get_clock_info("perf_counter")
    deltas = []
    for _ in range(100_000):
        start = time.perf_counter()
        end = time.perf_counter()
        if end > start:
            deltas.append(end - start)
    smallest = min(deltas)
    print(f"\n== the clock ==\nperf_counter: declared resolution {info.resolution:.1e} s; smallest step seen "
          f"{smallest * 1e9:.0f} ns; median cost of reading it twice {np.median(deltas) * 1e9:.0f} ns")
    out["clock"] = {"declared_resolution_s": info.resolution, "smallest_step_s": smallest,
                    "median_read_pair_s": float(np.median(deltas))}

    def idle():
        pass

    single = Benchmark(warmup=3, repeats=30, number=1).measure(idle)
    calibrated = Benchmark(warmup=3, repeats=30).measure(idle)
    print(f"\n== an empty function ==\none call per repeat: median {single['median'] * 1e9:.0f} ns "
          f"(interval {single['ci_low'] * 1e9:.0f}-{single['ci_high'] * 1e9:.0f} ns)\n"
          f"{calibrated['number']} calls per repeat: median {calibrated['median'] * 1e9:.0f} ns "
          f"(interval {calibrated['ci_low'] * 1e9:.0f}-{calibrated['ci_high'] * 1e9:.0f} ns)")
    out["empty_call"] = {"number_1_median_s": single["median"], "calibrated_number": calibrated["number"],
                         "calibrated_median_s": calibrated["median"]}

    print(json.dumps(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
