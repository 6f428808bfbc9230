"""Module 18's figures, measured with module 19's harness (medians with 95% bootstrap intervals) on this machine:
loops vs dot products vs one BLAS call, tile sizes of the blocked product, rows vs columns (the cache), the fused
Linear+ReLU against Linear then ReLU (time forward and forward+backward, and bytes kept for backward), and the
autotuner's choice. The tests assert only the large ratios and the byte counts; the finer figures live here.

Run: python bench/acceleration.py [--repeats N] [--json PATH]. Uses the instructor's tinytorch/ of this repository.
Run it a second time with OPENBLAS_NUM_THREADS=1: on a machine whose cores are busy with other work, a large
multi-threaded BLAS call can be many times slower than the same call on one thread (the script prints the setting).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from tinytorch.bench import Benchmark, format_table, machine_info  # noqa: E402
from tinytorch.core.activations import ReLU  # noqa: E402
from tinytorch.core.layers import Linear, Sequential  # noqa: E402
from tinytorch.core.tensor import Tensor  # noqa: E402
from tinytorch.perf.acceleration import (LinearReLU, cache_sizes, fastest, matmul_blocked, matmul_dot,  # noqa: E402
                                         matmul_loops, memory_use)


def matrices(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)


def figures(report):
    """name -> (median, ci_low, ci_high, speedup vs the baseline, verdict), for the JSON line."""
    return {r["name"]: {"median_s": r["median"], "ci_s": [r["ci_low"], r["ci_high"]],
                        "speedup": r["speedup"], "verdict": r["verdict"]} for r in report["results"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    bench = Benchmark(warmup=1, repeats=args.repeats)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    out: dict = {"bench": "acceleration", "machine": machine_info(), "caches": cache_sizes(),
                 "openblas_threads": threads, "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}
    print(f"OPENBLAS_NUM_THREADS={threads}; load average {out['load_average']}\n")

    print("== vectorisation: a @ b of n x n float32 ==")
    out["matmul"] = {}
    for n in (32, 64, 128):
        a, b = matrices(n)
        report = bench.compare({"three loops": matmul_loops, "two loops + np.dot": matmul_dot, "one a @ b": np.matmul},
                               a, b)
        print(f"n = {n}\n{format_table(report)}\n")
        out["matmul"][n] = figures(report)

    print("== the cache: summing a 2048 x 2048 float64 matrix by rows and by columns ==")
    big = np.random.default_rng(1).standard_normal((2048, 2048))
    report = bench.compare({"by rows": lambda: sum(float(big[i].sum()) for i in range(2048)),
                            "by columns": lambda: sum(float(big[:, j].sum()) for j in range(2048))})
    print(format_table(report) + "\n")
    out["rows_vs_columns"] = figures(report)

    print("== blocked product, 512 x 512 float32, by tile size ==")
    a, b = matrices(512, seed=2)
    candidates = {"one a @ b": np.matmul}
    candidates.update({f"tile {t}": partial(matmul_blocked, tile=t) for t in (16, 32, 64, 128, 256)})
    report = Benchmark(warmup=1, repeats=max(5, args.repeats // 2)).compare(candidates, a, b)
    print(format_table(report) + "\n")
    out["tiles"] = figures(report)

    print("== fusion: Linear(256, 256) then ReLU vs LinearReLU, by batch size ==")
    out["fusion"] = {}
    layer = Linear(256, 256, seed=0)
    unfused, fused = Sequential(layer, ReLU()), LinearReLU.from_linear(layer)
    for batch in (64, 256, 1024):
        x = Tensor(np.random.default_rng(batch).standard_normal((batch, 256)).astype(np.float32), requires_grad=True)
        output = batch * 256 * 4
        _, unfused_peak, unfused_kept = memory_use(unfused, x)
        _, fused_peak, fused_kept = memory_use(fused, x)
        forward = bench.compare({"Linear + ReLU": unfused, "LinearReLU": fused}, x)
        both = bench.compare({"Linear + ReLU": lambda: unfused(x).sum().backward(),
                              "LinearReLU": lambda: fused(x).sum().backward()})
        print(f"batch {batch}: kept for backward {unfused_kept / output:.2f} -> {fused_kept / output:.2f} outputs, "
              f"peak {unfused_peak / output:.2f} -> {fused_peak / output:.2f} outputs")
        print("forward\n" + format_table(forward))
        print("forward + backward\n" + format_table(both) + "\n")
        out["fusion"][batch] = {"output_bytes": output,
                                "kept_bytes": {"unfused": unfused_kept, "fused": fused_kept},
                                "peak_bytes": {"unfused": unfused_peak, "fused": fused_peak},
                                "forward": figures(forward), "forward_backward": figures(both)}

    print("== the autotuner on 256 x 256 float32 ==")
    a, b = matrices(256, seed=3)
    candidates = {f"tile {t}": partial(matmul_blocked, tile=t) for t in (16, 32, 64, 128, 256)}
    candidates["one a @ b"] = np.matmul
    tuning = fastest(candidates, a, b, repeats=args.repeats)
    print(tuning)
    out["autotuner"] = {"chosen": tuning.name, "median_s": tuning.seconds}

    print(json.dumps(out, default=str))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
