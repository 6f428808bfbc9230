"""What the milestone benchmarks share: run one milestone, trained with the instructor edition of tinytorch,
through `tito milestone run` (the student's path) and as a bare script, and report held-out accuracy and wall
time. Works on a copy of the course, so the repository's progress store is untouched. Baseline for the ratio:
the same script run directly with python, in the same session.
"""

from __future__ import annotations

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


def bench_milestone(folder: str, title: str, target: float, runs: int, accuracy_key: str = "accuracy") -> dict:
    """Run milestones/<folder>/run.py `runs` times each way; print the figures and return them (the milestone's
    own figures too, from its last run through tito; `accuracy_key` names the one held to `target`)."""
    year = folder.split("_", 1)[0]
    work = Path(tempfile.mkdtemp(prefix="tito-bench-"))
    try:
        for part in ("modules", "tinytorch", "milestones"):
            shutil.copytree(REPO / part, work / part, ignore=shutil.ignore_patterns("__pycache__"))
        env = dict(os.environ, TITO_PROJECT=str(work), PYTHONPATH=str(work))
        script = work / "milestones" / folder / "run.py"
        direct, via_tito, accuracy = [], [], []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, str(script)], cwd=script.parent, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            direct.append(time.perf_counter() - started)
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "tito_jupyter", "--json", "milestone", "run", year],
                                  env=env, capture_output=True, text=True)
            via_tito.append(time.perf_counter() - started)
            if proc.returncode != 0:   # say why: the milestone's own last lines, not only an exit status
                sys.exit(f"tito milestone run {year} failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n"
                         f"{proc.stderr[-2000:]}")
            metrics = json.loads(proc.stdout)["data"]["metrics"]
            accuracy.append(metrics[accuracy_key])
        d, t = statistics.median(direct), statistics.median(via_tito)
        print(f"{title}: held-out accuracy {min(accuracy):.3f} (worst of {runs}), target {target:.2f}")
        print(f"python run.py          {d:6.2f} s")
        print(f"tito milestone run     {t:6.2f} s   x{t / d:4.2f} of running the script directly")
        figures = {"bench": f"milestone_{year}", "runs": runs, "accuracy_min": min(accuracy),
                   "seconds_direct": round(d, 2), "seconds_tito": round(t, 2), "ratio": round(t / d, 2),
                   "milestone_figures": metrics}
        print(json.dumps(figures))
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)
