"""What `tito complete` adds to its tests: `tito complete 01` against pytest running the same tests alone.

`complete` exports the module, runs its tests (the notebook's inline tests and tests/modules/<module>/) in one
pytest process and the checkpoints it unlocks in another, then records progress. The baseline runs those same
two pytest processes on the same files, nothing else. Target (issue #15): complete adds at most 150 ms.

Run: python bench/complete_overhead.py [--runs N] [--module 01] [--markdown FILE]. On a copy of the course;
pairs run in turn in the same session. Not a gate: a loaded machine moves the figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import bench_env, median_ms, paired  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--module", default="01")
    parser.add_argument("--markdown", metavar="FILE", help="append the table to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tito-bench-"))
    try:
        course = work / "course"
        for part in ("modules", "tests", "tinytorch"):
            shutil.copytree(REPO / part, course / part, ignore=shutil.ignore_patterns("__pycache__"))
        for extra in ("pyproject.toml", "conftest.py"):
            if (REPO / extra).is_file():
                shutil.copy2(REPO / extra, course / extra)
        env = bench_env(TITO_PROJECT=str(course))
        py = sys.executable
        complete = [py, "-m", "tito_jupyter", "--json", "complete", args.module]
        first = json.loads(subprocess.run(complete, env=env, capture_output=True, text=True).stdout)
        if not first.get("ok"):
            sys.exit(f"tito complete {args.module} did not pass on the course copy: {first.get('summary')}")

        from tito_jupyter.course import Course
        from tito_jupyter.engine.testing import module_test_plan

        c = Course.load(course)
        module = c.module(args.module)
        paths, _, _ = module_test_plan(c, module)
        checkpoints = [str(cp.path) for cp in c.unlocked_checkpoints(module)]
        # pytest as tito starts it (its ini, root, no plugins autoloaded), without tito's report plugin around it.
        ini = course / ".tito" / "build" / "pytest.ini"
        pytest = (f"PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 PYTHONPATH={course} {py} -m pytest -q -p no:cacheprovider "
                  f"-c {ini} --rootdir {course} --confcutdir {course / 'tests' / 'modules'} --import-mode=importlib "
                  "-W ignore::DeprecationWarning")
        alone = f"{pytest} {' '.join(map(str, paths))}" + (f" && {pytest} {' '.join(checkpoints)}" if checkpoints else "")
        ta, tb = paired(complete, ["sh", "-c", alone], args.runs, env, cwd=course)
        added = statistics.median(a - b for a, b in zip(ta, tb)) * 1000
        spread = sorted((a - b) * 1000 for a, b in zip(ta, tb))
        line = (f"tito complete {module.id}: {median_ms(ta):.0f} ms; its tests alone under pytest: {median_ms(tb):.0f} ms; "
                f"complete adds {added:.0f} ms ({spread[0]:.0f}..{spread[-1]:.0f}); target <= 150 ms: "
                f"{'met' if added <= 150 else 'NOT met'}")
        print(line)
        if args.markdown:
            with open(args.markdown, "a", encoding="utf-8") as out:
                out.write(f"\n### Complete ({args.runs} pairs)\n\n| command | median | baseline (same run) | added "
                          f"(min..max) | target |\n|---|---:|---|---:|---|\n| `tito complete {module.id}` | "
                          f"{median_ms(ta):.0f} ms | its tests alone under pytest {median_ms(tb):.0f} ms | "
                          f"{added:.0f} ms ({spread[0]:.0f}..{spread[-1]:.0f}) | ≤ 150 ms "
                          f"{'✅' if added <= 150 else '⚠️ not met'} |\n")
        print(json.dumps({"bench": "complete_overhead", "module": module.id, "runs": args.runs,
                          "complete_ms": round(median_ms(ta), 1), "tests_alone_ms": round(median_ms(tb), 1),
                          "added_ms": round(added, 1), "added_range_ms": [round(spread[0], 1), round(spread[-1], 1)]}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
