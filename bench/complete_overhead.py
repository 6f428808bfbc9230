"""What `tito complete` adds to its tests: `tito complete 01` against pytest running the same tests alone.

`complete` exports the module, runs its tests (the notebook's inline tests and tests/modules/<module>/) and the
checkpoints it unlocks in one pytest process, then records progress. The baseline is pytest alone running the same
files in one process (as tito starts it, without tito's report plugin), nothing else. Target (issue #15): complete
adds at most 150 ms.

With --before DIR (another checkout of this repository, e.g. `git worktree add /tmp/before main`), that
checkout's `tito complete` is timed in the same rounds, so a change is measured against the code before it on the
same machine at the same moment.

Run: python bench/complete_overhead.py [--runs N] [--module 01] [--before DIR] [--markdown FILE]. On a copy of
the course; the commands run in turn, round after round, in the same session. Not a gate: a loaded machine moves
the figures.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import bench_env, median_ms, time_command  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def rounds(commands: dict[str, list[str]], runs: int, env: dict, cwd: Path) -> dict[str, list[float]]:
    """Each command once per round, in turn, after one untimed round: a drifting machine moves them alike."""
    for argv in commands.values():
        time_command(argv, 1, env, cwd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            times[name] += time_command(argv, 1, env, cwd)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--module", default="01")
    parser.add_argument("--before", metavar="DIR", help="also time `tito complete` of this checkout of tito-jupyter")
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
        alone = ["sh", "-c", f"{pytest} {' '.join(map(str, [*paths, *checkpoints]))}"]
        commands = {"complete": complete, "alone": alone}
        if args.before:
            before_env = dict(env, PYTHONPATH=os.pathsep.join([str(Path(args.before).resolve()),
                                                               env.get("PYTHONPATH", "")]).rstrip(os.pathsep))
            commands["before"] = ["env", f"PYTHONPATH={before_env['PYTHONPATH']}", *complete]
        times = rounds(commands, args.runs, env, course)
        ta, tb = times["complete"], times["alone"]
        added = statistics.median(a - b for a, b in zip(ta, tb)) * 1000
        spread = sorted((a - b) * 1000 for a, b in zip(ta, tb))
        line = (f"tito complete {module.id}: {median_ms(ta):.0f} ms; its tests alone under pytest (one process): "
                f"{median_ms(tb):.0f} ms; complete adds {added:.0f} ms ({spread[0]:.0f}..{spread[-1]:.0f}); "
                f"target <= 150 ms: {'met' if added <= 150 else 'NOT met'}")
        print(line)
        figures = {"bench": "complete_overhead", "module": module.id, "runs": args.runs,
                   "complete_ms": round(median_ms(ta), 1), "tests_alone_ms": round(median_ms(tb), 1),
                   "added_ms": round(added, 1), "added_range_ms": [round(spread[0], 1), round(spread[-1], 1)]}
        rows = (f"| `tito complete {module.id}` | {median_ms(ta):.0f} ms | its tests alone under pytest "
                f"{median_ms(tb):.0f} ms | {added:.0f} ms ({spread[0]:.0f}..{spread[-1]:.0f}) | ≤ 150 ms "
                f"{'✅' if added <= 150 else '⚠️ not met'} |\n")
        if args.before:
            tc = times["before"]
            before_added = statistics.median(c - b for c, b in zip(tc, tb)) * 1000
            print(f"the same with {args.before}: {median_ms(tc):.0f} ms, adds {before_added:.0f} ms; this checkout "
                  f"saves {statistics.median(c - a for c, a in zip(tc, ta)) * 1000:.0f} ms a run")
            figures.update(before_ms=round(median_ms(tc), 1), before_added_ms=round(before_added, 1))
            rows += (f"| `tito complete {module.id}` of {args.before} | {median_ms(tc):.0f} ms | the same "
                     f"{median_ms(tb):.0f} ms | {before_added:.0f} ms | |\n")
        if args.markdown:
            with open(args.markdown, "a", encoding="utf-8") as out:
                out.write(f"\n### Complete ({args.runs} rounds)\n\n| command | median | baseline (same run) | added "
                          f"(min..max) | target |\n|---|---:|---|---:|---|\n{rows}")
        print(json.dumps(figures))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
