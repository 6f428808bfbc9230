"""Export speed: tito's full export of every module against `nbdev-export` on the same notebooks,
and tito's no-op incremental export (nothing changed).

Run: python bench/export_speed.py [--runs N]. Everything runs on a copy of the course in a temporary folder,
in the same session, so the ratios compare like with like.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_ms, time_command  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tito-bench-"))
    try:
        course = work / "course"
        shutil.copytree(REPO / "modules", course / "modules")
        shutil.copytree(REPO / "tinytorch", course / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
        n = len(list((course / "modules").glob("*/*.ipynb")))
        # nbdev needs a project config (pyproject.toml with [tool.nbdev]) to export a folder of notebooks.
        (course / "pyproject.toml").write_text(
            '[project]\nname = "tinytorch"\nversion = "0.0.1"\n\n'
            '[tool.nbdev]\nlib_path = "tinytorch"\nnbs_path = "modules"\nrecursive = true\n'
            'black_formatting = false\njupyter_hooks = false\nput_version_in_init = false\n'
        )
        py = sys.executable
        nbdev_bin = str(Path(py).with_name("nbdev-export"))
        env = dict(os.environ, TITO_PROJECT=str(course))
        nbdev = median_ms(time_command([nbdev_bin], args.runs, env, cwd=course))
        full = median_ms(time_command([py, "-m", "tito_jupyter", "export", "--all", "--force"], args.runs, env))
        time_command([py, "-m", "tito_jupyter", "export", "--all"], 1, env)
        noop = median_ms(time_command([py, "-m", "tito_jupyter", "export", "--all"], args.runs, env))
        print(f"{n} notebooks")
        print(f"nbdev-export (all notebooks)      {nbdev:8.1f} ms")
        print(f"tito export --all --force         {full:8.1f} ms   x{full / nbdev:5.2f} of nbdev-export")
        print(f"tito export --all (nothing new)   {noop:8.1f} ms   x{noop / nbdev:5.2f} of nbdev-export")
        print(json.dumps({"bench": "export_speed", "notebooks": n, "runs": args.runs,
                          "median_ms": {"nbdev_export": round(nbdev, 1), "tito_full": round(full, 1),
                                        "tito_noop": round(noop, 1)},
                          "ratio_full_vs_nbdev": round(full / nbdev, 2),
                          "ratio_noop_vs_nbdev": round(noop / nbdev, 2)}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
