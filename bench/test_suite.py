"""How much do two pytest-xdist workers save? A fixed slice of the test suite, serially and with ``-n 2``.

Run: python bench/test_suite.py [--runs N] [TEST_PATH ...]. Runs the slice serially and in parallel, alternating
(serial, parallel, serial, ...) so that load from elsewhere on the machine falls on both alike, and prints the
median wall times and their ratio. The parallel run uses the options of the README's test command
(``scripts/test.sh`` on a 2-core machine: two workers, a file's tests on one worker). Both use single-threaded
BLAS (tests/conftest.py sets it for every test run). The slice mixes tests that wait on subprocesses (kernels,
jupyter servers, pytest runs) with CPU-bound NumPy tests; give paths to time another one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: What the slice holds: a little of every kind of test (engine subprocesses, CLI, kernels, the course's NumPy).
SLICE = [
    "tests/engine/test_testing.py",
    "tests/engine/test_processes.py",
    "tests/cli/test_cli.py",
    "tests/magics/test_kernel.py",
    "tests/server/test_jobs.py",
    "tests/modules/09_spatial",
    "tests/modules/13_transformers",
]
#: The parallel options of scripts/test.sh.
PARALLEL = ["-n", "2", "--dist", "loadfile", "--no-loadscope-reorder"]


def run_pytest(paths: list[str], extra: list[str]) -> tuple[float, str]:
    """Wall time of one pytest run of ``paths``, and its closing line; a failing run stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *extra, *paths],
                          cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else "(no output)"
    if done.returncode != 0:
        sys.exit(f"pytest {' '.join(extra)} failed, so its time means nothing: {summary}\n{done.stdout[-3000:]}")
    return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2, help="runs of each (default 2)")
    parser.add_argument("paths", nargs="*", default=SLICE, help="test files or folders (default: a fixed slice)")
    args = parser.parse_args()
    serial: list[float] = []
    parallel: list[float] = []
    for _ in range(args.runs):
        elapsed, summary = run_pytest(args.paths, [])
        serial.append(elapsed)
        print(f"serial    {elapsed:6.1f} s   {summary}", flush=True)
        elapsed, summary = run_pytest(args.paths, PARALLEL)
        parallel.append(elapsed)
        print(f"-n 2      {elapsed:6.1f} s   {summary}", flush=True)
    s, p = statistics.median(serial), statistics.median(parallel)
    print(f"median: serial {s:.1f} s, -n 2 {p:.1f} s: the parallel run takes x{p / s:.2f} of the serial one")
    print(json.dumps({"bench": "test_suite", "runs": args.runs, "paths": args.paths, "serial_s": round(s, 1),
                      "parallel_s": round(p, 1), "ratio": round(p / s, 3)}))


if __name__ == "__main__":
    main()
