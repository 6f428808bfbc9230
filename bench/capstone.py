"""The capstone's deployment report on the whole digits data: the 1986-style MLP (64-128-10) trained for 20 epochs
on the milestones' split (20 % of each digit held out), made to meet the target of the lesson — at most 16,000 bytes,
5 ms per digit, 90 % of held-out digits right — with the float32, fused and int8 candidates.

The tests and checkpoint c21 check the same report on 700-800 digits trained for a second; this script gives the
figures at full size: each candidate's bytes, latency (median and 95 % interval of one-digit forward passes, by
module 19's harness, 50 repeats), held-out accuracy, and which candidate ships.

Needs the instructor edition of tinytorch (modules 01-20 exported). Run: python bench/capstone.py
Prints the report's table and one JSON line with every figure.
"""

from __future__ import annotations

import os

# One BLAS thread, as the other digit benchmarks: small products, a busy 2-core machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tinytorch.capstone import (Target, deployment_report, format_report, load_digits, optimise,  # noqa: E402
                                split_digits, train_mlp)

SEED = 1986


def main() -> int:
    features, labels = load_digits(REPO / "milestones" / "data" / "digits.npz")
    train_x, train_y, test_x, test_y = split_digits(features, labels, test_fraction=0.2, seed=SEED)
    started = time.perf_counter()
    model = train_mlp(train_x, train_y, hidden=128, epochs=20, seed=SEED)
    trained = time.perf_counter() - started
    target = Target(max_size_bytes=16_000, max_latency_ms=5.0, min_accuracy=0.90)
    report = deployment_report(optimise(model, train_x[:500]), target, test_x, test_y, test_x[:1],
                               warmup=5, repeats=50)
    print(f"trained on {len(train_x)} digits in {trained:.1f} s; {len(test_x)} held out")
    print(format_report(report))
    figures = {row["name"]: {"bytes": row["size_bytes"], "latency_ms": round(row["latency_ms"], 4),
                             "latency_ci_ms": [round(v, 4) for v in row["latency_ci_ms"]],
                             "accuracy": round(row["accuracy"], 4), "meets_target": row["meets_target"]}
               for row in report["candidates"]}
    print(json.dumps({"benchmark": "capstone", "target": report["target"], "candidates": figures,
                      "chosen": report["chosen"], "train_seconds": round(trained, 2)}))
    return 0 if report["chosen"] else 1


if __name__ == "__main__":
    sys.exit(main())
