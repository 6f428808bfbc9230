"""How fast does the CLI start? `tito --help`, `tito list` and `tito status` against `python -c pass`.

Run: python bench/cli_start.py [--runs N] [--markdown FILE]. Each command and a bare interpreter start run in
turn, in the same session, and each ratio is the median of the pairs (with its range). Targets (issue #15):
`--help` at most 4x a bare python, `list` and `status` at most 6x. Not a gate: a loaded machine moves them.
The commands run on a copy of the course, so its progress and caches are the copy's; the untimed warm-up runs
fill them, as a student's earlier runs would (the course facts, rich's remembered output, the remembered help, kept
in a cache folder of the run's own). Three rows show the cost of rendering afresh (the memos off), and each row has
its CPU-time ratio beside the wall-time one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import bench_env, paired_with_cpu, print_rows, ratio_row  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
COMMANDS = (("tito --help", ["--help"], 4, {}), ("tito list", ["list"], 6, {}), ("tito status", ["status"], 6, {}),
            ("tito --json list", ["--json", "list"], None, {}), ("tito --json status", ["--json", "status"], None, {}),
            # rich rendering afresh (what a first run, a new terminal size or a changed course costs): no target
            ("tito list (render memo off)", ["list"], None, {"TITO_RENDER_MEMO": "0"}),
            ("tito status (render memo off)", ["status"], None, {"TITO_RENDER_MEMO": "0"}),
            # the parser built afresh for the help (a first run, an upgrade, another terminal width): no target
            ("tito --help (help memo off)", ["--help"], None, {"TITO_HELP_MEMO": "0"}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--markdown", metavar="FILE", help="append the table to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tito-bench-"))
    try:
        course = work / "course"
        for part in ("modules", "tests", "milestones", "tinytorch"):
            if (REPO / part).is_dir():
                shutil.copytree(REPO / part, course / part, ignore=shutil.ignore_patterns("__pycache__"))
        env = bench_env(TITO_PROJECT=str(course), TITO_CACHE_DIR=str(work / "cache"))
        py = sys.executable
        rows = []
        for label, argv, target, extra in COMMANDS:
            ta, tb, ca, cb = paired_with_cpu([py, "-m", "tito_jupyter", *argv], [py, "-c", "pass"], args.runs,
                                             {**env, **extra}, warmup=2)
            rows.append(ratio_row(label, ta, "python -c pass", tb, target, cpu=(ca, cb)))
        print_rows(f"CLI start ({args.runs} pairs)", rows, args.markdown)
        print(json.dumps({"bench": "cli_start", "runs": args.runs, "rows": rows}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
