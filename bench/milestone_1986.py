"""The 1986 milestone on these machines: wall time and held-out accuracy of an MLP on the UCI digits,
trained with the instructor edition of tinytorch, run through `tito milestone run` (the student's path).

Run: python bench/milestone_1986.py [--runs N]. Works on a copy of the course, so the repository's progress
store is untouched. Baseline for the ratio: the same script run directly with python, in the same session.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tito-bench-"))
    try:
        for folder in ("modules", "tinytorch", "milestones"):
            shutil.copytree(REPO / folder, work / folder, ignore=shutil.ignore_patterns("__pycache__"))
        env = dict(os.environ, TITO_PROJECT=str(work), PYTHONPATH=str(work))
        script = work / "milestones/1986_mlp_digits/run.py"
        direct, via_tito, accuracy = [], [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, str(script)], cwd=script.parent, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            direct.append(time.perf_counter() - started)
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "milestone", "run", "1986"],
                                  env=env, capture_output=True, text=True, check=True)
            via_tito.append(time.perf_counter() - started)
            accuracy.append(json.loads(proc.stdout)["data"]["metrics"]["accuracy"])
        d, t = statistics.median(direct), statistics.median(via_tito)
        print(f"1986 MLP on digits: held-out accuracy {min(accuracy):.3f} (worst of {args.runs}), target 0.90")
        print(f"python run.py          {d:6.2f} s")
        print(f"tito milestone run     {t:6.2f} s   x{t / d:4.2f} of running the script directly")
        print(json.dumps({"bench": "milestone_1986", "runs": args.runs, "accuracy_min": min(accuracy),
                          "seconds_direct": round(d, 2), "seconds_tito": round(t, 2), "ratio": round(t / d, 2)}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
